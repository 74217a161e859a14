//! The `audit_log` rows of the organization in scope: appending one, reading a page.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::Value;
use tenancy::ScopedConn;

use super::{AuditEntry, AuditId, Entity};
use crate::http::request_id;
use crate::schema::audit_log;

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

/// One page of the log, newest first, before `before`.
pub(crate) async fn page(
    tx: &mut ScopedConn<'_>,
    before: Option<AuditId>,
    limit: i64,
) -> QueryResult<Vec<AuditEntry>> {
    // Ids are UUIDv7: id order is time order, and a single-column keyset.
    let mut q = audit_log::table
        .filter(audit_log::org_id.eq(tx.scope().org_id()))
        .select(AuditEntry::as_select())
        .into_boxed();
    if let Some(before) = before {
        q = q.filter(audit_log::id.lt(before.0));
    }
    q.order(audit_log::id.desc())
        .limit(limit + 1)
        .load(tx.conn())
        .await
}
