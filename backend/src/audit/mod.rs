//! The audit log: every change writes an entry (actor, action, entity, before/after,
//! request id, IP) in the same transaction as the change itself.
//!
//! A library for every feature (the sign-in and token code included), so it has no
//! routes of its own: `/audit-log` is served by `orgs::audit_log`.

mod guarded;
pub(crate) mod history;
pub(crate) mod queries;

pub use guarded::{Change, to_json};
pub use queries::{record, record_many};

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use tenancy::{OrgId, TokenId};

use crate::refs::UserRef;
use crate::schema::audit_log;

pub use crate::ids::AuditId;
use crate::ids::{
    AttachmentId, CommentId, ComponentId, CustomFieldId, FilterId, ProjectId, SprintId, TicketId,
    WorkflowId,
};

/// What an audit entry is about.
#[derive(Debug, Clone, Copy)]
pub enum Entity {
    Org(OrgId),
    Project(ProjectId),
    Ticket(TicketId),
    Comment(CommentId),
    Attachment(AttachmentId),
    Token(TokenId),
    Filter(FilterId),
    Sprint(SprintId),
    /// A project's workflow (its statuses and transitions).
    Workflow(WorkflowId),
    Component(ComponentId),
    /// An organization's own ticket field.
    CustomField(CustomFieldId),
    /// A membership, by its user.
    Member(tenancy::UserId),
    Invitation(tenancy::InvitationId),
}

impl Entity {
    /// Every entity type name [`Entity::parts`] gives (what `/audit-log` filters by).
    pub const TYPES: &[&str] = &[
        "org",
        "project",
        "ticket",
        "comment",
        "token",
        "filter",
        "sprint",
        "component",
        "custom_field",
        "attachment",
        "workflow",
        "member",
        "invitation",
    ];

    /// The entity's type name and id as the log stores them.
    pub fn parts(self) -> (&'static str, uuid::Uuid) {
        match self {
            Entity::Org(id) => ("org", id.0),
            Entity::Project(id) => ("project", id.0),
            Entity::Ticket(id) => ("ticket", id.0),
            Entity::Comment(id) => ("comment", id.0),
            Entity::Attachment(id) => ("attachment", id.0),
            Entity::Token(id) => ("token", id.0),
            Entity::Filter(id) => ("filter", id.0),
            Entity::Sprint(id) => ("sprint", id.0),
            Entity::Workflow(id) => ("workflow", id.0),
            Entity::Component(id) => ("component", id.0),
            Entity::CustomField(id) => ("custom_field", id.0),
            Entity::Member(id) => ("member", id.0),
            Entity::Invitation(id) => ("invitation", id.0),
        }
    }
}

/// One audited change, as the log stores it.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = audit_log)]
pub(crate) struct AuditRow {
    pub id: AuditId,
    pub actor_id: Option<uuid::Uuid>,
    pub token_id: Option<uuid::Uuid>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: uuid::Uuid,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub request_id: Option<String>,
    pub ip: Option<String>,
    pub created_at: DateTime<Utc>,
    pub bulk_id: Option<uuid::Uuid>,
    pub import_id: Option<uuid::Uuid>,
}

/// One audited change.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct AuditEntry {
    pub(crate) id: AuditId,
    actor_id: Option<uuid::Uuid>,
    /// Who made the change (`null` for Stripe's and other system changes, or a
    /// deleted account).
    actor: Option<UserRef>,
    /// The API token used, when the change came through one.
    token_id: Option<uuid::Uuid>,
    /// e.g. `ticket.update`.
    action: String,
    entity_type: String,
    entity_id: uuid::Uuid,
    #[schema(value_type = Option<Object>)]
    before: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    after: Option<serde_json::Value>,
    request_id: Option<String>,
    ip: Option<String>,
    created_at: DateTime<Utc>,
    /// The bulk request (`POST /tickets/bulk`) the change was part of.
    bulk_id: Option<uuid::Uuid>,
    /// The import (`POST /projects/{key}/import`, `trellis import`) that created it.
    import_id: Option<uuid::Uuid>,
}

impl AuditEntry {
    fn new(row: AuditRow, actor: Option<UserRef>) -> Self {
        Self {
            id: row.id,
            actor_id: row.actor_id,
            actor,
            token_id: row.token_id,
            action: row.action,
            entity_type: row.entity_type,
            entity_id: row.entity_id,
            before: row.before,
            after: row.after,
            request_id: row.request_id,
            ip: row.ip,
            created_at: row.created_at,
            bulk_id: row.bulk_id,
            import_id: row.import_id,
        }
    }
}
