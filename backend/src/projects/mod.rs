//! Projects: a key (`WEB`), a name, a workflow, and the counter that numbers tickets.

pub(crate) mod access;
pub(crate) mod members;
pub(crate) mod queries;
pub(crate) mod routes;

#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::http::ApiError;
use crate::http::validate;
use crate::orgs::UserRef;
use crate::schema::projects;
use crate::workflows::{Status, WorkflowId};

pub use crate::ids::ProjectId;
pub use crate::refs::ProjectRole;

pub(crate) use queries::{allocate_ticket_numbers, find_open_for_update};

/// A project as the API shows it.
#[derive(Debug, Clone, Queryable, Selectable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = projects)]
pub struct Project {
    pub id: ProjectId,
    /// Upper-case key that prefixes ticket keys (`WEB` in `WEB-12`).
    pub key: String,
    pub name: String,
    pub description: String,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Set when archived: no new tickets; hidden from lists unless asked for.
    pub archived_at: Option<DateTime<Utc>>,
    /// Visible only to the project's members and the organization's owners and admins.
    pub private: bool,
    #[serde(skip)]
    pub workflow_id: WorkflowId,
}

/// A project with its workflow's statuses.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProjectDetail {
    #[serde(flatten)]
    pub project: Project,
    pub statuses: Vec<Status>,
    /// What the caller may do in this project, by permission name (`tickets.update`,
    /// `projects.update` for leads, ...): their organization role narrowed by their
    /// project role and their token, so a client can show only the controls that work.
    pub my_permissions: Vec<&'static str>,
}

/// Someone's role in a project.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct ProjectMember {
    user: UserRef,
    role: ProjectRole,
    added_at: DateTime<Utc>,
}

/// `PUT .../members/{member}` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProjectRoleChange {
    role: ProjectRole,
}

/// `POST /projects` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProject {
    /// 2 to 10 characters: an upper-case letter, then upper-case letters or digits.
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Visible only to its members (and the org's owners and admins). The creator
    /// becomes the project's lead.
    #[serde(default)]
    pub private: bool,
}

/// `PATCH /projects/{key}` body: only the fields given change.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectPatch {
    pub name: Option<String>,
    pub description: Option<String>,
    pub private: Option<bool>,
}

const NAME_MAX: usize = 200;
const DESCRIPTION_MAX: usize = 10_000;

/// The project key named in a path, upper-cased as Jira does; anything that cannot be
/// a key is a project that does not exist.
pub fn key_from_path(raw: &str) -> Result<String, ApiError> {
    let key = raw.to_ascii_uppercase();
    if valid_key(&key) {
        Ok(key)
    } else {
        Err(ApiError::not_found("project"))
    }
}

/// Whether `key` is a well-formed project key.
pub fn valid_key(key: &str) -> bool {
    let bytes = key.as_bytes();
    (2..=10).contains(&bytes.len())
        && bytes[0].is_ascii_uppercase()
        && bytes
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

impl NewProject {
    pub(crate) fn validate(&self) -> Result<ValidProject, ApiError> {
        if !valid_key(&self.key) {
            return Err(ApiError::validation(
                "key",
                "must be 2 to 10 characters: an upper-case letter, then upper-case letters or digits",
            ));
        }
        Ok(ValidProject {
            key: self.key.clone(),
            name: validate::required_text("name", &self.name, NAME_MAX)?,
            description: validate::long_text("description", &self.description, DESCRIPTION_MAX)?,
            private: self.private,
        })
    }
}

impl ProjectPatch {
    fn validate(&self) -> Result<ValidPatch, ApiError> {
        Ok(ValidPatch {
            name: self
                .name
                .as_deref()
                .map(|n| validate::required_text("name", n, NAME_MAX))
                .transpose()?,
            description: self
                .description
                .as_deref()
                .map(|d| validate::long_text("description", d, DESCRIPTION_MAX))
                .transpose()?,
            private: self.private,
        })
    }
}

/// A checked [`ProjectPatch`]: the fields to change.
pub(crate) struct ValidPatch {
    name: Option<String>,
    description: Option<String>,
    private: Option<bool>,
}

pub(crate) struct ValidProject {
    key: String,
    name: String,
    description: String,
    private: bool,
}
