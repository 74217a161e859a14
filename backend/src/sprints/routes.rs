//! `/api/v1/orgs/{org}/projects/{project}/sprints` and `/api/v1/orgs/{org}/sprints/{sprint}`

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use tenancy::Permission;

use super::queries::{self, Cursor, ScopeChangeEntry};
use super::{
    CompleteSprint, Completion, NewSprint, Sprint, SprintId, SprintPatch, SprintState,
    SprintTickets,
};
use crate::auth::Caller;
use crate::http::error::Problem;
use crate::http::{ApiError, IfMatch, JsonBody, Page, PageParams, json_with_etag};
use crate::tickets::Ticket;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/projects/{project}/sprints")
            .route(web::post().to(create_sprint))
            .route(web::get().to(list_sprints)),
    )
    .service(
        web::resource("/sprints/{sprint}")
            .route(web::get().to(get_sprint))
            .route(web::patch().to(update_sprint))
            .route(web::delete().to(delete_sprint)),
    )
    .route("/sprints/{sprint}/start", web::post().to(start_sprint))
    .route(
        "/sprints/{sprint}/complete",
        web::post().to(complete_sprint),
    )
    .route(
        "/sprints/{sprint}/tickets",
        web::post().to(change_sprint_tickets),
    )
    .route(
        "/sprints/{sprint}/scope-changes",
        web::get().to(list_scope_changes),
    );
}

/// A sprint id from the path; anything that is not one is a sprint that does not exist.
fn sprint_id(raw: &str) -> Result<SprintId, ApiError> {
    raw.parse::<uuid::Uuid>()
        .map(SprintId)
        .map_err(|_| ApiError::not_found("sprint"))
}

fn sprint_response(status: StatusCode, sprint: &Sprint) -> HttpResponse {
    json_with_etag(status, sprint.version, sprint)
}

