//! `GET` and `POST /api/v1/orgs/{org}/search`

use actix_web::web;
use chrono::FixedOffset;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tenancy::Permission;

use super::MAX_RESULTS;
use super::compile::Context;
use super::token::{self, PageTokenKey};
use crate::auth::Caller;
use crate::http::error::Problem;
use crate::http::{ApiError, JsonBody};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/search")
            .route(web::get().to(search_get))
            .route(web::post().to(search_post)),
    )
    .route(
        "/search/autocomplete",
        web::get().to(super::autocomplete::autocomplete),
    );
}

/// Search parameters, as query string (`GET`) or JSON body (`POST`).
#[derive(Debug, Deserialize, utoipa::ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct SearchRequest {
    /// The JQL query; empty matches every ticket. Default order: `created DESC`.
    #[serde(default)]
    jql: String,
    /// Page size, 1 to 100 (default 50).
    max_results: Option<i64>,
    /// `nextPageToken` of the previous page (same query).
    next_page_token: Option<String>,
    /// Ticket fields to return (comma-separated in `GET`); `id` and `key` always come.
    #[param(value_type = Option<String>)]
    #[schema(value_type = Option<Vec<String>>)]
    fields: Option<Fields>,
    /// The caller's UTC offset for dates and `startOfDay()`-style functions, e.g.
    /// `+02:00` (default `UTC`).
    time_zone: Option<String>,
}

/// `fields` as a list (JSON) or a comma-separated string (query string).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum Fields {
    List(Vec<String>),
    Csv(String),
}

impl Fields {
    fn names(&self) -> Vec<String> {
        match self {
            Fields::List(list) => list.clone(),
            Fields::Csv(csv) => csv
                .split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect(),
        }
    }
}

/// A page of search results with the exact number of matches.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SearchResponse {
    #[schema(value_type = Vec<crate::tickets::Ticket>)]
    issues: Vec<Value>,
    next_page_token: Option<String>,
    is_last: bool,
    total: i64,
}

pub(crate) fn zone(raw: Option<&str>) -> Result<FixedOffset, ApiError> {
    let invalid = || ApiError::validation("timeZone", "a UTC offset such as +02:00, -05:30 or UTC");
    match raw.map(str::trim) {
        None | Some("UTC" | "Z" | "utc") => Ok(FixedOffset::east_opt(0).ok_or_else(invalid)?),
        Some(offset) => {
            let (sign, rest) = match offset.as_bytes().first() {
                Some(b'+') => (1, &offset[1..]),
                Some(b'-') => (-1, &offset[1..]),
                _ => return Err(invalid()),
            };
            let (hours, minutes) = rest.split_once(':').ok_or_else(invalid)?;
            let hours: i32 = hours.parse().map_err(|_| invalid())?;
            let minutes: i32 = minutes.parse().map_err(|_| invalid())?;
            if hours > 14 || minutes > 59 {
                return Err(invalid());
            }
            FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60)).ok_or_else(invalid)
        }
    }
}

async fn search(
    mut caller: Caller,
    keys: &PageTokenKey,
    request: SearchRequest,
) -> Result<web::Json<SearchResponse>, ApiError> {
    caller.scope.require(Permission::TicketsRead)?;
    let limit = match request.max_results {
        None => 50,
        Some(n) if (1..=MAX_RESULTS).contains(&n) => n,
        Some(_) => {
            return Err(ApiError::validation(
                "maxResults",
                "must be between 1 and 100",
            ));
        }
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
        zone: zone(request.time_zone.as_deref())?,
        hidden_projects: crate::projects::access::hidden(&caller.scope),
    };
    let scope = caller.scope.clone();
    let (found, binding) = caller
        .tx(Permission::TicketsRead, async |tx| {
            let query = super::parse(tx, &request.jql).await?;
            // The token is bound to the canonical query, so re-spacing the JQL keeps
            // it valid.
            let binding = token::query_binding(&query.to_string(), &scope);
            let after = request
                .next_page_token
                .as_deref()
                .map(|t| token::decode(keys, &binding, t))
                .transpose()?;
            let found = super::run(tx, &query, &ctx, after, limit, None).await?;
            Ok((found, binding))
        })
        .await?;
    let wanted = request.fields.as_ref().map(Fields::names);
    let issues = found
        .issues
        .iter()
        .map(|ticket| {
            let mut value = serde_json::to_value(ticket).unwrap_or_default();
            if let (Some(wanted), Value::Object(map)) = (&wanted, &mut value) {
                map.retain(|k, _| k == "id" || k == "key" || wanted.iter().any(|w| w == k));
            }
            value
        })
        .collect();
    let next_page_token = found.next.map(|last| token::encode(keys, &binding, last));
    Ok(web::Json(SearchResponse {
        issues,
        is_last: next_page_token.is_none(),
        next_page_token,
        total: found.total,
    }))
}

/// Searches tickets with JQL (query string form).
#[utoipa::path(
    get, path = "/api/v1/orgs/{org}/search", tag = "search",
    params(("org" = String, Path, description = "Organization slug"), SearchRequest),
    responses((status = 200, body = SearchResponse), (status = 400, description = "JQL error, with its column", body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn search_get(
    caller: Caller,
    keys: web::Data<PageTokenKey>,
    request: web::Query<SearchRequest>,
) -> Result<web::Json<SearchResponse>, ApiError> {
    search(caller, &keys, request.into_inner()).await
}

/// Searches tickets with JQL (JSON body form, for long queries).
#[utoipa::path(
    post, path = "/api/v1/orgs/{org}/search", tag = "search",
    params(("org" = String, Path, description = "Organization slug")),
    request_body = SearchRequest,
    responses((status = 200, body = SearchResponse), (status = 400, description = "JQL error, with its column", body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn search_post(
    caller: Caller,
    keys: web::Data<PageTokenKey>,
    request: JsonBody<SearchRequest>,
) -> Result<web::Json<SearchResponse>, ApiError> {
    search(caller, &keys, request.0).await
}
