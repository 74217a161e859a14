//! Sprint queries. All run inside an org-scoped transaction.

use diesel::prelude::*;
use diesel::sql_types::Uuid as SqlUuid;
use diesel_async::RunQueryDsl;
use tenancy::{Permission, ScopedConn};

use super::{Completion, Sprint, SprintChange, SprintId, SprintRow, SprintState, SprintTickets};
use crate::audit::{self, Change, Entity};
use crate::http::{ApiError, IfMatch};
use crate::ids::{ProjectId, TicketId};
use crate::projects::access;
use crate::schema::{projects, sprint_scope_changes, sprints, ticket_sprints};
use crate::tickets::{Ticket, TicketChange, TicketKey};

macro_rules! sprint_columns {
    () => {
        (
            sprints::id,
            sprints::project_id,
            sprints::name,
            sprints::goal,
            sprints::state,
            sprints::start_date,
            sprints::end_date,
            sprints::started_at,
            sprints::completed_at,
            sprints::version,
            sprints::created_at,
            sprints::updated_at,
            projects::key,
        )
    };
}

/// The sprint `$id` of the organization in scope, if it is still at `$version`.
macro_rules! guarded {
    ($tx:expr, $id:expr, $version:expr) => {
        sprints::table
            .filter(sprints::org_id.eq($tx.scope().org_id()))
            .filter(sprints::id.eq($id))
            .filter(sprints::version.eq($version))
    };
}

fn conflict_state(sprint: &Sprint, wanted: &str) -> ApiError {
    ApiError::conflict(
        "sprint-state",
        format!(
            "the sprint is {}; this needs a {wanted} sprint",
            sprint.state.as_str()
        ),
    )
    .with_extension("state", sprint.state.as_str().into())
}

/// The sprint with this id, if the caller may see its project.
pub(crate) async fn find(tx: &mut ScopedConn<'_>, id: SprintId) -> Result<Sprint, ApiError> {
    let row: Option<SprintRow> = sprints::table
        .inner_join(projects::table.on(projects::id.eq(sprints::project_id)))
        .filter(sprints::org_id.eq(tx.scope().org_id()))
        .filter(sprints::id.eq(id))
        .select(sprint_columns!())
        .first(tx.conn())
        .await
        .optional()?;
    let sprint = row
        .map(Sprint::from)
        .ok_or_else(|| ApiError::not_found("sprint"))?;
    access::visible(tx, sprint.project_id).map_err(|_| ApiError::not_found("sprint"))?;
    Ok(sprint)
}

/// Like [`find`], then the caller must be allowed to plan in its project.
async fn find_for_write(tx: &mut ScopedConn<'_>, id: SprintId) -> Result<Sprint, ApiError> {
    let sprint = find(tx, id).await?;
    access::require(tx, Permission::TicketsUpdate, sprint.project_id)?;
    Ok(sprint)
}

/// Holds the project row until the transaction ends: sprint starts (one active per
/// project) and rank moves queue on it, as ticket creation does.
pub(crate) async fn lock_project(
    tx: &mut ScopedConn<'_>,
    project: ProjectId,
) -> Result<(), ApiError> {
    projects::table
        .filter(projects::org_id.eq(tx.scope().org_id()))
        .filter(projects::id.eq(project))
        .select(projects::id)
        .for_no_key_update()
        .first::<uuid::Uuid>(tx.conn())
        .await?;
    Ok(())
}

pub(crate) async fn create(
    tx: &mut ScopedConn<'_>,
    project_key: &str,
    change: SprintChange,
) -> Result<Sprint, ApiError> {
    let project = crate::projects::queries::find(tx, project_key).await?;
    access::require(tx, Permission::TicketsUpdate, project.id)?;
    if project.archived_at.is_some() {
        return Err(ApiError::conflict(
            "project-archived",
            "the project is archived",
        ));
    }
    let id = SprintId::new();
    let name = change.name.unwrap_or_default();
    diesel::insert_into(sprints::table)
        .values((
            sprints::id.eq(id),
            sprints::org_id.eq(tx.scope().org_id()),
            sprints::project_id.eq(project.id),
            sprints::name.eq(&name),
            sprints::goal.eq(change.goal.unwrap_or_default()),
            sprints::start_date.eq(change.start_date.flatten()),
            sprints::end_date.eq(change.end_date.flatten()),
        ))
        .execute(tx.conn())
        .await
        .map_err(|e| {
            ApiError::unique_as(
                e,
                ApiError::conflict(
                    "already-exists",
                    format!("the project already has a sprint named `{name}`"),
                )
                .with_field("name"),
            )
        })?;
    let sprint = find(tx, id).await?;
    audit::record(
        tx,
        "sprint.create",
        Entity::Sprint(id),
        None,
        Some(audit::to_json(&sprint)),
    )
    .await?;
    Ok(sprint)
}

