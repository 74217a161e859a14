//! The typed, checked query that [`crate::parse`] returns, and its canonical JQL printing.

use std::fmt;

use chrono::{NaiveDate, NaiveDateTime};

use crate::text::TextQuery;

/// A parsed and validated JQL query.
///
/// `Display` prints canonical JQL: field names in their canonical spelling, keywords in
/// upper case, strings always double-quoted, the minimum of parentheses. Parsing the
/// printed form gives back the same query (spans aside), as long as it still fits in
/// [`crate::MAX_QUERY_CHARS`]: keep the user's own text if you need to re-parse it later.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    /// The filter; `None` for an empty query, which matches everything (as in Jira).
    pub clause: Option<Clause>,
    /// The `ORDER BY` keys as written; empty when the query has no `ORDER BY`.
    pub order_by: Vec<OrderKey>,
}

impl Query {
    /// The order to apply: the query's own `ORDER BY`, or [`DEFAULT_ORDER`] (`created DESC`).
    ///
    /// ```
    /// let query = jql::parse("status = Done").unwrap();
    /// assert_eq!(query.order_or_default(), jql::DEFAULT_ORDER);
    /// ```
    pub fn order_or_default(&self) -> &[OrderKey] {
        if self.order_by.is_empty() {
            DEFAULT_ORDER
        } else {
            &self.order_by
        }
    }
}

/// The order of a query without `ORDER BY`: newest first, as in Jira.
pub const DEFAULT_ORDER: &[OrderKey] = &[OrderKey {
    field: Field::Created,
    direction: Direction::Desc,
}];

/// A boolean combination of comparisons.
///
/// `And` and `Or` always hold at least two clauses and never hold a clause of their own
/// kind: `a AND (b AND c)` is `And([a, b, c])`. Nesting is at most [`crate::MAX_DEPTH`]
/// deep, so recursive walks over a clause cannot overflow the stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clause {
    And(Vec<Clause>),
    Or(Vec<Clause>),
    Not(Box<Clause>),
    Compare(Comparison),
    /// `field WAS ...` or `field CHANGED ...`: a test on the ticket's past values.
    History(History),
}

/// A history test, already checked: `status WAS "In Progress" BY bob DURING (a, b)`,
/// `assignee CHANGED FROM EMPTY TO currentUser() AFTER -7d`. Only the fields whose
/// every value is recorded take part (see [`Field::has_history`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct History {
    pub field: Field,
    pub op: HistoryOp,
    /// The value (`WAS`, `WAS NOT`), a [`Value::List`] (`WAS IN`, `WAS NOT IN`) or
    /// [`Value::Empty`]; `None` for `CHANGED`.
    pub value: Option<Value>,
    /// At most one of each kind, in the order written.
    pub predicates: Vec<Predicate>,
    /// The whole test in the input.
    pub span: Span,
    /// The value in the input (the operator for `CHANGED`), for errors found later.
    pub value_span: Span,
}

/// The history operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HistoryOp {
    /// The field had the value at some time (its current value included), within the
    /// predicates' bounds.
    Was,
    /// `NOT (... WAS ...)`: never had the value within the bounds.
    WasNot,
    /// `WAS IN (...)`: had one of the values.
    WasIn,
    /// `WAS NOT IN (...)`: had none of the values.
    WasNotIn,
    /// The field's value was changed (creation is not a change), within the bounds.
    Changed,
}

impl HistoryOp {
    /// The operator as written in canonical JQL.
    pub fn symbol(self) -> &'static str {
        match self {
            HistoryOp::Was => "WAS",
            HistoryOp::WasNot => "WAS NOT",
            HistoryOp::WasIn => "WAS IN",
            HistoryOp::WasNotIn => "WAS NOT IN",
            HistoryOp::Changed => "CHANGED",
        }
    }

    /// Whether the operator is the negation of a positive one.
    pub fn is_negative(self) -> bool {
        matches!(self, HistoryOp::WasNot | HistoryOp::WasNotIn)
    }
}

