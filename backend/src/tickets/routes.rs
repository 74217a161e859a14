//! `/api/v1/orgs/{org}/tickets` and `/api/v1/orgs/{org}/projects/{project}/tickets`

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use tenancy::Permission;

use super::moving::{self, MoveRequest, MoveResult};
use super::queries::{self, Cursor, Filters, Sort};
use super::{
    NewTicket, Priority, Ticket, TicketChange, TicketKey, TicketPatch, TicketReplace, TicketType,
};
use crate::audit::history::HistoryEntry;
use crate::audit::{self, AuditId};
use crate::auth::Caller;
use crate::http::error::Problem;
use crate::http::{
    ApiError, Idempotency, IfMatch, JsonBody, Page, PageParams, Reply, json_with_etag,
};
use crate::workflows::Transition;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/projects/{project}/tickets")
            .route(web::post().to(create_ticket))
            .route(web::get().to(list_project_tickets)),
    )
    .route("/tickets", web::get().to(list_tickets))
    .service(
        web::resource("/tickets/{key}")
            .route(web::get().to(get_ticket))
            .route(web::put().to(replace_ticket))
            .route(web::patch().to(patch_ticket))
            .route(web::delete().to(delete_ticket)),
    )
    .service(
        web::resource("/tickets/{key}/transitions")
            .route(web::get().to(list_transitions))
            .route(web::post().to(perform_transition)),
    )
    .route("/tickets/{key}/move", web::post().to(move_ticket))
    .route("/tickets/{key}/history", web::get().to(ticket_history));
}

fn ticket_response(status: StatusCode, ticket: &Ticket) -> HttpResponse {
    json_with_etag(status, ticket.version, ticket)
}

