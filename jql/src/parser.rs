//! Recursive-descent parser: `OR` below `AND` below `NOT`, then comparisons.
//!
//! Each comparison is handed to [`crate::validate`] as soon as it is read, so the first
//! error in reading order is the one reported.

use crate::ast::{
    Clause, CustomFields, Direction, Field, History, HistoryOp, Operator, OrderKey, Predicate,
    PredicateKind, Query, Value,
};
use crate::error::{ErrorKind, ParseError};
use crate::lexer::{Token, TokenKind, shorten};
use crate::validate::{self, RawComparison, RawValue};
use crate::{MAX_DEPTH, MAX_LIST_VALUES, Span};

/// Reserved words: never a field, never an unquoted value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keyword {
    And,
    Or,
    Not,
    In,
    Is,
    Empty,
    Null,
    Order,
    By,
    Asc,
    Desc,
}

impl Keyword {
    fn of(token: &Token) -> Option<Keyword> {
        let TokenKind::Word(word) = &token.kind else {
            return None;
        };
        [
            ("AND", Keyword::And),
            ("OR", Keyword::Or),
            ("NOT", Keyword::Not),
            ("IN", Keyword::In),
            ("IS", Keyword::Is),
            ("EMPTY", Keyword::Empty),
            ("NULL", Keyword::Null),
            ("ORDER", Keyword::Order),
            ("BY", Keyword::By),
            ("ASC", Keyword::Asc),
            ("DESC", Keyword::Desc),
        ]
        .into_iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(word))
        .map(|(_, keyword)| keyword)
    }
}

/// The operator symbols, for "expected one of" lists.
const OPERATOR_SYMBOLS: &[&str] = &[
    "=", "!=", ">", ">=", "<", "<=", "~", "!~", "IN", "NOT IN", "IS", "IS NOT",
];

const QUOTE_HINT: &str = "put values with spaces or reserved words in quotes, e.g. \"In Progress\"";

pub(crate) struct Parser<'a> {
    tokens: Vec<Token>,
    /// The organization's own fields, found by name or `cf[N]` after the system ones.
    custom: &'a CustomFields,
    pos: usize,
    depth: usize,
    /// Returned by `peek` past the last token, so lookups never index out of bounds.
    end: Token,
}

