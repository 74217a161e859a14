//! JQL (the `jql` crate's checked AST) to SQL over `tickets t`: a boolean condition,
//! the text-search CTEs it needs, an `ORDER BY` and a keyset predicate.
//!
//! The shape is chosen for speed at millions of tickets:
//! - names (project keys, status names and categories, logins, roles) are compiled to
//!   [`Bind::Names`] and resolved to ids in one cheap round trip before the statements
//!   run, so the count and the page filter on `tickets` columns that indexes cover;
//! - each text comparison becomes a CTE over the narrow `ticket_search` table (two GIN
//!   probes, document and comments, OR-ed), joined by ticket id;
//! - sort keys are `tickets` columns where they can be, so an index that leads with
//!   `org_id` and ends with the key and `id` serves `ORDER BY ... LIMIT`.
//!
//! Every value reaches PostgreSQL as a bind parameter; the only text this module puts
//! into SQL is its own column names and operators. Text search uses the
//! `trellis_tsquery` function (`plainto_tsquery`, `phraseto_tsquery`, and `to_tsquery`
//! with `quote_literal` for prefixes), so no user text is parsed as tsquery syntax.

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, Months, NaiveDate, NaiveTime, TimeZone, Utc,
};
use jql::{Clause, Comparison, DateUnit, Field, Function, FunctionArg, Operator, Term, Value};
use serde::{Deserialize, Serialize};
use tenancy::UserId;

use super::sql::{Bind, NameKind, Sql};

mod custom;
mod history;
use crate::http::ApiError;
use crate::projects::ProjectId;
use crate::tickets::{Priority, TicketType};

/// What a query is evaluated against: who asks, and when and where "today" is.
pub(crate) struct Context {
    pub user: UserId,
    pub now: DateTime<Utc>,
    pub zone: FixedOffset,
    /// Projects the caller may not see: their tickets are left out of the results and
    /// the total. Empty means no restriction.
    pub hidden_projects: Vec<ProjectId>,
}

fn error(cmp: &Comparison, message: impl Into<String>) -> ApiError {
    let message = message.into();
    ApiError::bad_request(
        "jql",
        format!("{message} at column {}", cmp.value_span.start),
    )
    .with_field("jql")
    .with_extension("column", cmp.value_span.start.into())
}

/// A compiled condition on `tickets t`.
type Condition = Sql;

fn join(parts: Vec<Condition>, separator: &str, empty: &str) -> Condition {
    if parts.is_empty() {
        return Sql::new(empty);
    }
    let mut out = Sql::new("(");
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push(separator);
        }
        out.append(part);
    }
    out.push(")");
    out
}

fn all(parts: Vec<Condition>) -> Condition {
    join(parts, " AND ", "TRUE")
}

fn any(parts: Vec<Condition>) -> Condition {
    join(parts, " OR ", "FALSE")
}

fn not(c: Condition) -> Condition {
    Sql::new("(NOT ").with(|s| {
        s.append(&c).push(")");
    })
}

/// `text <bind>`: one expression with one value.
fn expr(text: &str, value: Bind) -> Condition {
    Sql::new(text).with(|s| {
        s.bind(value);
    })
}

/// A text comparison whose matches `trellis_text_search(field, terms, kinds)` finds
/// with the GIN indexes (see the migration `search_perf`).
#[derive(Debug, Clone)]
struct TextSearch {
    field: &'static str,
    words: Vec<String>,
    kinds: Vec<String>,
}

/// How text comparisons reach `tickets`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextPlan {
    /// Find the matches first (a materialized CTE per comparison) and join them: right
    /// for a rare term, where a date-ordered page would otherwise walk the date index
    /// hoping to meet one, and for counts.
    MatchesFirst,
    /// Test each row as the sort index yields it (`EXISTS` on `ticket_search`'s primary
    /// key): right for a common term, whose matches fill a page within a few rows.
    PerRow,
}

/// The compiled `WHERE` of a query.
pub(crate) struct Compiled {
    /// Condition on `tickets t` (may refer to the CTEs `text_0`, `text_1`, ...).
    pub condition: Condition,
    /// The CTEs the condition refers to, as `WITH ... ` (or nothing).
    pub ctes: Sql,
    /// When the query is exactly one positive text comparison: the set of its matches,
    /// `trellis_text_search(..)`, which needs no `tickets` (a deleted ticket's vectors
    /// are empty).
    pub text_matches: Option<Sql>,
    /// When the query is exactly one positive custom-field comparison (not text) or
    /// one positive `WAS`/`CHANGED` clause: its matches counted on that table alone,
    /// whose rows know their ticket's project and whether the ticket is live.
    pub lone_count: Option<LoneCount>,
}

/// How to count a lone clause's tickets on its own table: `SELECT count(..) FROM
/// {from} WHERE {alias}.org_id = $org AND {alias}.live AND {rows}` (and not in the
/// hidden projects), the ids distinct when a ticket may have several matching rows.
#[derive(Debug, Clone)]
pub(crate) struct LoneCount {
    pub from: &'static str,
    pub alias: &'static str,
    pub rows: Sql,
    pub distinct: bool,
}

struct Compiler<'a> {
    ctx: &'a Context,
    plan: TextPlan,
    texts: Vec<TextSearch>,
    /// The count of the last positive custom-field or history clause compiled, on its
    /// own rows.
    lone_count: Option<LoneCount>,
}

/// Compiles the query's clause (everything when there is none).
pub(crate) fn compile(
    query: &jql::Query,
    ctx: &Context,
    plan: TextPlan,
) -> Result<Compiled, ApiError> {
    let mut compiler = Compiler {
        ctx,
        plan,
        texts: Vec::new(),
        lone_count: None,
    };
    let condition = match &query.clause {
        Some(clause) => compiler.clause(clause)?,
        None => Sql::new("TRUE"),
    };
    let single = matches!(
        &query.clause,
        Some(Clause::Compare(cmp)) if cmp.op == Operator::Contains
    );
    let mut ctes = Sql::default();
    let mut text_matches = None;
    for (i, text) in compiler.texts.iter().enumerate() {
        let mut call = Sql::new("trellis_text_search(");
        call.bind(Bind::Text(text.field.to_owned()))
            .push(", ")
            .bind(Bind::Texts(text.words.clone()))
            .push(", ")
            .bind(Bind::Texts(text.kinds.clone()))
            .push(")");
        ctes.push(if i == 0 { "WITH " } else { ", " })
            .push(&format!("text_{i} AS MATERIALIZED (SELECT ticket_id FROM "))
            .append(&call)
            .push(") ");
        if single {
            text_matches = Some(call);
        }
    }
    let lone = matches!(&query.clause, Some(Clause::History(_)))
        || matches!(
            &query.clause,
            Some(Clause::Compare(cmp)) if matches!(cmp.field, Field::Custom(_))
        );
    Ok(Compiled {
        condition,
        ctes,
        text_matches,
        lone_count: compiler.lone_count.filter(|_| lone),
    })
}

