//! Changing who is in an organization and with which role: role changes, removal,
//! leaving, and transferring ownership. The rules, all checked inside the write's
//! transaction:
//! - nobody gives, or takes away, a role that grants more than their own
//!   ([`Role::may_assign`]);
//! - an organization always keeps at least one owner (the owner rows are locked, so
//!   two concurrent demotions cannot both pass);
//! - every change is audited and drops cached principals on every instance.

use actix_web::{HttpResponse, web};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::Deserialize;
use tenancy::{Permission, Role, ScopedConn, UserId};

use crate::audit::{self, Entity};
use crate::auth::Caller;
use crate::http::error::Problem;
use crate::http::{ApiError, JsonBody};
use crate::schema::{api_tokens, memberships, users};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/members/{login}")
            .route(web::patch().to(change_role))
            .route(web::delete().to(remove_member)),
    )
    .route("/leave", web::post().to(leave))
    .route("/transfer-ownership", web::post().to(transfer_ownership));
}

/// The member of the scope's organization with `login`, and their role; `None` for
/// anyone else (a malformed login included). The one lookup of a member by login.
pub(crate) async fn find_member(
    tx: &mut ScopedConn<'_>,
    login: &str,
) -> Result<Option<(UserId, Role)>, ApiError> {
    if !crate::tickets::valid_login(login) {
        return Ok(None);
    }
    let row: Option<(uuid::Uuid, String)> = memberships::table
        .inner_join(users::table)
        .filter(memberships::org_id.eq(tx.scope().org_id()))
        .filter(users::login.eq(login))
        .filter(users::deleted_at.is_null())
        .select((users::id, memberships::role))
        .first(tx.conn())
        .await
        .optional()?;
    row.map(|(id, role)| {
        let role = role
            .parse()
            .map_err(|e| ApiError::internal(format!("membership role: {e}")))?;
        Ok((UserId(id), role))
    })
    .transpose()
}

/// The member with `login`, and their role, or 404.
pub(crate) async fn member(
    tx: &mut ScopedConn<'_>,
    login: &str,
) -> Result<(UserId, Role), ApiError> {
    find_member(tx, login)
        .await?
        .ok_or_else(|| ApiError::not_found("member"))
}

/// Fails unless another owner remains once `leaving` stops being one. Locks the owner
/// rows, so concurrent changes are serialised here.
async fn keep_an_owner(tx: &mut ScopedConn<'_>, leaving: UserId) -> Result<(), ApiError> {
    let owners: Vec<uuid::Uuid> = memberships::table
        .filter(memberships::org_id.eq(tx.scope().org_id()))
        .filter(memberships::role.eq(Role::Owner.as_str()))
        .select(memberships::user_id)
        .for_update()
        .load(tx.conn())
        .await?;
    if owners.iter().any(|o| *o != leaving.0) {
        Ok(())
    } else {
        Err(ApiError::conflict(
            "last-owner",
            "an organization needs at least one owner; make someone else owner first",
        ))
    }
}

async fn set_role(tx: &mut ScopedConn<'_>, user: UserId, role: Role) -> Result<(), ApiError> {
    diesel::update(
        memberships::table
            .filter(memberships::org_id.eq(tx.scope().org_id()))
            .filter(memberships::user_id.eq(user)),
    )
    .set(memberships::role.eq(role.as_str()))
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Removes `user`'s membership and revokes their API tokens in this organization.
async fn delete_membership(tx: &mut ScopedConn<'_>, user: UserId) -> Result<(), ApiError> {
    let org_id = tx.scope().org_id();
    diesel::update(
        api_tokens::table
            .filter(api_tokens::org_id.eq(org_id))
            .filter(api_tokens::user_id.eq(user))
            .filter(api_tokens::revoked_at.is_null()),
    )
    .set(api_tokens::revoked_at.eq(diesel::dsl::now))
    .execute(tx.conn())
    .await?;
    diesel::delete(
        memberships::table
            .filter(memberships::org_id.eq(org_id))
            .filter(memberships::user_id.eq(user)),
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// `PATCH /members/{login}` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RoleChange {
    role: Role,
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
            if old_role == Role::Owner {
                keep_an_owner(tx, user).await?;
            }
            set_role(tx, user, new_role).await?;
            audit::record(
                tx,
                "member.role",
                Entity::Member(user),
                Some(serde_json::json!({ "role": old_role })),
                Some(serde_json::json!({ "role": new_role })),
            )
            .await?;
            Ok(())
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
            if role == Role::Owner {
                keep_an_owner(tx, user).await?;
            }
            delete_membership(tx, user).await?;
            audit::record(
                tx,
                "member.remove",
                Entity::Member(user),
                Some(serde_json::json!({ "login": login, "role": role })),
                None,
            )
            .await?;
            Ok(())
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
            if role == Role::Owner {
                keep_an_owner(tx, me).await?;
            }
            delete_membership(tx, me).await?;
            audit::record(
                tx,
                "member.leave",
                Entity::Member(me),
                Some(serde_json::json!({ "role": role })),
                None,
            )
            .await?;
            Ok(())
        })
        .await?;
    caller.principals_changed().await;
    Ok(HttpResponse::NoContent().finish())
}

/// `POST /transfer-ownership` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Transfer {
    /// The member who becomes owner; you become an admin.
    login: String,
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
    if !crate::tickets::valid_login(&body.login) {
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
            set_role(tx, user, Role::Owner).await?;
            set_role(tx, me, Role::Admin).await?;
            audit::record(
                tx,
                "org.transfer",
                Entity::Member(user),
                Some(serde_json::json!({ "owner": me, "new_owner_role": old_role })),
                Some(serde_json::json!({ "owner": user, "previous_owner_role": Role::Admin })),
            )
            .await?;
            Ok(())
        })
        .await?;
    caller.principals_changed().await;
    Ok(HttpResponse::NoContent().finish())
}
