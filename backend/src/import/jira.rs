//! Reading a Jira Cloud CSV export: its header (repeated `Labels` and `Sprint`
//! columns, `Custom field (Name)` columns), its records (the `csv` crate: quoted
//! cells with embedded newlines and quotes, a UTF-8 byte order mark), and each row's
//! values checked against the project (users, statuses) without touching the
//! database.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};

use super::{RowError, UnknownUsers, push_distinct};
use crate::http::ApiError;
use crate::ids::{StatusId, TicketId};
use crate::tickets::{Priority, TicketType};
use crate::workflows::StatusCategory;
use tenancy::UserId;

/// Where each understood column is (by position); repeated headers keep every
/// position, in file order.
#[derive(Debug, Default)]
pub(crate) struct Columns {
    pub count: usize,
    summary: Option<usize>,
    key: Option<usize>,
    id: Option<usize>,
    kind: Option<usize>,
    status: Option<usize>,
    priority: Option<usize>,
    assignee: Option<usize>,
    reporter: Option<usize>,
    labels: Vec<usize>,
    created: Option<usize>,
    updated: Option<usize>,
    resolved: Option<usize>,
    description: Option<usize>,
    parent: Option<usize>,
    parent_id: Option<usize>,
    sprint: Vec<usize>,
    /// `Custom field (Name)`: the name and its columns.
    pub custom: Vec<(String, Vec<usize>)>,
    /// Headers of the columns nobody reads (distinct).
    pub ignored: Vec<String>,
}

impl Columns {
    /// Reads the header record. `Summary` and `Issue key` are required (a file
    /// without them is not a Jira export); other columns are optional.
    pub(crate) fn from_header(header: &csv::StringRecord) -> Result<Self, ApiError> {
        let mut columns = Columns {
            count: header.len(),
            ..Columns::default()
        };
        for (i, raw) in header.iter().enumerate() {
            // A byte order mark the reader left on the first header.
            let name = raw.trim_start_matches('\u{feff}').trim();
            let single = |slot: &mut Option<usize>| {
                if slot.is_none() {
                    *slot = Some(i);
                }
            };
            match name.to_ascii_lowercase().as_str() {
                "summary" => single(&mut columns.summary),
                "issue key" => single(&mut columns.key),
                "issue id" => single(&mut columns.id),
                "issue type" => single(&mut columns.kind),
                "status" => single(&mut columns.status),
                "priority" => single(&mut columns.priority),
                "assignee" => single(&mut columns.assignee),
                "reporter" => single(&mut columns.reporter),
                "labels" => columns.labels.push(i),
                "created" => single(&mut columns.created),
                "updated" => single(&mut columns.updated),
                "resolved" => single(&mut columns.resolved),
                "description" => single(&mut columns.description),
                "parent" => single(&mut columns.parent),
                "parent id" => single(&mut columns.parent_id),
                "sprint" => columns.sprint.push(i),
                _ => match custom_field_name(name) {
                    Some(field) => match columns.custom.iter_mut().find(|(n, _)| n == field) {
                        Some((_, at)) => at.push(i),
                        None => columns.custom.push((field.to_owned(), vec![i])),
                    },
                    None => push_distinct(&mut columns.ignored, name),
                },
            }
        }
        for (column, name) in [(columns.summary, "Summary"), (columns.key, "Issue key")] {
            if column.is_none() {
                return Err(ApiError::validation(
                    "file",
                    format!("the header (row 1) has no `{name}` column: not a Jira CSV export"),
                ));
            }
        }
        Ok(columns)
    }
}

/// `Custom field (Story Points)` -> `Story Points`.
fn custom_field_name(header: &str) -> Option<&str> {
    let inner = header.strip_prefix("Custom field (")?.strip_suffix(')')?;
    let inner = inner.trim();
    (!inner.is_empty()).then_some(inner)
}

/// A Jira date as the export writes it, in UTC when it names no offset. Understood:
/// `12/Mar/24 3:04 PM` (Jira's default, also with a four-digit year and with
/// seconds), `2024-03-12 15:04` (with or without seconds), RFC 3339
/// (`2024-03-12T15:04:05Z`, `+01:00`), Jira's `2024-03-12T15:04:05.000+0100`, and
/// a bare date `2024-03-12` (midnight UTC).
pub(crate) fn parse_date(raw: &str) -> Option<DateTime<Utc>> {
    let raw = raw.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(raw) {
        return Some(at.with_timezone(&Utc));
    }
    if let Ok(at) = DateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S%.f%z") {
        return Some(at.with_timezone(&Utc));
    }
    const LOCAL: [&str; 8] = [
        "%d/%b/%y %I:%M %p",
        "%d/%b/%Y %I:%M %p",
        "%d/%b/%y %I:%M:%S %p",
        "%d/%b/%Y %I:%M:%S %p",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ];
    for format in LOCAL {
        if let Ok(at) = NaiveDateTime::parse_from_str(raw, format) {
            return Some(Utc.from_utc_datetime(&at));
        }
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|at| Utc.from_utc_datetime(&at))
}

