//! Custom fields in JQL (`cf[10001] = Acme`, `"Customer" IN (...)`, `cf[10002] > 3`,
//! `"Go-live" < 2027-01-01`, `Reviewer = currentUser()`, `Notes ~ draft`, `IS EMPTY`),
//! through `ticket_custom_values` (migration `custom_fields`).
//!
//! Every test on the rows is a uuid, float8 or date equality or range: LEAKPROOF, so
//! the btree indexes serve it under row-level security. Text goes through the
//! `trellis_custom_text_search` function, as the ticket's own text does. A query that
//! is one positive comparison is counted on the rows alone ([`Count`]). Sorting reads
//! the ticket's own `custom_fields` JSON (no join), an option by its position.

use jql::{Comparison, CustomField, CustomKind, Operator, Value};

use super::{
    Condition, Context, LoneCount, all, any, error, expr, instant, is_negative, membership, not,
    strings, user_matches, values, words,
};
use crate::http::ApiError;
use crate::search::sql::{Bind, NameKind, Sql};

/// `v.field_id = <the field numbered `field`>`.
fn field_test(field: CustomField) -> Condition {
    membership(
        "v.field_id",
        Operator::In,
        Bind::Names(NameKind::CustomField, vec![field.number.to_string()]),
    )
}

/// The ticket has a value row of `field` meeting `test`.
fn rows(field: CustomField, test: Option<Condition>) -> Condition {
    let mut sql = Sql::new(
        "EXISTS (SELECT 1 FROM ticket_custom_values v WHERE v.org_id = t.org_id \
         AND v.ticket_id = t.id AND ",
    );
    sql.append(&field_test(field));
    if let Some(test) = test {
        sql.push(" AND ").append(&test);
    }
    sql.push(")");
    sql
}

/// The condition for `cmp` on the custom field `field`, and, when it is positive and
/// not text, how to count it on the value rows alone.
pub(super) fn condition(
    cmp: &Comparison,
    field: CustomField,
    ctx: &Context,
) -> Result<(Condition, Option<LoneCount>), ApiError> {
    let present = || rows(field, None);
    match cmp.op {
        Operator::Is => return Ok((not(present()), None)),
        Operator::IsNot => return Ok((present(), None)),
        _ => {}
    }
    if field.kind == CustomKind::Text {
        return Ok((text(cmp, field)?, None));
    }
    let (test, empty_listed) = match field.kind {
        CustomKind::Select | CustomKind::MultiSelect => {
            let names = strings(cmp)?
                .iter()
                .map(|s| format!("{}:{}", field.number, s.to_lowercase()))
                .collect();
            (
                membership(
                    "v.option_id",
                    Operator::In,
                    Bind::Names(NameKind::CustomOption, names),
                ),
                false,
            )
        }
        CustomKind::Number => (number(cmp)?, false),
        CustomKind::Date => (date(cmp, ctx)?, false),
        CustomKind::User => user_matches(cmp, ctx, "v.value_user")?,
        CustomKind::Text => unreachable!("handled above"),
    };
    let positive = rows(field, Some(test.clone()));
    let ranged = matches!(
        cmp.op,
        Operator::Gt | Operator::Ge | Operator::Lt | Operator::Le
    );
    Ok(if is_negative(cmp.op) && !ranged {
        // As in Jira, a negative test does not match tickets without a value.
        (all(vec![present(), not(positive)]), None)
    } else if empty_listed {
        (any(vec![positive, not(present())]), None)
    } else {
        let mut counted = field_test(field);
        counted.push(" AND ").append(&test);
        (
            positive,
            Some(LoneCount {
                from: "ticket_custom_values v",
                alias: "v",
                rows: counted,
                // A multi-select ticket may hold several of the options asked for.
                distinct: field.kind == CustomKind::MultiSelect,
            }),
        )
    })
}

/// The test on `v.value_num`: `=`/`IN` any of the numbers, ranges against the first.
fn number(cmp: &Comparison) -> Result<Condition, ApiError> {
    let numbers = values(&cmp.value)
        .into_iter()
        .map(|v| {
            match v {
                Value::Number(n) => Some(*n as f64),
                Value::String(s) => s.trim().parse::<f64>().ok(),
                _ => None,
            }
            .filter(|n| n.is_finite())
            .ok_or_else(|| error(cmp, format!("`{}` expects a number", cmp.field)))
        })
        .collect::<Result<Vec<f64>, _>>()?;
    let one = |symbol: &str, n: f64| expr(&format!("v.value_num {symbol} "), Bind::Float8(n));
    let first = numbers.first().copied().unwrap_or_default();
    Ok(match cmp.op {
        Operator::Gt => one(">", first),
        Operator::Ge => one(">=", first),
        Operator::Lt => one("<", first),
        Operator::Le => one("<=", first),
        _ => any(numbers.iter().map(|n| one("=", *n)).collect()),
    })
}

