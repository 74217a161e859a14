//! Tickets: the work items (`WEB-12`), their fields, workflow transitions and lists.

/// The ticket `$id` of the organization in scope, if it is still at `$version` (the
/// filter of every version-guarded ticket write; `tickets` must be in scope).
macro_rules! guarded {
    ($tx:expr, $id:expr, $version:expr) => {
        tickets::table
            .filter(tickets::org_id.eq($tx.scope().org_id()))
            .filter(tickets::id.eq($id))
            .filter(tickets::version.eq($version))
    };
}

mod hierarchy;
pub(crate) mod moving;
pub(crate) mod planning;
pub(crate) mod queries;
pub(crate) mod routes;
pub(crate) mod watching;

#[cfg(test)]
mod estimate_tests;
#[cfg(test)]
mod hierarchy_tests;
#[cfg(test)]
mod idempotency_tests;
#[cfg(test)]
mod moving_tests;
#[cfg(test)]
mod tests;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::http::{ApiError, validate};
use crate::orgs::UserRef;
use crate::schema::ticket_views;
use crate::workflows::{Status, StatusCategory, StatusId};

pub use crate::ids::TicketId;
pub use moving::{MoveRequest, MoveResult, MovedTicket};
pub use planning::SprintRef;

pub(crate) use queries::find_id_by_key;

/// Kind of work. The hierarchy has three levels: epics (0), stories, tasks and bugs
/// (1), sub-tasks (2); a parent is always exactly one level up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TicketType {
    Epic,
    Story,
    Task,
    Bug,
    Subtask,
}

impl TicketType {
    pub const ALL: [TicketType; 5] = [
        Self::Epic,
        Self::Story,
        Self::Task,
        Self::Bug,
        Self::Subtask,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Epic => "epic",
            Self::Story => "story",
            Self::Task => "task",
            Self::Bug => "bug",
            Self::Subtask => "subtask",
        }
    }

    /// The level in the hierarchy.
    pub fn level(self) -> u8 {
        match self {
            Self::Epic => 0,
            Self::Story | Self::Task | Self::Bug => 1,
            Self::Subtask => 2,
        }
    }

    /// Whether a ticket of this type may have a parent of type `parent`.
    pub fn may_have_parent(self, parent: TicketType) -> bool {
        self.level() == parent.level() + 1
    }

    pub(crate) fn from_db(s: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .unwrap_or(Self::Task)
    }
}

/// Importance, stored as 1 (lowest) to 5 (highest) so it sorts.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    Lowest,
    Low,
    Medium,
    High,
    Highest,
}

impl Priority {
    pub const ALL: [Priority; 5] = [
        Self::Lowest,
        Self::Low,
        Self::Medium,
        Self::High,
        Self::Highest,
    ];

    pub fn to_db(self) -> i16 {
        match self {
            Self::Lowest => 1,
            Self::Low => 2,
            Self::Medium => 3,
            Self::High => 4,
            Self::Highest => 5,
        }
    }

    pub(crate) fn from_db(n: i16) -> Self {
        Self::ALL
            .into_iter()
            .find(|p| p.to_db() == n)
            .unwrap_or(Self::Medium)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Lowest => "lowest",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Highest => "highest",
        }
    }
}

/// A parent's children: `done` of `total` are in a `done` status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Children {
    pub total: i64,
    pub done: i64,
}