#[derive(serde::Deserialize, serde::Serialize)]
pub(crate) struct Cursor {
    id: SprintId,
}

impl Cursor {
    pub(crate) fn after(s: &Sprint) -> Self {
        Self { id: s.id }
    }
}

/// A project's sprints, oldest first, optionally of some states.
pub(crate) async fn list(
    tx: &mut ScopedConn<'_>,
    project_key: &str,
    states: Vec<SprintState>,
    cursor: Option<Cursor>,
    limit: i64,
) -> Result<Vec<Sprint>, ApiError> {
    let project = crate::projects::queries::find(tx, project_key).await?;
    let mut q = sprints::table
        .inner_join(projects::table.on(projects::id.eq(sprints::project_id)))
        .filter(sprints::org_id.eq(tx.scope().org_id()))
        .filter(sprints::project_id.eq(project.id))
        .select(sprint_columns!())
        .into_boxed();
    if !states.is_empty() {
        q = q.filter(sprints::state.eq_any(states.iter().map(|s| s.as_str()).collect::<Vec<_>>()));
    }
    if let Some(c) = cursor {
        q = q.filter(sprints::id.gt(c.id));
    }
    let rows: Vec<SprintRow> = q
        .order(sprints::id.asc())
        .limit(limit + 1)
        .load(tx.conn())
        .await?;
    Ok(rows.into_iter().map(Sprint::from).collect())
}

pub(crate) async fn update(
    tx: &mut ScopedConn<'_>,
    id: SprintId,
    if_match: &IfMatch,
    change: SprintChange,
) -> Result<Sprint, ApiError> {
    let before = find_for_write(tx, id).await?;
    if_match.check(before.version)?;
    let start = change.start_date.unwrap_or(before.start_date);
    let end = change.end_date.unwrap_or(before.end_date);
    super::check_dates(start, end)?;
    let name = change.name.unwrap_or_else(|| before.name.clone());
    let goal = change.goal.unwrap_or_else(|| before.goal.clone());
    let version = before.version;
    let taken = name.clone();
    Change {
        action: "sprint.update",
        entity: Entity::Sprint(id),
        before: &before,
        version,
    }
    .update(
        tx,
        async |tx| {
            diesel::update(guarded!(tx, id, version))
                .set((
                    sprints::name.eq(name),
                    sprints::goal.eq(goal),
                    sprints::start_date.eq(start),
                    sprints::end_date.eq(end),
                    sprints::version.eq(sprints::version + 1),
                    sprints::updated_at.eq(diesel::dsl::now),
                ))
                .execute(tx.conn())
                .await
        },
        async |tx| find(tx, id).await,
    )
    .await
    .map_err(|e| {
        if e.kind() == "already-exists" {
            ApiError::conflict(
                "already-exists",
                format!("the project already has a sprint named `{taken}`"),
            )
            .with_field("name")
        } else {
            e
        }
    })
}

