//! `/api/v1/orgs/{org}/projects/{project}/workflow`: a project's statuses and
//! transitions. Anyone who sees the project reads them; its lead, an org admin or an
//! owner changes them (others 403; a private project hidden from the caller is a 404).
//! Every change answers the whole workflow as it now is.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use tenancy::Permission;

use super::{
    NewStatus, NewTransition, StatusId, StatusOrder, StatusPatch, TransitionId, Workflow,
    WorkflowCopy, queries,
};
use crate::auth::Caller;
use crate::http::error::Problem;
use crate::http::{ApiError, JsonBody};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/projects/{project}/workflow", web::get().to(get_workflow))
        .route(
            "/projects/{project}/workflow/statuses",
            web::post().to(create_status),
        )
        .service(
            web::resource("/projects/{project}/workflow/statuses/{status}")
                .route(web::patch().to(update_status))
                .route(web::delete().to(delete_status)),
        )
        .route(
            "/projects/{project}/workflow/order",
            web::put().to(reorder_statuses),
        )
        .route(
            "/projects/{project}/workflow/transitions",
            web::post().to(create_transition),
        )
        .route(
            "/projects/{project}/workflow/transitions/{transition}",
            web::delete().to(delete_transition),
        )
        .route(
            "/projects/{project}/workflow/copy",
            web::post().to(copy_workflow),
        );
}

/// The project key named in a path, upper-cased as Jira does. Anything longer than a
/// key is a project that does not exist; other malformed keys simply match no project.
/// (Not `projects::key_from_path`: projects imports workflows.)
fn project_key(raw: &str) -> Result<String, ApiError> {
    if raw.is_empty() || raw.len() > 10 {
        return Err(ApiError::not_found("project"));
    }
    Ok(raw.to_ascii_uppercase())
}

/// A status id from the path; anything else is a status that does not exist.
fn status_id(raw: &str) -> Result<StatusId, ApiError> {
    raw.parse::<uuid::Uuid>()
        .map(StatusId)
        .map_err(|_| ApiError::not_found("status"))
}

fn transition_id(raw: &str) -> Result<TransitionId, ApiError> {
    raw.parse::<uuid::Uuid>()
        .map(TransitionId)
        .map_err(|_| ApiError::not_found("transition"))
}

