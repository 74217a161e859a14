//! Watcher queries, inside an org-scoped transaction.

use diesel::prelude::*;
use diesel::sql_types;
use diesel_async::RunQueryDsl;
use serde_json::json;
use tenancy::{ScopedConn, UserId};

use super::Watchers;
use crate::audit::{self, Entity};
use crate::http::ApiError;
use crate::ids::{ProjectId, TicketId};
use crate::refs::UserRef;
use crate::schema::ticket_watchers;
use crate::tickets::watching;

#[derive(QueryableByName)]
struct WatcherRow {
    #[diesel(sql_type = sql_types::Uuid)]
    id: uuid::Uuid,
    #[diesel(sql_type = sql_types::Text)]
    login: String,
    #[diesel(sql_type = sql_types::Text)]
    name: String,
}

/// Members who may see `project`: any project for owners and admins, a private one
/// only for its members. `$1` is the org, `$2` the project; `m` the membership.
const SEES_PROJECT: &str = "(m.role IN ('owner', 'admin') \
     OR NOT (SELECT p.private FROM projects p WHERE p.org_id = $1 AND p.id = $2) \
     OR EXISTS (SELECT 1 FROM project_members pm \
                 WHERE pm.org_id = $1 AND pm.project_id = $2 AND pm.user_id = m.user_id))";

/// The ticket's watchers who are still members and may see its project.
pub(crate) async fn list(
    tx: &mut ScopedConn<'_>,
    ticket: TicketId,
    project: ProjectId,
) -> Result<Watchers, ApiError> {
    let rows: Vec<WatcherRow> = diesel::sql_query(format!(
        "SELECT u.id, u.login, u.name FROM ticket_watchers w \
         JOIN memberships m ON m.org_id = w.org_id AND m.user_id = w.user_id \
         JOIN users u ON u.id = w.user_id AND u.deleted_at IS NULL \
         WHERE w.org_id = $1 AND w.ticket_id = $3 AND {SEES_PROJECT} \
         ORDER BY lower(u.login), u.id"
    ))
    .bind::<sql_types::Uuid, _>(tx.scope().org_id().0)
    .bind::<sql_types::Uuid, _>(project.0)
    .bind::<sql_types::Uuid, _>(ticket.0)
    .load(tx.conn())
    .await?;
    let me = tx.scope().user_id();
    let items: Vec<UserRef> = rows
        .into_iter()
        .map(|r| UserRef {
            id: UserId(r.id),
            login: r.login,
            name: r.name,
        })
        .collect();
    Ok(Watchers {
        watching: items.iter().any(|u| u.id == me),
        count: items.len() as i64,
        items,
    })
}

/// The member with `login` who may see `project`; a 422 on `login` otherwise (someone
/// who cannot see the ticket cannot watch it).
pub(crate) async fn member_who_sees(
    tx: &mut ScopedConn<'_>,
    login: &str,
    project: ProjectId,
) -> Result<UserRef, ApiError> {
    let row: Option<WatcherRow> = diesel::sql_query(format!(
        "SELECT u.id, u.login, u.name FROM memberships m \
         JOIN users u ON u.id = m.user_id AND u.deleted_at IS NULL \
         WHERE m.org_id = $1 AND lower(u.login) = lower($3) AND {SEES_PROJECT}"
    ))
    .bind::<sql_types::Uuid, _>(tx.scope().org_id().0)
    .bind::<sql_types::Uuid, _>(project.0)
    .bind::<sql_types::Text, _>(login)
    .get_result(tx.conn())
    .await
    .optional()?;
    row.map(|r| UserRef {
        id: UserId(r.id),
        login: r.login,
        name: r.name,
    })
    .ok_or_else(|| ApiError::validation("login", "not a member who can see this ticket's project"))
}

/// The person with `login` (a member or not: former members may still watch).
pub(crate) async fn user_by_login(
    tx: &mut ScopedConn<'_>,
    login: &str,
) -> Result<Option<UserRef>, ApiError> {
    let row: Option<WatcherRow> =
        diesel::sql_query("SELECT id, login, name FROM users WHERE lower(login) = lower($1)")
            .bind::<sql_types::Text, _>(login)
            .get_result(tx.conn())
            .await
            .optional()?;
    Ok(row.map(|r| UserRef {
        id: UserId(r.id),
        login: r.login,
        name: r.name,
    }))
}

/// Makes `user` watch the ticket; audited when they were not watching yet.
pub(crate) async fn add(
    tx: &mut ScopedConn<'_>,
    ticket: TicketId,
    user: &UserRef,
) -> Result<(), ApiError> {
    if watching::watch(tx, ticket, &[user.id]).await? > 0 {
        audit::record(
            tx,
            "ticket.watch",
            Entity::Ticket(ticket),
            Some(json!({ "watcher": null })),
            Some(json!({ "watcher": user.login })),
        )
        .await?;
    }
    Ok(())
}

/// Stops `user` watching the ticket; audited when they were watching.
pub(crate) async fn remove(
    tx: &mut ScopedConn<'_>,
    ticket: TicketId,
    user: &UserRef,
) -> Result<(), ApiError> {
    let removed = diesel::delete(
        ticket_watchers::table
            .filter(ticket_watchers::org_id.eq(tx.scope().org_id()))
            .filter(ticket_watchers::ticket_id.eq(ticket))
            .filter(ticket_watchers::user_id.eq(user.id)),
    )
    .execute(tx.conn())
    .await?;
    if removed > 0 {
        audit::record(
            tx,
            "ticket.unwatch",
            Entity::Ticket(ticket),
            Some(json!({ "watcher": user.login })),
            Some(json!({ "watcher": null })),
        )
        .await?;
    }
    Ok(())
}
