//! Saved filters: a named JQL query, private to its owner or shared with the org.
//! `/api/v1/orgs/{org}/filters`

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use tenancy::{Permission, ScopedConn, UserId};

use crate::auth::Caller;
use crate::http::error::Problem;
use crate::http::{ApiError, IfMatch, JsonBody, Page, PageParams, json_with_etag, validate};
use crate::schema::saved_filters;

tenancy::id_type!(
    /// A saved filter.
    FilterId
);

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

/// A saved filter as the API shows it.
#[derive(Debug, Clone, Queryable, Selectable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = saved_filters)]
pub(crate) struct SavedFilter {
    id: FilterId,
    owner_id: UserId,
    name: String,
    /// The query as saved (run it with `/search`).
    jql: String,
    /// Visible to every member of the organization, not only its owner.
    shared: bool,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// `POST /filters` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewFilter {
    name: String,
    jql: String,
    #[serde(default)]
    shared: bool,
}

/// `PATCH /filters/{filter}` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct FilterPatch {
    name: Option<String>,
    jql: Option<String>,
    shared: Option<bool>,
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
    jql::parse(jql).map_err(|e| super::syntax_error(&e))?;
    Ok(jql.to_owned())
}

fn filter_id(raw: &str) -> Result<FilterId, ApiError> {
    raw.parse()
        .map(FilterId)
        .map_err(|_| ApiError::not_found("filter"))
}

/// Filters the caller may see: their own and the shared ones.
fn visible(tx: &ScopedConn<'_>) -> saved_filters::BoxedQuery<'static, diesel::pg::Pg> {
    let scope = tx.scope();
    saved_filters::table
        .filter(saved_filters::org_id.eq(scope.org_id()))
        .filter(
            saved_filters::owner_id
                .eq(scope.user_id())
                .or(saved_filters::shared.eq(true)),
        )
        .into_boxed()
}

async fn find(tx: &mut ScopedConn<'_>, id: FilterId) -> Result<SavedFilter, ApiError> {
    visible(tx)
        .filter(saved_filters::id.eq(id))
        .select(SavedFilter::as_select())
        .first(tx.conn())
        .await
        .optional()?
        .ok_or_else(|| ApiError::not_found("filter"))
}

/// Loads a filter its owner is about to change; others (even admins) get 403 on a
/// shared filter and 404 on a private one.
async fn find_own(
    tx: &mut ScopedConn<'_>,
    id: FilterId,
    if_match: &IfMatch,
) -> Result<SavedFilter, ApiError> {
    let filter = find(tx, id).await?;
    if filter.owner_id != tx.scope().user_id() {
        return Err(ApiError::forbidden(
            "only the owner may change a saved filter",
        ));
    }
    if_match.check(filter.version)?;
    Ok(filter)
}

fn audit_json(f: &SavedFilter) -> serde_json::Value {
    serde_json::to_value(f).unwrap_or_default()
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
            let scope = tx.scope();
            let filter: SavedFilter = diesel::insert_into(saved_filters::table)
                .values((
                    saved_filters::id.eq(FilterId::new()),
                    saved_filters::org_id.eq(scope.org_id()),
                    saved_filters::owner_id.eq(scope.user_id()),
                    saved_filters::name.eq(&name),
                    saved_filters::jql.eq(&jql),
                    saved_filters::shared.eq(shared),
                ))
                .returning(SavedFilter::as_returning())
                .get_result(tx.conn())
                .await
                .map_err(|e| {
                    ApiError::unique_as(
                        e,
                        ApiError::conflict(
                            "filter-name-taken",
                            "you already have a filter with this name",
                        )
                        .with_field("name"),
                    )
                })?;
            crate::audit::record(
                tx,
                "filter.create",
                crate::audit::Entity::Filter(filter.id),
                None,
                Some(audit_json(&filter)),
            )
            .await?;
            Ok(filter)
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
            let mut q = visible(tx);
            if let Some((name, id)) = after {
                q = q.filter(
                    saved_filters::name
                        .gt(name.clone())
                        .or(saved_filters::name.eq(name).and(saved_filters::id.gt(id))),
                );
            }
            Ok(
                q.order((saved_filters::name.asc(), saved_filters::id.asc()))
                    .limit(limit + 1)
                    .select(SavedFilter::as_select())
                    .load(tx.conn())
                    .await?,
            )
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
        .tx(Permission::TicketsRead, async move |tx| find(tx, id).await)
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
            let before = find_own(tx, id, &if_match).await?;
            let after: SavedFilter = diesel::update(
                saved_filters::table
                    .filter(saved_filters::id.eq(id))
                    .filter(saved_filters::version.eq(before.version)),
            )
            .set((
                saved_filters::name.eq(name.unwrap_or_else(|| before.name.clone())),
                saved_filters::jql.eq(jql.unwrap_or_else(|| before.jql.clone())),
                saved_filters::shared.eq(shared.unwrap_or(before.shared)),
                saved_filters::version.eq(saved_filters::version + 1),
                saved_filters::updated_at.eq(diesel::dsl::now),
            ))
            .returning(SavedFilter::as_returning())
            .get_result(tx.conn())
            .await
            .optional()?
            .ok_or_else(|| ApiError::precondition_failed(before.version + 1))?;
            crate::audit::record(
                tx,
                "filter.update",
                crate::audit::Entity::Filter(id),
                Some(audit_json(&before)),
                Some(audit_json(&after)),
            )
            .await?;
            Ok(after)
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
            let before = find_own(tx, id, &if_match).await?;
            diesel::delete(saved_filters::table.filter(saved_filters::id.eq(id)))
                .execute(tx.conn())
                .await?;
            crate::audit::record(
                tx,
                "filter.delete",
                crate::audit::Entity::Filter(id),
                Some(audit_json(&before)),
                None,
            )
            .await?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
