//! `/api/v1/orgs/{org}/tickets/{key}/attachments...`, and local mode's signed file
//! URLs `/api/v1/files/{grant}`.
//!
//! Storage calls (presigning, `HEAD`, `DELETE`) happen between transactions, never
//! inside one.

use std::time::SystemTime;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use tenancy::Permission;

use super::local::{GrantError, UploadError};
use super::storage::{
    AttachmentStore, DOWNLOAD_TTL, DownloadSpec, StorageError, UPLOAD_TTL, UploadSpec,
};
use super::{
    Attachment, AttachmentId, AttachmentState, DownloadLink, NewUpload, PendingUpload,
    UploadInstructions, content_disposition, janitor, queries, served_content_type,
};
use crate::auth::Caller;
use crate::http::error::Problem;
use crate::http::{ApiError, AppState, Idempotency, JsonBody, Page, PageParams, Reply};
use crate::tickets::{TicketKey, find_id_by_key};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/tickets/{key}/attachments")
            .route(web::post().to(create_upload))
            .route(web::get().to(list_attachments)),
    )
    .route(
        "/tickets/{key}/attachments/{attachment}/confirm",
        web::post().to(confirm_upload),
    )
    .route(
        "/tickets/{key}/attachments/{attachment}/download",
        web::get().to(download_attachment),
    )
    .service(
        web::resource("/tickets/{key}/attachments/{attachment}")
            .route(web::delete().to(delete_attachment)),
    );
}

/// Local mode's file URLs, under `/api/v1` (they carry their own signature, no
/// session or token).
pub fn configure_files(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/files/{grant}")
            .route(web::put().to(upload_file))
            .route(web::get().to(download_file)),
    );
}

fn attachment_id(raw: &str) -> Result<AttachmentId, ApiError> {
    raw.parse()
        .map(AttachmentId)
        .map_err(|_| ApiError::not_found("attachment"))
}

fn unavailable(e: StorageError) -> ApiError {
    tracing::error!(error = %e, "attachment storage");
    ApiError::unavailable("the attachment storage could not be reached; retry shortly")
}

/// The stored key, refused (as not found) unless it is in the caller's organization.
fn own_key<'a>(
    store: &AttachmentStore,
    caller: &Caller,
    attachment: &'a Attachment,
) -> Result<&'a str, ApiError> {
    store
        .key_of(caller.scope.org_id(), &attachment.object_key)
        .ok_or_else(|| {
            tracing::error!(attachment = %attachment.id.0, "attachment key outside its organization");
            ApiError::not_found("attachment")
        })
}

