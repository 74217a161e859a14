//! Exports: every ticket of a JQL result the caller may see, as CSV or JSON, streamed
//! page by page so memory stays flat whatever the result's size. The pages come from
//! search's own path ([`crate::search::page_without_total`]), so private projects,
//! row-level security and every JQL rule are the search's, not a second copy.
//!
//! CSV cells that a spreadsheet would run as a formula (starting with `=`, `+`, `-`,
//! `@`, a tab or a carriage return) are prefixed with `'`, as OWASP advises against
//! formula injection; numbers and dates we format ourselves are written as they are.

pub(crate) mod routes;

#[cfg(test)]
mod tests;

use std::borrow::Cow;

use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};
use serde_json::Value;

use crate::tickets::Ticket;

/// One column of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Column {
    Key,
    Summary,
    Type,
    Status,
    StatusCategory,
    Priority,
    Assignee,
    Reporter,
    Project,
    Labels,
    Components,
    Sprint,
    Parent,
    Created,
    Updated,
    Resolved,
    Due,
    StartDate,
    StoryPoints,
    OriginalEstimate,
    Watchers,
    Description,
}

/// Every column: its name in `columns=` (JQL's field name) and its CSV header
/// (Jira's, so a Jira user recognises an export).
const COLUMNS: [(Column, &str, &str); 22] = [
    (Column::Key, "key", "Issue key"),
    (Column::Summary, "summary", "Summary"),
    (Column::Type, "type", "Issue Type"),
    (Column::Status, "status", "Status"),
    (Column::StatusCategory, "statusCategory", "Status Category"),
    (Column::Priority, "priority", "Priority"),
    (Column::Assignee, "assignee", "Assignee"),
    (Column::Reporter, "reporter", "Reporter"),
    (Column::Project, "project", "Project key"),
    (Column::Labels, "labels", "Labels"),
    (Column::Components, "component", "Components"),
    (Column::Sprint, "sprint", "Sprint"),
    (Column::Parent, "parent", "Parent"),
    (Column::Created, "created", "Created"),
    (Column::Updated, "updated", "Updated"),
    (Column::Resolved, "resolved", "Resolved"),
    (Column::Due, "due", "Due date"),
    (Column::StartDate, "startDate", "Start date"),
    (Column::StoryPoints, "storyPoints", "Story Points"),
    (
        Column::OriginalEstimate,
        "originalEstimate",
        "Original Estimate",
    ),
    (Column::Watchers, "watchers", "Watchers"),
    (Column::Description, "description", "Description"),
];

/// The columns when the caller names none.
pub(crate) const DEFAULT_COLUMNS: [Column; 10] = [
    Column::Key,
    Column::Summary,
    Column::Type,
    Column::Status,
    Column::Priority,
    Column::Assignee,
    Column::Reporter,
    Column::Created,
    Column::Updated,
    Column::Resolved,
];

/// Other spellings people use (Jira's, the API's field names), case-insensitive.
const ALIASES: [(&str, Column); 10] = [
    ("issuekey", Column::Key),
    ("title", Column::Summary),
    ("issuetype", Column::Type),
    ("components", Column::Components),
    ("duedate", Column::Due),
    ("due_date", Column::Due),
    ("start_date", Column::StartDate),
    ("story points", Column::StoryPoints),
    ("story_points", Column::StoryPoints),
    ("original_estimate", Column::OriginalEstimate),
];

/// A column of an export: one of ours, or an organization's custom field.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ExportColumn {
    System(Column),
    Custom(CustomColumn),
}

/// A custom field as a column: what its cells need to show values by name.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CustomColumn {
    pub number: i32,
    pub name: String,
    pub kind: crate::custom_fields::CustomFieldKind,
    /// Option id (as stored on tickets) to value.
    pub options: Vec<(String, String)>,
    /// User id (as stored) to login, for user fields.
    pub logins: std::collections::HashMap<String, String>,
}