/// Starts a future sprint: it becomes the project's one active sprint (409
/// `active-sprint-exists` while another is active).
pub(crate) async fn start(tx: &mut ScopedConn<'_>, id: SprintId) -> Result<Sprint, ApiError> {
    let probe = find_for_write(tx, id).await?;
    // Starts in one project queue here, so the check below sees any start that
    // committed first; the partial unique index backs it up.
    lock_project(tx, probe.project_id).await?;
    let before = find(tx, id).await?;
    if before.state != SprintState::Future {
        return Err(conflict_state(&before, "future"));
    }
    let active: Option<String> = sprints::table
        .filter(sprints::org_id.eq(tx.scope().org_id()))
        .filter(sprints::project_id.eq(before.project_id))
        .filter(sprints::state.eq("active"))
        .select(sprints::name)
        .first(tx.conn())
        .await
        .optional()?;
    if let Some(name) = active {
        return Err(ApiError::conflict(
            "active-sprint-exists",
            format!("`{name}` is active in this project; complete it first"),
        ));
    }
    let version = before.version;
    Change {
        action: "sprint.start",
        entity: Entity::Sprint(id),
        before: &before,
        version,
    }
    .update(
        tx,
        async |tx| {
            diesel::update(guarded!(tx, id, version))
                .set((
                    sprints::state.eq("active"),
                    sprints::started_at.eq(diesel::dsl::now),
                    sprints::start_date.eq(diesel::dsl::sql::<
                        diesel::sql_types::Nullable<diesel::sql_types::Date>,
                    >(
                        "COALESCE(start_date, current_date)"
                    )),
                    sprints::version.eq(sprints::version + 1),
                    sprints::updated_at.eq(diesel::dsl::now),
                ))
                .execute(tx.conn())
                .await
        },
        async |tx| find(tx, id).await,
    )
    .await
}

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = SqlUuid)]
    id: uuid::Uuid,
}

/// Completes the active sprint: every ticket in it joins its history; tickets not
/// done go to `move_to` (a future sprint of the project) or the backlog, done ones
/// leave it for the backlog's history; one transaction.
pub(crate) async fn complete(
    tx: &mut ScopedConn<'_>,
    id: SprintId,
    move_to: Option<SprintId>,
) -> Result<Completion, ApiError> {
    let before = find_for_write(tx, id).await?;
    if before.state != SprintState::Active {
        return Err(conflict_state(&before, "active"));
    }
    if let Some(target) = move_to {
        let bad = |detail: &'static str| ApiError::validation("move_open_to", detail);
        if target == id {
            return Err(bad("must be another sprint"));
        }
        let target = find(tx, target).await.map_err(|_| bad("no such sprint"))?;
        if target.project_id != before.project_id {
            return Err(bad("the sprint belongs to another project"));
        }
        if target.state != SprintState::Future {
            return Err(bad("must be a future sprint"));
        }
    }
    let version = before.version;
    let org = tx.scope().org_id();
    Change {
        action: "sprint.complete",
        entity: Entity::Sprint(id),
        before: &before,
        version,
    }
    .update(
        tx,
        // Closing the row first: a ticket write planning into this sprint holds it
        // shared (`check_open_sprint`), so it either finished before or sees `closed`.
        async |tx| {
            diesel::update(guarded!(tx, id, version))
                .set((
                    sprints::state.eq("closed"),
                    sprints::completed_at.eq(diesel::dsl::now),
                    sprints::version.eq(sprints::version + 1),
                    sprints::updated_at.eq(diesel::dsl::now),
                ))
                .execute(tx.conn())
                .await
        },
        async |tx| {
            diesel::sql_query(
                "INSERT INTO ticket_sprints (org_id, ticket_id, sprint_id) \
                 SELECT org_id, id, sprint_id FROM tickets \
                  WHERE org_id = $1 AND sprint_id = $2 AND deleted_at IS NULL \
                 ON CONFLICT DO NOTHING",
            )
            .bind::<SqlUuid, _>(org.0)
            .bind::<SqlUuid, _>(id.0)
            .execute(tx.conn())
            .await?;
            let moved: Vec<IdRow> = diesel::sql_query(
                "UPDATE tickets t SET sprint_id = $3, version = version + 1, updated_at = now() \
                  WHERE t.org_id = $1 AND t.sprint_id = $2 AND t.deleted_at IS NULL \
                    AND t.status_id IN (SELECT s.id FROM statuses s \
                                         WHERE s.org_id = $1 AND s.category <> 'done') \
                 RETURNING t.id",
            )
            .bind::<SqlUuid, _>(org.0)
            .bind::<SqlUuid, _>(id.0)
            .bind::<diesel::sql_types::Nullable<SqlUuid>, _>(move_to.map(|s| s.0))
            .load(tx.conn())
            .await?;
            // Deleted tickets leave the sprint too, but are not reported as done.
            let done: Vec<IdRow> = diesel::sql_query(
                "WITH cleared AS ( \
                   UPDATE tickets SET sprint_id = NULL, version = version + 1, updated_at = now() \
                    WHERE org_id = $1 AND sprint_id = $2 RETURNING id, deleted_at) \
                 SELECT id FROM cleared WHERE deleted_at IS NULL",
            )
            .bind::<SqlUuid, _>(org.0)
            .bind::<SqlUuid, _>(id.0)
            .load(tx.conn())
            .await?;
            let mut scope = Vec::new();
            for t in &moved {
                scope.push((id.0, t.id, "removed"));
                if let Some(target) = move_to {
                    scope.push((target.0, t.id, "added"));
                }
            }
            if !scope.is_empty() {
                let rows: Vec<_> = scope
                    .into_iter()
                    .map(|(sprint, ticket, change)| {
                        (
                            sprint_scope_changes::id.eq(uuid::Uuid::now_v7()),
                            sprint_scope_changes::org_id.eq(org),
                            sprint_scope_changes::sprint_id.eq(sprint),
                            sprint_scope_changes::ticket_id.eq(ticket),
                            sprint_scope_changes::change.eq(change),
                        )
                    })
                    .collect();
                diesel::insert_into(sprint_scope_changes::table)
                    .values(rows)
                    .execute(tx.conn())
                    .await?;
            }
            // Each ticket's history shows where it went.
            let target = match move_to {
                Some(to) => Some(find(tx, to).await?.name),
                None => None,
            };
            let sprint_change = |to: Option<&str>| {
                (
                    Some(serde_json::json!({ "sprint": before.name })),
                    Some(serde_json::json!({ "sprint": to })),
                )
            };
            let entries: Vec<_> = moved
                .iter()
                .map(|r| (r.id, target.as_deref()))
                .chain(done.iter().map(|r| (r.id, None)))
                .map(|(ticket, to)| {
                    let (from, to) = sprint_change(to);
                    (Entity::Ticket(TicketId(ticket)), from, to)
                })
                .collect();
            audit::record_many(tx, "ticket.update", entries).await?;
            Ok(Completion {
                sprint: find(tx, id).await?,
                done: done.into_iter().map(|r| TicketId(r.id)).collect(),
                moved: moved.into_iter().map(|r| TicketId(r.id)).collect(),
                moved_to: move_to,
            })
        },
    )
    .await
}

