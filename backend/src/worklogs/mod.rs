//! Time tracking: worklogs on tickets (minutes spent, when the work started, a
//! comment). Logging time keeps the ticket's totals (`time_spent`,
//! `remaining_estimate`) in the same transaction, under the ticket's row lock, and
//! adjusts the remaining estimate the way Jira does ([`AdjustEstimate`]). Authors
//! edit and delete their own worklogs; `worklogs.moderate` (owners, admins) lets
//! someone handle anyone's.

pub(crate) mod queries;
pub(crate) mod routes;

#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::http::{ApiError, validate};
use crate::refs::UserRef;
use crate::schema::worklogs;

pub use crate::ids::WorklogId;

/// One worklog's longest time: a calendar week.
pub const MINUTES_MAX: i32 = 10_080;
const COMMENT_MAX: usize = 10_000;
/// The largest estimate a ticket holds (as `original_estimate`).
const ESTIMATE_MAX: i32 = 1_000_000;

/// Time logged on a ticket, as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Worklog {
    pub id: WorklogId,
    pub author: UserRef,
    /// Minutes spent, 1 to 10,080.
    pub minutes: i32,
    /// When the work started.
    pub started_at: DateTime<Utc>,
    pub comment: String,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = worklogs)]
struct WorklogRow {
    id: WorklogId,
    minutes: i32,
    started_at: DateTime<Utc>,
    comment: String,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl WorklogRow {
    fn with_author(self, author: UserRef) -> Worklog {
        Worklog {
            id: self.id,
            author,
            minutes: self.minutes,
            started_at: self.started_at,
            comment: self.comment,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

/// How logging, changing or deleting time moves the ticket's remaining estimate
/// (Jira's `adjustEstimate`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AdjustEstimate {
    /// By the time logged (less when logging, more when deleting), never below 0. A
    /// ticket without a remaining estimate starts from its original estimate; one
    /// with neither keeps none.
    #[default]
    Auto,
    /// Set it to `new_estimate`.
    New,
    /// Leave it as it is.
    Leave,
    /// By `reduce_by` (logging) or `increase_by` (deleting), never below 0.
    Manual,
}

/// The remaining-estimate rule of one request, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Adjust {
    Auto,
    New(i32),
    Leave,
    /// Minutes to add (negative: to take off).
    By(i32),
}

impl Adjust {
    /// The new remaining estimate after `spent_delta` more minutes were spent.
    pub(crate) fn apply(
        self,
        remaining: Option<i32>,
        original: Option<i32>,
        spent_delta: i32,
    ) -> Option<i32> {
        let by = |delta: i32| {
            remaining
                .or(original)
                .map(|base| base.saturating_add(delta).clamp(0, ESTIMATE_MAX))
        };
        match self {
            Adjust::Auto => by(spent_delta.saturating_neg()),
            Adjust::New(minutes) => Some(minutes),
            Adjust::Leave => remaining,
            Adjust::By(delta) => match remaining.or(original) {
                Some(_) => by(delta),
                None if delta > 0 => Some(delta.min(ESTIMATE_MAX)),
                None => None,
            },
        }
    }

    /// Checks the rule and its amount: `new_estimate` goes with `new` only, the
    /// manual amount (named `manual_field`) with `manual` only, and `manual` only
    /// where `manual_field` exists. `sign` turns the manual amount into a delta.
    fn check(
        adjust: Option<AdjustEstimate>,
        new_estimate: Option<i32>,
        manual: Option<i32>,
        manual_field: Option<&'static str>,
        sign: i32,
    ) -> Result<Adjust, ApiError> {
        let adjust = adjust.unwrap_or_default();
        let minutes = |field: &'static str, m: i32| {
            if (0..=ESTIMATE_MAX).contains(&m) {
                Ok(m)
            } else {
                Err(ApiError::validation(
                    field,
                    "must be 0 to 1,000,000 minutes",
                ))
            }
        };
        if new_estimate.is_some() && adjust != AdjustEstimate::New {
            return Err(ApiError::validation(
                "new_estimate",
                "goes with \"adjust_estimate\": \"new\" only",
            ));
        }
        if let (Some(_), Some(field)) = (manual, manual_field)
            && adjust != AdjustEstimate::Manual
        {
            return Err(ApiError::validation(
                field,
                "goes with \"adjust_estimate\": \"manual\" only",
            ));
        }
        Ok(match adjust {
            AdjustEstimate::Auto => Adjust::Auto,
            AdjustEstimate::Leave => Adjust::Leave,
            AdjustEstimate::New => match new_estimate {
                Some(m) => Adjust::New(minutes("new_estimate", m)?),
                None => {
                    return Err(ApiError::validation(
                        "new_estimate",
                        "is required with \"adjust_estimate\": \"new\"",
                    ));
                }
            },
            AdjustEstimate::Manual => match (manual, manual_field) {
                (Some(m), Some(field)) => Adjust::By(sign * minutes(field, m)?),
                (None, Some(field)) => {
                    return Err(ApiError::validation(
                        field,
                        "is required with \"adjust_estimate\": \"manual\"",
                    ));
                }
                (_, None) => {
                    return Err(ApiError::validation(
                        "adjust_estimate",
                        "one of auto, new, leave when changing a worklog",
                    ));
                }
            },
        })
    }
}

/// `POST /tickets/{key}/worklogs` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWorklog {
    /// Minutes spent, 1 to 10,080 (a week).
    pub minutes: i32,
    /// When the work started; default now.
    pub started_at: Option<DateTime<Utc>>,
    /// At most 10,000 characters.
    #[serde(default)]
    pub comment: String,
    /// Default `auto`.
    pub adjust_estimate: Option<AdjustEstimate>,
    /// Minutes, with `"adjust_estimate": "new"`.
    pub new_estimate: Option<i32>,
    /// Minutes, with `"adjust_estimate": "manual"`.
    pub reduce_by: Option<i32>,
}

