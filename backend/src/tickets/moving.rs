//! Moving a ticket to another project of the organization (Jira's "Move"): it takes
//! the target project's next key, its status is mapped to the target workflow, its
//! components (per project) are dropped and its sprint (one of the source project's)
//! is cleared; its live children in the same project move with it, each with a key
//! of its own. Every former key is recorded in `ticket_key_aliases` and in the
//! ticket's `moved_from` trail, and keeps resolving (`queries::find` follows it).
//!
//! Locks, in this order (the order creation takes them): the target project's row
//! (its ticket counter: keys and the rank "last" are taken under it), then the
//! ticket and its descendants (`hierarchy::lock_family`). Each ticket's write is
//! guarded by the version read, so of two concurrent moves of one ticket one wins and
//! the other gets 412 (or, if it read the ticket after the first committed, finds it
//! through its old key and moves it on from where it is now).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use tenancy::{Permission, ScopedConn};

use super::{SprintRef, Ticket, TicketKey, TicketType, hierarchy, planning, queries};
use crate::audit::{Change, Entity};
use crate::http::{ApiError, IfMatch};
use crate::projects::{ProjectId, access};
use crate::schema::{ticket_key_aliases, tickets};
use crate::workflows::{self, Status, StatusCategory};

/// `POST /tickets/{key}/move` body (also a bulk request's `operations.move`).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveRequest {
    /// Key of the target project (of the same organization).
    pub project: String,
    /// Status names the moved tickets use (case-insensitive) to status names of the
    /// target project's workflow, e.g. `{"In Review": "Doing"}`. Needed only for
    /// statuses whose name the target workflow lacks.
    #[serde(default)]
    pub status_map: BTreeMap<String, String>,
}

/// A checked [`MoveRequest`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TicketMove {
    /// The target project's key, upper-cased.
    pub project: String,
    pub status_map: Vec<(String, String)>,
}

impl MoveRequest {
    pub(crate) fn validate(&self) -> Result<TicketMove, ApiError> {
        let project = self.project.trim().to_ascii_uppercase();
        if !crate::projects::valid_key(&project) {
            return Err(ApiError::validation("project", "must be a project key"));
        }
        Ok(TicketMove {
            project,
            status_map: workflows::status_mapping("status_map", &self.status_map)?,
        })
    }
}

/// One ticket's move.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MovedTicket {
    /// Its key before (it keeps resolving).
    pub from: String,
    /// Its key now.
    pub to: String,
    pub status_from: String,
    pub status_to: String,
    /// Its components, dropped (components belong to one project).
    pub dropped_components: Vec<String>,
    /// The source project's sprint it left, if it was in one.
    pub left_sprint: Option<SprintRef>,
}

/// `POST /tickets/{key}/move` answer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MoveResult {
    /// The ticket after the move.
    pub ticket: Ticket,
    /// The ticket first, then every child that moved with it (parents first).
    pub moved: Vec<MovedTicket>,
}

/// Moves the ticket `key` names (and its children) to the project `mv.project`. The
/// caller needs `tickets.update` and `tickets.delete` in its project and
/// `tickets.create` in the target; a target they cannot see is a 404.
pub(crate) async fn move_ticket(
    tx: &mut ScopedConn<'_>,
    key: &TicketKey,
    if_match: &IfMatch,
    mv: &TicketMove,
) -> Result<MoveResult, ApiError> {
    let root = queries::find(tx, key).await?;
    for permission in [Permission::TicketsUpdate, Permission::TicketsDelete] {
        access::require(tx, permission, root.project_id)?;
    }
    if_match.check(root.version)?;
    if root.project == mv.project {
        return Err(ApiError::conflict(
            "already-in-project",
            format!("{} is already in project {}", root.key, mv.project),
        )
        .with_field("project"));
    }
    if root.kind == TicketType::Subtask {
        return Err(ApiError::validation(
            "project",
            format!(
                "a sub-task moves with its parent{}",
                root.parent
                    .as_deref()
                    .map(|p| format!(" ({p})"))
                    .unwrap_or_default()
            ),
        ));
    }
    // Locks the target's row (404 hidden or missing, 409 archived) before any ticket.
    let (target, workflow, _) =
        crate::projects::allocate_ticket_numbers(tx, &mv.project, 0).await?;
    access::require(tx, Permission::TicketsCreate, target)?;
    let family = hierarchy::lock_family(tx, root.id, root.project_id).await?;
    let mut befores = vec![root];
    for id in &family[1..] {
        befores.push(queries::load(tx, *id).await?);
    }
    let statuses = workflows::statuses_of(tx, workflow).await?;
    let destinations = map_statuses(&befores, &statuses, &mv.status_map, &mv.project)?;
    let count = i32::try_from(befores.len()).unwrap_or(i32::MAX);
    let (_, _, last) = crate::projects::allocate_ticket_numbers(tx, &mv.project, count).await?;
    let mut moved = Vec::with_capacity(befores.len());
    let mut first = None;
    for ((before, status), number) in befores.iter().zip(destinations).zip(last - count + 1..) {
        let (after, record) = relocate(tx, before, target, number, status).await?;
        first.get_or_insert(after);
        moved.push(record);
    }
    let ticket = first.ok_or_else(|| ApiError::not_found("ticket"))?;
    Ok(MoveResult { ticket, moved })
}

