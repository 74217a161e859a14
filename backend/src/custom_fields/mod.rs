//! Custom fields: an organization's own ticket fields (text, number, date, single and
//! multi select, user), each enabled in every project or in chosen ones, optionally
//! required. Org admins and owners define them (`org.update`); everyone who reads
//! tickets reads the definitions.
//!
//! A ticket's values are written through the ticket API (`custom_fields`, keyed by the
//! field's number as a string: `{"10001": ...}`) and stored twice in the writing
//! transaction (see the migration `custom_fields`): as `tickets.custom_fields` for reads
//! and as typed rows of `ticket_custom_values` for search (JQL `cf[10001]` or the
//! field's name). Tickets import this module; it imports no ticket code.

pub(crate) mod queries;
pub(crate) mod routes;

#[cfg(test)]
mod tests;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::http::{ApiError, validate};
pub use crate::ids::{CustomFieldId, CustomOptionId};

const NAME_MAX: usize = 100;
const DESCRIPTION_MAX: usize = 2000;
const OPTION_MAX: usize = 255;
/// Most fields in one organization.
pub(crate) const PER_ORG_MAX: i64 = 200;
/// Most options of one field.
pub(crate) const OPTIONS_MAX: usize = 1000;
/// Most options one ticket may hold in a multi-select field.
pub(crate) const CHOSEN_MAX: usize = 100;
/// Longest text value, in characters.
pub(crate) const TEXT_MAX: usize = 10_000;
/// Numbers beyond this (either sign) are refused: they would lose their digits.
const NUMBER_MAX: f64 = 1e15;

/// A custom field's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CustomFieldKind {
    Text,
    Number,
    Date,
    Select,
    MultiSelect,
    User,
}

impl CustomFieldKind {
    pub const ALL: [CustomFieldKind; 6] = [
        Self::Text,
        Self::Number,
        Self::Date,
        Self::Select,
        Self::MultiSelect,
        Self::User,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Number => "number",
            Self::Date => "date",
            Self::Select => "select",
            Self::MultiSelect => "multi_select",
            Self::User => "user",
        }
    }

    pub(crate) fn from_db(s: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .unwrap_or(Self::Text)
    }

    /// Whether values are options of the field's list.
    pub fn has_options(self) -> bool {
        matches!(self, Self::Select | Self::MultiSelect)
    }

    /// The type JQL knows it by.
    pub fn jql(self) -> jql::CustomKind {
        match self {
            Self::Text => jql::CustomKind::Text,
            Self::Number => jql::CustomKind::Number,
            Self::Date => jql::CustomKind::Date,
            Self::Select => jql::CustomKind::Select,
            Self::MultiSelect => jql::CustomKind::MultiSelect,
            Self::User => jql::CustomKind::User,
        }
    }
}

/// One option of a select field.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CustomOption {
    pub id: CustomOptionId,
    pub value: String,
}

/// A custom field as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CustomField {
    pub id: CustomFieldId,
    /// The key of its values in a ticket's `custom_fields` (as a string) and of JQL's
    /// `cf[N]`; Jira calls it `customfield_N`. Never reused.
    pub number: i32,
    pub name: String,
    pub description: String,
    #[serde(rename = "type")]
    pub kind: CustomFieldKind,
    /// A value is needed when a ticket is created (and cannot be cleared).
    pub required: bool,
    /// Keys of the projects it is enabled in; `null`: every project.
    pub projects: Option<Vec<String>>,
    /// In order (select and multi-select fields; empty for the others).
    pub options: Vec<CustomOption>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `POST /custom-fields` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCustomField {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(rename = "type")]
    pub kind: CustomFieldKind,
    #[serde(default)]
    pub required: bool,
    /// Keys of the projects to enable it in; omitted or `null`: every project.
    pub projects: Option<Vec<String>>,
    /// Option values, in order (select and multi-select fields only).
    #[serde(default)]
    pub options: Vec<String>,
}

/// One option in a `PATCH`: with an `id`, an existing option (renamed if the value
/// differs); without, a new one.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OptionEdit {
    pub id: Option<CustomOptionId>,
    pub value: String,
}

