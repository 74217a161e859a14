//! Workflow edits. Each runs in the caller's transaction: find the project, check that
//! the caller may manage it, lock its workflow row, change, check the invariants (an
//! error rolls everything back), audit, and answer the workflow as it now is.

use std::collections::{HashMap, HashSet, VecDeque};

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};
use tenancy::{Permission, ScopedConn};

use super::{
    Status, StatusCategory, StatusId, TransitionId, ValidCopy, ValidStatus, ValidStatusPatch,
    ValidTransition, Workflow, WorkflowId, WorkflowStatus, WorkflowTransition, roles_from_db,
};
use crate::audit::{self, Entity, to_json};
use crate::http::ApiError;
use crate::ids::{ProjectId, TicketId};
use crate::refs::ProjectRole;
use crate::schema::{projects, statuses, tickets, transitions, workflows};

/// A project and its workflow.
#[derive(Debug, Clone, Copy)]
struct Target {
    project: ProjectId,
    workflow: WorkflowId,
}

/// The project `key` if the caller sees it (a hidden private project is a 404).
async fn project(tx: &mut ScopedConn<'_>, key: &str) -> Result<Option<Target>, ApiError> {
    let row: Option<(ProjectId, WorkflowId)> = projects::table
        .filter(projects::org_id.eq(tx.scope().org_id()))
        .filter(projects::key.eq(key))
        .select((projects::id, projects::workflow_id))
        .first(tx.conn())
        .await
        .optional()?;
    Ok(row
        .filter(|(project, _)| tx.scope().sees_project(project.0))
        .map(|(project, workflow)| Target { project, workflow }))
}

/// Fails with 403 unless the caller manages `project`: its lead, an org admin or owner.
fn require_manage(tx: &ScopedConn<'_>, project: ProjectId) -> Result<(), ApiError> {
    if tx
        .scope()
        .can_in_project(Permission::ProjectsUpdate, project.0)
    {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "only the project's lead, an org admin or an owner may change its workflow",
        ))
    }
}

/// Locks a workflow row until the transaction ends: edits of one workflow queue on it,
/// so each reads what the one before it left.
async fn lock_workflow(tx: &mut ScopedConn<'_>, workflow: WorkflowId) -> Result<(), ApiError> {
    workflows::table
        .filter(workflows::org_id.eq(tx.scope().org_id()))
        .filter(workflows::id.eq(workflow))
        .select(workflows::id)
        .for_update()
        .first::<WorkflowId>(tx.conn())
        .await?;
    Ok(())
}

/// Fails unless project `key` exists, is visible and the caller manages it: checked
/// before a body's fields are.
pub(super) async fn require_manage_key(tx: &mut ScopedConn<'_>, key: &str) -> Result<(), ApiError> {
    let target = project(tx, key)
        .await?
        .ok_or_else(|| ApiError::not_found("project"))?;
    require_manage(tx, target.project)
}

/// The project `key`, checked for the right to manage it, with its workflow locked.
async fn lock(tx: &mut ScopedConn<'_>, key: &str) -> Result<Target, ApiError> {
    let target = project(tx, key)
        .await?
        .ok_or_else(|| ApiError::not_found("project"))?;
    require_manage(tx, target.project)?;
    lock_workflow(tx, target.workflow).await?;
    Ok(target)
}

/// A status row of the workflow being edited.
#[derive(Debug, Clone)]
pub(crate) struct StatusRow {
    pub id: StatusId,
    pub name: String,
    pub category: StatusCategory,
    pub position: i32,
}

impl StatusRow {
    fn status(&self) -> Status {
        Status {
            id: self.id,
            name: self.name.clone(),
            category: self.category,
        }
    }
}

/// A transition row of the workflow being edited.
#[derive(Debug, Clone)]
pub(crate) struct TransitionRow {
    pub id: TransitionId,
    pub from: StatusId,
    pub to: StatusId,
    pub name: String,
    pub allowed_roles: Vec<ProjectRole>,
}

/// The workflow's statuses in order (the first is the initial status).
async fn status_rows(
    tx: &mut ScopedConn<'_>,
    workflow: WorkflowId,
) -> Result<Vec<StatusRow>, ApiError> {
    let rows: Vec<(StatusId, String, String, i32)> = statuses::table
        .filter(statuses::org_id.eq(tx.scope().org_id()))
        .filter(statuses::workflow_id.eq(workflow))
        .order((statuses::position.asc(), statuses::id.asc()))
        .select((
            statuses::id,
            statuses::name,
            statuses::category,
            statuses::position,
        ))
        .load(tx.conn())
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, category, position)| StatusRow {
            id,
            name,
            category: StatusCategory::from_db(&category),
            position,
        })
        .collect())
}

