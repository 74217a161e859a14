//! Files attached to tickets. The bytes never pass through the API: a client asks for
//! an upload (`POST .../tickets/{key}/attachments` with name, size and type), `PUT`s
//! the file to the presigned URL it gets back (S3's, or this binary's in local mode),
//! then confirms; the server checks the stored object (`HEAD`: size and type) before
//! the attachment exists for anyone else. Downloads are presigned `GET`s that force
//! `Content-Disposition: attachment` and a content type that cannot render as a page.
//!
//! ```text
//! POST .../attachments        -> pending row (holds its size of the plan's storage),
//!                                presigned PUT {url, headers, expires_at}
//! PUT  <url>                  -> the object store (S3, or /api/v1/files/{token})
//! POST .../{id}/confirm       -> HEAD the object; size and type must match: confirmed
//! GET  .../{id}/download      -> 302 to a presigned GET (attachment, safe type)
//! DELETE .../{id}             -> deleted row; the object is removed now, or retried
//!                                by the janitor until it is gone
//! ```
//!
//! Object keys are `{prefix}{org_id}/{ticket_id}/{attachment_id}`, built from the row
//! the caller's scope found, never from input.

pub(crate) mod janitor;
pub(crate) mod local;
pub(crate) mod queries;
pub(crate) mod routes;
pub(crate) mod s3;
pub mod storage;

#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::http::ApiError;
use crate::ids::TicketId;
use crate::refs::UserRef;

pub use crate::ids::AttachmentId;
pub use storage::AttachmentStore;

/// Whether the file has been checked yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AttachmentState {
    /// Upload URL handed out; not visible to others until confirmed.
    Pending,
    /// Checked against the stored object; listed and downloadable.
    Confirmed,
    /// Deleted; its object is removed from storage (retried until it is).
    Deleted,
}

impl AttachmentState {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Confirmed => "confirmed",
            Self::Deleted => "deleted",
        }
    }

    pub(crate) fn from_db(s: &str) -> Self {
        match s {
            "confirmed" => Self::Confirmed,
            "deleted" => Self::Deleted,
            _ => Self::Pending,
        }
    }
}

/// An attachment as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Attachment {
    pub id: AttachmentId,
    #[schema(value_type = String)]
    pub ticket_id: TicketId,
    /// The name it downloads as.
    pub file_name: String,
    /// In bytes.
    pub size: u64,
    /// As declared at upload and checked at confirmation.
    pub content_type: String,
    pub state: AttachmentState,
    pub uploaded_by: UserRef,
    pub created_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
    /// Until when a pending upload may be confirmed.
    pub confirm_by: DateTime<Utc>,
    #[serde(skip)]
    pub(crate) object_key: String,
}

/// `POST .../tickets/{key}/attachments` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUpload {
    /// The name it downloads as: 1 to 255 characters, no `/`, `\` or control
    /// characters.
    pub file_name: String,
    /// Exact size in bytes; the upload must be this long.
    pub size: i64,
    /// A MIME type such as `image/png` (no parameters); the upload must send it as
    /// `Content-Type`.
    pub content_type: String,
}

/// A checked [`NewUpload`].
#[derive(Debug, Clone)]
pub(crate) struct UploadRequest {
    pub file_name: String,
    pub size: u64,
    pub content_type: String,
}

const FILE_NAME_MAX: usize = 255;
const CONTENT_TYPE_MAX: usize = 127;

impl NewUpload {
    /// Checks every field; `max_bytes` is the per-file limit.
    pub(crate) fn validate(&self, max_bytes: u64) -> Result<UploadRequest, ApiError> {
        let file_name = file_name("file_name", &self.file_name)?;
        let size = u64::try_from(self.size)
            .ok()
            .filter(|s| *s <= max_bytes)
            .ok_or_else(|| {
                ApiError::validation(
                    "size",
                    format!(
                        "must be between 0 and {max_bytes} bytes (this server's limit per file)"
                    ),
                )
                .with_extension("max_size", max_bytes.into())
            })?;
        let content_type = content_type("content_type", &self.content_type)?;
        Ok(UploadRequest {
            file_name,
            size,
            content_type,
        })
    }
}

/// A file name people can download safely: trimmed, 1 to 255 characters, no path
/// separators, no control characters (line breaks, NUL, ...), no bidirectional
/// overrides (which make `cod.exe` display as `exe.doc`), and not `.` or `..`.
pub(crate) fn file_name(field: &'static str, raw: &str) -> Result<String, ApiError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(ApiError::validation(field, "must not be empty"));
    }
    let chars = name.chars().count();
    if chars > FILE_NAME_MAX {
        return Err(ApiError::validation(
            field,
            format!("must be at most {FILE_NAME_MAX} characters (got {chars})"),
        )
        .with_extension("max_length", FILE_NAME_MAX.into()));
    }
    if name.contains(['/', '\\']) {
        return Err(ApiError::validation(
            field,
            "must be a file name, without `/` or `\\`",
        ));
    }
    if name.chars().any(|c| c.is_control() || is_bidi_control(c)) {
        return Err(ApiError::validation(
            field,
            "must not contain control characters",
        ));
    }
    if name == "." || name == ".." {
        return Err(ApiError::validation(field, "must be a file name"));
    }
    Ok(name.to_owned())
}

