//! `GET /api/v1/orgs/{org}/export`: a JQL result as a streamed CSV or JSON file.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use bytes::Bytes;
use serde::Deserialize;
use tenancy::Permission;
use tokio::sync::{Semaphore, SemaphorePermit};

use super::{Column, CsvRows, CustomColumn, DEFAULT_COLUMNS, ExportColumn, json_row};
use crate::auth::Caller;
use crate::http::ApiError;
use crate::http::error::Problem;
use crate::search::compile::{Context, SortValue};
use crate::tickets::Ticket;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/export", web::get().to(export));
}

/// Tickets per page read from the database (one short transaction each).
const PAGE: i64 = if cfg!(test) { 7 } else { 500 };

/// Most columns one export may ask for.
const MAX_COLUMNS: usize = 50;

/// Exports running at once in this process: each holds a database connection until
/// its client has read the whole file, so a few slow downloads cannot take the pool.
pub(super) static RUNNING: Semaphore = Semaphore::const_new(4);

/// `GET .../export` query.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct ExportQuery {
    /// The JQL query (empty: every ticket); its `ORDER BY` orders the rows.
    #[serde(default)]
    jql: String,
    /// `csv` (default) or `json`.
    format: Option<String>,
    /// Columns, comma-separated, in order: `key`, `summary`, `type`, `status`,
    /// `statusCategory`, `priority`, `assignee`, `reporter`, `project`, `labels`,
    /// `component`, `sprint`, `parent`, `created`, `updated`, `resolved`, `due`,
    /// `startDate`, `storyPoints`, `originalEstimate`, `watchers`, `description`, and
    /// custom fields by `cf[10001]` or name (CSV header `Custom field (Name)`).
    /// Default: key, summary, type, status, priority, assignee, reporter, created,
    /// updated, resolved.
    columns: Option<String>,
    /// UTC offset the times are written in, e.g. `+02:00` (default `UTC`); also the
    /// zone of the query's date functions.
    time_zone: Option<String>,
    /// Start the CSV with a UTF-8 byte order mark (what Excel needs to read UTF-8).
    bom: Option<bool>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    Json,
}

/// The columns `raw` names: ours by name or alias, custom fields by `cf[N]` or name
/// (their definitions are read only when a name is not one of ours).
async fn columns(
    tx: &mut tenancy::ScopedConn<'_>,
    raw: Option<&str>,
) -> Result<Vec<ExportColumn>, ApiError> {
    let Some(raw) = raw.filter(|r| !r.trim().is_empty()) else {
        return Ok(DEFAULT_COLUMNS.map(ExportColumn::System).to_vec());
    };
    let mut fields: Option<Vec<crate::custom_fields::queries::Definition>> = None;
    let mut out: Vec<ExportColumn> = Vec::new();
    for name in raw.split(',').filter(|n| !n.trim().is_empty()) {
        let name = name.trim();
        let column = match Column::parse(name) {
            Some(column) => ExportColumn::System(column),
            None => {
                if fields.is_none() {
                    let hidden = crate::projects::access::hidden(tx.scope());
                    fields = Some(crate::custom_fields::queries::definitions(tx, &hidden).await?);
                }
                let number = jql::custom_number(name);
                let def = fields.iter().flatten().find(|d| {
                    number.is_some_and(|n| i64::from(d.field.number) == i64::from(n))
                        || d.field.name.to_lowercase() == name.to_lowercase()
                });
                let Some(def) = def else {
                    return Err(ApiError::validation(
                        "columns",
                        format!(
                            "unknown column `{name}`; one of: {}, or a custom field (`cf[10001]` or its name)",
                            Column::names().join(", ")
                        ),
                    ));
                };
                ExportColumn::Custom(CustomColumn {
                    number: def.field.number,
                    name: def.field.name.clone(),
                    kind: def.field.kind,
                    options: def
                        .field
                        .options
                        .iter()
                        .map(|o| (o.id.0.to_string(), o.value.clone()))
                        .collect(),
                    logins: if def.field.kind == crate::custom_fields::CustomFieldKind::User {
                        member_logins(tx).await?
                    } else {
                        Default::default()
                    },
                })
            }
        };
        if out.iter().any(|c| c.name() == column.name()) {
            return Err(ApiError::validation(
                "columns",
                format!("`{}` is named twice", column.name()),
            ));
        }
        out.push(column);
    }
    if out.len() > MAX_COLUMNS {
        return Err(ApiError::validation(
            "columns",
            format!("at most {MAX_COLUMNS} columns"),
        ));
    }
    Ok(out)
}

/// Every member's login by user id (as user fields store them).
async fn member_logins(
    tx: &mut tenancy::ScopedConn<'_>,
) -> Result<std::collections::HashMap<String, String>, ApiError> {
    use crate::schema::{memberships, users};
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    let rows: Vec<(uuid::Uuid, String)> = memberships::table
        .inner_join(users::table)
        .filter(memberships::org_id.eq(tx.scope().org_id()))
        .select((users::id, users::login))
        .load(tx.conn())
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, login)| (id.to_string(), login))
        .collect())
}

/// What the stream needs between pages.
struct Export {
    caller: Caller,
    query: jql::Query,
    ctx: Context,
    format: Format,
    columns: Vec<ExportColumn>,
    csv: CsvRows,
    /// The page read but not yet written.
    page: Vec<Ticket>,
    /// Where the next page starts; `None` once the last page is read.
    after: Option<Vec<SortValue>>,
    /// Rows written so far (JSON needs commas between them).
    written: usize,
    finished: bool,
    _permit: SemaphorePermit<'static>,
}

