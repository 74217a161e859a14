//! Prometheus metrics: HTTP requests by method, route template and status (never by
//! org or user: unbounded label values would swamp Prometheus), plus pool gauges
//! refreshed at scrape time.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, web};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
    TextEncoder,
};

use super::AppState;

/// The process's metrics and the registry they live in.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    duration: HistogramVec,
    db_connections: IntGaugeVec,
    db_max_connections: IntGauge,
    redis_connections: IntGaugeVec,
    stripe_webhook_events: IntCounterVec,
    entitlement_refusals: IntCounterVec,
}

impl Metrics {
    /// Registers every metric. Registration of fresh metrics in a fresh registry cannot
    /// collide, so failures here are programming errors caught by the tests.
    pub fn new() -> anyhow::Result<Self> {
        let registry = Registry::new();
        let labels = &["method", "route", "status"];
        let requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests handled, by method, route template and status.",
            ),
            labels,
        )?;
        let duration = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "Time from receiving a request to producing its response, by method, route template and status.",
            )
            .buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ]),
            labels,
        )?;
        let db_connections = IntGaugeVec::new(
            Opts::new(
                "trellis_db_pool_connections",
                "PostgreSQL pool connections by state (idle, in_use).",
            ),
            &["state"],
        )?;
        let db_max_connections = IntGauge::new(
            "trellis_db_pool_max_connections",
            "Configured maximum size of the PostgreSQL pool.",
        )?;
        let redis_connections = IntGaugeVec::new(
            Opts::new(
                "trellis_redis_pool_connections",
                "Redis pool connections by state (idle, in_use).",
            ),
            &["state"],
        )?;
        let stripe_webhook_events = IntCounterVec::new(
            Opts::new(
                "stripe_webhook_events_total",
                "Verified Stripe webhook events, by event type and outcome (applied, duplicate, stale, ignored, unmatched, rejected, failed).",
            ),
            &["type", "outcome"],
        )?;
        let entitlement_refusals = IntCounterVec::new(
            Opts::new(
                "entitlement_refusals_total",
                "Requests refused for a plan limit (402), by limit kind (seats, projects, storage, read_only).",
            ),
            &["kind"],
        )?;
        registry.register(Box::new(stripe_webhook_events.clone()))?;
        registry.register(Box::new(entitlement_refusals.clone()))?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(duration.clone()))?;
        registry.register(Box::new(db_connections.clone()))?;
        registry.register(Box::new(db_max_connections.clone()))?;
        registry.register(Box::new(redis_connections.clone()))?;
        Ok(Self {
            registry,
            requests,
            duration,
            db_connections,
            db_max_connections,
            redis_connections,
            stripe_webhook_events,
            entitlement_refusals,
        })
    }

    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let status = status.to_string();
        let labels = [method, route, status.as_str()];
        self.requests.with_label_values(&labels).inc();
        self.duration.with_label_values(&labels).observe(seconds);
    }

    /// Counts a verified Stripe event. `kind` is one of the types billing handles or
    /// `other`, so the label stays bounded.
    pub fn stripe_webhook_event(&self, kind: &str, outcome: &str) {
        self.stripe_webhook_events
            .with_label_values(&[kind, outcome])
            .inc();
    }

    /// Counts a request refused for a plan limit or read-only mode.
    pub fn entitlement_refusal(&self, kind: &str) {
        self.entitlement_refusals.with_label_values(&[kind]).inc();
    }
}

/// Records every request under its route template (`/api/v1/orgs/{org}/tickets/{key}`),
/// or `unmatched` for paths no route serves.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().as_str().to_owned();
    let route = req
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let res = next.call(req).await?;
    if let Some(state) = state {
        state.metrics.observe(
            &method,
            &route,
            res.status().as_u16(),
            started.elapsed().as_secs_f64(),
        );
    }
    Ok(res)
}

/// `GET /metrics`: the Prometheus text exposition format.
pub async fn scrape(state: web::Data<AppState>) -> HttpResponse {
    let m = &state.metrics;
    let (mut idle, mut in_use, mut max) = (0i64, 0i64, 0i64);
    for (pool, size) in state.serving_pools() {
        let s = pool.state();
        idle += i64::from(s.idle_connections);
        in_use += i64::from(s.connections.saturating_sub(s.idle_connections));
        max += i64::from(size);
    }
    m.db_connections.with_label_values(&["idle"]).set(idle);
    m.db_connections.with_label_values(&["in_use"]).set(in_use);
    m.db_max_connections.set(max);
    let redis = state.redis.state();
    m.redis_connections
        .with_label_values(&["idle"])
        .set(i64::from(redis.idle_connections));
    m.redis_connections
        .with_label_values(&["in_use"])
        .set(i64::from(
            redis.connections.saturating_sub(redis.idle_connections),
        ));
    let mut body = Vec::new();
    if let Err(e) = TextEncoder::new().encode(&m.registry.gather(), &mut body) {
        tracing::error!(error = %e, "encoding metrics");
        return HttpResponse::InternalServerError().finish();
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(body)
}