impl ExportColumn {
    /// The JSON member's name: ours, or the custom field's name.
    pub(crate) fn name(&self) -> Cow<'_, str> {
        match self {
            ExportColumn::System(c) => Cow::Borrowed(c.name()),
            ExportColumn::Custom(c) => Cow::Borrowed(&c.name),
        }
    }

    /// The CSV header: Jira's, `Custom field (Name)` for custom fields, so an export
    /// reads back as a Jira CSV.
    pub(crate) fn header(&self) -> Cow<'_, str> {
        match self {
            ExportColumn::System(c) => Cow::Borrowed(c.header()),
            ExportColumn::Custom(c) => Cow::Owned(format!("Custom field ({})", c.name)),
        }
    }

    fn cell(&self, t: &Ticket, zone: &FixedOffset) -> Cell {
        match self {
            ExportColumn::System(c) => c.cell(t, zone),
            ExportColumn::Custom(c) => c.cell(t),
        }
    }
}

impl CustomColumn {
    fn cell(&self, t: &Ticket) -> Cell {
        use crate::custom_fields::CustomFieldKind as Kind;
        let Some(value) = t.custom_fields.get(&self.number.to_string()) else {
            return Cell::Empty;
        };
        let option = |id: &Value| {
            id.as_str().and_then(|id| {
                self.options
                    .iter()
                    .find(|(o, _)| o == id)
                    .map(|(_, v)| v.clone())
            })
        };
        match self.kind {
            Kind::Number => Cell::Number(value.clone()),
            Kind::Date => value
                .as_str()
                .map_or(Cell::Empty, |d| Cell::Plain(d.to_owned())),
            Kind::Text => value
                .as_str()
                .map_or(Cell::Empty, |s| Cell::Text(s.to_owned())),
            Kind::Select => option(value).map_or(Cell::Empty, Cell::Text),
            Kind::MultiSelect => Cell::List(
                value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(option)
                    .collect(),
            ),
            Kind::User => value
                .as_str()
                .and_then(|id| self.logins.get(id))
                .map_or(Cell::Empty, |l| Cell::Text(l.clone())),
        }
    }
}

/// A value of one cell, before it is written as CSV or JSON.
enum Cell {
    /// User text: neutralised in CSV.
    Text(String),
    /// Several texts (labels, components): one CSV cell, a JSON array.
    List(Vec<String>),
    /// A number or a date we formatted: written as it is.
    Plain(String),
    Number(Value),
    Empty,
}

impl Column {
    /// The column named `name` (the names of [`COLUMNS`] or an alias).
    pub(crate) fn parse(name: &str) -> Option<Column> {
        let name = name.trim();
        COLUMNS
            .iter()
            .find(|(_, n, _)| n.eq_ignore_ascii_case(name))
            .map(|(c, _, _)| *c)
            .or_else(|| {
                ALIASES
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(name))
                    .map(|(_, c)| *c)
            })
    }

    fn entry(self) -> (Column, &'static str, &'static str) {
        COLUMNS
            .iter()
            .copied()
            .find(|(c, _, _)| *c == self)
            .unwrap_or((self, "key", "Issue key"))
    }

    /// The `columns=` name, also the JSON member's name.
    pub(crate) fn name(self) -> &'static str {
        self.entry().1
    }

    /// The CSV header.
    pub(crate) fn header(self) -> &'static str {
        self.entry().2
    }

    /// Every column's `columns=` name, for the error that lists them.
    pub(crate) fn names() -> Vec<&'static str> {
        COLUMNS.iter().map(|(_, n, _)| *n).collect()
    }

    fn cell(self, t: &Ticket, zone: &FixedOffset) -> Cell {
        let time = |at: DateTime<Utc>| {
            Cell::Plain(
                at.with_timezone(zone)
                    .to_rfc3339_opts(SecondsFormat::Secs, true),
            )
        };
        let text = |s: &str| Cell::Text(s.to_owned());
        match self {
            Column::Key => Cell::Plain(t.key.clone()),
            Column::Summary => text(&t.title),
            Column::Type => Cell::Plain(t.kind.as_str().to_owned()),
            Column::Status => text(&t.status.name),
            Column::StatusCategory => Cell::Plain(t.status.category.as_str().to_owned()),
            Column::Priority => Cell::Plain(t.priority.as_str().to_owned()),
            Column::Assignee => t.assignee.as_ref().map_or(Cell::Empty, |u| text(&u.login)),
            Column::Reporter => text(&t.reporter.login),
            Column::Project => Cell::Plain(t.project.clone()),
            Column::Labels => Cell::List(t.labels.clone()),
            Column::Components => Cell::List(t.components.clone()),
            Column::Sprint => t.sprint.as_ref().map_or(Cell::Empty, |s| text(&s.name)),
            Column::Parent => t.parent.clone().map_or(Cell::Empty, Cell::Plain),
            Column::Created => time(t.created_at),
            Column::Updated => time(t.updated_at),
            Column::Resolved => t.resolved_at.map_or(Cell::Empty, time),
            Column::Due => t
                .due_date
                .map_or(Cell::Empty, |d| Cell::Plain(d.to_string())),
            Column::StartDate => t
                .start_date
                .map_or(Cell::Empty, |d| Cell::Plain(d.to_string())),
            Column::StoryPoints => t
                .story_points
                .map_or(Cell::Empty, |p| Cell::Number(p.into())),
            Column::OriginalEstimate => t
                .original_estimate
                .map_or(Cell::Empty, |m| Cell::Number(m.into())),
            Column::Watchers => Cell::Number(t.watchers.into()),
            Column::Description => text(&t.description),
        }
    }
}

