//! `/api/v1/orgs/{org}/projects/{project}/members`: project roles. `lead` manages the
//! project's members, `member` works in it, `viewer` only reads it. Managing them takes
//! the organization's `projects.update` or being the project's lead.

use actix_web::{HttpResponse, web};
use tenancy::{Permission, ScopedConn};

use super::{Project, ProjectMember, ProjectRoleChange, access, queries};
use crate::auth::Caller;
use crate::http::error::Problem;
use crate::http::{ApiError, JsonBody};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/projects/{project}/members",
        web::get().to(list_project_members),
    )
    .service(
        web::resource("/projects/{project}/members/{member}")
            .route(web::put().to(set_project_member))
            .route(web::delete().to(remove_project_member)),
    );
}

/// The project (visible to the caller) and the right to manage its members.
async fn managed(tx: &mut ScopedConn<'_>, key: &str) -> Result<Project, ApiError> {
    let project = queries::find(tx, key).await?;
    access::require(tx, Permission::ProjectsUpdate, project.id)?;
    Ok(project)
}

/// The project's members and their roles.
#[utoipa::path(
    get, path = "/api/v1/orgs/{org}/projects/{project}/members", tag = "projects",
    params(("org" = String, Path, description = "Organization slug"),
           ("project" = String, Path, description = "Project key")),
    responses((status = 200, body = Vec<ProjectMember>), (status = 404, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn list_project_members(
    mut caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<web::Json<Vec<ProjectMember>>, ApiError> {
    let key = super::key_from_path(&path.1)?;
    let members = caller
        .tx(Permission::ProjectsRead, async |tx| {
            let project = queries::find(tx, &key).await?;
            Ok(queries::members(tx, project.id).await?)
        })
        .await?;
    Ok(web::Json(members))
}

/// Adds an organization member to the project, or changes their project role.
#[utoipa::path(
    put, path = "/api/v1/orgs/{org}/projects/{project}/members/{member}", tag = "projects",
    params(("org" = String, Path, description = "Organization slug"),
           ("project" = String, Path, description = "Project key"),
           ("member" = String, Path, description = "The member's login")),
    request_body = ProjectRoleChange,
    responses((status = 204, description = "Set"), (status = 403, body = Problem),
              (status = 404, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn set_project_member(
    mut caller: Caller,
    path: web::Path<(String, String, String)>,
    body: JsonBody<ProjectRoleChange>,
) -> Result<HttpResponse, ApiError> {
    let key = super::key_from_path(&path.1)?;
    let login = path.2.clone();
    let role = body.role;
    caller
        .write_checked_inside(async |tx| {
            let project = managed(tx, &key).await?;
            let (user, _) = crate::orgs::queries::member(tx, &login).await?;
            queries::set_member(tx, project.id, user, &login, role).await
        })
        .await?;
    caller.principals_changed().await;
    Ok(HttpResponse::NoContent().finish())
}

/// Removes someone from the project (a private project then disappears for them).
#[utoipa::path(
    delete, path = "/api/v1/orgs/{org}/projects/{project}/members/{member}", tag = "projects",
    params(("org" = String, Path, description = "Organization slug"),
           ("project" = String, Path, description = "Project key"),
           ("member" = String, Path, description = "The member's login")),
    responses((status = 204, description = "Removed"), (status = 403, body = Problem),
              (status = 404, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn remove_project_member(
    mut caller: Caller,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, ApiError> {
    let key = super::key_from_path(&path.1)?;
    let login = path.2.clone();
    caller
        .write_checked_inside(async |tx| {
            let project = managed(tx, &key).await?;
            let (user, _) = crate::orgs::queries::member(tx, &login).await?;
            queries::remove_member(tx, project.id, user, &login).await
        })
        .await?;
    caller.principals_changed().await;
    Ok(HttpResponse::NoContent().finish())
}