/// `PATCH /tickets/{key}/worklogs/{worklog}` body: only the fields present change.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorklogPatch {
    pub minutes: Option<i32>,
    pub started_at: Option<DateTime<Utc>>,
    pub comment: Option<String>,
    /// `auto` (default: by the change in minutes), `new` or `leave`.
    pub adjust_estimate: Option<AdjustEstimate>,
    /// Minutes, with `"adjust_estimate": "new"`.
    pub new_estimate: Option<i32>,
}

/// `DELETE /tickets/{key}/worklogs/{worklog}` query.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct WorklogRemoval {
    /// `auto` (default: the remaining estimate grows by the deleted minutes), `new`,
    /// `leave` or `manual`.
    pub adjust_estimate: Option<AdjustEstimate>,
    /// Minutes, with `adjust_estimate=new`.
    pub new_estimate: Option<i32>,
    /// Minutes, with `adjust_estimate=manual`.
    pub increase_by: Option<i32>,
}

/// A checked worklog change: `None` leaves a field as it is.
#[derive(Debug, Clone)]
pub(crate) struct WorklogChange {
    pub minutes: Option<i32>,
    pub started_at: Option<DateTime<Utc>>,
    pub comment: Option<String>,
    pub adjust: Adjust,
}

fn minutes(raw: i32) -> Result<i32, ApiError> {
    if (1..=MINUTES_MAX).contains(&raw) {
        Ok(raw)
    } else {
        Err(ApiError::validation(
            "minutes",
            format!("must be 1 to {MINUTES_MAX} minutes (a week)"),
        ))
    }
}

fn comment(raw: &str) -> Result<String, ApiError> {
    validate::long_text("comment", raw, COMMENT_MAX)
}

impl NewWorklog {
    pub(crate) fn validate(&self) -> Result<WorklogChange, ApiError> {
        Ok(WorklogChange {
            minutes: Some(minutes(self.minutes)?),
            started_at: Some(self.started_at.unwrap_or_else(Utc::now)),
            comment: Some(comment(&self.comment)?),
            adjust: Adjust::check(
                self.adjust_estimate,
                self.new_estimate,
                self.reduce_by,
                Some("reduce_by"),
                -1,
            )?,
        })
    }
}

impl WorklogPatch {
    pub(crate) fn validate(&self) -> Result<WorklogChange, ApiError> {
        Ok(WorklogChange {
            minutes: self.minutes.map(minutes).transpose()?,
            started_at: self.started_at,
            comment: self.comment.as_deref().map(comment).transpose()?,
            adjust: Adjust::check(self.adjust_estimate, self.new_estimate, None, None, 1)?,
        })
    }
}

impl WorklogRemoval {
    pub(crate) fn validate(&self) -> Result<Adjust, ApiError> {
        Adjust::check(
            self.adjust_estimate,
            self.new_estimate,
            self.increase_by,
            Some("increase_by"),
            1,
        )
    }
}

#[cfg(test)]
mod unit_tests {
    use super::Adjust;

    #[test]
    fn remaining_estimates_move_as_in_jira() {
        // Auto: down by the time spent, never below zero; from the original if unset.
        assert_eq!(Adjust::Auto.apply(Some(120), None, 30), Some(90));
        assert_eq!(Adjust::Auto.apply(Some(20), None, 30), Some(0));
        assert_eq!(Adjust::Auto.apply(None, Some(60), 15), Some(45));
        assert_eq!(Adjust::Auto.apply(None, None, 15), None);
        // Deleting 30 minutes gives them back.
        assert_eq!(Adjust::Auto.apply(Some(0), None, -30), Some(30));
        assert_eq!(Adjust::New(5).apply(Some(120), None, 30), Some(5));
        assert_eq!(Adjust::Leave.apply(Some(120), None, 30), Some(120));
        assert_eq!(Adjust::By(-50).apply(Some(40), None, 30), Some(0));
        assert_eq!(Adjust::By(50).apply(None, None, -30), Some(50));
    }
}
