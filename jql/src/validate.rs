//! Semantic checks: turns a comparison as written into a typed [`Comparison`].
//!
//! This is where a value gets its type from the field it is compared with: `"2026-11-25"`
//! is a date for `created` but a string for `labels`, `12` is a number for `key` but a
//! string for `summary ~ 12`.

use chrono::{NaiveDate, NaiveTime};

use crate::Span;
use crate::ast::{Comparison, DateUnit, Field, FieldKind, Function, FunctionArg, Operator, Value};
use crate::error::{ErrorKind, ParseError};
use crate::lexer::shorten;
use crate::text::TextQuery;

/// A value as the parser read it, before it is typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RawValue {
    Empty,
    Quoted(String),
    Word(String),
    /// `name(args)`; each argument is its text, whether it was quoted, and its span.
    Call {
        name: String,
        name_span: Span,
        args: Vec<(String, bool, Span)>,
    },
    List(Vec<(RawValue, Span)>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawComparison {
    pub field: Field,
    pub field_span: Span,
    pub op: Operator,
    pub op_span: Span,
    pub value: RawValue,
    pub value_span: Span,
}

pub(crate) fn check(raw: RawComparison) -> Result<Comparison, ParseError> {
    let RawComparison {
        field,
        field_span,
        op,
        op_span,
        value,
        value_span,
    } = raw;
    // Jira reads `due = EMPTY` as `due IS EMPTY`.
    let op = match (op, &value) {
        (Operator::Eq, RawValue::Empty) => Operator::Is,
        (Operator::NotEq, RawValue::Empty) => Operator::IsNot,
        (op, _) => op,
    };
    check_operator(field, op, op_span)?;
    let value = match op {
        Operator::Is | Operator::IsNot => Value::Empty,
        Operator::Contains | Operator::NotContains => check_text(op, value, value_span)?,
        Operator::In | Operator::NotIn => check_list(field, op, value, value_span)?,
        Operator::Eq
        | Operator::NotEq
        | Operator::Gt
        | Operator::Ge
        | Operator::Lt
        | Operator::Le => {
            if let RawValue::List(_) = value {
                return Err(invalid_value(
                    format!("'{op}' takes a single value, not a list"),
                    value_span,
                )
                .with_hint(format!(
                    "use {} for a list",
                    if op == Operator::NotEq {
                        "NOT IN"
                    } else {
                        "IN"
                    }
                )));
            }
            check_single(field, op, value, value_span, false)?
        }
    };
    Ok(Comparison {
        field,
        op,
        value,
        span: field_span.to(value_span),
        value_span,
    })
}

fn invalid_value(message: impl Into<String>, span: Span) -> ParseError {
    ParseError::new(ErrorKind::InvalidValue, message, span)
}

fn field_list(kind: FieldKind) -> String {
    Field::ALL
        .iter()
        .filter(|field| field.kind() == kind)
        .map(|field| field.name())
        .collect::<Vec<_>>()
        .join(", ")
}

fn check_operator(field: Field, op: Operator, span: Span) -> Result<(), ParseError> {
    if field.operators().contains(&op) {
        return Ok(());
    }
    let error = if matches!(op, Operator::Is | Operator::IsNot) {
        let emptiable: Vec<&str> = Field::ALL
            .iter()
            .filter(|field| field.can_be_empty())
            .map(|field| field.name())
            .collect();
        ParseError::new(
            ErrorKind::InvalidOperator,
            format!("'{field}' is never empty, so it cannot be compared with EMPTY"),
            span,
        )
        .with_hint(format!("EMPTY works with: {}", emptiable.join(", ")))
    } else {
        let error = ParseError::new(
            ErrorKind::InvalidOperator,
            format!("operator '{op}' cannot be used with field '{field}'"),
            span,
        );
        match (op, field.kind()) {
            (Operator::Contains | Operator::NotContains, _) => error.with_hint(format!(
                "'{op}' searches the text fields: {}",
                field_list(FieldKind::Text)
            )),
            (_, FieldKind::Text) => {
                error.with_hint("use '~' to search text, e.g. summary ~ \"login\"")
            }
            _ => error,
        }
    };
    Err(error.expecting(field.operators().iter().map(|op| op.symbol()).collect()))
}

fn check_text(op: Operator, value: RawValue, span: Span) -> Result<Value, ParseError> {
    let text = match value {
        RawValue::Quoted(text) | RawValue::Word(text) => text,
        RawValue::Empty | RawValue::Call { .. } | RawValue::List(_) => {
            return Err(
                invalid_value(format!("'{op}' needs the text to search for"), span)
                    .with_hint("e.g. summary ~ \"login error\""),
            );
        }
    };
    if TextQuery::parse(&text).terms.is_empty() {
        return Err(invalid_value(
            "the search text has no words to search for",
            span,
        ));
    }
    Ok(Value::String(text))
}

fn check_list(
    field: Field,
    op: Operator,
    value: RawValue,
    span: Span,
) -> Result<Value, ParseError> {
    match value {
        RawValue::List(items) => {
            let mut values = Vec::with_capacity(items.len());
            for (item, item_span) in items {
                values.push(check_single(field, op, item, item_span, true)?);
            }
            Ok(Value::List(values))
        }
        RawValue::Call {
            ref name,
            name_span,
            ref args,
        } if matches!(
            Function::from_name(name),
            Some(
                Function::MembersOf
                    | Function::OpenSprints
                    | Function::ClosedSprints
                    | Function::LinkedIssues
                    | Function::WatchedIssues
            )
        ) =>
        {
            check_call(field, op, name, name_span, args, span, false)
        }
        RawValue::Empty | RawValue::Quoted(_) | RawValue::Word(_) | RawValue::Call { .. } => Err(
            invalid_value(format!("{op} needs a list of values in parentheses"), span)
                .with_hint(format!("e.g. {field} {op} (a, b, \"c d\")")),
        ),
    }
}

/// Types one value (not a list) for `field`; `in_list` when it is an item of `IN (...)`.
fn check_single(
    field: Field,
    op: Operator,
    value: RawValue,
    span: Span,
    in_list: bool,
) -> Result<Value, ParseError> {
    match value {
        RawValue::Empty if in_list && field.can_be_empty() => Ok(Value::Empty),
        RawValue::Empty if in_list => Err(invalid_value(
            format!("'{field}' is never empty, so EMPTY cannot be in its list"),
            span,
        )),
        RawValue::Empty => Err(
            invalid_value(format!("EMPTY cannot be used with '{op}'"), span)
                .with_hint(format!("use {field} IS EMPTY or {field} IS NOT EMPTY")),
        ),
        RawValue::List(_) => Err(invalid_value("lists cannot be nested", span)),
        RawValue::Call {
            name,
            name_span,
            args,
        } => check_call(field, op, &name, name_span, &args, span, in_list),
        RawValue::Quoted(text) => typed_text(field, text, true, span),
        RawValue::Word(text) => typed_text(field, text, false, span),
    }
}

/// Gives a string or word the type `field` needs.
fn typed_text(field: Field, text: String, quoted: bool, span: Span) -> Result<Value, ParseError> {
    if field.is_duration() {
        return match crate::duration_minutes(&text) {
            Some(minutes) => Ok(Value::Number(minutes)),
            None => Err(invalid_value(
                format!(
                    "expected a duration for '{field}' but found '{}'",
                    shorten(&text)
                ),
                span,
            )
            .with_hint("minutes (90) or Jira's form, e.g. \"2h 30m\", 1d (8h) or 1w (5d)")),
        };
    }
    match field.kind() {
        FieldKind::Date => date_value(&field.to_string(), &text, span),
        FieldKind::Named if !quoted => Ok(match integer(&text) {
            Some(number) => Value::Number(number),
            None => Value::String(text),
        }),
        FieldKind::Named | FieldKind::User | FieldKind::Text => Ok(Value::String(text)),
    }
}

/// An optionally signed decimal integer that fits in `i64`.
fn integer(text: &str) -> Option<i64> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// The moment after a history predicate (`AFTER`, `BEFORE`, `ON`, an end of `DURING`):
/// a date, a relative date or a date function; `what` names the predicate in errors.
pub(crate) fn check_moment(raw: RawValue, span: Span, what: &str) -> Result<Value, ParseError> {
    match raw {
        RawValue::Quoted(text) | RawValue::Word(text) => date_value(what, &text, span),
        RawValue::Call {
            name,
            name_span,
            args,
        } if Function::from_name(&name).is_none_or(Function::is_date) => check_call(
            Field::Created,
            Operator::Eq,
            &name,
            name_span,
            &args,
            span,
            false,
        ),
        RawValue::Call { name, .. } => Err(invalid_value(
            format!("{what} needs a date, not {}()", shorten(&name)),
            span,
        )
        .with_hint("e.g. -7d, \"2026-11-25\" or startOfWeek()")),
        RawValue::Empty | RawValue::List(_) => {
            Err(invalid_value(format!("{what} needs one date"), span)
                .with_hint("e.g. -7d, \"2026-11-25\" or startOfWeek()"))
        }
    }
}

fn date_value(field: &str, text: &str, span: Span) -> Result<Value, ParseError> {
    if let Some(offset) = relative_date(text, span)? {
        let (amount, unit) = offset;
        return Ok(Value::RelativeDate { amount, unit });
    }
    if let Some(value) = absolute_date(text, span)? {
        return Ok(value);
    }
    Err(invalid_value(
        format!(
            "expected a date for '{field}' but found '{}'",
            shorten(text)
        ),
        span,
    )
    .with_hint(
        "use \"yyyy-MM-dd\" or \"yyyy/MM/dd\", optionally with \"HH:mm\", a relative date \
         like -7d (units y, M, w, d, h, m), or a function like startOfDay()",
    ))
}

/// `-7d`, `+2w`, `4h`: `Ok(None)` when the text has another shape.
fn relative_date(text: &str, span: Span) -> Result<Option<(i64, DateUnit)>, ParseError> {
    let mut chars = text.chars();
    let Some(unit) = chars.next_back().and_then(DateUnit::from_letter) else {
        return Ok(None);
    };
    let number = chars.as_str();
    let digits = number.strip_prefix(['+', '-']).unwrap_or(number);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    match number.parse::<i64>() {
        Ok(amount) => Ok(Some((amount, unit))),
        Err(_) => Err(invalid_value(
            format!("the relative date '{}' is out of range", shorten(text)),
            span,
        )),
    }
}

/// `yyyy-MM-dd`, `yyyy/MM/dd`, each optionally followed by ` HH:mm`: `Ok(None)` when the
/// text has another shape, an error when it has the shape but is no real date.
fn absolute_date(text: &str, span: Span) -> Result<Option<Value>, ParseError> {
    let (date_part, time_part) = match text.split_once(' ') {
        Some((date, time)) => (date, Some(time)),
        None => (text, None),
    };
    let Some(separator) = date_part.chars().find(|c| matches!(c, '-' | '/')) else {
        return Ok(None);
    };
    let parts: Vec<&str> = date_part.split(separator).collect();
    let [year, month, day] = parts.as_slice() else {
        return Ok(None);
    };
    let (Some(year), Some(month), Some(day)) =
        (digits(year, 4, 4), digits(month, 1, 2), digits(day, 1, 2))
    else {
        return Ok(None);
    };
    let time = match time_part {
        None => None,
        Some(time) => {
            let Some((hour, minute)) = time.split_once(':') else {
                return Ok(None);
            };
            let (Some(hour), Some(minute)) = (digits(hour, 1, 2), digits(minute, 2, 2)) else {
                return Ok(None);
            };
            Some((hour, minute))
        }
    };
    let invalid = || invalid_value(format!("'{text}' is not a valid date"), span);
    let date = i32::try_from(year)
        .ok()
        .and_then(|year| NaiveDate::from_ymd_opt(year, month, day))
        .ok_or_else(invalid)?;
    Ok(Some(match time {
        None => Value::Date(date),
        Some((hour, minute)) => {
            let time = NaiveTime::from_hms_opt(hour, minute, 0).ok_or_else(invalid)?;
            Value::DateTime(date.and_time(time))
        }
    }))
}

/// The number in `text` if it is `min..=max` ASCII digits.
fn digits(text: &str, min: usize, max: usize) -> Option<u32> {
    if text.len() < min || text.len() > max || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Checks a function call against the field and operator it is used with.
fn check_call(
    field: Field,
    op: Operator,
    name: &str,
    name_span: Span,
    args: &[(String, bool, Span)],
    span: Span,
    in_list: bool,
) -> Result<Value, ParseError> {
    let Some(function) = Function::from_name(name) else {
        return Err(ParseError::new(
            ErrorKind::UnknownFunction,
            format!("unknown function '{}'", shorten(name)),
            name_span,
        )
        .suggesting(name, Function::ALL.iter().map(|f| f.name()))
        .expecting(Function::ALL.iter().map(|f| f.name()).collect()));
    };
    let wrong_field = |kind: FieldKind, what: &str| {
        ParseError::new(
            ErrorKind::InvalidValue,
            format!("{function}() cannot be used with '{field}'"),
            span,
        )
        .with_hint(format!(
            "it works with the {what} fields: {}",
            field_list(kind)
        ))
    };
    let arg = match function {
        Function::CurrentUser => {
            if field.kind() != FieldKind::User {
                return Err(wrong_field(FieldKind::User, "user"));
            }
            no_args(function, args)?;
            None
        }
        Function::MembersOf => {
            if field.kind() != FieldKind::User {
                return Err(wrong_field(FieldKind::User, "user"));
            }
            if in_list || !matches!(op, Operator::In | Operator::NotIn) {
                return Err(invalid_value(
                    "membersOf() returns a list, so it needs IN or NOT IN",
                    span,
                )
                .with_hint(format!("e.g. {field} IN membersOf(\"developers\")")));
            }
            match args {
                [(group, _, _)] if !group.trim().is_empty() => {
                    Some(FunctionArg::Name(group.clone()))
                }
                _ => {
                    return Err(
                        invalid_value("membersOf() needs one group or role name", span)
                            .with_hint("e.g. membersOf(\"developers\")"),
                    );
                }
            }
        }
        Function::OpenSprints | Function::ClosedSprints => {
            if field != Field::Sprint {
                return Err(ParseError::new(
                    ErrorKind::InvalidValue,
                    format!("{function}() cannot be used with '{field}'"),
                    span,
                )
                .with_hint("it works with the sprint field"));
            }
            if in_list || !matches!(op, Operator::In | Operator::NotIn) {
                return Err(invalid_value(
                    format!("{function}() returns a list, so it needs IN or NOT IN"),
                    span,
                )
                .with_hint(format!("e.g. sprint IN {function}()")));
            }
            no_args(function, args)?;
            None
        }
        Function::LinkedIssues | Function::WatchedIssues => {
            if field != Field::Key {
                return Err(ParseError::new(
                    ErrorKind::InvalidValue,
                    format!("{function}() cannot be used with '{field}'"),
                    span,
                )
                .with_hint(format!(
                    "it works with the issue field: issue IN {function}()"
                )));
            }
            if in_list || !matches!(op, Operator::In | Operator::NotIn) {
                return Err(invalid_value(
                    format!("{function}() returns a list, so it needs IN or NOT IN"),
                    span,
                )
                .with_hint(format!("e.g. issue IN {function}()")));
            }
            if function == Function::WatchedIssues {
                no_args(function, args)?;
                None
            } else {
                match args {
                    [(key, _, _)] if !key.trim().is_empty() => Some(FunctionArg::Link {
                        key: key.trim().to_owned(),
                        link: None,
                    }),
                    [(key, _, _), (link, _, _)]
                        if !key.trim().is_empty() && !link.trim().is_empty() =>
                    {
                        Some(FunctionArg::Link {
                            key: key.trim().to_owned(),
                            link: Some(link.trim().to_owned()),
                        })
                    }
                    _ => {
                        return Err(invalid_value(
                            "linkedIssues() needs an issue key and, optionally, a link type",
                            span,
                        )
                        .with_hint(
                            "e.g. linkedIssues(WEB-1) or linkedIssues(WEB-1, \"is blocked by\")",
                        ));
                    }
                }
            }
        }
        Function::Now => {
            if field.kind() != FieldKind::Date {
                return Err(wrong_field(FieldKind::Date, "date"));
            }
            no_args(function, args)?;
            None
        }
        Function::StartOfDay
        | Function::StartOfWeek
        | Function::StartOfMonth
        | Function::StartOfYear
        | Function::EndOfDay
        | Function::EndOfWeek
        | Function::EndOfMonth
        | Function::EndOfYear => {
            if field.kind() != FieldKind::Date {
                return Err(wrong_field(FieldKind::Date, "date"));
            }
            match args {
                [] => None,
                [(text, _, arg_span)] => Some(offset(function, text, *arg_span)?),
                [_, (_, _, extra), ..] => {
                    return Err(invalid_value(
                        format!("{function}() takes at most one argument"),
                        *extra,
                    ));
                }
            }
        }
    };
    Ok(Value::Function {
        name: function,
        arg,
    })
}

fn no_args(function: Function, args: &[(String, bool, Span)]) -> Result<(), ParseError> {
    match args.first() {
        None => Ok(()),
        Some((_, _, span)) => Err(invalid_value(
            format!("{function}() takes no arguments"),
            *span,
        )),
    }
}

/// The argument of `startOfDay(-1)` or `startOfMonth("+14d")`.
fn offset(function: Function, text: &str, span: Span) -> Result<FunctionArg, ParseError> {
    if let Some((amount, unit)) = relative_date(text, span)? {
        return Ok(FunctionArg::Offset { amount, unit });
    }
    match (integer(text), function.period()) {
        (Some(amount), Some(unit)) => Ok(FunctionArg::Offset { amount, unit }),
        _ => Err(invalid_value(
            format!(
                "expected an offset for {function}() but found '{}'",
                shorten(text)
            ),
            span,
        )
        .with_hint("e.g. -1, +2 or \"-1d\"")),
    }
}
