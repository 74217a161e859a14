//! The one application error type and the one place it becomes an HTTP response:
//! RFC 9457 `application/problem+json` with a stable `type`, the failing field and the
//! request id.

use std::borrow::Cow;
use std::fmt;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use serde_json::Value;

use super::request_id;

/// An error a handler returns. Built with the constructors below; `type` is
/// `urn:trellis:problem:<kind>`, stable across releases and documented in `docs/API.md`.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    kind: &'static str,
    title: &'static str,
    detail: Cow<'static, str>,
    field: Option<Cow<'static, str>>,
    /// Rarely present, so boxed: keeps `Result<T, ApiError>` small.
    extra: Option<Box<Extra>>,
}

#[derive(Debug, Default)]
struct Extra {
    extensions: serde_json::Map<String, Value>,
    headers: Vec<(&'static str, String)>,
}

/// The serialised problem document.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// Stable identifier of the problem kind, e.g. `urn:trellis:problem:validation`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: &'static str,
    pub status: u16,
    pub detail: String,
    /// The request field (JSON pointer-ish dotted path, query or header name) at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The request id, also in the `X-Request-Id` response header and the logs.
    pub request_id: String,
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub extensions: Option<serde_json::Map<String, Value>>,
}

impl ApiError {
    fn new(
        status: StatusCode,
        kind: &'static str,
        title: &'static str,
        detail: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self {
            status,
            kind,
            title,
            detail: detail.into(),
            field: None,
            extra: None,
        }
    }

    /// Adds a response header (`Retry-After`, say).
    pub fn with_header(mut self, name: &'static str, value: impl ToString) -> Self {
        self.extra
            .get_or_insert_with(Default::default)
            .headers
            .push((name, value.to_string()));
        self
    }

    /// Attaches the field at fault.
    pub fn with_field(mut self, field: impl Into<Cow<'static, str>>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// Attaches a problem extension member.
    pub fn with_extension(mut self, key: &str, value: Value) -> Self {
        self.extra
            .get_or_insert_with(Default::default)
            .extensions
            .insert(key.to_owned(), value);
        self
    }

    /// A problem extension member attached with [`ApiError::with_extension`].
    pub fn extension(&self, key: &str) -> Option<&Value> {
        self.extra.as_ref()?.extensions.get(key)
    }

    /// A field failed validation (422).
    pub fn validation(
        field: impl Into<Cow<'static, str>>,
        detail: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
            "Invalid field",
            detail,
        )
        .with_field(field)
    }