fn values(value: &Value) -> Vec<&Value> {
    match value {
        Value::List(items) => items.iter().collect(),
        other => vec![other],
    }
}

fn strings(cmp: &Comparison) -> Result<Vec<String>, ApiError> {
    values(&cmp.value)
        .into_iter()
        .map(|v| match v {
            Value::String(s) => Ok(s.clone()),
            Value::Number(n) => Ok(n.to_string()),
            _ => Err(error(cmp, format!("`{}` expects names", cmp.field))),
        })
        .collect()
}

/// `column = ANY($1)` or, for `!=`/`NOT IN`, `column <> ALL($1)`. SQL's NULL logic
/// gives Jira's semantics: a negative test never matches an empty field. One value
/// is compared with `=`/`<>`, which lets an index return rows in order.
fn membership(column: &str, op: Operator, list: Bind) -> Condition {
    let negated = matches!(op, Operator::NotEq | Operator::NotIn);
    let single = match &list {
        Bind::Texts(v) if v.len() == 1 => Some(Bind::Text(v[0].clone())),
        Bind::Int2s(v) if v.len() == 1 => Some(Bind::Int2(v[0])),
        Bind::Uuids(v) if v.len() == 1 => Some(Bind::Uuid(v[0])),
        _ => None,
    };
    match (single, list) {
        (_, Bind::Names(kind, names)) => Sql::default().with(|s| {
            s.push_in(column, negated, kind, names);
        }),
        (Some(one), _) => expr(
            &format!("{column} {} ", if negated { "<>" } else { "=" }),
            one,
        ),
        (None, list) => expr(
            &format!("{column} {}", if negated { "<> ALL(" } else { "= ANY(" }),
            list,
        )
        .with(|s| {
            s.push(")");
        }),
    }
}

fn is_negative(op: Operator) -> bool {
    matches!(
        op,
        Operator::NotEq | Operator::NotIn | Operator::NotContains | Operator::IsNot
    )
}

impl Compiler<'_> {
    fn clause(&mut self, clause: &Clause) -> Result<Condition, ApiError> {
        Ok(match clause {
            Clause::And(clauses) => all(clauses
                .iter()
                .map(|c| self.clause(c))
                .collect::<Result<_, _>>()?),
            Clause::Or(clauses) => any(clauses
                .iter()
                .map(|c| self.clause(c))
                .collect::<Result<_, _>>()?),
            Clause::Not(inner) => not(self.clause(inner)?),
            Clause::Compare(cmp) => self.comparison(cmp)?,
            Clause::History(history) => {
                let (condition, lone) = history::condition(history, self.ctx)?;
                self.lone_count = lone;
                condition
            }
        })
    }

    fn comparison(&mut self, cmp: &Comparison) -> Result<Condition, ApiError> {
        let op = cmp.op;
        Ok(match cmp.field {
            Field::Project => membership(
                "t.project_id",
                op,
                Bind::Names(
                    NameKind::Project,
                    strings(cmp)?
                        .iter()
                        .map(|s| s.to_ascii_uppercase())
                        .collect(),
                ),
            ),
            Field::Key => key(cmp, self.ctx)?,
            Field::Summary | Field::Description | Field::Comment | Field::Text => self.text(cmp)?,
            Field::Status => membership(
                "t.status_id",
                op,
                Bind::Names(
                    NameKind::Status,
                    strings(cmp)?.iter().map(|s| s.to_lowercase()).collect(),
                ),
            ),
            Field::StatusCategory => {
                let categories = strings(cmp)?
                    .iter()
                    .map(
                        |s| match s.to_lowercase().replace(['_', '-'], " ").as_str() {
                            "to do" | "todo" | "new" => Ok("todo".to_owned()),
                            "in progress" | "indeterminate" => Ok("in_progress".to_owned()),
                            "done" | "complete" => Ok("done".to_owned()),
                            other => Err(error(cmp, format!("unknown status category `{other}`"))),
                        },
                    )
                    .collect::<Result<Vec<String>, _>>()?;
                // Every status has exactly one of the three categories, so a negative
                // test is the positive one on the others: `status_id = ANY(...)` is an
                // index condition, `<> ALL(...)` only a filter.
                let (op, categories) = if matches!(op, Operator::NotEq | Operator::NotIn) {
                    let others = ["todo", "in_progress", "done"]
                        .into_iter()
                        .filter(|c| !categories.iter().any(|x| x == c))
                        .map(str::to_owned)
                        .collect();
                    (Operator::In, others)
                } else {
                    (op, categories)
                };
                membership(
                    "t.status_id",
                    op,
                    Bind::Names(NameKind::Category, categories),
                )
            }
            Field::Type => {
                let kinds = strings(cmp)?
                    .iter()
                    .map(|s| {
                        let normal = s.to_lowercase().replace(['-', ' ', '_'], "");
                        TicketType::ALL
                            .into_iter()
                            .find(|t| t.as_str() == normal)
                            .map(|t| t.as_str().to_owned())
                            .ok_or_else(|| error(cmp, format!("unknown issue type `{s}`")))
                    })
                    .collect::<Result<_, _>>()?;
                membership("t.type", op, Bind::Texts(kinds))
            }
            Field::Priority => priority(cmp)?,
            Field::Assignee | Field::Reporter => user(cmp, self.ctx)?,
            Field::Labels => labels(cmp)?,
            Field::Created | Field::Updated | Field::Resolved | Field::Due | Field::StartDate => {
                date(cmp, self.ctx)?
            }
            Field::StoryPoints
            | Field::OriginalEstimate
            | Field::TimeSpent
            | Field::RemainingEstimate => number(cmp)?,
            Field::WorklogAuthor => people(cmp, self.ctx, logged_by)?,
            Field::WorklogDate => logged(date(cmp, self.ctx)?),
            Field::Sprint => sprint(cmp)?,
            Field::Parent => parent(cmp)?,
            Field::Watcher => watcher(cmp, self.ctx)?,
            Field::Component => component(cmp)?,
            Field::Custom(field) => {
                let (condition, lone) = custom::condition(cmp, field, self.ctx)?;
                self.lone_count = lone;
                condition
            }
            Field::Rank => {
                return Err(error(
                    cmp,
                    format!("the field `{}` is not available yet", cmp.field),
                ));
            }
        })
    }

    fn text(&mut self, cmp: &Comparison) -> Result<Condition, ApiError> {
        if matches!(cmp.op, Operator::Is | Operator::IsNot) {
            // Only `description` can be empty.
            let empty = Sql::new("t.description = ''");
            return Ok(if cmp.op == Operator::Is {
                empty
            } else {
                not(empty)
            });
        }
        let terms = cmp.text_query().map(|q| q.terms).unwrap_or_default();
        if terms.is_empty() {
            return Err(error(cmp, "the search text has no words"));
        }
        let tsquery = |terms: &[Term]| -> Sql {
            let (words, kinds) = words(terms);
            Sql::new("trellis_tsquery(").with(|s| {
                s.bind(Bind::Texts(words))
                    .push(", ")
                    .bind(Bind::Texts(kinds))
                    .push(")");
            })
        };
        let probe = |vector: &str, q: &Sql| -> Sql {
            Sql::new(vector).with(|s| {
                s.push(" @@ ").append(q);
            })
        };
        let all_terms = tsquery(&terms);
        // `probe` tests one row of `ticket_search s` as the function would.
        let (field, probe) = match cmp.field {
            Field::Comment => ("comment", probe("s.comment_tsv", &all_terms)),
            // Weight A is the summary, B the description.
            Field::Summary => (
                "summary",
                all(vec![
                    probe("s.doc_tsv", &all_terms),
                    probe("ts_filter(s.doc_tsv, '{a}')", &all_terms),
                ]),
            ),
            Field::Description => (
                "description",
                all(vec![
                    probe("s.doc_tsv", &all_terms),
                    probe("ts_filter(s.doc_tsv, '{b}')", &all_terms),
                ]),
            ),
            // Document and comments as one text: every term must match somewhere.
            _ => ("text", probe("(s.doc_tsv || s.comment_tsv)", &all_terms)),
        };
        let found = match self.plan {
            TextPlan::MatchesFirst => {
                let n = self.texts.len();
                let (words, kinds) = words(&terms);
                self.texts.push(TextSearch {
                    field,
                    words,
                    kinds,
                });
                Sql::new(&format!("t.id IN (SELECT ticket_id FROM text_{n})"))
            }
            TextPlan::PerRow => {
                Sql::new("EXISTS (SELECT 1 FROM ticket_search s WHERE s.ticket_id = t.id AND ")
                    .with(|s| {
                        s.append(&probe).push(")");
                    })
            }
        };
        Ok(if cmp.op == Operator::NotContains {
            not(found)
        } else {
            found
        })
    }
}

