//! Liveness and readiness probes.

use actix_web::{HttpResponse, web};
use serde_json::json;

use super::AppState;

/// `GET /healthz`: the process is up and serving.
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// `GET /readyz`: PostgreSQL and Redis answer. 503 (listing which failed) otherwise,
/// so the load balancer routes around an instance that cannot serve.
pub async fn ready(state: web::Data<AppState>) -> HttpResponse {
    let database = crate::db::ping(&state.db).await;
    let redis = redis_ping(&state).await;
    let body = json!({
        "status": if database && redis { "ok" } else { "unavailable" },
        "checks": { "database": database, "redis": redis },
    });
    if database && redis {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

async fn redis_ping(state: &AppState) -> bool {
    let Ok(mut conn) = state.redis.get().await else {
        return false;
    };
    let pong: Result<String, _> = redis::cmd("PING").query_async(&mut *conn).await;
    pong.is_ok_and(|p| p == "PONG")
}
