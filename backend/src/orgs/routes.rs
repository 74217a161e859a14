//! `/api/v1/orgs/{org}` and `/api/v1/orgs/{org}/members`

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use tenancy::Permission;

use super::{Member, Org, OrgPatch, queries};
use crate::auth::Caller;
use crate::http::error::Problem;
use crate::http::{ApiError, IfMatch, JsonBody, Page, PageParams, json_with_etag, validate};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("")
            .route(web::get().to(get_org))
            .route(web::patch().to(update_org)),
    )
    .route("/members", web::get().to(list_members))
    .configure(super::members::configure)
    .configure(super::invitations::configure)
    .configure(super::audit_log::configure);
}

/// The organization.
#[utoipa::path(
    get, path = "/api/v1/orgs/{org}", tag = "orgs",
    params(("org" = String, Path, description = "Organization slug")),
    responses((status = 200, body = Org), (status = 404, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn get_org(mut caller: Caller) -> Result<HttpResponse, ApiError> {
    let org = caller
        .tx(Permission::OrgRead, async |tx| queries::load(tx).await)
        .await?;
    Ok(json_with_etag(StatusCode::OK, org.version, &org))
}

/// Renames the organization (the slug is permanent: it is in every URL).
#[utoipa::path(
    patch, path = "/api/v1/orgs/{org}", tag = "orgs",
    params(("org" = String, Path, description = "Organization slug"),
           ("If-Match" = Option<String>, Header, description = "ETag from a previous read")),
    request_body = OrgPatch,
    responses((status = 200, body = Org), (status = 403, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn update_org(
    mut caller: Caller,
    if_match: IfMatch,
    body: JsonBody<OrgPatch>,
) -> Result<HttpResponse, ApiError> {
    caller.scope.require(Permission::OrgUpdate)?;
    let name = body
        .name
        .as_deref()
        .map(|n| validate::required_text("name", n, 200))
        .transpose()?;
    let org = caller
        .tx(Permission::OrgUpdate, async move |tx| {
            queries::update_org(tx, &if_match, name).await
        })
        .await?;
    Ok(json_with_etag(StatusCode::OK, org.version, &org))
}

/// Lists members by login.
#[utoipa::path(
    get, path = "/api/v1/orgs/{org}/members", tag = "orgs",
    params(("org" = String, Path, description = "Organization slug"), PageParams),
    responses((status = 200, body = Page<Member>)),
    security(("bearer" = []))
)]
pub(crate) async fn list_members(
    mut caller: Caller,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<Member>>, ApiError> {
    let limit = page.limit()?;
    let after: Option<String> = page.cursor()?;
    if after
        .as_deref()
        .is_some_and(|login| !tenancy::valid_login(login))
    {
        return Err(ApiError::validation(
            "cursor",
            "not a cursor this list returned",
        ));
    }
    let members = caller
        .tx(Permission::MembersRead, async move |tx| {
            Ok(queries::members(tx, after, limit).await?)
        })
        .await?;
    Ok(web::Json(Page::from_rows(members, limit, |m| {
        m.user.login.clone()
    })))
}