/// A ticket as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Ticket {
    pub id: TicketId,
    /// `PROJECT-NUMBER`, e.g. `WEB-12`.
    pub key: String,
    pub project: String,
    pub number: i32,
    pub title: String,
    pub description: String,
    #[serde(rename = "type")]
    pub kind: TicketType,
    pub priority: Priority,
    pub status: Status,
    pub assignee: Option<UserRef>,
    pub reporter: UserRef,
    pub labels: Vec<String>,
    pub due_date: Option<NaiveDate>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When the ticket last entered a `done` status; `null` while open.
    pub resolved_at: Option<DateTime<Utc>>,
    /// The open (future or active) sprint the ticket is planned in; `null` in the
    /// backlog.
    pub sprint: Option<SprintRef>,
    /// Its place in the project's backlog order (compare as bytes; `ORDER BY rank`).
    pub rank: String,
    /// The parent's key (an epic, or for a sub-task its story, task or bug).
    pub parent: Option<String>,
    /// The live children and how many of them are done: the parent's progress.
    pub children: Children,
    /// Story points, 0 to 1000 (fractions allowed, e.g. 0.5).
    pub story_points: Option<f64>,
    /// Original estimate in minutes, 0 to 1,000,000.
    pub original_estimate: Option<i32>,
    pub start_date: Option<NaiveDate>,
    /// How many people watch it (`GET .../watchers` lists them).
    pub watchers: i64,
    /// The names of its project's components it belongs to, in name order.
    pub components: Vec<String>,
    /// Minutes logged in its worklogs.
    pub time_spent: i32,
    /// Minutes of work left (Jira's remaining estimate); worklogs adjust it.
    pub remaining_estimate: Option<i32>,
    /// The keys it had before it moved to other projects, oldest first (`[]` if it
    /// never moved), starting with its key in the tracker it was imported from (e.g.
    /// Jira's `JRA-123`). Each still resolves to this ticket, in reads and in JQL `key`.
    pub moved_from: Vec<String>,
    /// Custom field values by field number (`"10001"`; see `GET /custom-fields` for
    /// names and options): text, a number, a `YYYY-MM-DD` date, an option id, a list
    /// of option ids (multi-select) or a user id. Fields without a value are absent.
    #[schema(value_type = std::collections::HashMap<String, serde_json::Value>)]
    pub custom_fields: serde_json::Map<String, serde_json::Value>,
    #[serde(skip)]
    pub parent_id: Option<TicketId>,
    /// For access checks (private projects, project roles); the API shows the key.
    #[serde(skip)]
    pub project_id: crate::projects::ProjectId,
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = ticket_views)]
pub(crate) struct TicketRow {
    id: TicketId,
    project_id: crate::projects::ProjectId,
    project_key: String,
    number: i32,
    title: String,
    description: String,
    kind: String,
    priority: i16,
    status_id: StatusId,
    status_name: String,
    status_category: String,
    assignee_id: Option<tenancy::UserId>,
    assignee_login: Option<String>,
    assignee_name: Option<String>,
    reporter_id: tenancy::UserId,
    reporter_login: String,
    reporter_name: String,
    labels: Vec<String>,
    due_date: Option<NaiveDate>,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    resolved_at: Option<DateTime<Utc>>,
    sprint_id: Option<crate::ids::SprintId>,
    sprint_name: Option<String>,
    rank: String,
    parent_id: Option<TicketId>,
    parent_key: Option<String>,
    children_total: i64,
    children_done: i64,
    story_points: Option<f64>,
    original_estimate: Option<i32>,
    start_date: Option<NaiveDate>,
    watchers: i64,
    components: Vec<String>,
    time_spent: i32,
    remaining_estimate: Option<i32>,
    moved_from: Vec<String>,
    custom_fields: serde_json::Value,
}