/// One bound of a history test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Predicate {
    pub kind: PredicateKind,
    /// A field value (`FROM`, `TO`; possibly [`Value::Empty`]), a user or user list
    /// (`BY`), a date (`AFTER`, `BEFORE`, `ON`) or a [`Value::List`] of two dates
    /// (`DURING`).
    pub value: Value,
    /// The predicate's value in the input, for errors found later (an unknown user).
    pub value_span: Span,
}

/// The kinds of history predicates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PredicateKind {
    /// `CHANGED FROM value`: the value before the change.
    From,
    /// `CHANGED TO value`: the value after the change.
    To,
    /// Who set the value (`WAS`) or made the change (`CHANGED`).
    By,
    /// `WAS`: held after the moment; `CHANGED`: changed after it.
    After,
    /// `WAS`: held before the moment; `CHANGED`: changed before it.
    Before,
    /// Held, or changed, during that day.
    On,
    /// Held, or changed, between the two moments.
    During,
}

impl PredicateKind {
    /// Every kind, in the order error messages list them.
    pub const ALL: &[PredicateKind] = &[
        PredicateKind::From,
        PredicateKind::To,
        PredicateKind::By,
        PredicateKind::After,
        PredicateKind::Before,
        PredicateKind::On,
        PredicateKind::During,
    ];

    /// The keyword, as printed.
    pub fn keyword(self) -> &'static str {
        match self {
            PredicateKind::From => "FROM",
            PredicateKind::To => "TO",
            PredicateKind::By => "BY",
            PredicateKind::After => "AFTER",
            PredicateKind::Before => "BEFORE",
            PredicateKind::On => "ON",
            PredicateKind::During => "DURING",
        }
    }

    pub(crate) fn from_keyword(word: &str) -> Option<PredicateKind> {
        PredicateKind::ALL
            .iter()
            .copied()
            .find(|kind| kind.keyword().eq_ignore_ascii_case(word))
    }

    /// Whether the predicate takes a moment (or two, for `DURING`).
    pub fn is_time(self) -> bool {
        matches!(
            self,
            PredicateKind::After
                | PredicateKind::Before
                | PredicateKind::On
                | PredicateKind::During
        )
    }
}

/// One `field operator value` test, already checked: the operator is valid for the field
/// and the value has the type the field needs (see [`Value`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    pub field: Field,
    pub op: Operator,
    pub value: Value,
    /// The whole comparison in the input; the field name starts at `span.start`.
    pub span: Span,
    /// The value in the input (a whole list for `IN`), for errors found later, such as an
    /// unknown status or user.
    pub value_span: Span,
}

impl Comparison {
    /// For `~` and `!~`, the search text split into terms, Jira style; `None` otherwise.
    ///
    /// ```
    /// use jql::{Clause, Term};
    /// let query = jql::parse(r#"summary ~ "login fail*""#).unwrap();
    /// let Some(Clause::Compare(cmp)) = &query.clause else { unreachable!() };
    /// let terms = cmp.text_query().unwrap().terms;
    /// assert_eq!(terms, [Term::Word("login".into()), Term::Prefix("fail".into())]);
    /// ```
    pub fn text_query(&self) -> Option<TextQuery> {
        match (&self.op, &self.value) {
            (Operator::Contains | Operator::NotContains, Value::String(text)) => {
                Some(TextQuery::parse(text))
            }
            _ => None,
        }
    }
}

/// A position in the query text: 1-based columns counted in characters (not bytes);
/// `end` is the column just past the last character.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub(crate) fn to(self, other: Span) -> Span {
        Span {
            start: self.start,
            end: other.end,
        }
    }
}

/// The kind of data a field holds, which decides its operators and value types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FieldKind {
    /// Free text, searched with `~`.
    Text,
    Date,
    User,
    /// Compared by name or id; `priority` is also ordered.
    Named,
}