/// `'` before a text a spreadsheet would take for a formula.
pub(crate) fn neutralize(text: &str) -> Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// Writes CSV rows (RFC 4180: quoted when needed, CRLF line ends).
pub(crate) struct CsvRows {
    columns: Vec<ExportColumn>,
    zone: FixedOffset,
}

impl CsvRows {
    pub(crate) fn new(columns: Vec<ExportColumn>, zone: FixedOffset) -> Self {
        Self { columns, zone }
    }

    fn record(fields: impl IntoIterator<Item = impl AsRef<[u8]>>) -> Vec<u8> {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        // Writing into a Vec cannot fail.
        let _ = writer.write_record(fields);
        writer.into_inner().unwrap_or_default()
    }

    /// The header line.
    pub(crate) fn header(&self) -> Vec<u8> {
        Self::record(self.columns.iter().map(|c| c.header().into_owned()))
    }

    /// One line per ticket.
    pub(crate) fn rows(&self, tickets: &[Ticket]) -> Vec<u8> {
        let mut out = Vec::new();
        for ticket in tickets {
            let cells = self
                .columns
                .iter()
                .map(|c| match c.cell(ticket, &self.zone) {
                    Cell::Text(s) => neutralize(&s).into_owned(),
                    Cell::List(items) => items
                        .iter()
                        .map(|i| neutralize(i).into_owned())
                        .collect::<Vec<_>>()
                        .join(", "),
                    Cell::Plain(s) => s,
                    Cell::Number(n) => n.to_string(),
                    Cell::Empty => String::new(),
                });
            out.extend(Self::record(cells));
        }
        out
    }
}

/// One JSON object per ticket, members named as the columns.
pub(crate) fn json_row(columns: &[ExportColumn], ticket: &Ticket, zone: &FixedOffset) -> Value {
    let mut map = serde_json::Map::new();
    for column in columns {
        let value = match column.cell(ticket, zone) {
            Cell::Text(s) | Cell::Plain(s) => Value::String(s),
            Cell::List(items) => items.into_iter().map(Value::String).collect(),
            Cell::Number(n) => n,
            Cell::Empty => Value::Null,
        };
        map.insert(column.name().into_owned(), value);
    }
    Value::Object(map)
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn formula_starters_are_neutralised_and_nothing_else() {
        for danger in ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx"] {
            assert_eq!(neutralize(danger), format!("'{danger}"), "{danger:?}");
        }
        for safe in ["plain", "a=b", " =leading space", "", "'already"] {
            assert_eq!(neutralize(safe), safe, "{safe:?}");
        }
    }

    #[test]
    fn columns_parse_by_name_and_alias_ignoring_case() {
        assert_eq!(Column::parse("Summary"), Some(Column::Summary));
        assert_eq!(Column::parse(" storyPoints "), Some(Column::StoryPoints));
        assert_eq!(Column::parse("Story Points"), Some(Column::StoryPoints));
        assert_eq!(Column::parse("issuetype"), Some(Column::Type));
        assert_eq!(Column::parse("components"), Some(Column::Components));
        assert_eq!(Column::parse("nope"), None);
        for (column, name, _) in COLUMNS {
            assert_eq!(Column::parse(name), Some(column));
            assert_eq!(column.name(), name);
        }
    }

    #[test]
    fn csv_records_quote_commas_quotes_and_newlines() {
        let line = CsvRows::record(["a,b", "say \"hi\"", "two\nlines", "plain"]);
        assert_eq!(
            String::from_utf8_lossy(&line),
            "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",plain\r\n"
        );
    }
}
