//! Workflows: a project's statuses (each in a category: to do, in progress, done) and
//! the transitions allowed between them, some of them only for some project roles.
//!
//! Every project has a workflow row of its own (created with the project), which its
//! lead, an org admin or an owner edits through `routes.rs`. Every edit locks that row
//! and ends by checking the invariants ([`queries::check_invariants`]); a failed check
//! rolls the whole edit back. Tickets, which call [`transitions_from`] and
//! [`initial_status`], are not imported here: moving tickets between statuses writes
//! their rows and audit entries directly (`queries::move_tickets`).

pub(crate) mod queries;
pub(crate) mod routes;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use tenancy::ScopedConn;

use crate::http::{ApiError, validate};
use crate::ids::ProjectId;
use crate::refs::ProjectRole;
use crate::schema::{statuses, transitions, workflows};

pub use crate::ids::{StatusId, TransitionId, WorkflowId};

/// The category a status belongs to, which reports and `resolved` dates go by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StatusCategory {
    Todo,
    InProgress,
    Done,
}

impl StatusCategory {
    pub fn as_str(self) -> &'static str {
        match self {
            StatusCategory::Todo => "todo",
            StatusCategory::InProgress => "in_progress",
            StatusCategory::Done => "done",
        }
    }

    /// Parses the stored form; the column's CHECK constraint admits only these.
    pub fn from_db(s: &str) -> Self {
        match s {
            "done" => StatusCategory::Done,
            "in_progress" => StatusCategory::InProgress,
            _ => StatusCategory::Todo,
        }
    }
}

/// A status as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Status {
    pub id: StatusId,
    pub name: String,
    pub category: StatusCategory,
}

/// A transition the workflow allows from a ticket's current status.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Transition {
    pub id: TransitionId,
    pub name: String,
    pub to: Status,
    /// The project roles that may take it; empty: anyone who may transition tickets.
    pub allowed_roles: Vec<ProjectRole>,
}

impl Transition {
    /// Whether the caller may take this transition in `project`. Org owners and admins
    /// count as the project's `lead`, whose rights they hold in every project.
    pub fn may_take(&self, scope: &tenancy::OrgScope, project: ProjectId) -> bool {
        self.allowed_roles.is_empty() || self.allowed_roles.contains(&caller_role(scope, project))
    }
}

/// The caller's role in `project` as transition rules see it.
fn caller_role(scope: &tenancy::OrgScope, project: ProjectId) -> ProjectRole {
    if scope.can_in_project(tenancy::Permission::ProjectsUpdate, project.0) {
        ProjectRole::Lead
    } else if scope.can_in_project(tenancy::Permission::TicketsTransition, project.0) {
        ProjectRole::Member
    } else {
        ProjectRole::Viewer
    }
}

/// Who may take a transition, for messages: `lead`, `lead or member`.
pub fn roles_label(roles: &[ProjectRole]) -> String {
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(" or ")
}

/// A project's workflow as its editor sees it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Workflow {
    /// In order; the first is the initial status of new tickets.
    pub statuses: Vec<WorkflowStatus>,
    pub transitions: Vec<WorkflowTransition>,
}

/// A status with its place in the workflow.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WorkflowStatus {
    pub id: StatusId,
    pub name: String,
    pub category: StatusCategory,
    /// Order in the workflow (board columns follow it); the lowest is initial.
    pub position: i32,
    /// Live tickets in this status.
    pub tickets: i64,
}

/// A transition with both ends.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WorkflowTransition {
    pub id: TransitionId,
    pub name: String,
    pub from: Status,
    pub to: Status,
    /// The project roles that may take it; empty: anyone who may transition tickets.
    pub allowed_roles: Vec<ProjectRole>,
}

const STATUS_NAME_MAX: usize = 100;
const TRANSITION_NAME_MAX: usize = 100;

/// `POST .../workflow/statuses` body. Every status must be reachable from the initial
/// one, so a new status names at least one status it is entered from (`from`).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewStatus {
    /// Unique in the workflow, case-insensitively; 1 to 100 characters.
    pub name: String,
    pub category: StatusCategory,
    /// Statuses that get a transition into the new one (each named after it).
    #[serde(default)]
    pub from: Vec<String>,
    /// Statuses the new one gets a transition to (each named after its target).
    #[serde(default)]
    pub to: Vec<String>,
}

/// `PATCH .../workflow/statuses/{status}` body: only the fields given change.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusPatch {
    pub name: Option<String>,
    /// Entering `done` sets the `resolved_at` of the status's tickets; leaving it clears
    /// it, in the same transaction.
    pub category: Option<StatusCategory>,
}