async fn transition_rows(
    tx: &mut ScopedConn<'_>,
    workflow: WorkflowId,
) -> Result<Vec<TransitionRow>, ApiError> {
    type Row = (TransitionId, StatusId, StatusId, String, Vec<String>);
    let rows: Vec<Row> = transitions::table
        .filter(transitions::org_id.eq(tx.scope().org_id()))
        .filter(transitions::workflow_id.eq(workflow))
        .order(transitions::id.asc())
        .select((
            transitions::id,
            transitions::from_status_id,
            transitions::to_status_id,
            transitions::name,
            transitions::allowed_roles,
        ))
        .load(tx.conn())
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, from, to, name, roles)| TransitionRow {
            id,
            from,
            to,
            name,
            allowed_roles: roles_from_db(&roles),
        })
        .collect())
}

/// Tickets per status of the workflow: live ones only, or deleted ones too.
async fn ticket_counts(
    tx: &mut ScopedConn<'_>,
    workflow: WorkflowId,
    live_only: bool,
) -> Result<HashMap<StatusId, i64>, ApiError> {
    let in_workflow = statuses::table
        .filter(statuses::org_id.eq(tx.scope().org_id()))
        .filter(statuses::workflow_id.eq(workflow))
        .select(statuses::id);
    let mut query = tickets::table
        .filter(tickets::org_id.eq(tx.scope().org_id()))
        .filter(tickets::status_id.eq_any(in_workflow))
        .group_by(tickets::status_id)
        .select((tickets::status_id, diesel::dsl::count_star()))
        .into_boxed();
    if live_only {
        query = query.filter(tickets::deleted_at.is_null());
    }
    let rows: Vec<(StatusId, i64)> = query.load(tx.conn()).await?;
    Ok(rows.into_iter().collect())
}

/// The status of `rows` named `name` (case-insensitively), or a 422 on `field`.
fn by_name<'a>(
    rows: &'a [StatusRow],
    field: &'static str,
    name: &str,
) -> Result<&'a StatusRow, ApiError> {
    rows.iter()
        .find(|r| r.name.eq_ignore_ascii_case(name))
        .ok_or_else(|| ApiError::validation(field, format!("the workflow has no status `{name}`")))
}

fn by_id(rows: &[StatusRow], id: StatusId) -> Result<&StatusRow, ApiError> {
    rows.iter()
        .find(|r| r.id == id)
        .ok_or_else(|| ApiError::not_found("status"))
}

/// The workflow with its ticket counts.
async fn load(tx: &mut ScopedConn<'_>, workflow: WorkflowId) -> Result<Workflow, ApiError> {
    let rows = status_rows(tx, workflow).await?;
    let counts = ticket_counts(tx, workflow, true).await?;
    let transitions = transition_rows(tx, workflow).await?;
    let status_of = |id: StatusId| rows.iter().find(|r| r.id == id).map(StatusRow::status);
    let transitions = transitions
        .into_iter()
        .filter_map(|t| {
            Some(WorkflowTransition {
                id: t.id,
                name: t.name,
                from: status_of(t.from)?,
                to: status_of(t.to)?,
                allowed_roles: t.allowed_roles,
            })
        })
        .collect();
    let statuses = rows
        .iter()
        .map(|r| WorkflowStatus {
            id: r.id,
            name: r.name.clone(),
            category: r.category,
            position: r.position,
            tickets: counts.get(&r.id).copied().unwrap_or(0),
        })
        .collect();
    Ok(Workflow {
        statuses,
        transitions,
    })
}

/// The workflow of project `key`, for anyone who sees the project.
pub(super) async fn get(tx: &mut ScopedConn<'_>, key: &str) -> Result<Workflow, ApiError> {
    let target = project(tx, key)
        .await?
        .ok_or_else(|| ApiError::not_found("project"))?;
    load(tx, target.workflow).await
}

