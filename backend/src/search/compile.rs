//! JQL (the `jql` crate's checked AST) to SQL: a boolean condition over `ticket_views`
//! and an `ORDER BY` with a keyset predicate.
//!
//! Every value reaches PostgreSQL as a bind parameter; the only text this module puts
//! into SQL is its own column names and operators. Text search goes through the
//! `ticket_search` side table (`plainto_tsquery`, `phraseto_tsquery`, and `to_tsquery`
//! with `quote_literal` for prefixes, so no user text is parsed as tsquery syntax).

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, Months, NaiveDate, NaiveTime, TimeZone, Utc,
};
use diesel::dsl::sql;
use diesel::expression::BoxableExpression;
use diesel::pg::Pg;
use diesel::sql_types::{Array, Bool, Date, Int2, Int4, Text, Timestamptz, Uuid as SqlUuid};
use jql::{Clause, Comparison, DateUnit, Field, Function, FunctionArg, Operator, Term, Value};
use serde::{Deserialize, Serialize};
use tenancy::UserId;

use crate::http::ApiError;
use crate::schema::ticket_views;
use crate::tickets::{Priority, TicketType};

/// A compiled boolean condition on `ticket_views`.
pub(crate) type Condition = Box<dyn BoxableExpression<ticket_views::table, Pg, SqlType = Bool>>;

/// What a query is evaluated against: who asks, and when and where "today" is.
pub(crate) struct Context {
    pub user: UserId,
    pub now: DateTime<Utc>,
    pub zone: FixedOffset,
}

fn error(cmp: &Comparison, message: impl Into<String>) -> ApiError {
    let message = message.into();
    ApiError::bad_request(
        "jql",
        format!("{message} at column {}", cmp.value_span.start),
    )
    .with_field("jql")
    .with_extension("column", cmp.value_span.start.into())
}

fn literal(text: &str) -> Condition {
    Box::new(sql::<Bool>(text))
}

fn all(parts: Vec<Condition>) -> Condition {
    parts
        .into_iter()
        .reduce(|a, b| Box::new(a.and(b)))
        .unwrap_or_else(|| literal("TRUE"))
}

fn any(parts: Vec<Condition>) -> Condition {
    parts
        .into_iter()
        .reduce(|a, b| Box::new(a.or(b)))
        .unwrap_or_else(|| literal("FALSE"))
}

fn not(c: Condition) -> Condition {
    Box::new(diesel::dsl::not(c))
}

use diesel::BoolExpressionMethods;

/// Compiles a clause.
pub(crate) fn condition(clause: &Clause, ctx: &Context) -> Result<Condition, ApiError> {
    Ok(match clause {
        Clause::And(clauses) => all(clauses
            .iter()
            .map(|c| condition(c, ctx))
            .collect::<Result<_, _>>()?),
        Clause::Or(clauses) => any(clauses
            .iter()
            .map(|c| condition(c, ctx))
            .collect::<Result<_, _>>()?),
        Clause::Not(inner) => not(condition(inner, ctx)?),
        Clause::Compare(cmp) => comparison(cmp, ctx)?,
    })
}

fn values(value: &Value) -> Vec<&Value> {
    match value {
        Value::List(items) => items.iter().collect(),
        other => vec![other],
    }
}

fn strings(cmp: &Comparison) -> Result<Vec<String>, ApiError> {
    values(&cmp.value)
        .into_iter()
        .map(|v| match v {
            Value::String(s) => Ok(s.clone()),
            Value::Number(n) => Ok(n.to_string()),
            _ => Err(error(cmp, format!("`{}` expects names", cmp.field))),
        })
        .collect()
}

/// `column = ANY($1)` or, for `!=`/`NOT IN`, `column <> ALL($1)`. SQL's NULL logic
/// gives Jira's semantics: a negative test never matches an empty field.
fn membership(column: &str, op: Operator, list: Vec<String>) -> Condition {
    match op {
        Operator::NotEq | Operator::NotIn => Box::new(
            sql::<Bool>(&format!("{column} <> ALL("))
                .bind::<Array<Text>, _>(list)
                .sql(")"),
        ),
        _ => Box::new(
            sql::<Bool>(&format!("{column} = ANY("))
                .bind::<Array<Text>, _>(list)
                .sql(")"),
        ),
    }
}

