//! Properties over generated input: no input panics, and canonical printing round-trips.

use proptest::prelude::*;

use super::assert_round_trips;
use crate::parse;

/// Pieces of JQL, valid and not, for token soups that get past the lexer.
const TOKENS: &[&str] = &[
    "status",
    "STATUS",
    "summary",
    "created",
    "due",
    "duedate",
    "assignee",
    "labels",
    "key",
    "priority",
    "stauts",
    "=",
    "!=",
    ">",
    ">=",
    "<",
    "<=",
    "~",
    "!~",
    "==",
    "!",
    "IN",
    "in",
    "NOT",
    "not",
    "IS",
    "EMPTY",
    "NULL",
    "AND",
    "and",
    "OR",
    "ORDER",
    "BY",
    "ASC",
    "DESC",
    "WAS",
    "was",
    "CHANGED",
    "FROM",
    "TO",
    "AFTER",
    "BEFORE",
    "ON",
    "DURING",
    "(",
    ")",
    ",",
    "Done",
    "WEB-12",
    "12",
    "-7d",
    "1M",
    "30m",
    "\"2026-11-25\"",
    "\"2026-11-25 14:30\"",
    "'x'",
    "\"a b\"",
    "\"\\\"phrase\\\"\"",
    "\"",
    "'",
    "\\",
    "currentUser()",
    "membersOf(\"devs\")",
    "startOfDay(-1)",
    "startOfMonth(\"+14d\")",
    "now()",
    "endOfYear",
    "😀",
    "ß",
    "\u{0}",
    ";",
];

fn token_soup() -> impl Strategy<Value = String> {
    let token = prop::sample::select(TOKENS);
    let separator = prop::sample::select(&[" ", "", "  ", "\n"][..]);
    prop::collection::vec((token, separator), 0..40).prop_map(|pieces| {
        pieces
            .into_iter()
            .flat_map(|(token, separator)| [token, separator])
            .collect()
    })
}

/// Comparisons that are valid on their own, in mixed case and spacing.
const COMPARISONS: &[&str] = &[
    "status = Done",
    "Status != \"In Progress\"",
    "priority >= 2",
    "priority < High",
    "summary ~ \"login fail*\"",
    "description !~ crash",
    "text ~ '\\\"exact phrase\\\"'",
    "key in (WEB-1, 12, \"WEB-3\")",
    "issuetype NOT IN (Bug)",
    "assignee is empty",
    "due IS NOT NULL",
    "labels = EMPTY",
    "labels in (EMPTY, x)",
    "assignee = currentUser()",
    "reporter in membersOf(devs)",
    "created > -7d",
    "updated <= 1M",
    "created >= \"2026-11-25\"",
    "resolved < '2026/11/25 14:30'",
    "due > startOfWeek(+1)",
    "created < endOfMonth(\"-2d\")",
    "created in (now(), -1y, \"2026-01-01\")",
    "project = 10000",
    "summary ~ \"Straße 😀\"",
    "labels = \"tab\\there\"",
    "comment ~ \"' OR 1=1 --\"",
];

/// A random, valid clause tree over [`COMPARISONS`], nested a few levels at most.
fn clause() -> impl Strategy<Value = String> {
    let leaf = prop::sample::select(COMPARISONS).prop_map(str::to_string);
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 2..4).prop_map(|c| c.join(" AND ")),
            prop::collection::vec(inner.clone(), 2..4).prop_map(|c| c.join(" or ")),
            inner.clone().prop_map(|c| format!("NOT {c}")),
            inner.prop_map(|c| format!("({c})")),
        ]
    })
}

fn order_by() -> impl Strategy<Value = String> {
    let key = prop::sample::select(&["created", "priority DESC", "key asc", "duedate desc"][..]);
    prop::collection::vec(key, 0..3).prop_map(|keys| {
        let mut unique: Vec<&str> = Vec::new();
        for key in keys {
            let field = key.split(' ').next();
            if !unique.iter().any(|k| k.split(' ').next() == field) {
                unique.push(key);
            }
        }
        if unique.is_empty() {
            String::new()
        } else {
            format!(" ORDER BY {}", unique.join(", "))
        }
    })
}

/// A valid query with a few random edits: deletions and inserted tokens, which find the
/// corners (a missing quote, a stray keyword) that random text rarely reaches.
fn mutated_query() -> impl Strategy<Value = String> {
    let edit = (
        any::<prop::sample::Index>(),
        0..4usize,
        prop::sample::select(TOKENS),
    );
    (clause(), order_by(), prop::collection::vec(edit, 1..4)).prop_map(|(clause, order, edits)| {
        let mut chars: Vec<char> = format!("{clause}{order}").chars().collect();
        for (at, delete, token) in edits {
            let at = at.index(chars.len() + 1);
            let end = (at + delete).min(chars.len());
            chars.splice(at..end, token.chars());
        }
        chars.into_iter().collect()
    })
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(input in any::<String>()) {
        if let Ok(query) = parse(&input) {
            assert_round_trips(&query);
        }
    }

    #[test]
    fn token_soup_never_panics_and_round_trips(input in token_soup()) {
        if let Ok(query) = parse(&input) {
            assert_round_trips(&query);
        }
    }

    #[test]
    fn mutated_queries_never_panic_and_round_trip(input in mutated_query()) {
        if let Ok(query) = parse(&input) {
            assert_round_trips(&query);
        }
    }

    #[test]
    fn valid_queries_parse_and_round_trip(clause in clause(), order in order_by()) {
        // Nesting can go past MAX_DEPTH: then only the limit error is acceptable.
        let input = format!("{clause}{order}");
        match parse(&input) {
            Ok(query) => assert_round_trips(&query),
            Err(error) => prop_assert_eq!(error.kind, crate::ErrorKind::Limit, "{}: {}", input, error),
        }
    }
}