impl<'a> Parser<'a> {
    pub(crate) fn new(tokens: Vec<Token>, custom: &'a CustomFields) -> Parser<'a> {
        let end = tokens.last().cloned().unwrap_or(Token {
            kind: TokenKind::End,
            span: Span { start: 1, end: 1 },
        });
        Parser {
            tokens,
            custom,
            pos: 0,
            depth: 0,
            end,
        }
    }

    fn peek(&self) -> &Token {
        self.tokens.get(self.pos).unwrap_or(&self.end)
    }

    fn advance(&mut self) -> Token {
        let token = self.peek().clone();
        if self.pos < self.tokens.len() {
            self.pos += 1;
        }
        token
    }

    fn at_keyword(&self, keyword: Keyword) -> bool {
        Keyword::of(self.peek()) == Some(keyword)
    }

    pub(crate) fn parse_query(mut self) -> Result<Query, ParseError> {
        let clause = match self.peek().kind {
            TokenKind::End => None,
            _ if self.at_keyword(Keyword::Order) => None,
            _ => Some(self.parse_or()?),
        };
        let order_by = if self.at_keyword(Keyword::Order) {
            self.parse_order_by()?
        } else {
            Vec::new()
        };
        let token = self.peek();
        match token.kind {
            TokenKind::End => Ok(Query { clause, order_by }),
            TokenKind::RParen => Err(ParseError::syntax("unexpected ')'", token.span)
                .with_hint("there is no '(' to close")),
            _ => {
                let expected = if order_by.is_empty() {
                    "expected AND, OR, ORDER BY or the end of the query"
                } else {
                    "expected ',' or the end of the query"
                };
                Err(unexpected(token, expected))
            }
        }
    }

    fn parse_or(&mut self) -> Result<Clause, ParseError> {
        self.parse_chain(Keyword::Or, Self::parse_and, Clause::Or, |c| match c {
            Clause::Or(inner) => Ok(inner),
            other => Err(Box::new(other)),
        })
    }

    fn parse_and(&mut self) -> Result<Clause, ParseError> {
        self.parse_chain(Keyword::And, Self::parse_not, Clause::And, |c| match c {
            Clause::And(inner) => Ok(inner),
            other => Err(Box::new(other)),
        })
    }

    /// `operand (KEYWORD operand)*`, flattened into one `make` clause.
    fn parse_chain(
        &mut self,
        keyword: Keyword,
        operand: fn(&mut Self) -> Result<Clause, ParseError>,
        make: fn(Vec<Clause>) -> Clause,
        same_kind: fn(Clause) -> Result<Vec<Clause>, Box<Clause>>,
    ) -> Result<Clause, ParseError> {
        let mut clauses = vec![operand(self)?];
        while self.at_keyword(keyword) {
            self.advance();
            clauses.push(operand(self)?);
        }
        Ok(combine(clauses, make, same_kind))
    }

    fn parse_not(&mut self) -> Result<Clause, ParseError> {
        if !self.at_keyword(Keyword::Not) {
            return self.parse_primary();
        }
        let not = self.advance();
        self.enter(not.span)?;
        let inner = self.parse_not()?;
        self.depth -= 1;
        Ok(Clause::Not(Box::new(inner)))
    }

    fn parse_primary(&mut self) -> Result<Clause, ParseError> {
        if self.peek().kind != TokenKind::LParen {
            return self.parse_comparison();
        }
        let open = self.advance();
        self.enter(open.span)?;
        let inner = self.parse_or()?;
        let token = self.peek();
        match token.kind {
            TokenKind::RParen => {
                self.advance();
                self.depth -= 1;
                Ok(inner)
            }
            TokenKind::End => {
                Err(ParseError::syntax("unclosed '('", open.span).with_hint("add ')' to close it"))
            }
            _ => Err(unexpected(token, "expected AND, OR or ')'")),
        }
    }

    /// Counts one more level of parentheses or `NOT`, refusing to go past the limit
    /// so that hostile input cannot overflow the stack.
    fn enter(&mut self, span: Span) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ParseError::new(
                ErrorKind::Limit,
                format!("the query is nested more than {MAX_DEPTH} levels deep"),
                span,
            )
            .with_hint("parentheses and NOT each add a level"));
        }
        Ok(())
    }

    fn parse_comparison(&mut self) -> Result<Clause, ParseError> {
        let (field, field_span) = self.parse_field("a field name")?;
        if self.at_word("was") || self.at_word("changed") {
            return self.parse_history(field, field_span);
        }
        let (op, op_span) = self.parse_operator(field)?;
        let (value, value_span) = self.parse_value(op)?;
        let comparison = validate::check(RawComparison {
            field,
            field_span,
            op,
            op_span,
            value,
            value_span,
        })?;
        Ok(Clause::Compare(comparison))
    }

    /// Whether the next token is the bare word `word` (ignoring case): the history
    /// words are not reserved, so `labels = after` keeps working.
    fn at_word(&self, word: &str) -> bool {
        matches!(&self.peek().kind, TokenKind::Word(w) if w.eq_ignore_ascii_case(word))
    }

    /// `field WAS [NOT] [IN] value predicates*` or `field CHANGED predicates*`, starting
    /// at `WAS`/`CHANGED`.
    fn parse_history(&mut self, field: Field, field_span: Span) -> Result<Clause, ParseError> {
        let op_token = self.advance();
        let changed =
            matches!(&op_token.kind, TokenKind::Word(w) if w.eq_ignore_ascii_case("changed"));
        let word = if changed { "CHANGED" } else { "WAS" };
        if !field.has_history() {
            let tracked: Vec<&str> = Field::ALL
                .iter()
                .filter(|f| f.has_history())
                .map(|f| f.name())
                .collect();
            return Err(ParseError::new(
                ErrorKind::InvalidOperator,
                format!("'{field}' keeps no history, so {word} cannot be used with it"),
                op_token.span,
            )
            .with_hint(format!("{word} works with: {}", tracked.join(", ")))
            .expecting(field.operators().iter().map(|op| op.symbol()).collect()));
        }
        let mut end = op_token.span;
        let mut value_span = op_token.span;
        let (op, value) = if changed {
            (HistoryOp::Changed, None)
        } else {
            let negated = self.at_keyword(Keyword::Not);
            if negated {
                end = self.advance().span;
            }
            let list = self.at_keyword(Keyword::In);
            if list {
                end = self.advance().span;
            }
            let op = match (negated, list) {
                (false, false) => HistoryOp::Was,
                (true, false) => HistoryOp::WasNot,
                (false, true) => HistoryOp::WasIn,
                (true, true) => HistoryOp::WasNotIn,
            };
            let test = if list { Operator::In } else { Operator::Eq };
            let (raw, span) = self.parse_value(test)?;
            let checked = validate::check(RawComparison {
                field,
                field_span,
                op: test,
                op_span: op_token.span.to(end),
                value: raw,
                value_span: span,
            })?;
            end = span;
            value_span = span;
            (op, Some(checked.value))
        };
        let mut predicates: Vec<Predicate> = Vec::new();
        loop {
            let token = self.peek().clone();
            let kind = match &token.kind {
                TokenKind::Word(word) => PredicateKind::from_keyword(word),
                _ => None,
            };
            let Some(kind) = kind else { break };
            if !changed && matches!(kind, PredicateKind::From | PredicateKind::To) {
                return Err(ParseError::syntax(
                    format!("{} goes with CHANGED, not WAS", kind.keyword()),
                    token.span,
                )
                .with_hint(format!("e.g. {field} CHANGED FROM a TO b")));
            }
            if predicates.iter().any(|p| p.kind == kind) {
                return Err(ParseError::syntax(
                    format!("{} appears twice", kind.keyword()),
                    token.span,
                ));
            }
            self.advance();
            let (value, value_span) = self.parse_predicate(field, kind, token.span)?;
            end = value_span;
            predicates.push(Predicate {
                kind,
                value,
                value_span,
            });
        }
        Ok(Clause::History(History {
            field,
            op,
            value,
            predicates,
            span: field_span.to(end),
            value_span,
        }))
    }

    /// The value after a history predicate's keyword, typed for what it bounds.
    fn parse_predicate(
        &mut self,
        field: Field,
        kind: PredicateKind,
        keyword_span: Span,
    ) -> Result<(Value, Span), ParseError> {
        let after = kind.keyword().to_owned();
        let check = |field: Field, op: Operator, raw: RawValue, value_span: Span| {
            validate::check(RawComparison {
                field,
                field_span: keyword_span,
                op,
                op_span: keyword_span,
                value: raw,
                value_span,
            })
        };
        match kind {
            PredicateKind::From | PredicateKind::To => {
                let (raw, span) = self.parse_single_value(&after)?;
                Ok((check(field, Operator::Eq, raw, span)?.value, span))
            }
            PredicateKind::By => {
                let (raw, span) = if self.peek().kind == TokenKind::LParen {
                    self.parse_list()?
                } else {
                    self.parse_single_value(&after)?
                };
                let list = matches!(raw, RawValue::List(_))
                    || matches!(&raw, RawValue::Call { name, .. } if name.eq_ignore_ascii_case("membersOf"));
                if raw == RawValue::Empty {
                    return Err(ParseError::new(
                        ErrorKind::InvalidValue,
                        "BY needs a user, not EMPTY",
                        span,
                    ));
                }
                let op = if list { Operator::In } else { Operator::Eq };
                Ok((check(Field::Reporter, op, raw, span)?.value, span))
            }
            PredicateKind::After | PredicateKind::Before | PredicateKind::On => {
                let (raw, span) = self.parse_single_value(&after)?;
                Ok((validate::check_moment(raw, span, &after)?, span))
            }
            PredicateKind::During => {
                if self.peek().kind != TokenKind::LParen {
                    let token = self.peek().clone();
                    return Err(ParseError::syntax(
                        format!("expected '(' after DURING but found {}", token.describe()),
                        token.span,
                    )
                    .with_hint("e.g. DURING (\"2026-11-01\", \"2026-11-30\")"));
                }
                let (raw, span) = self.parse_list()?;
                let RawValue::List(items) = raw else {
                    return Err(ParseError::syntax("expected two dates", span));
                };
                if items.len() != 2 {
                    return Err(ParseError::new(
                        ErrorKind::InvalidValue,
                        format!("DURING takes two dates, not {}", items.len()),
                        span,
                    )
                    .with_hint("e.g. DURING (\"2026-11-01\", \"2026-11-30\")"));
                }
                let mut dates = Vec::with_capacity(2);
                for (item, item_span) in items {
                    dates.push(validate::check_moment(item, item_span, "DURING")?);
                }
                Ok((Value::List(dates), span))
            }
        }
    }

    /// Reads a field name, bare or quoted (`"status"`, as Jira allows).
    fn parse_field(&mut self, what: &str) -> Result<(Field, Span), ParseError> {
        let token = self.peek().clone();
        let name = match &token.kind {
            TokenKind::Word(word) if Keyword::of(&token).is_none() => word,
            TokenKind::Quoted(text) => text,
            TokenKind::Op(op) if op == "!" => {
                return Err(ParseError::syntax(
                    format!("expected {what} but found '!'"),
                    token.span,
                )
                .with_hint("use NOT to negate a condition"));
            }
            TokenKind::RParen => {
                return Err(ParseError::syntax("unexpected ')'", token.span)
                    .with_hint(format!("expected {what}")));
            }
            _ => {
                let found = match Keyword::of(&token) {
                    Some(_) => format!("keyword {}", token.describe()),
                    None => token.describe(),
                };
                return Err(ParseError::syntax(
                    format!("expected {what} but found {found}"),
                    token.span,
                ));
            }
        };
        let found = Field::from_name(name).or_else(|| self.custom.find(name).map(Field::Custom));
        let Some(field) = found else {
            return Err(ParseError::new(
                ErrorKind::UnknownField,
                format!("unknown field '{}'", shorten(name)),
                token.span,
            )
            .suggesting(
                name,
                Field::spellings()
                    .map(|s| -> &str { s })
                    .chain(self.custom.names()),
            )
            .expecting(Field::ALL.iter().map(|field| field.name()).collect()));
        };
        self.advance();
        Ok((field, token.span))
    }

    fn parse_operator(&mut self, field: Field) -> Result<(Operator, Span), ParseError> {
        let token = self.advance();
        let op = match (&token.kind, Keyword::of(&token)) {
            (TokenKind::Op(symbol), _) => match symbol.as_str() {
                "=" => Operator::Eq,
                "!=" => Operator::NotEq,
                ">" => Operator::Gt,
                ">=" => Operator::Ge,
                "<" => Operator::Lt,
                "<=" => Operator::Le,
                "~" => Operator::Contains,
                "!~" => Operator::NotContains,
                other => return Err(unknown_operator(other, token.span)),
            },
            (_, Some(Keyword::In)) => Operator::In,
            (_, Some(Keyword::Not)) => {
                let next = self.peek().clone();
                if Keyword::of(&next) != Some(Keyword::In) {
                    return Err(ParseError::syntax(
                        format!("expected IN after NOT but found {}", next.describe()),
                        next.span,
                    ));
                }
                self.advance();
                return Ok((Operator::NotIn, token.span.to(next.span)));
            }
            (_, Some(Keyword::Is)) => {
                if self.at_keyword(Keyword::Not) {
                    let not = self.advance();
                    return Ok((Operator::IsNot, token.span.to(not.span)));
                }
                Operator::Is
            }
            (TokenKind::End, _) => {
                return Err(ParseError::syntax(
                    format!("expected an operator after '{field}'"),
                    token.span,
                )
                .expecting(field.operators().iter().map(|op| op.symbol()).collect()));
            }
            _ => {
                return Err(ParseError::syntax(
                    format!(
                        "expected an operator after '{field}' but found {}",
                        token.describe()
                    ),
                    token.span,
                )
                .expecting(field.operators().iter().map(|op| op.symbol()).collect()));
            }
        };
        Ok((op, token.span))
    }

    fn parse_value(&mut self, op: Operator) -> Result<(RawValue, Span), ParseError> {
        let token = self.peek().clone();
        if matches!(op, Operator::Is | Operator::IsNot) {
            return match Keyword::of(&token) {
                Some(Keyword::Empty | Keyword::Null) => {
                    self.advance();
                    Ok((RawValue::Empty, token.span))
                }
                _ => Err(ParseError::syntax(
                    format!(
                        "expected EMPTY or NULL after '{op}' but found {}",
                        token.describe()
                    ),
                    token.span,
                )),
            };
        }
        let after = if op.is_symbolic() {
            format!("'{op}'")
        } else {
            op.symbol().to_string()
        };
        if token.kind == TokenKind::LParen {
            return self.parse_list();
        }
        self.parse_single_value(&after)
    }

    /// A value other than a list: `EMPTY`, a string, a word, or a function call.
    fn parse_single_value(&mut self, after: &str) -> Result<(RawValue, Span), ParseError> {
        let token = self.peek().clone();
        match (&token.kind, Keyword::of(&token)) {
            (_, Some(Keyword::Empty | Keyword::Null)) => {
                self.advance();
                Ok((RawValue::Empty, token.span))
            }
            (_, Some(_)) => Err(ParseError::syntax(
                format!(
                    "expected a value after {after} but found keyword {}",
                    token.describe()
                ),
                token.span,
            )
            .with_hint(QUOTE_HINT)),
            (TokenKind::Quoted(text), None) => {
                self.advance();
                Ok((RawValue::Quoted(text.clone()), token.span))
            }
            (TokenKind::Word(word), None) => {
                self.advance();
                if self.peek().kind == TokenKind::LParen {
                    return self.parse_call(word.clone(), token.span);
                }
                Ok((RawValue::Word(word.clone()), token.span))
            }
            (TokenKind::End, None) => Err(ParseError::syntax(
                format!("expected a value after {after}"),
                token.span,
            )),
            _ => Err(ParseError::syntax(
                format!(
                    "expected a value after {after} but found {}",
                    token.describe()
                ),
                token.span,
            )),
        }
    }

    /// `(a, b, "c d")`, starting at the `(`.
    fn parse_list(&mut self) -> Result<(RawValue, Span), ParseError> {
        let open = self.advance();
        let mut items = Vec::new();
        loop {
            let token = self.peek().clone();
            if token.kind == TokenKind::LParen {
                return Err(ParseError::syntax("lists cannot be nested", token.span));
            }
            if token.kind == TokenKind::End {
                return Err(ParseError::syntax("unclosed '('", open.span)
                    .with_hint("add ')' to close the list"));
            }
            if items.len() == MAX_LIST_VALUES {
                return Err(ParseError::new(
                    ErrorKind::Limit,
                    format!("a list can hold at most {MAX_LIST_VALUES} values"),
                    token.span,
                ));
            }
            let after = if items.is_empty() { "'('" } else { "','" };
            items.push(self.parse_single_value(after)?);
            let token = self.advance();
            match token.kind {
                TokenKind::Comma => {}
                TokenKind::RParen => {
                    return Ok((RawValue::List(items), open.span.to(token.span)));
                }
                TokenKind::End => {
                    return Err(ParseError::syntax("unclosed '('", open.span)
                        .with_hint("add ')' to close the list"));
                }
                _ => {
                    return Err(ParseError::syntax(
                        format!(
                            "expected ',' or ')' in the list but found {}",
                            token.describe()
                        ),
                        token.span,
                    )
                    .with_hint(QUOTE_HINT));
                }
            }
        }
    }

    /// `name(arg, ...)`, starting at the `(`; arguments are strings or words.
    fn parse_call(
        &mut self,
        name: String,
        name_span: Span,
    ) -> Result<(RawValue, Span), ParseError> {
        let open = self.advance();
        let mut args = Vec::new();
        loop {
            let token = self.advance();
            match (&token.kind, args.is_empty()) {
                (TokenKind::RParen, true) => {
                    let span = name_span.to(token.span);
                    return Ok((
                        RawValue::Call {
                            name,
                            name_span,
                            args,
                        },
                        span,
                    ));
                }
                (TokenKind::Quoted(text) | TokenKind::Word(text), _) => {
                    if args.len() == MAX_LIST_VALUES {
                        return Err(ParseError::new(
                            ErrorKind::Limit,
                            format!("a function takes at most {MAX_LIST_VALUES} arguments"),
                            token.span,
                        ));
                    }
                    let quoted = matches!(token.kind, TokenKind::Quoted(_));
                    args.push((text.clone(), quoted, token.span));
                }
                (TokenKind::End, _) => {
                    return Err(ParseError::syntax("unclosed '('", open.span)
                        .with_hint(format!("add ')' to close the call of '{}'", shorten(&name))));
                }
                _ => {
                    return Err(ParseError::syntax(
                        format!("expected an argument or ')' but found {}", token.describe()),
                        token.span,
                    ));
                }
            }
            let token = self.advance();
            match token.kind {
                TokenKind::Comma => {}
                TokenKind::RParen => {
                    let span = name_span.to(token.span);
                    return Ok((
                        RawValue::Call {
                            name,
                            name_span,
                            args,
                        },
                        span,
                    ));
                }
                TokenKind::End => {
                    return Err(ParseError::syntax("unclosed '('", open.span)
                        .with_hint(format!("add ')' to close the call of '{}'", shorten(&name))));
                }
                _ => {
                    return Err(ParseError::syntax(
                        format!("expected ',' or ')' but found {}", token.describe()),
                        token.span,
                    ));
                }
            }
        }
    }

    /// `ORDER BY key [ASC|DESC], ...`, starting at `ORDER`.
    fn parse_order_by(&mut self) -> Result<Vec<OrderKey>, ParseError> {
        self.advance();
        let by = self.peek().clone();
        if Keyword::of(&by) != Some(Keyword::By) {
            return Err(ParseError::syntax(
                format!("expected BY after ORDER but found {}", by.describe()),
                by.span,
            ));
        }
        self.advance();
        let mut keys: Vec<OrderKey> = Vec::new();
        loop {
            let what = if keys.is_empty() {
                "a field after ORDER BY"
            } else {
                "a field after ','"
            };
            let (field, span) = self.parse_field(what)?;
            if !field.is_orderable() {
                return Err(ParseError::new(
                    ErrorKind::InvalidOrder,
                    format!("cannot order by '{field}'"),
                    span,
                )
                .expecting(
                    Field::ALL
                        .iter()
                        .filter(|field| field.is_orderable())
                        .map(|field| field.name())
                        .collect(),
                ));
            }
            if keys.iter().any(|key| key.field == field) {
                return Err(ParseError::new(
                    ErrorKind::InvalidOrder,
                    format!("'{field}' appears twice in ORDER BY"),
                    span,
                ));
            }
            let direction = match Keyword::of(self.peek()) {
                Some(Keyword::Asc) => {
                    self.advance();
                    Direction::Asc
                }
                Some(Keyword::Desc) => {
                    self.advance();
                    Direction::Desc
                }
                _ => Direction::Asc,
            };
            keys.push(OrderKey { field, direction });
            if self.peek().kind != TokenKind::Comma {
                return Ok(keys);
            }
            self.advance();
        }
    }
}

