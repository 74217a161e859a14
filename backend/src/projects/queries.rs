//! Project queries. All run inside an org-scoped transaction.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use tenancy::{ScopedConn, UserId};

use super::access;
use super::{
    Project, ProjectDetail, ProjectId, ProjectMember, ProjectRole, ValidPatch, ValidProject,
};
use crate::audit::{self, Change, Entity};
use crate::http::{ApiError, IfMatch};
use crate::orgs::UserRef;
use crate::schema::{project_members, projects, users};
use crate::workflows::{self, WorkflowId};

/// The project `$id` of the organization in scope, if it is still at `$version`.
macro_rules! guarded {
    ($tx:expr, $id:expr, $version:expr) => {
        projects::table
            .filter(projects::org_id.eq($tx.scope().org_id()))
            .filter(projects::id.eq($id))
            .filter(projects::version.eq($version))
    };
}

pub(crate) async fn create(
    tx: &mut ScopedConn<'_>,
    new: ValidProject,
) -> Result<Project, ApiError> {
    let workflow_id = workflows::create_default(tx, &format!("{} workflow", new.key)).await?;
    let org_id = tx.scope().org_id();
    let project: Project = diesel::insert_into(projects::table)
        .values((
            projects::id.eq(ProjectId::new()),
            projects::org_id.eq(org_id),
            projects::key.eq(&new.key),
            projects::name.eq(&new.name),
            projects::description.eq(&new.description),
            projects::workflow_id.eq(workflow_id),
            projects::private.eq(new.private),
        ))
        .returning(Project::as_returning())
        .get_result(tx.conn())
        .await
        .map_err(|e| {
            ApiError::unique_as(
                e,
                ApiError::conflict(
                    "project-key-taken",
                    format!("a project with key {} already exists", new.key),
                )
                .with_field("key"),
            )
        })?;
    // The creator leads the project (and so keeps seeing it if it is private).
    diesel::insert_into(project_members::table)
        .values((
            project_members::org_id.eq(org_id),
            project_members::project_id.eq(project.id),
            project_members::user_id.eq(tx.scope().user_id()),
            project_members::role.eq("lead"),
        ))
        .execute(tx.conn())
        .await?;
    audit::record(
        tx,
        "project.create",
        Entity::Project(project.id),
        None,
        Some(audit::to_json(&project)),
    )
    .await?;
    Ok(project)
}

pub(super) async fn list(
    tx: &mut ScopedConn<'_>,
    include_archived: bool,
    after_key: Option<String>,
    limit: i64,
) -> Result<Vec<Project>, ApiError> {
    let mut query = projects::table
        .filter(projects::org_id.eq(tx.scope().org_id()))
        .select(Project::as_select())
        .into_boxed();
    let hidden = access::hidden(tx.scope());
    if !hidden.is_empty() {
        query = query.filter(projects::id.ne_all(hidden));
    }
    if !include_archived {
        query = query.filter(projects::archived_at.is_null());
    }
    if let Some(after) = after_key {
        query = query.filter(projects::key.gt(after));
    }
    Ok(query
        .order(projects::key.asc())
        .limit(limit + 1)
        .load(tx.conn())
        .await?)
}

pub(crate) async fn find(tx: &mut ScopedConn<'_>, key: &str) -> Result<Project, ApiError> {
    let project = projects::table
        .filter(projects::org_id.eq(tx.scope().org_id()))
        .filter(projects::key.eq(key))
        .select(Project::as_select())
        .first(tx.conn())
        .await
        .optional()?
        .ok_or_else(|| ApiError::not_found("project"))?;
    access::visible(tx, project.id)?;
    Ok(project)
}

pub(super) async fn detail(tx: &mut ScopedConn<'_>, key: &str) -> Result<ProjectDetail, ApiError> {
    let project = find(tx, key).await?;
    let statuses = workflows::statuses_of(tx, project.workflow_id).await?;
    let scope = tx.scope();
    let my_permissions = tenancy::Permission::ALL
        .into_iter()
        .filter(|p| scope.can_in_project(*p, project.id.0))
        .map(tenancy::Permission::name)
        .collect();
    Ok(ProjectDetail {
        project,
        statuses,
        my_permissions,
    })
}

async fn lock(tx: &mut ScopedConn<'_>, key: &str) -> Result<Project, ApiError> {
    let project = projects::table
        .filter(projects::org_id.eq(tx.scope().org_id()))
        .filter(projects::key.eq(key))
        .select(Project::as_select())
        .for_update()
        .first(tx.conn())
        .await
        .optional()?
        .ok_or_else(|| ApiError::not_found("project"))?;
    access::visible(tx, project.id)?;
    Ok(project)
}

