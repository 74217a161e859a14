//! How responses refer to other resources (a leaf: it imports no feature).

use serde::{Deserialize, Serialize};
use tenancy::UserId;

/// A user as other resources refer to them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UserRef {
    pub id: UserId,
    /// GitHub login.
    pub login: String,
    pub name: String,
}

/// A role in one project: a `lead` manages it (and its workflow), a `member` works in
/// it, a `viewer` only reads it. Transitions may be limited to some of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ProjectRole {
    Lead,
    Member,
    Viewer,
}

impl ProjectRole {
    /// The stored (and serialized) form.
    pub fn as_str(self) -> &'static str {
        match self {
            ProjectRole::Lead => "lead",
            ProjectRole::Member => "member",
            ProjectRole::Viewer => "viewer",
        }
    }

    /// Parses the stored form; `None` for anything else.
    pub fn from_db(s: &str) -> Option<Self> {
        match s {
            "lead" => Some(ProjectRole::Lead),
            "member" => Some(ProjectRole::Member),
            "viewer" => Some(ProjectRole::Viewer),
            _ => None,
        }
    }
}