/// Joins clauses with AND or OR, merging children of the same kind so that the tree
/// has one canonical shape however the user placed parentheses.
fn combine(
    clauses: Vec<Clause>,
    make: fn(Vec<Clause>) -> Clause,
    same_kind: fn(Clause) -> Result<Vec<Clause>, Box<Clause>>,
) -> Clause {
    if clauses.len() == 1 {
        if let Some(only) = clauses.into_iter().next() {
            return only;
        }
        return make(Vec::new());
    }
    let mut flat = Vec::with_capacity(clauses.len());
    for clause in clauses {
        match same_kind(clause) {
            Ok(inner) => flat.extend(inner),
            Err(other) => flat.push(*other),
        }
    }
    make(flat)
}

/// An error for a token where the query should have continued differently, with a hint
/// aimed at the likely mistake.
fn unexpected(token: &Token, expected: &str) -> ParseError {
    let hint = match &token.kind {
        TokenKind::Word(word) if word == "&&" || word == "&" => {
            "use AND to require both conditions".to_string()
        }
        TokenKind::Word(word) if word == "||" || word == "|" => {
            "use OR to accept either condition".to_string()
        }
        TokenKind::Comma => {
            format!("{expected}; for several values use IN, e.g. status IN (a, b)")
        }
        // A word or string right after a value is usually the rest of an unquoted value.
        TokenKind::Word(word)
            if Keyword::of(token).is_none()
                && word.chars().next().is_some_and(char::is_alphanumeric) =>
        {
            format!("{expected}; {QUOTE_HINT}")
        }
        TokenKind::Quoted(_) => format!("{expected}; {QUOTE_HINT}"),
        _ => expected.to_string(),
    };
    ParseError::syntax(format!("unexpected {}", token.describe()), token.span).with_hint(hint)
}

fn unknown_operator(symbol: &str, span: Span) -> ParseError {
    let suggestion = match symbol {
        "==" => Some("="),
        "<>" | "=!" => Some("!="),
        "=<" => Some("<="),
        "=>" => Some(">="),
        "=~" | "~=" => Some("~"),
        "~!" => Some("!~"),
        _ => None,
    };
    let error = ParseError::new(
        ErrorKind::UnknownOperator,
        format!("unknown operator '{}'", shorten(symbol)),
        span,
    );
    let error = match (suggestion, symbol) {
        (Some(suggestion), _) => error.with_hint(format!("did you mean '{suggestion}'?")),
        (None, "!") => error.with_hint("use NOT to negate a condition, or '!=' for 'not equal'"),
        (None, _) => error,
    };
    error.expecting(OPERATOR_SYMBOLS.to_vec())
}