impl From<TicketRow> for Ticket {
    fn from(r: TicketRow) -> Self {
        let assignee = match (r.assignee_id, r.assignee_login, r.assignee_name) {
            (Some(id), Some(login), Some(name)) => Some(UserRef { id, login, name }),
            _ => None,
        };
        Ticket {
            id: r.id,
            key: format!("{}-{}", r.project_key, r.number),
            project: r.project_key,
            number: r.number,
            title: r.title,
            description: r.description,
            kind: TicketType::from_db(&r.kind),
            priority: Priority::from_db(r.priority),
            status: Status {
                id: r.status_id,
                name: r.status_name,
                category: StatusCategory::from_db(&r.status_category),
            },
            assignee,
            reporter: UserRef {
                id: r.reporter_id,
                login: r.reporter_login,
                name: r.reporter_name,
            },
            labels: r.labels,
            due_date: r.due_date,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
            resolved_at: r.resolved_at,
            sprint: match (r.sprint_id, r.sprint_name) {
                (Some(id), Some(name)) => Some(SprintRef { id, name }),
                _ => None,
            },
            rank: r.rank,
            parent: r.parent_key,
            children: Children {
                total: r.children_total,
                done: r.children_done,
            },
            parent_id: r.parent_id,
            story_points: r.story_points,
            original_estimate: r.original_estimate,
            start_date: r.start_date,
            watchers: r.watchers,
            components: r.components,
            time_spent: r.time_spent,
            remaining_estimate: r.remaining_estimate,
            moved_from: r.moved_from,
            custom_fields: match r.custom_fields {
                serde_json::Value::Object(map) => map,
                _ => serde_json::Map::new(),
            },
            project_id: r.project_id,
        }
    }
}

/// A parsed ticket key: project key and number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketKey {
    pub project: String,
    pub number: i32,
}

impl TicketKey {
    /// Parses `WEB-12` (case-insensitive, as Jira does). Anything else is simply a
    /// ticket that does not exist.
    pub fn parse(raw: &str) -> Result<Self, ApiError> {
        let not_found = || ApiError::not_found("ticket");
        let (project, number) = raw.rsplit_once('-').ok_or_else(not_found)?;
        let project = project.to_ascii_uppercase();
        if !crate::projects::valid_key(&project) || number.starts_with('+') {
            return Err(not_found());
        }
        let number: i32 = number.parse().map_err(|_| not_found())?;
        if number < 1 {
            return Err(not_found());
        }
        Ok(Self { project, number })
    }
}

pub(crate) const TITLE_MAX: usize = 500;
pub(crate) const DESCRIPTION_MAX: usize = 100_000;
const LABELS_MAX: usize = 50;
const LABEL_MAX: usize = 64;

fn default_type() -> TicketType {
    TicketType::Task
}

fn default_priority() -> Priority {
    Priority::Medium
}

/// `POST /projects/{project}/tickets` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTicket {
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(rename = "type", default = "default_type")]
    pub kind: TicketType,
    #[serde(default = "default_priority")]
    pub priority: Priority,
    /// Login of a member of the organization.
    pub assignee: Option<String>,
    #[serde(default)]
    pub labels: Vec<String>,
    pub due_date: Option<NaiveDate>,
    /// Key of the parent ticket: an epic for a story, task or bug; a story, task or
    /// bug for a sub-task (required there). An epic has none.
    pub parent: Option<String>,
    /// 0 to 1000; fractions allowed.
    pub story_points: Option<f64>,
    /// Minutes, 0 to 1,000,000.
    pub original_estimate: Option<i32>,
    pub start_date: Option<NaiveDate>,
    /// Names of the project's components (case-insensitive).
    #[serde(default)]
    pub components: Vec<String>,
    /// Custom field values by field number (or id): text, a number, a `YYYY-MM-DD`
    /// date, an option's value or id (a list of them for a multi-select), a member's
    /// login. Required fields enabled in the project must be given.
    #[serde(default)]
    #[schema(value_type = std::collections::HashMap<String, serde_json::Value>)]
    pub custom_fields: serde_json::Map<String, serde_json::Value>,
}

/// `PUT /tickets/{key}` body: the complete editable state. Omitted optional fields
/// (assignee, labels, due date, description) are cleared.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketReplace {
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(rename = "type")]
    pub kind: TicketType,
    pub priority: Priority,
    pub assignee: Option<String>,
    #[serde(default)]
    pub labels: Vec<String>,
    pub due_date: Option<NaiveDate>,
    /// Key of the parent ticket; omitted or `null` clears it.
    pub parent: Option<String>,
    pub story_points: Option<f64>,
    pub original_estimate: Option<i32>,
    pub start_date: Option<NaiveDate>,
    /// Omitted: none.
    #[serde(default)]
    pub components: Vec<String>,
    /// Every custom field value (as for a new ticket); fields left out are cleared.
    #[serde(default)]
    #[schema(value_type = std::collections::HashMap<String, serde_json::Value>)]
    pub custom_fields: serde_json::Map<String, serde_json::Value>,
}