impl Export {
    fn encode(&mut self) -> Vec<u8> {
        let page = std::mem::take(&mut self.page);
        match self.format {
            Format::Csv => self.csv.rows(&page),
            Format::Json => {
                let mut out = Vec::new();
                for ticket in &page {
                    out.extend_from_slice(if self.written == 0 { b"\n" } else { b",\n" });
                    let row = json_row(&self.columns, ticket, &self.ctx.zone);
                    // Serializing a Value into a Vec cannot fail.
                    let _ = serde_json::to_writer(&mut out, &row);
                    self.written += 1;
                }
                out
            }
        }
    }

    /// The next chunk of the file: the page in hand, after reading the one after it
    /// (so the last page ends the document).
    async fn next_chunk(&mut self) -> Option<Result<Bytes, ApiError>> {
        if self.finished {
            return None;
        }
        let mut chunk = self.encode();
        match self.after.take() {
            Some(after) => {
                let (query, ctx) = (&self.query, &self.ctx);
                let read = self
                    .caller
                    .tx(Permission::TicketsRead, async |tx| {
                        crate::search::page_without_total(tx, query, ctx, Some(&after), PAGE).await
                    })
                    .await;
                match read {
                    Ok((page, next)) => {
                        self.page = page;
                        self.after = next;
                    }
                    Err(e) => {
                        // The status line is sent: ending the body early is the only
                        // signal left (the client sees an incomplete transfer).
                        tracing::error!(error = %e, "export stopped");
                        self.finished = true;
                        return Some(Err(e));
                    }
                }
            }
            None => {
                self.finished = true;
                if self.format == Format::Json {
                    chunk.extend_from_slice(b"\n]\n");
                }
            }
        }
        Some(Ok(Bytes::from(chunk)))
    }
}

/// Exports the tickets a JQL query finds (those the caller may see) as CSV or JSON,
/// streamed: rows are read a page at a time as the client downloads, whatever the
/// size of the result. Times are RFC 3339 in `timeZone`; lists (labels, components)
/// are one cell joined by `, ` in CSV and arrays in JSON; CSV text cells that start
/// with `=`, `+`, `-`, `@`, a tab or a carriage return get a leading `'` so
/// spreadsheets do not run them as formulas. At most 4 exports run at once per
/// server process (429 otherwise).
#[utoipa::path(
    get, path = "/api/v1/orgs/{org}/export", tag = "search",
    params(("org" = String, Path, description = "Organization slug"), ExportQuery),
    responses(
        (status = 200, description = "The file: `text/csv` (RFC 4180, CRLF, a header line) or `application/json` (an array of objects named as the columns)", content_type = "text/csv"),
        (status = 400, description = "JQL error, with its column", body = Problem),
        (status = 422, description = "Unknown format or column, or a bad time zone", body = Problem),
        (status = 429, description = "Too many exports running; retry after `Retry-After`", body = Problem),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn export(
    mut caller: Caller,
    path: web::Path<String>,
    query: web::Query<ExportQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.scope.require(Permission::TicketsRead)?;
    let request = query.into_inner();
    let format = match request.format.as_deref().map(str::trim) {
        None | Some("csv") => Format::Csv,
        Some("json") => Format::Json,
        Some(_) => return Err(ApiError::validation("format", "`csv` or `json`")),
    };
    if request.jql.chars().count() > jql::MAX_QUERY_CHARS {
        return Err(ApiError::validation(
            "jql",
            format!("must be at most {} characters", jql::MAX_QUERY_CHARS),
        ));
    }
    let ctx = Context {
        user: caller.scope.user_id(),
        now: chrono::Utc::now(),
        zone: crate::search::routes::zone(request.time_zone.as_deref())?,
        hidden_projects: crate::projects::access::hidden(&caller.scope),
    };
    let permit = RUNNING.try_acquire().map_err(|_| {
        ApiError::too_many_requests("too many exports are running; retry in a few seconds")
            .with_header("Retry-After", 5)
    })?;
    // The first page before the status line: a query that cannot run is a problem
    // document, not a broken download.
    let (parsed, columns, first, after) = caller
        .tx(Permission::TicketsRead, async |tx| {
            let columns = columns(tx, request.columns.as_deref()).await?;
            let parsed = crate::search::parse(tx, &request.jql).await?;
            let (first, after) =
                crate::search::page_without_total(tx, &parsed, &ctx, None, PAGE).await?;
            Ok((parsed, columns, first, after))
        })
        .await?;
    let csv = CsvRows::new(columns.clone(), ctx.zone);
    let mut opening = Vec::new();
    match format {
        Format::Csv => {
            if request.bom == Some(true) {
                opening.extend_from_slice("\u{feff}".as_bytes());
            }
            opening.extend(csv.header());
        }
        Format::Json => opening.push(b'['),
    }
    let state = Export {
        caller,
        query: parsed,
        ctx,
        format,
        columns,
        csv,
        page: first,
        after,
        written: 0,
        finished: false,
        _permit: permit,
    };
    let opening =
        futures_util::stream::once(async move { Ok::<_, actix_web::Error>(Bytes::from(opening)) });
    let rows = futures_util::stream::unfold(state, |mut state| async move {
        let chunk = state.next_chunk().await?.map_err(actix_web::Error::from);
        Some((chunk, state))
    });
    let (content_type, extension) = match format {
        Format::Csv => ("text/csv; charset=utf-8", "csv"),
        Format::Json => ("application/json", "json"),
    };
    let file = format!(
        "{}-{}.{extension}",
        path.into_inner(),
        chrono::Utc::now().format("%Y%m%d-%H%M%S")
    );
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file}\""),
        ))
        .streaming(futures_util::StreamExt::chain(opening, rows)))
}