/// What is wrong with a workflow, if anything: it needs a `todo` and a `done` status,
/// and every status reachable from the initial (first) one through transitions.
pub(crate) fn invariant_violation(
    statuses: &[StatusRow],
    transitions: &[TransitionRow],
) -> Option<String> {
    let Some(initial) = statuses.first() else {
        return Some("a workflow needs at least one status".to_owned());
    };
    for category in [StatusCategory::Todo, StatusCategory::Done] {
        if !statuses.iter().any(|s| s.category == category) {
            return Some(format!(
                "the workflow needs at least one `{}` status",
                category.as_str()
            ));
        }
    }
    let mut reached: HashSet<StatusId> = HashSet::from([initial.id]);
    let mut queue = VecDeque::from([initial.id]);
    while let Some(at) = queue.pop_front() {
        for t in transitions.iter().filter(|t| t.from == at) {
            if reached.insert(t.to) {
                queue.push_back(t.to);
            }
        }
    }
    let unreachable: Vec<String> = statuses
        .iter()
        .filter(|s| !reached.contains(&s.id))
        .map(|s| format!("`{}`", s.name))
        .collect();
    (!unreachable.is_empty()).then(|| {
        format!(
            "every status must be reachable from the initial status `{}` through transitions; \
             {} cannot be reached",
            initial.name,
            unreachable.join(", ")
        )
    })
}

/// Fails with 422 `workflow-invariant` when the workflow as it now stands (in this
/// transaction) breaks a rule; the caller's transaction then rolls back.
async fn check_invariants(tx: &mut ScopedConn<'_>, workflow: WorkflowId) -> Result<(), ApiError> {
    let statuses = status_rows(tx, workflow).await?;
    let transitions = transition_rows(tx, workflow).await?;
    match invariant_violation(&statuses, &transitions) {
        None => Ok(()),
        Some(message) => Err(ApiError::unprocessable("workflow-invariant", message)),
    }
}

/// Moves every ticket (deleted ones too: the foreign key holds them) of status `from`
/// into `to`, or, when both are the same status, applies its new category. `resolved_at`
/// follows the target's category: kept or set entering `done`, cleared elsewhere. Each
/// ticket gets an audit entry with its status and `resolved_at` before and after, so its
/// history shows the change. Answers how many tickets changed.
async fn rewrite_tickets(
    tx: &mut ScopedConn<'_>,
    from: &StatusRow,
    to: &StatusRow,
    action: &'static str,
) -> Result<usize, ApiError> {
    let org = tx.scope().org_id();
    let before: Vec<(TicketId, Option<DateTime<Utc>>)> = tickets::table
        .filter(tickets::org_id.eq(org))
        .filter(tickets::status_id.eq(from.id))
        .order(tickets::id.asc())
        .select((tickets::id, tickets::resolved_at))
        .for_update()
        .load(tx.conn())
        .await?;
    if before.is_empty() {
        return Ok(0);
    }
    let now = Utc::now();
    let in_status = tickets::table
        .filter(tickets::org_id.eq(org))
        .filter(tickets::status_id.eq(from.id));
    if to.category == StatusCategory::Done {
        // Already resolved tickets keep their date.
        diesel::update(in_status.filter(tickets::resolved_at.is_null()))
            .set(tickets::resolved_at.eq(Some(now)))
            .execute(tx.conn())
            .await?;
    } else {
        diesel::update(in_status)
            .set(tickets::resolved_at.eq(None::<DateTime<Utc>>))
            .execute(tx.conn())
            .await?;
    }
    diesel::update(in_status)
        .set((
            tickets::status_id.eq(to.id),
            tickets::version.eq(tickets::version + 1),
            tickets::updated_at.eq(diesel::dsl::now),
        ))
        .execute(tx.conn())
        .await?;
    let entries = before
        .iter()
        .map(|(id, resolved_before)| {
            let resolved_after = match to.category {
                StatusCategory::Done => Some(resolved_before.unwrap_or(now)),
                _ => None,
            };
            (
                Entity::Ticket(*id),
                Some(json!({ "status": from.status(), "resolved_at": resolved_before })),
                Some(json!({ "status": to.status(), "resolved_at": resolved_after })),
            )
        })
        .collect();
    audit::record_many(tx, action, entries).await?;
    Ok(before.len())
}

fn duplicate_name(name: &str) -> ApiError {
    ApiError::conflict(
        "already-exists",
        format!("the workflow already has a status `{name}`"),
    )
    .with_field("name")
}