/// A searchable field; aliases (`issuekey`, `issuetype`, `duedate`) map to one variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Project,
    Key,
    Summary,
    Description,
    Comment,
    Text,
    Status,
    StatusCategory,
    Type,
    Priority,
    Assignee,
    Reporter,
    Labels,
    Component,
    Parent,
    Created,
    Updated,
    Resolved,
    Due,
    Watcher,
    /// The sprints a ticket is or was in.
    Sprint,
    /// The backlog order: `ORDER BY rank` only.
    Rank,
    StoryPoints,
    OriginalEstimate,
    StartDate,
    /// Minutes logged in worklogs (`timeSpent > "2h"`).
    TimeSpent,
    /// Minutes of work left.
    RemainingEstimate,
    /// Who logged time on the ticket.
    WorklogAuthor,
    /// When logged work started.
    WorklogDate,
    /// An organization's own field, written `cf[10001]` or by its name in quotes; the
    /// parser knows it only through the [`CustomFields`] it is given.
    Custom(CustomField),
}

/// The type of an organization's own field, which decides its operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CustomKind {
    /// Free text: `~`, `!~`, `IS EMPTY`.
    Text,
    /// A number: `=`, `!=`, `>`, `<`, `IN`, `IS EMPTY`.
    Number,
    /// A calendar date: compared like `due`.
    Date,
    /// One option of a list: `=`, `!=`, `IN`, `IS EMPTY` by the option's value.
    Select,
    /// Several options of a list: as `Select`, matching a ticket with any of them.
    MultiSelect,
    /// A member: like `assignee`.
    User,
}

/// A custom field as a query names it: its number (the `10001` of `cf[10001]`) and type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CustomField {
    pub number: u32,
    pub kind: CustomKind,
}

/// The custom fields a query may name: the organization's, given to [`crate::parse_with`].
/// Names are matched ignoring case; a system field of the same name wins.
#[derive(Debug, Clone, Default)]
pub struct CustomFields {
    fields: Vec<(String, CustomField)>,
}

impl CustomFields {
    /// A catalog of `(name, field)` pairs.
    pub fn new(fields: impl IntoIterator<Item = (String, CustomField)>) -> Self {
        Self {
            fields: fields.into_iter().collect(),
        }
    }

    /// Whether the catalog is empty.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The field written `name`: `cf[10001]` by number, else by name ignoring case.
    pub fn find(&self, name: &str) -> Option<CustomField> {
        if let Some(number) = custom_number(name) {
            return self
                .fields
                .iter()
                .map(|(_, f)| *f)
                .find(|f| f.number == number);
        }
        self.fields
            .iter()
            .find(|(n, _)| n.to_lowercase() == name.to_lowercase())
            .map(|(_, f)| *f)
    }

    /// The field's name, for messages.
    pub fn name_of(&self, number: u32) -> Option<&str> {
        self.fields
            .iter()
            .find(|(_, f)| f.number == number)
            .map(|(n, _)| n.as_str())
    }

    /// Every field, with its name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, CustomField)> {
        self.fields.iter().map(|(n, f)| (n.as_str(), *f))
    }

    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().map(|(n, _)| n.as_str())
    }
}

/// The number in `cf[10001]` (any case), if `name` has that form.
pub fn custom_number(name: &str) -> Option<u32> {
    let inner = name
        .get(..3)
        .filter(|p| p.eq_ignore_ascii_case("cf["))
        .and(name.get(3..))?
        .strip_suffix(']')?;
    if inner.is_empty() || !inner.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    inner.parse().ok()
}

impl Field {
    /// Every field, in the order error messages and autocomplete list them.
    pub const ALL: &[Field] = &[
        Field::Project,
        Field::Key,
        Field::Summary,
        Field::Description,
        Field::Comment,
        Field::Text,
        Field::Status,
        Field::StatusCategory,
        Field::Type,
        Field::Priority,
        Field::Assignee,
        Field::Reporter,
        Field::Labels,
        Field::Component,
        Field::Parent,
        Field::Created,
        Field::Updated,
        Field::Resolved,
        Field::Due,
        Field::Watcher,
        Field::Sprint,
        Field::Rank,
        Field::StoryPoints,
        Field::OriginalEstimate,
        Field::StartDate,
        Field::TimeSpent,
        Field::RemainingEstimate,
        Field::WorklogAuthor,
        Field::WorklogDate,
    ];

