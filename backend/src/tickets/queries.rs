//! Ticket queries. All run inside an org-scoped transaction.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use tenancy::{ScopedConn, UserId};

use super::{
    Priority, Ticket, TicketChange, TicketId, TicketKey, TicketRow, TicketType, hierarchy,
    planning, watching,
};
use crate::audit::{self, Change, Entity};
use crate::http::{ApiError, IfMatch};
use crate::projects::access;
use crate::schema::{
    projects, statuses, ticket_import_keys, ticket_key_aliases, ticket_views, tickets,
};
use crate::workflows::{self, StatusCategory, Transition};

async fn member_id(tx: &mut ScopedConn<'_>, login: &str) -> Result<UserId, ApiError> {
    crate::orgs::queries::find_member(tx, login)
        .await?
        .map(|(id, _)| id)
        .ok_or_else(|| {
            ApiError::validation(
                "assignee",
                format!("`{login}` is not a member of this organization"),
            )
        })
}

async fn assignee_id(
    tx: &mut ScopedConn<'_>,
    login: Option<&str>,
) -> Result<Option<UserId>, ApiError> {
    match login {
        Some(login) => member_id(tx, login).await.map(Some),
        None => Ok(None),
    }
}

/// The ticket with this id, deleted or not, without access checks (for writes that
/// already checked them).
pub(crate) async fn load(tx: &mut ScopedConn<'_>, id: TicketId) -> Result<Ticket, ApiError> {
    let row: TicketRow = ticket_views::table
        .filter(ticket_views::org_id.eq(tx.scope().org_id()))
        .find(id)
        .select(TicketRow::as_select())
        .first(tx.conn())
        .await?;
    let mut ticket = Ticket::from(row);
    access::visible(tx, ticket.project_id)?;
    hide_invisible_relatives(tx, std::slice::from_mut(&mut ticket)).await?;
    Ok(ticket)
}

/// What a caller with hidden projects may not learn through a ticket they see: its
/// parent's key when the parent is in a private project they cannot see (blanked), and
/// its children there (left out of `children`, total and done). Costs nothing for
/// callers who see every project, and a query each only for tickets that have a parent
/// or children.
pub(crate) async fn hide_invisible_relatives(
    tx: &mut ScopedConn<'_>,
    tickets: &mut [Ticket],
) -> Result<(), ApiError> {
    let hidden = access::hidden(tx.scope());
    if hidden.is_empty() {
        return Ok(());
    }
    let org = tx.scope().org_id();
    if tickets.iter().any(|t| t.parent.is_some()) {
        let keys: Vec<String> = projects::table
            .filter(projects::org_id.eq(org))
            .filter(projects::id.eq_any(&hidden))
            .select(projects::key)
            .load(tx.conn())
            .await?;
        for ticket in tickets.iter_mut() {
            let in_hidden = ticket
                .parent
                .as_deref()
                .and_then(|key| key.rsplit_once('-'))
                .is_some_and(|(project, _)| keys.iter().any(|k| k == project));
            if in_hidden {
                ticket.parent = None;
            }
        }
    }
    let parents: Vec<TicketId> = tickets
        .iter()
        .filter(|t| t.children.total > 0)
        .map(|t| t.id)
        .collect();
    if !parents.is_empty() {
        use diesel::dsl::{count_star, sql};
        let seen: Vec<(Option<TicketId>, i64, i64)> = tickets::table
            .filter(tickets::org_id.eq(org))
            .filter(tickets::parent_id.eq_any(&parents))
            .filter(tickets::deleted_at.is_null())
            .filter(tickets::project_id.ne_all(&hidden))
            .group_by(tickets::parent_id)
            .select((
                tickets::parent_id,
                count_star(),
                sql::<diesel::sql_types::BigInt>("count(*) FILTER (WHERE resolved_at IS NOT NULL)"),
            ))
            .load(tx.conn())
            .await?;
        for ticket in tickets.iter_mut().filter(|t| t.children.total > 0) {
            let (total, done) = seen
                .iter()
                .find(|(parent, _, _)| *parent == Some(ticket.id))
                .map_or((0, 0), |(_, total, done)| (*total, *done));
            ticket.children = super::Children { total, done };
        }
    }
    Ok(())
}

