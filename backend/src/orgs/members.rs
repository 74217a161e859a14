//! Changing who is in an organization and with which role: role changes, removal,
//! leaving, and transferring ownership. The rules, all checked inside the write's
//! transaction:
//! - nobody gives, or takes away, a role that grants more than their own
//!   ([`Role::may_assign`]);
//! - an organization always keeps at least one owner (the owner rows are locked, so
//!   two concurrent demotions cannot both pass);
//! - every change is audited and drops cached principals on every instance.

use actix_web::{HttpResponse, web};
use tenancy::{Permission, Role};

use super::queries::{self, member};
use super::{RoleChange, Transfer};
use crate::auth::Caller;
use crate::http::error::Problem;
use crate::http::{ApiError, JsonBody};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/members/{login}")
            .route(web::patch().to(change_role))
            .route(web::delete().to(remove_member)),
    )
    .route("/leave", web::post().to(leave))
    .route("/transfer-ownership", web::post().to(transfer_ownership));
}

/// Changes a member's role.
#[utoipa::path(
    patch, path = "/api/v1/orgs/{org}/members/{member}", tag = "orgs",
    params(("org" = String, Path, description = "Organization slug"),
           ("member" = String, Path, description = "The member's login")),
    request_body = RoleChange,
    responses((status = 204, description = "Changed"), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn change_role(
    mut caller: Caller,
    path: web::Path<(String, String)>,
    body: JsonBody<RoleChange>,
) -> Result<HttpResponse, ApiError> {
    let login = path.1.clone();
    let new_role = body.role;
    let my_role = caller.scope.role();
    caller
        .tx(Permission::MembersManage, async |tx| {
            let (user, old_role) = member(tx, &login).await?;
            if !my_role.may_assign(old_role) || !my_role.may_assign(new_role) {
                return Err(ApiError::forbidden(format!(
                    "a {my_role} cannot change a {old_role} into a {new_role}"
                ))
                .with_field("role"));
            }
            if old_role == new_role {
                return Ok(());
            }
            queries::change_role(tx, user, old_role, new_role).await
        })
        .await?;
    caller.principals_changed().await;
    Ok(HttpResponse::NoContent().finish())
}

/// Removes a member (their API tokens for this organization are revoked).
#[utoipa::path(
    delete, path = "/api/v1/orgs/{org}/members/{member}", tag = "orgs",
    params(("org" = String, Path, description = "Organization slug"),
           ("member" = String, Path, description = "The member's login")),
    responses((status = 204, description = "Removed"), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn remove_member(
    mut caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let login = path.1.clone();
    let my_role = caller.scope.role();
    caller
        .tx(Permission::MembersManage, async |tx| {
            let (user, role) = member(tx, &login).await?;
            if !my_role.may_assign(role) {
                return Err(ApiError::forbidden(format!(
                    "a {my_role} cannot remove a {role}"
                )));
            }
            let before = serde_json::json!({ "login": login, "role": role });
            queries::remove_member(tx, user, role, "member.remove", before).await
        })
        .await?;
    caller.principals_changed().await;
    Ok(HttpResponse::NoContent().finish())
}

/// Leaves the organization (the last owner cannot).
#[utoipa::path(
    post, path = "/api/v1/orgs/{org}/leave", tag = "orgs",
    params(("org" = String, Path, description = "Organization slug")),
    responses((status = 204, description = "Left"), (status = 409, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn leave(mut caller: Caller) -> Result<HttpResponse, ApiError> {
    caller
        .tx(Permission::OrgRead, async |tx| {
            let me = tx.scope().user_id();
            let role = tx.scope().role();
            let before = serde_json::json!({ "role": role });
            queries::remove_member(tx, me, role, "member.leave", before).await
        })
        .await?;
    caller.principals_changed().await;
    Ok(HttpResponse::NoContent().finish())
}

/// Hands ownership to another member: they become owner, you become admin.
#[utoipa::path(
    post, path = "/api/v1/orgs/{org}/transfer-ownership", tag = "orgs",
    params(("org" = String, Path, description = "Organization slug")),
    request_body = Transfer,
    responses((status = 204, description = "Transferred"), (status = 403, body = Problem),
              (status = 404, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn transfer_ownership(
    mut caller: Caller,
    body: JsonBody<Transfer>,
) -> Result<HttpResponse, ApiError> {
    if caller.scope.role() != Role::Owner {
        return Err(ApiError::forbidden("only an owner can transfer ownership"));
    }
    if !tenancy::valid_login(&body.login) {
        return Err(ApiError::validation("login", "not a login"));
    }
    let login = body.login.clone();
    caller
        .tx(Permission::MembersManage, async |tx| {
            let me = tx.scope().user_id();
            let (user, old_role) = member(tx, &login).await?;
            if user == me {
                return Err(ApiError::validation("login", "you are already an owner"));
            }
            queries::transfer_ownership(tx, user, old_role).await
        })
        .await?;
    caller.principals_changed().await;
    Ok(HttpResponse::NoContent().finish())
}
