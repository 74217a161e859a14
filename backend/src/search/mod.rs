//! Search: JQL over an organization's tickets, with an exact total and keyset pages.
//!
//! The `jql` crate parses and checks the query; [`compile`] turns it into SQL over
//! `ticket_views` (always inside the caller's `OrgScope`, with bind parameters only);
//! [`token`] signs the page position.

pub(crate) mod autocomplete;
pub(crate) mod compile;
pub(crate) mod filters;
pub(crate) mod routes;
pub mod token;

#[cfg(test)]
mod tests;

use diesel::dsl::{count_star, sql};
use diesel::prelude::*;
use diesel::sql_types::Bool;
use diesel_async::RunQueryDsl;
use tenancy::ScopedConn;

use crate::http::ApiError;
use crate::schema::ticket_views;
use crate::tickets::{Ticket, TicketRow};

/// Mounts `/search` and `/filters`.
pub fn configure(cfg: &mut actix_web::web::ServiceConfig) {
    routes::configure(cfg);
    filters::configure(cfg);
}

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

/// One page of results.
pub(crate) struct Found {
    pub issues: Vec<Ticket>,
    /// The last row's sort key when another page exists.
    pub next: Option<Vec<compile::SortValue>>,
    pub total: i64,
}

fn filtered<'a>(
    tx: &ScopedConn<'_>,
    query: &jql::Query,
    ctx: &compile::Context,
) -> Result<ticket_views::BoxedQuery<'a, diesel::pg::Pg>, ApiError> {
    let mut q = ticket_views::table
        .filter(ticket_views::org_id.eq(tx.scope().org_id()))
        .filter(ticket_views::deleted_at.is_null())
        .into_boxed();
    if let Some(clause) = &query.clause {
        q = q.filter(compile::condition(clause, ctx)?);
    }
    Ok(q)
}

/// Runs `query`: the exact number of matches and the page after `after`.
pub(crate) async fn run(
    tx: &mut ScopedConn<'_>,
    query: &jql::Query,
    ctx: &compile::Context,
    after: Option<Vec<compile::SortValue>>,
    limit: i64,
) -> Result<Found, ApiError> {
    let keys = compile::sort_keys(query.order_or_default())?;
    let total: i64 = filtered(tx, query, ctx)?
        .select(count_star())
        .get_result(tx.conn())
        .await?;
    let mut page = filtered(tx, query, ctx)?.select(TicketRow::as_select());
    if let Some(last) = &after {
        page = page.filter(compile::after(&keys, last)?);
    }
    let rows: Vec<TicketRow> = page
        // Our own column expressions only (see compile::Column).
        .order(sql::<Bool>(&compile::order_by(&keys)))
        .limit(limit + 1)
        .load(tx.conn())
        .await?;
    let mut issues: Vec<Ticket> = rows.into_iter().map(Ticket::from).collect();
    let next = if issues.len() as i64 > limit {
        issues.truncate(limit as usize);
        issues
            .last()
            .map(|last| keys.iter().map(|k| k.column.value(last)).collect())
    } else {
        None
    };
    Ok(Found {
        issues,
        next,
        total,
    })
}
