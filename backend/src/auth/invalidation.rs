//! Cross-instance invalidation of the [`PrincipalCache`](super::PrincipalCache): a
//! membership, role or token change publishes the organization's id on a Redis
//! channel, and every instance drops that organization's cached principals. Best
//! effort by design: if Redis is down, entries still expire after the cache TTL.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use tenancy::OrgId;

use super::PrincipalCache;
use crate::http::RedisPool;

/// The channel; messages are organization ids.
pub const CHANNEL: &str = "trellis:principals:changed";

/// Drops `org`'s cached principals here and tells the other instances (handlers
/// call it through `Caller::principals_changed`).
pub async fn publish(redis: &RedisPool, principals: &PrincipalCache, org: OrgId) {
    principals.forget_org(org);
    let send = async {
        let mut conn = redis.get().await.map_err(|e| e.to_string())?;
        redis::cmd("PUBLISH")
            .arg(CHANNEL)
            .arg(org.to_string())
            .query_async::<i64>(&mut *conn)
            .await
            .map_err(|e| e.to_string())
    };
    match tokio::time::timeout(crate::rate_limit::REDIS_TIMEOUT, send).await {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => tracing::warn!(error = %e, "could not publish a principal change"),
        Err(_) => tracing::warn!("publishing a principal change timed out"),
    }
}

/// Listens on [`CHANNEL`] for the life of the process, reconnecting after failures.
pub fn spawn_listener(redis_url: String, cache: Arc<PrincipalCache>) {
    tokio::spawn(async move {
        loop {
            if let Err(e) = listen(&redis_url, &cache).await {
                tracing::warn!(error = %e, "principal invalidation listener; reconnecting");
            }
            // Whatever was missed while disconnected: drop it all.
            cache.clear();
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
}

async fn listen(redis_url: &str, cache: &PrincipalCache) -> redis::RedisResult<()> {
    let client = redis::Client::open(redis_url)?;
    let mut pubsub = client.get_async_pubsub().await?;
    pubsub.subscribe(CHANNEL).await?;
    let mut messages = pubsub.on_message();
    while let Some(message) = messages.next().await {
        let payload: String = message.get_payload()?;
        match payload.parse::<uuid::Uuid>() {
            Ok(org) => cache.forget_org(OrgId(org)),
            Err(_) => cache.clear(),
        }
    }
    Ok(())
}
