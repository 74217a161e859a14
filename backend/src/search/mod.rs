//! Search: JQL over an organization's tickets, with an exact total and keyset pages.
//!
//! The `jql` crate parses and checks the query; [`compile`] turns it into SQL over
//! `tickets` (always inside the caller's `OrgScope`, with bind parameters only, built
//! with [`sql`]); [`token`] signs the page position. [`run`] is the one path from a
//! query to its total and page, for the API and for `trellis search --explain`.

pub(crate) mod autocomplete;
pub(crate) mod compile;
pub(crate) mod queries;
pub(crate) mod routes;
pub(crate) mod sql;
pub mod token;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Nullable, Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use tenancy::ScopedConn;

use self::sql::{Bind, Explain, NameKind, Sql};
use crate::http::ApiError;
use crate::schema::ticket_views;
use crate::tickets::{Ticket, TicketRow};

/// Largest page.
pub const MAX_RESULTS: i64 = 100;

/// Turns a parse error into a 400 problem naming the column.
pub(crate) fn syntax_error(e: &jql::ParseError) -> ApiError {
    ApiError::bad_request("jql", e.to_string())
        .with_field("jql")
        .with_extension("column", e.column.into())
        .with_extension(
            "expected",
            e.expected
                .iter()
                .map(|s| serde_json::Value::from(*s))
                .collect::<Vec<_>>()
                .into(),
        )
}

/// Parses `jql` for the organization in scope: the system fields first; only a query
/// naming a field the parser does not know costs a look at the organization's custom
/// fields (one small query), and is parsed again knowing them.
pub(crate) async fn parse(tx: &mut ScopedConn<'_>, jql: &str) -> Result<jql::Query, ApiError> {
    match jql::parse(jql) {
        Err(e) if e.kind == jql::ErrorKind::UnknownField => {
            let custom = crate::custom_fields::queries::catalog(tx).await?;
            if custom.is_empty() {
                return Err(syntax_error(&e));
            }
            jql::parse_with(jql, &custom).map_err(|e| syntax_error(&e))
        }
        other => other.map_err(|e| syntax_error(&e)),
    }
}

/// One page of results.
pub(crate) struct Found {
    pub issues: Vec<Ticket>,
    /// The last row's sort key when another page exists.
    pub next: Option<Vec<compile::SortValue>>,
    pub total: i64,
}

/// Up to this many matches, the page query finds the text matches first and sorts
/// them ([`compile::TextPlan::MatchesFirst`]); above it, matches are common enough
/// that walking the sort index and testing each row fills a page sooner. The exact
/// total, known before the page runs, decides.
const MATERIALIZE_TEXT_MATCHES: i64 = 20_000;

/// Tests lower it to run the query table with every text comparison tested per row.
#[cfg(test)]
pub(crate) static MATCHES_FIRST_MAX: std::sync::atomic::AtomicI64 =
    std::sync::atomic::AtomicI64::new(MATERIALIZE_TEXT_MATCHES);

fn matches_first_max() -> i64 {
    #[cfg(test)]
    return std::sync::atomic::AtomicI64::load(
        &MATCHES_FIRST_MAX,
        std::sync::atomic::Ordering::Relaxed,
    );
    #[cfg(not(test))]
    MATERIALIZE_TEXT_MATCHES
}

/// Settings for the search transaction only (`set_config(.., true)`), sent with the
/// name lookup so they cost no round trip of their own. JIT compilation costs tens of
/// milliseconds and pays off only for queries far longer than any search should be.
const SETTINGS: &str = "set_config('jit', 'off', true)";

/// How names of a kind become ids: `SELECT {name}, {id} FROM {table} WHERE [org_id =
/// $org AND] {name} = ANY($names)` (users are global, everything else is the org's).
fn name_lookup(kind: NameKind) -> (&'static str, &'static str, &'static str, bool) {
    match kind {
        NameKind::Project => ("key", "id", "projects", true),
        NameKind::Status => ("lower(name)", "id", "statuses", true),
        NameKind::Category => ("category", "id", "statuses", true),
        NameKind::Login => ("login", "id", "users", false),
        NameKind::Role => ("role", "user_id", "memberships", true),
        NameKind::Sprint => ("lower(name)", "id", "sprints", true),
        NameKind::Component => ("lower(name)", "id", "components", true),
        NameKind::CustomField => ("number::text", "id", "custom_fields", true),
        NameKind::CustomOption => (
            "name",
            "id",
            "(SELECT o.id, o.org_id, f.number::text || ':' || lower(o.value) AS name                FROM custom_field_options o                JOIN custom_fields f ON f.org_id = o.org_id AND f.id = o.field_id) co",
            true,
        ),
    }
}