/// Deletes a future sprint; its tickets go back to the backlog.
pub(crate) async fn delete(
    tx: &mut ScopedConn<'_>,
    id: SprintId,
    if_match: &IfMatch,
) -> Result<(), ApiError> {
    let before = find_for_write(tx, id).await?;
    if_match.check(before.version)?;
    if before.state != SprintState::Future {
        return Err(conflict_state(&before, "future"));
    }
    let org = tx.scope().org_id();
    let returned: Vec<IdRow> = diesel::sql_query(
        "UPDATE tickets SET sprint_id = NULL, version = version + 1, updated_at = now() \
          WHERE org_id = $1 AND sprint_id = $2 AND deleted_at IS NULL RETURNING id",
    )
    .bind::<SqlUuid, _>(org.0)
    .bind::<SqlUuid, _>(id.0)
    .load(tx.conn())
    .await?;
    diesel::sql_query("UPDATE tickets SET sprint_id = NULL WHERE org_id = $1 AND sprint_id = $2")
        .bind::<SqlUuid, _>(org.0)
        .bind::<SqlUuid, _>(id.0)
        .execute(tx.conn())
        .await?;
    let returned: Vec<_> = returned
        .iter()
        .map(|r| {
            (
                Entity::Ticket(TicketId(r.id)),
                Some(serde_json::json!({ "sprint": before.name })),
                Some(serde_json::json!({ "sprint": null })),
            )
        })
        .collect();
    audit::record_many(tx, "ticket.update", returned).await?;
    diesel::delete(
        sprint_scope_changes::table
            .filter(sprint_scope_changes::org_id.eq(org))
            .filter(sprint_scope_changes::sprint_id.eq(id)),
    )
    .execute(tx.conn())
    .await?;
    diesel::delete(
        ticket_sprints::table
            .filter(ticket_sprints::org_id.eq(org))
            .filter(ticket_sprints::sprint_id.eq(id)),
    )
    .execute(tx.conn())
    .await?;
    let version = before.version;
    Change {
        action: "sprint.delete",
        entity: Entity::Sprint(id),
        before: &before,
        version,
    }
    .delete(tx, async |tx| {
        diesel::delete(guarded!(tx, id, version))
            .execute(tx.conn())
            .await
    })
    .await
}