/// The ticket a former key names: one that moved to another project (its old keys
/// are in `ticket_key_aliases`, by the old project and number), or one imported with
/// that key from another tracker (`ticket_import_keys`). Asked only after the key
/// named no live ticket, so reads of current keys cost nothing more.
async fn aliased(tx: &mut ScopedConn<'_>, key: &TicketKey) -> Result<Option<TicketId>, ApiError> {
    let org = tx.scope().org_id();
    let moved = ticket_key_aliases::table
        .inner_join(projects::table.on(projects::id.eq(ticket_key_aliases::project_id)))
        .filter(ticket_key_aliases::org_id.eq(org))
        .filter(projects::org_id.eq(org))
        .filter(projects::key.eq(&key.project))
        .filter(ticket_key_aliases::number.eq(key.number))
        .select(ticket_key_aliases::ticket_id)
        .first(tx.conn())
        .await
        .optional()?;
    if moved.is_some() {
        return Ok(moved);
    }
    Ok(ticket_import_keys::table
        .filter(ticket_import_keys::org_id.eq(org))
        .filter(ticket_import_keys::source_key.eq(format!("{}-{}", key.project, key.number)))
        .select(ticket_import_keys::ticket_id)
        .first(tx.conn())
        .await
        .optional()?)
}

/// The live ticket `key` names, its current key or a former one (reads and writes
/// both follow a moved ticket's old key), without access checks.
async fn live_row(tx: &mut ScopedConn<'_>, key: &TicketKey) -> Result<Option<TicketRow>, ApiError> {
    let org = tx.scope().org_id();
    let row: Option<TicketRow> = ticket_views::table
        .filter(ticket_views::org_id.eq(org))
        .filter(ticket_views::project_key.eq(&key.project))
        .filter(ticket_views::number.eq(key.number))
        .filter(ticket_views::deleted_at.is_null())
        .select(TicketRow::as_select())
        .first(tx.conn())
        .await
        .optional()?;
    if row.is_some() {
        return Ok(row);
    }
    let Some(id) = aliased(tx, key).await? else {
        return Ok(None);
    };
    Ok(ticket_views::table
        .filter(ticket_views::org_id.eq(org))
        .filter(ticket_views::id.eq(id))
        .filter(ticket_views::deleted_at.is_null())
        .select(TicketRow::as_select())
        .first(tx.conn())
        .await
        .optional()?)
}

/// The id and project of the live ticket `key` names (current or former key), if the
/// caller may see it; otherwise `None`, as if it did not exist.
pub(super) async fn locate(
    tx: &mut ScopedConn<'_>,
    key: &TicketKey,
) -> Result<Option<(TicketId, crate::projects::ProjectId)>, ApiError> {
    let org = tx.scope().org_id();
    let direct: Option<(TicketId, crate::projects::ProjectId)> = ticket_views::table
        .filter(ticket_views::org_id.eq(org))
        .filter(ticket_views::project_key.eq(&key.project))
        .filter(ticket_views::number.eq(key.number))
        .filter(ticket_views::deleted_at.is_null())
        .select((ticket_views::id, ticket_views::project_id))
        .first(tx.conn())
        .await
        .optional()?;
    let found = match direct {
        Some(found) => Some(found),
        None => match aliased(tx, key).await? {
            Some(id) => tickets::table
                .filter(tickets::org_id.eq(org))
                .filter(tickets::id.eq(id))
                .filter(tickets::deleted_at.is_null())
                .select((tickets::id, tickets::project_id))
                .first(tx.conn())
                .await
                .optional()?,
            None => None,
        },
    };
    Ok(found.filter(|(_, project)| access::visible(tx, *project).is_ok()))
}