/// `PATCH /tickets/{key}` body: only the fields present change; `null` clears the
/// nullable ones (assignee, due date).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketPatch {
    pub title: Option<String>,
    pub description: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<TicketType>,
    pub priority: Option<Priority>,
    #[serde(default, deserialize_with = "crate::http::validate::present")]
    #[schema(value_type = Option<String>)]
    pub assignee: Option<Option<String>>,
    pub labels: Option<Vec<String>>,
    #[serde(default, deserialize_with = "crate::http::validate::present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub due_date: Option<Option<NaiveDate>>,
    /// Id of an open sprint of the ticket's project; `null` moves it to the backlog.
    #[serde(default, deserialize_with = "crate::http::validate::present")]
    #[schema(value_type = Option<String>)]
    pub sprint: Option<Option<crate::ids::SprintId>>,
    /// Key of the new parent; `null` clears it.
    #[serde(default, deserialize_with = "crate::http::validate::present")]
    #[schema(value_type = Option<String>)]
    pub parent: Option<Option<String>>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "crate::http::validate::present")]
    #[schema(value_type = Option<f64>)]
    pub story_points: Option<Option<f64>>,
    /// Minutes; `null` clears it.
    #[serde(default, deserialize_with = "crate::http::validate::present")]
    #[schema(value_type = Option<i32>)]
    pub original_estimate: Option<Option<i32>>,
    /// Minutes of work left; `null` clears it. Without it, a new `original_estimate`
    /// also resets the remaining estimate while no time is logged (as in Jira).
    #[serde(default, deserialize_with = "crate::http::validate::present")]
    #[schema(value_type = Option<i32>)]
    pub remaining_estimate: Option<Option<i32>>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "crate::http::validate::present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub start_date: Option<Option<NaiveDate>>,
    /// Replaces the ticket's components (`[]` clears them).
    pub components: Option<Vec<String>>,
    /// The custom fields to change, by number (or id); `null` clears one, fields left
    /// out keep their values.
    #[schema(value_type = Option<std::collections::HashMap<String, serde_json::Value>>)]
    pub custom_fields: Option<serde_json::Map<String, serde_json::Value>>,
}

/// Validated changes to a ticket's editable fields; `None` leaves a field as it is.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct TicketChange {
    pub title: Option<String>,
    pub description: Option<String>,
    pub kind: Option<TicketType>,
    pub priority: Option<Priority>,
    pub assignee: Option<Option<String>>,
    pub labels: Option<Vec<String>>,
    pub due_date: Option<Option<NaiveDate>>,
    /// `Some(None)`: to the backlog.
    pub sprint: Option<Option<crate::ids::SprintId>>,
    pub parent: Option<Option<TicketKey>>,
    pub story_points: Option<Option<f64>>,
    pub original_estimate: Option<Option<i32>>,
    pub remaining_estimate: Option<Option<i32>>,
    pub start_date: Option<Option<NaiveDate>>,
    /// Component names, trimmed and deduplicated (resolved in the ticket's project).
    pub components: Option<Vec<String>>,
    /// Custom field values as given (checked against the fields in the transaction).
    pub custom_fields: Option<CustomValues>,
}

/// A write's custom field values: all of them (`replace`: fields left out are
/// cleared) or only those given.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct CustomValues {
    pub values: serde_json::Map<String, serde_json::Value>,
    pub replace: bool,
}

impl TicketChange {
    /// Whether the change sets the parent and nothing else (audited as `ticket.parent`).
    fn only_parent(&self) -> bool {
        self.parent.is_some()
            && *self
                == TicketChange {
                    parent: self.parent.clone(),
                    ..TicketChange::default()
                }
    }
}

