//! The HTTP plumbing every feature uses: the application state (services only),
//! errors, extractors, pagination, ETag helpers, request ids and metrics middleware.
//! It imports no feature; the app that mounts the features is `crate::app`.

pub mod error;
pub mod extract;
pub mod idempotency;
pub mod metrics;
pub mod pagination;
pub mod request_id;
pub mod validate;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::HttpResponse;
use diesel_async::pooled_connection::AsyncDieselConnectionManager;
use tenancy::{DbConn, DbPool};

use crate::config::Config;

pub use error::ApiError;
pub use extract::{BodyDigest, IfMatch, JsonBody};
pub use idempotency::{Idempotency, Reply};
pub use metrics::Metrics;
pub use pagination::{Items, Page, PageParams};

/// The Redis pool.
pub type RedisPool = bb8::Pool<bb8_redis::RedisConnectionManager>;

/// A database connection checked out of the pool for the rest of a request.
pub type PooledConn = bb8::PooledConnection<'static, AsyncDieselConnectionManager<DbConn>>;

/// The services a handler may need: database, Redis, configuration, metrics, billing.
/// Each worker has its own copy, sharing everything but the database pool (see
/// `app::serve`). Feature state (sessions, the principal cache, page-token keys) is
/// registered by the app as its own `web::Data`.
#[derive(Clone)]
pub struct AppState {
    /// This worker's PostgreSQL pool.
    pub db: DbPool,
    pub redis: RedisPool,
    pub metrics: Arc<Metrics>,
    pub config: Arc<Config>,
    /// Plans, entitlements and Stripe.
    pub billing: Arc<billing::Billing>,
    /// Every worker's pool and its size, for the pool gauges.
    worker_pools: Arc<Mutex<Vec<(DbPool, u32)>>>,
}

impl AppState {
    /// Assembles the services.
    pub fn new(db: DbPool, redis: RedisPool, config: Config) -> anyhow::Result<Self> {
        let billing = billing::Billing::new(
            config.billing.to_billing(config.public_url()),
            billing::Clock::default(),
        )?;
        Ok(Self {
            billing: Arc::new(billing),
            db,
            redis,
            metrics: Arc::new(Metrics::new()?),
            config: Arc::new(config),
            worker_pools: Arc::default(),
        })
    }

    /// This state for one worker, with that worker's own pool of `size` connections.
    pub fn for_worker(&self, db: DbPool, size: u32) -> Self {
        if let Ok(mut pools) = self.worker_pools.lock() {
            pools.push((db.clone(), size));
        }
        Self { db, ..self.clone() }
    }

    /// The pools requests are served from, with their sizes: each worker's, or the
    /// one given to `new`.
    pub fn serving_pools(&self) -> Vec<(DbPool, u32)> {
        match self.worker_pools.lock() {
            Ok(pools) if !pools.is_empty() => pools.clone(),
            _ => vec![(self.db.clone(), self.config.db_pool_size)],
        }
    }
}

/// The strong ETag of a resource at `version`.
pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

/// Opens the Redis pool. Creation does not wait for Redis: the API keeps serving
/// without it and `/readyz` reports it.
pub fn redis_pool(url: &str) -> anyhow::Result<RedisPool> {
    let manager = bb8_redis::RedisConnectionManager::new(url)?;
    Ok(bb8::Pool::builder()
        .max_size(16)
        .connection_timeout(Duration::from_secs(2))
        .build_unchecked(manager))
}

/// A JSON response carrying the resource's `ETag`.
pub fn json_with_etag<T: serde::Serialize>(
    status: actix_web::http::StatusCode,
    version: i32,
    body: &T,
) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((actix_web::http::header::ETAG, etag(version)))
        .json(body)
}