/// The live (not deleted) ticket with this key, or that had this key before it moved
/// to another project.
pub(crate) async fn find(tx: &mut ScopedConn<'_>, key: &TicketKey) -> Result<Ticket, ApiError> {
    let mut ticket = live_row(tx, key)
        .await?
        .map(Ticket::from)
        .ok_or_else(|| ApiError::not_found("ticket"))?;
    access::visible(tx, ticket.project_id).map_err(|_| ApiError::not_found("ticket"))?;
    hide_invisible_relatives(tx, std::slice::from_mut(&mut ticket)).await?;
    Ok(ticket)
}

/// The id of the live ticket with this key (current or former; for features that
/// hang off tickets), after checking the caller may use `permission` in its project.
pub(crate) async fn find_id_by_key(
    tx: &mut ScopedConn<'_>,
    key: &TicketKey,
    permission: tenancy::Permission,
) -> Result<TicketId, ApiError> {
    let (id, project) = locate(tx, key)
        .await?
        .ok_or_else(|| ApiError::not_found("ticket"))?;
    access::require(tx, permission, project)?;
    Ok(id)
}

pub(crate) async fn create(
    tx: &mut ScopedConn<'_>,
    project_key: &str,
    change: TicketChange,
) -> Result<Ticket, ApiError> {
    let assignee = assignee_id(tx, change.assignee.clone().flatten().as_deref()).await?;
    let (project_id, workflow_id, number) =
        crate::projects::find_open_for_update(tx, project_key).await?;
    access::require(tx, tenancy::Permission::TicketsCreate, project_id)?;
    let status_id = workflows::initial_status(tx, workflow_id).await?;
    let kind = change.kind.unwrap_or(TicketType::Task);
    let parent = match change.parent.flatten() {
        Some(key) => Some(hierarchy::resolve(tx, &key).await?),
        None => None,
    };
    hierarchy::check(tx, None, None, kind, parent).await?;
    let custom = crate::custom_fields::queries::prepare(
        tx,
        project_id,
        &serde_json::Map::new(),
        &change.custom_fields.unwrap_or_default().values,
        crate::custom_fields::queries::Mode::Create,
    )
    .await?;
    let id = TicketId::new();
    let description = change.description.unwrap_or_default();
    let scope = tx.scope();
    let (org, reporter) = (scope.org_id(), scope.user_id());
    let values = (
        tickets::id.eq(id),
        tickets::org_id.eq(org),
        tickets::project_id.eq(project_id),
        tickets::number.eq(number),
        tickets::title.eq(change.title.unwrap_or_default()),
        tickets::description.eq(&description),
        tickets::kind.eq(kind.as_str()),
        tickets::priority.eq(change.priority.unwrap_or(Priority::Medium).to_db()),
        tickets::status_id.eq(status_id),
        tickets::assignee_id.eq(assignee),
        tickets::reporter_id.eq(reporter),
        tickets::labels.eq(change.labels.unwrap_or_default()),
        tickets::due_date.eq(change.due_date.flatten()),
        tickets::parent_id.eq(parent),
        tickets::story_points.eq(change.story_points.flatten()),
        tickets::original_estimate.eq(change.original_estimate.flatten()),
        // Jira starts the remaining estimate at the original one.
        tickets::remaining_estimate.eq(change
            .remaining_estimate
            .flatten()
            .or(change.original_estimate.flatten())),
        tickets::start_date.eq(change.start_date.flatten()),
        tickets::custom_fields.eq(serde_json::Value::Object(custom.json.clone())),
    );
    diesel::insert_into(tickets::table)
        .values(values)
        .execute(tx.conn())
        .await?;
    crate::custom_fields::queries::store(tx, id, project_id, &custom).await?;
    let watchers: Vec<UserId> = std::iter::once(reporter).chain(assignee).collect();
    watching::watch(tx, id, &watchers).await?;
    watching::record_mentions(tx, id, None, &description).await?;
    if let Some(names) = change.components.as_deref().filter(|n| !n.is_empty()) {
        crate::components::queries::set_for_ticket(tx, id, project_id, names).await?;
    }
    let ticket = load(tx, id).await?;
    audit::record(
        tx,
        "ticket.create",
        Entity::Ticket(id),
        None,
        Some(audit::to_json(&ticket)),
    )
    .await?;
    Ok(ticket)
}