/// The project's workflow: statuses in order (with live ticket counts) and transitions.
#[utoipa::path(
    get, path = "/api/v1/orgs/{org}/projects/{project}/workflow", tag = "workflows",
    params(("org" = String, Path, description = "Organization slug"), ("project" = String, Path, description = "Project key")),
    responses((status = 200, body = Workflow), (status = 404, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn get_workflow(
    mut caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<web::Json<Workflow>, ApiError> {
    let key = project_key(&path.1)?;
    let workflow = caller
        .tx(Permission::ProjectsRead, async move |tx| {
            queries::get(tx, &key).await
        })
        .await?;
    Ok(web::Json(workflow))
}

/// Adds a status at the end of the workflow, with transitions into it (`from`) and out
/// of it (`to`). It must end up reachable from the initial status.
#[utoipa::path(
    post, path = "/api/v1/orgs/{org}/projects/{project}/workflow/statuses", tag = "workflows",
    params(("org" = String, Path, description = "Organization slug"), ("project" = String, Path, description = "Project key")),
    request_body = NewStatus,
    responses(
        (status = 201, body = Workflow), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "Name taken (case-insensitively)", body = Problem),
        (status = 422, description = "Invalid field, or a workflow rule broken (`workflow-invariant`)", body = Problem),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn create_status(
    mut caller: Caller,
    path: web::Path<(String, String)>,
    body: JsonBody<NewStatus>,
) -> Result<HttpResponse, ApiError> {
    let key = project_key(&path.1)?;
    let body = body.0;
    let workflow = caller
        .write_checked_inside(async move |tx| {
            // The project-level right comes before the fields, so a forbidden caller
            // gets 403 rather than a field error.
            queries::require_manage_key(tx, &key).await?;
            queries::create_status(tx, &key, body.validate()?).await
        })
        .await?;
    Ok(HttpResponse::build(StatusCode::CREATED).json(workflow))
}

/// Renames a status or changes its category. Entering `done` sets the `resolved_at` of
/// its tickets (keeping dates already set); leaving `done` clears it.
#[utoipa::path(
    patch, path = "/api/v1/orgs/{org}/projects/{project}/workflow/statuses/{status}", tag = "workflows",
    params(("org" = String, Path, description = "Organization slug"), ("project" = String, Path, description = "Project key"),
           ("status" = String, Path, description = "Status id")),
    request_body = StatusPatch,
    responses(
        (status = 200, body = Workflow), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "Name taken (case-insensitively)", body = Problem),
        (status = 422, description = "Invalid field, or a workflow rule broken (`workflow-invariant`)", body = Problem),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn update_status(
    mut caller: Caller,
    path: web::Path<(String, String, String)>,
    body: JsonBody<StatusPatch>,
) -> Result<web::Json<Workflow>, ApiError> {
    let key = project_key(&path.1)?;
    let id = status_id(&path.2)?;
    let body = body.0;
    let workflow = caller
        .write_checked_inside(async move |tx| {
            queries::require_manage_key(tx, &key).await?;
            queries::update_status(tx, &key, id, body.validate()?).await
        })
        .await?;
    Ok(web::Json(workflow))
}

/// `DELETE .../statuses/{status}` query.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct DeleteStatusQuery {
    /// The status (by name) the deleted status's tickets move to; required when it
    /// holds tickets.
    move_to: Option<String>,
}

/// Deletes a status and its transitions, moving its tickets to `move_to` in the same
/// transaction (each move is in the ticket's history). Of two concurrent deletes of one
/// status, the second finds it gone (404).
#[utoipa::path(
    delete, path = "/api/v1/orgs/{org}/projects/{project}/workflow/statuses/{status}", tag = "workflows",
    params(("org" = String, Path, description = "Organization slug"), ("project" = String, Path, description = "Project key"),
           ("status" = String, Path, description = "Status id"), DeleteStatusQuery),
    responses(
        (status = 200, body = Workflow), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, description = "`move_to` missing or unknown, or a workflow rule broken (`workflow-invariant`)", body = Problem),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn delete_status(
    mut caller: Caller,
    path: web::Path<(String, String, String)>,
    query: web::Query<DeleteStatusQuery>,
) -> Result<web::Json<Workflow>, ApiError> {
    let key = project_key(&path.1)?;
    let id = status_id(&path.2)?;
    let move_to = query
        .into_inner()
        .move_to
        .map(|name| crate::http::validate::required_text("move_to", &name, 100))
        .transpose()?;
    let workflow = caller
        .write_checked_inside(async move |tx| queries::delete_status(tx, &key, id, move_to).await)
        .await?;
    Ok(web::Json(workflow))
}

/// Puts the statuses in a new order (every status named once); the first becomes the
/// initial status of new tickets.
#[utoipa::path(
    put, path = "/api/v1/orgs/{org}/projects/{project}/workflow/order", tag = "workflows",
    params(("org" = String, Path, description = "Organization slug"), ("project" = String, Path, description = "Project key")),
    request_body = StatusOrder,
    responses(
        (status = 200, body = Workflow), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, description = "Invalid field, or a workflow rule broken (`workflow-invariant`)", body = Problem),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn reorder_statuses(
    mut caller: Caller,
    path: web::Path<(String, String)>,
    body: JsonBody<StatusOrder>,
) -> Result<web::Json<Workflow>, ApiError> {
    let key = project_key(&path.1)?;
    let body = body.0;
    let workflow = caller
        .write_checked_inside(async move |tx| {
            queries::require_manage_key(tx, &key).await?;
            queries::reorder(tx, &key, body.validate()?).await
        })
        .await?;
    Ok(web::Json(workflow))
}

/// Adds a transition, optionally only for some project roles (`["lead"]`: only leads,
/// org admins and owners may take it).
#[utoipa::path(
    post, path = "/api/v1/orgs/{org}/projects/{project}/workflow/transitions", tag = "workflows",
    params(("org" = String, Path, description = "Organization slug"), ("project" = String, Path, description = "Project key")),
    request_body = NewTransition,
    responses(
        (status = 201, body = Workflow), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "That transition exists", body = Problem),
        (status = 422, body = Problem),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn create_transition(
    mut caller: Caller,
    path: web::Path<(String, String)>,
    body: JsonBody<NewTransition>,
) -> Result<HttpResponse, ApiError> {
    let key = project_key(&path.1)?;
    let body = body.0;
    let workflow = caller
        .write_checked_inside(async move |tx| {
            queries::require_manage_key(tx, &key).await?;
            queries::create_transition(tx, &key, body.validate()?).await
        })
        .await?;
    Ok(HttpResponse::build(StatusCode::CREATED).json(workflow))
}

/// Deletes a transition; refused (422 `workflow-invariant`) when a status would become
/// unreachable.
#[utoipa::path(
    delete, path = "/api/v1/orgs/{org}/projects/{project}/workflow/transitions/{transition}", tag = "workflows",
    params(("org" = String, Path, description = "Organization slug"), ("project" = String, Path, description = "Project key"),
           ("transition" = String, Path, description = "Transition id")),
    responses(
        (status = 200, body = Workflow), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, description = "A workflow rule broken (`workflow-invariant`)", body = Problem),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn delete_transition(
    mut caller: Caller,
    path: web::Path<(String, String, String)>,
) -> Result<web::Json<Workflow>, ApiError> {
    let key = project_key(&path.1)?;
    let id = transition_id(&path.2)?;
    let workflow = caller
        .write_checked_inside(async move |tx| queries::delete_transition(tx, &key, id).await)
        .await?;
    Ok(web::Json(workflow))
}

/// Replaces the workflow with a copy of another project's. Statuses of the same name
/// keep their tickets; the tickets of the others move as `mapping` says (422 naming the
/// unmapped statuses otherwise).
#[utoipa::path(
    post, path = "/api/v1/orgs/{org}/projects/{project}/workflow/copy", tag = "workflows",
    params(("org" = String, Path, description = "Organization slug"), ("project" = String, Path, description = "Project key")),
    request_body = WorkflowCopy,
    responses(
        (status = 200, body = Workflow), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, description = "Unknown project or status, unmapped statuses holding tickets", body = Problem),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn copy_workflow(
    mut caller: Caller,
    path: web::Path<(String, String)>,
    body: JsonBody<WorkflowCopy>,
) -> Result<web::Json<Workflow>, ApiError> {
    let key = project_key(&path.1)?;
    let body = body.0;
    let workflow = caller
        .write_checked_inside(async move |tx| {
            queries::require_manage_key(tx, &key).await?;
            queries::copy(tx, &key, body.validate()?).await
        })
        .await?;
    Ok(web::Json(workflow))
}