    /// The request is well-formed but would break a rule of its own kind (422), e.g.
    /// `workflow-invariant`.
    pub fn unprocessable(kind: &'static str, detail: impl Into<Cow<'static, str>>) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            kind,
            "Unprocessable request",
            detail,
        )
    }

    /// The request could not be read: malformed JSON, wrong types, bad encoding (400).
    pub fn bad_request(kind: &'static str, detail: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, kind, "Bad request", detail)
    }

    /// Missing or invalid credentials (401).
    pub fn unauthenticated(detail: &'static str) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "Authentication required",
            detail,
        )
    }

    /// Authenticated, but the role lacks the permission (403).
    pub fn forbidden(detail: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", "Forbidden", detail)
    }

    /// Refused for a reason of its own kind (403), e.g. `csrf`, `last-owner`.
    pub fn forbidden_as(kind: &'static str, detail: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::FORBIDDEN, kind, "Forbidden", detail)
    }

    /// Not there, or not visible to the caller: the two are indistinguishable (404).
    pub fn not_found(what: &'static str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "Not found",
            format!("{what} not found"),
        )
    }

    /// The route exists but not with this method (405).
    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method-not-allowed",
            "Method not allowed",
            "this route does not support the request method; see /api/v1/openapi.json",
        )
    }

    /// The organization's plan or billing state does not allow this (402): a limit is
    /// reached, or the organization is read-only for non-payment.
    pub fn payment_required(kind: &'static str, detail: impl Into<Cow<'static, str>>) -> Self {
        Self::new(
            StatusCode::PAYMENT_REQUIRED,
            kind,
            "Payment required",
            detail,
        )
    }

    /// The request conflicts with the current state (409).
    pub fn conflict(kind: &'static str, detail: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::CONFLICT, kind, "Conflict", detail)
    }

    /// `If-Match` named a version that is no longer current (412).
    pub fn precondition_failed(current_version: i32) -> Self {
        Self::new(
            StatusCode::PRECONDITION_FAILED,
            "stale-version",
            "Precondition failed",
            "the resource changed since you read it; re-read it and retry with the new ETag",
        )
        .with_field("If-Match")
        .with_extension("current_version", current_version.into())
    }

    /// The body is larger than the configured limit (413).
    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload-too-large",
            "Payload too large",
            format!("the request body exceeds {limit} bytes"),
        )
        .with_extension("limit", limit.into())
    }

    /// The body is not `application/json` (415).
    pub fn unsupported_media_type() -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Unsupported media type",
            "send the body as application/json",
        )
        .with_field("Content-Type")
    }

    /// The body is not of the media type a route takes, e.g. `text/csv` (415).
    pub fn unsupported_media_type_for(wanted: &str) -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Unsupported media type",
            format!("send the body as {wanted}"),
        )
        .with_field("Content-Type")
    }

    /// Something failed on our side (500). The cause is logged, never sent.
    pub fn internal(cause: impl fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal server error",
            "an unexpected error occurred; quote the request id when reporting it",
        )
    }

    /// A dependency (database, Redis) is unavailable (503).
    pub fn unavailable(detail: &'static str) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "Service unavailable",
            detail,
        )
    }

    /// Over a request budget (429). The caller adds `Retry-After` and `RateLimit-*`.
    pub fn too_many_requests(detail: &'static str) -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate-limited",
            "Too many requests",
            detail,
        )
    }

    /// An upstream service (GitHub) failed or answered nonsense (502).
    pub fn bad_gateway(detail: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::BAD_GATEWAY, "upstream", "Bad gateway", detail)
    }

    /// The problem `type` member.
    pub fn kind(&self) -> &'static str {
        self.kind
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The problem `detail` member.
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// The field at fault, if any.
    pub fn field(&self) -> Option<&str> {
        self.field.as_deref()
    }

    fn problem(&self) -> Problem {
        Problem {
            kind: format!("urn:trellis:problem:{}", self.kind),
            title: self.title,
            status: self.status.as_u16(),
            detail: self.detail.to_string(),
            field: self.field.as_ref().map(|f| f.to_string()),
            request_id: request_id::current().unwrap_or_default(),
            extensions: self
                .extra
                .as_ref()
                .filter(|e| !e.extensions.is_empty())
                .map(|e| e.extensions.clone()),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.status, self.kind, self.detail)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        response.content_type("application/problem+json");
        for (name, value) in self.extra.iter().flat_map(|e| &e.headers) {
            response.insert_header((*name, value.as_str()));
        }
        response.json(self.problem())
    }
}

impl ApiError {
    /// Maps a unique-constraint violation to `conflict` (say, "that name is taken") and
    /// any other database error as usual.
    pub fn unique_as(e: diesel::result::Error, conflict: ApiError) -> ApiError {
        match e {
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            ) => conflict,
            other => other.into(),
        }
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind as K, Error as E};
        match e {
            E::NotFound => ApiError::not_found("resource"),
            E::DatabaseError(K::UniqueViolation, info) => ApiError::conflict(
                "already-exists",
                "a resource with this identifier already exists",
            )
            .with_extension(
                "constraint",
                info.constraint_name().unwrap_or_default().into(),
            ),
            // Input is validated before it reaches the database; a constraint failing here
            // is still the caller's input, so it stays a 4xx.
            E::DatabaseError(K::CheckViolation, info) => ApiError::validation(
                info.column_name().unwrap_or("body").to_owned(),
                "a value is out of range",
            ),
            E::DatabaseError(K::ForeignKeyViolation, _) => {
                ApiError::conflict("reference", "a referenced resource does not exist")
            }
            other => ApiError::internal(other),
        }
    }
}

impl From<tenancy::Forbidden> for ApiError {
    fn from(e: tenancy::Forbidden) -> Self {
        ApiError::forbidden(e.to_string())
    }
}

impl From<bb8::RunError<diesel_async::pooled_connection::PoolError>> for ApiError {
    fn from(e: bb8::RunError<diesel_async::pooled_connection::PoolError>) -> Self {
        tracing::error!(error = %e, "database pool");
        ApiError::unavailable("the database is not reachable; retry shortly")
    }
}

impl From<tenancy::InvitationError> for ApiError {
    fn from(e: tenancy::InvitationError) -> Self {
        use tenancy::InvitationError as E;
        match e {
            E::NotFound => ApiError::not_found("invitation"),
            E::Closed => ApiError::conflict("invitation-closed", e.to_string()),
            E::Expired => ApiError::conflict("invitation-expired", e.to_string()),
            E::AlreadyMember => ApiError::conflict("already-member", e.to_string()),
            E::Database(db) => db.into(),
        }
    }
}
