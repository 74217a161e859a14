//! A resource's history as people read it: the audit entries about it turned into
//! field-level changes (field, from, to), computed from each entry's before/after.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value};

use super::{AuditId, AuditRow};
use crate::refs::UserRef;

/// Fields that change with every write or never change: not news to a reader.
const QUIET: &[&str] = &[
    "id",
    "version",
    "created_at",
    "updated_at",
    "number",
    "key",
    "project",
    "reporter",
    "org_id",
    "ticket_id",
    "author",
    // Counts that other rows move (a child's status, someone watching).
    "children",
    "watchers",
    // A move's trail grows with the key, which a move's entry shows.
    "moved_from",
];

/// Quiet fields a move's entry shows: where the ticket went.
const MOVED: &[&str] = &["key", "project"];

/// One change in a history.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct HistoryEntry {
    pub id: AuditId,
    pub at: DateTime<Utc>,
    /// Who made it (`null` for system changes).
    pub actor: Option<UserRef>,
    /// e.g. `ticket.update`, `ticket.transition`, `comment.create`.
    pub action: String,
    /// Set for comment entries.
    pub comment_id: Option<uuid::Uuid>,
    /// Set for attachment entries (`attachment.confirm`: added; `attachment.delete`:
    /// removed), whose one change is the field `attachment`, from or to its file name.
    pub attachment_id: Option<uuid::Uuid>,
    /// The fields that changed, in field order; empty for creates and deletes.
    pub changes: Vec<FieldChange>,
}

/// A field's value before and after a change (`null`: empty).
#[derive(Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub(crate) struct FieldChange {
    pub field: String,
    #[schema(value_type = Option<Object>)]
    pub from: Value,
    #[schema(value_type = Option<Object>)]
    pub to: Value,
}

impl HistoryEntry {
    /// The entry for one audit row (with its actor).
    pub fn from_row(row: AuditRow, actor: Option<UserRef>) -> Self {
        let comment_id = (row.entity_type == "comment").then_some(row.entity_id);
        let attachment_id = (row.entity_type == "attachment").then_some(row.entity_id);
        let changes = match (&row.before, &row.after) {
            _ if attachment_id.is_some() => attachment_change(&row.before, &row.after),
            (Some(Value::Object(before)), Some(Value::Object(after))) => {
                let mut changes = diff(before, after);
                if row.action == "ticket.move" {
                    changes.splice(0..0, moved(before, after));
                }
                changes
            }
            _ => Vec::new(),
        };
        let changes = if comment_id.is_some() {
            // A comment's history is its text.
            changes
                .into_iter()
                .filter(|c| c.field == "body")
                .map(|c| FieldChange {
                    field: "comment".to_owned(),
                    ..c
                })
                .collect()
        } else {
            changes
        };
        HistoryEntry {
            id: row.id,
            at: row.created_at,
            actor,
            action: row.action,
            comment_id,
            attachment_id,
            changes,
        }
    }
}

/// An attachment's file name while it is confirmed (a reader sees it), else `null`.
fn visible_name(state: &Option<Value>) -> Value {
    match state {
        Some(Value::Object(o)) if o.get("state").and_then(Value::as_str) == Some("confirmed") => {
            o.get("file_name").cloned().unwrap_or(Value::Null)
        }
        _ => Value::Null,
    }
}

/// Added: `attachment` from `null` to the name; removed: from the name to `null`.
fn attachment_change(before: &Option<Value>, after: &Option<Value>) -> Vec<FieldChange> {
    let (from, to) = (visible_name(before), visible_name(after));
    if from == to {
        return Vec::new();
    }
    vec![FieldChange {
        field: "attachment".to_owned(),
        from,
        to,
    }]
}

/// A move's key and project, from and to.
fn moved(before: &Map<String, Value>, after: &Map<String, Value>) -> Vec<FieldChange> {
    MOVED
        .iter()
        .map(|field| FieldChange {
            field: (*field).to_owned(),
            from: readable(before.get(*field)),
            to: readable(after.get(*field)),
        })
        .filter(|c| c.from != c.to)
        .collect()
}

/// The fields whose values differ, each value as a reader names it.
pub(crate) fn diff(before: &Map<String, Value>, after: &Map<String, Value>) -> Vec<FieldChange> {
    let mut fields: Vec<&String> = before.keys().chain(after.keys()).collect();
    fields.sort();
    fields.dedup();
    fields
        .into_iter()
        .filter(|f| !QUIET.contains(&f.as_str()))
        .filter_map(|field| {
            let from = readable(before.get(field));
            let to = readable(after.get(field));
            (from != to).then(|| FieldChange {
                field: field.clone(),
                from,
                to,
            })
        })
        .collect()
}

/// A user is their login, a status its name; everything else as stored.
fn readable(value: Option<&Value>) -> Value {
    match value {
        None => Value::Null,
        Some(Value::Object(o)) => o
            .get("login")
            .or_else(|| o.get("name"))
            .cloned()
            .unwrap_or_else(|| Value::Object(o.clone())),
        Some(v) => v.clone(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn object(v: Value) -> Map<String, Value> {
        v.as_object().cloned().expect("object")
    }

    #[test]
    fn only_changed_fields_are_listed_with_readable_values() {
        let before = object(json!({
            "id": "a", "version": 3, "updated_at": "x", "title": "Old",
            "status": {"id": "s1", "name": "To Do", "category": "todo"},
            "assignee": null, "labels": ["ui"], "priority": "medium"
        }));
        let after = object(json!({
            "id": "a", "version": 4, "updated_at": "y", "title": "New",
            "status": {"id": "s2", "name": "Done", "category": "done"},
            "assignee": {"id": "u", "login": "bob", "name": "Bob"},
            "labels": ["ui"], "priority": "medium"
        }));
        assert_eq!(
            diff(&before, &after),
            vec![
                FieldChange {
                    field: "assignee".into(),
                    from: Value::Null,
                    to: json!("bob")
                },
                FieldChange {
                    field: "status".into(),
                    from: json!("To Do"),
                    to: json!("Done")
                },
                FieldChange {
                    field: "title".into(),
                    from: json!("Old"),
                    to: json!("New")
                },
            ]
        );
    }

    #[test]
    fn a_field_that_appears_or_disappears_is_a_change_from_or_to_null() {
        let before = object(json!({"due_date": "2026-12-24"}));
        let after = object(json!({}));
        assert_eq!(
            diff(&before, &after),
            vec![FieldChange {
                field: "due_date".into(),
                from: json!("2026-12-24"),
                to: Value::Null
            }]
        );
    }
}
