//! Saved filters: a named JQL query, private to its owner or shared with the org.
//! `/api/v1/orgs/{org}/filters`

pub(crate) mod queries;
pub(crate) mod routes;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use tenancy::UserId;

pub use crate::ids::FilterId;
use crate::schema::saved_filters;

/// A saved filter as the API shows it.
#[derive(Debug, Clone, Queryable, Selectable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = saved_filters)]
pub(crate) struct SavedFilter {
    pub id: FilterId,
    pub owner_id: UserId,
    pub name: String,
    /// The query as saved (run it with `/search`).
    pub jql: String,
    /// Visible to every member of the organization, not only its owner.
    pub shared: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `POST /filters` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewFilter {
    pub name: String,
    pub jql: String,
    #[serde(default)]
    pub shared: bool,
}

/// `PATCH /filters/{filter}` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct FilterPatch {
    pub name: Option<String>,
    pub jql: Option<String>,
    pub shared: Option<bool>,
}