type Names = BTreeMap<(NameKind, String), Vec<uuid::Uuid>>;

/// Applies [`SETTINGS`] and resolves every name `statements` use, in one round trip.
async fn resolve_names(tx: &mut ScopedConn<'_>, statements: &[&Sql]) -> Result<Names, ApiError> {
    let mut wanted = BTreeSet::new();
    for statement in statements {
        statement.names(&mut wanted);
    }
    let org = tx.scope().org_id();
    // The first branch always runs (an Append runs its parts in order), so the
    // settings apply even when no name is asked for.
    let mut lookup = Sql::new(&format!("SELECT 'settings'::text, {SETTINGS}, NULL::uuid"));
    for kind in NameKind::ALL {
        let names: Vec<String> = wanted
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, n)| n.clone())
            .collect();
        if names.is_empty() {
            continue;
        }
        let (name, id, table, per_org) = name_lookup(kind);
        lookup.push(&format!(
            " UNION ALL SELECT '{}', {name}, {id} FROM {table} WHERE ",
            kind.as_str()
        ));
        if per_org {
            lookup
                .push("org_id = ")
                .bind(Bind::Uuid(org.0))
                .push(" AND ");
        }
        lookup
            .push(&format!("{name} = ANY("))
            .bind(Bind::Texts(names))
            .push(")");
    }
    let rows: Vec<(String, String, Option<uuid::Uuid>)> = lookup
        .query::<(Text, Text, Nullable<SqlUuid>)>()
        .load(tx.conn())
        .await?;
    let mut out = Names::new();
    for (kind, name, id) in rows {
        let (Some(kind), Some(id)) = (NameKind::ALL.into_iter().find(|k| k.as_str() == kind), id)
        else {
            continue;
        };
        out.entry((kind, name)).or_default().push(id);
    }
    Ok(out)
}