/// Applies `change` when `If-Match` agrees; the `version` guard in the `UPDATE` also
/// catches a writer that slipped in between our read and our write.
pub(crate) async fn update(
    tx: &mut ScopedConn<'_>,
    key: &TicketKey,
    if_match: &IfMatch,
    change: TicketChange,
) -> Result<Ticket, ApiError> {
    let before = find(tx, key).await?;
    access::require(tx, tenancy::Permission::TicketsUpdate, before.project_id)?;
    if_match.check(before.version)?;
    let assignee = match &change.assignee {
        Some(login) => assignee_id(tx, login.as_deref()).await?,
        None => before.assignee.as_ref().map(|a| a.id),
    };
    let sprint_before = before.sprint.as_ref().map(|s| s.id);
    let sprint = change.sprint.unwrap_or(sprint_before);
    if let Some(to) = sprint.filter(|to| Some(*to) != sprint_before) {
        planning::check_open_sprint(tx, before.project_id, to).await?;
    }
    let kind = change.kind.unwrap_or(before.kind);
    let parent = match &change.parent {
        Some(Some(key)) => Some(hierarchy::resolve(tx, key).await?),
        Some(None) => None,
        None => before.parent_id,
    };
    let parent_changed = parent != before.parent_id;
    if parent_changed || kind.level() != before.kind.level() {
        hierarchy::check(tx, Some(before.id), Some(before.kind.level()), kind, parent).await?;
    }
    let action = if change.only_parent() {
        "ticket.parent"
    } else {
        "ticket.update"
    };
    let (id, version) = (before.id, before.version);
    let remaining = match (change.remaining_estimate, change.original_estimate) {
        (Some(remaining), _) => remaining,
        // While no time is logged, the remaining estimate follows the original.
        (None, Some(original)) if before.time_spent == 0 => original,
        _ => before.remaining_estimate,
    };
    // Before the write: a 412 rolls these back with everything else.
    if let Some(to) = assignee.filter(|a| Some(*a) != before.assignee.as_ref().map(|b| b.id)) {
        watching::watch(tx, id, &[to]).await?;
    }
    if let Some(text) = change
        .description
        .as_ref()
        .filter(|d| **d != before.description)
    {
        watching::record_mentions(tx, id, None, text).await?;
    }
    if let Some(names) = &change.components {
        crate::components::queries::set_for_ticket(tx, id, before.project_id, names).await?;
    }
    let custom = match &change.custom_fields {
        Some(given) => {
            let mode = if given.replace {
                crate::custom_fields::queries::Mode::Replace
            } else {
                crate::custom_fields::queries::Mode::Patch
            };
            let prepared = crate::custom_fields::queries::prepare(
                tx,
                before.project_id,
                &before.custom_fields,
                &given.values,
                mode,
            )
            .await?;
            crate::custom_fields::queries::store(tx, id, before.project_id, &prepared).await?;
            prepared.json
        }
        None => before.custom_fields.clone(),
    };
    let write = async |tx: &mut ScopedConn<'_>| {
        diesel::update(guarded!(tx, id, version))
            .set((
                tickets::parent_id.eq(parent),
                tickets::title.eq(change.title.unwrap_or_else(|| before.title.clone())),
                tickets::description.eq(change
                    .description
                    .unwrap_or_else(|| before.description.clone())),
                tickets::kind.eq(kind.as_str()),
                tickets::priority.eq(change.priority.unwrap_or(before.priority).to_db()),
                tickets::assignee_id.eq(assignee),
                tickets::labels.eq(change.labels.unwrap_or_else(|| before.labels.clone())),
                tickets::due_date.eq(change.due_date.unwrap_or(before.due_date)),
                tickets::sprint_id.eq(sprint),
                tickets::story_points.eq(change.story_points.unwrap_or(before.story_points)),
                tickets::original_estimate
                    .eq(change.original_estimate.unwrap_or(before.original_estimate)),
                tickets::remaining_estimate.eq(remaining),
                tickets::start_date.eq(change.start_date.unwrap_or(before.start_date)),
                tickets::custom_fields.eq(serde_json::Value::Object(custom)),
                tickets::version.eq(tickets::version + 1),
                tickets::updated_at.eq(diesel::dsl::now),
            ))
            .execute(tx.conn())
            .await
    };
    let after = Change {
        action,
        entity: Entity::Ticket(id),
        before: &before,
        version,
    }
    .update(tx, write, async |tx| load(tx, id).await)
    .await?;
    planning::record_move(tx, id, sprint_before, sprint).await?;
    Ok(after)
}