/// A text's terms as `trellis_tsquery` takes them: the words and how to read each.
fn words(terms: &[Term]) -> (Vec<String>, Vec<String>) {
    terms
        .iter()
        .map(|term| match term {
            Term::Word(word) => (word.clone(), "word".to_owned()),
            Term::Prefix(prefix) => (prefix.clone(), "prefix".to_owned()),
            Term::Phrase(words) => (words.join(" "), "phrase".to_owned()),
        })
        .unzip()
}

fn key(cmp: &Comparison, ctx: &Context) -> Result<Condition, ApiError> {
    if let Value::Function { name, arg } = &cmp.value {
        let positive = match (name, arg) {
            (Function::WatchedIssues, _) => watched_by(Bind::Uuid(ctx.user.0)),
            (Function::LinkedIssues, Some(FunctionArg::Link { key, link })) => {
                linked_issues(cmp, key, link.as_deref())?
            }
            _ => {
                return Err(error(
                    cmp,
                    format!("{}() is not a list of issues", name.name()),
                ));
            }
        };
        return Ok(if cmp.op == Operator::NotIn {
            not(positive)
        } else {
            positive
        });
    }
    let keys = strings(cmp)?
        .iter()
        .map(|s| {
            crate::tickets::TicketKey::parse(s)
                .map_err(|_| error(cmp, format!("`{s}` is not an issue key")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let one = |k: &crate::tickets::TicketKey, relation: &str| -> Condition {
        expr(
            "(t.project_id = ANY(",
            Bind::Names(NameKind::Project, vec![k.project.clone()]),
        )
        .with(|s| {
            s.push(&format!(") AND t.number {relation} "))
                .bind(Bind::Int4(k.number))
                .push(")");
        })
    };
    // Equality also finds tickets that had the key before they moved to another
    // project: their ids from `ticket_key_aliases`' primary key in one uncorrelated
    // subquery (run once; row-level security confines it to the organization, and
    // uuid, int and `= ANY` are LEAKPROOF), so both arms stay index scans.
    let named = |keys: &[crate::tickets::TicketKey]| -> Condition {
        let former = any(keys
            .iter()
            .map(|k| {
                expr(
                    "(a.project_id = ANY(",
                    Bind::Names(NameKind::Project, vec![k.project.clone()]),
                )
                .with(|s| {
                    s.push(") AND a.number = ")
                        .bind(Bind::Int4(k.number))
                        .push(")");
                })
            })
            .collect());
        let aliased = Sql::new(
            "t.id = ANY(ARRAY(SELECT a.ticket_id FROM ticket_key_aliases a WHERE ",
        )
        .with(|s| {
            s.append(&former).push("))");
        });
        // And tickets imported with the key from another tracker (`JRA-123`), through
        // `ticket_import_keys`' primary key: text equality is LEAKPROOF too.
        let imported = Sql::new(
            "t.id = ANY(ARRAY(SELECT i.ticket_id FROM ticket_import_keys i WHERE i.source_key = ANY(",
        )
        .with(|s| {
            s.bind(Bind::Texts(
                keys.iter()
                    .map(|k| format!("{}-{}", k.project, k.number))
                    .collect(),
            ))
            .push(")))");
        });
        any(vec![
            any(keys.iter().map(|k| one(k, "=")).collect()),
            aliased,
            imported,
        ])
    };
    Ok(match cmp.op {
        Operator::Eq | Operator::In => named(&keys),
        Operator::NotEq | Operator::NotIn => not(named(&keys)),
        Operator::Gt => any(keys.iter().map(|k| one(k, ">")).collect()),
        Operator::Ge => any(keys.iter().map(|k| one(k, ">=")).collect()),
        Operator::Lt => any(keys.iter().map(|k| one(k, "<")).collect()),
        Operator::Le => any(keys.iter().map(|k| one(k, "<=")).collect()),
        _ => return Err(error(cmp, "unsupported operator for `key`")),
    })
}

/// `component = Backend`, `component IN (...)` (names ignore case, in any project),
/// `component IS EMPTY`, through `ticket_components`. As in Jira, `!=` and `NOT IN` do
/// not match tickets without components.
fn component(cmp: &Comparison) -> Result<Condition, ApiError> {
    let none = Sql::new(
        "NOT EXISTS (SELECT 1 FROM ticket_components tc \
         WHERE tc.org_id = t.org_id AND tc.ticket_id = t.id)",
    );
    match cmp.op {
        Operator::Is => return Ok(none),
        Operator::IsNot => return Ok(not(none)),
        _ => {}
    }
    let names: Vec<String> = strings(cmp)?.iter().map(|s| s.to_lowercase()).collect();
    let mut named = Sql::new(
        "EXISTS (SELECT 1 FROM ticket_components tc WHERE tc.org_id = t.org_id \
         AND tc.ticket_id = t.id AND ",
    );
    named
        .append(&membership(
            "tc.component_id",
            Operator::In,
            Bind::Names(NameKind::Component, names),
        ))
        .push(")");
    Ok(match cmp.op {
        Operator::Eq | Operator::In => named,
        Operator::NotEq | Operator::NotIn => all(vec![not(named), not(none)]),
        _ => return Err(error(cmp, "unsupported operator for `component`")),
    })
}

/// The ticket is watched by the user `who` (a uuid) or by any of `who` (logins).
fn watched_by(who: Bind) -> Condition {
    let mut sql = Sql::new(
        "EXISTS (SELECT 1 FROM ticket_watchers w WHERE w.org_id = t.org_id \
         AND w.ticket_id = t.id AND ",
    );
    sql.append(&membership("w.user_id", Operator::In, who.into_list()))
        .push(")");
    sql
}

/// Time was logged on the ticket by the user `who` (a uuid) or any of `who` (logins),
/// in a live worklog: uuid equality only, so `worklogs_org_author_idx` serves it under
/// the row-level security policy.
fn logged_by(who: Bind) -> Condition {
    logged(membership("wl.author_id", Operator::In, who.into_list()))
}

/// The ticket has a live worklog `wl` meeting `condition` (for `worklogDate`, a date
/// test on `wl.started_at`: timestamptz comparisons are LEAKPROOF).
fn logged(condition: Condition) -> Condition {
    let mut sql = Sql::new(
        "EXISTS (SELECT 1 FROM worklogs wl WHERE wl.org_id = t.org_id \
         AND wl.ticket_id = t.id AND wl.deleted_at IS NULL AND ",
    );
    sql.append(&condition).push(")");
    sql
}

/// `watcher = bob`, `watcher IN (bob, currentUser())`, `watcher IN membersOf(qa)`,
/// through `ticket_watchers`' primary key. Negative tests match tickets none of the
/// named people watch. (As in Jira, `watcher` is never empty: no `IS EMPTY`.)
fn watcher(cmp: &Comparison, ctx: &Context) -> Result<Condition, ApiError> {
    people(cmp, ctx, watched_by)
}

/// A test on a set of people per ticket (watchers, worklog authors): `related(who)`
/// is the condition that one of `who` is in the set. Negative tests match tickets
/// none of the named people are in.
fn people(
    cmp: &Comparison,
    ctx: &Context,
    related: fn(Bind) -> Condition,
) -> Result<Condition, ApiError> {
    let mut logins = Vec::new();
    let mut parts = Vec::new();
    for v in values(&cmp.value) {
        match v {
            Value::String(s) => logins.push(s.clone()),
            Value::Function {
                name: Function::CurrentUser,
                ..
            } => parts.push(related(Bind::Uuid(ctx.user.0))),
            Value::Function {
                name: Function::MembersOf,
                arg: Some(FunctionArg::Name(role)),
            } => parts.push(related(Bind::Names(
                NameKind::Role,
                vec![role.to_lowercase()],
            ))),
            _ => {
                return Err(error(
                    cmp,
                    format!(
                        "`{}` expects logins, currentUser() or membersOf()",
                        cmp.field
                    ),
                ));
            }
        }
    }
    if !logins.is_empty() {
        parts.push(related(Bind::Names(NameKind::Login, logins)));
    }
    let matched = any(parts);
    Ok(if is_negative(cmp.op) {
        not(matched)
    } else {
        matched
    })
}

/// `issue IN linkedIssues(WEB-1)`: the live tickets linked to WEB-1 either way; with a
/// phrase, only those links read that way from WEB-1 (`"blocks"`: the tickets WEB-1
/// blocks; `"is blocked by"`: those that block it; a type name, e.g. `Blocks`: both).
fn linked_issues(cmp: &Comparison, key: &str, link: Option<&str>) -> Result<Condition, ApiError> {
    let key = crate::tickets::TicketKey::parse(key)
        .map_err(|_| error(cmp, format!("`{key}` is not an issue key")))?;
    let (kind, outward) = match link {
        None => (None, None),
        Some(phrase) => {
            let (kind, outward) = crate::links::parse_phrase(phrase).ok_or_else(|| {
                error(
                    cmp,
                    format!("`{phrase}` is not a link type (e.g. \"blocks\", \"is blocked by\", \"relates to\")"),
                )
            })?;
            (Some(kind), outward)
        }
    };
    // The named ticket, as `parent` finds it (also by a key it had before a move).
    let keys = [key];
    let named = |s: &mut Sql| {
        s.push("(").append(&ids_named(&keys)).push(")");
    };
    // The other ends of the named ticket's links stored with it as `column`.
    let side = |s: &mut Sql, column: &str, other: &str| {
        s.push(&format!(
            "SELECT l.{other} FROM ticket_links l WHERE l.{column} IN "
        ));
        named(s);
        if let Some(kind) = kind {
            s.push(" AND l.link_type = ")
                .bind(Bind::Text(kind.as_str().to_owned()));
        }
    };
    let (outward, inward) = match (kind, outward) {
        (Some(crate::links::LinkType::Relates), _) | (_, None) => (true, true),
        (_, Some(true)) => (true, false),
        (_, Some(false)) => (false, true),
    };
    // One `IN` over both directions (not an OR of two): the planner finds the few
    // linked ids first and fetches them by primary key, instead of testing every
    // ticket of the org against two hashed subplans.
    let mut condition = Sql::new("t.id IN (");
    if outward {
        side(&mut condition, "source_id", "target_id");
    }
    if outward && inward {
        condition.push(" UNION ALL ");
    }
    if inward {
        side(&mut condition, "target_id", "source_id");
    }
    condition.push(")");
    Ok(condition)
}

/// The ids of the live tickets `keys` name, by their key or by one they had before a
/// move (`ticket_key_aliases`), as one uncorrelated `SELECT` (it runs once; row-level
/// security confines both tables to the organization, and the `(org_id, project_id,
/// number)` keys serve both arms with LEAKPROOF equality only).
fn ids_named(keys: &[crate::tickets::TicketKey]) -> Sql {
    let test = |table: &str| {
        any(keys
            .iter()
            .map(|k| {
                expr(
                    &format!("({table}.project_id = ANY("),
                    Bind::Names(NameKind::Project, vec![k.project.clone()]),
                )
                .with(|s| {
                    s.push(&format!(") AND {table}.number = "))
                        .bind(Bind::Int4(k.number))
                        .push(")");
                })
            })
            .collect())
    };
    Sql::new("SELECT k.id FROM tickets k WHERE k.deleted_at IS NULL AND ").with(|s| {
        s.append(&test("k"))
            .push(
                " UNION ALL SELECT a.ticket_id FROM ticket_key_aliases a \
                 JOIN tickets m ON m.id = a.ticket_id AND m.deleted_at IS NULL WHERE ",
            )
            .append(&test("a"));
    })
}

/// `parent = WEB-1`, `parent IN (...)`, `parent IS EMPTY`: the children of the named
/// live tickets, through `tickets_org_parent_idx`. Like every negative test, `!=` and
/// `NOT IN` do not match tickets without a parent.
fn parent(cmp: &Comparison) -> Result<Condition, ApiError> {
    let empty = Sql::new("t.parent_id IS NULL");
    match cmp.op {
        Operator::Is => return Ok(empty),
        Operator::IsNot => return Ok(not(empty)),
        _ => {}
    }
    let keys = strings(cmp)?
        .iter()
        .map(|s| {
            crate::tickets::TicketKey::parse(s)
                .map_err(|_| error(cmp, format!("`{s}` is not an issue key")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let children = Sql::new("t.parent_id IN (").with(|s| {
        s.append(&ids_named(&keys)).push(")");
    });
    Ok(match cmp.op {
        Operator::Eq | Operator::In => children,
        Operator::NotEq | Operator::NotIn => all(vec![not(children), not(empty)]),
        _ => return Err(error(cmp, "unsupported operator for `parent`")),
    })
}

/// `storyPoints` (a number, fractions allowed), `originalEstimate`, `timeSpent` and
/// `remainingEstimate` (minutes; the jql crate reads `"2h 30m"` as 150): compared as
/// numbers; `!=` and `NOT IN` skip tickets without a value.
fn number(cmp: &Comparison) -> Result<Condition, ApiError> {
    let (column, integer) = match cmp.field {
        Field::StoryPoints => ("t.story_points", false),
        Field::TimeSpent => ("t.time_spent", true),
        Field::RemainingEstimate => ("t.remaining_estimate", true),
        _ => ("t.original_estimate", true),
    };
    let empty = Sql::new(&format!("{column} IS NULL"));
    match cmp.op {
        Operator::Is => return Ok(empty),
        Operator::IsNot => return Ok(not(empty)),
        _ => {}
    }
    let numbers = values(&cmp.value)
        .into_iter()
        .map(|v| {
            let n = match v {
                Value::Number(n) => Some(*n as f64),
                Value::String(s) => s.trim().parse::<f64>().ok(),
                _ => None,
            };
            n.filter(|n| n.is_finite() && (!integer || n.fract() == 0.0))
                .ok_or_else(|| {
                    error(
                        cmp,
                        if integer {
                            format!("`{}` expects whole minutes", cmp.field)
                        } else {
                            format!("`{}` expects a number", cmp.field)
                        },
                    )
                })
        })
        .collect::<Result<Vec<f64>, _>>()?;
    let one = |symbol: &str, n: f64| -> Condition {
        if integer {
            let n = n.clamp(f64::from(i32::MIN), f64::from(i32::MAX)) as i32;
            expr(&format!("{column} {symbol} "), Bind::Int4(n))
        } else {
            expr(&format!("{column} {symbol} "), Bind::Float8(n))
        }
    };
    let first = numbers.first().copied().unwrap_or_default();
    Ok(match cmp.op {
        Operator::Eq | Operator::In => any(numbers.iter().map(|n| one("=", *n)).collect()),
        Operator::NotEq | Operator::NotIn => all(numbers.iter().map(|n| one("<>", *n)).collect()),
        Operator::Gt => one(">", first),
        Operator::Ge => one(">=", first),
        Operator::Lt => one("<", first),
        Operator::Le => one("<=", first),
        _ => {
            return Err(error(
                cmp,
                format!("unsupported operator for `{}`", cmp.field),
            ));
        }
    })
}

fn priority(cmp: &Comparison) -> Result<Condition, ApiError> {
    priority_on(cmp, "t.priority")
}

/// A priority comparison on `column` (a priority as stored: 1 to 5).
fn priority_on(cmp: &Comparison, column: &str) -> Result<Condition, ApiError> {
    let ranks = values(&cmp.value)
        .into_iter()
        .map(|v| match v {
            Value::String(s) => Priority::ALL
                .into_iter()
                .find(|p| p.as_str().eq_ignore_ascii_case(s))
                .map(Priority::to_db)
                .ok_or_else(|| error(cmp, format!("unknown priority `{s}`"))),
            Value::Number(n) if (1..=5).contains(n) => Ok(*n as i16),
            _ => Err(error(
                cmp,
                "`priority` expects lowest, low, medium, high or highest",
            )),
        })
        .collect::<Result<Vec<i16>, _>>()?;
    let relation = |symbol: &str, rank: i16| expr(&format!("{column} {symbol} "), Bind::Int2(rank));
    let first = ranks.first().copied().unwrap_or(3);
    Ok(match cmp.op {
        Operator::Eq | Operator::In | Operator::NotEq | Operator::NotIn => {
            membership(column, cmp.op, Bind::Int2s(ranks))
        }
        Operator::Gt => relation(">", first),
        Operator::Ge => relation(">=", first),
        Operator::Lt => relation("<", first),
        Operator::Le => relation("<=", first),
        _ => return Err(error(cmp, "unsupported operator for `priority`")),
    })
}

fn user(cmp: &Comparison, ctx: &Context) -> Result<Condition, ApiError> {
    let id = match cmp.field {
        Field::Assignee => "t.assignee_id",
        _ => "t.reporter_id",
    };
    user_on(cmp, ctx, id)
}

/// A user comparison on the user-id column `id`.
fn user_on(cmp: &Comparison, ctx: &Context, id: &str) -> Result<Condition, ApiError> {
    if matches!(cmp.op, Operator::Is | Operator::IsNot) {
        let empty = Sql::new(&format!("{id} IS NULL"));
        return Ok(if cmp.op == Operator::Is {
            empty
        } else {
            not(empty)
        });
    }
    let (matched, empty) = user_matches(cmp, ctx, id)?;
    Ok(if is_negative(cmp.op) {
        // Jira: a negative test never matches an unassigned ticket.
        all(vec![not(matched), Sql::new(&format!("{id} IS NOT NULL"))])
    } else if empty {
        any(vec![matched, Sql::new(&format!("{id} IS NULL"))])
    } else {
        matched
    })
}

/// Whether the user-id column `id` holds one of the users `cmp` names (logins,
/// `currentUser()`, `membersOf(role)`), and whether `EMPTY` is in its list.
fn user_matches(cmp: &Comparison, ctx: &Context, id: &str) -> Result<(Condition, bool), ApiError> {
    let mut logins = Vec::new();
    let mut parts: Vec<Condition> = Vec::new();
    let mut empty = false;
    for v in values(&cmp.value) {
        match v {
            Value::String(s) => logins.push(s.clone()),
            Value::Function {
                name: Function::CurrentUser,
                ..
            } => parts.push(expr(&format!("{id} = "), Bind::Uuid(ctx.user.0))),
            Value::Function {
                name: Function::MembersOf,
                arg,
            } => {
                let role = match arg {
                    Some(FunctionArg::Name(role)) => role.to_lowercase(),
                    _ => {
                        return Err(error(
                            cmp,
                            "membersOf needs a role name, e.g. membersOf(\"admin\")",
                        ));
                    }
                };
                parts.push(membership(
                    id,
                    Operator::Eq,
                    Bind::Names(NameKind::Role, vec![role]),
                ));
            }
            Value::Empty => empty = true,
            _ => {
                return Err(error(
                    cmp,
                    format!(
                        "`{}` expects logins, currentUser() or membersOf()",
                        cmp.field
                    ),
                ));
            }
        }
    }
    if !logins.is_empty() {
        parts.push(membership(
            id,
            Operator::Eq,
            Bind::Names(NameKind::Login, logins),
        ));
    }
    Ok((any(parts), empty))
}

/// The ticket was in a sprint that was completed (`ticket_sprints`).
const IN_CLOSED_SPRINT: &str = "EXISTS (SELECT 1 FROM ticket_sprints ts \
     WHERE ts.org_id = t.org_id AND ts.ticket_id = t.id)";

/// `sprint`: the open sprint a ticket is planned in (`t.sprint_id`, only ever a future
/// or active sprint) and the completed sprints it was in (`ticket_sprints`). Sprint
/// names are matched ignoring case, in every project. As in Jira, a negative test
/// never matches a ticket that was never in a sprint.
fn sprint(cmp: &Comparison) -> Result<Condition, ApiError> {
    let never = || Sql::new(&format!("(t.sprint_id IS NULL AND NOT {IN_CLOSED_SPRINT})"));
    if matches!(cmp.op, Operator::Is | Operator::IsNot) {
        return Ok(if cmp.op == Operator::Is {
            never()
        } else {
            not(never())
        });
    }
    let negated = matches!(cmp.op, Operator::NotEq | Operator::NotIn);
    if let Value::Function { name, .. } = &cmp.value {
        let open = Sql::new("t.sprint_id IS NOT NULL");
        let closed = Sql::new(IN_CLOSED_SPRINT);
        let positive = match name {
            Function::OpenSprints => open,
            Function::ClosedSprints => closed,
            other => {
                return Err(error(
                    cmp,
                    format!("{}() is not a sprint list", other.name()),
                ));
            }
        };
        return Ok(if negated {
            all(vec![not(positive), not(never())])
        } else {
            positive
        });
    }
    let names: Vec<String> = strings(cmp)?.iter().map(|s| s.to_lowercase()).collect();
    let current = membership(
        "t.sprint_id",
        Operator::In,
        Bind::Names(NameKind::Sprint, names.clone()),
    );
    let mut past = Sql::new(
        "EXISTS (SELECT 1 FROM ticket_sprints ts WHERE ts.org_id = t.org_id \
         AND ts.ticket_id = t.id AND ",
    );
    past.append(&membership(
        "ts.sprint_id",
        Operator::In,
        Bind::Names(NameKind::Sprint, names),
    ))
    .push(")");
    let positive = any(vec![current, past]);
    Ok(if negated {
        // `t.sprint_id = ..` is NULL for a ticket in no open sprint: IS NOT TRUE, not NOT.
        let mut outside = Sql::new("(");
        outside.append(&positive).push(" IS NOT TRUE)");
        all(vec![outside, not(never())])
    } else {
        positive
    })
}

fn labels(cmp: &Comparison) -> Result<Condition, ApiError> {
    if matches!(cmp.op, Operator::Is | Operator::IsNot) {
        let empty = Sql::new("cardinality(t.labels) = 0");
        return Ok(if cmp.op == Operator::Is {
            empty
        } else {
            not(empty)
        });
    }
    let overlap = expr("t.labels && ", Bind::Texts(strings(cmp)?));
    Ok(if is_negative(cmp.op) {
        all(vec![not(overlap), Sql::new("cardinality(t.labels) > 0")])
    } else {
        overlap
    })
}

fn add(at: DateTime<FixedOffset>, amount: i64, unit: DateUnit) -> Option<DateTime<FixedOffset>> {
    let months = |n: i64| -> Option<DateTime<FixedOffset>> {
        let m = Months::new(u32::try_from(n.unsigned_abs()).ok()?);
        if n >= 0 {
            at.checked_add_months(m)
        } else {
            at.checked_sub_months(m)
        }
    };
    match unit {
        DateUnit::Year => months(amount.checked_mul(12)?),
        DateUnit::Month => months(amount),
        DateUnit::Week => at.checked_add_signed(Duration::try_weeks(amount)?),
        DateUnit::Day => at.checked_add_signed(Duration::try_days(amount)?),
        DateUnit::Hour => at.checked_add_signed(Duration::try_hours(amount)?),
        DateUnit::Minute => at.checked_add_signed(Duration::try_minutes(amount)?),
    }
}

fn local_midnight(zone: FixedOffset, date: NaiveDate) -> Option<DateTime<FixedOffset>> {
    zone.from_local_datetime(&date.and_time(NaiveTime::MIN))
        .single()
}

/// The instant a date value stands for, in the caller's time zone.
fn instant(cmp: &Comparison, value: &Value, ctx: &Context) -> Result<DateTime<Utc>, ApiError> {
    let now = ctx.now.with_timezone(&ctx.zone);
    let out_of_range = || error(cmp, "the date is out of range");
    let at = match value {
        Value::RelativeDate { amount, unit } => {
            add(now, *amount, *unit).ok_or_else(out_of_range)?
        }
        Value::Date(date) => local_midnight(ctx.zone, *date).ok_or_else(out_of_range)?,
        Value::DateTime(at) => ctx
            .zone
            .from_local_datetime(at)
            .single()
            .ok_or_else(out_of_range)?,
        Value::Function { name, arg } => {
            let today = now.date_naive();
            let (start, period) = match name {
                Function::Now => (now, None),
                Function::StartOfDay | Function::EndOfDay => (
                    local_midnight(ctx.zone, today).ok_or_else(out_of_range)?,
                    Some(DateUnit::Day),
                ),
                // Weeks start on Monday (ISO 8601).
                Function::StartOfWeek | Function::EndOfWeek => {
                    let monday =
                        today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
                    (
                        local_midnight(ctx.zone, monday).ok_or_else(out_of_range)?,
                        Some(DateUnit::Week),
                    )
                }
                Function::StartOfMonth | Function::EndOfMonth => {
                    let first = today.with_day(1).ok_or_else(out_of_range)?;
                    (
                        local_midnight(ctx.zone, first).ok_or_else(out_of_range)?,
                        Some(DateUnit::Month),
                    )
                }
                Function::StartOfYear | Function::EndOfYear => {
                    let first =
                        NaiveDate::from_ymd_opt(today.year(), 1, 1).ok_or_else(out_of_range)?;
                    (
                        local_midnight(ctx.zone, first).ok_or_else(out_of_range)?,
                        Some(DateUnit::Year),
                    )
                }
                Function::CurrentUser
                | Function::MembersOf
                | Function::OpenSprints
                | Function::ClosedSprints
                | Function::LinkedIssues
                | Function::WatchedIssues => {
                    return Err(error(cmp, format!("{}() is not a date", name.name())));
                }
            };
            let shifted = match arg {
                Some(FunctionArg::Offset { amount, unit }) => {
                    add(start, *amount, *unit).ok_or_else(out_of_range)?
                }
                _ => start,
            };
            let is_end = matches!(
                name,
                Function::EndOfDay
                    | Function::EndOfWeek
                    | Function::EndOfMonth
                    | Function::EndOfYear
            );
            match (is_end, period) {
                // The last instant of the period: its next start, less a microsecond.
                (true, Some(period)) => {
                    add(shifted, 1, period).ok_or_else(out_of_range)? - Duration::microseconds(1)
                }
                _ => shifted,
            }
        }
        _ => return Err(error(cmp, format!("`{}` expects a date", cmp.field))),
    };
    Ok(at.with_timezone(&Utc))
}

fn date(cmp: &Comparison, ctx: &Context) -> Result<Condition, ApiError> {
    let column = match cmp.field {
        Field::Created => "t.created_at",
        Field::Updated => "t.updated_at",
        Field::Resolved => "t.resolved_at",
        Field::StartDate => "t.start_date",
        Field::WorklogDate => "wl.started_at",
        _ => "t.due_date",
    };
    if matches!(cmp.op, Operator::Is | Operator::IsNot) {
        let empty = Sql::new(&format!("{column} IS NULL"));
        return Ok(if cmp.op == Operator::Is {
            empty
        } else {
            not(empty)
        });
    }
    let symbol = match cmp.op {
        Operator::Eq | Operator::In => "=",
        Operator::NotEq | Operator::NotIn => "<>",
        Operator::Gt => ">",
        Operator::Ge => ">=",
        Operator::Lt => "<",
        Operator::Le => "<=",
        _ => {
            return Err(error(
                cmp,
                format!("unsupported operator for `{}`", cmp.field),
            ));
        }
    };
    let mut parts: Vec<Condition> = Vec::new();
    for value in values(&cmp.value) {
        let at = instant(cmp, value, ctx)?;
        let text = format!("{column} {symbol} ");
        parts.push(if matches!(cmp.field, Field::Due | Field::StartDate) {
            // Due and start dates are calendar dates in the caller's zone.
            expr(&text, Bind::Date(at.with_timezone(&ctx.zone).date_naive()))
        } else {
            expr(&text, Bind::Timestamptz(at))
        });
    }
    Ok(if matches!(cmp.op, Operator::NotEq | Operator::NotIn) {
        all(parts)
    } else {
        any(parts)
    })
}

/// A sortable column, as a never-NULL expression so the keyset comparison needs no
/// NULL cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Column {
    Created,
    Updated,
    Resolved,
    Due,
    Priority,
    ProjectKey,
    Number,
    Status,
    Category,
    Type,
    Assignee,
    Reporter,
    Summary,
    Rank,
    Id,
    /// A custom field's value (not a multi-select).
    Custom(jql::CustomField),
}

/// A name table the page query joins to sort by a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Join {
    Project,
    Status,
    Assignee,
    Reporter,
}

impl Join {
    /// Joins to unique keys backed by foreign keys: they neither add nor drop rows.
    pub(crate) fn sql(self) -> &'static str {
        match self {
            Join::Project => " JOIN projects p ON p.id = t.project_id",
            Join::Status => " JOIN statuses st ON st.id = t.status_id",
            Join::Assignee => " LEFT JOIN users a ON a.id = t.assignee_id",
            Join::Reporter => " JOIN users r ON r.id = t.reporter_id",
        }
    }
}

impl Column {
    /// The expression over `tickets t` (and the tables of [`Column::join`]).
    pub(crate) fn expr(self) -> std::borrow::Cow<'static, str> {
        match self {
            Column::Custom(field) => custom::sort_expr(field, "t").into(),
            other => other.system_expr().into(),
        }
    }

    fn system_expr(self) -> &'static str {
        match self {
            Column::Created => "t.created_at",
            Column::Updated => "t.updated_at",
            Column::Resolved => "COALESCE(t.resolved_at, 'infinity'::timestamptz)",
            Column::Due => "COALESCE(t.due_date, 'infinity'::date)",
            Column::Priority => "t.priority",
            Column::ProjectKey => "p.key",
            Column::Number => "t.number",
            Column::Status => "st.name",
            Column::Category => "st.category",
            Column::Type => "t.type",
            Column::Assignee => "COALESCE(a.login, '')",
            Column::Reporter => "r.login",
            Column::Summary => "t.title",
            Column::Rank => "t.rank",
            Column::Id => "t.id",
            Column::Custom(_) => "t.id",
        }
    }

    /// The same expression over `ticket_views`, to put the page's rows in order.
    pub(crate) fn view_expr(self) -> std::borrow::Cow<'static, str> {
        match self {
            Column::Custom(field) => custom::sort_expr(field, "ticket_views").into(),
            other => other.system_view_expr().into(),
        }
    }

    fn system_view_expr(self) -> &'static str {
        match self {
            Column::Created => "ticket_views.created_at",
            Column::Updated => "ticket_views.updated_at",
            Column::Resolved => "COALESCE(ticket_views.resolved_at, 'infinity'::timestamptz)",
            Column::Due => "COALESCE(ticket_views.due_date, 'infinity'::date)",
            Column::Priority => "ticket_views.priority",
            Column::ProjectKey => "ticket_views.project_key",
            Column::Number => "ticket_views.number",
            Column::Status => "ticket_views.status_name",
            Column::Category => "ticket_views.status_category",
            Column::Type => "ticket_views.type",
            Column::Assignee => "COALESCE(ticket_views.assignee_login, '')",
            Column::Reporter => "ticket_views.reporter_login",
            Column::Summary => "ticket_views.title",
            Column::Rank => "ticket_views.rank",
            Column::Id => "ticket_views.id",
            Column::Custom(_) => "ticket_views.id",
        }
    }

    /// The name table [`Column::expr`] needs, if any.
    pub(crate) fn join(self) -> Option<Join> {
        match self {
            Column::ProjectKey => Some(Join::Project),
            Column::Status | Column::Category => Some(Join::Status),
            Column::Assignee => Some(Join::Assignee),
            Column::Reporter => Some(Join::Reporter),
            _ => None,
        }
    }

    /// The column's value in `ticket`, as a page token carries it.
    pub(crate) fn value(self, t: &crate::tickets::Ticket) -> SortValue {
        let time = |at: DateTime<Utc>| {
            SortValue::Text(at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
        };
        match self {
            Column::Created => time(t.created_at),
            Column::Updated => time(t.updated_at),
            Column::Resolved => t
                .resolved_at
                .map_or(SortValue::Text("infinity".into()), time),
            Column::Due => SortValue::Text(t.due_date.map_or("infinity".into(), |d| d.to_string())),
            Column::Priority => SortValue::Int(i64::from(t.priority.to_db())),
            Column::ProjectKey => SortValue::Text(t.project.clone()),
            Column::Number => SortValue::Int(i64::from(t.number)),
            Column::Status => SortValue::Text(t.status.name.clone()),
            Column::Category => SortValue::Text(t.status.category.as_str().to_owned()),
            Column::Type => SortValue::Text(t.kind.as_str().to_owned()),
            Column::Assignee => SortValue::Text(
                t.assignee
                    .as_ref()
                    .map_or(String::new(), |a| a.login.clone()),
            ),
            Column::Reporter => SortValue::Text(t.reporter.login.clone()),
            Column::Summary => SortValue::Text(t.title.clone()),
            Column::Rank => SortValue::Text(t.rank.clone()),
            Column::Id => SortValue::Text(t.id.to_string()),
            Column::Custom(field) => SortValue::Text(custom::token_value(field, t)),
        }
    }
}

/// One `ORDER BY` key.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SortKey {
    pub column: Column,
    pub descending: bool,
}

/// A sort key's value in the last row of a page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub(crate) enum SortValue {
    Int(i64),
    Text(String),
}