/// Runs `query`: the exact number of matches and the page after `after`. With
/// `explain`, each statement also runs as `EXPLAIN (ANALYZE, BUFFERS)` first and its
/// plan is appended there (for `trellis search --explain`).
pub(crate) async fn run(
    tx: &mut ScopedConn<'_>,
    query: &jql::Query,
    ctx: &compile::Context,
    after: Option<Vec<compile::SortValue>>,
    limit: i64,
    mut explain: Option<&mut Vec<String>>,
) -> Result<Found, ApiError> {
    let keys = compile::sort_keys(query.order_or_default())?;
    let org = tx.scope().org_id();
    let counted = compile::compile(query, ctx, compile::TextPlan::MatchesFirst)?;
    let text_only = counted
        .text_matches
        .as_ref()
        .filter(|_| ctx.hidden_projects.is_empty());
    let mut count = match (text_only, &counted.lone_count) {
        // One custom-field comparison or history clause and nothing else: counted on its
        // own rows, which carry the ticket's project and whether it is live (an
        // index-only scan, no probe of `tickets` per match).
        (None, Some(lone)) => {
            let a = lone.alias;
            let mut rows = Sql::new(&format!("FROM {} WHERE {a}.org_id = ", lone.from));
            rows.bind(Bind::Uuid(org.0))
                .push(&format!(" AND {a}.live AND "))
                .append(&lone.rows);
            if !ctx.hidden_projects.is_empty() {
                rows.push(&format!(" AND {a}.project_id <> ALL("))
                    .bind(Bind::Uuids(
                        ctx.hidden_projects.iter().map(|p| p.0).collect(),
                    ))
                    .push(")");
            }
            let mut count = Sql::new(if lone.distinct {
                "SELECT count(*), NULL::uuid[] FROM (SELECT DISTINCT "
            } else {
                "SELECT count(*), NULL::uuid[] "
            });
            if lone.distinct {
                count
                    .push(&format!("{a}.ticket_id "))
                    .append(&rows)
                    .push(") d");
            } else {
                count.append(&rows);
            }
            count
        }
        // One text comparison and nothing else: its matches are the answer, and when
        // they are few their ids come back too, so the page need not search again.
        (Some(matches), _) => {
            let mut count = Sql::new("SELECT count(*), CASE WHEN count(*) <= ");
            count
                .bind(Bind::Int8(matches_first_max()))
                .push(" THEN array_agg(ticket_id) END FROM ")
                .append(matches);
            count
        }
        (None, None) => {
            let mut count = counted.ctes.clone();
            count
                .push("SELECT count(*), NULL::uuid[] FROM tickets t WHERE ")
                .append(&visible(org, ctx, &counted));
            count
        }
    };
    let names = resolve_names(tx, &[&count]).await?;
    count.resolve(&|kind, name| lookup(&names, kind, name));
    type CountRow = (BigInt, Nullable<Array<SqlUuid>>);
    if let Some(plans) = explain.as_deref_mut() {
        plans.push("-- count".to_owned());
        plans.extend(
            Explain(count.clone().query::<CountRow>())
                .load::<String>(tx.conn())
                .await?,
        );
    }
    let (total, matched): (i64, Option<Vec<uuid::Uuid>>) =
        count.query::<CountRow>().get_result(tx.conn()).await?;

    // The exact total tells how common the text matches are.
    let paged = match matched {
        Some(ids) => compile::Compiled {
            condition: Sql::new("t.id = ANY(").with(|s| {
                s.bind(Bind::Uuids(ids)).push(")");
            }),
            ctes: Sql::default(),
            text_matches: None,
            lone_count: None,
        },
        None if total <= matches_first_max() => counted,
        None => compile::compile(query, ctx, compile::TextPlan::PerRow)?,
    };
    let mut page = page_ids(org, ctx, &paged, &keys, after.as_deref(), limit)?;
    page.resolve(&|kind, name| lookup(&names, kind, name));
    let (issues, next) = load_page(tx, page, &keys, limit, explain).await?;
    Ok(Found {
        issues,
        next,
        total,
    })
}

/// One page without the total, for walking every page of a query (an export): the
/// total would count the whole result again for each page. Text is tested per row,
/// as for a common match.
pub(crate) async fn page_without_total(
    tx: &mut ScopedConn<'_>,
    query: &jql::Query,
    ctx: &compile::Context,
    after: Option<&[compile::SortValue]>,
    limit: i64,
) -> Result<(Vec<Ticket>, Option<Vec<compile::SortValue>>), ApiError> {
    let keys = compile::sort_keys(query.order_or_default())?;
    let org = tx.scope().org_id();
    let paged = compile::compile(query, ctx, compile::TextPlan::PerRow)?;
    let mut page = page_ids(org, ctx, &paged, &keys, after, limit)?;
    let names = resolve_names(tx, &[&page]).await?;
    page.resolve(&|kind, name| lookup(&names, kind, name));
    load_page(tx, page, &keys, limit, None).await
}

fn lookup(names: &Names, kind: NameKind, name: &str) -> Vec<uuid::Uuid> {
    names
        .get(&(kind, name.to_owned()))
        .cloned()
        .unwrap_or_default()
}

/// The condition every statement has: the org's live tickets the caller may see,
/// matching the query.
fn visible(org: tenancy::OrgId, ctx: &compile::Context, compiled: &compile::Compiled) -> Sql {
    let mut filter = Sql::new("t.org_id = ");
    filter
        .bind(Bind::Uuid(org.0))
        .push(" AND t.deleted_at IS NULL");
    if !ctx.hidden_projects.is_empty() {
        filter
            .push(" AND t.project_id <> ALL(")
            .bind(Bind::Uuids(
                ctx.hidden_projects.iter().map(|p| p.0).collect(),
            ))
            .push(")");
    }
    filter.push(" AND ").append(&compiled.condition);
    filter
}

