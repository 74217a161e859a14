//! Comments on tickets. Authors edit and delete their own; `comments.moderate` lets
//! admins handle anyone's.

pub(crate) mod queries;
pub(crate) mod routes;

#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use tenancy::UserId;

use crate::http::{ApiError, validate};
use crate::orgs::UserRef;
use crate::schema::comment_views;

pub use crate::ids::CommentId;

/// A comment as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Comment {
    pub id: CommentId,
    pub author: UserRef,
    pub body: String,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = comment_views)]
struct CommentRow {
    id: CommentId,
    author_id: UserId,
    author_login: String,
    author_name: String,
    body: String,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<CommentRow> for Comment {
    fn from(r: CommentRow) -> Self {
        Comment {
            id: r.id,
            author: UserRef {
                id: r.author_id,
                login: r.author_login,
                name: r.author_name,
            },
            body: r.body,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// `POST` and `PATCH` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentBody {
    /// Markdown text, 1 to 50,000 characters.
    pub body: String,
}

const BODY_MAX: usize = 50_000;

impl CommentBody {
    fn validate(&self) -> Result<String, ApiError> {
        let body = validate::long_text("body", &self.body, BODY_MAX)?;
        if body.trim().is_empty() {
            return Err(ApiError::validation("body", "must not be empty"));
        }
        Ok(body)
    }
}