pub(crate) async fn soft_delete(
    tx: &mut ScopedConn<'_>,
    key: &TicketKey,
    if_match: &IfMatch,
) -> Result<(), ApiError> {
    let before = find(tx, key).await?;
    access::require(tx, tenancy::Permission::TicketsDelete, before.project_id)?;
    if_match.check(before.version)?;
    let (id, version) = (before.id, before.version);
    Change {
        action: "ticket.delete",
        entity: Entity::Ticket(id),
        before: &before,
        version,
    }
    .delete(tx, async |tx| {
        diesel::update(guarded!(tx, id, version))
            .set((
                tickets::deleted_at.eq(diesel::dsl::now),
                tickets::version.eq(tickets::version + 1),
            ))
            .execute(tx.conn())
            .await
    })
    .await
}

pub(super) async fn transitions(
    tx: &mut ScopedConn<'_>,
    key: &TicketKey,
) -> Result<(Ticket, Vec<Transition>), ApiError> {
    let ticket = find(tx, key).await?;
    let allowed = workflows::transitions_from(tx, ticket.status.id).await?;
    Ok((ticket, allowed))
}

/// The transitions out of the ticket's status that the caller may take: none for
/// someone who may not transition tickets in its project, and only those whose
/// allowed roles include the caller's.
pub(super) async fn takeable_transitions(
    tx: &mut ScopedConn<'_>,
    key: &TicketKey,
) -> Result<(Ticket, Vec<Transition>), ApiError> {
    let (ticket, mut all) = transitions(tx, key).await?;
    let scope = tx.scope();
    if !scope.can_in_project(tenancy::Permission::TicketsTransition, ticket.project_id.0) {
        all.clear();
    }
    all.retain(|t| t.may_take(scope, ticket.project_id));
    Ok((ticket, all))
}

