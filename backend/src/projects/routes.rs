//! `/api/v1/orgs/{org}/projects`

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use tenancy::Permission;

use super::{NewProject, Project, ProjectDetail, ProjectPatch, queries};
use crate::auth::Caller;
use crate::http::error::Problem;
use crate::http::{
    ApiError, AppState, Idempotency, IfMatch, JsonBody, Page, PageParams, Reply, json_with_etag,
};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/projects")
            .route(web::get().to(list_projects))
            .route(web::post().to(create_project)),
    )
    .service(
        web::resource("/projects/{project}")
            .route(web::get().to(get_project))
            .route(web::patch().to(update_project)),
    )
    .route(
        "/projects/{project}/archive",
        web::post().to(archive_project),
    )
    .route(
        "/projects/{project}/unarchive",
        web::post().to(unarchive_project),
    )
    .configure(super::members::configure);
}

/// Creates a project with the default workflow.
#[utoipa::path(
    post, path = "/api/v1/orgs/{org}/projects", tag = "projects",
    params(("org" = String, Path, description = "Organization slug"),
           ("Idempotency-Key" = Option<String>, Header, description = "Replays the first response of a retried request (24 h)")),
    request_body = NewProject,
    responses(
        (status = 201, description = "Created", body = Project),
        (status = 402, description = "The plan's project limit is reached", body = Problem),
        (status = 409, description = "Key taken", body = Problem),
        (status = 422, description = "Invalid field", body = Problem),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn create_project(
    req: HttpRequest,
    mut caller: Caller,
    state: web::Data<AppState>,
    idempotency: Idempotency,
    body: JsonBody<NewProject>,
) -> Result<HttpResponse, ApiError> {
    caller.scope.require(Permission::ProjectsCreate)?;
    let new = body.validate()?;
    let slug = req.match_info().get("org").unwrap_or_default();
    let mut private = false;
    let reply = caller
        .tx(Permission::ProjectsCreate, async |tx| {
            idempotency
                .run(tx, body.digest(), async |tx| {
                    // Counted under the billing account's lock, in this transaction.
                    state
                        .billing
                        .require_project(tx)
                        .await
                        .map_err(|e| crate::entitlements::limit_error(&state, slug, e))?;
                    let project = queries::create(tx, new).await?;
                    private = project.private;
                    Ok(Reply::json(StatusCode::CREATED, &project)?.with_etag(project.version))
                })
                .await
        })
        .await?;
    if private {
        caller.principals_changed().await;
    }
    Ok(reply.into_response())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListProjectsQuery {
    /// Include archived projects.
    #[serde(default)]
    archived: bool,
    limit: Option<i64>,
    cursor: Option<String>,
}

/// Lists projects by key.
#[utoipa::path(
    get, path = "/api/v1/orgs/{org}/projects", tag = "projects",
    params(("org" = String, Path, description = "Organization slug"), ListProjectsQuery),
    responses((status = 200, description = "A page of projects", body = Page<Project>)),
    security(("bearer" = []))
)]
pub(crate) async fn list_projects(
    mut caller: Caller,
    query: web::Query<ListProjectsQuery>,
) -> Result<web::Json<Page<Project>>, ApiError> {
    let query = query.into_inner();
    let page = PageParams {
        limit: query.limit,
        cursor: query.cursor,
    };
    let limit = page.limit()?;
    let after: Option<String> = page.cursor()?;
    if after.as_deref().is_some_and(|k| !super::valid_key(k)) {
        return Err(ApiError::validation(
            "cursor",
            "not a cursor this list returned",
        ));
    }
    let rows = caller
        .tx(Permission::ProjectsRead, async move |tx| {
            queries::list(tx, query.archived, after, limit).await
        })
        .await?;
    Ok(web::Json(Page::from_rows(rows, limit, |p| p.key.clone())))
}

/// One project with its workflow's statuses.
#[utoipa::path(
    get, path = "/api/v1/orgs/{org}/projects/{project}", tag = "projects",
    params(("org" = String, Path, description = "Organization slug"), ("project" = String, Path, description = "Project key")),
    responses((status = 200, description = "The project", body = ProjectDetail), (status = 404, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn get_project(
    mut caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let key = super::key_from_path(&path.1)?;
    let detail = caller
        .tx(Permission::ProjectsRead, async |tx| {
            queries::detail(tx, &key).await
        })
        .await?;
    Ok(json_with_etag(
        StatusCode::OK,
        detail.project.version,
        &detail,
    ))
}

/// Renames a project or changes its description.
#[utoipa::path(
    patch, path = "/api/v1/orgs/{org}/projects/{project}", tag = "projects",
    params(("org" = String, Path, description = "Organization slug"), ("project" = String, Path, description = "Project key"),
           ("If-Match" = Option<String>, Header, description = "ETag from a previous read")),
    request_body = ProjectPatch,
    responses((status = 200, body = Project), (status = 412, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn update_project(
    mut caller: Caller,
    path: web::Path<(String, String)>,
    if_match: IfMatch,
    body: JsonBody<ProjectPatch>,
) -> Result<HttpResponse, ApiError> {
    caller.scope.require(Permission::ProjectsUpdate)?;
    let key = super::key_from_path(&path.1)?;
    let patch = body.validate()?;
    let privacy_changes = patch.private.is_some();
    let project = caller
        .tx(Permission::ProjectsUpdate, async |tx| {
            queries::update(tx, &key, &if_match, patch).await
        })
        .await?;
    if privacy_changes {
        // Who sees the project may have changed: cached memberships carry that.
        caller.principals_changed().await;
    }
    Ok(json_with_etag(StatusCode::OK, project.version, &project))
}

/// Archives a project: it keeps its tickets but takes no new ones.
#[utoipa::path(
    post, path = "/api/v1/orgs/{org}/projects/{project}/archive", tag = "projects",
    params(("org" = String, Path, description = "Organization slug"), ("project" = String, Path, description = "Project key")),
    responses((status = 200, body = Project), (status = 404, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn archive_project(
    caller: Caller,
    path: web::Path<(String, String)>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    set_archived(caller, None, path, if_match, true).await
}

/// Brings an archived project back.
#[utoipa::path(
    post, path = "/api/v1/orgs/{org}/projects/{project}/unarchive", tag = "projects",
    params(("org" = String, Path, description = "Organization slug"), ("project" = String, Path, description = "Project key")),
    responses((status = 200, body = Project), (status = 402, description = "The plan's project limit is reached", body = Problem), (status = 404, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn unarchive_project(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let billing = Some(state);
    set_archived(caller, billing, path, if_match, false).await
}

async fn set_archived(
    mut caller: Caller,
    // Present when unarchiving: the project counts against the plan again.
    billing: Option<web::Data<AppState>>,
    path: web::Path<(String, String)>,
    if_match: IfMatch,
    archived: bool,
) -> Result<HttpResponse, ApiError> {
    let key = super::key_from_path(&path.1)?;
    let project = caller
        .tx(Permission::ProjectsArchive, async |tx| {
            if let Some(state) = &billing
                && queries::find(tx, &key).await?.archived_at.is_some()
            {
                state
                    .billing
                    .require_project(tx)
                    .await
                    .map_err(|e| crate::entitlements::limit_error(state, &path.0, e))?;
            }
            queries::set_archived(tx, &key, &if_match, archived).await
        })
        .await?;
    Ok(json_with_etag(StatusCode::OK, project.version, &project))
}
