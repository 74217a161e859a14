//! Jira CSV import: a Jira Cloud CSV export into one project, over HTTP
//! (`POST /projects/{key}/import`) and as `trellis import`, through one function
//! ([`queries::import`]).
//!
//! The file is read once, as a stream of records (the `csv` crate), in batches of
//! [`BATCH`] rows: each batch is checked row by row (users and statuses mapped, dates
//! read, fields validated), then written set-based: one `INSERT` of its tickets (the
//! rank, search and field-history triggers run as for any ticket), one of their
//! original keys, one of their watchers. Parents (which Jira may list after their
//! children) and the audit entries (one `ticket.create` per ticket, each carrying the
//! import's id in `audit_log.import_id`) follow once every row is in. The whole import
//! is one transaction: a row with an error rolls everything back and the answer lists
//! every row's errors; a dry run checks the same way and writes nothing.
//!
//! Re-running a file creates nothing new: each ticket's original key is kept in
//! `ticket_import_keys` (primary key `(org_id, source_key)`), and rows whose key is
//! there already are reported as skipped. The key stays readable on the ticket
//! (`moved_from`) and findable: `GET /tickets/JRA-123` and JQL `key = JRA-123`.

pub mod command;
pub(crate) mod jira;
pub(crate) mod queries;
pub(crate) mod routes;

#[cfg(test)]
mod tests;

use serde::Serialize;

use crate::http::ApiError;

pub use crate::ids::ImportId;

/// Rows checked and written per statement (tickets have ~20 columns: 500 rows stay
/// far below PostgreSQL's 65,535 bind parameters).
pub const BATCH: usize = if cfg!(test) { 7 } else { 500 };

/// What to do with a Jira user that maps to no member.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnknownUsers {
    /// Import the row: no assignee, and the importer as reporter (the default).
    #[default]
    Unassign,
    /// Report the row as an error.
    Refuse,
}

/// How to import (the route's query parameters, the CLI's flags).
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Check every row and report, write nothing.
    pub dry_run: bool,
    pub unknown_users: UnknownUsers,
    /// Jira user (display name, e-mail or login, compared ignoring case) -> our login.
    pub users: Vec<(String, String)>,
    /// Jira status name (ignoring case) -> the name of a status of the project's
    /// workflow.
    pub statuses: Vec<(String, String)>,
}

impl ImportOptions {
    /// Reads `dry_run`, `unknown_users`, `user:NAME=LOGIN` and `status:NAME=STATUS`
    /// pairs (a query string); anything else is a field error naming the parameter.
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Result<Self, ApiError> {
        let mut options = ImportOptions::default();
        for (name, value) in pairs {
            if let Some(jira) = name.strip_prefix("user:") {
                let jira = mapping_name(&name, jira)?;
                if !tenancy::valid_login(value.trim()) {
                    return Err(ApiError::validation(name, "not a login"));
                }
                options.users.push((jira, value.trim().to_owned()));
            } else if let Some(jira) = name.strip_prefix("status:") {
                let jira = mapping_name(&name, jira)?;
                let ours = crate::http::validate::required_text("status", &value, 100)
                    .map_err(|e| ApiError::validation(name.clone(), e.detail().to_owned()))?;
                options.statuses.push((jira, ours));
            } else if name == "dry_run" {
                options.dry_run = match value.as_str() {
                    "true" | "1" | "" => true,
                    "false" | "0" => false,
                    _ => return Err(ApiError::validation("dry_run", "must be true or false")),
                };
            } else if name == "unknown_users" {
                options.unknown_users = match value.as_str() {
                    "unassign" => UnknownUsers::Unassign,
                    "refuse" => UnknownUsers::Refuse,
                    _ => {
                        return Err(ApiError::validation(
                            "unknown_users",
                            "must be `unassign` or `refuse`",
                        ));
                    }
                };
            } else {
                return Err(ApiError::validation(name, "unknown parameter"));
            }
        }
        Ok(options)
    }
}

fn mapping_name(param: &str, name: &str) -> Result<String, ApiError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 255 {
        return Err(ApiError::validation(
            param.to_owned(),
            "the Jira name must be 1 to 255 characters",
        ));
    }
    Ok(name.to_owned())
}

/// One problem with one row.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RowError {
    /// 1-based record number: the header is row 1, the first ticket row 2 (a record
    /// with embedded newlines is still one row).
    pub row: u64,
    /// The line of the file the record starts on (1-based).
    pub line: u64,
    /// The row's `Issue key`, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The column at fault, by its header (`Status`, `Assignee`, ...), or `row`.
    pub field: String,
    pub detail: String,
}

/// A row whose key an earlier import of this organization brought in already.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SkippedRow {
    pub row: u64,
    /// The Jira key.
    pub key: String,
    /// Our ticket's key.
    pub ticket: String,
}

/// `Custom field (Name)` columns are read but not imported yet (custom fields land
/// separately); the report names them and counts their values.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CustomFieldColumn {
    pub name: String,
    /// Rows with a value in it.
    pub rows_with_values: u64,
}

/// The answer of an import (or its dry run).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    /// Carried by every audit entry and original key the import wrote.
    pub import_id: ImportId,
    pub dry_run: bool,
    /// Whether tickets were written (`false` for a dry run).
    pub applied: bool,
    /// Ticket rows read (the header not counted).
    pub rows: u64,
    /// Tickets created (for a dry run: that would be).
    pub created: u64,
    /// Rows already imported earlier, left as they are.
    pub skipped: Vec<SkippedRow>,
    /// Every row's errors; an import with any is not applied.
    pub errors: Vec<RowError>,
    /// Jira users that map to no member (distinct, in order of appearance).
    pub unknown_users: Vec<String>,
    /// Jira statuses that are not statuses of the project's workflow and have no
    /// mapping (distinct).
    pub unmapped_statuses: Vec<String>,
    /// Sprint names that name no open sprint of the project: those tickets go to the
    /// backlog.
    pub unmatched_sprints: Vec<String>,
    /// Columns the import does not read (headers, distinct).
    pub ignored_columns: Vec<String>,
    /// `Custom field (Name)` columns: read, not imported yet.
    pub custom_field_columns: Vec<CustomFieldColumn>,
    /// Set when `custom_field_columns` is not empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_fields_note: Option<&'static str>,
    /// The first and last key created (numbers in between are this import's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_ticket: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_ticket: Option<String>,
}

/// Pushes `value` unless it is there already (short lists of names).
fn push_distinct(list: &mut Vec<String>, value: &str) {
    if !list.iter().any(|v| v == value) {
        list.push(value.to_owned());
    }
}