async fn insert_status(
    tx: &mut ScopedConn<'_>,
    workflow: WorkflowId,
    row: &StatusRow,
) -> Result<(), ApiError> {
    diesel::insert_into(statuses::table)
        .values((
            statuses::id.eq(row.id),
            statuses::org_id.eq(tx.scope().org_id()),
            statuses::workflow_id.eq(workflow),
            statuses::name.eq(&row.name),
            statuses::category.eq(row.category.as_str()),
            statuses::position.eq(row.position),
        ))
        .execute(tx.conn())
        .await?;
    Ok(())
}

async fn insert_transition(
    tx: &mut ScopedConn<'_>,
    workflow: WorkflowId,
    row: &TransitionRow,
) -> Result<(), ApiError> {
    let roles: Vec<&str> = row.allowed_roles.iter().map(|r| r.as_str()).collect();
    diesel::insert_into(transitions::table)
        .values((
            transitions::id.eq(row.id),
            transitions::org_id.eq(tx.scope().org_id()),
            transitions::workflow_id.eq(workflow),
            transitions::from_status_id.eq(row.from),
            transitions::to_status_id.eq(row.to),
            transitions::name.eq(&row.name),
            transitions::allowed_roles.eq(roles),
        ))
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Ends an edit: checks the invariants, records `action` and answers the workflow.
async fn finish(
    tx: &mut ScopedConn<'_>,
    target: Target,
    action: &'static str,
    before: Option<Value>,
    after: Option<Value>,
) -> Result<Workflow, ApiError> {
    check_invariants(tx, target.workflow).await?;
    audit::record(tx, action, Entity::Workflow(target.workflow), before, after).await?;
    load(tx, target.workflow).await
}

/// Adds a status at the end of the workflow, with transitions into it from `from` and
/// out of it to `to`.
pub(super) async fn create_status(
    tx: &mut ScopedConn<'_>,
    key: &str,
    new: ValidStatus,
) -> Result<Workflow, ApiError> {
    let target = lock(tx, key).await?;
    let rows = status_rows(tx, target.workflow).await?;
    if rows.iter().any(|r| r.name.eq_ignore_ascii_case(&new.name)) {
        return Err(duplicate_name(&new.name));
    }
    let status = StatusRow {
        id: StatusId::new(),
        name: new.name,
        category: new.category,
        position: rows.iter().map(|r| r.position).max().unwrap_or(-1) + 1,
    };
    let mut steps: Vec<TransitionRow> = Vec::new();
    for name in &new.from {
        let from = by_name(&rows, "from", name)?;
        steps.push(TransitionRow {
            id: TransitionId::new(),
            from: from.id,
            to: status.id,
            name: status.name.clone(),
            allowed_roles: Vec::new(),
        });
    }
    for name in &new.to {
        let to = by_name(&rows, "to", name)?;
        steps.push(TransitionRow {
            id: TransitionId::new(),
            from: status.id,
            to: to.id,
            name: to.name.clone(),
            allowed_roles: Vec::new(),
        });
    }
    let mut seen = HashSet::new();
    steps.retain(|t| seen.insert((t.from, t.to)));
    insert_status(tx, target.workflow, &status).await?;
    for step in &steps {
        insert_transition(tx, target.workflow, step).await?;
    }
    let after = json!({ "status": status.status(), "position": status.position });
    finish(tx, target, "workflow.status.create", None, Some(after)).await
}

/// Renames a status or changes its category (its tickets' `resolved_at` follows).
pub(super) async fn update_status(
    tx: &mut ScopedConn<'_>,
    key: &str,
    id: StatusId,
    patch: ValidStatusPatch,
) -> Result<Workflow, ApiError> {
    let target = lock(tx, key).await?;
    let rows = status_rows(tx, target.workflow).await?;
    let before = by_id(&rows, id)?.clone();
    let mut after = before.clone();
    if let Some(name) = patch.name {
        if rows
            .iter()
            .any(|r| r.id != id && r.name.eq_ignore_ascii_case(&name))
        {
            return Err(duplicate_name(&name));
        }
        after.name = name;
    }
    if let Some(category) = patch.category {
        after.category = category;
    }
    diesel::update(
        statuses::table
            .filter(statuses::org_id.eq(tx.scope().org_id()))
            .filter(statuses::id.eq(id)),
    )
    .set((
        statuses::name.eq(&after.name),
        statuses::category.eq(after.category.as_str()),
    ))
    .execute(tx.conn())
    .await?;
    let was_done = before.category == StatusCategory::Done;
    if was_done != (after.category == StatusCategory::Done) {
        rewrite_tickets(tx, &before, &after, "ticket.resolution").await?;
    }
    finish(
        tx,
        target,
        "workflow.status.update",
        Some(to_json(&before.status())),
        Some(to_json(&after.status())),
    )
    .await
}

/// Deletes a status and its transitions. Its tickets move to `move_to` (required when
/// live tickets are in it; deleted ones alone go to the first remaining status).
pub(super) async fn delete_status(
    tx: &mut ScopedConn<'_>,
    key: &str,
    id: StatusId,
    move_to: Option<String>,
) -> Result<Workflow, ApiError> {
    let target = lock(tx, key).await?;
    let rows = status_rows(tx, target.workflow).await?;
    let victim = by_id(&rows, id)?.clone();
    let remaining: Vec<StatusRow> = rows.iter().filter(|r| r.id != id).cloned().collect();
    let live = ticket_counts(tx, target.workflow, true)
        .await?
        .get(&id)
        .copied()
        .unwrap_or(0);
    let destination = match &move_to {
        Some(name) => {
            let to = by_name(&rows, "move_to", name)?;
            if to.id == id {
                return Err(ApiError::validation(
                    "move_to",
                    "tickets cannot move to the status being deleted",
                ));
            }
            Some(to.clone())
        }
        None if live > 0 => {
            return Err(ApiError::validation(
                "move_to",
                format!(
                    "`{}` holds {live} ticket(s): name the status they move to in `move_to`",
                    victim.name
                ),
            ));
        }
        None => <[StatusRow]>::first(&remaining).cloned(),
    };
    let moved = match &destination {
        Some(to) => rewrite_tickets(tx, &victim, to, "ticket.transition").await?,
        None => 0,
    };
    let in_workflow = transitions::table
        .filter(transitions::org_id.eq(tx.scope().org_id()))
        .filter(transitions::workflow_id.eq(target.workflow));
    diesel::delete(
        in_workflow.filter(
            transitions::from_status_id
                .eq(id)
                .or(transitions::to_status_id.eq(id)),
        ),
    )
    .execute(tx.conn())
    .await?;
    diesel::delete(
        statuses::table
            .filter(statuses::org_id.eq(tx.scope().org_id()))
            .filter(statuses::id.eq(id)),
    )
    .execute(tx.conn())
    .await?;
    let after = json!({
        "moved_to": destination.map(|d| d.status()),
        "tickets_moved": moved,
    });
    finish(
        tx,
        target,
        "workflow.status.delete",
        Some(to_json(&victim.status())),
        Some(after),
    )
    .await
}

/// Puts the statuses in the order named (every status once); the first is initial.
pub(super) async fn reorder(
    tx: &mut ScopedConn<'_>,
    key: &str,
    names: Vec<String>,
) -> Result<Workflow, ApiError> {
    let target = lock(tx, key).await?;
    let rows = status_rows(tx, target.workflow).await?;
    let mut order: Vec<StatusId> = Vec::new();
    for name in &names {
        let row = by_name(&rows, "statuses", name)?;
        if order.contains(&row.id) {
            return Err(ApiError::validation(
                "statuses",
                format!("`{}` is named twice", row.name),
            ));
        }
        order.push(row.id);
    }
    if let Some(missing) = rows.iter().find(|r| !order.contains(&r.id)) {
        return Err(ApiError::validation(
            "statuses",
            format!(
                "name every status of the workflow once: `{}` is missing",
                missing.name
            ),
        ));
    }
    for (position, id) in (0..).zip(&order) {
        diesel::update(
            statuses::table
                .filter(statuses::org_id.eq(tx.scope().org_id()))
                .filter(statuses::id.eq(*id)),
        )
        .set(statuses::position.eq(position))
        .execute(tx.conn())
        .await?;
    }
    let before: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    let after: Vec<&str> = order
        .iter()
        .filter_map(|id| rows.iter().find(|r| r.id == *id).map(|r| r.name.as_str()))
        .collect();
    finish(
        tx,
        target,
        "workflow.reorder",
        Some(json!({ "statuses": before })),
        Some(json!({ "statuses": after })),
    )
    .await
}

fn transition_json(t: &TransitionRow, rows: &[StatusRow]) -> Value {
    let name_of = |id: StatusId| rows.iter().find(|r| r.id == id).map(|r| r.name.clone());
    json!({
        "id": t.id,
        "name": t.name,
        "from": name_of(t.from),
        "to": name_of(t.to),
        "allowed_roles": t.allowed_roles,
    })
}

/// Adds a transition between two statuses of the workflow.
pub(super) async fn create_transition(
    tx: &mut ScopedConn<'_>,
    key: &str,
    new: ValidTransition,
) -> Result<Workflow, ApiError> {
    let target = lock(tx, key).await?;
    let rows = status_rows(tx, target.workflow).await?;
    let from = by_name(&rows, "from", &new.from)?.id;
    let to = by_name(&rows, "to", &new.to)?.id;
    if from == to {
        return Err(ApiError::validation(
            "to",
            "a transition joins two different statuses",
        ));
    }
    let existing = transition_rows(tx, target.workflow).await?;
    if existing.iter().any(|t| t.from == from && t.to == to) {
        return Err(ApiError::conflict(
            "already-exists",
            format!(
                "the workflow already has a transition from `{}` to `{}`",
                new.from, new.to
            ),
        ));
    }
    let row = TransitionRow {
        id: TransitionId::new(),
        from,
        to,
        name: new.name,
        allowed_roles: new.allowed_roles,
    };
    insert_transition(tx, target.workflow, &row).await?;
    let after = transition_json(&row, &rows);
    finish(tx, target, "workflow.transition.create", None, Some(after)).await
}

/// Deletes a transition (refused when a status would become unreachable).
pub(super) async fn delete_transition(
    tx: &mut ScopedConn<'_>,
    key: &str,
    id: TransitionId,
) -> Result<Workflow, ApiError> {
    let target = lock(tx, key).await?;
    let rows = status_rows(tx, target.workflow).await?;
    let existing = transition_rows(tx, target.workflow).await?;
    let row = existing
        .iter()
        .find(|t| t.id == id)
        .ok_or_else(|| ApiError::not_found("transition"))?;
    let before = transition_json(row, &rows);
    diesel::delete(
        transitions::table
            .filter(transitions::org_id.eq(tx.scope().org_id()))
            .filter(transitions::id.eq(id)),
    )
    .execute(tx.conn())
    .await?;
    finish(tx, target, "workflow.transition.delete", Some(before), None).await
}

/// Replaces project `key`'s workflow with a copy of project `copy.from`'s, in place:
/// statuses whose names both have keep their rows (and tickets), the others' tickets
/// move as `copy.mapping` says, and the project's old statuses not in the copy go.
pub(super) async fn copy(
    tx: &mut ScopedConn<'_>,
    key: &str,
    copy: ValidCopy,
) -> Result<Workflow, ApiError> {
    let target = project(tx, key)
        .await?
        .ok_or_else(|| ApiError::not_found("project"))?;
    require_manage(tx, target.project)?;
    // A project the caller cannot see reads as one that does not exist.
    let source = project(tx, &copy.from).await?.ok_or_else(|| {
        ApiError::validation("from", format!("there is no project `{}`", copy.from))
    })?;
    if source.project == target.project {
        return Err(ApiError::validation(
            "from",
            "a project cannot copy its own workflow",
        ));
    }
    // Both rows, in one order for everyone, so two copies in opposite directions
    // cannot deadlock.
    let (first, second) = if source.workflow.0 < target.workflow.0 {
        (source.workflow, target.workflow)
    } else {
        (target.workflow, source.workflow)
    };
    lock_workflow(tx, first).await?;
    lock_workflow(tx, second).await?;

    let before = to_json(&load(tx, target.workflow).await?);
    let src_statuses = status_rows(tx, source.workflow).await?;
    let src_transitions = transition_rows(tx, source.workflow).await?;
    let old = status_rows(tx, target.workflow).await?;
    let live = ticket_counts(tx, target.workflow, true).await?;
    let kept_name = |row: &StatusRow| {
        src_statuses
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(&row.name))
    };

    // Where each old status's tickets go: the mapping, else the copied status of the
    // same name; a status holding live tickets with neither is refused.
    let mut destination: HashMap<StatusId, StatusId> = HashMap::new();
    for (from, to) in &copy.mapping {
        let old_row = old
            .iter()
            .find(|r| r.name.eq_ignore_ascii_case(from))
            .ok_or_else(|| {
                ApiError::validation("mapping", format!("this project has no status `{from}`"))
            })?;
        let new_row = src_statuses
            .iter()
            .find(|r| r.name.eq_ignore_ascii_case(to))
            .ok_or_else(|| {
                ApiError::validation(
                    "mapping",
                    format!("`{}`'s workflow has no status `{to}`", copy.from),
                )
            })?;
        destination.insert(old_row.id, new_row.id);
    }
    let unmapped: Vec<String> = old
        .iter()
        .filter(|r| !destination.contains_key(&r.id) && kept_name(r).is_none())
        .filter(|r| live.get(&r.id).copied().unwrap_or(0) > 0)
        .map(|r| r.name.clone())
        .collect();
    if !unmapped.is_empty() {
        let names: Vec<String> = unmapped.iter().map(|n| format!("`{n}`")).collect();
        return Err(ApiError::validation(
            "mapping",
            format!(
                "{} hold(s) tickets and `{}`'s workflow has no status of that name: \
                 map each to one of its statuses in `mapping`",
                names.join(", "),
                copy.from
            ),
        )
        .with_extension("unmapped", unmapped.into()));
    }

    // The copied statuses: an old row of the same name is reused (its id, so its
    // tickets stay), the others are new rows.
    let mut id_of: HashMap<StatusId, StatusId> = HashMap::new();
    let mut new_rows: Vec<StatusRow> = Vec::new();
    for src in &src_statuses {
        let reused = old.iter().find(|r| r.name.eq_ignore_ascii_case(&src.name));
        let row = StatusRow {
            id: reused.map_or_else(StatusId::new, |r| r.id),
            ..src.clone()
        };
        id_of.insert(src.id, row.id);
        match reused {
            Some(was) => {
                diesel::update(
                    statuses::table
                        .filter(statuses::org_id.eq(tx.scope().org_id()))
                        .filter(statuses::id.eq(row.id)),
                )
                .set((
                    statuses::name.eq(&row.name),
                    statuses::category.eq(row.category.as_str()),
                    statuses::position.eq(row.position),
                ))
                .execute(tx.conn())
                .await?;
                if (was.category == StatusCategory::Done) != (row.category == StatusCategory::Done)
                {
                    rewrite_tickets(tx, was, &row, "ticket.resolution").await?;
                }
            }
            None => insert_status(tx, target.workflow, &row).await?,
        }
        new_rows.push(row);
    }
    diesel::delete(
        transitions::table
            .filter(transitions::org_id.eq(tx.scope().org_id()))
            .filter(transitions::workflow_id.eq(target.workflow)),
    )
    .execute(tx.conn())
    .await?;
    let initial = <[StatusRow]>::first(&new_rows).cloned();
    for was in &old {
        let to = destination
            .get(&was.id)
            .and_then(|src| id_of.get(src))
            .and_then(|id| new_rows.iter().find(|r| r.id == *id));
        let reused = new_rows.iter().any(|r| r.id == was.id);
        match (to, reused) {
            (Some(to), _) if to.id != was.id => {
                let current = new_rows.iter().find(|r| r.id == was.id).unwrap_or(was);
                rewrite_tickets(tx, current, to, "ticket.transition").await?;
            }
            (_, true) => {}
            // Not copied and not mapped: only deleted tickets can be left in it.
            (_, false) => {
                if let Some(initial) = &initial {
                    rewrite_tickets(tx, was, initial, "ticket.transition").await?;
                }
            }
        }
        if !reused {
            diesel::delete(
                statuses::table
                    .filter(statuses::org_id.eq(tx.scope().org_id()))
                    .filter(statuses::id.eq(was.id)),
            )
            .execute(tx.conn())
            .await?;
        }
    }
    for t in &src_transitions {
        let (Some(from), Some(to)) = (id_of.get(&t.from), id_of.get(&t.to)) else {
            continue;
        };
        let row = TransitionRow {
            id: TransitionId::new(),
            from: *from,
            to: *to,
            ..t.clone()
        };
        insert_transition(tx, target.workflow, &row).await?;
    }
    check_invariants(tx, target.workflow).await?;
    let after = load(tx, target.workflow).await?;
    audit::record(
        tx,
        "workflow.copy",
        Entity::Workflow(target.workflow),
        Some(before),
        Some(json!({ "from": copy.from, "workflow": to_json(&after) })),
    )
    .await?;
    Ok(after)
}