/// The `ORDER BY` keys for a query, always ending with the id, which makes them unique.
pub(crate) fn sort_keys(order: &[jql::OrderKey]) -> Result<Vec<SortKey>, ApiError> {
    let mut keys = Vec::new();
    for key in order {
        let descending = key.direction == jql::Direction::Desc;
        let columns: &[Column] = match key.field {
            Field::Created => &[Column::Created],
            Field::Updated => &[Column::Updated],
            Field::Resolved => &[Column::Resolved],
            Field::Due => &[Column::Due],
            Field::Priority => &[Column::Priority],
            Field::Key => &[Column::ProjectKey, Column::Number],
            Field::Project => &[Column::ProjectKey],
            Field::Status => &[Column::Status],
            Field::StatusCategory => &[Column::Category],
            Field::Type => &[Column::Type],
            Field::Assignee => &[Column::Assignee],
            Field::Reporter => &[Column::Reporter],
            Field::Summary => &[Column::Summary],
            // Rank orders within a project; across projects it interleaves them.
            Field::Rank => &[Column::Rank],
            Field::Custom(field) => {
                keys.push(SortKey {
                    column: Column::Custom(field),
                    descending,
                });
                continue;
            }
            other => {
                return Err(
                    ApiError::bad_request("jql", format!("cannot order by `{other}`"))
                        .with_field("jql"),
                );
            }
        };
        keys.extend(columns.iter().map(|&column| SortKey { column, descending }));
    }
    let descending = keys.last().is_some_and(|k| k.descending);
    keys.push(SortKey {
        column: Column::Id,
        descending,
    });
    Ok(keys)
}