/// A key from a body list: a bad or unknown key is a 422 naming its place.
fn body_key(field: &str, raw: &str) -> Result<TicketKey, ApiError> {
    TicketKey::parse(raw)
        .map_err(|_| ApiError::validation(field.to_owned(), format!("no ticket `{raw}`")))
}

fn in_body(field: String, e: ApiError) -> ApiError {
    if e.kind() == "not-found" {
        ApiError::validation(field, "no such ticket")
    } else {
        e.with_field(field)
    }
}

/// Plans tickets into the sprint and takes others out of it, each a guarded ticket
/// update with its audit entry and scope change.
pub(crate) async fn change_tickets(
    tx: &mut ScopedConn<'_>,
    id: SprintId,
    body: &SprintTickets,
) -> Result<Vec<Ticket>, ApiError> {
    let sprint = find_for_write(tx, id).await?;
    if sprint.state == SprintState::Closed {
        return Err(conflict_state(&sprint, "future or active"));
    }
    let mut out = Vec::with_capacity(body.add.len() + body.remove.len());
    for (i, raw) in body.add.iter().enumerate() {
        let field = format!("add[{i}]");
        let key = body_key(&field, raw)?;
        let change = TicketChange {
            sprint: Some(Some(id)),
            ..TicketChange::default()
        };
        let ticket = crate::tickets::queries::update(tx, &key, &IfMatch::any(), change)
            .await
            .map_err(|e| in_body(field, e))?;
        out.push(ticket);
    }
    for (i, raw) in body.remove.iter().enumerate() {
        let field = format!("remove[{i}]");
        let key = body_key(&field, raw)?;
        let current = crate::tickets::queries::find(tx, &key)
            .await
            .map_err(|e| in_body(field.clone(), e))?;
        if current.sprint.as_ref().map(|s| s.id) != Some(id) {
            return Err(ApiError::validation(
                field,
                "the ticket is not in this sprint",
            ));
        }
        let change = TicketChange {
            sprint: Some(None),
            ..TicketChange::default()
        };
        let ticket = crate::tickets::queries::update(tx, &key, &IfMatch::any(), change)
            .await
            .map_err(|e| in_body(field, e))?;
        out.push(ticket);
    }
    Ok(out)
}

/// One recorded scope change.
#[derive(Debug, Queryable, serde::Serialize, utoipa::ToSchema)]
pub struct ScopeChangeEntry {
    #[schema(value_type = String)]
    pub ticket_id: uuid::Uuid,
    /// `added` or `removed`.
    pub change: String,
    pub at: chrono::DateTime<chrono::Utc>,
}

/// The sprint's scope history, oldest first (for burndown).
pub(crate) async fn scope_changes(
    tx: &mut ScopedConn<'_>,
    id: SprintId,
) -> Result<Vec<ScopeChangeEntry>, ApiError> {
    find(tx, id).await?;
    Ok(sprint_scope_changes::table
        .filter(sprint_scope_changes::org_id.eq(tx.scope().org_id()))
        .filter(sprint_scope_changes::sprint_id.eq(id))
        .order((
            sprint_scope_changes::at.asc(),
            sprint_scope_changes::id.asc(),
        ))
        .select((
            sprint_scope_changes::ticket_id,
            sprint_scope_changes::change,
            sprint_scope_changes::at,
        ))
        .load(tx.conn())
        .await?)
}
