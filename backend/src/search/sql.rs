//! A statement assembled at run time from our own SQL text and typed bind parameters.
//!
//! The search compiler needs CTEs, sub-selects and `EXPLAIN`, which diesel's query
//! builder cannot say; this is the smallest piece that can, without ever putting a
//! value into the SQL text: every value is a [`Bind`], sent as a parameter.

use std::collections::BTreeSet;
use std::marker::PhantomData;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::QueryResult;
use diesel::expression::{AppearsOnTable, Expression, SelectableExpression, ValidGrouping};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{
    Array, BigInt, Bool, Date, Double, Int2, Int4, Text, Timestamptz, Uuid as SqlUuid,
};
use uuid::Uuid;

/// Names that are resolved to ids before the statement runs (one round trip for all).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum NameKind {
    /// Project keys, upper case.
    Project,
    /// Status names, lower case: every workflow's status of that name.
    Status,
    /// `todo`, `in_progress` or `done`: every status of that category.
    Category,
    /// User logins.
    Login,
    /// Membership roles (`membersOf("admin")`): their users.
    Role,
    /// Sprint names, lower case: every sprint of that name (any project).
    Sprint,
    /// Component names, lower case: every component of that name (any project).
    Component,
    /// Custom field numbers (`10001`): the field's id.
    CustomField,
    /// `number:value` of a custom field's option, the value lower case: its id.
    CustomOption,
}

impl NameKind {
    pub(crate) const ALL: [NameKind; 9] = [
        Self::Project,
        Self::Status,
        Self::Category,
        Self::Login,
        Self::Role,
        Self::Sprint,
        Self::Component,
        Self::CustomField,
        Self::CustomOption,
    ];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Project => "project",
            Self::Status => "status",
            Self::Category => "category",
            Self::Login => "login",
            Self::Role => "role",
            Self::Sprint => "sprint",
            Self::Component => "component",
            Self::CustomField => "custom_field",
            Self::CustomOption => "custom_option",
        }
    }
}

/// A bind parameter.
#[derive(Debug, Clone)]
pub(crate) enum Bind {
    Uuid(Uuid),
    Uuids(Vec<Uuid>),
    Text(String),
    Texts(Vec<String>),
    Int2(i16),
    Int2s(Vec<i16>),
    Int4(i32),
    Int8(i64),
    Float8(f64),
    Timestamptz(DateTime<Utc>),
    Date(NaiveDate),
    /// Names of one kind, bound as the `uuid[]` of their ids once resolved.
    Names(NameKind, Vec<String>),
}

impl Bind {
    /// A single uuid as a one-element list, for `= ANY(...)`; other binds unchanged.
    pub(crate) fn into_list(self) -> Bind {
        match self {
            Bind::Uuid(id) => Bind::Uuids(vec![id]),
            other => other,
        }
    }
}

#[derive(Debug, Clone)]
enum Part {
    Text(String),
    Bind(Bind),
    /// `column = ANY(ids of names)` (`<> ALL` when negated), resolved like
    /// [`Bind::Names`].
    In {
        column: String,
        negated: bool,
        kind: NameKind,
        names: Vec<String>,
    },
}

/// SQL text with typed binds in between.
#[derive(Debug, Clone, Default)]
pub(crate) struct Sql {
    parts: Vec<Part>,
}

impl Sql {
    /// Our own SQL text (never a value).
    pub(crate) fn new(text: &str) -> Self {
        let mut sql = Self::default();
        sql.push(text);
        sql
    }

    pub(crate) fn push(&mut self, text: &str) -> &mut Self {
        if let Some(Part::Text(last)) = self.parts.last_mut() {
            last.push_str(text);
        } else {
            self.parts.push(Part::Text(text.to_owned()));
        }
        self
    }

    pub(crate) fn bind(&mut self, value: Bind) -> &mut Self {
        self.parts.push(Part::Bind(value));
        self
    }

    /// `column = ANY(...)` (or `<> ALL(...)`) over the ids of `names` (see [`Sql::resolve`]).
    pub(crate) fn push_in(
        &mut self,
        column: &str,
        negated: bool,
        kind: NameKind,
        names: Vec<String>,
    ) -> &mut Self {
        self.parts.push(Part::In {
            column: column.to_owned(),
            negated,
            kind,
            names,
        });
        self
    }

    pub(crate) fn append(&mut self, other: &Sql) -> &mut Self {
        for part in &other.parts {
            match part {
                Part::Text(text) => {
                    self.push(text);
                }
                other => self.parts.push(other.clone()),
            }
        }
        self
    }

    /// `self` with a builder step applied (for one-expression fragments).
    pub(crate) fn with(mut self, f: impl FnOnce(&mut Self)) -> Self {
        f(&mut self);
        self
    }