/// The token's value for `key`, bound as the key's SQL type.
fn sort_value(key: &SortKey, value: &SortValue) -> Result<Sql, ApiError> {
    let bad = || ApiError::validation("nextPageToken", "the token does not belong to this query");
    let bound = |b: Bind| {
        Sql::default().with(|s| {
            s.bind(b);
        })
    };
    Ok(match (key.column, value) {
        (Column::Custom(field), SortValue::Text(v)) => {
            custom::bind_token_value(field, v).ok_or_else(bad)?
        }
        // 'infinity' stands for "not resolved" or "no due date", sorting last.
        (Column::Resolved, SortValue::Text(v)) if v == "infinity" => {
            Sql::new("'infinity'::timestamptz")
        }
        (Column::Due, SortValue::Text(v)) if v == "infinity" => Sql::new("'infinity'::date"),
        (Column::Created | Column::Updated | Column::Resolved, SortValue::Text(v)) => {
            bound(Bind::Timestamptz(v.parse().map_err(|_| bad())?))
        }
        (Column::Due, SortValue::Text(v)) => bound(Bind::Date(v.parse().map_err(|_| bad())?)),
        (Column::Priority, SortValue::Int(v)) => {
            bound(Bind::Int2(i16::try_from(*v).map_err(|_| bad())?))
        }
        (Column::Number, SortValue::Int(v)) => {
            bound(Bind::Int4(i32::try_from(*v).map_err(|_| bad())?))
        }
        (Column::Id, SortValue::Text(v)) => bound(Bind::Uuid(v.parse().map_err(|_| bad())?)),
        (
            Column::ProjectKey
            | Column::Status
            | Column::Category
            | Column::Type
            | Column::Assignee
            | Column::Reporter
            | Column::Summary
            | Column::Rank,
            SortValue::Text(v),
        ) => bound(Bind::Text(v.clone())),
        _ => return Err(bad()),
    })
}