/// Unicode's explicit directional formatting characters.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `type/subtype` of RFC 9110 tokens, lower-cased; no parameters (the upload must send
/// exactly this header value, and the signature binds it).
pub(crate) fn content_type(field: &'static str, raw: &str) -> Result<String, ApiError> {
    let value = raw.trim().to_ascii_lowercase();
    let token = |s: &str| {
        !s.is_empty()
            && s.bytes().all(|b| {
                b.is_ascii_alphanumeric()
                    || matches!(
                        b,
                        b'!' | b'#' | b'$' | b'&' | b'-' | b'^' | b'_' | b'.' | b'+'
                    )
            })
    };
    let valid = value.len() <= CONTENT_TYPE_MAX
        && value
            .split_once('/')
            .is_some_and(|(kind, sub)| token(kind) && token(sub));
    if !valid {
        return Err(ApiError::validation(
            field,
            "must be a MIME type such as `image/png` or `application/octet-stream`, without parameters",
        ));
    }
    Ok(value)
}

/// Types a browser shows or plays without running anything of the file's on the
/// origin serving it. Anything else (HTML, SVG, XML, JavaScript, unknown types) is
/// served as `application/octet-stream`; every download is also
/// `Content-Disposition: attachment`.
const INERT_TYPES: &[&str] = &[
    "application/gzip",
    "application/json",
    "application/msword",
    "application/pdf",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.oasis.opendocument.presentation",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/x-7z-compressed",
    "application/x-tar",
    "application/zip",
    "audio/mpeg",
    "audio/ogg",
    "audio/wav",
    "image/avif",
    "image/gif",
    "image/jpeg",
    "image/png",
    "image/webp",
    "text/csv",
    "text/plain",
    "video/mp4",
    "video/quicktime",
    "video/webm",
];

/// The content type a download is served with.
pub(crate) fn served_content_type(declared: &str) -> &str {
    if INERT_TYPES.contains(&declared) {
        declared
    } else {
        "application/octet-stream"
    }
}

/// `attachment; filename="..."; filename*=UTF-8''...` (RFC 6266): an ASCII fallback
/// with anything outside plain printable ASCII replaced, and the exact name
/// percent-encoded.
pub(crate) fn content_disposition(file_name: &str) -> String {
    let fallback: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' && c != '%' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::with_capacity(file_name.len() * 3);
    for b in file_name.bytes() {
        // RFC 5987 attr-char.
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// What the client does with its upload URL.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UploadInstructions {
    /// `PUT`.
    pub method: String,
    /// Presigned: no other credentials go with it.
    pub url: String,
    /// Headers to send exactly as given (the signature covers them). The body must be
    /// exactly `size` bytes.
    #[schema(value_type = Object)]
    pub headers: std::collections::BTreeMap<String, String>,
    pub expires_at: DateTime<Utc>,
}

/// `POST .../attachments` answer: the pending attachment and where to upload it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PendingUpload {
    pub attachment: Attachment,
    pub upload: UploadInstructions,
}

/// A presigned download.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DownloadLink {
    pub url: String,
    pub expires_at: DateTime<Utc>,
}

#[cfg(test)]
mod unit_tests {
    use super::*;

    #[test]
    fn file_names_refuse_separators_controls_and_overrides_naming_the_field() {
        assert_eq!(
            file_name("file_name", "  report 2026.pdf ").ok().as_deref(),
            Some("report 2026.pdf")
        );
        assert!(file_name("file_name", "résumé.pdf").is_ok());
        for bad in [
            "",
            "   ",
            "../etc/passwd",
            "a\\b",
            "a\nb",
            "a\0b",
            "a\u{7f}b",
            "a\u{202e}fdp.exe",
            "..",
            &"x".repeat(256),
        ] {
            let err = file_name("file_name", bad).expect_err(bad);
            assert_eq!(err.kind(), "validation", "{bad:?}");
        }
    }

    #[test]
    fn content_types_are_bare_mime_types() {
        assert_eq!(
            content_type("content_type", "Image/PNG").ok().as_deref(),
            Some("image/png")
        );
        for bad in [
            "png",
            "text/html; charset=utf-8",
            "a/b/c",
            "/x",
            "te xt/plain",
            "",
        ] {
            assert!(content_type("content_type", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn active_content_is_served_as_octet_stream() {
        for active in [
            "text/html",
            "image/svg+xml",
            "application/xhtml+xml",
            "text/xml",
            "application/xml",
            "application/javascript",
            "text/javascript",
            "application/x-shockwave-flash",
            "application/octet-stream",
        ] {
            assert_eq!(served_content_type(active), "application/octet-stream");
        }
        assert_eq!(served_content_type("image/png"), "image/png");
        assert_eq!(served_content_type("application/pdf"), "application/pdf");
    }

    #[test]
    fn content_disposition_quotes_safely_and_keeps_the_exact_name() {
        assert_eq!(
            content_disposition("plan \"v2\".pdf"),
            "attachment; filename=\"plan _v2_.pdf\"; filename*=UTF-8''plan%20%22v2%22.pdf"
        );
        assert_eq!(
            content_disposition("é.txt"),
            "attachment; filename=\"_.txt\"; filename*=UTF-8''%C3%A9.txt"
        );
    }
}
