//! Worklog queries. All run inside an org-scoped transaction.
//!
//! Every write locks the ticket row first (`SELECT .. FOR UPDATE`), then writes the
//! worklog, then the ticket's totals. The other order deadlocks: inserting a worklog
//! takes a share lock on the ticket through the foreign key, and two such
//! transactions then each wait for the other's share lock to update the totals.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use tenancy::{Permission, ScopedConn};

use super::{Adjust, Worklog, WorklogChange, WorklogId, WorklogRow};
use crate::audit::{Change, Entity};
use crate::http::{ApiError, IfMatch};
use crate::refs::UserRef;
use crate::schema::{tickets, users, worklogs};
use crate::tickets::{Ticket, TicketId, TicketKey};

/// The ticket with a worklog's state, as the ticket's audit entry keeps it: the
/// history then shows `time_spent`, `remaining_estimate` and `worklog` changing.
fn with_worklog(ticket: &Ticket, worklog: Option<&Worklog>) -> serde_json::Value {
    let mut state = crate::audit::to_json(ticket);
    if let Some(fields) = state.as_object_mut() {
        fields.insert("worklog".to_owned(), crate::audit::to_json(&worklog));
    }
    state
}

/// The live ticket with this key, locked for the rest of the transaction, after
/// checking the caller may use `permission` in its project.
async fn lock_ticket(
    tx: &mut ScopedConn<'_>,
    key: &TicketKey,
    permission: Permission,
) -> Result<Ticket, ApiError> {
    let id = crate::tickets::find_id_by_key(tx, key, permission).await?;
    tickets::table
        .filter(tickets::org_id.eq(tx.scope().org_id()))
        .filter(tickets::id.eq(id))
        .select(tickets::id)
        .for_update()
        .first::<TicketId>(tx.conn())
        .await?;
    // Read after the lock: nobody changes it until we commit.
    crate::tickets::queries::load(tx, id).await
}

async fn load(
    tx: &mut ScopedConn<'_>,
    ticket: TicketId,
    id: WorklogId,
) -> Result<Worklog, ApiError> {
    let row: Option<(WorklogRow, (tenancy::UserId, String, String))> = worklogs::table
        .inner_join(users::table)
        .filter(worklogs::org_id.eq(tx.scope().org_id()))
        .filter(worklogs::ticket_id.eq(ticket))
        .filter(worklogs::id.eq(id))
        .filter(worklogs::deleted_at.is_null())
        .select((
            WorklogRow::as_select(),
            (users::id, users::login, users::name),
        ))
        .first(tx.conn())
        .await
        .optional()?;
    let (row, (id, login, name)) = row.ok_or_else(|| ApiError::not_found("worklog"))?;
    Ok(row.with_author(UserRef { id, login, name }))
}

pub(super) async fn list(
    tx: &mut ScopedConn<'_>,
    key: &TicketKey,
    after: Option<WorklogId>,
    limit: i64,
) -> Result<Vec<Worklog>, ApiError> {
    let ticket = crate::tickets::find_id_by_key(tx, key, Permission::TicketsRead).await?;
    // Ids are UUIDv7, so id order is creation order.
    let mut q = worklogs::table
        .inner_join(users::table)
        .filter(worklogs::org_id.eq(tx.scope().org_id()))
        .filter(worklogs::ticket_id.eq(ticket))
        .filter(worklogs::deleted_at.is_null())
        .select((
            WorklogRow::as_select(),
            (users::id, users::login, users::name),
        ))
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(worklogs::id.gt(after));
    }
    let rows: Vec<(WorklogRow, (tenancy::UserId, String, String))> = q
        .order(worklogs::id.asc())
        .limit(limit + 1)
        .load(tx.conn())
        .await?;
    Ok(rows
        .into_iter()
        .map(|(row, (id, login, name))| row.with_author(UserRef { id, login, name }))
        .collect())
}

/// Writes the ticket's new totals (`spent_delta` more minutes, the remaining estimate
/// by `adjust`) and its audit entry, with the worklog before and after.
async fn update_totals(
    tx: &mut ScopedConn<'_>,
    action: &'static str,
    before: &Ticket,
    spent_delta: i32,
    adjust: Adjust,
    worklog_before: Option<&Worklog>,
    worklog_after: Option<&Worklog>,
) -> Result<(), ApiError> {
    let remaining = adjust.apply(
        before.remaining_estimate,
        before.original_estimate,
        spent_delta,
    );
    let (id, version) = (before.id, before.version);
    let before_state = with_worklog(before, worklog_before);
    let after_worklog = worklog_after.cloned();
    Change {
        action,
        entity: Entity::Ticket(id),
        before: &before_state,
        version,
    }
    .update(
        tx,
        async |tx| {
            diesel::update(
                tickets::table
                    .filter(tickets::org_id.eq(tx.scope().org_id()))
                    .filter(tickets::id.eq(id))
                    .filter(tickets::version.eq(version)),
            )
            .set((
                tickets::time_spent.eq(tickets::time_spent + spent_delta),
                tickets::remaining_estimate.eq(remaining),
                tickets::version.eq(tickets::version + 1),
                tickets::updated_at.eq(diesel::dsl::now),
            ))
            .execute(tx.conn())
            .await
        },
        async |tx| {
            let ticket = crate::tickets::queries::load(tx, id).await?;
            Ok(with_worklog(&ticket, after_worklog.as_ref()))
        },
    )
    .await
    .map(|_| ())
}

