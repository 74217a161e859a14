//! `POST /api/v1/orgs/{org}/projects/{project}/import`: a Jira CSV export as the
//! request body (`Content-Type: text/csv`), options in the query string.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;
use sha2::Digest;
use tenancy::Permission;

use super::{ImportOptions, ImportReport, queries};
use crate::auth::Caller;
use crate::http::error::Problem;
use crate::http::{ApiError, AppState, BodyDigest, Idempotency, Reply};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/projects/{project}/import", web::post().to(import_csv));
}

/// Imports a Jira Cloud CSV export into the project (or checks it: `dry_run`). The
/// body is the file itself, `Content-Type: text/csv`, at most
/// `TRELLIS_IMPORT_MAX_BYTES` (413 beyond). Query parameters: `dry_run`,
/// `unknown_users` (`unassign` or `refuse`), and any number of mappings
/// `user:JIRA USER=LOGIN` and `status:JIRA STATUS=OUR STATUS`. Rows with errors make
/// the whole import a 422 `import-invalid` with the report (nothing written); rows
/// imported before are skipped. Honours `Idempotency-Key` (the fingerprint covers the
/// query and the SHA-256 of the body).
#[utoipa::path(
    post, path = "/api/v1/orgs/{org}/projects/{project}/import", tag = "projects",
    params(("org" = String, Path, description = "Organization slug"),
           ("project" = String, Path, description = "Project key, e.g. WEB"),
           ("dry_run" = Option<bool>, Query, description = "Check every row and report; write nothing"),
           ("unknown_users" = Option<String>, Query, description = "`unassign` (default: no assignee, the importer as reporter) or `refuse` (a row error)"),
           ("Idempotency-Key" = Option<String>, Header, description = "Replays the first response of a retried request (24 h)")),
    request_body(content = String, content_type = "text/csv", description = "The Jira CSV export"),
    responses((status = 200, description = "Imported (or checked, for a dry run)", body = ImportReport),
              (status = 402, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, description = "The project is archived, or a concurrent import of the same keys won", body = Problem),
              (status = 413, description = "The file exceeds TRELLIS_IMPORT_MAX_BYTES", body = Problem),
              (status = 415, body = Problem),
              (status = 422, description = "Bad options, an unreadable file, or rows with errors (`import-invalid`, the report in `report`)", body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn import_csv(
    mut caller: Caller,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    idempotency: Idempotency,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    caller.scope.require(Permission::TicketsCreate)?;
    let pairs = web::Query::<Vec<(String, String)>>::from_query(req.query_string())
        .map_err(|_| ApiError::bad_request("bad-query", "the query string cannot be read"))?;
    let options = ImportOptions::from_pairs(pairs.into_inner())?;
    let is_csv = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("text/csv"));
    if !is_csv {
        return Err(ApiError::unsupported_media_type_for("text/csv"));
    }
    let (file, digest) = read_body(&req, payload, state.config.import_max_bytes).await?;
    let project = path.into_inner().1;
    let reply = caller
        .tx(Permission::TicketsCreate, async move |tx| {
            idempotency
                .run(tx, digest, async move |tx| {
                    let report = queries::import(tx, &project, &options, &file[..]).await?;
                    Reply::json(StatusCode::OK, &report)
                })
                .await
        })
        .await?;
    Ok(reply.into_response())
}

/// Reads the body up to `limit` bytes (413 beyond, before reading when the declared
/// length says so), hashing it with SHA-256 as it streams in: the digest is the
/// body's part of the `Idempotency-Key` fingerprint.
async fn read_body(
    req: &HttpRequest,
    mut payload: web::Payload,
    limit: usize,
) -> Result<(web::Bytes, BodyDigest), ApiError> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(ApiError::payload_too_large(limit));
    }
    let mut body = web::BytesMut::with_capacity(declared.unwrap_or(0).min(limit));
    let mut hash = sha2::Sha256::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| {
            ApiError::bad_request("unreadable-body", "the request body could not be read")
        })?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::payload_too_large(limit));
        }
        hash.update(&chunk);
        body.extend_from_slice(&chunk);
    }
    Ok((body.freeze(), BodyDigest(hash.finalize().into())))
}
