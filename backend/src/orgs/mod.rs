//! The organization itself (`/api/v1/orgs/{org}`), its members, invitations and
//! audit log.

pub(crate) mod audit_log;
pub(crate) mod invitations;
pub(crate) mod members;
pub(crate) mod queries;
pub(crate) mod routes;

#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use tenancy::{InvitationId, OrgId, Role};

use crate::schema::orgs;

pub use crate::refs::UserRef;

/// An organization as the API shows it.
#[derive(Debug, Clone, Queryable, Selectable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = orgs)]
pub struct Org {
    pub id: OrgId,
    /// URL name, permanent.
    pub slug: String,
    pub name: String,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `PATCH /orgs/{org}` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct OrgPatch {
    name: Option<String>,
}

/// A member and their role.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct Member {
    user: UserRef,
    role: Role,
    joined_at: DateTime<Utc>,
}

/// `PATCH /members/{login}` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RoleChange {
    role: Role,
}

/// `POST /transfer-ownership` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Transfer {
    /// The member who becomes owner; you become an admin.
    login: String,
}

/// `POST /invitations` body: exactly one of `github_login` and `email`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewInvitation {
    github_login: Option<String>,
    email: Option<String>,
    role: Role,
}

/// An invitation as the organization sees it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct Invitation {
    id: InvitationId,
    github_login: Option<String>,
    email: Option<String>,
    role: Role,
    invited_by: String,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    /// `pending`, `accepted`, `declined`, `revoked` or `expired`.
    status: &'static str,
    /// The link to send the invitee; only in the response that created it.
    #[serde(skip_serializing_if = "Option::is_none")]
    link: Option<String>,
}