    /// Alternative spellings accepted for some fields.
    const ALIASES: &[(&str, Field)] = &[
        ("issuekey", Field::Key),
        ("issue", Field::Key),
        ("issuetype", Field::Type),
        ("duedate", Field::Due),
        // Jira's epic field; here an epic is simply the parent.
        ("epic link", Field::Parent),
        ("story points", Field::StoryPoints),
    ];

    /// The canonical name, as printed.
    pub fn name(self) -> &'static str {
        match self {
            Field::Project => "project",
            Field::Key => "key",
            Field::Summary => "summary",
            Field::Description => "description",
            Field::Comment => "comment",
            Field::Text => "text",
            Field::Status => "status",
            Field::StatusCategory => "statusCategory",
            Field::Type => "type",
            Field::Priority => "priority",
            Field::Assignee => "assignee",
            Field::Reporter => "reporter",
            Field::Labels => "labels",
            Field::Component => "component",
            Field::Parent => "parent",
            Field::Created => "created",
            Field::Updated => "updated",
            Field::Resolved => "resolved",
            Field::Due => "due",
            Field::Watcher => "watcher",
            Field::Sprint => "sprint",
            Field::Rank => "rank",
            Field::StoryPoints => "storyPoints",
            Field::OriginalEstimate => "originalEstimate",
            Field::StartDate => "startDate",
            Field::TimeSpent => "timeSpent",
            Field::RemainingEstimate => "remainingEstimate",
            Field::WorklogAuthor => "worklogAuthor",
            Field::WorklogDate => "worklogDate",
            Field::Custom(_) => "cf",
        }
    }

    /// Looks a field up by name or alias, ignoring case.
    ///
    /// ```
    /// assert_eq!(jql::Field::from_name("IssueType"), Some(jql::Field::Type));
    /// ```
    pub fn from_name(name: &str) -> Option<Field> {
        Field::ALL
            .iter()
            .map(|&field| (field.name(), field))
            .chain(Field::ALIASES.iter().copied())
            .find(|(candidate, _)| candidate.eq_ignore_ascii_case(name))
            .map(|(_, field)| field)
    }

    /// Every accepted spelling (canonical names, then aliases), for suggestions.
    pub(crate) fn spellings() -> impl Iterator<Item = &'static str> {
        Field::ALL
            .iter()
            .map(|field| field.name())
            .chain(Field::ALIASES.iter().map(|(alias, _)| *alias))
    }

    pub(crate) fn kind(self) -> FieldKind {
        match self {
            Field::Custom(custom) => match custom.kind {
                CustomKind::Text => FieldKind::Text,
                CustomKind::Date => FieldKind::Date,
                CustomKind::User => FieldKind::User,
                CustomKind::Number | CustomKind::Select | CustomKind::MultiSelect => {
                    FieldKind::Named
                }
            },
            Field::Summary | Field::Description | Field::Comment | Field::Text => FieldKind::Text,
            Field::Created
            | Field::Updated
            | Field::Resolved
            | Field::Due
            | Field::StartDate
            | Field::WorklogDate => FieldKind::Date,
            Field::Assignee | Field::Reporter | Field::Watcher | Field::WorklogAuthor => {
                FieldKind::User
            }
            Field::Project
            | Field::Key
            | Field::Status
            | Field::StatusCategory
            | Field::Type
            | Field::Priority
            | Field::Labels
            | Field::Component
            | Field::Parent
            | Field::Sprint
            | Field::Rank
            | Field::StoryPoints
            | Field::OriginalEstimate
            | Field::TimeSpent
            | Field::RemainingEstimate => FieldKind::Named,
        }
    }

    /// Whether a ticket can lack a value, so `IS EMPTY` makes sense.
    pub fn can_be_empty(self) -> bool {
        matches!(
            self,
            Field::Custom(_)
                | Field::Assignee
                | Field::Due
                | Field::Resolved
                | Field::Labels
                | Field::Component
                | Field::Parent
                | Field::Description
                | Field::Sprint
                | Field::StoryPoints
                | Field::OriginalEstimate
                | Field::StartDate
                | Field::RemainingEstimate
        )
    }

    /// Whether values are durations in minutes, also written Jira's way (`"2h 30m"`,
    /// `1d`, `1w`; see [`crate::duration_minutes`]).
    pub fn is_duration(self) -> bool {
        matches!(
            self,
            Field::OriginalEstimate | Field::TimeSpent | Field::RemainingEstimate
        )
    }

    /// Whether every value of the field is recorded, so `WAS` and `CHANGED` work with it
    /// (Jira also tracks reporter, resolution and fix versions; Trellis has no such
    /// changes to record).
    pub fn has_history(self) -> bool {
        matches!(self, Field::Status | Field::Assignee | Field::Priority)
    }

    /// Whether `ORDER BY` accepts the field. Multi-valued and long-text fields do not
    /// sort meaningfully (Jira refuses `text`, `comment`, `description`, `labels`, `watcher`).
    pub fn is_orderable(self) -> bool {
        !matches!(
            self,
            Field::Text
                | Field::Comment
                | Field::Description
                | Field::Labels
                | Field::Watcher
                | Field::Sprint
                | Field::WorklogAuthor
                | Field::WorklogDate
                | Field::Custom(CustomField {
                    kind: CustomKind::MultiSelect,
                    ..
                })
        )
    }

    /// The operators valid with this field, for validation and autocomplete.
    ///
    /// ```
    /// use jql::{Field, Operator};
    /// assert!(Field::Summary.operators().contains(&Operator::Contains));
    /// assert!(!Field::Status.operators().contains(&Operator::Gt));
    /// ```
    pub fn operators(self) -> &'static [Operator] {
        use Operator::*;
        const TEXT: &[Operator] = &[Contains, NotContains];
        const TEXT_EMPTY: &[Operator] = &[Contains, NotContains, Is, IsNot];
        const ORDERED: &[Operator] = &[Eq, NotEq, Gt, Ge, Lt, Le, In, NotIn];
        const ORDERED_EMPTY: &[Operator] = &[Eq, NotEq, Gt, Ge, Lt, Le, In, NotIn, Is, IsNot];
        const EQUALITY: &[Operator] = &[Eq, NotEq, In, NotIn];
        const EQUALITY_EMPTY: &[Operator] = &[Eq, NotEq, In, NotIn, Is, IsNot];
        if self == Field::Rank {
            // Only `ORDER BY rank`, as in Jira.
            return &[];
        }
        // Keys compare within their project (`key > WEB-10`), as in Jira.
        let ordered = self.kind() == FieldKind::Date
            || matches!(
                self,
                Field::Priority
                    | Field::Key
                    | Field::StoryPoints
                    | Field::OriginalEstimate
                    | Field::TimeSpent
                    | Field::RemainingEstimate
                    | Field::Custom(CustomField {
                        kind: CustomKind::Number,
                        ..
                    })
            );
        match (self.kind(), ordered, self.can_be_empty()) {
            (FieldKind::Text, _, false) => TEXT,
            (FieldKind::Text, _, true) => TEXT_EMPTY,
            (_, true, false) => ORDERED,
            (_, true, true) => ORDERED_EMPTY,
            (_, false, false) => EQUALITY,
            (_, false, true) => EQUALITY_EMPTY,
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Field::Custom(custom) => write!(f, "cf[{}]", custom.number),
            other => f.write_str(other.name()),
        }
    }
}