    /// Every name this statement needs resolved.
    pub(crate) fn names(&self, out: &mut BTreeSet<(NameKind, String)>) {
        for part in &self.parts {
            if let Part::Bind(Bind::Names(kind, names)) | Part::In { kind, names, .. } = part {
                out.extend(names.iter().map(|n| (*kind, n.clone())));
            }
        }
    }

    /// Replaces every [`Bind::Names`] with the ids `lookup` gives (unknown names have
    /// none). A name test matching one id becomes `column = $1`: an index can return
    /// rows in order for that, not for `= ANY($1)` (PostgreSQL before 17).
    pub(crate) fn resolve(&mut self, lookup: &dyn Fn(NameKind, &str) -> Vec<Uuid>) {
        let ids = |kind: NameKind, names: &[String]| {
            let mut ids: Vec<Uuid> = names.iter().flat_map(|n| lookup(kind, n)).collect();
            ids.sort_unstable();
            ids.dedup();
            ids
        };
        let mut out = Sql::default();
        for part in std::mem::take(&mut self.parts) {
            match part {
                Part::Text(text) => {
                    out.push(&text);
                }
                Part::Bind(Bind::Names(kind, names)) => {
                    out.bind(Bind::Uuids(ids(kind, &names)));
                }
                Part::Bind(other) => {
                    out.bind(other);
                }
                Part::In {
                    column,
                    negated,
                    kind,
                    names,
                } => match ids(kind, &names).as_slice() {
                    [one] => {
                        let op = if negated { "<>" } else { "=" };
                        out.push(&format!("{column} {op} ")).bind(Bind::Uuid(*one));
                    }
                    many => {
                        let op = if negated { "<> ALL(" } else { "= ANY(" };
                        out.push(&format!("{column} {op}"))
                            .bind(Bind::Uuids(many.to_vec()))
                            .push(")");
                    }
                },
            }
        }
        *self = out;
    }

    /// The statement, typed as returning rows of `ST`.
    pub(crate) fn query<ST>(self) -> Statement<ST> {
        Statement {
            sql: self,
            row: PhantomData,
        }
    }
}

fn unresolved() -> diesel::result::Error {
    diesel::result::Error::QueryBuilderError("search names were not resolved".into())
}

impl QueryId for Sql {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl QueryFragment<Pg> for Sql {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        // The text varies with the query: never worth a cached prepared statement, and
        // an unnamed statement is planned with the actual values (custom plan).
        out.unsafe_to_cache_prepared();
        for part in &self.parts {
            match part {
                Part::Text(text) => out.push_sql(text),
                Part::Bind(bind) => match bind {
                    Bind::Uuid(v) => out.push_bind_param::<SqlUuid, _>(v)?,
                    Bind::Uuids(v) => out.push_bind_param::<Array<SqlUuid>, _>(v)?,
                    Bind::Text(v) => out.push_bind_param::<Text, _>(v)?,
                    Bind::Texts(v) => out.push_bind_param::<Array<Text>, _>(v)?,
                    Bind::Int2(v) => out.push_bind_param::<Int2, _>(v)?,
                    Bind::Int2s(v) => out.push_bind_param::<Array<Int2>, _>(v)?,
                    Bind::Int4(v) => out.push_bind_param::<Int4, _>(v)?,
                    Bind::Int8(v) => out.push_bind_param::<BigInt, _>(v)?,
                    Bind::Float8(v) => out.push_bind_param::<Double, _>(v)?,
                    Bind::Timestamptz(v) => out.push_bind_param::<Timestamptz, _>(v)?,
                    Bind::Date(v) => out.push_bind_param::<Date, _>(v)?,
                    Bind::Names(..) => return Err(unresolved()),
                },
                Part::In { .. } => return Err(unresolved()),
            }
        }
        Ok(())
    }
}

/// A [`Sql`] used as a boolean condition inside a diesel query.
impl Expression for Sql {
    type SqlType = Bool;
}

impl<QS> AppearsOnTable<QS> for Sql {}

impl<QS> SelectableExpression<QS> for Sql {}

impl<GB> ValidGrouping<GB> for Sql {
    type IsAggregate = diesel::expression::is_aggregate::Never;
}

/// A whole statement returning rows of `ST`.
pub(crate) struct Statement<ST> {
    sql: Sql,
    row: PhantomData<ST>,
}

impl<ST> QueryId for Statement<ST> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<ST> QueryFragment<Pg> for Statement<ST> {
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.sql.walk_ast(out)
    }
}

impl<ST: 'static> Query for Statement<ST> {
    type SqlType = ST;
}

/// `EXPLAIN (ANALYZE, BUFFERS)` of any query: the same statement, the same binds.
pub(crate) struct Explain<Q>(pub Q);

impl<Q> QueryId for Explain<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q: QueryFragment<Pg>> QueryFragment<Pg> for Explain<Q> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.unsafe_to_cache_prepared();
        out.push_sql("EXPLAIN (ANALYZE, BUFFERS) ");
        self.0.walk_ast(out)
    }
}

impl<Q> Query for Explain<Q> {
    type SqlType = Text;
}
