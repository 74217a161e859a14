//! Splits query text into tokens with character-column spans.
//!
//! The lexer knows nothing of fields or keywords: a bare word stays a word, and the
//! parser decides whether it is `AND`, a field name or a value.

use crate::{ParseError, Span};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TokenKind {
    LParen,
    RParen,
    Comma,
    /// A run of `= ! < > ~`, checked against the known operators by the parser.
    Op(String),
    /// A quoted string, escapes resolved.
    Quoted(String),
    /// Any other run of characters: `Done`, `WEB-12`, `-7d`, `AND`, `currentUser`.
    Word(String),
    End,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: TokenKind,
    pub span: Span,
}

impl Token {
    /// How the token reads in an error message.
    pub fn describe(&self) -> String {
        match &self.kind {
            TokenKind::LParen => "'('".to_string(),
            TokenKind::RParen => "')'".to_string(),
            TokenKind::Comma => "','".to_string(),
            TokenKind::Op(op) => format!("'{op}'"),
            TokenKind::Quoted(text) => format!("\"{}\"", shorten(text)),
            TokenKind::Word(word) => format!("'{}'", shorten(word)),
            TokenKind::End => "the end of the query".to_string(),
        }
    }
}

/// Keeps error messages short when the offending text is long.
pub(crate) fn shorten(text: &str) -> String {
    const MAX: usize = 40;
    if text.chars().count() <= MAX {
        text.to_string()
    } else {
        let head: String = text.chars().take(MAX).collect();
        format!("{head}...")
    }
}

const OPERATOR_CHARS: &[char] = &['=', '!', '<', '>', '~'];

fn ends_word(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | ',' | '"' | '\'') || OPERATOR_CHARS.contains(&c)
}

/// A cursor over the input that tracks the 1-based character column.
struct Cursor<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    column: usize,
}

impl Cursor<'_> {
    fn peek(&mut self) -> Option<char> {
        self.chars.peek().copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.chars.next()?;
        self.column += 1;
        Some(c)
    }
}

pub(crate) fn tokenize(input: &str) -> Result<Vec<Token>, ParseError> {
    let mut cursor = Cursor {
        chars: input.chars().peekable(),
        column: 1,
    };
    let mut tokens = Vec::new();
    while let Some(c) = cursor.peek() {
        let start = cursor.column;
        if c == '\0' {
            // PostgreSQL text cannot hold NUL; refusing it here keeps it out of every value.
            return Err(nul_error(start));
        }
        if c.is_whitespace() {
            cursor.bump();
            continue;
        }
        let kind = match c {
            '(' | ')' | ',' => {
                cursor.bump();
                match c {
                    '(' => TokenKind::LParen,
                    ')' => TokenKind::RParen,
                    _ => TokenKind::Comma,
                }
            }
            '"' | '\'' => TokenKind::Quoted(read_quoted(&mut cursor)?),
            c if OPERATOR_CHARS.contains(&c) => {
                let mut op = String::new();
                while let Some(c) = cursor.peek().filter(|c| OPERATOR_CHARS.contains(c)) {
                    op.push(c);
                    cursor.bump();
                }
                TokenKind::Op(op)
            }
            _ => {
                let mut word = String::new();
                while let Some(c) = cursor.peek().filter(|&c| !ends_word(c)) {
                    if c == '\0' {
                        return Err(nul_error(cursor.column));
                    }
                    word.push(c);
                    cursor.bump();
                }
                TokenKind::Word(word)
            }
        };
        tokens.push(Token {
            kind,
            span: Span {
                start,
                end: cursor.column,
            },
        });
    }
    tokens.push(Token {
        kind: TokenKind::End,
        span: Span {
            start: cursor.column,
            end: cursor.column,
        },
    });
    Ok(tokens)
}

fn nul_error(column: usize) -> ParseError {
    ParseError::syntax(
        "the NUL character is not allowed",
        Span {
            start: column,
            end: column + 1,
        },
    )
}

/// Reads a string in double or single quotes, starting at the opening quote.
fn read_quoted(cursor: &mut Cursor<'_>) -> Result<String, ParseError> {
    let start = cursor.column;
    let quote = cursor.bump().unwrap_or('"');
    let mut text = String::new();
    loop {
        let column = cursor.column;
        match cursor.bump() {
            None => {
                return Err(ParseError::syntax(
                    "unterminated string",
                    Span {
                        start,
                        end: cursor.column,
                    },
                )
                .with_hint(format!("add the closing {quote}")));
            }
            Some(c) if c == quote => return Ok(text),
            Some('\0') => return Err(nul_error(column)),
            // A backslash as the last character leaves the string unterminated.
            Some('\\') if cursor.peek().is_none() => {}
            Some('\\') => text.push(read_escape(cursor, column)?),
            Some(c) => text.push(c),
        }
    }
}

/// Reads what follows a backslash that sits at `column`.
fn read_escape(cursor: &mut Cursor<'_>, column: usize) -> Result<char, ParseError> {
    let bad = |cursor: &Cursor<'_>, what: String| {
        ParseError::syntax(
            what,
            Span {
                start: column,
                end: cursor.column,
            },
        )
        .with_hint(r#"valid escapes are \" \' \\ \n \t \r and \uXXXX"#)
    };
    match cursor.bump() {
        Some(c @ ('"' | '\'' | '\\')) => Ok(c),
        Some('n') => Ok('\n'),
        Some('t') => Ok('\t'),
        Some('r') => Ok('\r'),
        Some('u') => {
            let mut code = 0u32;
            for _ in 0..4 {
                let digit = cursor.peek().and_then(|c| c.to_digit(16));
                let Some(digit) = digit else {
                    return Err(bad(cursor, r"'\u' must be followed by 4 hex digits".into()));
                };
                cursor.bump();
                code = code * 16 + digit;
            }
            match char::from_u32(code) {
                Some('\0') => Err(nul_error(column)),
                Some(c) => Ok(c),
                None => Err(bad(
                    cursor,
                    format!(r"'\u{code:04X}' is not a character (a lone surrogate)"),
                )),
            }
        }
        Some(c) => Err(bad(cursor, format!("unknown escape '\\{c}'"))),
        None => Err(bad(cursor, "unknown escape '\\'".into())),
    }
}
