//! Request extractors that fail with problem+json: JSON bodies (size limit, content
//! type, the path of the failing field), `If-Match`, and the config that routes
//! actix's own path and query errors through [`ApiError`].

use std::ops::Deref;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::StreamExt;
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use super::{ApiError, AppState};

/// A JSON request body, read up to `TRELLIS_MAX_BODY_BYTES` and deserialised with the
/// path of the failing field (`labels[3]`) reported on error. It keeps the SHA-256 of
/// the bytes as sent, which `Idempotency-Key` compares.
pub struct JsonBody<T>(pub T, BodyDigest);

/// The SHA-256 of a request body's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BodyDigest(pub [u8; 32]);

impl BodyDigest {
    /// The digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        use sha2::Digest;
        BodyDigest(sha2::Sha256::digest(bytes).into())
    }
}

impl<T> JsonBody<T> {
    /// The digest of the body as sent.
    pub fn digest(&self) -> BodyDigest {
        self.1
    }
}

impl<T> Deref for JsonBody<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req
            .app_data::<web::Data<AppState>>()
            .map_or(1 << 20, |s| s.config.max_body_bytes);
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|mime| {
                let mime = mime.trim().to_ascii_lowercase();
                mime == "application/json" || mime.ends_with("+json")
            });
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if !is_json {
                return Err(ApiError::unsupported_media_type());
            }
            if declared.is_some_and(|n| n > limit) {
                return Err(ApiError::payload_too_large(limit));
            }
            let mut body = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|_| {
                    ApiError::bad_request("unreadable-body", "the request body could not be read")
                })?;
                if body.len() + chunk.len() > limit {
                    return Err(ApiError::payload_too_large(limit));
                }
                body.extend_from_slice(&chunk);
            }
            let digest = BodyDigest::of(&body);
            parse(&body).map(|value| JsonBody(value, digest))
        })
    }
}

fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    // Syntax first, so a truncated body is "malformed" whatever fields came before the
    // cut; then the typed pass, which names the path of the field at fault.
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request("malformed-json", format!("the body is not valid JSON: {e}"))
    })?;
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." { "body".to_owned() } else { path };
        ApiError::validation(field, e.into_inner().to_string())
    })
}

/// serde_json appends " at line L column C", which is noise once we name the field.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// The `If-Match` precondition of a write. Absent means "write unconditionally".
pub struct IfMatch(Option<String>);

impl IfMatch {
    /// No precondition (for internal callers such as the demo seed).
    pub fn any() -> Self {
        IfMatch(None)
    }

    /// Fails with 412 unless the header is absent, `*`, or lists `"{current}"`.
    pub fn check(&self, current: i32) -> Result<(), ApiError> {
        let Some(value) = &self.0 else {
            return Ok(());
        };
        let wanted = super::etag(current);
        let matches = value
            .split(',')
            .map(str::trim)
            .any(|tag| tag == "*" || tag == wanted);
        if matches {
            Ok(())
        } else {
            Err(ApiError::precondition_failed(current))
        }
    }
}

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let value = req
            .headers()
            .get(header::IF_MATCH)
            .map(|v| v.to_str().map(str::to_owned));
        std::future::ready(match value {
            None => Ok(IfMatch(None)),
            Some(Ok(v)) => Ok(IfMatch(Some(v))),
            Some(Err(_)) => Err(
                ApiError::bad_request("bad-header", "If-Match is not valid text")
                    .with_field("If-Match"),
            ),
        })
    }
}

/// Makes actix's path and query extractors answer with problem+json.
pub fn configure_errors(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::QueryConfig::default().error_handler(|err, _| {
        ApiError::validation("query", strip_position(&err.to_string())).into()
    }))
    .app_data(
        web::PathConfig::default()
            .error_handler(|err, _| ApiError::validation("path", err.to_string()).into()),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        title: String,
        labels: Vec<String>,
    }

    #[test]
    fn the_failing_field_is_named() {
        let err = parse::<Body>(br#"{"title": "x", "labels": ["a", 3]}"#).unwrap_err();
        assert_eq!(err.kind(), "validation");
        assert!(format!("{err:?}").contains("labels[1]"), "{err:?}");
    }

    #[test]
    fn malformed_json_and_invalid_utf8_are_bad_requests() {
        assert_eq!(parse::<Body>(b"{").unwrap_err().kind(), "malformed-json");
        assert_eq!(
            parse::<Body>(b"{\"title\": \"\xff\", \"labels\": []}")
                .unwrap_err()
                .kind(),
            "malformed-json"
        );
        assert_eq!(
            parse::<Body>(b"{\"title\": \"a\", \"labels\": []} x")
                .unwrap_err()
                .kind(),
            "malformed-json"
        );
    }

    #[test]
    fn if_match_accepts_the_current_tag_or_star_only() {
        assert!(IfMatch(None).check(3).is_ok());
        assert!(IfMatch(Some("\"3\"".into())).check(3).is_ok());
        assert!(IfMatch(Some("\"1\", \"3\"".into())).check(3).is_ok());
        assert!(IfMatch(Some("*".into())).check(3).is_ok());
        assert!(IfMatch(Some("\"2\"".into())).check(3).is_err());
        assert!(IfMatch(Some("W/\"3\"".into())).check(3).is_err());
    }
}