/// `PUT .../workflow/order` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusOrder {
    /// Every status of the workflow, by name, in the new order: the first becomes the
    /// initial status.
    pub statuses: Vec<String>,
}

/// `POST .../workflow/transitions` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTransition {
    /// Status name (case-insensitive).
    pub from: String,
    /// Status name (case-insensitive).
    pub to: String,
    /// 1 to 100 characters.
    pub name: String,
    /// Project roles that may take it (`lead`, `member`); empty or absent: anyone who
    /// may transition tickets in the project.
    #[serde(default)]
    pub allowed_roles: Vec<ProjectRole>,
}

/// `POST .../workflow/copy` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkflowCopy {
    /// Key of the project whose workflow is copied.
    pub from: String,
    /// For each of this project's statuses holding tickets whose name the copied
    /// workflow lacks: the copied status (by name) its tickets move to. May also move
    /// the tickets of a status whose name the copy keeps.
    #[serde(default)]
    pub mapping: BTreeMap<String, String>,
}

/// A status name from a body: trimmed, 1 to 100 characters.
fn status_name(field: &'static str, raw: &str) -> Result<String, ApiError> {
    validate::required_text(field, raw, STATUS_NAME_MAX)
}

/// A list of status names from a body (at most the workflow's worth).
fn status_names(field: &'static str, raw: &[String]) -> Result<Vec<String>, ApiError> {
    if raw.len() > 100 {
        return Err(ApiError::validation(field, "at most 100 statuses"));
    }
    raw.iter().map(|n| status_name(field, n)).collect()
}

/// A checked [`NewStatus`].
pub(crate) struct ValidStatus {
    name: String,
    category: StatusCategory,
    from: Vec<String>,
    to: Vec<String>,
}

impl NewStatus {
    pub(crate) fn validate(&self) -> Result<ValidStatus, ApiError> {
        Ok(ValidStatus {
            name: status_name("name", &self.name)?,
            category: self.category,
            from: status_names("from", &self.from)?,
            to: status_names("to", &self.to)?,
        })
    }
}

/// A checked [`StatusPatch`].
pub(crate) struct ValidStatusPatch {
    name: Option<String>,
    category: Option<StatusCategory>,
}

impl StatusPatch {
    pub(crate) fn validate(&self) -> Result<ValidStatusPatch, ApiError> {
        Ok(ValidStatusPatch {
            name: self
                .name
                .as_deref()
                .map(|n| status_name("name", n))
                .transpose()?,
            category: self.category,
        })
    }
}

impl StatusOrder {
    pub(crate) fn validate(&self) -> Result<Vec<String>, ApiError> {
        status_names("statuses", &self.statuses)
    }
}

/// A checked [`NewTransition`].
pub(crate) struct ValidTransition {
    from: String,
    to: String,
    name: String,
    allowed_roles: Vec<ProjectRole>,
}

impl NewTransition {
    pub(crate) fn validate(&self) -> Result<ValidTransition, ApiError> {
        if self.allowed_roles.contains(&ProjectRole::Viewer) {
            return Err(ApiError::validation(
                "allowed_roles",
                "viewers never transition tickets: allow `lead` or `member`",
            ));
        }
        let mut allowed_roles = self.allowed_roles.clone();
        allowed_roles.sort_by_key(|r| r.as_str());
        allowed_roles.dedup();
        Ok(ValidTransition {
            from: status_name("from", &self.from)?,
            to: status_name("to", &self.to)?,
            name: validate::required_text("name", &self.name, TRANSITION_NAME_MAX)?,
            allowed_roles,
        })
    }
}

/// A checked [`WorkflowCopy`]: the source project's key and the mapping.
pub(crate) struct ValidCopy {
    from: String,
    mapping: Vec<(String, String)>,
}

impl WorkflowCopy {
    pub(crate) fn validate(&self) -> Result<ValidCopy, ApiError> {
        let from = self.from.trim().to_ascii_uppercase();
        if from.is_empty() || from.len() > 10 {
            return Err(ApiError::validation("from", "a project key"));
        }
        let mapping = status_mapping("mapping", &self.mapping)?;
        Ok(ValidCopy { from, mapping })
    }
}

/// A map of status names to status names from a body (a workflow copy's `mapping`,
/// a ticket move's `status_map`): at most 100 entries, every name checked; matched
/// against workflows case-insensitively later.
pub(crate) fn status_mapping(
    field: &'static str,
    raw: &BTreeMap<String, String>,
) -> Result<Vec<(String, String)>, ApiError> {
    if raw.len() > 100 {
        return Err(ApiError::validation(field, "at most 100 statuses"));
    }
    raw.iter()
        .map(|(old, new)| Ok((status_name(field, old)?, status_name(field, new)?)))
        .collect()
}

