//! API tokens over HTTP (`/api/v1/orgs/{org}/tokens`). A token is shown once, stored
//! as SHA-256, belongs to one organization, and may be narrowed to a subset of its
//! creator's permissions (never more: what it can do is always intersected with the
//! user's current role). Minting and hashing the secrets is `auth::tokens`.

pub(crate) mod queries;
pub(crate) mod routes;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tenancy::TokenId;

/// `POST /tokens` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewToken {
    /// What the token is for (1 to 100 characters).
    pub name: String,
    /// Narrow the token to these permissions (default: everything your role grants).
    #[schema(value_type = Option<Vec<String>>, example = json!(["tickets.read"]))]
    pub permissions: Option<Vec<String>>,
    /// Days until the token expires (1 to 366; default: never).
    pub expires_in_days: Option<u32>,
}

/// An API token's description (never its secret, except once in [`CreatedToken`]).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct TokenInfo {
    pub id: TokenId,
    pub name: String,
    /// The token's owner.
    pub user_login: String,
    /// `null`: everything the owner's role grants.
    pub permissions: Option<Vec<String>>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// A new token: `token` is shown this once and never again.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct CreatedToken {
    #[serde(flatten)]
    pub info: TokenInfo,
    pub token: String,
}
