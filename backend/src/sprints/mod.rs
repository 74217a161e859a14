//! Sprints: time boxes of a project's work. A sprint is `future`, then `active` (one
//! per project at a time), then `closed`; a ticket is planned in at most one open
//! sprint (`tickets.sprint_id`, see `tickets::planning`), and every change of a
//! sprint's scope is recorded for burndown.

pub(crate) mod queries;
pub(crate) mod routes;

#[cfg(test)]
mod tests;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::http::{ApiError, validate};

pub use crate::ids::SprintId;
use crate::ids::{ProjectId, TicketId};

/// Where a sprint is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SprintState {
    Future,
    Active,
    Closed,
}

impl SprintState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Future => "future",
            Self::Active => "active",
            Self::Closed => "closed",
        }
    }

    fn from_db(s: &str) -> Self {
        match s {
            "active" => Self::Active,
            "closed" => Self::Closed,
            _ => Self::Future,
        }
    }
}

/// A sprint as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Sprint {
    pub id: SprintId,
    /// The project's key.
    pub project: String,
    pub name: String,
    pub goal: String,
    pub state: SprintState,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    /// When it was started; `null` while future.
    pub started_at: Option<DateTime<Utc>>,
    /// When it was completed; `null` while open.
    pub completed_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(skip)]
    pub project_id: ProjectId,
}

#[derive(Debug, Queryable)]
pub(crate) struct SprintRow {
    id: SprintId,
    project_id: ProjectId,
    name: String,
    goal: String,
    state: String,
    start_date: Option<NaiveDate>,
    end_date: Option<NaiveDate>,
    started_at: Option<DateTime<Utc>>,
    completed_at: Option<DateTime<Utc>>,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    project_key: String,
}

impl From<SprintRow> for Sprint {
    fn from(r: SprintRow) -> Self {
        Sprint {
            id: r.id,
            project: r.project_key,
            name: r.name,
            goal: r.goal,
            state: SprintState::from_db(&r.state),
            start_date: r.start_date,
            end_date: r.end_date,
            started_at: r.started_at,
            completed_at: r.completed_at,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
            project_id: r.project_id,
        }
    }
}

const NAME_MAX: usize = 100;
const GOAL_MAX: usize = 2000;
/// Tickets one `POST /sprints/{sprint}/tickets` may add plus remove.
pub(crate) const TICKETS_MAX: usize = 200;

/// `POST /projects/{project}/sprints` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSprint {
    /// Unique within the project, e.g. `WEB Sprint 4`.
    pub name: String,
    #[serde(default)]
    pub goal: String,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
}

/// `PATCH /sprints/{sprint}` body: only the fields present change; `null` clears a
/// date.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SprintPatch {
    pub name: Option<String>,
    pub goal: Option<String>,
    #[serde(default, deserialize_with = "crate::http::validate::present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub start_date: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "crate::http::validate::present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub end_date: Option<Option<NaiveDate>>,
}

/// `POST /sprints/{sprint}/complete` body.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompleteSprint {
    /// A future sprint of the same project for the tickets not done; absent or `null`:
    /// they go to the backlog.
    #[schema(value_type = Option<String>)]
    pub move_open_to: Option<SprintId>,
}

/// `POST /sprints/{sprint}/tickets` body: ticket keys to plan into the sprint (from
/// the backlog or another open sprint) and to take out of it (to the backlog).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SprintTickets {
    #[serde(default)]
    pub add: Vec<String>,
    #[serde(default)]
    pub remove: Vec<String>,
}

/// Validated sprint fields; `None` leaves a field as it is.
#[derive(Debug, Default, Clone)]
pub(crate) struct SprintChange {
    pub name: Option<String>,
    pub goal: Option<String>,
    pub start_date: Option<Option<NaiveDate>>,
    pub end_date: Option<Option<NaiveDate>>,
}

/// The end may not come before the start.
pub(crate) fn check_dates(
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
) -> Result<(), ApiError> {
    match (start, end) {
        (Some(start), Some(end)) if end < start => Err(ApiError::validation(
            "end_date",
            "must not be before start_date",
        )),
        _ => Ok(()),
    }
}

impl NewSprint {
    pub(crate) fn validate(&self) -> Result<SprintChange, ApiError> {
        check_dates(self.start_date, self.end_date)?;
        Ok(SprintChange {
            name: Some(validate::required_text("name", &self.name, NAME_MAX)?),
            goal: Some(validate::long_text("goal", &self.goal, GOAL_MAX)?),
            start_date: Some(self.start_date),
            end_date: Some(self.end_date),
        })
    }
}

impl SprintPatch {
    pub(crate) fn validate(&self) -> Result<SprintChange, ApiError> {
        Ok(SprintChange {
            name: self
                .name
                .as_deref()
                .map(|n| validate::required_text("name", n, NAME_MAX))
                .transpose()?,
            goal: self
                .goal
                .as_deref()
                .map(|g| validate::long_text("goal", g, GOAL_MAX))
                .transpose()?,
            start_date: self.start_date,
            end_date: self.end_date,
        })
    }
}

impl SprintTickets {
    /// The keys, checked for count and shape (each at most 30 characters).
    pub(crate) fn validate(&self) -> Result<(), ApiError> {
        if self.add.is_empty() && self.remove.is_empty() {
            return Err(ApiError::validation(
                "add",
                "give tickets to `add` or `remove`",
            ));
        }
        if self.add.len() + self.remove.len() > TICKETS_MAX {
            return Err(ApiError::validation(
                "add",
                format!("at most {TICKETS_MAX} tickets per request"),
            ));
        }
        for (field, keys) in [("add", &self.add), ("remove", &self.remove)] {
            for (i, key) in keys.iter().enumerate() {
                if key.is_empty() || key.chars().count() > 30 {
                    return Err(ApiError::validation(
                        format!("{field}[{i}]"),
                        "must be a ticket key such as WEB-12",
                    ));
                }
            }
        }
        Ok(())
    }
}

/// What completing a sprint did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Completion {
    pub sprint: Sprint,
    /// Tickets done at completion: they stay in the closed sprint's history.
    #[schema(value_type = Vec<String>)]
    pub done: Vec<TicketId>,
    /// Tickets not done: moved to `moved_to`, or to the backlog when it is `null`.
    #[schema(value_type = Vec<String>)]
    pub moved: Vec<TicketId>,
    #[schema(value_type = Option<String>)]
    pub moved_to: Option<SprintId>,
}