/// Creates a future sprint in the project.
#[utoipa::path(
    post, path = "/api/v1/orgs/{org}/projects/{project}/sprints", tag = "sprints",
    params(("org" = String, Path, description = "Organization slug"), ("project" = String, Path, description = "Project key")),
    request_body = NewSprint,
    responses(
        (status = 201, body = Sprint), (status = 404, body = Problem),
        (status = 409, description = "Name taken or project archived", body = Problem),
        (status = 422, body = Problem),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn create_sprint(
    mut caller: Caller,
    path: web::Path<(String, String)>,
    body: JsonBody<NewSprint>,
) -> Result<HttpResponse, ApiError> {
    caller.scope.require(Permission::TicketsUpdate)?;
    let project = crate::projects::key_from_path(&path.1)?;
    let change = body.validate()?;
    let sprint = caller
        .tx(Permission::TicketsUpdate, async move |tx| {
            queries::create(tx, &project, change).await
        })
        .await?;
    Ok(sprint_response(StatusCode::CREATED, &sprint))
}

/// Sprint list filter.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListQuery {
    /// States, comma-separated: `future`, `active`, `closed`.
    state: Option<String>,
    /// Page size, 1 to 100 (default 50).
    limit: Option<i64>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// Lists the project's sprints, oldest first.
#[utoipa::path(
    get, path = "/api/v1/orgs/{org}/projects/{project}/sprints", tag = "sprints",
    params(("org" = String, Path, description = "Organization slug"), ("project" = String, Path, description = "Project key"), ListQuery),
    responses((status = 200, body = Page<Sprint>), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn list_sprints(
    mut caller: Caller,
    path: web::Path<(String, String)>,
    query: web::Query<ListQuery>,
) -> Result<web::Json<Page<Sprint>>, ApiError> {
    let project = crate::projects::key_from_path(&path.1)?;
    let query = query.into_inner();
    let page = PageParams {
        limit: query.limit,
        cursor: query.cursor,
    };
    let limit = page.limit()?;
    let cursor: Option<Cursor> = page.cursor()?;
    let states = query
        .state
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            serde_json::from_value::<SprintState>(serde_json::Value::String(s.to_ascii_lowercase()))
                .map_err(|_| ApiError::validation("state", "one of future, active, closed"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let rows = caller
        .tx(Permission::TicketsRead, async move |tx| {
            queries::list(tx, &project, states, cursor, limit).await
        })
        .await?;
    Ok(web::Json(Page::from_rows(rows, limit, Cursor::after)))
}

/// One sprint, with its `ETag`.
#[utoipa::path(
    get, path = "/api/v1/orgs/{org}/sprints/{sprint}", tag = "sprints",
    params(("org" = String, Path, description = "Organization slug"), ("sprint" = String, Path, description = "Sprint id")),
    responses((status = 200, body = Sprint), (status = 404, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn get_sprint(
    mut caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let id = sprint_id(&path.1)?;
    let sprint = caller
        .tx(Permission::TicketsRead, async move |tx| {
            queries::find(tx, id).await
        })
        .await?;
    Ok(sprint_response(StatusCode::OK, &sprint))
}

/// Renames the sprint or changes its goal or dates.
#[utoipa::path(
    patch, path = "/api/v1/orgs/{org}/sprints/{sprint}", tag = "sprints",
    params(("org" = String, Path, description = "Organization slug"), ("sprint" = String, Path, description = "Sprint id"),
           ("If-Match" = Option<String>, Header, description = "ETag from a previous read")),
    request_body = SprintPatch,
    responses((status = 200, body = Sprint), (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 412, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn update_sprint(
    mut caller: Caller,
    path: web::Path<(String, String)>,
    if_match: IfMatch,
    body: JsonBody<SprintPatch>,
) -> Result<HttpResponse, ApiError> {
    caller.scope.require(Permission::TicketsUpdate)?;
    let id = sprint_id(&path.1)?;
    let change = body.validate()?;
    let sprint = caller
        .tx(Permission::TicketsUpdate, async move |tx| {
            queries::update(tx, id, &if_match, change).await
        })
        .await?;
    Ok(sprint_response(StatusCode::OK, &sprint))
}

/// Deletes a future sprint; its tickets go back to the backlog (409 for an active or
/// closed sprint).
#[utoipa::path(
    delete, path = "/api/v1/orgs/{org}/sprints/{sprint}", tag = "sprints",
    params(("org" = String, Path, description = "Organization slug"), ("sprint" = String, Path, description = "Sprint id"),
           ("If-Match" = Option<String>, Header, description = "ETag from a previous read")),
    responses((status = 204, description = "Deleted"), (status = 404, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn delete_sprint(
    mut caller: Caller,
    path: web::Path<(String, String)>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = sprint_id(&path.1)?;
    caller
        .tx(Permission::TicketsUpdate, async move |tx| {
            queries::delete(tx, id, &if_match).await
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Starts a future sprint (409 `active-sprint-exists` while the project has one).
#[utoipa::path(
    post, path = "/api/v1/orgs/{org}/sprints/{sprint}/start", tag = "sprints",
    params(("org" = String, Path, description = "Organization slug"), ("sprint" = String, Path, description = "Sprint id")),
    responses((status = 200, body = Sprint), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn start_sprint(
    mut caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let id = sprint_id(&path.1)?;
    let sprint = caller
        .tx(Permission::TicketsUpdate, async move |tx| {
            queries::start(tx, id).await
        })
        .await?;
    Ok(sprint_response(StatusCode::OK, &sprint))
}

/// Completes the active sprint: tickets not done move to `move_open_to` (a future
/// sprint) or the backlog, in one transaction.
#[utoipa::path(
    post, path = "/api/v1/orgs/{org}/sprints/{sprint}/complete", tag = "sprints",
    params(("org" = String, Path, description = "Organization slug"), ("sprint" = String, Path, description = "Sprint id")),
    request_body = CompleteSprint,
    responses((status = 200, body = Completion), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn complete_sprint(
    mut caller: Caller,
    path: web::Path<(String, String)>,
    body: JsonBody<CompleteSprint>,
) -> Result<web::Json<Completion>, ApiError> {
    caller.scope.require(Permission::TicketsUpdate)?;
    let id = sprint_id(&path.1)?;
    let move_to = body.move_open_to;
    let done = caller
        .tx(Permission::TicketsUpdate, async move |tx| {
            queries::complete(tx, id, move_to).await
        })
        .await?;
    Ok(web::Json(done))
}

/// The tickets a sprint-tickets request changed.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct ChangedTickets {
    tickets: Vec<Ticket>,
}

/// Plans tickets into the sprint (`add`, from the backlog or another open sprint)
/// and takes tickets out of it (`remove`, to the backlog); all or nothing.
#[utoipa::path(
    post, path = "/api/v1/orgs/{org}/sprints/{sprint}/tickets", tag = "sprints",
    params(("org" = String, Path, description = "Organization slug"), ("sprint" = String, Path, description = "Sprint id")),
    request_body = SprintTickets,
    responses((status = 200, body = ChangedTickets), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn change_sprint_tickets(
    mut caller: Caller,
    path: web::Path<(String, String)>,
    body: JsonBody<SprintTickets>,
) -> Result<web::Json<ChangedTickets>, ApiError> {
    caller.scope.require(Permission::TicketsUpdate)?;
    let id = sprint_id(&path.1)?;
    body.validate()?;
    let body = body.0;
    let tickets = caller
        .tx(Permission::TicketsUpdate, async move |tx| {
            queries::change_tickets(tx, id, &body).await
        })
        .await?;
    Ok(web::Json(ChangedTickets { tickets }))
}

/// The sprint's scope history.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct ScopeChanges {
    items: Vec<ScopeChangeEntry>,
}

/// Every ticket that entered or left the sprint, oldest first (for burndown).
#[utoipa::path(
    get, path = "/api/v1/orgs/{org}/sprints/{sprint}/scope-changes", tag = "sprints",
    params(("org" = String, Path, description = "Organization slug"), ("sprint" = String, Path, description = "Sprint id")),
    responses((status = 200, body = ScopeChanges), (status = 404, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn list_scope_changes(
    mut caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<web::Json<ScopeChanges>, ApiError> {
    let id = sprint_id(&path.1)?;
    let items = caller
        .tx(Permission::TicketsRead, async move |tx| {
            queries::scope_changes(tx, id).await
        })
        .await?;
    Ok(web::Json(ScopeChanges { items }))
}