/// `PATCH /custom-fields/{field}` body. `options` is the whole new list, in order:
/// options left out are deleted and leave the tickets that held them.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomFieldPatch {
    pub name: Option<String>,
    pub description: Option<String>,
    pub required: Option<bool>,
    /// `null`: every project.
    #[serde(default, deserialize_with = "crate::http::validate::present")]
    #[schema(value_type = Option<Vec<String>>)]
    pub projects: Option<Option<Vec<String>>>,
    pub options: Option<Vec<OptionEdit>>,
}

/// Validated definition changes; `None` leaves a part as it is.
#[derive(Debug, Default)]
pub(crate) struct FieldChange {
    pub name: Option<String>,
    pub description: Option<String>,
    pub required: Option<bool>,
    pub projects: Option<Option<Vec<String>>>,
    pub options: Option<Vec<OptionEdit>>,
}

fn name(raw: &str) -> Result<String, ApiError> {
    let name = validate::required_text("name", raw, NAME_MAX)?;
    // `cf[1]` would read as a field number in JQL, and a name equal to a system field
    // could be reached by number only.
    if jql::custom_number(&name).is_some() || jql::Field::from_name(&name).is_some() {
        return Err(ApiError::validation(
            "name",
            format!("`{name}` is a name JQL already uses"),
        ));
    }
    Ok(name)
}

fn description(raw: &str) -> Result<String, ApiError> {
    validate::long_text("description", raw, DESCRIPTION_MAX)
}

fn project_keys(raw: &Option<Vec<String>>) -> Result<Option<Vec<String>>, ApiError> {
    let Some(keys) = raw else { return Ok(None) };
    if keys.len() > 1000 {
        return Err(ApiError::validation("projects", "at most 1000 projects"));
    }
    let mut out: Vec<String> = Vec::new();
    for (i, key) in keys.iter().enumerate() {
        let key = key.trim().to_ascii_uppercase();
        if !crate::projects::valid_key(&key) {
            return Err(ApiError::validation(
                format!("projects[{i}]"),
                "must be a project key",
            ));
        }
        if !out.contains(&key) {
            out.push(key);
        }
    }
    Ok(Some(out))
}

fn option_value(field: String, raw: &str) -> Result<String, ApiError> {
    let value = raw.trim();
    if value.is_empty() || value.chars().count() > OPTION_MAX || value.chars().any(char::is_control)
    {
        return Err(ApiError::validation(
            field,
            format!("must be 1 to {OPTION_MAX} characters, without control characters"),
        ));
    }
    Ok(value.to_owned())
}

fn options(edits: &[OptionEdit]) -> Result<Vec<OptionEdit>, ApiError> {
    if edits.len() > OPTIONS_MAX {
        return Err(ApiError::validation(
            "options",
            format!("at most {OPTIONS_MAX} options"),
        ));
    }
    let mut out: Vec<OptionEdit> = Vec::with_capacity(edits.len());
    for (i, edit) in edits.iter().enumerate() {
        let value = option_value(format!("options[{i}]"), &edit.value)?;
        if out
            .iter()
            .any(|o| o.value.to_lowercase() == value.to_lowercase())
        {
            return Err(ApiError::validation(
                format!("options[{i}]"),
                format!("`{value}` is listed twice"),
            ));
        }
        if edit.id.is_some() && out.iter().any(|o| o.id == edit.id) {
            return Err(ApiError::validation(
                format!("options[{i}].id"),
                "the option is listed twice",
            ));
        }
        out.push(OptionEdit { id: edit.id, value });
    }
    Ok(out)
}

impl NewCustomField {
    pub(crate) fn validate(&self) -> Result<FieldChange, ApiError> {
        if !self.kind.has_options() && !self.options.is_empty() {
            return Err(ApiError::validation(
                "options",
                "only select and multi-select fields have options",
            ));
        }
        let edits: Vec<OptionEdit> = self
            .options
            .iter()
            .map(|v| OptionEdit {
                id: None,
                value: v.clone(),
            })
            .collect();
        Ok(FieldChange {
            name: Some(name(&self.name)?),
            description: Some(description(&self.description)?),
            required: Some(self.required),
            projects: Some(project_keys(&self.projects)?),
            options: Some(options(&edits)?),
        })
    }
}

impl CustomFieldPatch {
    pub(crate) fn validate(&self) -> Result<FieldChange, ApiError> {
        Ok(FieldChange {
            name: self.name.as_deref().map(name).transpose()?,
            description: self.description.as_deref().map(description).transpose()?,
            required: self.required,
            projects: self.projects.as_ref().map(project_keys).transpose()?,
            options: self.options.as_deref().map(options).transpose()?,
        })
    }
}