/// Rows strictly after `last` in the order of `keys`. When every key has the same
/// direction this is one row comparison, `(k1, k2, id) < ($1, $2, $3)`, which an index
/// ending with those keys can seek to; otherwise
/// `k1 > v1 OR (k1 = v1 AND k2 > v2) OR ...`, with `<` for descending keys.
pub(crate) fn after(keys: &[SortKey], last: &[SortValue]) -> Result<Condition, ApiError> {
    if keys.len() != last.len() || keys.is_empty() {
        return Err(ApiError::validation(
            "nextPageToken",
            "the token does not belong to this query",
        ));
    }
    let values = keys
        .iter()
        .zip(last)
        .map(|(k, v)| sort_value(k, v))
        .collect::<Result<Vec<_>, _>>()?;
    let symbol = |k: &SortKey| if k.descending { " < " } else { " > " };
    if keys.iter().all(|k| k.descending == keys[0].descending) {
        let mut out = Sql::new("((");
        out.push(
            &keys
                .iter()
                .map(|k| k.column.expr())
                .collect::<Vec<_>>()
                .join(", "),
        );
        out.push(")").push(symbol(&keys[0])).push("(");
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                out.push(", ");
            }
            out.append(v);
        }
        out.push("))");
        return Ok(out);
    }
    let compare = |k: &SortKey, op: &str, v: &Sql| {
        Sql::new(&k.column.expr()).with(|s| {
            s.push(op).append(v);
        })
    };
    let mut alternatives = Vec::new();
    for i in 0..keys.len() {
        let mut parts: Vec<Condition> = (0..i)
            .map(|j| compare(&keys[j], " = ", &values[j]))
            .collect();
        parts.push(compare(&keys[i], symbol(&keys[i]), &values[i]));
        alternatives.push(all(parts));
    }
    Ok(any(alternatives))
}

/// The `ORDER BY` clause text for `keys` (our own expressions only), over `tickets t`
/// or, with `view`, over `ticket_views`.
pub(crate) fn order_by(keys: &[SortKey], view: bool) -> String {
    keys.iter()
        .map(|k| {
            format!(
                "{} {}",
                if view {
                    k.column.view_expr()
                } else {
                    k.column.expr()
                },
                if k.descending { "DESC" } else { "ASC" }
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The instant the single date comparison in `jql` stands for (tests of date logic).
#[cfg(test)]
pub(crate) fn instant_for_test(jql: &str, ctx: &Context) -> Option<DateTime<Utc>> {
    match jql::parse(jql).ok()?.clause? {
        Clause::Compare(cmp) => instant(&cmp, &cmp.value, ctx).ok(),
        _ => None,
    }
}
