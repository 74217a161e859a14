//! `/api/v1/orgs/{org}` and `/api/v1/orgs/{org}/members`

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use tenancy::{Permission, Role, ScopedConn, UserId};

use super::{Org, UserRef};
use crate::audit::{self, Entity};
use crate::auth::Caller;
use crate::http::error::Problem;
use crate::http::{ApiError, IfMatch, JsonBody, Page, PageParams, json_with_etag, validate};
use crate::schema::{memberships, orgs, users};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("")
            .route(web::get().to(get_org))
            .route(web::patch().to(update_org)),
    )
    .route("/members", web::get().to(list_members))
    .configure(super::members::configure)
    .configure(super::invitations::configure);
}

async fn load(tx: &mut ScopedConn<'_>) -> Result<Org, ApiError> {
    // orgs is row-level secured by id: the scope's own row is the only one visible.
    Ok(orgs::table
        .filter(orgs::id.eq(tx.scope().org_id()))
        .select(Org::as_select())
        .first(tx.conn())
        .await?)
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
        .tx(Permission::OrgRead, async |tx| load(tx).await)
        .await?;
    Ok(json_with_etag(StatusCode::OK, org.version, &org))
}

/// `PATCH /orgs/{org}` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct OrgPatch {
    name: Option<String>,
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
            let before = load(tx).await?;
            if_match.check(before.version)?;
            let after: Org = diesel::update(
                orgs::table
                    .filter(orgs::id.eq(before.id))
                    .filter(orgs::version.eq(before.version)),
            )
            .set((
                orgs::name.eq(name.unwrap_or_else(|| before.name.clone())),
                orgs::version.eq(orgs::version + 1),
                orgs::updated_at.eq(diesel::dsl::now),
            ))
            .returning(Org::as_returning())
            .get_result(tx.conn())
            .await
            .optional()?
            .ok_or_else(|| ApiError::precondition_failed(before.version + 1))?;
            audit::record(
                tx,
                "org.update",
                Entity::Org(after.id),
                serde_json::to_value(&before).ok(),
                serde_json::to_value(&after).ok(),
            )
            .await?;
            Ok(after)
        })
        .await?;
    Ok(json_with_etag(StatusCode::OK, org.version, &org))
}

/// A member and their role.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct Member {
    user: UserRef,
    role: Role,
    joined_at: DateTime<Utc>,
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
        .is_some_and(|login| !crate::tickets::valid_login(login))
    {
        return Err(ApiError::validation(
            "cursor",
            "not a cursor this list returned",
        ));
    }
    let rows: Vec<(uuid::Uuid, String, String, String, DateTime<Utc>)> = caller
        .tx(Permission::MembersRead, async move |tx| {
            let mut q = memberships::table
                .filter(memberships::org_id.eq(tx.scope().org_id()))
                .inner_join(users::table)
                .filter(users::deleted_at.is_null())
                .select((
                    users::id,
                    users::login,
                    users::name,
                    memberships::role,
                    memberships::created_at,
                ))
                .into_boxed();
            if let Some(after) = after {
                q = q.filter(users::login.gt(after));
            }
            Ok(q.order(users::login.asc())
                .limit(limit + 1)
                .load(tx.conn())
                .await?)
        })
        .await?;
    let members = rows
        .into_iter()
        .filter_map(|(id, login, name, role, joined_at)| {
            Some(Member {
                user: UserRef {
                    id: UserId(id),
                    login,
                    name,
                },
                role: role.parse().ok()?,
                joined_at,
            })
        })
        .collect();
    Ok(web::Json(Page::from_rows(members, limit, |m| {
        m.user.login.clone()
    })))
}