/// Jira's priority names, including the older scheme (Blocker .. Trivial).
fn parse_priority(raw: &str) -> Option<Priority> {
    Some(match raw.trim().to_ascii_lowercase().as_str() {
        "" | "medium" | "normal" => Priority::Medium,
        "highest" | "blocker" | "critical" => Priority::Highest,
        "high" | "major" => Priority::High,
        "low" | "minor" => Priority::Low,
        "lowest" | "trivial" => Priority::Lowest,
        _ => return None,
    })
}

/// Jira's issue types: Epic, Story, Bug, Sub-task (and Subtask); every other type
/// (Task, Improvement, New Feature, ...) imports as a task.
fn parse_kind(raw: &str) -> TicketType {
    match raw.trim().to_ascii_lowercase().as_str() {
        "epic" => TicketType::Epic,
        "story" => TicketType::Story,
        "bug" => TicketType::Bug,
        "sub-task" | "subtask" | "sub task" => TicketType::Subtask,
        _ => TicketType::Task,
    }
}

/// How a row names its parent: Jira writes the parent's numeric issue id (`Parent`
/// in current exports, `Parent id` in older ones) or its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ParentRef {
    Id(String),
    Key(String),
}

impl ParentRef {
    fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        if raw.is_empty() {
            None
        } else if raw.bytes().all(|b| b.is_ascii_digit()) {
            Some(ParentRef::Id(raw.to_owned()))
        } else {
            Some(ParentRef::Key(raw.to_ascii_uppercase()))
        }
    }
}

/// A member, as Jira users are matched to them.
#[derive(Debug, Clone)]
pub(crate) struct Member {
    pub id: UserId,
    pub login: String,
    pub name: String,
    pub emails: Vec<String>,
}

/// A status of the project's workflow.
#[derive(Debug, Clone)]
pub(crate) struct StatusOption {
    pub id: StatusId,
    pub name: String,
    pub category: StatusCategory,
}

/// What rows are checked against: the organization's members, the project's
/// statuses and open sprints, and the caller's mappings.
#[derive(Debug)]
pub(crate) struct Lookups {
    /// Lower-cased Jira user (login, e-mail, display name, or a mapped name) -> member.
    users: HashMap<String, UserId>,
    /// Lower-cased Jira status (our name, or a mapped Jira name) -> status.
    statuses: HashMap<String, StatusOption>,
    initial: StatusOption,
    /// Lower-cased open sprint name -> sprint.
    sprints: HashMap<String, crate::ids::SprintId>,
    unknown_users: UnknownUsers,
    importer: UserId,
}

impl Lookups {
    /// Builds the maps; a mapping to a login that is not a member, or to a status
    /// the workflow lacks, is a field error naming its parameter.
    pub(crate) fn new(
        members: Vec<Member>,
        statuses: Vec<StatusOption>,
        sprints: Vec<(crate::ids::SprintId, String)>,
        options: &super::ImportOptions,
        importer: UserId,
    ) -> Result<Self, ApiError> {
        let mut users: HashMap<String, UserId> = HashMap::new();
        // Display names can repeat: a name two members share matches neither.
        let mut names: HashMap<String, Option<UserId>> = HashMap::new();
        for member in &members {
            names
                .entry(member.name.to_lowercase())
                .and_modify(|seen| *seen = None)
                .or_insert(Some(member.id));
        }
        for (name, id) in names {
            if let Some(id) = id {
                users.insert(name, id);
            }
        }
        for member in &members {
            for email in &member.emails {
                users.insert(email.to_lowercase(), member.id);
            }
        }
        for member in &members {
            users.insert(member.login.to_lowercase(), member.id);
        }
        for (jira, login) in &options.users {
            let member = members
                .iter()
                .find(|m| m.login.eq_ignore_ascii_case(login))
                .ok_or_else(|| {
                    ApiError::validation(
                        format!("user:{jira}"),
                        format!("`{login}` is not a member of this organization"),
                    )
                })?;
            users.insert(jira.to_lowercase(), member.id);
        }
        let initial = statuses
            .first()
            .cloned()
            .ok_or_else(|| ApiError::internal("a workflow without statuses"))?;
        let mut by_name: HashMap<String, StatusOption> = statuses
            .iter()
            .map(|s| (s.name.to_lowercase(), s.clone()))
            .collect();
        for (jira, ours) in &options.statuses {
            let status = statuses
                .iter()
                .find(|s| s.name.eq_ignore_ascii_case(ours))
                .ok_or_else(|| {
                    ApiError::validation(
                        format!("status:{jira}"),
                        format!("`{ours}` is not a status of the project's workflow"),
                    )
                })?;
            by_name.insert(jira.to_lowercase(), status.clone());
        }
        Ok(Lookups {
            users,
            statuses: by_name,
            initial,
            sprints: sprints
                .into_iter()
                .map(|(id, name)| (name.to_lowercase(), id))
                .collect(),
            unknown_users: options.unknown_users,
            importer,
        })
    }
}