/// Moves a ticket to the status named `to`, if the workflow allows it from where the
/// ticket is. Entering a `done` status sets `resolved_at`; leaving it clears it.
pub(crate) async fn transition(
    tx: &mut ScopedConn<'_>,
    key: &TicketKey,
    if_match: &IfMatch,
    to: &str,
) -> Result<Ticket, ApiError> {
    let (before, allowed) = transitions(tx, key).await?;
    access::require(
        tx,
        tenancy::Permission::TicketsTransition,
        before.project_id,
    )?;
    if_match.check(before.version)?;
    let Some(step) = allowed.iter().find(|t| t.to.name.eq_ignore_ascii_case(to)) else {
        // Few rows: compare names here, case-insensitively, as the lookup above does.
        let names_in_workflow: Vec<String> = statuses::table
            .filter(statuses::org_id.eq(tx.scope().org_id()))
            .inner_join(projects::table.on(projects::workflow_id.eq(statuses::workflow_id)))
            .filter(projects::key.eq(&key.project))
            .select(statuses::name)
            .load(tx.conn())
            .await?;
        let exists = names_in_workflow.iter().any(|n| n.eq_ignore_ascii_case(to));
        if !exists {
            return Err(ApiError::validation(
                "to",
                format!("the workflow has no status `{to}`"),
            ));
        }
        let names: Vec<serde_json::Value> =
            allowed.iter().map(|t| t.to.name.clone().into()).collect();
        return Err(ApiError::conflict(
            "transition-not-allowed",
            format!(
                "the workflow does not allow moving from `{}` to `{to}`",
                before.status.name
            ),
        )
        .with_field("to")
        .with_extension("allowed", names.into()));
    };
    if !step.may_take(tx.scope(), before.project_id) {
        return Err(ApiError::forbidden(format!(
            "the transition `{}` may be taken only by a project {}",
            step.name,
            workflows::roles_label(&step.allowed_roles)
        ))
        .with_extension("transition", step.name.clone().into()));
    }
    let resolved_at: Option<DateTime<Utc>> = match step.to.category {
        StatusCategory::Done => Some(before.resolved_at.unwrap_or_else(Utc::now)),
        _ => None,
    };
    let (id, version, to_status) = (before.id, before.version, step.to.id);
    Change {
        action: "ticket.transition",
        entity: Entity::Ticket(id),
        before: &before,
        version,
    }
    .update(
        tx,
        async |tx| {
            diesel::update(guarded!(tx, id, version))
                .set((
                    tickets::status_id.eq(to_status),
                    tickets::resolved_at.eq(resolved_at),
                    tickets::version.eq(tickets::version + 1),
                    tickets::updated_at.eq(diesel::dsl::now),
                ))
                .execute(tx.conn())
                .await
        },
        async |tx| load(tx, id).await,
    )
    .await
}

/// How a ticket list is ordered. Every order ends with the id, which makes the keyset
/// cursor unique.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(super) enum Sort {
    CreatedDesc,
    CreatedAsc,
    UpdatedDesc,
    UpdatedAsc,
    PriorityDesc,
    PriorityAsc,
}

impl Sort {
    pub(super) fn parse(raw: Option<&str>) -> Result<Self, ApiError> {
        Ok(match raw.unwrap_or("-created") {
            "-created" => Sort::CreatedDesc,
            "created" => Sort::CreatedAsc,
            "-updated" => Sort::UpdatedDesc,
            "updated" => Sort::UpdatedAsc,
            "-priority" => Sort::PriorityDesc,
            "priority" => Sort::PriorityAsc,
            _ => {
                return Err(ApiError::validation(
                    "sort",
                    "one of created, -created, updated, -updated, priority, -priority",
                ));
            }
        })
    }
}

/// The keyset cursor: the sort it belongs to, and the last row's sort key and id.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Cursor {
    sort: Sort,
    at: Option<DateTime<Utc>>,
    priority: Option<i16>,
    id: TicketId,
}

impl Cursor {
    pub(super) fn after(sort: Sort, t: &Ticket) -> Self {
        let (at, priority) = match sort {
            Sort::CreatedAsc | Sort::CreatedDesc => (Some(t.created_at), None),
            Sort::UpdatedAsc | Sort::UpdatedDesc => (Some(t.updated_at), None),
            Sort::PriorityAsc | Sort::PriorityDesc => (None, Some(t.priority.to_db())),
        };
        Self {
            sort,
            at,
            priority,
            id: t.id,
        }
    }
}

/// Validated list filters; every list is also confined to live tickets.
#[derive(Debug, Default)]
pub(super) struct Filters {
    pub project: Option<String>,
    pub statuses: Vec<String>,
    pub assignees: Vec<String>,
    pub kinds: Vec<TicketType>,
    pub priorities: Vec<Priority>,
}

