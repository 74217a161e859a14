//! CSRF defence for cookie sessions, on every unsafe method (bearer tokens are exempt:
//! a browser never attaches them by itself):
//! 1. `Origin` (or, failing that, `Referer`) must be one of the allowed origins;
//! 2. `X-CSRF-Token` must equal the `trellis_csrf` cookie (double submit), and that
//!    value must be the one this session was issued (so a cookie planted from a
//!    sibling subdomain does not pass).

use actix_web::HttpRequest;
use subtle::ConstantTimeEq;

use super::session::{CSRF_COOKIE, CSRF_HEADER, SessionKeys};
use crate::config::origin_of;
use crate::http::ApiError;

/// Whether a method changes state (and so needs the checks).
pub fn is_unsafe(method: &actix_web::http::Method) -> bool {
    !matches!(method.as_str(), "GET" | "HEAD" | "OPTIONS")
}

/// Checks the origin and the double-submitted token of session `sid`.
pub fn check(
    req: &HttpRequest,
    keys: &SessionKeys,
    allowed_origins: &[String],
    sid: uuid::Uuid,
) -> Result<(), ApiError> {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    let origin = header("Origin")
        .map(str::to_owned)
        .or_else(|| header("Referer").map(origin_of));
    match origin {
        Some(origin) if allowed_origins.contains(&origin) => {}
        Some(_) => {
            return Err(ApiError::forbidden_as(
                "csrf",
                "this origin may not send requests with the session cookie",
            )
            .with_field("Origin"));
        }
        None => {
            return Err(ApiError::forbidden_as(
                "csrf",
                "a cookie-authenticated change needs an Origin header",
            )
            .with_field("Origin"));
        }
    }
    let sent = header(CSRF_HEADER).unwrap_or_default();
    let cookie = req.cookie(CSRF_COOKIE);
    let expected = keys.csrf_token(sid);
    let matches = !sent.is_empty()
        && cookie
            .as_ref()
            .is_some_and(|c| bool::from(c.value().as_bytes().ct_eq(sent.as_bytes())))
        && bool::from(expected.as_bytes().ct_eq(sent.as_bytes()));
    if matches {
        Ok(())
    } else {
        Err(ApiError::forbidden_as(
            "csrf",
            "send the trellis_csrf cookie's value in the X-CSRF-Token header",
        )
        .with_field(CSRF_HEADER))
    }
}