/// A comparison operator. `= EMPTY` and `!= EMPTY` are normalised to `Is` and `IsNot`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operator {
    /// `=`
    Eq,
    /// `!=`; like Jira, it does not match tickets where the field is empty.
    NotEq,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `~`, text search; see [`Comparison::text_query`].
    Contains,
    /// `!~`
    NotContains,
    /// `IN`, with a [`Value::List`] or a list function such as `membersOf`.
    In,
    /// `NOT IN`; like Jira, it does not match tickets where the field is empty.
    NotIn,
    /// `IS`, always with [`Value::Empty`].
    Is,
    /// `IS NOT`, always with [`Value::Empty`].
    IsNot,
}

impl Operator {
    /// The operator as written in canonical JQL.
    pub fn symbol(self) -> &'static str {
        match self {
            Operator::Eq => "=",
            Operator::NotEq => "!=",
            Operator::Gt => ">",
            Operator::Ge => ">=",
            Operator::Lt => "<",
            Operator::Le => "<=",
            Operator::Contains => "~",
            Operator::NotContains => "!~",
            Operator::In => "IN",
            Operator::NotIn => "NOT IN",
            Operator::Is => "IS",
            Operator::IsNot => "IS NOT",
        }
    }

    pub(crate) fn is_symbolic(self) -> bool {
        !matches!(
            self,
            Operator::In | Operator::NotIn | Operator::Is | Operator::IsNot
        )
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

/// A typed value. Which variants can appear depends on the field:
///
/// - text fields (`~`): `String` only;
/// - date fields: `Date`, `DateTime`, `RelativeDate`, or a date `Function`;
/// - user fields: `String`, or `Function` `currentUser()` (and `membersOf(..)` after `IN`);
/// - other fields: `String`, or `Number` for an unquoted integer (`project = 10000`);
/// - `List` after `IN`/`NOT IN`, holding single values of the above (and `Empty` when
///   the field can be empty); `Empty` alone after `IS`/`IS NOT`.
///
/// Quoting forces a string: `key = "12"` is `String("12")`, `key = 12` is `Number(12)`.
/// Dates are read in a date field's value only (`created > "2026-11-25"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    String(String),
    Number(i64),
    /// Relative to now: `-7d` is seven days ago. Use checked arithmetic when applying
    /// it: `amount` is any `i64`.
    RelativeDate {
        amount: i64,
        unit: DateUnit,
    },
    /// `yyyy-MM-dd` or `yyyy/MM/dd`, in the searching user's time zone.
    Date(NaiveDate),
    /// `yyyy-MM-dd HH:mm` or `yyyy/MM/dd HH:mm`, in the searching user's time zone.
    DateTime(NaiveDateTime),
    Function {
        name: Function,
        arg: Option<FunctionArg>,
    },
    /// `EMPTY` or `NULL`.
    Empty,
    List(Vec<Value>),
}