pub(crate) async fn create(
    tx: &mut ScopedConn<'_>,
    key: &TicketKey,
    change: WorklogChange,
) -> Result<Worklog, ApiError> {
    let ticket = lock_ticket(tx, key, Permission::TicketsUpdate).await?;
    let id = WorklogId::new();
    let minutes = change.minutes.unwrap_or(1);
    let scope = tx.scope();
    diesel::insert_into(worklogs::table)
        .values((
            worklogs::id.eq(id),
            worklogs::org_id.eq(scope.org_id()),
            worklogs::ticket_id.eq(ticket.id),
            worklogs::author_id.eq(scope.user_id()),
            worklogs::minutes.eq(minutes),
            worklogs::started_at.eq(change.started_at.unwrap_or_else(chrono::Utc::now)),
            worklogs::comment.eq(change.comment.unwrap_or_default()),
        ))
        .execute(tx.conn())
        .await?;
    let worklog = load(tx, ticket.id, id).await?;
    update_totals(
        tx,
        "worklog.create",
        &ticket,
        minutes,
        change.adjust,
        None,
        Some(&worklog),
    )
    .await?;
    Ok(worklog)
}

/// The ticket (locked) and its worklog, if the caller may change it: their own, or
/// anyone's with `worklogs.moderate`.
async fn load_for_change(
    tx: &mut ScopedConn<'_>,
    key: &TicketKey,
    id: WorklogId,
    if_match: &IfMatch,
) -> Result<(Ticket, Worklog), ApiError> {
    let ticket = lock_ticket(tx, key, Permission::TicketsUpdate).await?;
    let worklog = load(tx, ticket.id, id).await?;
    let scope = tx.scope();
    if worklog.author.id != scope.user_id()
        && !scope.can_in_project(Permission::WorklogsModerate, ticket.project_id.0)
    {
        return Err(ApiError::forbidden(
            "only the author or someone with `worklogs.moderate` may change this worklog",
        ));
    }
    if_match.check(worklog.version)?;
    Ok((ticket, worklog))
}

pub(crate) async fn update(
    tx: &mut ScopedConn<'_>,
    key: &TicketKey,
    id: WorklogId,
    if_match: &IfMatch,
    change: WorklogChange,
) -> Result<Worklog, ApiError> {
    let (ticket, before) = load_for_change(tx, key, id, if_match).await?;
    let minutes = change.minutes.unwrap_or(before.minutes);
    let rows = diesel::update(
        worklogs::table
            .filter(worklogs::org_id.eq(tx.scope().org_id()))
            .filter(worklogs::id.eq(id))
            .filter(worklogs::version.eq(before.version)),
    )
    .set((
        worklogs::minutes.eq(minutes),
        worklogs::started_at.eq(change.started_at.unwrap_or(before.started_at)),
        worklogs::comment.eq(change.comment.unwrap_or_else(|| before.comment.clone())),
        worklogs::version.eq(worklogs::version + 1),
        worklogs::updated_at.eq(diesel::dsl::now),
    ))
    .execute(tx.conn())
    .await?;
    if rows == 0 {
        return Err(ApiError::precondition_failed(before.version + 1));
    }
    let after = load(tx, ticket.id, id).await?;
    update_totals(
        tx,
        "worklog.update",
        &ticket,
        minutes - before.minutes,
        change.adjust,
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

pub(crate) async fn delete(
    tx: &mut ScopedConn<'_>,
    key: &TicketKey,
    id: WorklogId,
    if_match: &IfMatch,
    adjust: Adjust,
) -> Result<(), ApiError> {
    let (ticket, before) = load_for_change(tx, key, id, if_match).await?;
    diesel::update(
        worklogs::table
            .filter(worklogs::org_id.eq(tx.scope().org_id()))
            .filter(worklogs::id.eq(id)),
    )
    .set((
        worklogs::deleted_at.eq(diesel::dsl::now),
        worklogs::version.eq(worklogs::version + 1),
    ))
    .execute(tx.conn())
    .await?;
    update_totals(
        tx,
        "worklog.delete",
        &ticket,
        -before.minutes,
        adjust,
        Some(&before),
        None,
    )
    .await
}