fn is_negative(op: Operator) -> bool {
    matches!(
        op,
        Operator::NotEq | Operator::NotIn | Operator::NotContains | Operator::IsNot
    )
}

fn comparison(cmp: &Comparison, ctx: &Context) -> Result<Condition, ApiError> {
    let op = cmp.op;
    Ok(match cmp.field {
        Field::Project => membership(
            "ticket_views.project_key",
            op,
            strings(cmp)?
                .iter()
                .map(|s| s.to_ascii_uppercase())
                .collect(),
        ),
        Field::Key => key(cmp)?,
        Field::Summary | Field::Description | Field::Comment | Field::Text => text(cmp)?,
        Field::Status => membership(
            "lower(ticket_views.status_name)",
            op,
            strings(cmp)?.iter().map(|s| s.to_lowercase()).collect(),
        ),
        Field::StatusCategory => {
            let categories = strings(cmp)?
                .iter()
                .map(
                    |s| match s.to_lowercase().replace(['_', '-'], " ").as_str() {
                        "to do" | "todo" | "new" => Ok("todo".to_owned()),
                        "in progress" | "indeterminate" => Ok("in_progress".to_owned()),
                        "done" | "complete" => Ok("done".to_owned()),
                        other => Err(error(cmp, format!("unknown status category `{other}`"))),
                    },
                )
                .collect::<Result<_, _>>()?;
            membership("ticket_views.status_category", op, categories)
        }
        Field::Type => {
            let kinds = strings(cmp)?
                .iter()
                .map(|s| {
                    let normal = s.to_lowercase().replace(['-', ' ', '_'], "");
                    TicketType::ALL
                        .into_iter()
                        .find(|t| t.as_str() == normal)
                        .map(|t| t.as_str().to_owned())
                        .ok_or_else(|| error(cmp, format!("unknown issue type `{s}`")))
                })
                .collect::<Result<_, _>>()?;
            membership("ticket_views.type", op, kinds)
        }
        Field::Priority => priority(cmp)?,
        Field::Assignee | Field::Reporter => user(cmp, ctx)?,
        Field::Labels => labels(cmp)?,
        Field::Created | Field::Updated | Field::Resolved | Field::Due => date(cmp, ctx)?,
        Field::Component | Field::Parent | Field::Watcher => {
            return Err(error(
                cmp,
                format!("the field `{}` is not available yet", cmp.field),
            ));
        }
    })
}

