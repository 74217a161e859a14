//! A ticket's sprint: which open sprint it is planned in, checked on every write, and
//! the scope change each move records (the sprint feature owns the sprints
//! themselves and calls in here; tickets never import it).

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::Serialize;
use tenancy::ScopedConn;

use super::TicketId;
use crate::http::ApiError;
use crate::ids::{ProjectId, SprintId};
use crate::schema::{sprint_scope_changes, sprints};

/// A sprint as a ticket shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SprintRef {
    pub id: SprintId,
    pub name: String,
}

/// Fails with 422 (field `sprint`) unless `sprint` is an open (future or active)
/// sprint of `project`. Locks the sprint row (shared), so a completion or deletion
/// running at the same time waits for this write, or this write sees its result.
pub(crate) async fn check_open_sprint(
    tx: &mut ScopedConn<'_>,
    project: ProjectId,
    sprint: SprintId,
) -> Result<(), ApiError> {
    let found: Option<(uuid::Uuid, String)> = sprints::table
        .filter(sprints::org_id.eq(tx.scope().org_id()))
        .filter(sprints::id.eq(sprint.0))
        .select((sprints::project_id, sprints::state))
        .for_share()
        .first(tx.conn())
        .await
        .optional()?;
    match found {
        Some((p, _)) if p != project.0 => Err(ApiError::validation(
            "sprint",
            "the sprint belongs to another project",
        )),
        Some((_, state)) if state == "closed" => Err(ApiError::validation(
            "sprint",
            "the sprint is completed; choose an open sprint",
        )),
        Some(_) => Ok(()),
        None => Err(ApiError::validation("sprint", "no such sprint")),
    }
}

/// `added` or `removed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ScopeChange {
    Added,
    Removed,
}

impl ScopeChange {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Added => "added",
            Self::Removed => "removed",
        }
    }
}

/// Records that `ticket` entered or left `sprint`.
pub(crate) async fn record_scope_change(
    tx: &mut ScopedConn<'_>,
    sprint: SprintId,
    ticket: TicketId,
    change: ScopeChange,
) -> Result<(), ApiError> {
    diesel::insert_into(sprint_scope_changes::table)
        .values((
            sprint_scope_changes::id.eq(uuid::Uuid::now_v7()),
            sprint_scope_changes::org_id.eq(tx.scope().org_id()),
            sprint_scope_changes::sprint_id.eq(sprint.0),
            sprint_scope_changes::ticket_id.eq(ticket.0),
            sprint_scope_changes::change.eq(change.as_str()),
        ))
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Records the scope changes of a ticket moving from sprint `from` to sprint `to`.
pub(crate) async fn record_move(
    tx: &mut ScopedConn<'_>,
    ticket: TicketId,
    from: Option<SprintId>,
    to: Option<SprintId>,
) -> Result<(), ApiError> {
    if from == to {
        return Ok(());
    }
    if let Some(from) = from {
        record_scope_change(tx, from, ticket, ScopeChange::Removed).await?;
    }
    if let Some(to) = to {
        record_scope_change(tx, to, ticket, ScopeChange::Added).await?;
    }
    Ok(())
}