/// Starts an upload: a pending attachment, and a presigned `PUT` URL that takes
/// exactly `size` bytes of `content_type` until `expires_at`. Counts against the
/// plan's storage from now on (402 over it). Confirm once the `PUT` succeeded.
/// Honours `Idempotency-Key`: a retry answers the same pending attachment, its URL
/// signed again (the file's bytes never pass through this request: its fingerprint
/// is the SHA-256 of the JSON body, as for every JSON route).
#[utoipa::path(
    post, path = "/api/v1/orgs/{org}/tickets/{key}/attachments", tag = "attachments",
    params(("org" = String, Path, description = "Organization slug"), ("key" = String, Path, description = "Ticket key, e.g. WEB-12"),
           ("Idempotency-Key" = Option<String>, Header, description = "Answers the same pending attachment (with a freshly signed URL) for a retried request (24 h)")),
    request_body = NewUpload,
    responses(
        (status = 201, body = PendingUpload),
        (status = 409, description = "Replayed key whose upload was confirmed or cancelled since (`upload-finished`)", body = Problem),
        (status = 402, description = "The plan's storage is used up (`plan-limit`, `limit_kind` `storage`)", body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, description = "Invalid file name, size (over the per-file limit) or content type", body = Problem),
        (status = 503, description = "The storage could not be reached", body = Problem),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn create_upload(
    mut caller: Caller,
    state: web::Data<AppState>,
    store: web::Data<AttachmentStore>,
    path: web::Path<(String, String)>,
    idempotency: Idempotency,
    body: JsonBody<NewUpload>,
) -> Result<HttpResponse, ApiError> {
    caller.scope.require(Permission::TicketsUpdate)?;
    let key = TicketKey::parse(&path.1)?;
    let request = body.validate(store.max_file_bytes)?;
    let id = AttachmentId::new();
    let org = caller.scope.org_id();
    let slug = path.0.as_str();
    let (attachment, replayed) = caller
        .tx(Permission::TicketsUpdate, async |tx| {
            let ticket = find_id_by_key(tx, &key, Permission::TicketsUpdate).await?;
            let mut created = None;
            // What a key stores is the attachment's id: the upload URL is signed after
            // the commit (storage calls stay out of transactions), for every answer.
            let reply = idempotency
                .run(tx, body.digest(), async |tx| {
                    queries::expire_pending(tx).await?;
                    // Counted under the billing account's lock: concurrent uploads queue here.
                    state
                        .billing
                        .require_storage(tx, request.size)
                        .await
                        .map_err(|e| crate::entitlements::limit_error(&state, slug, e))?;
                    let object_key = store.key_for(org, ticket, id);
                    let attachment =
                        queries::create_pending(tx, ticket, id, &object_key, &request).await?;
                    let reply = Reply::json(
                        actix_web::http::StatusCode::CREATED,
                        &StoredUpload { attachment: id },
                    );
                    created = Some(attachment);
                    reply
                })
                .await?;
            match created {
                Some(attachment) => Ok((attachment, false)),
                None => {
                    let stored: StoredUpload =
                        serde_json::from_slice(reply.body()).map_err(ApiError::internal)?;
                    // A replay signs a fresh URL for the same pending attachment; once it
                    // was confirmed or cancelled there is nothing left to upload.
                    let attachment =
                        queries::find(tx, ticket, stored.attachment, &[AttachmentState::Pending])
                            .await
                            .map_err(|_| {
                                ApiError::conflict(
                                    "upload-finished",
                                    "the upload this Idempotency-Key started was confirmed or \
                                     cancelled already; start a new one with a new key",
                                )
                            })?;
                    Ok((attachment, true))
                }
            }
        })
        .await?;
    let presigned = store
        .objects()
        .presign_put(
            own_key(&store, &caller, &attachment)?,
            UploadSpec {
                size: attachment.size,
                content_type: &attachment.content_type,
            },
            SystemTime::now(),
            UPLOAD_TTL,
        )
        .await;
    let presigned = match presigned {
        Ok(p) => p,
        Err(e) => {
            // No URL, no upload: give the storage back at once.
            let ticket = attachment.ticket_id;
            let released = caller
                .tx(Permission::TicketsUpdate, async |tx| {
                    queries::delete(tx, ticket, id, janitor::RETRY_AFTER).await
                })
                .await;
            if let Err(release) = released {
                tracing::warn!(error = %release, "releasing an upload without a URL");
            }
            return Err(unavailable(e));
        }
    };
    let headers = presigned
        .headers
        .into_iter()
        // Clients set the length from the body; browsers may not set it by hand.
        .filter(|(name, _)| name != "content-length")
        .collect();
    let mut response = HttpResponse::Created();
    if replayed {
        response.insert_header((crate::http::idempotency::REPLAYED, "true"));
    }
    Ok(response.json(PendingUpload {
        attachment,
        upload: UploadInstructions {
            method: "PUT".to_owned(),
            url: presigned.url,
            headers,
            expires_at: presigned.expires_at,
        },
    }))
}

/// What an `Idempotency-Key` of `POST .../attachments` stores: the attachment it
/// created (the answer's upload URL is signed anew for each answer).
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredUpload {
    attachment: AttachmentId,
}

/// Lists a ticket's (confirmed) attachments, oldest first.
#[utoipa::path(
    get, path = "/api/v1/orgs/{org}/tickets/{key}/attachments", tag = "attachments",
    params(("org" = String, Path, description = "Organization slug"), ("key" = String, Path, description = "Ticket key"), PageParams),
    responses((status = 200, body = Page<Attachment>), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn list_attachments(
    mut caller: Caller,
    path: web::Path<(String, String)>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<Attachment>>, ApiError> {
    let key = TicketKey::parse(&path.1)?;
    let limit = page.limit()?;
    let after: Option<AttachmentId> = page.cursor()?;
    let rows = caller
        .tx(Permission::TicketsRead, async |tx| {
            let ticket = find_id_by_key(tx, &key, Permission::TicketsRead).await?;
            queries::list(tx, ticket, after, limit).await
        })
        .await?;
    Ok(web::Json(Page::from_rows(rows, limit, |a| a.id)))
}

/// Confirms an upload: the stored object must exist with the declared size and
/// content type (`HEAD`), else 409 (`upload-missing`, `upload-mismatch`: the stored
/// object is removed, upload again). Confirming twice answers the attachment again.
#[utoipa::path(
    post, path = "/api/v1/orgs/{org}/tickets/{key}/attachments/{attachment}/confirm", tag = "attachments",
    params(("org" = String, Path, description = "Organization slug"), ("key" = String, Path, description = "Ticket key"),
           ("attachment" = String, Path, description = "Attachment id")),
    responses(
        (status = 200, body = Attachment), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "Nothing uploaded yet, an object of another size or type, or the upload expired", body = Problem),
        (status = 503, body = Problem),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn confirm_upload(
    mut caller: Caller,
    store: web::Data<AttachmentStore>,
    path: web::Path<(String, String, String)>,
) -> Result<web::Json<Attachment>, ApiError> {
    let key = TicketKey::parse(&path.1)?;
    let id = attachment_id(&path.2)?;
    let attachment = caller
        .tx(Permission::TicketsUpdate, async |tx| {
            let ticket = find_id_by_key(tx, &key, Permission::TicketsUpdate).await?;
            queries::find(
                tx,
                ticket,
                id,
                &[AttachmentState::Pending, AttachmentState::Confirmed],
            )
            .await
        })
        .await?;
    if attachment.state == AttachmentState::Confirmed {
        return Ok(web::Json(attachment));
    }
    if attachment.confirm_by <= chrono::Utc::now() {
        return Err(ApiError::conflict(
            "upload-expired",
            "this upload can no longer be confirmed; start a new one",
        ));
    }
    let object_key = own_key(&store, &caller, &attachment)?;
    let stored = store
        .objects()
        .head(object_key)
        .await
        .map_err(unavailable)?;
    let Some(stored) = stored else {
        return Err(ApiError::conflict(
            "upload-missing",
            "nothing has been uploaded for this attachment yet: PUT the file to its upload URL first",
        ));
    };
    let type_matches = stored
        .content_type
        .as_deref()
        .is_some_and(|t| t.trim().eq_ignore_ascii_case(&attachment.content_type));
    if stored.size != attachment.size || !type_matches {
        // Not what was declared (and counted): it must not stay behind.
        if let Err(e) = store.objects().delete(object_key).await {
            tracing::warn!(error = %e, "removing a mismatched upload");
        }
        return Err(ApiError::conflict(
            "upload-mismatch",
            "the uploaded object differs from the declared size or content type; it was removed, upload the declared file again",
        )
        .with_extension("expected_size", attachment.size.into())
        .with_extension("stored_size", stored.size.into())
        .with_extension("expected_content_type", attachment.content_type.clone().into())
        .with_extension(
            "stored_content_type",
            stored.content_type.unwrap_or_default().into(),
        ));
    }
    let ticket = attachment.ticket_id;
    let confirmed = caller
        .tx(Permission::TicketsUpdate, async |tx| {
            // Checked again: the ticket may have gone, or the caller's access with it.
            find_id_by_key(tx, &key, Permission::TicketsUpdate).await?;
            queries::confirm(tx, ticket, id).await
        })
        .await?;
    Ok(web::Json(confirmed))
}

/// A presigned download: 302 to a URL valid for five minutes (also in the body),
/// served as `Content-Disposition: attachment` and, for anything that could run as
/// a page (HTML, SVG, XML, scripts, unknown types), `application/octet-stream`.
#[utoipa::path(
    get, path = "/api/v1/orgs/{org}/tickets/{key}/attachments/{attachment}/download", tag = "attachments",
    params(("org" = String, Path, description = "Organization slug"), ("key" = String, Path, description = "Ticket key"),
           ("attachment" = String, Path, description = "Attachment id")),
    responses(
        (status = 302, description = "`Location` is the download URL", body = DownloadLink),
        (status = 404, body = Problem), (status = 503, body = Problem),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn download_attachment(
    mut caller: Caller,
    store: web::Data<AttachmentStore>,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, ApiError> {
    let key = TicketKey::parse(&path.1)?;
    let id = attachment_id(&path.2)?;
    let attachment = caller
        .tx(Permission::TicketsRead, async |tx| {
            let ticket = find_id_by_key(tx, &key, Permission::TicketsRead).await?;
            queries::find(tx, ticket, id, &[AttachmentState::Confirmed]).await
        })
        .await?;
    let disposition = content_disposition(&attachment.file_name);
    let presigned = store
        .objects()
        .presign_get(
            own_key(&store, &caller, &attachment)?,
            DownloadSpec {
                content_disposition: &disposition,
                content_type: served_content_type(&attachment.content_type),
            },
            SystemTime::now(),
            DOWNLOAD_TTL,
        )
        .await
        .map_err(unavailable)?;
    Ok(HttpResponse::Found()
        .insert_header((header::LOCATION, presigned.url.clone()))
        .json(DownloadLink {
            url: presigned.url,
            expires_at: presigned.expires_at,
        }))
}

/// Deletes an attachment (or cancels a pending upload): gone from the list at once;
/// its object is removed from storage now, or retried until it is.
#[utoipa::path(
    delete, path = "/api/v1/orgs/{org}/tickets/{key}/attachments/{attachment}", tag = "attachments",
    params(("org" = String, Path, description = "Organization slug"), ("key" = String, Path, description = "Ticket key"),
           ("attachment" = String, Path, description = "Attachment id")),
    responses((status = 204, description = "Deleted"), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn delete_attachment(
    mut caller: Caller,
    store: web::Data<AttachmentStore>,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, ApiError> {
    let key = TicketKey::parse(&path.1)?;
    let id = attachment_id(&path.2)?;
    let deleted = caller
        .tx(Permission::TicketsUpdate, async |tx| {
            let ticket = find_id_by_key(tx, &key, Permission::TicketsUpdate).await?;
            queries::delete(tx, ticket, id, janitor::RETRY_AFTER).await
        })
        .await?;
    let outcome = janitor::remove(&store, caller.scope.org_id(), &deleted.object_key).await;
    let recorded = caller
        .tx(Permission::TicketsUpdate, async |tx| match &outcome {
            Ok(()) => Ok(queries::object_removed(tx, id).await?),
            Err(e) => Ok(queries::removal_failed(tx, id, &e.0).await?),
        })
        .await;
    if let Err(e) = &outcome {
        tracing::warn!(attachment = %id.0, error = %e, "removing an attachment's object failed; the janitor retries");
    }
    if let Err(e) = recorded {
        // The row still says "due": the janitor takes it from there.
        tracing::warn!(attachment = %id.0, error = %e, "recording an object removal");
    }
    Ok(HttpResponse::NoContent().finish())
}

fn refused(e: GrantError) -> ApiError {
    match e {
        GrantError::Expired => ApiError::forbidden_as(
            "url-expired",
            "this URL has expired; ask the API for a new one",
        ),
        GrantError::Invalid => ApiError::forbidden_as(
            "url-invalid",
            "this URL was not signed by this server, or was changed",
        ),
    }
}

fn local_grant(
    store: &AttachmentStore,
    token: &str,
    method: &str,
) -> Result<super::local::Grant, ApiError> {
    let local = store
        .local_store()
        .ok_or_else(|| ApiError::not_found("file"))?;
    let grant = local.verify(token, SystemTime::now()).map_err(refused)?;
    if grant.method != method {
        return Err(ApiError::forbidden_as(
            "url-invalid",
            format!("this URL is for a {}", grant.method),
        ));
    }
    Ok(grant)
}

/// A file's bytes, as the OpenAPI document describes a binary body.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub(crate) struct FileBytes(#[allow(dead_code)] Vec<u8>);

fn header_text(req: &HttpRequest, name: header::HeaderName) -> Option<&str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// Local mode: receives the upload a signed URL allows. The `Content-Type` and the
/// length must be the signed ones (403 otherwise), and a stored file is never
/// replaced (409).
#[utoipa::path(
    put, path = "/api/v1/files/{grant}", tag = "attachments",
    params(("grant" = String, Path, description = "The signed grant, as the upload URL holds it")),
    request_body(content = FileBytes, content_type = "application/octet-stream", description = "The file, exactly the signed size, sent with the signed Content-Type"),
    responses(
        (status = 200, description = "Stored"),
        (status = 400, description = "The body was not the signed length", body = Problem),
        (status = 403, description = "Expired (`url-expired`), not signed here or changed, or another type or length than signed (`url-invalid`)", body = Problem),
        (status = 404, description = "This server keeps attachments in S3", body = Problem),
        (status = 409, description = "Already uploaded", body = Problem),
    )
)]
pub(crate) async fn upload_file(
    req: HttpRequest,
    store: web::Data<AttachmentStore>,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let grant = local_grant(&store, &path, "PUT")?;
    let size = grant.size.unwrap_or(0);
    let content_type = header_text(&req, header::CONTENT_TYPE).unwrap_or_default();
    if !content_type
        .trim()
        .eq_ignore_ascii_case(&grant.content_type)
    {
        return Err(ApiError::forbidden_as(
            "url-invalid",
            format!("this URL takes only Content-Type: {}", grant.content_type),
        )
        .with_field("Content-Type"));
    }
    let length = header_text(&req, header::CONTENT_LENGTH).and_then(|l| l.parse::<u64>().ok());
    if length != Some(size) {
        return Err(ApiError::forbidden_as(
            "url-invalid",
            format!("this URL takes exactly {size} bytes, with Content-Length"),
        )
        .with_field("Content-Length"));
    }
    let local = store
        .local_store()
        .ok_or_else(|| ApiError::not_found("file"))?;
    match local
        .write(&grant.key, size, &grant.content_type, payload)
        .await
    {
        Ok(()) => Ok(HttpResponse::Ok().finish()),
        Err(UploadError::Exists) => Err(ApiError::conflict(
            "already-uploaded",
            "a file is already stored for this upload; start a new upload to send another",
        )),
        Err(UploadError::WrongLength) => Err(ApiError::bad_request(
            "incomplete-upload",
            format!("the body was not {size} bytes"),
        )),
        Err(UploadError::Io(e)) => Err(ApiError::internal(e)),
    }
}

/// Local mode: serves the file a signed URL names, as an attachment with the signed
/// (safe) content type, `X-Content-Type-Options: nosniff` and a sandboxing CSP.
#[utoipa::path(
    get, path = "/api/v1/files/{grant}", tag = "attachments",
    params(("grant" = String, Path, description = "The signed grant, as the download URL holds it")),
    responses(
        (status = 200, description = "The file", body = FileBytes, content_type = "application/octet-stream"),
        (status = 403, description = "Expired (`url-expired`), or not signed here or changed (`url-invalid`)", body = Problem),
        (status = 404, description = "No such file (deleted), or this server keeps attachments in S3", body = Problem),
    )
)]
pub(crate) async fn download_file(
    store: web::Data<AttachmentStore>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let grant = local_grant(&store, &path, "GET")?;
    let local = store
        .local_store()
        .ok_or_else(|| ApiError::not_found("file"))?;
    let Some((file, len)) = local.open(&grant.key).await.map_err(ApiError::internal)? else {
        return Err(ApiError::not_found("file"));
    };
    let chunks = futures_util::stream::unfold(file, |mut file| async move {
        use tokio::io::AsyncReadExt;
        let mut buffer = vec![0u8; 64 * 1024];
        match file.read(&mut buffer).await {
            Ok(0) => None,
            Ok(n) => {
                buffer.truncate(n);
                Some((Ok::<_, std::io::Error>(bytes::Bytes::from(buffer)), file))
            }
            Err(e) => Some((Err(e), file)),
        }
    });
    Ok(HttpResponse::Ok()
        .content_type(grant.content_type.as_str())
        .insert_header((
            header::CONTENT_DISPOSITION,
            grant.disposition.unwrap_or_else(|| "attachment".to_owned()),
        ))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; sandbox",
        ))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        // Already what it is: the compression middleware leaves it alone.
        .insert_header((header::CONTENT_ENCODING, "identity"))
        .body(actix_web::body::SizedStream::new(len, Box::pin(chunks))))
}
