//! The HTTP layer: application state, the app factory with its middleware, health
//! and metrics endpoints, errors, extractors and pagination.

pub mod error;
pub mod extract;
mod health;
pub mod metrics;
pub mod openapi;
pub mod pagination;
pub mod request_id;
pub mod validate;

use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::{Compress, DefaultHeaders, from_fn};
use actix_web::{App, HttpResponse, HttpServer, web};
use diesel_async::pooled_connection::AsyncDieselConnectionManager;
use tenancy::{DbConn, DbPool};

use crate::config::Config;

pub use error::ApiError;
pub use extract::{IfMatch, JsonBody};
pub use metrics::Metrics;
pub use pagination::{Page, PageParams};

/// The Redis pool.
pub type RedisPool = bb8::Pool<bb8_redis::RedisConnectionManager>;

/// A database connection checked out of the pool for the rest of a request.
pub type PooledConn = bb8::PooledConnection<'static, AsyncDieselConnectionManager<DbConn>>;

/// Everything a handler may need. Each worker has its own copy, sharing everything
/// but the database pool (see [`serve`]).
#[derive(Clone)]
pub struct AppState {
    /// This worker's PostgreSQL pool.
    pub db: DbPool,
    pub redis: RedisPool,
    pub metrics: Arc<Metrics>,
    pub principals: Arc<crate::auth::PrincipalCache>,
    /// Session keys, the GitHub client, the token cipher and rate limits.
    pub auth: Arc<crate::auth::AuthState>,
    /// Signs search page tokens.
    pub page_tokens: Arc<crate::search::token::PageTokenKey>,
    pub config: Arc<Config>,
    /// Plans, entitlements and Stripe.
    pub billing: Arc<billing::Billing>,
    /// Every worker's pool and its size, for the pool gauges.
    worker_pools: Arc<Mutex<Vec<(DbPool, u32)>>>,
}

impl AppState {
    /// Assembles the state; the principal cache takes its lifetime from `config`.
    pub fn new(db: DbPool, redis: RedisPool, config: Config) -> anyhow::Result<Self> {
        let auth = Arc::new(crate::auth::AuthState::new(&config, redis.clone())?);
        let billing = billing::Billing::new(
            config.billing.to_billing(config.public_url()),
            billing::Clock::default(),
        )?;
        Ok(Self {
            billing: Arc::new(billing),
            db,
            redis,
            auth,
            metrics: Arc::new(Metrics::new()?),
            principals: Arc::new(crate::auth::PrincipalCache::new(config.auth_cache_ttl)),
            page_tokens: Arc::new(crate::search::token::PageTokenKey::new(
                config.secret_key.as_ref().map(|s| s.expose()),
            )),
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

/// Resources answer an unsupported method with an empty 405; make it a problem too.
fn method_not_allowed<B>(
    res: actix_web::dev::ServiceResponse<B>,
) -> actix_web::Result<actix_web::middleware::ErrorHandlerResponse<B>> {
    let (req, _) = res.into_parts();
    let response = actix_web::ResponseError::error_response(&ApiError::method_not_allowed());
    let res = actix_web::dev::ServiceResponse::new(req, response).map_into_right_body();
    Ok(actix_web::middleware::ErrorHandlerResponse::Response(res))
}

/// CORS for the configured origins only (the web app's and `TRELLIS_CORS_ORIGINS`),
/// with credentials so the session cookie travels; everything else gets no CORS
/// headers, so browsers keep other sites' pages from reading our responses.
fn cors(config: &Config) -> actix_cors::Cors {
    let mut cors = actix_cors::Cors::default()
        .allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([
            actix_web::http::header::AUTHORIZATION,
            actix_web::http::header::CONTENT_TYPE,
            actix_web::http::header::IF_MATCH,
            actix_web::http::header::HeaderName::from_static("x-csrf-token"),
        ])
        .expose_headers([
            actix_web::http::header::ETAG,
            actix_web::http::header::RETRY_AFTER,
            actix_web::http::header::HeaderName::from_static("x-request-id"),
        ])
        .supports_credentials()
        .max_age(600);
    for origin in config.allowed_origins() {
        cors = cors.allowed_origin(&origin);
    }
    cors
}

/// The application: every route and middleware. Used by `serve` and by the tests.
pub fn build_app(
    state: web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let environment = state.config.environment;
    let cors = cors(&state.config);
    let web_files = crate::app::web::WebFiles::from_config(state.config.web_dir.as_deref());
    App::new()
        .app_data(state)
        .app_data(web::Data::new(web_files))
        .configure(extract::configure_errors)
        .configure(|cfg| crate::auth::routes::configure(cfg, environment))
        .route("/healthz", web::get().to(health::live))
        .route("/readyz", web::get().to(health::ready))
        .route("/metrics", web::get().to(metrics::scrape))
        .configure(crate::billing::configure_webhook)
        .service(
            web::scope("/api/v1")
                .route("/openapi.json", web::get().to(openapi::serve))
                .configure(crate::auth::routes::configure_invitations)
                .service(
                    web::scope("/orgs/{org}")
                        .configure(crate::orgs::configure)
                        .configure(crate::auth::configure_tokens)
                        .configure(crate::projects::configure)
                        .configure(crate::tickets::configure)
                        .configure(crate::comments::configure)
                        .configure(crate::audit::configure)
                        .configure(crate::search::configure)
                        .configure(crate::billing::configure),
                ),
        )
        .default_service(web::to(crate::app::web::serve))
        .wrap(actix_web::middleware::ErrorHandlers::new().handler(
            actix_web::http::StatusCode::METHOD_NOT_ALLOWED,
            method_not_allowed,
        ))
        .wrap(cors)
        .wrap(Compress::default())
        .wrap(
            // The API serves JSON and one static page of our own: nothing may frame it,
            // load scripts from elsewhere, or be sniffed into another type. HSTS
            // only takes effect behind HTTPS (the ALB), where it belongs.
            DefaultHeaders::new()
                .add(("X-Content-Type-Options", "nosniff"))
                .add(("Cache-Control", "no-store"))
                .add((
                    "Content-Security-Policy",
                    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                     img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
                ))
                .add(("X-Frame-Options", "DENY"))
                .add(("Referrer-Policy", "no-referrer"))
                .add(("Strict-Transport-Security", "max-age=31536000; includeSubDomains")),
        )
        .wrap(from_fn(metrics::middleware))
        .wrap(from_fn(request_id::middleware))
}

/// Serves until SIGINT/SIGTERM, then stops accepting, lets in-flight requests finish
/// (up to 30 s) and returns.
///
/// Each worker (one per core) gets its own share of `TRELLIS_DB_POOL_SIZE`, opened
/// lazily from inside the worker: a connection's socket task then runs on the thread
/// that uses it, instead of handing every query across threads (measured: see
/// docs/PERFORMANCE.md).
pub async fn serve(
    state: AppState,
    database_url: &str,
    tls: crate::db::DbTls,
    listener: TcpListener,
) -> std::io::Result<()> {
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let per_worker = state
        .config
        .db_pool_size
        .div_ceil(u32::try_from(workers).unwrap_or(1));
    let url = database_url.to_owned();
    HttpServer::new(move || {
        let pool = crate::db::lazy_pool(&url, per_worker, &tls);
        build_app(web::Data::new(state.for_worker(pool, per_worker)))
    })
    .workers(workers)
    .listen(listener)?
    .shutdown_timeout(30)
    .run()
    .await
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

#[cfg(test)]
mod tests;
