//! Parents and children: epic > story, task, bug > sub-task.
//!
//! Every check runs with the rows involved locked (`FOR UPDATE`, in id order, so two
//! writers locking overlapping pairs cannot deadlock): the ticket being changed and
//! its new parent. A writer changing a ticket's type locks that ticket too, so "may
//! this be my parent" and "may my type change under my children" never race.

use diesel::prelude::*;
use diesel::sql_types::{Bool, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use tenancy::ScopedConn;

use super::{TicketId, TicketKey, TicketType};
use crate::http::ApiError;
use crate::schema::tickets;

fn invalid(message: impl Into<std::borrow::Cow<'static, str>>) -> ApiError {
    ApiError::validation("parent", message)
}

/// The live ticket `key` names (current or former key), as a parent: its id. A
/// missing, deleted or hidden ticket (another organization's included) is a 422 on
/// `parent`.
pub(super) async fn resolve(
    tx: &mut ScopedConn<'_>,
    key: &TicketKey,
) -> Result<TicketId, ApiError> {
    super::queries::locate(tx, key)
        .await?
        .map(|(id, _)| id)
        .ok_or_else(|| invalid(format!("no ticket {}-{}", key.project, key.number)))
}

/// A locked row: its type, and whether it is live.
struct Locked {
    id: TicketId,
    kind: TicketType,
    live: bool,
}

/// Locks the tickets `ids` (in id order) and answers them.
async fn lock(tx: &mut ScopedConn<'_>, ids: &[TicketId]) -> Result<Vec<Locked>, ApiError> {
    let mut ids = ids.to_vec();
    ids.sort_by_key(|id| id.0);
    ids.dedup();
    let rows: Vec<(TicketId, String, bool)> = tickets::table
        .filter(tickets::org_id.eq(tx.scope().org_id()))
        .filter(tickets::id.eq_any(ids))
        .order(tickets::id)
        .select((tickets::id, tickets::kind, tickets::deleted_at.is_null()))
        .for_update()
        .load(tx.conn())
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, kind, live)| Locked {
            id,
            kind: TicketType::from_db(&kind),
            live,
        })
        .collect())
}

#[derive(QueryableByName)]
struct Flag {
    #[diesel(sql_type = Bool)]
    found: bool,
}

/// Whether `ticket` is `start` or one of its ancestors (a cycle if `start` became
/// its parent). The type levels already rule cycles out; this holds even if they
/// change. Bounded: the hierarchy is three levels deep.
async fn is_ancestor_or_self(
    tx: &mut ScopedConn<'_>,
    ticket: TicketId,
    start: TicketId,
) -> Result<bool, ApiError> {
    let flag: Flag = diesel::sql_query(
        "WITH RECURSIVE up(id, depth) AS (
             SELECT $1::uuid, 0
             UNION ALL
             SELECT t.parent_id, up.depth + 1 FROM tickets t JOIN up ON t.id = up.id
              WHERE t.org_id = $3 AND t.parent_id IS NOT NULL AND up.depth < 16)
         SELECT EXISTS (SELECT 1 FROM up WHERE id = $2) AS found",
    )
    .bind::<SqlUuid, _>(start.0)
    .bind::<SqlUuid, _>(ticket.0)
    .bind::<SqlUuid, _>(tx.scope().org_id().0)
    .get_result(tx.conn())
    .await?;
    Ok(flag.found)
}

async fn live_children(tx: &mut ScopedConn<'_>, id: TicketId) -> Result<i64, ApiError> {
    Ok(tickets::table
        .filter(tickets::org_id.eq(tx.scope().org_id()))
        .filter(tickets::parent_id.eq(id))
        .filter(tickets::deleted_at.is_null())
        .count()
        .get_result(tx.conn())
        .await?)
}

/// Checks, under the locks, that a ticket (`id`, `None` while being created) of type
/// `kind` may have `parent`, and that its existing children still fit when its level
/// changes from `old_level`.
pub(super) async fn check(
    tx: &mut ScopedConn<'_>,
    id: Option<TicketId>,
    old_level: Option<u8>,
    kind: TicketType,
    parent: Option<TicketId>,
) -> Result<(), ApiError> {
    let ids: Vec<TicketId> = id.into_iter().chain(parent).collect();
    let locked = lock(tx, &ids).await?;
    match parent {
        None if kind == TicketType::Subtask => {
            return Err(invalid("a sub-task needs a parent"));
        }
        None => {}
        Some(_) if kind == TicketType::Epic => {
            return Err(invalid("an epic has no parent"));
        }
        Some(parent_id) => {
            if Some(parent_id) == id {
                return Err(invalid("a ticket cannot be its own parent"));
            }
            let row = locked
                .iter()
                .find(|l| l.id == parent_id && l.live)
                .ok_or_else(|| invalid("the parent no longer exists"))?;
            if !kind.may_have_parent(row.kind) {
                let wanted = match kind {
                    TicketType::Subtask => "a story, task or bug",
                    _ => "an epic",
                };
                return Err(invalid(format!(
                    "the parent of a {} must be {wanted}, not a {}",
                    kind.as_str(),
                    row.kind.as_str()
                )));
            }
            if let Some(id) = id
                && is_ancestor_or_self(tx, id, parent_id).await?
            {
                return Err(invalid("the parent is a descendant of the ticket"));
            }
        }
    }
    if let (Some(id), Some(old)) = (id, old_level)
        && old != kind.level()
        && live_children(tx, id).await? > 0
    {
        return Err(ApiError::validation(
            "type",
            format!(
                "the ticket has children, which a {} cannot have",
                kind.as_str()
            ),
        ));
    }
    Ok(())
}

#[derive(QueryableByName)]
struct Descendant {
    #[diesel(sql_type = SqlUuid)]
    id: uuid::Uuid,
}

/// Locks `root` and then its live descendants in `project` (an epic's children and
/// their sub-tasks, a story's sub-tasks), and answers them parents first: what moves
/// with `root` to another project. Children in other projects stay where they are.
///
/// The root is locked first, so a ticket being created under it (which locks its
/// parent) either waits for the move or is already there to be found.
pub(super) async fn lock_family(
    tx: &mut ScopedConn<'_>,
    root: TicketId,
    project: crate::projects::ProjectId,
) -> Result<Vec<TicketId>, ApiError> {
    lock(tx, &[root]).await?;
    let below: Vec<Descendant> = diesel::sql_query(
        "WITH RECURSIVE down(id, depth, number) AS (
             SELECT t.id, 1, t.number FROM tickets t
              WHERE t.org_id = $1 AND t.parent_id = $2 AND t.project_id = $3
                AND t.deleted_at IS NULL
             UNION ALL
             SELECT t.id, down.depth + 1, t.number FROM tickets t JOIN down ON t.parent_id = down.id
              WHERE t.org_id = $1 AND t.project_id = $3 AND t.deleted_at IS NULL
                AND down.depth < 16)
         SELECT id FROM down ORDER BY depth, number",
    )
    .bind::<SqlUuid, _>(tx.scope().org_id().0)
    .bind::<SqlUuid, _>(root.0)
    .bind::<SqlUuid, _>(project.0)
    .load(tx.conn())
    .await?;
    let below: Vec<TicketId> = below.into_iter().map(|d| TicketId(d.id)).collect();
    lock(tx, &below).await?;
    Ok(std::iter::once(root).chain(below).collect())
}
