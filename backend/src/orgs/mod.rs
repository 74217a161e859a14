//! The organization itself (`/api/v1/orgs/{org}`) and its members.

pub(crate) mod invitations;
pub(crate) mod members;
pub(crate) mod routes;

#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use tenancy::{OrgId, UserId};

use crate::schema::orgs;

/// A user as other resources refer to them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UserRef {
    pub id: UserId,
    /// GitHub login.
    pub login: String,
    pub name: String,
}

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
