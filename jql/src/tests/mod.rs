//! Specification tests: accepted queries, rejected queries, properties.

mod accepted;
mod custom;
mod properties;
mod rejected;

use crate::{Clause, FunctionArg, Query, Span, Value, parse};

/// Parses a query the test expects to be valid.
fn parse_ok(input: &str) -> Query {
    parse(input).unwrap_or_else(|error| panic!("{input:?} should parse, got: {error}"))
}

/// The query with every span reset, to compare queries parsed from different text.
fn without_spans(query: Query) -> Query {
    fn strip(clause: Clause) -> Clause {
        match clause {
            Clause::And(clauses) => Clause::And(clauses.into_iter().map(strip).collect()),
            Clause::Or(clauses) => Clause::Or(clauses.into_iter().map(strip).collect()),
            Clause::Not(inner) => Clause::Not(Box::new(strip(*inner))),
            Clause::Compare(mut comparison) => {
                comparison.span = Span::default();
                comparison.value_span = Span::default();
                Clause::Compare(comparison)
            }
            Clause::History(mut history) => {
                history.span = Span::default();
                history.value_span = Span::default();
                for predicate in &mut history.predicates {
                    predicate.value_span = Span::default();
                }
                Clause::History(history)
            }
        }
    }
    Query {
        clause: query.clause.map(strip),
        order_by: query.order_by,
    }
}

/// Prints canonical JQL, parses it again and checks that the query is unchanged.
fn assert_round_trips(query: &Query) {
    let printed = query.to_string();
    let reparsed = parse(&printed)
        .unwrap_or_else(|error| panic!("canonical {printed:?} should parse, got: {error}"));
    assert_eq!(
        without_spans(reparsed),
        without_spans(query.clone()),
        "round trip of {printed:?}"
    );
}

/// A fully bracketed, typed rendering of a clause, to test grouping and value types:
/// `(or {status = "A"} (and {key = #12} {created > rel(-7d)}))`.
fn shape(clause: &Clause) -> String {
    match clause {
        Clause::And(clauses) => format!("(and {})", shapes(clauses)),
        Clause::Or(clauses) => format!("(or {})", shapes(clauses)),
        Clause::Not(inner) => format!("(not {})", shape(inner)),
        Clause::Compare(cmp) => format!("{{{} {} {}}}", cmp.field, cmp.op, value_shape(&cmp.value)),
        Clause::History(history) => {
            let mut out = format!("{{{} {}", history.field, history.op.symbol());
            if let Some(value) = &history.value {
                out.push_str(&format!(" {}", value_shape(value)));
            }
            for predicate in &history.predicates {
                out.push_str(&format!(
                    " {} {}",
                    predicate.kind.keyword(),
                    value_shape(&predicate.value)
                ));
            }
            out.push('}');
            out
        }
    }
}

fn shapes(clauses: &[Clause]) -> String {
    clauses.iter().map(shape).collect::<Vec<_>>().join(" ")
}

fn value_shape(value: &Value) -> String {
    match value {
        Value::String(text) => format!("{text:?}"),
        Value::Number(number) => format!("#{number}"),
        Value::RelativeDate { amount, unit } => format!("rel({amount}{})", unit.letter()),
        Value::Date(date) => format!("date({date})"),
        Value::DateTime(at) => format!("datetime({})", at.format("%Y-%m-%d %H:%M")),
        Value::Function { name, arg } => {
            let arg = match arg {
                None => String::new(),
                Some(FunctionArg::Name(text)) => format!("{text:?}"),
                Some(FunctionArg::Offset { amount, unit }) => format!("{amount}{}", unit.letter()),
                Some(FunctionArg::Link { key, link: None }) => format!("{key:?}"),
                Some(FunctionArg::Link {
                    key,
                    link: Some(link),
                }) => format!("{key:?}, {link:?}"),
            };
            format!("fn {name}({arg})")
        }
        Value::Empty => "EMPTY".to_string(),
        Value::List(values) => {
            let values: Vec<String> = values.iter().map(value_shape).collect();
            format!("[{}]", values.join(", "))
        }
    }
}
