//! `/api/v1/orgs/{org}/projects/{project}/members`: project roles. `lead` manages the
//! project's members, `member` works in it, `viewer` only reads it. Managing them takes
//! the organization's `projects.update` or being the project's lead.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use tenancy::{Permission, ScopedConn, UserId};

use super::{Project, access, queries};
use crate::audit::{self, Entity};
use crate::auth::Caller;
use crate::http::error::Problem;
use crate::http::{ApiError, JsonBody};
use crate::orgs::UserRef;
use crate::schema::{project_members, users};

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

/// A project role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ProjectRole {
    Lead,
    Member,
    Viewer,
}

impl ProjectRole {
    fn as_str(self) -> &'static str {
        match self {
            ProjectRole::Lead => "lead",
            ProjectRole::Member => "member",
            ProjectRole::Viewer => "viewer",
        }
    }
}

/// Someone's role in a project.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct ProjectMember {
    user: UserRef,
    role: ProjectRole,
    added_at: DateTime<Utc>,
}

/// `PUT .../members/{member}` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProjectRoleChange {
    role: ProjectRole,
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
    let rows: Vec<(uuid::Uuid, String, String, String, DateTime<Utc>)> = caller
        .tx(Permission::ProjectsRead, async |tx| {
            let project = queries::find(tx, &key).await?;
            Ok(project_members::table
                .inner_join(users::table)
                .filter(project_members::org_id.eq(tx.scope().org_id()))
                .filter(project_members::project_id.eq(project.id))
                .select((
                    users::id,
                    users::login,
                    users::name,
                    project_members::role,
                    project_members::created_at,
                ))
                .order(users::login.asc())
                // A project has at most as many members as its organization; the
                // plans cap those well below this.
                .limit(1000)
                .load(tx.conn())
                .await?)
        })
        .await?;
    Ok(web::Json(
        rows.into_iter()
            .filter_map(|(id, login, name, role, added_at)| {
                Some(ProjectMember {
                    user: UserRef {
                        id: UserId(id),
                        login,
                        name,
                    },
                    role: serde_json::from_value(serde_json::Value::String(role)).ok()?,
                    added_at,
                })
            })
            .collect(),
    ))
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
            let (user, _) = crate::orgs::members::member(tx, &login).await?;
            let org_id = tx.scope().org_id();
            diesel::insert_into(project_members::table)
                .values((
                    project_members::org_id.eq(org_id),
                    project_members::project_id.eq(project.id),
                    project_members::user_id.eq(user),
                    project_members::role.eq(role.as_str()),
                ))
                .on_conflict((
                    project_members::org_id,
                    project_members::project_id,
                    project_members::user_id,
                ))
                .do_update()
                .set(project_members::role.eq(role.as_str()))
                .execute(tx.conn())
                .await?;
            audit::record(
                tx,
                "project.member.set",
                Entity::Project(project.id),
                None,
                Some(serde_json::json!({ "user": login, "role": role })),
            )
            .await?;
            Ok(())
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
            let (user, _) = crate::orgs::members::member(tx, &login).await?;
            let removed = diesel::delete(
                project_members::table
                    .filter(project_members::org_id.eq(tx.scope().org_id()))
                    .filter(project_members::project_id.eq(project.id))
                    .filter(project_members::user_id.eq(user)),
            )
            .execute(tx.conn())
            .await?;
            if removed == 0 {
                return Err(ApiError::not_found("project member"));
            }
            audit::record(
                tx,
                "project.member.remove",
                Entity::Project(project.id),
                Some(serde_json::json!({ "user": login })),
                None,
            )
            .await?;
            Ok(())
        })
        .await?;
    caller.principals_changed().await;
    Ok(HttpResponse::NoContent().finish())
}
