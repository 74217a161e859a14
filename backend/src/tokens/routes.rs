//! `/api/v1/orgs/{org}/tokens`: API tokens over HTTP. A token is shown once, stored as
//! SHA-256, belongs to one organization, and may be narrowed to a subset of its
//! creator's permissions (never more: what it can do is always intersected with the
//! user's current role).

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::Utc;
use tenancy::{Permission, PermissionSet, TokenId};

use super::queries;
use super::{CreatedToken, NewToken, TokenInfo};
use crate::audit::{self, Entity};
use crate::auth::{AuthState, Caller, TokenGrant, create_token};
use crate::http::error::Problem;
use crate::http::{ApiError, AppState, JsonBody, Page, PageParams, validate};
use crate::rate_limit::Budget;

/// Mounts `/tokens` (inside `/api/v1/orgs/{org}`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/tokens")
            .route(web::get().to(list_tokens))
            .route(web::post().to(create)),
    )
    .route("/tokens/{id}", web::delete().to(revoke));
}

/// Creates an API token for yourself in this organization.
#[utoipa::path(
    post, path = "/api/v1/orgs/{org}/tokens", tag = "tokens",
    params(("org" = String, Path, description = "Organization slug")),
    request_body = NewToken,
    responses((status = 201, body = CreatedToken), (status = 403, body = Problem),
              (status = 422, body = Problem), (status = 429, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn create(
    mut caller: Caller,
    state: web::Data<AppState>,
    auth: web::Data<AuthState>,
    body: JsonBody<NewToken>,
) -> Result<HttpResponse, ApiError> {
    caller.scope.require(Permission::TokensManage)?;
    let name = validate::required_text("name", &body.name, 100)?;
    let permissions = match &body.permissions {
        None => None,
        Some(names) if names.is_empty() || names.len() > 50 => {
            return Err(ApiError::validation(
                "permissions",
                "list 1 to 50 permissions, or leave it out for all of your role's",
            ));
        }
        Some(names) => {
            let mut set = Vec::with_capacity(names.len());
            for name in names {
                set.push(
                    name.parse::<Permission>()
                        .map_err(|e| ApiError::validation("permissions", e.to_string()))?,
                );
            }
            let set: PermissionSet = set.into_iter().collect();
            if !set.is_subset_of(caller.scope.permissions()) {
                return Err(ApiError::forbidden(
                    "a token cannot hold a permission you do not have",
                )
                .with_field("permissions"));
            }
            Some(set)
        }
    };
    let expires_at = match body.expires_in_days {
        None => None,
        Some(days @ 1..=366) => Some(Utc::now() + Duration::from_secs(u64::from(days) * 86_400)),
        Some(_) => {
            return Err(ApiError::validation(
                "expires_in_days",
                "must be between 1 and 366",
            ));
        }
    };
    let budget = Budget {
        name: "token-create",
        limit: state.config.auth.rate_limits.tokens_per_hour,
        window: Duration::from_secs(3600),
    };
    auth.limiter
        .check(
            budget,
            &format!("{}:{}", caller.scope.org_id(), caller.scope.user_id()),
        )
        .await?;
    let user = caller.scope.user_id();
    let grant = TokenGrant {
        permissions,
        expires_at,
    };
    let created = caller
        .tx(Permission::TokensManage, async |tx| {
            let (id, secret) = create_token(tx, user, &name, grant).await?;
            let info = queries::load(tx, id).await?;
            Ok(CreatedToken {
                info,
                token: secret.reveal().to_owned(),
            })
        })
        .await?;
    Ok(HttpResponse::build(StatusCode::CREATED).json(created))
}

/// Lists live tokens: your own, or everyone's for those who manage members.
#[utoipa::path(
    get, path = "/api/v1/orgs/{org}/tokens", tag = "tokens",
    params(("org" = String, Path, description = "Organization slug"), PageParams),
    responses((status = 200, body = Page<TokenInfo>), (status = 403, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn list_tokens(
    mut caller: Caller,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<TokenInfo>>, ApiError> {
    let limit = page.limit()?;
    let after: Option<uuid::Uuid> = page.cursor()?;
    let everyone = caller.scope.can(Permission::MembersManage);
    let rows = caller
        .tx(Permission::TokensManage, async move |tx| {
            Ok(queries::list(tx, everyone, after, limit).await?)
        })
        .await?;
    let items = rows.into_iter().map(queries::info).collect();
    Ok(web::Json(Page::from_rows(items, limit, |t: &TokenInfo| {
        t.id.0
    })))
}

/// Revokes a token: your own, or anyone's for those who manage members. It stops
/// working on every instance at once.
#[utoipa::path(
    delete, path = "/api/v1/orgs/{org}/tokens/{token}", tag = "tokens",
    params(("org" = String, Path, description = "Organization slug"),
           ("token" = String, Path, description = "Token id")),
    responses((status = 204, description = "Revoked"), (status = 403, body = Problem),
              (status = 404, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn revoke(
    mut caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let id = path
        .1
        .parse::<uuid::Uuid>()
        .map(TokenId)
        .map_err(|_| ApiError::not_found("token"))?;
    let everyone = caller.scope.can(Permission::MembersManage);
    caller
        .tx(Permission::TokensManage, async move |tx| {
            let owner = queries::live_owner(tx, id)
                .await?
                .ok_or_else(|| ApiError::not_found("token"))?;
            if owner != tx.scope().user_id() && !everyone {
                // Someone else's token is none of a member's business: not found.
                return Err(ApiError::not_found("token"));
            }
            queries::revoke(tx, id).await?;
            audit::record(tx, "token.revoke", Entity::Token(id), None, None).await?;
            Ok(())
        })
        .await?;
    caller.principals_changed().await;
    Ok(HttpResponse::NoContent().finish())
}