/// The unit of a relative date or a date function offset. `M` is months, `m` minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DateUnit {
    Year,
    Month,
    Week,
    Day,
    Hour,
    Minute,
}

impl DateUnit {
    /// The Jira letter: `y`, `M`, `w`, `d`, `h`, `m`.
    pub fn letter(self) -> char {
        match self {
            DateUnit::Year => 'y',
            DateUnit::Month => 'M',
            DateUnit::Week => 'w',
            DateUnit::Day => 'd',
            DateUnit::Hour => 'h',
            DateUnit::Minute => 'm',
        }
    }

    pub(crate) fn from_letter(letter: char) -> Option<DateUnit> {
        [
            DateUnit::Year,
            DateUnit::Month,
            DateUnit::Week,
            DateUnit::Day,
            DateUnit::Hour,
            DateUnit::Minute,
        ]
        .into_iter()
        .find(|unit| unit.letter() == letter)
    }
}

/// A JQL function. Names are matched ignoring case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Function {
    /// The searching user; user fields only.
    CurrentUser,
    /// The members of a group or role; user fields with `IN`/`NOT IN` only.
    MembersOf,
    Now,
    StartOfDay,
    StartOfWeek,
    StartOfMonth,
    StartOfYear,
    EndOfDay,
    EndOfWeek,
    EndOfMonth,
    EndOfYear,
    /// Future and active sprints; `sprint IN`/`NOT IN` only.
    OpenSprints,
    /// Completed sprints; `sprint IN`/`NOT IN` only.
    ClosedSprints,
    /// The tickets linked to one ticket, optionally by one link phrase:
    /// `issue IN linkedIssues(WEB-1, "blocks")`.
    LinkedIssues,
    /// The tickets the searching user watches: `issue IN watchedIssues()`.
    WatchedIssues,
}

