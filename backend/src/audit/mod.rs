//! The audit log: every change writes an entry (actor, action, entity, before/after,
//! request id, IP) in the same transaction as the change itself.

mod guarded;
pub(crate) mod routes;

pub use guarded::{Change, to_json};

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::Value;
use tenancy::{OrgId, ScopedConn, TokenId};

use crate::http::request_id;
use crate::schema::audit_log;

pub use crate::ids::AuditId;
use crate::ids::{CommentId, FilterId, ProjectId, TicketId};

/// What an audit entry is about.
#[derive(Debug, Clone, Copy)]
pub enum Entity {
    Org(OrgId),
    Project(ProjectId),
    Ticket(TicketId),
    Comment(CommentId),
    Token(TokenId),
    Filter(FilterId),
    /// A membership, by its user.
    Member(tenancy::UserId),
    Invitation(tenancy::InvitationId),
}

impl Entity {
    fn parts(self) -> (&'static str, uuid::Uuid) {
        match self {
            Entity::Org(id) => ("org", id.0),
            Entity::Project(id) => ("project", id.0),
            Entity::Ticket(id) => ("ticket", id.0),
            Entity::Comment(id) => ("comment", id.0),
            Entity::Token(id) => ("token", id.0),
            Entity::Filter(id) => ("filter", id.0),
            Entity::Member(id) => ("member", id.0),
            Entity::Invitation(id) => ("invitation", id.0),
        }
    }
}

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