/// A checked ticket row, ready to insert.
#[derive(Debug)]
pub(crate) struct NewTicket {
    pub row: u64,
    pub line: u64,
    pub id: TicketId,
    pub source_key: String,
    pub source_id: Option<String>,
    pub title: String,
    pub description: String,
    pub kind: TicketType,
    pub priority: Priority,
    pub status: StatusId,
    pub assignee: Option<UserId>,
    pub reporter: UserId,
    pub labels: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub sprint: Option<crate::ids::SprintId>,
    pub parent: Option<ParentRef>,
    /// The parent, once found in the file (set before the ticket is written).
    pub parent_id: Option<TicketId>,
    /// `Custom field (Name)` values: the name and the row's non-empty cells.
    pub custom_fields: Vec<(String, Vec<String>)>,
}

/// What checking a row found besides errors: names for the report.
#[derive(Debug, Default)]
pub(crate) struct Findings {
    pub unknown_users: Vec<String>,
    pub unmapped_statuses: Vec<String>,
    pub unmatched_sprints: Vec<String>,
}

/// The row's `Issue key`, upper-cased (for reports and the skip test), if any.
pub(crate) fn source_key(columns: &Columns, record: &csv::StringRecord) -> Option<String> {
    let key = cell(record, columns.key).trim();
    (!key.is_empty()).then(|| key.to_ascii_uppercase())
}

fn cell(record: &csv::StringRecord, at: Option<usize>) -> &str {
    at.and_then(|i| record.get(i)).unwrap_or("")
}

