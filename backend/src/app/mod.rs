//! The application assembled from the features: every route and middleware, CORS, the
//! server, the OpenAPI path list, health and the web app's files. Nothing imports
//! this module but the CLI and the tests: features never reach up into the app.

pub mod health;
pub mod openapi;
pub mod web;

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::{Compress, DefaultHeaders, from_fn};
use actix_web::{App, HttpServer, web as aw};

use crate::attachments::AttachmentStore;
use crate::auth::{AuthState, PrincipalCache};
use crate::config::Config;
use crate::http::{ApiError, AppState, RedisPool, extract, metrics, request_id};
use crate::search::token::PageTokenKey;

/// Feature state built once per process and shared by every worker, each registered
/// as its own `web::Data` so handlers and extractors ask for exactly what they use.
#[derive(Clone)]
pub struct Features {
    /// Session keys, the GitHub client, the token cipher and the sign-in rate limits.
    pub auth: Arc<AuthState>,
    /// Authenticated principals for a few seconds (see `auth::PrincipalCache`).
    pub principals: Arc<PrincipalCache>,
    /// Signs search page tokens.
    pub page_tokens: Arc<PageTokenKey>,
    /// Where attachments are stored (S3, or the local directory).
    pub attachments: Arc<AttachmentStore>,
}

impl Features {
    /// Builds the feature state from the configuration, with the attachment store
    /// (built by the caller: connecting to S3 is asynchronous).
    pub fn new(
        config: &Config,
        redis: RedisPool,
        attachments: AttachmentStore,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            attachments: Arc::new(attachments),
            auth: Arc::new(AuthState::new(config, redis)?),
            principals: Arc::new(PrincipalCache::new(config.auth_cache_ttl)),
            page_tokens: Arc::new(PageTokenKey::new(
                config.secret_key.as_ref().map(|s| s.expose()),
            )),
        })
    }
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
            actix_web::http::header::HeaderName::from_static("idempotency-key"),
        ])
        .expose_headers([
            actix_web::http::header::ETAG,
            actix_web::http::header::RETRY_AFTER,
            actix_web::http::header::HeaderName::from_static("x-request-id"),
            actix_web::http::header::HeaderName::from_static("idempotent-replayed"),
            actix_web::http::header::LOCATION,
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
    state: aw::Data<AppState>,
    features: Features,
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
    let web_files = web::WebFiles::from_config(state.config.web_dir.as_deref());
    App::new()
        .app_data(state)
        .app_data(aw::Data::from(features.auth.clone()))
        .app_data(aw::Data::from(features.principals.clone()))
        .app_data(aw::Data::from(features.page_tokens.clone()))
        .app_data(aw::Data::from(features.attachments.clone()))
        .app_data(aw::Data::new(web_files))
        .configure(extract::configure_errors)
        .configure(crate::me::routes::configure)
        .configure(|cfg| crate::auth::routes::configure(cfg, environment))
        .route("/healthz", aw::get().to(health::live))
        .route("/readyz", aw::get().to(health::ready))
        .route("/metrics", aw::get().to(metrics::scrape))
        .configure(crate::billing::routes::configure_webhook)
        .service(
            aw::scope("/api/v1")
                .route("/openapi.json", aw::get().to(openapi::serve))
                .configure(crate::attachments::routes::configure_files)
                .service(
                    aw::scope("/orgs/{org}")
                        .configure(crate::orgs::routes::configure)
                        .configure(crate::tokens::routes::configure)
                        .configure(crate::projects::routes::configure)
                        .configure(crate::bulk::routes::configure)
                        .configure(crate::import::routes::configure)
                        .configure(crate::tickets::routes::configure)
                        .configure(crate::comments::routes::configure)
                        .configure(crate::worklogs::routes::configure)
                        .configure(crate::attachments::routes::configure)
                        .configure(crate::components::routes::configure)
                        .configure(crate::custom_fields::routes::configure)
                        .configure(crate::links::routes::configure)
                        .configure(crate::watchers::routes::configure)
                        .configure(crate::sprints::routes::configure)
                        .configure(crate::workflows::routes::configure)
                        .configure(crate::ranking::routes::configure)
                        .configure(crate::search::routes::configure)
                        .configure(crate::export::routes::configure)
                        .configure(crate::filters::routes::configure)
                        .configure(crate::billing::routes::configure),
                ),
        )
        .default_service(aw::to(web::serve))
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
                    content_security_policy(features.attachments.objects().browser_origin()),
                ))
                .add(("X-Frame-Options", "DENY"))
                .add(("Referrer-Policy", "no-referrer"))
                .add((
                    "Strict-Transport-Security",
                    "max-age=31536000; includeSubDomains",
                )),
        )
        .wrap(from_fn(metrics::middleware))
        .wrap(from_fn(request_id::middleware))
}

/// The Content-Security-Policy: everything from our own origin, plus the object
/// store's (`files`) for direct uploads (`connect-src`) and image previews
/// (`img-src`) when attachments live in S3.
fn content_security_policy(files: Option<&str>) -> String {
    let files = files.map(|origin| format!(" {origin}")).unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
         connect-src 'self'{files}; img-src 'self' data:{files}; object-src 'none'; \
         base-uri 'none'; frame-ancestors 'none'"
    )
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
    features: Features,
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
        build_app(
            aw::Data::new(state.for_worker(pool, per_worker)),
            features.clone(),
        )
    })
    .workers(workers)
    .listen(listener)?
    .shutdown_timeout(30)
    .run()
    .await
}

#[cfg(test)]
mod module_graph_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod web_tests;
