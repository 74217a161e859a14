//! `/api/v1/orgs/{org}/tickets/{key}/worklogs`

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use tenancy::Permission;

use super::{NewWorklog, Worklog, WorklogId, WorklogPatch, WorklogRemoval, queries};
use crate::auth::Caller;
use crate::http::error::Problem;
use crate::http::{
    ApiError, Idempotency, IfMatch, JsonBody, Page, PageParams, Reply, json_with_etag,
};
use crate::tickets::TicketKey;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/tickets/{key}/worklogs")
            .route(web::get().to(list_worklogs))
            .route(web::post().to(create_worklog)),
    )
    .service(
        web::resource("/tickets/{key}/worklogs/{worklog}")
            .route(web::patch().to(edit_worklog))
            .route(web::delete().to(delete_worklog)),
    );
}

fn worklog_id(raw: &str) -> Result<WorklogId, ApiError> {
    raw.parse()
        .map(WorklogId)
        .map_err(|_| ApiError::not_found("worklog"))
}

/// Logs time on a ticket; the ticket's `time_spent` grows and its
/// `remaining_estimate` follows `adjust_estimate`. Honours `Idempotency-Key`.
#[utoipa::path(
    post, path = "/api/v1/orgs/{org}/tickets/{key}/worklogs", tag = "worklogs",
    params(("org" = String, Path, description = "Organization slug"), ("key" = String, Path, description = "Ticket key"),
           ("Idempotency-Key" = Option<String>, Header, description = "Replays the first response of a retried request (24 h)")),
    request_body = NewWorklog,
    responses((status = 201, body = Worklog), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn create_worklog(
    mut caller: Caller,
    path: web::Path<(String, String)>,
    idempotency: Idempotency,
    body: JsonBody<NewWorklog>,
) -> Result<HttpResponse, ApiError> {
    caller.scope.require(Permission::TicketsUpdate)?;
    let key = TicketKey::parse(&path.1)?;
    let change = body.validate()?;
    let reply = caller
        .tx(Permission::TicketsUpdate, async move |tx| {
            idempotency
                .run(tx, body.digest(), async move |tx| {
                    let worklog = queries::create(tx, &key, change).await?;
                    Ok(Reply::json(StatusCode::CREATED, &worklog)?.with_etag(worklog.version))
                })
                .await
        })
        .await?;
    Ok(reply.into_response())
}

/// Lists a ticket's worklogs, oldest first.
#[utoipa::path(
    get, path = "/api/v1/orgs/{org}/tickets/{key}/worklogs", tag = "worklogs",
    params(("org" = String, Path, description = "Organization slug"), ("key" = String, Path, description = "Ticket key"), PageParams),
    responses((status = 200, body = Page<Worklog>), (status = 404, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn list_worklogs(
    mut caller: Caller,
    path: web::Path<(String, String)>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<Worklog>>, ApiError> {
    let key = TicketKey::parse(&path.1)?;
    let limit = page.limit()?;
    let after: Option<WorklogId> = page.cursor()?;
    let rows = caller
        .tx(Permission::TicketsRead, async move |tx| {
            queries::list(tx, &key, after, limit).await
        })
        .await?;
    Ok(web::Json(Page::from_rows(rows, limit, |w| w.id)))
}

/// Changes a worklog (its author, or someone with `worklogs.moderate`).
#[utoipa::path(
    patch, path = "/api/v1/orgs/{org}/tickets/{key}/worklogs/{worklog}", tag = "worklogs",
    params(("org" = String, Path, description = "Organization slug"), ("key" = String, Path, description = "Ticket key"),
           ("worklog" = String, Path, description = "Worklog id"),
           ("If-Match" = Option<String>, Header, description = "ETag from a previous read")),
    request_body = WorklogPatch,
    responses((status = 200, body = Worklog), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 412, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn edit_worklog(
    mut caller: Caller,
    path: web::Path<(String, String, String)>,
    if_match: IfMatch,
    body: JsonBody<WorklogPatch>,
) -> Result<HttpResponse, ApiError> {
    caller.scope.require(Permission::TicketsUpdate)?;
    let key = TicketKey::parse(&path.1)?;
    let id = worklog_id(&path.2)?;
    let change = body.validate()?;
    let worklog = caller
        .tx(Permission::TicketsUpdate, async move |tx| {
            queries::update(tx, &key, id, &if_match, change).await
        })
        .await?;
    Ok(json_with_etag(StatusCode::OK, worklog.version, &worklog))
}

/// Deletes a worklog (its author, or someone with `worklogs.moderate`); by default
/// the remaining estimate grows by its minutes again.
#[utoipa::path(
    delete, path = "/api/v1/orgs/{org}/tickets/{key}/worklogs/{worklog}", tag = "worklogs",
    params(("org" = String, Path, description = "Organization slug"), ("key" = String, Path, description = "Ticket key"),
           ("worklog" = String, Path, description = "Worklog id"), WorklogRemoval,
           ("If-Match" = Option<String>, Header, description = "ETag from a previous read")),
    responses((status = 204, description = "Deleted"), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 412, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn delete_worklog(
    mut caller: Caller,
    path: web::Path<(String, String, String)>,
    query: web::Query<WorklogRemoval>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    caller.scope.require(Permission::TicketsUpdate)?;
    let key = TicketKey::parse(&path.1)?;
    let id = worklog_id(&path.2)?;
    let adjust = query.validate()?;
    caller
        .tx(Permission::TicketsUpdate, async move |tx| {
            queries::delete(tx, &key, id, &if_match, adjust).await
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