/// Checks one record against `lookups`: the ticket, or every error of the row.
pub(crate) fn check(
    columns: &Columns,
    lookups: &Lookups,
    record: &csv::StringRecord,
    row: u64,
    line: u64,
    findings: &mut Findings,
) -> Result<NewTicket, Vec<RowError>> {
    let key = source_key(columns, record);
    let mut errors: Vec<RowError> = Vec::new();
    let mut fail = |field: &str, detail: String| {
        errors.push(RowError {
            row,
            line,
            key: key.clone(),
            field: field.to_owned(),
            detail,
        });
    };
    if record.len() != columns.count {
        fail(
            "row",
            format!(
                "has {} cells, the header has {}",
                record.len(),
                columns.count
            ),
        );
    }
    let source_key = match &key {
        Some(k) if k.chars().count() <= 255 => k.clone(),
        Some(_) => {
            fail("Issue key", "longer than 255 characters".into());
            String::new()
        }
        None => {
            fail(
                "Issue key",
                "is empty (re-runs find rows by their key)".into(),
            );
            String::new()
        }
    };
    let title = crate::http::validate::required_text("Summary", cell(record, columns.summary), 500)
        .unwrap_or_else(|e| {
            fail("Summary", e.detail().to_owned());
            String::new()
        });
    let description = cell(record, columns.description);
    let description = if description.chars().count() > crate::tickets::DESCRIPTION_MAX {
        fail(
            "Description",
            format!("longer than {} characters", crate::tickets::DESCRIPTION_MAX),
        );
        String::new()
    } else if description.contains('\0') {
        fail("Description", "contains a NUL character".into());
        String::new()
    } else {
        description.to_owned()
    };
    let kind = parse_kind(cell(record, columns.kind));
    let priority = parse_priority(cell(record, columns.priority)).unwrap_or_else(|| {
        fail(
            "Priority",
            format!(
                "`{}` is not a priority (Highest, High, Medium, Low, Lowest)",
                cell(record, columns.priority).trim()
            ),
        );
        Priority::Medium
    });
    let status_name = cell(record, columns.status).trim();
    let status = if status_name.is_empty() {
        lookups.initial.clone()
    } else {
        match lookups.statuses.get(&status_name.to_lowercase()) {
            Some(s) => s.clone(),
            None => {
                push_distinct(&mut findings.unmapped_statuses, status_name);
                fail(
                    "Status",
                    format!(
                        "`{status_name}` is not a status of the project's workflow; map it with `status:{status_name}=...`"
                    ),
                );
                lookups.initial.clone()
            }
        }
    };
    let mut person = |field: &str, raw: &str, fail: &mut dyn FnMut(&str, String)| {
        let raw = raw.trim();
        if raw.is_empty() {
            return None;
        }
        match lookups.users.get(&raw.to_lowercase()) {
            Some(id) => Some(*id),
            None => {
                push_distinct(&mut findings.unknown_users, raw);
                if lookups.unknown_users == UnknownUsers::Refuse {
                    fail(
                        field,
                        format!("`{raw}` is no member; map it with `user:{raw}=LOGIN`"),
                    );
                }
                None
            }
        }
    };
    let assignee = person("Assignee", cell(record, columns.assignee), &mut fail);
    let reporter =
        person("Reporter", cell(record, columns.reporter), &mut fail).unwrap_or(lookups.importer);
    let raw_labels: Vec<String> = columns
        .labels
        .iter()
        .filter_map(|&i| record.get(i))
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    let labels = crate::tickets::labels(&raw_labels).unwrap_or_else(|e| {
        fail("Labels", e.detail().to_owned());
        Vec::new()
    });
    let mut date = |field: &str, at: Option<usize>| {
        let raw = cell(record, at).trim();
        if raw.is_empty() {
            return None;
        }
        let parsed = parse_date(raw);
        if parsed.is_none() {
            fail(
                field,
                format!("`{raw}` is not a date (e.g. 12/Mar/24 3:04 PM or 2024-03-12T15:04:00Z)"),
            );
        }
        parsed
    };
    let created = date("Created", columns.created);
    let updated = date("Updated", columns.updated);
    let resolved = date("Resolved", columns.resolved);
    let now = Utc::now();
    let created_at = created.unwrap_or(now);
    let updated_at = updated.unwrap_or(created_at).max(created_at);
    // Our rule: a ticket is resolved exactly while its status is a done one.
    let resolved_at = (status.category == StatusCategory::Done)
        .then(|| resolved.unwrap_or(updated_at).max(created_at));
    // The last sprint a Jira ticket was in is the one it is in.
    let sprint_name = columns
        .sprint
        .iter()
        .filter_map(|&i| record.get(i))
        .map(str::trim)
        .rfind(|s| !s.is_empty());
    let sprint = sprint_name.and_then(|name| {
        let found = lookups.sprints.get(&name.to_lowercase()).copied();
        if found.is_none() {
            push_distinct(&mut findings.unmatched_sprints, name);
        }
        found
    });
    let parent = ParentRef::parse(cell(record, columns.parent))
        .or_else(|| ParentRef::parse(cell(record, columns.parent_id)));
    let source_id = Some(cell(record, columns.id).trim())
        .filter(|id| !id.is_empty() && id.len() <= 64)
        .map(str::to_owned);
    let custom_fields = columns
        .custom
        .iter()
        .filter_map(|(name, at)| {
            let values: Vec<String> = at
                .iter()
                .filter_map(|&i| record.get(i))
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
                .collect();
            (!values.is_empty()).then(|| (name.clone(), values))
        })
        .collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(NewTicket {
        row,
        line,
        id: TicketId::new(),
        source_key,
        source_id,
        title,
        description,
        kind,
        priority,
        status: status.id,
        assignee,
        reporter,
        labels,
        created_at,
        updated_at,
        resolved_at,
        sprint,
        parent,
        parent_id: None,
        custom_fields,
    })
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn jira_dates_in_the_documented_forms() {
        let at = |s: &str| parse_date(s).map(|d| d.to_rfc3339());
        assert_eq!(
            at("12/Mar/24 3:04 PM").as_deref(),
            Some("2024-03-12T15:04:00+00:00")
        );
        assert_eq!(
            at("01/Jan/2023 11:59 AM").as_deref(),
            Some("2023-01-01T11:59:00+00:00")
        );
        assert_eq!(
            at("2024-03-12 15:04").as_deref(),
            Some("2024-03-12T15:04:00+00:00")
        );
        assert_eq!(
            at("2024-03-12T15:04:05.000+0100").as_deref(),
            Some("2024-03-12T14:04:05+00:00")
        );
        assert_eq!(
            at("2024-03-12T15:04:05Z").as_deref(),
            Some("2024-03-12T15:04:05+00:00")
        );
        assert_eq!(
            at("2024-03-12").as_deref(),
            Some("2024-03-12T00:00:00+00:00")
        );
        assert_eq!(at("yesterday"), None);
        assert_eq!(at("31/Feb/24 3:04 PM"), None);
    }

    #[test]
    fn custom_field_headers_name_their_field() {
        assert_eq!(
            custom_field_name("Custom field (Story Points)"),
            Some("Story Points")
        );
        assert_eq!(custom_field_name("Custom field ()"), None);
        assert_eq!(custom_field_name("Labels"), None);
    }

    #[test]
    fn parents_by_id_or_by_key() {
        assert_eq!(
            ParentRef::parse("10042"),
            Some(ParentRef::Id("10042".into()))
        );
        assert_eq!(
            ParentRef::parse(" jra-7 "),
            Some(ParentRef::Key("JRA-7".into()))
        );
        assert_eq!(ParentRef::parse(""), None);
    }
}