/// Most components on one ticket.
const COMPONENTS_MAX: usize = 50;

/// Component names as given: trimmed, each 1 to 100 characters, no duplicates
/// (ignoring case); whether they exist is checked in the ticket's project.
pub(crate) fn component_names(raw: &[String]) -> Result<Vec<String>, ApiError> {
    if raw.len() > COMPONENTS_MAX {
        return Err(ApiError::validation(
            "components",
            format!("at most {COMPONENTS_MAX} components"),
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    for (i, name) in raw.iter().enumerate() {
        let name = name.trim().to_owned();
        if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
            return Err(ApiError::validation(
                format!("components[{i}]"),
                "must be 1 to 100 characters, without control characters",
            ));
        }
        if !out.iter().any(|n| n.to_lowercase() == name.to_lowercase()) {
            out.push(name);
        }
    }
    Ok(out)
}

pub(crate) fn labels(raw: &[String]) -> Result<Vec<String>, ApiError> {
    if raw.len() > LABELS_MAX {
        return Err(ApiError::validation(
            "labels",
            format!("at most {LABELS_MAX} labels"),
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    for (i, label) in raw.iter().enumerate() {
        let label = label.trim();
        let field = format!("labels[{i}]");
        if label.is_empty() || label.chars().count() > LABEL_MAX {
            return Err(ApiError::validation(
                field,
                format!("must be 1 to {LABEL_MAX} characters"),
            ));
        }
        if label
            .chars()
            .any(|c| c.is_whitespace() || c == ',' || c.is_control())
        {
            return Err(ApiError::validation(
                field,
                "must not contain spaces, commas or control characters",
            ));
        }
        if !out.iter().any(|l| l == label) {
            out.push(label.to_owned());
        }
    }
    Ok(out)
}

fn assignee(raw: Option<&str>) -> Result<Option<String>, ApiError> {
    match raw.map(str::trim) {
        None => Ok(None),
        Some(login) if tenancy::valid_login(login) => Ok(Some(login.to_owned())),
        Some(_) => Err(ApiError::validation(
            "assignee",
            "must be the login of a member",
        )),
    }
}

fn parent(raw: Option<&str>) -> Result<Option<TicketKey>, ApiError> {
    match raw.map(str::trim) {
        None => Ok(None),
        Some(key) => TicketKey::parse(key)
            .map(Some)
            .map_err(|_| ApiError::validation("parent", "must be a ticket key, e.g. WEB-1")),
    }
}

const STORY_POINTS_MAX: f64 = 1000.0;
const ESTIMATE_MAX: i32 = 1_000_000;

fn story_points(raw: Option<f64>) -> Result<Option<f64>, ApiError> {
    match raw {
        Some(p) if !(0.0..=STORY_POINTS_MAX).contains(&p) => Err(ApiError::validation(
            "story_points",
            "must be between 0 and 1000",
        )),
        other => Ok(other),
    }
}

fn original_estimate(raw: Option<i32>) -> Result<Option<i32>, ApiError> {
    estimate("original_estimate", raw)
}

/// An estimate in whole minutes, 0 to 1,000,000, for the field `field`.
pub(crate) fn estimate(field: &'static str, raw: Option<i32>) -> Result<Option<i32>, ApiError> {
    match raw {
        Some(m) if !(0..=ESTIMATE_MAX).contains(&m) => Err(ApiError::validation(
            field,
            "must be 0 to 1,000,000 minutes",
        )),
        other => Ok(other),
    }
}

impl NewTicket {
    pub(crate) fn validate(&self) -> Result<TicketChange, ApiError> {
        Ok(TicketChange {
            title: Some(validate::required_text("title", &self.title, TITLE_MAX)?),
            description: Some(validate::long_text(
                "description",
                &self.description,
                DESCRIPTION_MAX,
            )?),
            kind: Some(self.kind),
            priority: Some(self.priority),
            assignee: Some(assignee(self.assignee.as_deref())?),
            labels: Some(labels(&self.labels)?),
            due_date: Some(self.due_date),
            sprint: None,
            parent: Some(parent(self.parent.as_deref())?),
            story_points: Some(story_points(self.story_points)?),
            original_estimate: Some(original_estimate(self.original_estimate)?),
            remaining_estimate: None,
            start_date: Some(self.start_date),
            components: Some(component_names(&self.components)?),
            custom_fields: {
                crate::custom_fields::values_shape(&self.custom_fields)?;
                Some(CustomValues {
                    values: self.custom_fields.clone(),
                    replace: true,
                })
            },
        })
    }
}

impl TicketReplace {
    pub(crate) fn validate(&self) -> Result<TicketChange, ApiError> {
        NewTicket {
            title: self.title.clone(),
            description: self.description.clone(),
            kind: self.kind,
            priority: self.priority,
            assignee: self.assignee.clone(),
            labels: self.labels.clone(),
            due_date: self.due_date,
            parent: self.parent.clone(),
            story_points: self.story_points,
            original_estimate: self.original_estimate,
            start_date: self.start_date,
            components: self.components.clone(),
            custom_fields: self.custom_fields.clone(),
        }
        .validate()
    }
}

impl TicketPatch {
    pub(crate) fn validate(&self) -> Result<TicketChange, ApiError> {
        Ok(TicketChange {
            title: self
                .title
                .as_deref()
                .map(|t| validate::required_text("title", t, TITLE_MAX))
                .transpose()?,
            description: self
                .description
                .as_deref()
                .map(|d| validate::long_text("description", d, DESCRIPTION_MAX))
                .transpose()?,
            kind: self.kind,
            priority: self.priority,
            assignee: self
                .assignee
                .as_ref()
                .map(|a| assignee(a.as_deref()))
                .transpose()?,
            labels: self.labels.as_deref().map(labels).transpose()?,
            due_date: self.due_date,
            sprint: self.sprint,
            parent: self
                .parent
                .as_ref()
                .map(|p| parent(p.as_deref()))
                .transpose()?,
            story_points: self.story_points.map(story_points).transpose()?,
            original_estimate: self.original_estimate.map(original_estimate).transpose()?,
            remaining_estimate: self
                .remaining_estimate
                .map(|m| estimate("remaining_estimate", m))
                .transpose()?,
            start_date: self.start_date,
            components: self
                .components
                .as_deref()
                .map(component_names)
                .transpose()?,
            custom_fields: match &self.custom_fields {
                Some(values) => {
                    crate::custom_fields::values_shape(values)?;
                    Some(CustomValues {
                        values: values.clone(),
                        replace: false,
                    })
                }
                None => None,
            },
        })
    }
}

#[cfg(test)]
mod unit_tests {
    use super::*;

    #[test]
    fn ticket_keys_parse_case_insensitively() {
        assert_eq!(
            TicketKey::parse("web-12").ok(),
            Some(TicketKey {
                project: "WEB".into(),
                number: 12
            })
        );
        for bad in [
            "WEB",
            "WEB-",
            "WEB-0",
            "WEB--1",
            "WEB-+1",
            "-1",
            "W-1",
            "WEB-99999999999",
            "WE B-1",
        ] {
            assert!(TicketKey::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn labels_are_trimmed_deduplicated_and_checked() {
        let ok = labels(&["a".into(), " b ".into(), "a".into()]).ok();
        assert_eq!(ok, Some(vec!["a".to_owned(), "b".to_owned()]));
        assert!(labels(&["has space".into()]).is_err());
        assert!(labels(&vec!["x".to_owned(); 51]).is_err());
    }

    #[test]
    fn patch_tells_absent_from_null() {
        let absent: TicketPatch = serde_json::from_str("{}").unwrap_or_default();
        assert_eq!(absent.assignee, None);
        let null: TicketPatch = serde_json::from_str(r#"{"assignee": null}"#).unwrap_or_default();
        assert_eq!(null.assignee, Some(None));
    }
}
