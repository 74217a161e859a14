//! `/api/v1/orgs/{org}/tickets/{key}/comments`

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use tenancy::Permission;

use super::{Comment, CommentBody, CommentId, queries};
use crate::auth::Caller;
use crate::http::error::Problem;
use crate::http::{
    ApiError, Idempotency, IfMatch, JsonBody, Page, PageParams, Reply, json_with_etag,
};
use crate::tickets::{TicketKey, find_id_by_key};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/tickets/{key}/comments")
            .route(web::get().to(list_comments))
            .route(web::post().to(create_comment)),
    )
    .service(
        web::resource("/tickets/{key}/comments/{comment}")
            .route(web::patch().to(edit_comment))
            .route(web::delete().to(delete_comment)),
    );
}

fn comment_id(raw: &str) -> Result<CommentId, ApiError> {
    raw.parse()
        .map(CommentId)
        .map_err(|_| ApiError::not_found("comment"))
}

/// Adds a comment to a ticket.
#[utoipa::path(
    post, path = "/api/v1/orgs/{org}/tickets/{key}/comments", tag = "comments",
    params(("org" = String, Path, description = "Organization slug"), ("key" = String, Path, description = "Ticket key"),
           ("Idempotency-Key" = Option<String>, Header, description = "Replays the first response of a retried request (24 h)")),
    request_body = CommentBody,
    responses((status = 201, body = Comment), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn create_comment(
    mut caller: Caller,
    path: web::Path<(String, String)>,
    idempotency: Idempotency,
    body: JsonBody<CommentBody>,
) -> Result<HttpResponse, ApiError> {
    caller.scope.require(Permission::CommentsCreate)?;
    let key = TicketKey::parse(&path.1)?;
    let text = body.validate()?;
    let reply = caller
        .tx(Permission::CommentsCreate, async move |tx| {
            idempotency
                .run(tx, body.digest(), async move |tx| {
                    let ticket = find_id_by_key(tx, &key, Permission::CommentsCreate).await?;
                    let comment = queries::create(tx, ticket, text).await?;
                    Ok(Reply::json(StatusCode::CREATED, &comment)?.with_etag(comment.version))
                })
                .await
        })
        .await?;
    Ok(reply.into_response())
}

/// Lists a ticket's comments, oldest first.
#[utoipa::path(
    get, path = "/api/v1/orgs/{org}/tickets/{key}/comments", tag = "comments",
    params(("org" = String, Path, description = "Organization slug"), ("key" = String, Path, description = "Ticket key"), PageParams),
    responses((status = 200, body = Page<Comment>), (status = 404, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn list_comments(
    mut caller: Caller,
    path: web::Path<(String, String)>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<Comment>>, ApiError> {
    let key = TicketKey::parse(&path.1)?;
    let limit = page.limit()?;
    let after: Option<CommentId> = page.cursor()?;
    let rows = caller
        .tx(Permission::CommentsRead, async move |tx| {
            let ticket = find_id_by_key(tx, &key, Permission::CommentsRead).await?;
            queries::list(tx, ticket, after, limit).await
        })
        .await?;
    Ok(web::Json(Page::from_rows(rows, limit, |c| c.id)))
}

/// Edits a comment (author, or a moderator).
#[utoipa::path(
    patch, path = "/api/v1/orgs/{org}/tickets/{key}/comments/{comment}", tag = "comments",
    params(("org" = String, Path, description = "Organization slug"), ("key" = String, Path, description = "Ticket key"),
           ("comment" = String, Path, description = "Comment id"),
           ("If-Match" = Option<String>, Header, description = "ETag from a previous read")),
    request_body = CommentBody,
    responses((status = 200, body = Comment), (status = 403, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn edit_comment(
    mut caller: Caller,
    path: web::Path<(String, String, String)>,
    if_match: IfMatch,
    body: JsonBody<CommentBody>,
) -> Result<HttpResponse, ApiError> {
    caller.scope.require(Permission::CommentsCreate)?;
    let key = TicketKey::parse(&path.1)?;
    let id = comment_id(&path.2)?;
    let text = body.validate()?;
    let comment = caller
        .tx(Permission::CommentsCreate, async move |tx| {
            let ticket = find_id_by_key(tx, &key, Permission::CommentsCreate).await?;
            queries::edit(tx, ticket, id, &if_match, text).await
        })
        .await?;
    Ok(json_with_etag(StatusCode::OK, comment.version, &comment))
}

/// Deletes a comment (author, or a moderator).
#[utoipa::path(
    delete, path = "/api/v1/orgs/{org}/tickets/{key}/comments/{comment}", tag = "comments",
    params(("org" = String, Path, description = "Organization slug"), ("key" = String, Path, description = "Ticket key"),
           ("comment" = String, Path, description = "Comment id"),
           ("If-Match" = Option<String>, Header, description = "ETag from a previous read")),
    responses((status = 204, description = "Deleted"), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn delete_comment(
    mut caller: Caller,
    path: web::Path<(String, String, String)>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let key = TicketKey::parse(&path.1)?;
    let id = comment_id(&path.2)?;
    caller
        .tx(Permission::CommentsCreate, async move |tx| {
            let ticket = find_id_by_key(tx, &key, Permission::CommentsCreate).await?;
            queries::delete(tx, ticket, id, &if_match).await
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
