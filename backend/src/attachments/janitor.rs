//! Removing deleted attachments' objects from storage, retried until they are gone.
//!
//! `DELETE .../attachments/{id}` marks the row deleted (in the request's transaction,
//! with its audit entry) and then removes the object at once. When that fails (the
//! store is unreachable, say), the row keeps `object_removed_at` empty and a
//! `next_removal_at`; the janitor, a task in every `trellis serve`, claims due rows
//! of every organization each minute through `trellis_attachment_removals_due` (a
//! lease, so two instances never take the same row), removes the objects, and
//! records each outcome in that organization's own scoped transaction. Failures back
//! off from one minute to six hours, for as long as it takes. Expired pending uploads
//! join the same queue (`queries::expire_pending`).

use std::time::Duration;

use diesel::sql_types::{Integer, Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use tenancy::{DbPool, OrgId, SystemActor, system_scope};

use super::storage::{AttachmentStore, StorageError};
use super::{AttachmentId, queries};

/// How long after a failed immediate removal the janitor first retries.
pub const RETRY_AFTER: Duration = Duration::from_secs(60);
/// How often the janitor looks for due removals.
const INTERVAL: Duration = Duration::from_secs(60);
/// How long a claimed row stays with the instance that claimed it.
const LEASE_SECONDS: i32 = 300;
/// Rows per claim.
const BATCH: i32 = 100;

#[derive(diesel::QueryableByName)]
struct Due {
    #[diesel(sql_type = SqlUuid)]
    org_id: uuid::Uuid,
    #[diesel(sql_type = SqlUuid)]
    id: uuid::Uuid,
    #[diesel(sql_type = Text)]
    object_key: String,
}

/// Removes `key` of `org` from the store; a key outside `org`'s part of the store is
/// never touched.
pub(crate) async fn remove(
    store: &AttachmentStore,
    org: OrgId,
    key: &str,
) -> Result<(), StorageError> {
    match store.key_of(org, key) {
        Some(key) => store.objects().delete(key).await,
        None => Err(StorageError(format!(
            "key {key} does not belong to organization {}",
            org.0
        ))),
    }
}

/// One pass: claims up to a batch of due removals, removes their objects and records
/// each outcome. Answers how many objects were removed.
pub async fn sweep(pool: &DbPool, store: &AttachmentStore) -> anyhow::Result<usize> {
    let mut conn = pool.get().await?;
    let due: Vec<Due> = diesel::sql_query(
        "SELECT org_id, id, object_key FROM trellis_attachment_removals_due($1, $2)",
    )
    .bind::<Integer, _>(BATCH)
    .bind::<Integer, _>(LEASE_SECONDS)
    .load(&mut *conn)
    .await?;
    let mut removed = 0;
    for row in due {
        let org = OrgId(row.org_id);
        let id = AttachmentId(row.id);
        let outcome = remove(store, org, &row.object_key).await;
        let scope = system_scope(org, SystemActor::AttachmentJanitor);
        scope
            .transaction(&mut conn, async |tx| match &outcome {
                Ok(()) => queries::object_removed(tx, id).await,
                Err(e) => queries::removal_failed(tx, id, &e.0).await,
            })
            .await?;
        match outcome {
            Ok(()) => removed += 1,
            Err(e) => {
                tracing::warn!(attachment = %id.0, error = %e, "removing an attachment's object failed; retrying later")
            }
        }
    }
    Ok(removed)
}

/// Runs [`sweep`] every minute for as long as the process lives.
pub fn spawn(pool: DbPool, store: AttachmentStore) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(INTERVAL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match sweep(&pool, &store).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(removed = n, "attachment objects removed"),
                Err(e) => tracing::warn!(error = %e, "attachment janitor pass failed"),
            }
        }
    });
}