/// The default workflow every new project starts with:
/// To Do -> In Progress -> Done, and back one step at a time.
const DEFAULT_STATUSES: [(&str, StatusCategory); 3] = [
    ("To Do", StatusCategory::Todo),
    ("In Progress", StatusCategory::InProgress),
    ("Done", StatusCategory::Done),
];
const DEFAULT_TRANSITIONS: [(usize, usize, &str); 4] = [
    (0, 1, "Start progress"),
    (1, 2, "Done"),
    (2, 1, "Reopen"),
    (1, 0, "Stop progress"),
];

/// Creates the default workflow in the scope's organization.
pub async fn create_default(tx: &mut ScopedConn<'_>, name: &str) -> Result<WorkflowId, ApiError> {
    let org_id = tx.scope().org_id();
    let workflow_id = WorkflowId::new();
    diesel::insert_into(workflows::table)
        .values((
            workflows::id.eq(workflow_id),
            workflows::org_id.eq(org_id),
            workflows::name.eq(name),
        ))
        .execute(tx.conn())
        .await?;
    let status_ids: Vec<StatusId> = DEFAULT_STATUSES.iter().map(|_| StatusId::new()).collect();
    let status_rows: Vec<_> = DEFAULT_STATUSES
        .iter()
        .zip(&status_ids)
        .zip(0..)
        .map(|(((name, category), id), position)| {
            (
                statuses::id.eq(*id),
                statuses::org_id.eq(org_id),
                statuses::workflow_id.eq(workflow_id),
                statuses::name.eq(*name),
                statuses::category.eq(category.as_str()),
                statuses::position.eq(position),
            )
        })
        .collect();
    diesel::insert_into(statuses::table)
        .values(status_rows)
        .execute(tx.conn())
        .await?;
    let transition_rows: Vec<_> = DEFAULT_TRANSITIONS
        .iter()
        .map(|(from, to, name)| {
            (
                transitions::id.eq(TransitionId::new()),
                transitions::org_id.eq(org_id),
                transitions::workflow_id.eq(workflow_id),
                transitions::from_status_id.eq(status_ids[*from]),
                transitions::to_status_id.eq(status_ids[*to]),
                transitions::name.eq(*name),
            )
        })
        .collect();
    diesel::insert_into(transitions::table)
        .values(transition_rows)
        .execute(tx.conn())
        .await?;
    Ok(workflow_id)
}

/// The status new tickets start in: the first by position.
pub async fn initial_status(
    tx: &mut ScopedConn<'_>,
    workflow: WorkflowId,
) -> Result<StatusId, ApiError> {
    Ok(statuses::table
        .filter(statuses::org_id.eq(tx.scope().org_id()))
        .filter(statuses::workflow_id.eq(workflow))
        .order(statuses::position.asc())
        .select(statuses::id)
        .first(tx.conn())
        .await?)
}

/// All statuses of a workflow, in order.
pub async fn statuses_of(
    tx: &mut ScopedConn<'_>,
    workflow: WorkflowId,
) -> Result<Vec<Status>, ApiError> {
    let rows: Vec<(StatusId, String, String)> = statuses::table
        .filter(statuses::org_id.eq(tx.scope().org_id()))
        .filter(statuses::workflow_id.eq(workflow))
        .order(statuses::position.asc())
        .select((statuses::id, statuses::name, statuses::category))
        .load(tx.conn())
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, category)| Status {
            id,
            name,
            category: StatusCategory::from_db(&category),
        })
        .collect())
}

/// The transitions allowed out of `from`, with their target statuses.
pub async fn transitions_from(
    tx: &mut ScopedConn<'_>,
    from: StatusId,
) -> Result<Vec<Transition>, ApiError> {
    type Row = (TransitionId, String, StatusId, String, String, Vec<String>);
    let rows: Vec<Row> = transitions::table
        .filter(transitions::org_id.eq(tx.scope().org_id()))
        .inner_join(statuses::table.on(statuses::id.eq(transitions::to_status_id)))
        .filter(transitions::from_status_id.eq(from))
        .order(statuses::position.asc())
        .select((
            transitions::id,
            transitions::name,
            statuses::id,
            statuses::name,
            statuses::category,
            transitions::allowed_roles,
        ))
        .load(tx.conn())
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, to_id, to_name, category, roles)| Transition {
            id,
            name,
            to: Status {
                id: to_id,
                name: to_name,
                category: StatusCategory::from_db(&category),
            },
            allowed_roles: roles_from_db(&roles),
        })
        .collect())
}

/// Stored role names as roles (the column's CHECK admits only known ones).
fn roles_from_db(raw: &[String]) -> Vec<ProjectRole> {
    raw.iter().filter_map(|r| ProjectRole::from_db(r)).collect()
}
