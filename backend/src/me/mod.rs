//! The signed-in person across organizations: `/auth/me` and the invitations
//! addressed to them (`/api/v1/invitations`: list, accept, decline, accept by link).

pub(crate) mod queries;
pub(crate) mod routes;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tenancy::{InvitationId, Role, UserId};

/// The signed-in user.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct Me {
    pub id: UserId,
    pub login: String,
    pub name: String,
    pub email: Option<String>,
    pub orgs: Vec<MyOrg>,
    /// Open invitations addressed to this user's login or verified addresses.
    pub invitations: Vec<MyInvitation>,
}

/// An organization the user belongs to.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct MyOrg {
    pub slug: String,
    pub name: String,
    pub role: Role,
}

/// An open invitation, as its invitee sees it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct MyInvitation {
    pub id: InvitationId,
    pub org_slug: String,
    pub org_name: String,
    pub role: Role,
    pub invited_by: String,
    pub expires_at: DateTime<Utc>,
}

/// The organization joined by accepting an invitation.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct Joined {
    pub org_slug: String,
    pub role: Role,
}

/// `POST /api/v1/invitations/accept` body: the secret from an invitation link.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LinkAcceptance {
    pub token: String,
}