impl Function {
    /// Every function, in the order error messages and autocomplete list them.
    pub const ALL: &[Function] = &[
        Function::CurrentUser,
        Function::MembersOf,
        Function::Now,
        Function::StartOfDay,
        Function::StartOfWeek,
        Function::StartOfMonth,
        Function::StartOfYear,
        Function::EndOfDay,
        Function::EndOfWeek,
        Function::EndOfMonth,
        Function::EndOfYear,
        Function::OpenSprints,
        Function::ClosedSprints,
        Function::LinkedIssues,
        Function::WatchedIssues,
    ];

    /// The canonical name, as printed (without parentheses).
    pub fn name(self) -> &'static str {
        match self {
            Function::CurrentUser => "currentUser",
            Function::MembersOf => "membersOf",
            Function::Now => "now",
            Function::StartOfDay => "startOfDay",
            Function::StartOfWeek => "startOfWeek",
            Function::StartOfMonth => "startOfMonth",
            Function::StartOfYear => "startOfYear",
            Function::EndOfDay => "endOfDay",
            Function::EndOfWeek => "endOfWeek",
            Function::EndOfMonth => "endOfMonth",
            Function::EndOfYear => "endOfYear",
            Function::OpenSprints => "openSprints",
            Function::ClosedSprints => "closedSprints",
            Function::LinkedIssues => "linkedIssues",
            Function::WatchedIssues => "watchedIssues",
        }
    }

    pub(crate) fn from_name(name: &str) -> Option<Function> {
        Function::ALL
            .iter()
            .copied()
            .find(|function| function.name().eq_ignore_ascii_case(name))
    }

    /// For `startOf*`/`endOf*`, the unit of an offset given without one:
    /// `startOfWeek(-1)` is the start of last week.
    pub fn period(self) -> Option<DateUnit> {
        match self {
            Function::StartOfDay | Function::EndOfDay => Some(DateUnit::Day),
            Function::StartOfWeek | Function::EndOfWeek => Some(DateUnit::Week),
            Function::StartOfMonth | Function::EndOfMonth => Some(DateUnit::Month),
            Function::StartOfYear | Function::EndOfYear => Some(DateUnit::Year),
            Function::CurrentUser
            | Function::MembersOf
            | Function::Now
            | Function::OpenSprints
            | Function::ClosedSprints
            | Function::LinkedIssues
            | Function::WatchedIssues => None,
        }
    }

    /// Whether the function returns a point in time.
    pub fn is_date(self) -> bool {
        self == Function::Now || self.period().is_some()
    }
}

impl fmt::Display for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The argument of a function call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FunctionArg {
    /// For `startOf*`/`endOf*`: `startOfDay(-1)` is `{ amount: -1, unit: Day }`,
    /// `startOfMonth("+14d")` is `{ amount: 14, unit: Day }`.
    Offset { amount: i64, unit: DateUnit },
    /// For `membersOf`: the group or role name.
    Name(String),
    /// For `linkedIssues`: the ticket key and, if given, the link phrase.
    Link { key: String, link: Option<String> },
}

/// One `ORDER BY` key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OrderKey {
    pub field: Field,
    pub direction: Direction,
}

/// A sort direction; a key without one is ascending, as in Jira.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Direction {
    #[default]
    Asc,
    Desc,
}

impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(clause) = &self.clause {
            write!(f, "{clause}")?;
            if !self.order_by.is_empty() {
                f.write_str(" ")?;
            }
        }
        if !self.order_by.is_empty() {
            f.write_str("ORDER BY ")?;
            for (i, key) in self.order_by.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{key}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for OrderKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let direction = match self.direction {
            Direction::Asc => "ASC",
            Direction::Desc => "DESC",
        };
        write!(f, "{} {direction}", self.field)
    }
}

impl fmt::Display for Clause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // AND binds tighter than OR, so only an OR inside an AND needs parentheses;
            // adding more would make the printed form nest deeper than the input.
            Clause::And(clauses) => {
                write_joined(f, clauses, " AND ", |c| matches!(c, Clause::Or(_)))
            }
            Clause::Or(clauses) => write_joined(f, clauses, " OR ", |_| false),
            Clause::Not(inner) => match **inner {
                Clause::And(_) | Clause::Or(_) => write!(f, "NOT ({inner})"),
                Clause::Not(_) | Clause::Compare(_) | Clause::History(_) => {
                    write!(f, "NOT {inner}")
                }
            },
            Clause::Compare(comparison) => write!(f, "{comparison}"),
            Clause::History(history) => write!(f, "{history}"),
        }
    }
}

impl fmt::Display for History {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.field, self.op.symbol())?;
        if let Some(value) = &self.value {
            write!(f, " {value}")?;
        }
        for predicate in &self.predicates {
            write!(f, " {} {}", predicate.kind.keyword(), predicate.value)?;
        }
        Ok(())
    }
}

fn write_joined(
    f: &mut fmt::Formatter<'_>,
    clauses: &[Clause],
    separator: &str,
    needs_parens: impl Fn(&Clause) -> bool,
) -> fmt::Result {
    for (i, clause) in clauses.iter().enumerate() {
        if i > 0 {
            f.write_str(separator)?;
        }
        if needs_parens(clause) {
            write!(f, "({clause})")?;
        } else {
            write!(f, "{clause}")?;
        }
    }
    Ok(())
}

impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.field, self.op, self.value)
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::String(text) => write_quoted(f, text),
            Value::Number(number) => write!(f, "{number}"),
            Value::RelativeDate { amount, unit } => write!(f, "{amount}{}", unit.letter()),
            Value::Date(date) => write!(f, "\"{}\"", date.format("%Y-%m-%d")),
            Value::DateTime(at) => write!(f, "\"{}\"", at.format("%Y-%m-%d %H:%M")),
            Value::Function { name, arg } => {
                write!(f, "{name}(")?;
                match arg {
                    None => {}
                    Some(FunctionArg::Name(text)) => write_quoted(f, text)?,
                    Some(FunctionArg::Link { key, link }) => {
                        write_quoted(f, key)?;
                        if let Some(link) = link {
                            f.write_str(", ")?;
                            write_quoted(f, link)?;
                        }
                    }
                    Some(FunctionArg::Offset { amount, unit }) => {
                        if name.period() == Some(*unit) {
                            write!(f, "{amount}")?;
                        } else {
                            write!(f, "\"{amount}{}\"", unit.letter())?;
                        }
                    }
                }
                f.write_str(")")
            }
            Value::Empty => f.write_str("EMPTY"),
            Value::List(values) => {
                f.write_str("(")?;
                for (i, value) in values.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{value}")?;
                }
                f.write_str(")")
            }
        }
    }
}

/// Writes a double-quoted JQL string that the lexer reads back to `text`.
fn write_quoted(f: &mut fmt::Formatter<'_>, text: &str) -> fmt::Result {
    f.write_str("\"")?;
    for c in text.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\t' => f.write_str("\\t")?,
            '\r' => f.write_str("\\r")?,
            c if c.is_control() => write!(f, "\\u{:04X}", u32::from(c))?,
            c => write!(f, "{c}")?,
        }
    }
    f.write_str("\"")
}
