//! The JQL front end of Trellis: text in, a typed and checked [`Query`] out.
//!
//! It accepts the subset of Jira's query language that Trellis supports (fields,
//! operators, values, functions and `ORDER BY`; see [`Field`], [`Operator`], [`Value`],
//! [`Function`]) with Jira's precedence: `NOT` binds tighter than `AND`, `AND` tighter
//! than `OR`. Keywords, field and function names ignore case. It knows nothing of the
//! database: the search backend compiles the [`Query`] to SQL.
//!
//! ```
//! use jql::{Clause, Comparison, Direction, Field, Operator, Value};
//!
//! let query = jql::parse("project = WEB AND assignee = currentUser() ORDER BY priority DESC")?;
//! let Some(Clause::And(clauses)) = &query.clause else { panic!("expected AND") };
//! let Clause::Compare(Comparison { field, op, value, .. }) = &clauses[0] else { panic!() };
//! assert_eq!((*field, *op), (Field::Project, Operator::Eq));
//! assert_eq!(*value, Value::String("WEB".into()));
//! assert_eq!(query.order_by[0].direction, Direction::Desc);
//!
//! // The canonical form, e.g. for saved filters:
//! assert_eq!(
//!     query.to_string(),
//!     r#"project = "WEB" AND assignee = currentUser() ORDER BY priority DESC"#
//! );
//!
//! // Errors carry the column (in characters) and a hint:
//! let error = jql::parse("stauts = Done").unwrap_err();
//! assert_eq!(error.to_string(), "unknown field 'stauts' at column 1 (did you mean 'status'?)");
//! # Ok::<(), jql::ParseError>(())
//! ```
//!
//! Tests: `cargo test -p jql` runs the query tables and the property tests (random
//! input never panics; printing and re-parsing gives the same query). The fuzz target
//! needs nightly: `cd jql && cargo +nightly fuzz run parse`.

mod ast;
mod duration;
mod error;
mod lexer;
mod parser;
mod text;
mod validate;

#[cfg(test)]
mod tests;

pub use ast::custom_number;
pub use ast::{
    Clause, Comparison, CustomField, CustomFields, CustomKind, DEFAULT_ORDER, DateUnit, Direction,
    Field, Function, FunctionArg, History, HistoryOp, Operator, OrderKey, Predicate, PredicateKind,
    Query, Span, Value,
};
pub use duration::{MINUTES_PER_DAY, MINUTES_PER_WEEK, duration_minutes};
pub use error::{ErrorKind, ParseError};
pub use text::{Term, TextQuery};

/// The longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 10_000;
/// How deeply parentheses and `NOT` may nest; bounds every recursion over a [`Clause`].
pub const MAX_DEPTH: usize = 32;
/// The most values in one `IN (...)` list.
pub const MAX_LIST_VALUES: usize = 1_000;

/// Parses and validates a JQL query.
///
/// An empty (or all-whitespace) query is valid and matches everything, as in Jira. The
/// function never panics, whatever the input.
///
/// # Errors
///
/// A [`ParseError`] naming what was expected and the column, for text that is not JQL,
/// an unknown field, operator or function, an operator or value that does not suit the
/// field, or input beyond [`MAX_QUERY_CHARS`], [`MAX_DEPTH`] or [`MAX_LIST_VALUES`].
pub fn parse(input: &str) -> Result<Query, ParseError> {
    parse_with(input, &CustomFields::default())
}

/// [`parse`], also knowing the organization's own fields: `cf[10001]` or a field's
/// name (quoted when it has spaces, `"Customer" = Acme`) is a [`Field::Custom`].
///
/// ```
/// use jql::{Clause, CustomField, CustomFields, CustomKind, Field};
///
/// let customer = CustomField { number: 10001, kind: CustomKind::Select };
/// let fields = CustomFields::new([("Customer".to_owned(), customer)]);
/// let query = jql::parse_with(r#""customer" IN (Acme, Globex)"#, &fields)?;
/// let Some(Clause::Compare(cmp)) = &query.clause else { panic!() };
/// assert_eq!(cmp.field, Field::Custom(customer));
/// // Printed by number, so a renamed field keeps a saved query working:
/// assert_eq!(query.to_string(), r#"cf[10001] IN ("Acme", "Globex")"#);
/// // A select field has no `~`:
/// assert!(jql::parse_with("cf[10001] ~ acme", &fields).is_err());
/// # Ok::<(), jql::ParseError>(())
/// ```
///
/// # Errors
///
/// As [`parse`]; a `cf[N]` or name not in `custom` is an unknown field.
pub fn parse_with(input: &str, custom: &CustomFields) -> Result<Query, ParseError> {
    // A char is at most 4 bytes: the byte check bounds the count on huge input.
    if input.len() > MAX_QUERY_CHARS * 4 || input.chars().count() > MAX_QUERY_CHARS {
        let column = MAX_QUERY_CHARS + 1;
        return Err(ParseError::new(
            ErrorKind::Limit,
            format!("the query is longer than {MAX_QUERY_CHARS} characters"),
            Span {
                start: column,
                end: column,
            },
        ));
    }
    let tokens = lexer::tokenize(input)?;
    parser::Parser::new(tokens, custom).parse_query()
}
