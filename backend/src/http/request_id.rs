//! Request ids: taken from a well-formed incoming `X-Request-Id` or minted (UUIDv7),
//! echoed in the response header, attached to the request's tracing span, to every
//! problem document and to audit entries.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use tracing::Instrument;

pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");

#[derive(Clone)]
struct RequestContext {
    id: String,
    ip: Option<String>,
}

tokio::task_local! {
    static CONTEXT: RequestContext;
}

/// The id of the request being handled, if called while handling one.
pub fn current() -> Option<String> {
    CONTEXT.try_with(|c| c.id.clone()).ok()
}

/// The peer address of the request being handled, for audit entries.
pub fn current_ip() -> Option<String> {
    CONTEXT.try_with(|c| c.ip.clone()).ok().flatten()
}

fn acceptable(id: &str) -> bool {
    // Client-chosen ids end up in logs: keep them short and boring.
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Outermost middleware: request id, span, access log line.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req
        .headers()
        .get(&HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| acceptable(v))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    // The direct peer: behind the ALB the operator's proxy settings decide trust, so
    // forwarded headers are not believed here.
    let ip = req.peer_addr().map(|a| a.ip().to_string());
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        method = %req.method(),
        path = %req.path(),
    );
    let started = Instant::now();
    let context = RequestContext { id: id.clone(), ip };
    let result = CONTEXT
        .scope(context, next.call(req).instrument(span.clone()))
        .await;
    let mut res = result?;
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(HEADER, value);
    }
    span.in_scope(|| {
        tracing::info!(
            status = res.status().as_u16(),
            elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
            "request finished"
        );
    });
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::acceptable;

    #[test]
    fn incoming_ids_are_accepted_only_when_short_and_plain() {
        assert!(acceptable("0193a5b2-7c1e-7d3f-9a4b-123456789abc"));
        assert!(acceptable("req_42.a"));
        assert!(!acceptable(""));
        assert!(!acceptable(&"a".repeat(65)));
        assert!(!acceptable("evil\nlog line"));
        assert!(!acceptable("<script>"));
    }
}