pub(super) async fn list(
    tx: &mut ScopedConn<'_>,
    filters: Filters,
    sort: Sort,
    cursor: Option<Cursor>,
    limit: i64,
) -> Result<Vec<Ticket>, ApiError> {
    use ticket_views as t;
    let mut q = t::table
        .filter(t::org_id.eq(tx.scope().org_id()))
        .filter(t::deleted_at.is_null())
        .select(TicketRow::as_select())
        .into_boxed();
    let hidden = access::hidden(tx.scope());
    if !hidden.is_empty() {
        q = q.filter(t::project_id.ne_all(hidden));
    }
    if let Some(project) = filters.project {
        q = q.filter(t::project_key.eq(project));
    }
    if !filters.statuses.is_empty() {
        q = q.filter(t::status_name.eq_any(filters.statuses));
    }
    if !filters.assignees.is_empty() {
        q = q.filter(t::assignee_login.eq_any(filters.assignees));
    }
    if !filters.kinds.is_empty() {
        q = q.filter(t::kind.eq_any(filters.kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>()));
    }
    if !filters.priorities.is_empty() {
        q = q.filter(
            t::priority.eq_any(
                filters
                    .priorities
                    .iter()
                    .map(|p| p.to_db())
                    .collect::<Vec<_>>(),
            ),
        );
    }
    if let Some(c) = cursor {
        if c.sort != sort {
            return Err(ApiError::validation(
                "cursor",
                "the cursor belongs to a different sort order",
            ));
        }
        let id = c.id.0;
        q = match (sort, c.at, c.priority) {
            (Sort::CreatedDesc, Some(at), _) => q.filter(
                t::created_at
                    .lt(at)
                    .or(t::created_at.eq(at).and(t::id.lt(id))),
            ),
            (Sort::CreatedAsc, Some(at), _) => q.filter(
                t::created_at
                    .gt(at)
                    .or(t::created_at.eq(at).and(t::id.gt(id))),
            ),
            (Sort::UpdatedDesc, Some(at), _) => q.filter(
                t::updated_at
                    .lt(at)
                    .or(t::updated_at.eq(at).and(t::id.lt(id))),
            ),
            (Sort::UpdatedAsc, Some(at), _) => q.filter(
                t::updated_at
                    .gt(at)
                    .or(t::updated_at.eq(at).and(t::id.gt(id))),
            ),
            (Sort::PriorityDesc, _, Some(p)) => {
                q.filter(t::priority.lt(p).or(t::priority.eq(p).and(t::id.lt(id))))
            }
            (Sort::PriorityAsc, _, Some(p)) => {
                q.filter(t::priority.gt(p).or(t::priority.eq(p).and(t::id.gt(id))))
            }
            _ => {
                return Err(ApiError::validation(
                    "cursor",
                    "not a cursor this list returned",
                ));
            }
        };
    }
    q = match sort {
        Sort::CreatedDesc => q.order((t::created_at.desc(), t::id.desc())),
        Sort::CreatedAsc => q.order((t::created_at.asc(), t::id.asc())),
        Sort::UpdatedDesc => q.order((t::updated_at.desc(), t::id.desc())),
        Sort::UpdatedAsc => q.order((t::updated_at.asc(), t::id.asc())),
        Sort::PriorityDesc => q.order((t::priority.desc(), t::id.desc())),
        Sort::PriorityAsc => q.order((t::priority.asc(), t::id.asc())),
    };
    let rows: Vec<TicketRow> = q.limit(limit + 1).load(tx.conn()).await?;
    let mut tickets: Vec<Ticket> = rows.into_iter().map(Ticket::from).collect();
    hide_invisible_relatives(tx, &mut tickets).await?;
    Ok(tickets)
}
