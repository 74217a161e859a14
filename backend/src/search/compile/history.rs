//! `WAS` and `CHANGED`: tests on `ticket_field_history` (see the migration
//! `field_history`), one interval per value a field has held.
//!
//! - `WAS v` is "some interval held `v`"; `BY` is who set it, `AFTER x` means it was
//!   still held after `x` (`ended_at > x`, open intervals end at infinity), `BEFORE x`
//!   that it was held before (`started_at < x`), `ON` and `DURING` that the interval
//!   overlaps the day or the range. `WAS NOT` is the negation of `WAS` with the same
//!   bounds, as in Jira.
//! - `CHANGED` is "some interval began with a change" (the value a ticket was created
//!   with is not a change); `FROM` and `TO` test the values on either side, and the
//!   time bounds apply to the moment of the change.
//!
//! Each test is one `EXISTS` over the table's indexes, with only LEAKPROOF operators,
//! so it stays indexed under row-level security.

use chrono::{DateTime, Duration, Utc};
use jql::{Comparison, Field, History, HistoryOp, Operator, PredicateKind, Span, Value};

use super::{
    Condition, Context, LoneCount, all, error, expr, instant, local_midnight, membership, not,
};
use super::{priority_on, user_on};
use crate::http::ApiError;
use crate::search::sql::{Bind, NameKind, Sql};

/// The columns an interval stores a value in: `(id, num)` for the value held, or for
/// the value before it.
#[derive(Clone, Copy)]
struct Slot {
    id: &'static str,
    num: &'static str,
}

const HELD: Slot = Slot {
    id: "h.value_id",
    num: "h.value_num",
};
const BEFORE: Slot = Slot {
    id: "h.prev_id",
    num: "h.prev_num",
};

/// The stored name of a field with history.
fn field_name(field: Field) -> &'static str {
    match field {
        Field::Assignee => "assignee",
        Field::Priority => "priority",
        _ => "status",
    }
}

/// The condition for `history`, and, when it is positive, how to count it on the
/// history rows alone (they know their ticket's project and whether it is live).
pub(super) fn condition(
    history: &History,
    ctx: &Context,
) -> Result<(Condition, Option<LoneCount>), ApiError> {
    // Errors point at the value (or the predicate) that caused them.
    let at = |value: &Value, value_span: Span| Comparison {
        field: history.field,
        op: Operator::In,
        value: value.clone(),
        span: history.span,
        value_span,
    };
    let mut parts = vec![Sql::new("h.field = ").with(|s| {
        s.bind(Bind::Text(field_name(history.field).to_owned()));
    })];
    let changed = history.op == HistoryOp::Changed;
    if changed {
        parts.push(Sql::new("NOT h.initial"));
    }
    if let Some(value) = &history.value {
        parts.push(value_test(
            history.field,
            &at(value, history.value_span),
            HELD,
            ctx,
        )?);
    }
    for predicate in &history.predicates {
        let cmp = at(&predicate.value, predicate.value_span);
        parts.push(match predicate.kind {
            PredicateKind::From => value_test(history.field, &cmp, BEFORE, ctx)?,
            PredicateKind::To => value_test(history.field, &cmp, HELD, ctx)?,
            PredicateKind::By => {
                let cmp = Comparison {
                    field: Field::Reporter,
                    ..cmp
                };
                user_on(&cmp, ctx, "h.changed_by")?
            }
            kind => {
                let (from, to) = window(&cmp, kind, ctx)?;
                // A change happens at its interval's start; a value is held over it.
                let (start_col, end_col) = if changed {
                    ("h.started_at", "h.started_at")
                } else {
                    ("h.ended_at", "h.started_at")
                };
                let mut bounds = Vec::new();
                if let Some(from) = from {
                    let op = if changed { ">=" } else { ">" };
                    bounds.push(expr(&format!("{start_col} {op} "), Bind::Timestamptz(from)));
                }
                if let Some(to) = to {
                    bounds.push(expr(&format!("{end_col} < "), Bind::Timestamptz(to)));
                }
                all(bounds)
            }
        });
    }
    let rows = all(parts);
    let mut exists = Sql::new(
        "EXISTS (SELECT 1 FROM ticket_field_history h \
         WHERE h.org_id = t.org_id AND h.ticket_id = t.id AND ",
    );
    exists.append(&rows).push(")");
    Ok(if history.op.is_negative() {
        (not(exists), None)
    } else {
        (
            exists,
            Some(LoneCount {
                from: "ticket_field_history h",
                alias: "h",
                rows,
                // A ticket holds a value over several intervals.
                distinct: true,
            }),
        )
    })
}