/// Creates a ticket; its key is the project's next number, allocated without gaps.
#[utoipa::path(
    post, path = "/api/v1/orgs/{org}/projects/{project}/tickets", tag = "tickets",
    params(("org" = String, Path, description = "Organization slug"), ("project" = String, Path, description = "Project key"),
           ("Idempotency-Key" = Option<String>, Header, description = "Replays the first response of a retried request (24 h)")),
    request_body = NewTicket,
    responses(
        (status = 201, description = "Created; `Location` names it. Honours `Idempotency-Key`", body = Ticket),
        (status = 404, body = Problem), (status = 409, description = "Project archived", body = Problem),
        (status = 422, body = Problem),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn create_ticket(
    mut caller: Caller,
    path: web::Path<(String, String)>,
    idempotency: Idempotency,
    body: JsonBody<NewTicket>,
) -> Result<HttpResponse, ApiError> {
    caller.scope.require(Permission::TicketsCreate)?;
    let (org, project) = path.into_inner();
    let project = crate::projects::key_from_path(&project)?;
    let change = body.validate()?;
    let reply = caller
        .tx(Permission::TicketsCreate, async move |tx| {
            idempotency
                .run(tx, body.digest(), async move |tx| {
                    let ticket = queries::create(tx, &project, change).await?;
                    Ok(Reply::json(StatusCode::CREATED, &ticket)?
                        .with_etag(ticket.version)
                        .with_location(format!("/api/v1/orgs/{org}/tickets/{}", ticket.key)))
                })
                .await
        })
        .await?;
    Ok(reply.into_response())
}

/// Ticket list filters and order. List values are comma-separated.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListQuery {
    /// Project key.
    project: Option<String>,
    /// Status names, e.g. `To Do,In Progress`.
    status: Option<String>,
    /// Assignee logins.
    assignee: Option<String>,
    /// Types: epic, story, task, bug, subtask.
    #[serde(rename = "type")]
    kind: Option<String>,
    /// Priorities: lowest, low, medium, high, highest.
    priority: Option<String>,
    /// `created`, `updated` or `priority`; prefix `-` for descending. Default `-created`.
    sort: Option<String>,
    /// Page size, 1 to 100 (default 50).
    limit: Option<i64>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

const LIST_VALUES_MAX: usize = 50;

fn split(field: &'static str, raw: Option<&str>) -> Result<Vec<String>, ApiError> {
    let values: Vec<String> = raw
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect();
    if values.len() > LIST_VALUES_MAX || values.iter().any(|v| v.chars().count() > 200) {
        return Err(ApiError::validation(field, "too many or too long values"));
    }
    if values.iter().any(|v| v.chars().any(char::is_control)) {
        return Err(ApiError::validation(
            field,
            "must not contain control characters",
        ));
    }
    Ok(values)
}

fn enums<T: for<'de> Deserialize<'de>>(
    field: &'static str,
    raw: Option<&str>,
) -> Result<Vec<T>, ApiError> {
    split(field, raw)?
        .into_iter()
        .map(|v| {
            serde_json::from_value(serde_json::Value::String(v.to_ascii_lowercase()))
                .map_err(|_| ApiError::validation(field, format!("unknown value `{v}`")))
        })
        .collect()
}

async fn list(
    mut caller: Caller,
    in_project: Option<String>,
    query: ListQuery,
) -> Result<web::Json<Page<Ticket>>, ApiError> {
    let page = PageParams {
        limit: query.limit,
        cursor: query.cursor,
    };
    let limit = page.limit()?;
    let cursor: Option<Cursor> = page.cursor()?;
    let sort = Sort::parse(query.sort.as_deref())?;
    let filters = Filters {
        project: match (in_project.clone(), query.project) {
            (Some(key), _) => Some(key),
            (None, Some(raw)) => {
                let key = raw.to_ascii_uppercase();
                if !crate::projects::valid_key(&key) {
                    return Err(ApiError::validation("project", "not a project key"));
                }
                Some(key)
            }
            (None, None) => None,
        },
        statuses: split("status", query.status.as_deref())?,
        assignees: split("assignee", query.assignee.as_deref())?,
        kinds: enums::<TicketType>("type", query.kind.as_deref())?,
        priorities: enums::<Priority>("priority", query.priority.as_deref())?,
    };
    let rows = caller
        .tx(Permission::TicketsRead, async move |tx| {
            // Under /projects/{project}/ a missing project is a 404, not an empty list.
            if let Some(key) = &in_project {
                crate::projects::queries::find(tx, key).await?;
            }
            queries::list(tx, filters, sort, cursor, limit).await
        })
        .await?;
    Ok(web::Json(Page::from_rows(rows, limit, |t| {
        Cursor::after(sort, t)
    })))
}

/// Lists tickets across projects, filtered, sorted, one keyset page at a time.
#[utoipa::path(
    get, path = "/api/v1/orgs/{org}/tickets", tag = "tickets",
    params(("org" = String, Path, description = "Organization slug"), ListQuery),
    responses((status = 200, description = "A page of tickets", body = Page<Ticket>), (status = 422, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn list_tickets(
    caller: Caller,
    query: web::Query<ListQuery>,
) -> Result<web::Json<Page<Ticket>>, ApiError> {
    list(caller, None, query.into_inner()).await
}

/// Lists one project's tickets (same filters as `/tickets`).
#[utoipa::path(
    get, path = "/api/v1/orgs/{org}/projects/{project}/tickets", tag = "tickets",
    params(("org" = String, Path, description = "Organization slug"), ("project" = String, Path, description = "Project key"), ListQuery),
    responses((status = 200, description = "A page of tickets", body = Page<Ticket>), (status = 422, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn list_project_tickets(
    caller: Caller,
    path: web::Path<(String, String)>,
    query: web::Query<ListQuery>,
) -> Result<web::Json<Page<Ticket>>, ApiError> {
    let project = crate::projects::key_from_path(&path.1)?;
    list(caller, Some(project), query.into_inner()).await
}

/// One ticket by key (`WEB-12`), with its `ETag`.
#[utoipa::path(
    get, path = "/api/v1/orgs/{org}/tickets/{key}", tag = "tickets",
    params(("org" = String, Path, description = "Organization slug"), ("key" = String, Path, description = "Ticket key, e.g. WEB-12")),
    responses((status = 200, body = Ticket), (status = 404, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn get_ticket(
    mut caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let key = TicketKey::parse(&path.1)?;
    let ticket = caller
        .tx(Permission::TicketsRead, async |tx| {
            queries::find(tx, &key).await
        })
        .await?;
    Ok(ticket_response(StatusCode::OK, &ticket))
}

/// The ticket's history, newest first: every change to it and to its comments, as
/// field-level changes (field, from, to) with who and when, from the audit trail.
#[utoipa::path(
    get, path = "/api/v1/orgs/{org}/tickets/{key}/history", tag = "tickets",
    params(("org" = String, Path, description = "Organization slug"), ("key" = String, Path, description = "Ticket key, e.g. WEB-12"), PageParams),
    responses((status = 200, body = Page<HistoryEntry>), (status = 404, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn ticket_history(
    mut caller: Caller,
    path: web::Path<(String, String)>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<HistoryEntry>>, ApiError> {
    let key = TicketKey::parse(&path.1)?;
    let limit = page.limit()?;
    let before: Option<AuditId> = page.cursor()?;
    let entries = caller
        .tx(Permission::TicketsRead, async |tx| {
            let ticket = queries::find(tx, &key).await?;
            Ok(audit::queries::ticket_history(tx, ticket.id, before, limit).await?)
        })
        .await?;
    Ok(web::Json(Page::from_rows(
        entries,
        limit,
        |e: &HistoryEntry| e.id,
    )))
}

/// PUT and PATCH: the permission first (a forbidden caller gets 403 before any field
/// error), then the key, then the body's fields, then the guarded update.
async fn change_ticket(
    mut caller: Caller,
    key: &str,
    if_match: IfMatch,
    validate: impl FnOnce() -> Result<TicketChange, ApiError>,
) -> Result<HttpResponse, ApiError> {
    caller.scope.require(Permission::TicketsUpdate)?;
    let key = TicketKey::parse(key)?;
    let change = validate()?;
    let ticket = caller
        .tx(Permission::TicketsUpdate, async move |tx| {
            queries::update(tx, &key, &if_match, change).await
        })
        .await?;
    Ok(ticket_response(StatusCode::OK, &ticket))
}

/// Replaces every editable field (status changes go through transitions).
#[utoipa::path(
    put, path = "/api/v1/orgs/{org}/tickets/{key}", tag = "tickets",
    params(("org" = String, Path, description = "Organization slug"), ("key" = String, Path, description = "Ticket key"),
           ("If-Match" = Option<String>, Header, description = "ETag from a previous read")),
    request_body = TicketReplace,
    responses((status = 200, body = Ticket), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn replace_ticket(
    caller: Caller,
    path: web::Path<(String, String)>,
    if_match: IfMatch,
    body: JsonBody<TicketReplace>,
) -> Result<HttpResponse, ApiError> {
    change_ticket(caller, &path.1, if_match, || body.validate()).await
}

/// Changes only the fields given; `null` clears assignee or due date.
#[utoipa::path(
    patch, path = "/api/v1/orgs/{org}/tickets/{key}", tag = "tickets",
    params(("org" = String, Path, description = "Organization slug"), ("key" = String, Path, description = "Ticket key"),
           ("If-Match" = Option<String>, Header, description = "ETag from a previous read")),
    request_body = TicketPatch,
    responses((status = 200, body = Ticket), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn patch_ticket(
    caller: Caller,
    path: web::Path<(String, String)>,
    if_match: IfMatch,
    body: JsonBody<TicketPatch>,
) -> Result<HttpResponse, ApiError> {
    change_ticket(caller, &path.1, if_match, || body.validate()).await
}

/// Deletes a ticket (soft: it disappears from reads and lists; the row and its audit
/// trail stay).
#[utoipa::path(
    delete, path = "/api/v1/orgs/{org}/tickets/{key}", tag = "tickets",
    params(("org" = String, Path, description = "Organization slug"), ("key" = String, Path, description = "Ticket key"),
           ("If-Match" = Option<String>, Header, description = "ETag from a previous read")),
    responses((status = 204, description = "Deleted"), (status = 404, body = Problem), (status = 412, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn delete_ticket(
    mut caller: Caller,
    path: web::Path<(String, String)>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let key = TicketKey::parse(&path.1)?;
    caller
        .tx(Permission::TicketsDelete, async move |tx| {
            queries::soft_delete(tx, &key, &if_match).await
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The transitions the caller may take from the ticket's current status.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct Transitions {
    transitions: Vec<Transition>,
}

/// Lists the transitions the caller may take from the ticket's current status (those
/// limited to other project roles are left out; none for a viewer).
#[utoipa::path(
    get, path = "/api/v1/orgs/{org}/tickets/{key}/transitions", tag = "tickets",
    params(("org" = String, Path, description = "Organization slug"), ("key" = String, Path, description = "Ticket key")),
    responses((status = 200, body = Transitions), (status = 404, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn list_transitions(
    mut caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let key = TicketKey::parse(&path.1)?;
    let (ticket, transitions) = caller
        .tx(Permission::TicketsRead, async move |tx| {
            queries::takeable_transitions(tx, &key).await
        })
        .await?;
    Ok(json_with_etag(
        StatusCode::OK,
        ticket.version,
        &Transitions { transitions },
    ))
}

/// `POST /tickets/{key}/transitions` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TransitionRequest {
    /// Name of the target status (case-insensitive), e.g. `In Progress`.
    to: String,
}

/// Moves the ticket to another status; 409 when the workflow does not allow it, 403
/// when the transition is limited to project roles the caller does not have.
#[utoipa::path(
    post, path = "/api/v1/orgs/{org}/tickets/{key}/transitions", tag = "tickets",
    params(("org" = String, Path, description = "Organization slug"), ("key" = String, Path, description = "Ticket key"),
           ("If-Match" = Option<String>, Header, description = "ETag from a previous read")),
    request_body = TransitionRequest,
    responses((status = 200, body = Ticket), (status = 403, description = "Limited to other project roles", body = Problem),
              (status = 409, description = "Not allowed from the current status", body = Problem),
              (status = 412, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn perform_transition(
    mut caller: Caller,
    path: web::Path<(String, String)>,
    if_match: IfMatch,
    body: JsonBody<TransitionRequest>,
) -> Result<HttpResponse, ApiError> {
    caller.scope.require(Permission::TicketsTransition)?;
    let key = TicketKey::parse(&path.1)?;
    let to = crate::http::validate::required_text("to", &body.to, 100)?;
    let ticket = caller
        .tx(Permission::TicketsTransition, async move |tx| {
            queries::transition(tx, &key, &if_match, &to).await
        })
        .await?;
    Ok(ticket_response(StatusCode::OK, &ticket))
}

/// Moves the ticket, and its children in the same project, to another project of the
/// organization: new keys (the old ones keep resolving), statuses mapped to the target
/// workflow, components dropped, the sprint left. Needs `tickets.update` and
/// `tickets.delete` in the ticket's project and `tickets.create` in the target.
#[utoipa::path(
    post, path = "/api/v1/orgs/{org}/tickets/{key}/move", tag = "tickets",
    params(("org" = String, Path, description = "Organization slug"), ("key" = String, Path, description = "Ticket key (a former key works too)"),
           ("If-Match" = Option<String>, Header, description = "ETag from a previous read")),
    request_body = MoveRequest,
    responses((status = 200, description = "Moved; `ETag` is the ticket's", body = MoveResult),
              (status = 403, body = Problem),
              (status = 404, description = "No such ticket, or no such target project (or one the caller cannot see)", body = Problem),
              (status = 409, description = "Already in that project, or the target is archived", body = Problem),
              (status = 412, body = Problem),
              (status = 422, description = "Bad project key or status map, unmapped statuses (`unmapped`), a sub-task on its own", body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn move_ticket(
    mut caller: Caller,
    path: web::Path<(String, String)>,
    if_match: IfMatch,
    body: JsonBody<MoveRequest>,
) -> Result<HttpResponse, ApiError> {
    for permission in [
        Permission::TicketsUpdate,
        Permission::TicketsDelete,
        Permission::TicketsCreate,
    ] {
        caller.scope.require(permission)?;
    }
    let key = TicketKey::parse(&path.1)?;
    let mv = body.validate()?;
    let moved: MoveResult = caller
        .tx(Permission::TicketsUpdate, async move |tx| {
            moving::move_ticket(tx, &key, &if_match, &mv).await
        })
        .await?;
    Ok(json_with_etag(StatusCode::OK, moved.ticket.version, &moved))
}
