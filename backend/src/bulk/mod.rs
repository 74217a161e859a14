//! Bulk changes: one operation set applied to up to 1,000 tickets in one request and
//! one transaction, with a result per ticket.
//!
//! Every ticket goes through the single-ticket domain functions
//! (`tickets::queries::update`, `transition`, `soft_delete`), so the permission,
//! private-project, workflow and field rules are the same code as for one ticket.
//! Each ticket runs under a savepoint: a failing ticket is rolled back alone and
//! reported. The whole request runs under another savepoint, rolled back for a dry
//! run or when an item failed in an atomic request (the default), so nothing is
//! applied then. Every audit entry written inside carries the request's `bulk_id`
//! (`audit_log.bulk_id` defaults to the transaction's `app.bulk_id`).

pub(crate) mod queries;
pub(crate) mod routes;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use crate::http::ApiError;
use crate::tickets::moving::TicketMove;
use crate::tickets::{MoveRequest, TicketChange, TicketKey, TicketPatch};

pub use crate::ids::BulkId;

/// Most tickets in one request.
pub const KEYS_MAX: usize = 1_000;

fn yes() -> bool {
    true
}

/// `POST /tickets/bulk` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkRequest {
    /// Ticket keys, 1 to 1,000, no duplicates.
    pub keys: Vec<String>,
    pub operations: BulkOperations,
    /// Apply nothing if any ticket fails (default `true`).
    #[serde(default = "yes")]
    pub atomic: bool,
    /// Check and report, apply nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// What to do to every ticket, in this order: set fields, labels and components,
/// then transition, then move (or delete: not both).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkOperations {
    /// Fields to set, as in `PATCH /tickets/{key}` (`"assignee": null` unassigns,
    /// `"sprint": null` clears the sprint, and so on).
    pub set: Option<TicketPatch>,
    #[serde(default)]
    pub add_labels: Vec<String>,
    #[serde(default)]
    pub remove_labels: Vec<String>,
    /// Component names of each ticket's project (case-insensitive).
    #[serde(default)]
    pub add_components: Vec<String>,
    #[serde(default)]
    pub remove_components: Vec<String>,
    /// Name of the target status, checked against each ticket's workflow.
    pub transition: Option<String>,
    /// Move the tickets (each with its children) to another project, as
    /// `POST /tickets/{key}/move` does; a ticket already there is left as it is.
    #[serde(rename = "move")]
    pub move_to: Option<MoveRequest>,
    /// Soft-delete the tickets.
    #[serde(default)]
    pub delete: bool,
}

/// The checked operation set.
#[derive(Debug, Clone, Default)]
pub(crate) struct Operations {
    pub set: TicketChange,
    pub add_labels: Vec<String>,
    pub remove_labels: Vec<String>,
    pub add_components: Vec<String>,
    pub remove_components: Vec<String>,
    pub transition: Option<String>,
    pub move_to: Option<TicketMove>,
    pub delete: bool,
}

impl Operations {
    fn edits_fields(&self) -> bool {
        self.set != TicketChange::default()
            || !self.add_labels.is_empty()
            || !self.remove_labels.is_empty()
            || !self.add_components.is_empty()
            || !self.remove_components.is_empty()
    }
}

/// A checked request: parsed keys (`None`: not a key, reported as not found).
#[derive(Debug)]
pub(crate) struct Bulk {
    pub keys: Vec<(String, Option<TicketKey>)>,
    pub operations: Operations,
    pub atomic: bool,
    pub dry_run: bool,
}