/// A value as given for one field, checked against the field's type; users are still
/// logins (whether they are members is known only to the database).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Given {
    Clear,
    Text(String),
    Number(f64),
    Date(NaiveDate),
    Options(Vec<CustomOptionId>),
    User(String),
}

/// Checks `raw` (the JSON given for the field) against `field`: text, a finite number,
/// a `YYYY-MM-DD` date, an option's id or value (ignoring case), a list of them for a
/// multi-select, or a member's login; `null` (or `""`, `[]`) clears it.
pub(crate) fn given(field: &CustomField, raw: &Value, at: &str) -> Result<Given, ApiError> {
    let wrong = |what: &str| {
        ApiError::validation(at.to_owned(), format!("`{}` expects {what}", field.name))
    };
    match raw {
        Value::Null => return Ok(Given::Clear),
        Value::String(s) if s.is_empty() => return Ok(Given::Clear),
        Value::Array(items) if items.is_empty() && field.kind == CustomFieldKind::MultiSelect => {
            return Ok(Given::Clear);
        }
        _ => {}
    }
    let option = |v: &Value, at: &str| -> Result<CustomOptionId, ApiError> {
        let Value::String(s) = v else {
            return Err(wrong("an option's value or id"));
        };
        field
            .options
            .iter()
            .find(|o| o.id.0.to_string() == *s || o.value.to_lowercase() == s.trim().to_lowercase())
            .map(|o| o.id)
            .ok_or_else(|| {
                ApiError::validation(
                    at.to_owned(),
                    format!(
                        "`{}` has no option `{}`",
                        field.name,
                        s.chars().take(100).collect::<String>()
                    ),
                )
            })
    };
    Ok(match field.kind {
        CustomFieldKind::Text => {
            let Value::String(s) = raw else {
                return Err(wrong("text"));
            };
            if s.chars().count() > TEXT_MAX {
                return Err(ApiError::validation(
                    at.to_owned(),
                    format!("at most {TEXT_MAX} characters"),
                ));
            }
            if s.chars()
                .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
            {
                return Err(ApiError::validation(
                    at.to_owned(),
                    "must not contain control characters",
                ));
            }
            Given::Text(s.clone())
        }
        CustomFieldKind::Number => match raw.as_f64() {
            Some(n) if n.is_finite() && n.abs() <= NUMBER_MAX => Given::Number(n),
            Some(_) => {
                return Err(ApiError::validation(
                    at.to_owned(),
                    "must be between -1e15 and 1e15",
                ));
            }
            None => return Err(wrong("a number")),
        },
        CustomFieldKind::Date => match raw.as_str().map(|s| s.parse::<NaiveDate>()) {
            Some(Ok(d)) => Given::Date(d),
            _ => return Err(wrong("a date (YYYY-MM-DD)")),
        },
        CustomFieldKind::Select => Given::Options(vec![option(raw, at)?]),
        CustomFieldKind::MultiSelect => {
            let Value::Array(items) = raw else {
                return Err(wrong("a list of options"));
            };
            if items.len() > CHOSEN_MAX {
                return Err(ApiError::validation(
                    at.to_owned(),
                    format!("at most {CHOSEN_MAX} options"),
                ));
            }
            let mut ids: Vec<CustomOptionId> = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let id = option(item, &format!("{at}[{i}]"))?;
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            // Stored in the field's order, so equal sets are equal values.
            ids.sort_by_key(|id| field.options.iter().position(|o| o.id == *id));
            Given::Options(ids)
        }
        CustomFieldKind::User => match raw.as_str().map(str::trim) {
            Some(login) if tenancy::valid_login(login) => Given::User(login.to_owned()),
            _ => return Err(wrong("a member's login")),
        },
    })
}

/// Most values one write may give.
pub(crate) const VALUES_MAX: usize = 200;

/// The `custom_fields` of a ticket write: at most [`VALUES_MAX`] keys (the type of each
/// value is checked against its field in the ticket's project, in the database).
pub(crate) fn values_shape(raw: &serde_json::Map<String, Value>) -> Result<(), ApiError> {
    if raw.len() > VALUES_MAX {
        return Err(ApiError::validation(
            "custom_fields",
            format!("at most {VALUES_MAX} fields"),
        ));
    }
    Ok(())
}