fn key(cmp: &Comparison) -> Result<Condition, ApiError> {
    let keys = strings(cmp)?
        .iter()
        .map(|s| {
            crate::tickets::TicketKey::parse(s)
                .map_err(|_| error(cmp, format!("`{s}` is not an issue key")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let one = |k: &crate::tickets::TicketKey, relation: &str| -> Condition {
        Box::new(
            sql::<Bool>("(ticket_views.project_key = ")
                .bind::<Text, _>(k.project.clone())
                .sql(&format!(" AND ticket_views.number {relation} "))
                .bind::<Int4, _>(k.number)
                .sql(")"),
        )
    };
    Ok(match cmp.op {
        Operator::Eq | Operator::In => any(keys.iter().map(|k| one(k, "=")).collect()),
        Operator::NotEq | Operator::NotIn => not(any(keys.iter().map(|k| one(k, "=")).collect())),
        Operator::Gt => any(keys.iter().map(|k| one(k, ">")).collect()),
        Operator::Ge => any(keys.iter().map(|k| one(k, ">=")).collect()),
        Operator::Lt => any(keys.iter().map(|k| one(k, "<")).collect()),
        Operator::Le => any(keys.iter().map(|k| one(k, "<=")).collect()),
        _ => return Err(error(cmp, "unsupported operator for `key`")),
    })
}

/// The tsvector a text field searches, and a refinement for the weighted parts.
fn vector(field: Field) -> (&'static str, Option<&'static str>) {
    match field {
        Field::Comment => ("s.comment_tsv", None),
        Field::Text => ("(s.doc_tsv || s.comment_tsv)", None),
        // Weight A is the summary, B the description: the GIN index narrows on the
        // whole document, the filter keeps the right part.
        Field::Summary => ("s.doc_tsv", Some("ts_filter(s.doc_tsv, '{a}')")),
        _ => ("s.doc_tsv", Some("ts_filter(s.doc_tsv, '{b}')")),
    }
}

fn text(cmp: &Comparison) -> Result<Condition, ApiError> {
    if matches!(cmp.op, Operator::Is | Operator::IsNot) {
        // Only `description` can be empty.
        let empty = literal("ticket_views.description = ''");
        return Ok(if cmp.op == Operator::Is {
            empty
        } else {
            not(empty)
        });
    }
    let terms = cmp.text_query().map(|q| q.terms).unwrap_or_default();
    if terms.is_empty() {
        return Err(error(cmp, "the search text has no words"));
    }
    let (words, kinds): (Vec<String>, Vec<String>) = terms
        .iter()
        .map(|term| match term {
            Term::Word(word) => (word.clone(), "word".to_owned()),
            Term::Prefix(prefix) => (prefix.clone(), "prefix".to_owned()),
            Term::Phrase(words) => (words.join(" "), "phrase".to_owned()),
        })
        .unzip();
    let (vector, refine) = vector(cmp.field);
    let test = match refine {
        Some(part) => format!("{vector} @@ q.q AND {part} @@ q.q"),
        None => format!("{vector} @@ q.q"),
    };
    let found: Condition = Box::new(
        sql::<Bool>(
            "EXISTS (SELECT 1 FROM ticket_search s, (SELECT trellis_tsquery(",
        )
        .bind::<Array<Text>, _>(words)
        .sql(", ")
        .bind::<Array<Text>, _>(kinds)
        .sql(&format!(
            ") AS q) q WHERE s.ticket_id = ticket_views.id AND s.org_id = ticket_views.org_id AND {test})"
        )),
    );
    Ok(if cmp.op == Operator::NotContains {
        not(found)
    } else {
        found
    })
}

fn priority(cmp: &Comparison) -> Result<Condition, ApiError> {
    let ranks = values(&cmp.value)
        .into_iter()
        .map(|v| match v {
            Value::String(s) => Priority::ALL
                .into_iter()
                .find(|p| p.as_str().eq_ignore_ascii_case(s))
                .map(Priority::to_db)
                .ok_or_else(|| error(cmp, format!("unknown priority `{s}`"))),
            Value::Number(n) if (1..=5).contains(n) => Ok(*n as i16),
            _ => Err(error(
                cmp,
                "`priority` expects lowest, low, medium, high or highest",
            )),
        })
        .collect::<Result<Vec<i16>, _>>()?;
    let relation = |symbol: &str, rank: i16| -> Condition {
        Box::new(sql::<Bool>(&format!("ticket_views.priority {symbol} ")).bind::<Int2, _>(rank))
    };
    let first = ranks.first().copied().unwrap_or(3);
    Ok(match cmp.op {
        Operator::Eq | Operator::In => Box::new(
            sql::<Bool>("ticket_views.priority = ANY(")
                .bind::<Array<Int2>, _>(ranks)
                .sql(")"),
        ),
        Operator::NotEq | Operator::NotIn => Box::new(
            sql::<Bool>("ticket_views.priority <> ALL(")
                .bind::<Array<Int2>, _>(ranks)
                .sql(")"),
        ),
        Operator::Gt => relation(">", first),
        Operator::Ge => relation(">=", first),
        Operator::Lt => relation("<", first),
        Operator::Le => relation("<=", first),
        _ => return Err(error(cmp, "unsupported operator for `priority`")),
    })
}

fn user(cmp: &Comparison, ctx: &Context) -> Result<Condition, ApiError> {
    let (id, login) = match cmp.field {
        Field::Assignee => ("ticket_views.assignee_id", "ticket_views.assignee_login"),
        _ => ("ticket_views.reporter_id", "ticket_views.reporter_login"),
    };
    if matches!(cmp.op, Operator::Is | Operator::IsNot) {
        let empty = literal(&format!("{id} IS NULL"));
        return Ok(if cmp.op == Operator::Is {
            empty
        } else {
            not(empty)
        });
    }
    let mut logins = Vec::new();
    let mut parts: Vec<Condition> = Vec::new();
    let mut empty = false;
    for v in values(&cmp.value) {
        match v {
            Value::String(s) => logins.push(s.clone()),
            Value::Function {
                name: Function::CurrentUser,
                ..
            } => parts.push(Box::new(
                sql::<Bool>(&format!("{id} = ")).bind::<SqlUuid, _>(ctx.user),
            )),
            Value::Function {
                name: Function::MembersOf,
                arg,
            } => {
                let role = match arg {
                    Some(FunctionArg::Name(role)) => role.to_lowercase(),
                    _ => {
                        return Err(error(
                            cmp,
                            "membersOf needs a role name, e.g. membersOf(\"admin\")",
                        ));
                    }
                };
                parts.push(Box::new(
                    sql::<Bool>(&format!(
                        "{id} IN (SELECT m.user_id FROM memberships m WHERE m.org_id = ticket_views.org_id AND m.role = "
                    ))
                    .bind::<Text, _>(role)
                    .sql(")"),
                ));
            }
            Value::Empty => empty = true,
            _ => {
                return Err(error(
                    cmp,
                    format!(
                        "`{}` expects logins, currentUser() or membersOf()",
                        cmp.field
                    ),
                ));
            }
        }
    }
    if !logins.is_empty() {
        parts.push(membership(login, Operator::Eq, logins));
    }
    let matched = any(parts);
    Ok(if is_negative(cmp.op) {
        // Jira: a negative test never matches an unassigned ticket.
        all(vec![not(matched), literal(&format!("{id} IS NOT NULL"))])
    } else if empty {
        any(vec![matched, literal(&format!("{id} IS NULL"))])
    } else {
        matched
    })
}

fn labels(cmp: &Comparison) -> Result<Condition, ApiError> {
    if matches!(cmp.op, Operator::Is | Operator::IsNot) {
        let empty = literal("cardinality(ticket_views.labels) = 0");
        return Ok(if cmp.op == Operator::Is {
            empty
        } else {
            not(empty)
        });
    }
    let wanted = strings(cmp)?;
    let overlap: Condition =
        Box::new(sql::<Bool>("ticket_views.labels && ").bind::<Array<Text>, _>(wanted));
    Ok(if is_negative(cmp.op) {
        all(vec![
            not(overlap),
            literal("cardinality(ticket_views.labels) > 0"),
        ])
    } else {
        overlap
    })
}

fn add(at: DateTime<FixedOffset>, amount: i64, unit: DateUnit) -> Option<DateTime<FixedOffset>> {
    let months = |n: i64| -> Option<DateTime<FixedOffset>> {
        let m = Months::new(u32::try_from(n.unsigned_abs()).ok()?);
        if n >= 0 {
            at.checked_add_months(m)
        } else {
            at.checked_sub_months(m)
        }
    };
    match unit {
        DateUnit::Year => months(amount.checked_mul(12)?),
        DateUnit::Month => months(amount),
        DateUnit::Week => at.checked_add_signed(Duration::try_weeks(amount)?),
        DateUnit::Day => at.checked_add_signed(Duration::try_days(amount)?),
        DateUnit::Hour => at.checked_add_signed(Duration::try_hours(amount)?),
        DateUnit::Minute => at.checked_add_signed(Duration::try_minutes(amount)?),
    }
}

fn local_midnight(zone: FixedOffset, date: NaiveDate) -> Option<DateTime<FixedOffset>> {
    zone.from_local_datetime(&date.and_time(NaiveTime::MIN))
        .single()
}

/// The instant a date value stands for, in the caller's time zone.
fn instant(cmp: &Comparison, value: &Value, ctx: &Context) -> Result<DateTime<Utc>, ApiError> {
    let now = ctx.now.with_timezone(&ctx.zone);
    let out_of_range = || error(cmp, "the date is out of range");
    let at = match value {
        Value::RelativeDate { amount, unit } => {
            add(now, *amount, *unit).ok_or_else(out_of_range)?
        }
        Value::Date(date) => local_midnight(ctx.zone, *date).ok_or_else(out_of_range)?,
        Value::DateTime(at) => ctx
            .zone
            .from_local_datetime(at)
            .single()
            .ok_or_else(out_of_range)?,
        Value::Function { name, arg } => {
            let today = now.date_naive();
            let (start, period) = match name {
                Function::Now => (now, None),
                Function::StartOfDay | Function::EndOfDay => (
                    local_midnight(ctx.zone, today).ok_or_else(out_of_range)?,
                    Some(DateUnit::Day),
                ),
                // Weeks start on Monday (ISO 8601).
                Function::StartOfWeek | Function::EndOfWeek => {
                    let monday =
                        today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
                    (
                        local_midnight(ctx.zone, monday).ok_or_else(out_of_range)?,
                        Some(DateUnit::Week),
                    )
                }
                Function::StartOfMonth | Function::EndOfMonth => {
                    let first = today.with_day(1).ok_or_else(out_of_range)?;
                    (
                        local_midnight(ctx.zone, first).ok_or_else(out_of_range)?,
                        Some(DateUnit::Month),
                    )
                }
                Function::StartOfYear | Function::EndOfYear => {
                    let first =
                        NaiveDate::from_ymd_opt(today.year(), 1, 1).ok_or_else(out_of_range)?;
                    (
                        local_midnight(ctx.zone, first).ok_or_else(out_of_range)?,
                        Some(DateUnit::Year),
                    )
                }
                Function::CurrentUser | Function::MembersOf => {
                    return Err(error(cmp, format!("{}() is not a date", name.name())));
                }
            };
            let shifted = match arg {
                Some(FunctionArg::Offset { amount, unit }) => {
                    add(start, *amount, *unit).ok_or_else(out_of_range)?
                }
                _ => start,
            };
            let is_end = matches!(
                name,
                Function::EndOfDay
                    | Function::EndOfWeek
                    | Function::EndOfMonth
                    | Function::EndOfYear
            );
            match (is_end, period) {
                // The last instant of the period: its next start, less a microsecond.
                (true, Some(period)) => {
                    add(shifted, 1, period).ok_or_else(out_of_range)? - Duration::microseconds(1)
                }
                _ => shifted,
            }
        }
        _ => return Err(error(cmp, format!("`{}` expects a date", cmp.field))),
    };
    Ok(at.with_timezone(&Utc))
}

fn date(cmp: &Comparison, ctx: &Context) -> Result<Condition, ApiError> {
    let column = match cmp.field {
        Field::Created => "ticket_views.created_at",
        Field::Updated => "ticket_views.updated_at",
        Field::Resolved => "ticket_views.resolved_at",
        _ => "ticket_views.due_date",
    };
    if matches!(cmp.op, Operator::Is | Operator::IsNot) {
        let empty = literal(&format!("{column} IS NULL"));
        return Ok(if cmp.op == Operator::Is {
            empty
        } else {
            not(empty)
        });
    }
    let symbol = match cmp.op {
        Operator::Eq | Operator::In => "=",
        Operator::NotEq | Operator::NotIn => "<>",
        Operator::Gt => ">",
        Operator::Ge => ">=",
        Operator::Lt => "<",
        Operator::Le => "<=",
        _ => {
            return Err(error(
                cmp,
                format!("unsupported operator for `{}`", cmp.field),
            ));
        }
    };
    let mut parts: Vec<Condition> = Vec::new();
    for value in values(&cmp.value) {
        let at = instant(cmp, value, ctx)?;
        parts.push(if cmp.field == Field::Due {
            // A due date is a calendar date in the caller's zone.
            let day = at.with_timezone(&ctx.zone).date_naive();
            Box::new(sql::<Bool>(&format!("{column} {symbol} ")).bind::<Date, _>(day))
        } else {
            Box::new(sql::<Bool>(&format!("{column} {symbol} ")).bind::<Timestamptz, _>(at))
        });
    }
    Ok(if matches!(cmp.op, Operator::NotEq | Operator::NotIn) {
        all(parts)
    } else {
        any(parts)
    })
}

/// A sortable column of `ticket_views`, as a never-NULL expression so the keyset
/// comparison needs no NULL cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Column {
    Created,
    Updated,
    Resolved,
    Due,
    Priority,
    ProjectKey,
    Number,
    Status,
    Category,
    Type,
    Assignee,
    Reporter,
    Summary,
    Id,
}

impl Column {
    fn expr(self) -> &'static str {
        match self {
            Column::Created => "ticket_views.created_at",
            Column::Updated => "ticket_views.updated_at",
            Column::Resolved => "COALESCE(ticket_views.resolved_at, 'infinity'::timestamptz)",
            Column::Due => "COALESCE(ticket_views.due_date, 'infinity'::date)",
            Column::Priority => "ticket_views.priority",
            Column::ProjectKey => "ticket_views.project_key",
            Column::Number => "ticket_views.number",
            Column::Status => "ticket_views.status_name",
            Column::Category => "ticket_views.status_category",
            Column::Type => "ticket_views.type",
            Column::Assignee => "COALESCE(ticket_views.assignee_login, '')",
            Column::Reporter => "ticket_views.reporter_login",
            Column::Summary => "ticket_views.title",
            Column::Id => "ticket_views.id",
        }
    }

    /// The column's value in `ticket`, as a page token carries it.
    pub(crate) fn value(self, t: &crate::tickets::Ticket) -> SortValue {
        let time = |at: DateTime<Utc>| {
            SortValue::Text(at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
        };
        match self {
            Column::Created => time(t.created_at),
            Column::Updated => time(t.updated_at),
            Column::Resolved => t
                .resolved_at
                .map_or(SortValue::Text("infinity".into()), time),
            Column::Due => SortValue::Text(t.due_date.map_or("infinity".into(), |d| d.to_string())),
            Column::Priority => SortValue::Int(i64::from(t.priority.to_db())),
            Column::ProjectKey => SortValue::Text(t.project.clone()),
            Column::Number => SortValue::Int(i64::from(t.number)),
            Column::Status => SortValue::Text(t.status.name.clone()),
            Column::Category => SortValue::Text(t.status.category.as_str().to_owned()),
            Column::Type => SortValue::Text(t.kind.as_str().to_owned()),
            Column::Assignee => SortValue::Text(
                t.assignee
                    .as_ref()
                    .map_or(String::new(), |a| a.login.clone()),
            ),
            Column::Reporter => SortValue::Text(t.reporter.login.clone()),
            Column::Summary => SortValue::Text(t.title.clone()),
            Column::Id => SortValue::Text(t.id.to_string()),
        }
    }
}

/// One `ORDER BY` key.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SortKey {
    pub column: Column,
    pub descending: bool,
}

/// A sort key's value in the last row of a page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub(crate) enum SortValue {
    Int(i64),
    Text(String),
}

/// The `ORDER BY` keys for a query, always ending with the id, which makes them unique.
pub(crate) fn sort_keys(order: &[jql::OrderKey]) -> Result<Vec<SortKey>, ApiError> {
    let mut keys = Vec::new();
    for key in order {
        let descending = key.direction == jql::Direction::Desc;
        let columns: &[Column] = match key.field {
            Field::Created => &[Column::Created],
            Field::Updated => &[Column::Updated],
            Field::Resolved => &[Column::Resolved],
            Field::Due => &[Column::Due],
            Field::Priority => &[Column::Priority],
            Field::Key => &[Column::ProjectKey, Column::Number],
            Field::Project => &[Column::ProjectKey],
            Field::Status => &[Column::Status],
            Field::StatusCategory => &[Column::Category],
            Field::Type => &[Column::Type],
            Field::Assignee => &[Column::Assignee],
            Field::Reporter => &[Column::Reporter],
            Field::Summary => &[Column::Summary],
            other => {
                return Err(
                    ApiError::bad_request("jql", format!("cannot order by `{other}`"))
                        .with_field("jql"),
                );
            }
        };
        keys.extend(columns.iter().map(|&column| SortKey { column, descending }));
    }
    let descending = keys.last().is_some_and(|k| k.descending);
    keys.push(SortKey {
        column: Column::Id,
        descending,
    });
    Ok(keys)
}

/// `expr op value`, with the value bound as the key's SQL type.
fn compare(key: &SortKey, symbol: &str, value: &SortValue) -> Result<Condition, ApiError> {
    let bad = || ApiError::validation("nextPageToken", "the token does not belong to this query");
    let text = format!("{} {symbol} ", key.column.expr());
    Ok(match (key.column, value) {
        // 'infinity' stands for "not resolved" or "no due date", sorting last.
        (Column::Resolved, SortValue::Text(v)) if v == "infinity" => {
            literal(&format!("{text}'infinity'::timestamptz"))
        }
        (Column::Due, SortValue::Text(v)) if v == "infinity" => {
            literal(&format!("{text}'infinity'::date"))
        }
        (Column::Created | Column::Updated | Column::Resolved, SortValue::Text(v)) => {
            let at: DateTime<Utc> = v.parse().map_err(|_| bad())?;
            Box::new(sql::<Bool>(&text).bind::<Timestamptz, _>(at))
        }
        (Column::Due, SortValue::Text(v)) => {
            let day: NaiveDate = v.parse().map_err(|_| bad())?;
            Box::new(sql::<Bool>(&text).bind::<Date, _>(day))
        }
        (Column::Priority, SortValue::Int(v)) => {
            Box::new(sql::<Bool>(&text).bind::<Int2, _>(i16::try_from(*v).map_err(|_| bad())?))
        }
        (Column::Number, SortValue::Int(v)) => {
            Box::new(sql::<Bool>(&text).bind::<Int4, _>(i32::try_from(*v).map_err(|_| bad())?))
        }
        (Column::Id, SortValue::Text(v)) => {
            let id: uuid::Uuid = v.parse().map_err(|_| bad())?;
            Box::new(sql::<Bool>(&text).bind::<SqlUuid, _>(id))
        }
        (_, SortValue::Text(v)) => Box::new(sql::<Bool>(&text).bind::<Text, _>(v.clone())),
        _ => return Err(bad()),
    })
}

/// Rows strictly after `last` in the order of `keys`:
/// `k1 > v1 OR (k1 = v1 AND k2 > v2) OR ...`, with `<` for descending keys.
pub(crate) fn after(keys: &[SortKey], last: &[SortValue]) -> Result<Condition, ApiError> {
    if keys.len() != last.len() {
        return Err(ApiError::validation(
            "nextPageToken",
            "the token does not belong to this query",
        ));
    }
    let mut alternatives = Vec::new();
    for i in 0..keys.len() {
        let mut parts = Vec::new();
        for j in 0..i {
            parts.push(compare(&keys[j], "=", &last[j])?);
        }
        parts.push(compare(
            &keys[i],
            if keys[i].descending { "<" } else { ">" },
            &last[i],
        )?);
        alternatives.push(all(parts));
    }
    Ok(any(alternatives))
}

/// The `ORDER BY` clause text for `keys` (our own expressions only).
pub(crate) fn order_by(keys: &[SortKey]) -> String {
    keys.iter()
        .map(|k| {
            format!(
                "{} {}",
                k.column.expr(),
                if k.descending { "DESC" } else { "ASC" }
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The instant the single date comparison in `jql` stands for (tests of date logic).
#[cfg(test)]
pub(crate) fn instant_for_test(jql: &str, ctx: &Context) -> Option<DateTime<Utc>> {
    match jql::parse(jql).ok()?.clause? {
        Clause::Compare(cmp) => instant(&cmp, &cmp.value, ctx).ok(),
        _ => None,
    }
}