/// The target status of every ticket: `status_map`'s entry for its status name, else
/// the target workflow's status of the same name (both case-insensitive). Statuses
/// with neither are a 422 on `status_map` listing them (`unmapped`).
fn map_statuses<'s>(
    tickets: &[Ticket],
    statuses: &'s [Status],
    status_map: &[(String, String)],
    target: &str,
) -> Result<Vec<&'s Status>, ApiError> {
    let named = |name: &str| statuses.iter().find(|s| s.name.eq_ignore_ascii_case(name));
    let mut unmapped: Vec<String> = Vec::new();
    let mut out = Vec::with_capacity(tickets.len());
    for ticket in tickets {
        let from = &ticket.status.name;
        let to = match status_map
            .iter()
            .find(|(f, _)| f.eq_ignore_ascii_case(from))
        {
            Some((_, to)) => Some(named(to).ok_or_else(|| {
                ApiError::validation(
                    "status_map",
                    format!("{target}'s workflow has no status `{to}`"),
                )
            })?),
            None => named(from),
        };
        match to {
            Some(to) => out.push(to),
            None if !unmapped.iter().any(|u| u.eq_ignore_ascii_case(from)) => {
                unmapped.push(from.clone());
            }
            None => {}
        }
    }
    if unmapped.is_empty() {
        return Ok(out);
    }
    let names: Vec<String> = unmapped.iter().map(|n| format!("`{n}`")).collect();
    Err(ApiError::validation(
        "status_map",
        format!(
            "{target}'s workflow has no status named {}: map each to one of its statuses \
             in `status_map`",
            names.join(", ")
        ),
    )
    .with_extension("unmapped", unmapped.into()))
}

/// Moves one locked ticket to `target` as number `number` in `status`, records its
/// old key, and audits `ticket.move`.
async fn relocate(
    tx: &mut ScopedConn<'_>,
    before: &Ticket,
    target: ProjectId,
    number: i32,
    status: &Status,
) -> Result<(Ticket, MovedTicket), ApiError> {
    let (id, version) = (before.id, before.version);
    let org = tx.scope().org_id();
    if !before.components.is_empty() {
        crate::components::queries::set_for_ticket(tx, id, before.project_id, &[]).await?;
    }
    let mut trail = before.moved_from.clone();
    trail.push(before.key.clone());
    let resolved_at: Option<DateTime<Utc>> = match status.category {
        StatusCategory::Done => Some(before.resolved_at.unwrap_or_else(Utc::now)),
        _ => None,
    };
    // Last in the target's order, as a new ticket goes (we hold its project row).
    let rank = diesel::dsl::sql::<Text>(
        "trellis_rank_after((SELECT max(o.rank) FROM tickets o WHERE o.org_id = ",
    )
    .bind::<SqlUuid, _>(org.0)
    .sql(" AND o.project_id = ")
    .bind::<SqlUuid, _>(target.0)
    .sql("))");
    let status_id = status.id;
    let after = Change {
        action: "ticket.move",
        entity: Entity::Ticket(id),
        before,
        version,
    }
    .update(
        tx,
        async |tx| {
            diesel::update(guarded!(tx, id, version))
                .set((
                    tickets::project_id.eq(target),
                    tickets::number.eq(number),
                    tickets::status_id.eq(status_id),
                    tickets::resolved_at.eq(resolved_at),
                    // A sprint belongs to one project: the source's sprint is left.
                    tickets::sprint_id.eq(None::<crate::ids::SprintId>),
                    tickets::rank.eq(rank),
                    tickets::moved_from.eq(&trail),
                    tickets::version.eq(tickets::version + 1),
                    tickets::updated_at.eq(diesel::dsl::now),
                ))
                .execute(tx.conn())
                .await
        },
        async |tx| queries::load(tx, id).await,
    )
    .await?;
    // After the guarded write: a concurrent move of this ticket is a 412, not a
    // duplicate alias.
    diesel::insert_into(ticket_key_aliases::table)
        .values((
            ticket_key_aliases::org_id.eq(org),
            ticket_key_aliases::project_id.eq(before.project_id),
            ticket_key_aliases::number.eq(before.number),
            ticket_key_aliases::ticket_id.eq(id),
        ))
        .execute(tx.conn())
        .await?;
    let left_sprint = before.sprint.clone();
    planning::record_move(tx, id, left_sprint.as_ref().map(|s| s.id), None).await?;
    let record = MovedTicket {
        from: before.key.clone(),
        to: after.key.clone(),
        status_from: before.status.name.clone(),
        status_to: after.status.name.clone(),
        dropped_components: before.components.clone(),
        left_sprint,
    };
    Ok((after, record))
}

#[cfg(test)]
mod unit_tests {
    use super::*;

    #[test]
    fn move_requests_name_a_project_and_check_the_map() {
        let ok = MoveRequest {
            project: " ops ".into(),
            status_map: BTreeMap::from([("In Review".into(), "Doing".into())]),
        }
        .validate();
        assert_eq!(
            ok.ok(),
            Some(TicketMove {
                project: "OPS".into(),
                status_map: vec![("In Review".into(), "Doing".into())],
            })
        );
        let bad = MoveRequest {
            project: "not a key".into(),
            status_map: BTreeMap::new(),
        }
        .validate();
        assert_eq!(
            bad.err()
                .and_then(|e| e.field().map(str::to_owned))
                .as_deref(),
            Some("project")
        );
    }
}
