//! Components: named parts of a project ("Backend", "Billing"), each with an optional
//! lead. A ticket may belong to several of its project's components; JQL
//! `component = Backend` finds them. The project's lead, an admin or the owner manage
//! them (`projects.update` in the project).

pub(crate) mod queries;
pub(crate) mod routes;

#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::http::{ApiError, validate};
pub use crate::ids::ComponentId;
use crate::refs::UserRef;

const NAME_MAX: usize = 100;
const DESCRIPTION_MAX: usize = 2000;
/// Most components in one project.
pub(crate) const PER_PROJECT_MAX: i64 = 500;

/// A component as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Component {
    pub id: ComponentId,
    pub project: String,
    pub name: String,
    pub description: String,
    pub lead: Option<UserRef>,
    /// Live tickets in it.
    pub tickets: i64,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `POST /projects/{project}/components` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewComponent {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Login of a member.
    pub lead: Option<String>,
}

/// `PATCH /components/{component}` body; `"lead": null` clears the lead.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComponentPatch {
    pub name: Option<String>,
    pub description: Option<String>,
    #[serde(default, deserialize_with = "crate::http::validate::present")]
    #[schema(value_type = Option<String>)]
    pub lead: Option<Option<String>>,
}

/// Validated component fields; `None` leaves one as it is.
#[derive(Debug, Default)]
pub(crate) struct ComponentChange {
    pub name: Option<String>,
    pub description: Option<String>,
    pub lead: Option<Option<String>>,
}

fn name(raw: &str) -> Result<String, ApiError> {
    validate::required_text("name", raw, NAME_MAX)
}

fn description(raw: &str) -> Result<String, ApiError> {
    validate::long_text("description", raw, DESCRIPTION_MAX)
}

fn lead(raw: Option<&str>) -> Result<Option<String>, ApiError> {
    match raw {
        Some(login) if !tenancy::valid_login(login) => {
            Err(ApiError::validation("lead", "not a GitHub login"))
        }
        other => Ok(other.map(str::to_owned)),
    }
}

impl NewComponent {
    pub(crate) fn validate(&self) -> Result<ComponentChange, ApiError> {
        Ok(ComponentChange {
            name: Some(name(&self.name)?),
            description: Some(description(&self.description)?),
            lead: Some(lead(self.lead.as_deref())?),
        })
    }
}

impl ComponentPatch {
    pub(crate) fn validate(&self) -> Result<ComponentChange, ApiError> {
        Ok(ComponentChange {
            name: self.name.as_deref().map(name).transpose()?,
            description: self.description.as_deref().map(description).transpose()?,
            lead: self.lead.as_ref().map(|l| lead(l.as_deref())).transpose()?,
        })
    }
}
