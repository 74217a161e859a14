//! Rank moves and the rebalance. All run inside an org-scoped transaction.

use diesel::prelude::*;
use diesel::sql_types::Uuid as SqlUuid;
use diesel_async::RunQueryDsl;
use tenancy::{Permission, ScopedConn};

use super::{Place, REBALANCE_AT, between};
use crate::audit::{Change, Entity};
use crate::http::ApiError;
use crate::ids::ProjectId;
use crate::projects::access;
use crate::schema::tickets;
use crate::tickets::{Ticket, TicketKey};

/// A ticket's current rank (deleted tickets keep theirs: keys are unique over all).
async fn rank_of(tx: &mut ScopedConn<'_>, id: crate::ids::TicketId) -> Result<String, ApiError> {
    Ok(tickets::table
        .filter(tickets::org_id.eq(tx.scope().org_id()))
        .filter(tickets::id.eq(id))
        .select(tickets::rank)
        .first(tx.conn())
        .await?)
}

/// Moves the ticket `key` just before or after another ticket of its project.
pub(crate) async fn move_ticket(
    tx: &mut ScopedConn<'_>,
    key: &TicketKey,
    place: &Place,
    field: &'static str,
) -> Result<Ticket, ApiError> {
    let probe = crate::tickets::queries::find(tx, key).await?;
    access::require(tx, Permission::TicketsUpdate, probe.project_id)?;
    // Every move and every create in the project queue here: the neighbours read
    // below stay the neighbours until this transaction ends.
    crate::sprints::queries::lock_project(tx, probe.project_id).await?;
    let before = crate::tickets::queries::find(tx, key).await?;
    let target_key = match place {
        Place::Before(k) | Place::After(k) => k,
    };
    let target = crate::tickets::queries::find(tx, target_key)
        .await
        .map_err(|_| ApiError::validation(field, "no such ticket"))?;
    if target.project_id != before.project_id {
        return Err(ApiError::validation(
            field,
            "the ticket is in another project",
        ));
    }
    if target.id == before.id {
        return Err(ApiError::validation(
            field,
            "a ticket cannot move next to itself",
        ));
    }
    let org = tx.scope().org_id();
    let target_rank = rank_of(tx, target.id).await?;
    let neighbour = |q: tickets::BoxedQuery<'static, diesel::pg::Pg>| {
        q.filter(tickets::org_id.eq(org))
            .filter(tickets::project_id.eq(before.project_id))
            .filter(tickets::id.ne(before.id))
            .select(tickets::rank)
    };
    let new_rank = match place {
        Place::Before(_) => {
            let prev: Option<String> = neighbour(tickets::table.into_boxed())
                .filter(tickets::rank.lt(target_rank.clone()))
                .order(tickets::rank.desc())
                .first(tx.conn())
                .await
                .optional()?;
            between(prev.as_deref(), Some(&target_rank))
        }
        Place::After(_) => {
            let next: Option<String> = neighbour(tickets::table.into_boxed())
                .filter(tickets::rank.gt(target_rank.clone()))
                .order(tickets::rank.asc())
                .first(tx.conn())
                .await
                .optional()?;
            match next {
                Some(next) => between(Some(&target_rank), Some(&next)),
                None => Some(after_last(tx, &target_rank).await?),
            }
        }
    }
    .ok_or_else(|| ApiError::internal("rank keys out of order"))?;
    let (id, version, project) = (before.id, before.version, before.project_id);
    let long = new_rank.len() > REBALANCE_AT;
    Change {
        action: "ticket.rank",
        entity: Entity::Ticket(id),
        before: &before,
        version,
    }
    .update(
        tx,
        async |tx| {
            diesel::update(
                tickets::table
                    .filter(tickets::org_id.eq(org))
                    .filter(tickets::id.eq(id))
                    .filter(tickets::version.eq(version)),
            )
            .set((
                tickets::rank.eq(&new_rank),
                tickets::version.eq(tickets::version + 1),
                tickets::updated_at.eq(diesel::dsl::now),
            ))
            .execute(tx.conn())
            .await
        },
        async |tx| {
            if long {
                rebalance(tx, project).await?;
            }
            crate::tickets::queries::find(tx, key).await
        },
    )
    .await
}

/// The key for a new last ticket after `last` (the same function ticket creation uses).
async fn after_last(tx: &mut ScopedConn<'_>, last: &str) -> Result<String, ApiError> {
    #[derive(QueryableByName)]
    struct Key {
        #[diesel(sql_type = diesel::sql_types::Text)]
        key: String,
    }
    let row: Key = diesel::sql_query("SELECT trellis_rank_after($1) AS key")
        .bind::<diesel::sql_types::Text, _>(last)
        .get_result(tx.conn())
        .await?;
    Ok(row.key)
}

/// Rewrites the project's keys, in their order, to evenly spaced six-character ones
/// (`trellis_rank_slot`). Needs the project lock ([`move_ticket`] holds it). Ranks
/// are unique at every row, so the rows first get placeholders in the same order
/// (`zzzzzzzz` and the slot: fourteen characters, never a six-character slot), then
/// their slots. Versions do not change: the order is the same. Answers the rows.
pub(crate) async fn rebalance(
    tx: &mut ScopedConn<'_>,
    project: ProjectId,
) -> Result<usize, ApiError> {
    let org = tx.scope().org_id();
    let mut rows = 0;
    for prefix in ["zzzzzzzz", ""] {
        rows = diesel::sql_query(
            "UPDATE tickets t SET rank = $3 || trellis_rank_slot(r.n) \
               FROM (SELECT id, row_number() OVER (ORDER BY rank) AS n FROM tickets \
                      WHERE org_id = $1 AND project_id = $2) r \
              WHERE t.org_id = $1 AND t.id = r.id",
        )
        .bind::<SqlUuid, _>(org.0)
        .bind::<SqlUuid, _>(project.0)
        .bind::<diesel::sql_types::Text, _>(prefix)
        .execute(tx.conn())
        .await?;
    }
    Ok(rows)
}