pub(super) async fn update(
    tx: &mut ScopedConn<'_>,
    key: &str,
    if_match: &IfMatch,
    patch: ValidPatch,
) -> Result<Project, ApiError> {
    let before = lock(tx, key).await?;
    if_match.check(before.version)?;
    let (id, version) = (before.id, before.version);
    Change {
        action: "project.update",
        entity: Entity::Project(id),
        before: &before,
        version,
    }
    .update_returning(tx, async |tx| {
        diesel::update(guarded!(tx, id, version))
            .set((
                projects::name.eq(patch.name.unwrap_or_else(|| before.name.clone())),
                projects::description.eq(patch
                    .description
                    .unwrap_or_else(|| before.description.clone())),
                projects::private.eq(patch.private.unwrap_or(before.private)),
                projects::version.eq(projects::version + 1),
                projects::updated_at.eq(diesel::dsl::now),
            ))
            .returning(Project::as_returning())
            .get_result(tx.conn())
            .await
            .optional()
    })
    .await
}

pub(super) async fn set_archived(
    tx: &mut ScopedConn<'_>,
    key: &str,
    if_match: &IfMatch,
    archived: bool,
) -> Result<Project, ApiError> {
    let before = lock(tx, key).await?;
    if_match.check(before.version)?;
    if before.archived_at.is_some() == archived {
        return Ok(before);
    }
    let archived_at = archived.then(chrono::Utc::now);
    let (id, version) = (before.id, before.version);
    Change {
        action: if archived {
            "project.archive"
        } else {
            "project.unarchive"
        },
        entity: Entity::Project(id),
        before: &before,
        version,
    }
    .update_returning(tx, async |tx| {
        diesel::update(guarded!(tx, id, version))
            .set((
                projects::archived_at.eq(archived_at),
                projects::version.eq(projects::version + 1),
                projects::updated_at.eq(diesel::dsl::now),
            ))
            .returning(Project::as_returning())
            .get_result(tx.conn())
            .await
            .optional()
    })
    .await
}

/// Takes the next ticket number of an open project. The `UPDATE` holds the project's
/// row lock until the creating transaction ends, so concurrent creates queue here and
/// numbers are handed out without gaps (a rollback returns the number) or duplicates.
pub(crate) async fn find_open_for_update(
    tx: &mut ScopedConn<'_>,
    key: &str,
) -> Result<(ProjectId, WorkflowId, i32), ApiError> {
    allocate_ticket_numbers(tx, key, 1).await
}

/// Takes the next `count` ticket numbers of an open project (0 only locks it), as
/// [`find_open_for_update`] takes one: answers the last number taken, so they are
/// `last - count + 1 ..= last`. The counter only grows, so a number once given out
/// (a moved ticket's former key included) is never given out again.
pub(crate) async fn allocate_ticket_numbers(
    tx: &mut ScopedConn<'_>,
    key: &str,
    count: i32,
) -> Result<(ProjectId, WorkflowId, i32), ApiError> {
    let taken: Option<(ProjectId, WorkflowId, i32)> = diesel::update(
        projects::table
            .filter(projects::org_id.eq(tx.scope().org_id()))
            .filter(projects::key.eq(key))
            .filter(projects::archived_at.is_null()),
    )
    .set(projects::ticket_counter.eq(projects::ticket_counter + count))
    .returning((
        projects::id,
        projects::workflow_id,
        projects::ticket_counter,
    ))
    .get_result(tx.conn())
    .await
    .optional()?;
    match taken {
        // A hidden project's counter moved, but this error rolls the transaction back.
        Some(row) => access::visible(tx, row.0).map(|()| row),
        None => {
            // Distinguish "archived" (a 409 the caller can act on) from "absent".
            let archived = find(tx, key).await?;
            Err(ApiError::conflict(
                "project-archived",
                format!(
                    "project {} is archived; unarchive it to add tickets",
                    archived.key
                ),
            ))
        }
    }
}

/// The project's members and their roles, by login.
pub(super) async fn members(
    tx: &mut ScopedConn<'_>,
    project: ProjectId,
) -> QueryResult<Vec<ProjectMember>> {
    let rows: Vec<(uuid::Uuid, String, String, String, DateTime<Utc>)> = project_members::table
        .inner_join(users::table)
        .filter(project_members::org_id.eq(tx.scope().org_id()))
        .filter(project_members::project_id.eq(project))
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
        .await?;
    Ok(rows
        .into_iter()
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
        .collect())
}

/// Adds `user` (whose login is `login`) to the project, or changes their role; audited.
pub(super) async fn set_member(
    tx: &mut ScopedConn<'_>,
    project: ProjectId,
    user: UserId,
    login: &str,
    role: ProjectRole,
) -> Result<(), ApiError> {
    let org_id = tx.scope().org_id();
    diesel::insert_into(project_members::table)
        .values((
            project_members::org_id.eq(org_id),
            project_members::project_id.eq(project),
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
        Entity::Project(project),
        None,
        Some(serde_json::json!({ "user": login, "role": role })),
    )
    .await?;
    Ok(())
}

/// Removes `user` (whose login is `login`) from the project (404 when they are not in
/// it); audited.
pub(super) async fn remove_member(
    tx: &mut ScopedConn<'_>,
    project: ProjectId,
    user: UserId,
    login: &str,
) -> Result<(), ApiError> {
    let removed = diesel::delete(
        project_members::table
            .filter(project_members::org_id.eq(tx.scope().org_id()))
            .filter(project_members::project_id.eq(project))
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
        Entity::Project(project),
        Some(serde_json::json!({ "user": login })),
        None,
    )
    .await?;
    Ok(())
}