/// The test on `v.value_date`, a calendar date in the caller's zone (like `due`).
fn date(cmp: &Comparison, ctx: &Context) -> Result<Condition, ApiError> {
    let symbol = match cmp.op {
        Operator::Gt => ">",
        Operator::Ge => ">=",
        Operator::Lt => "<",
        Operator::Le => "<=",
        _ => "=",
    };
    let mut parts = Vec::new();
    for value in values(&cmp.value) {
        let at = instant(cmp, value, ctx)?;
        parts.push(expr(
            &format!("v.value_date {symbol} "),
            Bind::Date(at.with_timezone(&ctx.zone).date_naive()),
        ));
    }
    Ok(any(parts))
}

/// `~` and `!~` on a text field (the field's words, English stemming, as `summary`).
fn text(cmp: &Comparison, field: CustomField) -> Result<Condition, ApiError> {
    let terms = cmp.text_query().map(|q| q.terms).unwrap_or_default();
    if terms.is_empty() {
        return Err(error(cmp, "the search text has no words"));
    }
    let (words, kinds) = words(&terms);
    let mut found = Sql::new("t.id IN (SELECT ticket_id FROM trellis_custom_text_search(");
    found
        .bind(Bind::Names(
            NameKind::CustomField,
            vec![field.number.to_string()],
        ))
        .push(", ")
        .bind(Bind::Texts(words))
        .push(", ")
        .bind(Bind::Texts(kinds))
        .push("))");
    Ok(if cmp.op == Operator::NotContains {
        all(vec![rows(field, None), not(found)])
    } else {
        found
    })
}

/// The never-NULL sort expression of `field` over the table alias `table` (`t` or
/// `ticket_views`): the JSON value, an option's position, a user's login.
pub(crate) fn sort_expr(field: CustomField, table: &str) -> String {
    let raw = format!("({table}.custom_fields->>'{}')", field.number);
    match field.kind {
        CustomKind::Number => format!("COALESCE({raw}::float8, 'Infinity'::float8)"),
        CustomKind::Date => format!("COALESCE({raw}::date, 'infinity'::date)"),
        CustomKind::Select | CustomKind::MultiSelect => format!(
            "COALESCE((SELECT o.position FROM custom_field_options o \
              WHERE o.org_id = {table}.org_id AND o.id = {raw}::uuid), 2147483647)"
        ),
        CustomKind::User => {
            format!("COALESCE((SELECT u.login FROM users u WHERE u.id = {raw}::uuid), '')")
        }
        CustomKind::Text => format!("COALESCE({raw}, '')"),
    }
}

/// The ticket's value of `field` as a page token keeps it: the stored JSON as text
/// (`""` for none).
pub(crate) fn token_value(field: CustomField, ticket: &crate::tickets::Ticket) -> String {
    match ticket.custom_fields.get(&field.number.to_string()) {
        Some(Value2::String(s)) => s.clone(),
        Some(Value2::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

use serde_json::Value as Value2;

/// A token's value of `field` as the SQL the keyset compares [`sort_expr`] with.
pub(crate) fn bind_token_value(field: CustomField, value: &str) -> Option<Sql> {
    let bound = |b: Bind| {
        Sql::default().with(|s| {
            s.bind(b);
        })
    };
    let looked_up = |lookup: &str, missing: &str| -> Option<Sql> {
        if value.is_empty() {
            return Some(Sql::new(missing));
        }
        let id: uuid::Uuid = value.parse().ok()?;
        Some(Sql::new(&format!("COALESCE(({lookup}")).with(|s| {
            s.bind(Bind::Uuid(id)).push(&format!("), {missing})"));
        }))
    };
    match field.kind {
        CustomKind::Number if value.is_empty() => Some(Sql::new("'Infinity'::float8")),
        CustomKind::Number => Some(bound(Bind::Float8(value.parse().ok()?))),
        CustomKind::Date if value.is_empty() => Some(Sql::new("'infinity'::date")),
        CustomKind::Date => Some(bound(Bind::Date(value.parse().ok()?))),
        CustomKind::Select | CustomKind::MultiSelect => looked_up(
            "SELECT o.position FROM custom_field_options o WHERE o.id = ",
            "2147483647",
        ),
        CustomKind::User => looked_up("SELECT u.login FROM users u WHERE u.id = ", "''"),
        CustomKind::Text => Some(bound(Bind::Text(value.to_owned()))),
    }
}
