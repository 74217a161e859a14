//! The `audit_log` rows of the organization in scope: appending one, reading a page.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::Value;
use tenancy::ScopedConn;

use chrono::{DateTime, Utc};
use tenancy::UserId;

use super::history::HistoryEntry;
use super::{AuditEntry, AuditId, AuditRow, Entity};
use crate::http::request_id;
use crate::ids::TicketId;
use crate::refs::UserRef;
use crate::schema::{attachments, audit_log, comments, users};

/// Appends an audit entry inside the caller's transaction. The request id and IP come
/// from the request being handled (none for CLI commands).
pub async fn record(
    tx: &mut ScopedConn<'_>,
    action: &'static str,
    entity: Entity,
    before: Option<Value>,
    after: Option<Value>,
) -> QueryResult<()> {
    let (entity_type, entity_id) = entity.parts();
    let scope = tx.scope();
    let values = (
        audit_log::id.eq(AuditId::new()),
        audit_log::org_id.eq(scope.org_id()),
        audit_log::actor_id.eq(Some(scope.user_id())),
        audit_log::token_id.eq(scope.token_id()),
        audit_log::action.eq(action),
        audit_log::entity_type.eq(entity_type),
        audit_log::entity_id.eq(entity_id),
        audit_log::before.eq(before),
        audit_log::after.eq(after),
        audit_log::request_id.eq(request_id::current()),
        audit_log::ip.eq(request_id::current_ip()),
    );
    diesel::insert_into(audit_log::table)
        .values(values)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// One entry per entity, each with the same `before` and `after` (a change made to many
/// rows at once, e.g. the tickets a completed sprint moves), in one statement.
pub async fn record_each(
    tx: &mut ScopedConn<'_>,
    action: &'static str,
    entities: &[Entity],
    before: Option<Value>,
    after: Option<Value>,
) -> QueryResult<()> {
    if entities.is_empty() {
        return Ok(());
    }
    let scope = tx.scope();
    let (org, actor, token) = (scope.org_id(), scope.user_id(), scope.token_id());
    let (request, ip) = (request_id::current(), request_id::current_ip());
    let rows: Vec<_> = entities
        .iter()
        .map(|entity| {
            let (entity_type, entity_id) = entity.parts();
            (
                audit_log::id.eq(AuditId::new()),
                audit_log::org_id.eq(org),
                audit_log::actor_id.eq(Some(actor)),
                audit_log::token_id.eq(token),
                audit_log::action.eq(action),
                audit_log::entity_type.eq(entity_type),
                audit_log::entity_id.eq(entity_id),
                audit_log::before.eq(before.clone()),
                audit_log::after.eq(after.clone()),
                audit_log::request_id.eq(request.clone()),
                audit_log::ip.eq(ip.clone()),
            )
        })
        .collect();
    diesel::insert_into(audit_log::table)
        .values(rows)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// What the log may be filtered by (all optional, combined with AND).
#[derive(Debug, Default)]
pub(crate) struct AuditFilter {
    /// An exact action (`ticket.update`), or every action of a kind (`ticket.`).
    pub action: Option<String>,
    pub entity_type: Option<String>,
    pub entity_id: Option<uuid::Uuid>,
    pub actor: Option<UserId>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// An audit row with its actor's id, login and name (absent for system changes).
type RowWithActor = (AuditRow, Option<(uuid::Uuid, String, String)>);

fn with_actor(rows: Vec<RowWithActor>) -> Vec<(AuditRow, Option<UserRef>)> {
    rows.into_iter()
        .map(|(row, actor)| {
            let actor = actor.map(|(id, login, name)| UserRef {
                id: UserId(id),
                login,
                name,
            });
            (row, actor)
        })
        .collect()
}

/// One page of the log, newest first, before `before`, with each entry's actor.
pub(crate) async fn page(
    tx: &mut ScopedConn<'_>,
    filter: AuditFilter,
    before: Option<AuditId>,
    limit: i64,
) -> QueryResult<Vec<AuditEntry>> {
    // Ids are UUIDv7: id order is time order, and a single-column keyset. Each filter
    // is a plain comparison the indexes that lead with org_id can serve under RLS.
    let mut q = audit_log::table
        .left_join(users::table.on(audit_log::actor_id.eq(users::id.nullable())))
        .filter(audit_log::org_id.eq(tx.scope().org_id()))
        .select((
            AuditRow::as_select(),
            (users::id, users::login, users::name).nullable(),
        ))
        .into_boxed();
    if let Some(action) = filter.action {
        q = match action.strip_suffix('.') {
            Some(kind) => q.filter(audit_log::action.like(format!("{}.%", escape_like(kind)))),
            None => q.filter(audit_log::action.eq(action)),
        };
    }
    if let Some(entity_type) = filter.entity_type {
        q = q.filter(audit_log::entity_type.eq(entity_type));
    }
    if let Some(entity_id) = filter.entity_id {
        q = q.filter(audit_log::entity_id.eq(entity_id));
    }
    if let Some(actor) = filter.actor {
        q = q.filter(audit_log::actor_id.eq(actor.0));
    }
    if let Some(since) = filter.since {
        q = q.filter(audit_log::created_at.ge(since));
    }
    if let Some(until) = filter.until {
        q = q.filter(audit_log::created_at.lt(until));
    }
    if let Some(before) = before {
        q = q.filter(audit_log::id.lt(before.0));
    }
    let rows = q
        .order(audit_log::id.desc())
        .limit(limit + 1)
        .load::<RowWithActor>(tx.conn())
        .await?;
    Ok(with_actor(rows)
        .into_iter()
        .map(|(row, actor)| AuditEntry::new(row, actor))
        .collect())
}

/// The attachment actions a ticket's history shows: added (confirmed) and removed. A
/// pending upload, and its cancellation, are not news to a reader.
const ATTACHMENT_HISTORY: [&str; 2] = ["attachment.confirm", "attachment.delete"];

/// A ticket's history, newest first: the entries about the ticket, its comments and
/// its attachments, with field-level changes.
pub(crate) async fn ticket_history(
    tx: &mut ScopedConn<'_>,
    ticket: TicketId,
    before: Option<AuditId>,
    limit: i64,
) -> QueryResult<Vec<HistoryEntry>> {
    let org = tx.scope().org_id();
    let its_comments = comments::table
        .filter(comments::org_id.eq(org))
        .filter(comments::ticket_id.eq(ticket))
        .select(comments::id);
    // Deleted attachments keep their rows (soft delete), so their entries stay found.
    let its_attachments = attachments::table
        .filter(attachments::org_id.eq(org))
        .filter(attachments::ticket_id.eq(ticket))
        .select(attachments::id);
    // Not boxed (a subquery over another table cannot be); no cursor is "before the
    // greatest id".
    let before = before.map_or(uuid::Uuid::max(), |b| b.0);
    let rows = audit_log::table
        .left_join(users::table.on(audit_log::actor_id.eq(users::id.nullable())))
        .filter(audit_log::org_id.eq(org))
        .filter(
            audit_log::entity_type
                .eq("ticket")
                .and(audit_log::entity_id.eq(ticket.0))
                .or(audit_log::entity_type
                    .eq("comment")
                    .and(audit_log::entity_id.eq_any(its_comments)))
                .or(audit_log::entity_type
                    .eq("attachment")
                    .and(audit_log::action.eq_any(ATTACHMENT_HISTORY))
                    .and(audit_log::entity_id.eq_any(its_attachments))),
        )
        .select((
            AuditRow::as_select(),
            (users::id, users::login, users::name).nullable(),
        ))
        .filter(audit_log::id.lt(before))
        .order(audit_log::id.desc())
        .limit(limit + 1)
        .load::<RowWithActor>(tx.conn())
        .await?;
    Ok(with_actor(rows)
        .into_iter()
        .map(|(row, actor)| HistoryEntry::from_row(row, actor))
        .collect())
}

/// `text` with LIKE's wildcards taken literally.
fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}
