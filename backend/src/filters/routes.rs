//! `/api/v1/orgs/{org}/filters`: HTTP only.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use tenancy::Permission;

use super::{FilterId, FilterPatch, NewFilter, SavedFilter, queries};
use crate::auth::Caller;
use crate::http::error::Problem;
use crate::http::{ApiError, IfMatch, JsonBody, Page, PageParams, json_with_etag, validate};

/// Mounts `/filters` (inside `/api/v1/orgs/{org}`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/filters")
            .route(web::get().to(list_filters))
            .route(web::post().to(create_filter)),
    )
    .service(
        web::resource("/filters/{filter}")
            .route(web::get().to(get_filter))
            .route(web::patch().to(update_filter))
            .route(web::delete().to(delete_filter)),
    );
}

fn check_jql(jql: &str) -> Result<String, ApiError> {
    if jql.trim().is_empty() {
        return Err(ApiError::validation("jql", "must not be empty"));
    }
    if jql.chars().count() > jql::MAX_QUERY_CHARS {
        return Err(ApiError::validation(
            "jql",
            format!("must be at most {} characters", jql::MAX_QUERY_CHARS),
        ));
    }
    Ok(jql.to_owned())
}

fn filter_id(raw: &str) -> Result<FilterId, ApiError> {
    raw.parse()
        .map(FilterId)
        .map_err(|_| ApiError::not_found("filter"))
}

/// Saves a filter.
#[utoipa::path(
    post, path = "/api/v1/orgs/{org}/filters", tag = "search",
    params(("org" = String, Path, description = "Organization slug")),
    request_body = NewFilter,
    responses((status = 201, body = SavedFilter), (status = 400, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn create_filter(
    mut caller: Caller,
    body: JsonBody<NewFilter>,
) -> Result<HttpResponse, ApiError> {
    caller.scope.require(Permission::TicketsRead)?;
    let name = validate::required_text("name", &body.name, 200)?;
    let jql = check_jql(&body.jql)?;
    let shared = body.shared;
    let filter = caller
        .tx(Permission::TicketsRead, async move |tx| {
            crate::search::parse(tx, &jql).await?;
            queries::insert(tx, &name, &jql, shared).await
        })
        .await?;
    Ok(json_with_etag(StatusCode::CREATED, filter.version, &filter))
}

/// Lists the caller's filters and the shared ones, by name.
#[utoipa::path(
    get, path = "/api/v1/orgs/{org}/filters", tag = "search",
    params(("org" = String, Path, description = "Organization slug"), PageParams),
    responses((status = 200, body = Page<SavedFilter>)),
    security(("bearer" = []))
)]
pub(crate) async fn list_filters(
    mut caller: Caller,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<SavedFilter>>, ApiError> {
    let limit = page.limit()?;
    let after: Option<(String, FilterId)> = page.cursor()?;
    let rows = caller
        .tx(Permission::TicketsRead, async move |tx| {
            Ok(queries::list(tx, after, limit).await?)
        })
        .await?;
    Ok(web::Json(Page::from_rows(
        rows,
        limit,
        |f: &SavedFilter| (f.name.clone(), f.id),
    )))
}

/// One saved filter.
#[utoipa::path(
    get, path = "/api/v1/orgs/{org}/filters/{filter}", tag = "search",
    params(("org" = String, Path, description = "Organization slug"), ("filter" = String, Path, description = "Filter id")),
    responses((status = 200, body = SavedFilter), (status = 404, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn get_filter(
    mut caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let id = filter_id(&path.1)?;
    let filter = caller
        .tx(Permission::TicketsRead, async move |tx| {
            queries::find(tx, id).await
        })
        .await?;
    Ok(json_with_etag(StatusCode::OK, filter.version, &filter))
}

/// Renames, re-queries or (un)shares a filter (its owner only).
#[utoipa::path(
    patch, path = "/api/v1/orgs/{org}/filters/{filter}", tag = "search",
    params(("org" = String, Path, description = "Organization slug"), ("filter" = String, Path, description = "Filter id"),
           ("If-Match" = Option<String>, Header, description = "ETag from a previous read")),
    request_body = FilterPatch,
    responses((status = 200, body = SavedFilter), (status = 403, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn update_filter(
    mut caller: Caller,
    path: web::Path<(String, String)>,
    if_match: IfMatch,
    body: JsonBody<FilterPatch>,
) -> Result<HttpResponse, ApiError> {
    let id = filter_id(&path.1)?;
    let name = body
        .name
        .as_deref()
        .map(|n| validate::required_text("name", n, 200))
        .transpose()?;
    let jql = body.jql.as_deref().map(check_jql).transpose()?;
    let shared = body.shared;
    let filter = caller
        .tx(Permission::TicketsRead, async move |tx| {
            if let Some(jql) = &jql {
                crate::search::parse(tx, jql).await?;
            }
            let before = queries::find_own(tx, id, &if_match).await?;
            let change = queries::FilterChange { name, jql, shared };
            queries::update(tx, &before, change).await
        })
        .await?;
    Ok(json_with_etag(StatusCode::OK, filter.version, &filter))
}

/// Deletes a filter (its owner only).
#[utoipa::path(
    delete, path = "/api/v1/orgs/{org}/filters/{filter}", tag = "search",
    params(("org" = String, Path, description = "Organization slug"), ("filter" = String, Path, description = "Filter id"),
           ("If-Match" = Option<String>, Header, description = "ETag from a previous read")),
    responses((status = 204, description = "Deleted"), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn delete_filter(
    mut caller: Caller,
    path: web::Path<(String, String)>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = filter_id(&path.1)?;
    caller
        .tx(Permission::TicketsRead, async move |tx| {
            let before = queries::find_own(tx, id, &if_match).await?;
            queries::delete(tx, &before).await
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