/// `ticket_views.id = ANY(ids of the page)`: the ids in order on `tickets` (names
/// joined only to sort by them), one more than `limit` to tell whether a page follows.
fn page_ids(
    org: tenancy::OrgId,
    ctx: &compile::Context,
    paged: &compile::Compiled,
    keys: &[compile::SortKey],
    after: Option<&[compile::SortValue]>,
    limit: i64,
) -> Result<Sql, ApiError> {
    let mut page = paged.ctes.clone();
    page.push("SELECT t.id FROM tickets t");
    let mut joins: Vec<compile::Join> = keys.iter().filter_map(|k| k.column.join()).collect();
    joins.sort_unstable();
    joins.dedup();
    for j in joins {
        page.push(j.sql());
    }
    page.push(" WHERE ").append(&visible(org, ctx, paged));
    if let Some(last) = after {
        page.push(" AND ").append(&compile::after(keys, last)?);
    }
    page.push(&format!(
        " ORDER BY {} LIMIT ",
        compile::order_by(keys, false)
    ))
    .bind(Bind::Int8(limit + 1));
    let mut in_page = Sql::new("ticket_views.id = ANY(ARRAY(");
    in_page.append(&page).push("))");
    Ok(in_page)
}

/// The rows of the page's ids from `ticket_views`, in the page's order, and the last
/// row's sort key when another page follows.
async fn load_page(
    tx: &mut ScopedConn<'_>,
    in_page: Sql,
    keys: &[compile::SortKey],
    limit: i64,
    explain: Option<&mut Vec<String>>,
) -> Result<(Vec<Ticket>, Option<Vec<compile::SortValue>>), ApiError> {
    let rows_query = ticket_views::table
        .filter(ticket_views::org_id.eq(tx.scope().org_id()))
        .filter(in_page)
        // Our own column expressions only (see compile::Column).
        .order(sql::<Bool>(&compile::order_by(keys, true)))
        .select(TicketRow::as_select());
    if let Some(plans) = explain {
        plans.push("-- page".to_owned());
        plans.extend(
            Explain(rows_query.clone())
                .load::<String>(tx.conn())
                .await?,
        );
    }
    let rows: Vec<TicketRow> = rows_query.load(tx.conn()).await?;
    let mut issues: Vec<Ticket> = rows.into_iter().map(Ticket::from).collect();
    crate::tickets::queries::hide_invisible_relatives(tx, &mut issues).await?;
    let next = if issues.len() as i64 > limit {
        issues.truncate(limit as usize);
        issues
            .last()
            .map(|last| keys.iter().map(|k| k.column.value(last)).collect())
    } else {
        None
    };
    Ok((issues, next))
}

/// `trellis search`: runs `jql` as `login` in `org` through [`run`], the API's own
/// path, and prints the total and the page's keys; with `explain`, first the
/// `EXPLAIN (ANALYZE, BUFFERS)` of the count and the page statements.
pub async fn command(
    conn: &mut tenancy::DbConn,
    org: &str,
    login: &str,
    jql: &str,
    limit: i64,
    explain: bool,
) -> anyhow::Result<()> {
    use anyhow::Context as _;
    let user: uuid::Uuid = crate::schema::users::table
        .filter(crate::schema::users::login.eq(login))
        .filter(crate::schema::users::deleted_at.is_null())
        .select(crate::schema::users::id)
        .first(conn)
        .await
        .optional()?
        .with_context(|| format!("no user with login `{login}`"))?;
    let scope = tenancy::authorize_user(conn, tenancy::UserId(user), org)
        .await?
        .with_context(|| format!("`{login}` is not a member of `{org}`"))?;
    if !(1..=MAX_RESULTS).contains(&limit) {
        anyhow::bail!("--max-results must be between 1 and {MAX_RESULTS}");
    }
    let ctx = compile::Context {
        user: scope.user_id(),
        now: chrono::Utc::now(),
        zone: chrono::FixedOffset::east_opt(0).context("UTC offset")?,
        hidden_projects: crate::projects::access::hidden(&scope),
    };
    let mut plans = Vec::new();
    let found = scope
        .transaction(conn, async |tx| {
            let query = parse(tx, jql).await?;
            run(tx, &query, &ctx, None, limit, explain.then_some(&mut plans)).await
        })
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    for line in plans {
        println!("{line}");
    }
    println!("total: {}", found.total);
    let keys: Vec<&str> = found.issues.iter().map(|t| t.key.as_str()).collect();
    println!("page: {}", keys.join(" "));
    Ok(())
}
