//! Workflows: a project's statuses (each in a category: to do, in progress, done) and
//! the transitions allowed between them.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use tenancy::ScopedConn;

use crate::http::ApiError;
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
    let rows: Vec<(TransitionId, String, StatusId, String, String)> = transitions::table
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
        ))
        .load(tx.conn())
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, to_id, to_name, category)| Transition {
            id,
            name,
            to: Status {
                id: to_id,
                name: to_name,
                category: StatusCategory::from_db(&category),
            },
        })
        .collect())
}
