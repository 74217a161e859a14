//! The one error type of the crate, with the column it applies to.

use std::fmt;

/// Why a query was rejected. Every error points at a column of the input.
///
/// `Display` gives a sentence for the user, e.g.
/// `unknown field 'stauts' at column 1 (did you mean 'status'?)`.
///
/// ```
/// let error = jql::parse("status = Done)").unwrap_err();
/// assert_eq!(error.column, 14);
/// assert_eq!(error.to_string(), "unexpected ')' at column 14 (there is no '(' to close)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub struct ParseError {
    pub kind: ErrorKind,
    /// What is wrong, without the position.
    pub message: String,
    /// 1-based column, counted in characters, where the problem starts; one past the last
    /// character when the query ended too early.
    pub column: usize,
    /// The column just past the offending text (equal to `column` at the end of input).
    pub end_column: usize,
    /// A suggestion, or the list of what would have been valid.
    pub hint: Option<String>,
    /// What would have been valid at `column` (field names, operators, functions), when
    /// there is a short list; useful for autocomplete.
    pub expected: Vec<&'static str>,
}

/// The broad class of a [`ParseError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The text is not JQL: a bad token, a missing value or parenthesis, trailing text.
    Syntax,
    UnknownField,
    UnknownOperator,
    UnknownFunction,
    /// A known operator that the field does not support (`status ~ x`).
    InvalidOperator,
    /// A value of the wrong kind for the field or operator (`created > Done`).
    InvalidValue,
    /// A field that `ORDER BY` cannot use, or used twice.
    InvalidOrder,
    /// The query is too long, too deeply nested, or has too long a list.
    Limit,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at column {}", self.message, self.column)?;
        if let Some(hint) = &self.hint {
            write!(f, " ({hint})")?;
        }
        Ok(())
    }
}

impl ParseError {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>, span: crate::Span) -> Self {
        ParseError {
            kind,
            message: message.into(),
            column: span.start,
            end_column: span.end.max(span.start),
            hint: None,
            expected: Vec::new(),
        }
    }

    pub(crate) fn syntax(message: impl Into<String>, span: crate::Span) -> Self {
        ParseError::new(ErrorKind::Syntax, message, span)
    }

    pub(crate) fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Records the valid choices, and lists them as the hint unless one was given.
    pub(crate) fn expecting(mut self, expected: Vec<&'static str>) -> Self {
        if self.hint.is_none() {
            self.hint = Some(format!("expected one of: {}", expected.join(", ")));
        }
        self.expected = expected;
        self
    }

    /// Suggests the closest of `candidates` to `typed` as the hint, if one is close.
    pub(crate) fn suggesting<'c>(
        self,
        typed: &str,
        candidates: impl IntoIterator<Item = &'c str>,
    ) -> Self {
        match closest(typed, candidates) {
            Some(best) => self.with_hint(format!("did you mean '{best}'?")),
            None => self,
        }
    }
}

/// The candidate within two edits of `typed` (ignoring case), if any; a typo rarely
/// needs more, and further suggestions are more confusing than helpful.
pub(crate) fn closest<'c>(
    typed: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let typed: Vec<char> = typed.to_lowercase().chars().collect();
    // Words much longer than any candidate cannot be within two edits; skipping them
    // also bounds the work on hostile input.
    if typed.len() > 40 {
        return None;
    }
    candidates
        .into_iter()
        .map(|candidate| {
            let lower: Vec<char> = candidate.to_lowercase().chars().collect();
            (edit_distance(&typed, &lower), candidate)
        })
        .filter(|(distance, _)| *distance <= 2 && *distance < typed.len())
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Optimal-string-alignment distance: insertions, deletions, substitutions and
/// transpositions of neighbours each cost one (`stauts` is one edit from `status`).
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let width = b.len() + 1;
    let mut rows = vec![0usize; (a.len() + 1) * width];
    let at = |i: usize, j: usize| i * width + j;
    for i in 0..=a.len() {
        rows[at(i, 0)] = i;
    }
    for j in 0..=b.len() {
        rows[at(0, j)] = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[at(i - 1, j)] + 1)
                .min(rows[at(i, j - 1)] + 1)
                .min(rows[at(i - 1, j - 1)] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[at(i - 2, j - 2)] + 1);
            }
            rows[at(i, j)] = best;
        }
    }
    rows[at(a.len(), b.len())]
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn suggests_a_transposed_field() {
        assert_eq!(closest("stauts", ["status", "project"]), Some("status"));
    }

    #[test]
    fn does_not_suggest_a_distant_word() {
        assert_eq!(closest("banana", ["status", "project"]), None);
    }

    #[test]
    fn does_not_suggest_for_a_one_letter_word() {
        assert_eq!(closest("x", ["key"]), None);
    }
}
