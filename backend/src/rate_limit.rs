//! Request budgets shared by every instance: fixed windows counted in Redis.
//!
//! When Redis is unreachable the limits still hold, per instance: each process counts
//! in memory with the same budgets (so N instances allow up to N times the budget) and
//! tries Redis again after a few seconds. Requests are never refused *because* Redis
//! is down, and never wait on it for longer than [`REDIS_TIMEOUT`]. This is the
//! documented choice (README, "Rate limits"), pinned by a test.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use actix_web::HttpRequest;

use crate::http::{ApiError, RedisPool};

/// How long a request waits for Redis before counting locally instead.
pub const REDIS_TIMEOUT: Duration = Duration::from_millis(250);
/// How long Redis is left alone after a failure.
const REDIS_BACKOFF: Duration = Duration::from_secs(5);
/// Bound on locally counted keys.
const MAX_LOCAL_KEYS: usize = 100_000;

/// A budget: at most `limit` requests per `window` for one key.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    /// Names the budget in keys and metrics (`auth`, `api`, `token-create`).
    pub name: &'static str,
    pub limit: u32,
    pub window: Duration,
}

/// Counts requests against budgets.
pub struct RateLimiter {
    redis: RedisPool,
    namespace: String,
    redis_down_until: Mutex<Option<Instant>>,
    local: Mutex<HashMap<String, u32>>,
}

const INCR_SCRIPT: &str = r"
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n";

impl RateLimiter {
    pub fn new(redis: RedisPool, namespace: &str) -> Self {
        Self {
            redis,
            namespace: namespace.to_owned(),
            redis_down_until: Mutex::new(None),
            local: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one request for `key` and refuses it (429 with `Retry-After` and the
    /// `RateLimit-*` fields) when the window's budget is spent.
    pub async fn check(&self, budget: Budget, key: &str) -> Result<(), ApiError> {
        let window_ms = budget.window.as_millis().max(1) as u64;
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        let window = now_ms / window_ms;
        let reset_secs = (window_ms - now_ms % window_ms).div_ceil(1000);
        let counter_key = format!("{}:rl:{}:{key}:{window}", self.namespace, budget.name);
        let count = match self.count_in_redis(&counter_key, window_ms).await {
            Some(n) => n,
            None => self.count_locally(counter_key, window),
        };
        if count > u64::from(budget.limit) {
            return Err(ApiError::too_many_requests(
                "too many requests; wait for the time in Retry-After",
            )
            .with_header("Retry-After", reset_secs)
            .with_header("RateLimit-Limit", budget.limit)
            .with_header("RateLimit-Remaining", 0)
            .with_header("RateLimit-Reset", reset_secs)
            .with_extension("limit", budget.limit.into())
            .with_extension("retry_after", reset_secs.into()));
        }
        Ok(())
    }

    async fn count_in_redis(&self, key: &str, window_ms: u64) -> Option<u64> {
        if self
            .redis_down_until
            .lock()
            .ok()
            .and_then(|until| *until)
            .is_some_and(|until| Instant::now() < until)
        {
            return None;
        }
        let attempt = async {
            let mut conn = self.redis.get().await.map_err(|e| e.to_string())?;
            redis::Script::new(INCR_SCRIPT)
                .key(key)
                .arg(window_ms)
                .invoke_async::<u64>(&mut *conn)
                .await
                .map_err(|e| e.to_string())
        };
        match tokio::time::timeout(REDIS_TIMEOUT, attempt).await {
            Ok(Ok(n)) => Some(n),
            Ok(Err(e)) => self.redis_failed(&e),
            Err(_) => self.redis_failed("timed out"),
        }
    }

    fn redis_failed(&self, error: &str) -> Option<u64> {
        tracing::warn!(
            error,
            "rate limits: Redis unavailable, counting per instance"
        );
        if let Ok(mut until) = self.redis_down_until.lock() {
            *until = Some(Instant::now() + REDIS_BACKOFF);
        }
        None
    }

    fn count_locally(&self, key: String, window: u64) -> u64 {
        let Ok(mut counters) = self.local.lock() else {
            return 0;
        };
        if counters.len() >= MAX_LOCAL_KEYS {
            // Keys end with their window number; older windows are over.
            let current = format!(":{window}");
            counters.retain(|k, _| k.ends_with(&current));
            if counters.len() >= MAX_LOCAL_KEYS {
                counters.clear();
            }
        }
        let n = counters.entry(key).or_insert(0);
        *n = n.saturating_add(1);
        u64::from(*n)
    }
}

/// The client's address: the peer, or behind a trusted proxy (the ALB appends the
/// address it saw) the last `X-Forwarded-For` entry, which a client cannot forge.
pub fn client_ip(req: &HttpRequest, trust_forwarded_for: bool) -> String {
    if trust_forwarded_for
        && let Some(last) = req
            .headers()
            .get_all("X-Forwarded-For")
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .rfind(|s| !s.is_empty())
        && last.parse::<std::net::IpAddr>().is_ok()
    {
        return last.to_owned();
    }
    req.peer_addr()
        .map_or_else(|| "unknown".to_owned(), |a| a.ip().to_string())
}