impl BulkRequest {
    /// Checks the request as a whole (field errors name the field; nothing runs).
    pub(crate) fn validate(&self) -> Result<Bulk, ApiError> {
        if self.keys.is_empty() || self.keys.len() > KEYS_MAX {
            return Err(ApiError::validation(
                "keys",
                format!("1 to {KEYS_MAX} ticket keys"),
            ));
        }
        let mut keys: Vec<(String, Option<TicketKey>)> = Vec::with_capacity(self.keys.len());
        let mut seen = std::collections::HashSet::new();
        for (i, raw) in self.keys.iter().enumerate() {
            let key = TicketKey::parse(raw.trim()).ok();
            let canonical = key.as_ref().map_or_else(
                || raw.trim().to_owned(),
                |k| format!("{}-{}", k.project, k.number),
            );
            if raw.chars().count() > 64 {
                return Err(ApiError::validation(
                    format!("keys[{i}]"),
                    "not a ticket key",
                ));
            }
            if !seen.insert(canonical.clone()) {
                return Err(ApiError::validation(
                    format!("keys[{i}]"),
                    format!("`{canonical}` is listed twice"),
                ));
            }
            keys.push((canonical, key));
        }
        let ops = &self.operations;
        let operations = Operations {
            set: ops
                .set
                .as_ref()
                .map(TicketPatch::validate)
                .transpose()
                .map_err(|e| prefixed("operations.set", e))?
                .unwrap_or_default(),
            add_labels: crate::tickets::labels(&ops.add_labels)
                .map_err(|e| prefixed("operations.add_labels", e))?,
            remove_labels: crate::tickets::labels(&ops.remove_labels)
                .map_err(|e| prefixed("operations.remove_labels", e))?,
            add_components: crate::tickets::component_names(&ops.add_components)
                .map_err(|e| prefixed("operations.add_components", e))?,
            remove_components: crate::tickets::component_names(&ops.remove_components)
                .map_err(|e| prefixed("operations.remove_components", e))?,
            transition: ops
                .transition
                .as_deref()
                .map(|to| crate::http::validate::required_text("operations.transition", to, 100))
                .transpose()?,
            move_to: ops
                .move_to
                .as_ref()
                .map(MoveRequest::validate)
                .transpose()
                .map_err(|e| prefixed("operations.move", e))?,
            delete: ops.delete,
        };
        if operations.move_to.is_some() && operations.delete {
            return Err(ApiError::validation(
                "operations.move",
                "a ticket is either moved or deleted",
            ));
        }
        if !operations.edits_fields()
            && operations.transition.is_none()
            && operations.move_to.is_none()
            && !operations.delete
        {
            return Err(ApiError::validation(
                "operations",
                "give at least one operation",
            ));
        }
        Ok(Bulk {
            keys,
            operations,
            atomic: self.atomic,
            dry_run: self.dry_run,
        })
    }
}

/// A field error of a nested part, named from the request's root: `labels[3]` of
/// `add_labels` is `operations.add_labels[3]`, `title` of `set` is
/// `operations.set.title`.
fn prefixed(prefix: &str, error: ApiError) -> ApiError {
    let field = match error.field() {
        Some(field) => match ["labels", "components"]
            .iter()
            .find_map(|base| field.strip_prefix(base))
        {
            Some(rest) if !prefix.ends_with(".set") => format!("{prefix}{rest}"),
            _ => format!("{prefix}.{field}"),
        },
        None => prefix.to_owned(),
    };
    ApiError::validation(field, error.detail().to_owned())
}

/// One ticket's outcome.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BulkResult {
    /// The key as requested (upper-cased).
    pub key: String,
    /// `ok` or `error`.
    pub status: &'static str,
    /// The ticket's key afterwards (`ok` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<BulkError>,
}

/// Why a ticket failed: its problem document's members.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BulkError {
    #[serde(rename = "type")]
    pub kind: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// `POST /tickets/bulk` answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BulkResponse {
    /// Every audit entry of the request carries it.
    pub bulk_id: BulkId,
    pub dry_run: bool,
    pub atomic: bool,
    /// Whether the changes were committed: `false` for a dry run, or when an item
    /// failed in an atomic request.
    pub applied: bool,
    pub succeeded: usize,
    pub failed: usize,
    /// One per key, in request order.
    pub results: Vec<BulkResult>,
}