/// A time range's two ends, either open.
type Window = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// The time range a predicate allows: `(from, to)`, either open.
fn window(cmp: &Comparison, kind: PredicateKind, ctx: &Context) -> Result<Window, ApiError> {
    let moment = |value: &Value| instant(cmp, value, ctx);
    // A plain date as the end of a range means the whole day, as people read
    // `DURING ("2026-11-01", "2026-11-30")`.
    let end = |value: &Value| -> Result<DateTime<Utc>, ApiError> {
        let at = moment(value)?;
        Ok(match value {
            Value::Date(_) => at + Duration::days(1),
            _ => at,
        })
    };
    Ok(match (kind, &cmp.value) {
        (PredicateKind::After, value) => (Some(moment(value)?), None),
        (PredicateKind::Before, value) => (None, Some(moment(value)?)),
        (PredicateKind::On, value) => {
            let day = moment(value)?.with_timezone(&ctx.zone).date_naive();
            let start = local_midnight(ctx.zone, day)
                .ok_or_else(|| error(cmp, "the date is out of range"))?
                .with_timezone(&Utc);
            (Some(start), Some(start + Duration::days(1)))
        }
        (PredicateKind::During, Value::List(ends)) if ends.len() == 2 => {
            let (from, to) = (moment(&ends[0])?, end(&ends[1])?);
            if from > to {
                return Err(error(cmp, "DURING starts after it ends"));
            }
            (Some(from), Some(to))
        }
        _ => return Err(error(cmp, "expected a date")),
    })
}

/// The field held (or, with [`BEFORE`], had before the change) one of `cmp`'s values.
fn value_test(
    field: Field,
    cmp: &Comparison,
    slot: Slot,
    ctx: &Context,
) -> Result<Condition, ApiError> {
    let empty = || Sql::new(&format!("{} IS NULL AND {} IS NULL", slot.id, slot.num));
    let values: Vec<&Value> = match &cmp.value {
        Value::List(items) => items.iter().collect(),
        other => vec![other],
    };
    if values.iter().all(|v| **v == Value::Empty) {
        return Ok(empty());
    }
    let cmp = if values.contains(&&Value::Empty) {
        // Keep EMPTY for the user test (which ORs it in); refuse it elsewhere.
        cmp.clone()
    } else {
        Comparison {
            op: Operator::In,
            ..cmp.clone()
        }
    };
    Ok(match field {
        Field::Priority => {
            if values.contains(&&Value::Empty) {
                return Err(error(&cmp, "`priority` is never empty"));
            }
            all(vec![
                Sql::new(&format!("{} IS NULL", slot.id)),
                priority_on(&cmp, slot.num)?,
            ])
        }
        Field::Assignee => all(vec![
            Sql::new(&format!("{} IS NULL", slot.num)),
            user_on(&cmp, ctx, slot.id)?,
        ]),
        _ => {
            let names = values
                .iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s.to_lowercase()),
                    Value::Number(n) => Ok(n.to_string()),
                    _ => Err(error(&cmp, "`status` expects status names")),
                })
                .collect::<Result<Vec<_>, _>>()?;
            all(vec![
                membership(slot.id, Operator::In, Bind::Names(NameKind::Status, names)),
                Sql::new(&format!("{} IS NULL", slot.num)),
            ])
        }
    })
}
