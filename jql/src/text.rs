//! Jira-style splitting of the text after `~` into search terms.

/// The terms of a `~` search; a ticket matches when it matches every term.
///
/// ```
/// use jql::{Term, TextQuery};
/// let query = TextQuery::parse(r#"Login fail* "exact phrase""#);
/// assert_eq!(
///     query.terms,
///     [
///         Term::Word("login".into()),
///         Term::Prefix("fail".into()),
///         Term::Phrase(vec!["exact".into(), "phrase".into()]),
///     ]
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TextQuery {
    pub terms: Vec<Term>,
}

/// One search term, lower-cased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    /// A whole word.
    Word(String),
    /// A word written with a trailing `*`: matches words starting with it.
    Prefix(String),
    /// Words in double quotes: must appear together, in this order.
    Phrase(Vec<String>),
}

impl TextQuery {
    /// Splits search text into terms.
    ///
    /// Words are runs of letters and digits (any script), lower-cased; other characters
    /// separate words, so `"foo-bar"` is two words. A `*` right after a word makes it a
    /// prefix; a `*` anywhere else is ignored, since a leading wildcard cannot use an
    /// index. Text in double quotes is a phrase (an unclosed quote runs to the end).
    /// Jira's `AND`/`OR`/`+`/`-` operators inside the text are not interpreted.
    pub fn parse(text: &str) -> TextQuery {
        let mut terms = Vec::new();
        let mut rest = text;
        while let Some((before, after)) = rest.split_once('"') {
            push_words(before, &mut terms);
            let (phrase, next) = after.split_once('"').unwrap_or((after, ""));
            let words: Vec<String> = words(phrase).map(|(word, _)| word).collect();
            if !words.is_empty() {
                terms.push(Term::Phrase(words));
            }
            rest = next;
        }
        push_words(rest, &mut terms);
        TextQuery { terms }
    }
}

fn push_words(text: &str, terms: &mut Vec<Term>) {
    terms.extend(words(text).map(|(word, prefix)| {
        if prefix {
            Term::Prefix(word)
        } else {
            Term::Word(word)
        }
    }));
}

/// Lower-cased words of `text`, each with whether a `*` follows it directly.
fn words(text: &str) -> impl Iterator<Item = (String, bool)> + '_ {
    let mut chars = text.chars().peekable();
    std::iter::from_fn(move || {
        while chars.peek().is_some_and(|c| !c.is_alphanumeric()) {
            chars.next();
        }
        let mut word = String::new();
        while let Some(c) = chars.peek().copied().filter(|c| c.is_alphanumeric()) {
            word.extend(c.to_lowercase());
            chars.next();
        }
        if word.is_empty() {
            return None;
        }
        let prefix = chars.peek() == Some(&'*');
        Some((word, prefix))
    })
}

#[cfg(test)]
mod tests {
    use super::{Term, TextQuery};

    fn word(w: &str) -> Term {
        Term::Word(w.to_string())
    }

    #[test]
    fn splits_lowercases_and_drops_punctuation() {
        let query = TextQuery::parse("  Login-ERROR, on Straße 😀 ");
        assert_eq!(
            query.terms,
            [word("login"), word("error"), word("on"), word("straße")]
        );
    }

    #[test]
    fn trailing_star_makes_a_prefix_and_other_stars_are_ignored() {
        let query = TextQuery::parse("auth* *token **");
        assert_eq!(query.terms, [Term::Prefix("auth".into()), word("token")]);
    }

    #[test]
    fn quoted_words_form_a_phrase() {
        let query = TextQuery::parse(r#"crash "Null Pointer" now"#);
        assert_eq!(
            query.terms,
            [
                word("crash"),
                Term::Phrase(vec!["null".into(), "pointer".into()]),
                word("now")
            ]
        );
    }

    #[test]
    fn unclosed_quote_runs_to_the_end() {
        let query = TextQuery::parse(r#"a "b c"#);
        assert_eq!(
            query.terms,
            [word("a"), Term::Phrase(vec!["b".into(), "c".into()])]
        );
    }

    #[test]
    fn text_without_letters_has_no_terms() {
        assert!(TextQuery::parse(r#"*** "" 😀 -"#).terms.is_empty());
    }
}
