//! `/api/v1/orgs/{org}/invitations`: inviting people by GitHub login or email. The
//! invitee answers through `/api/v1/invitations` (see `auth::routes`).

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use tenancy::{InvitationId, Permission, Role, ScopedConn};

use crate::audit::{self, Entity};
use crate::auth::Caller;
use crate::auth::tokens::INVITATION_LINK;
use crate::http::error::Problem;
use crate::http::{ApiError, AppState, JsonBody, Page, PageParams};
use crate::schema::{invitations, users};

/// How long an invitation stays open.
pub const INVITATION_TTL: Duration = Duration::from_secs(7 * 24 * 3600);

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/invitations")
            .route(web::get().to(list_invitations))
            .route(web::post().to(invite)),
    )
    .route("/invitations/{id}", web::delete().to(revoke_invitation));
}

/// Records an invitee's answer (accept or decline) in the organization's audit log.
pub async fn record_answer(
    tx: &mut ScopedConn<'_>,
    id: InvitationId,
    action: &'static str,
) -> Result<(), ApiError> {
    audit::record(
        tx,
        action,
        Entity::Invitation(id),
        None,
        Some(serde_json::json!({ "user_id": tx.scope().user_id(), "role": tx.scope().role() })),
    )
    .await?;
    Ok(())
}

/// `POST /invitations` body: exactly one of `github_login` and `email`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewInvitation {
    github_login: Option<String>,
    email: Option<String>,
    role: Role,
}

/// An invitation as the organization sees it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct Invitation {
    id: InvitationId,
    github_login: Option<String>,
    email: Option<String>,
    role: Role,
    invited_by: String,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    /// `pending`, `accepted`, `declined`, `revoked` or `expired`.
    status: &'static str,
    /// The link to send the invitee; only in the response that created it.
    #[serde(skip_serializing_if = "Option::is_none")]
    link: Option<String>,
}

type InvitationRow = (
    uuid::Uuid,
    Option<String>,
    Option<String>,
    String,
    String,
    DateTime<Utc>,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
);

macro_rules! invitation_columns {
    () => {
        (
            invitations::id,
            invitations::github_login,
            invitations::email,
            invitations::role,
            users::login,
            invitations::created_at,
            invitations::expires_at,
            invitations::accepted_at,
            invitations::declined_at,
            invitations::revoked_at,
        )
    };
}

fn to_invitation(row: InvitationRow) -> Option<Invitation> {
    let (
        id,
        github_login,
        email,
        role,
        invited_by,
        created_at,
        expires_at,
        accepted,
        declined,
        revoked,
    ) = row;
    let status = if accepted.is_some() {
        "accepted"
    } else if declined.is_some() {
        "declined"
    } else if revoked.is_some() {
        "revoked"
    } else if expires_at <= Utc::now() {
        "expired"
    } else {
        "pending"
    };
    Some(Invitation {
        id: InvitationId(id),
        github_login,
        email,
        role: role.parse().ok()?,
        invited_by,
        created_at,
        expires_at,
        status,
        link: None,
    })
}

fn valid_email(email: &str) -> bool {
    (3..=320).contains(&email.len())
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
        })
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Invites someone by GitHub login or email, with a role no higher than your own.
/// The response's `link` is the only time the invitation's secret is shown.
#[utoipa::path(
    post, path = "/api/v1/orgs/{org}/invitations", tag = "orgs",
    params(("org" = String, Path, description = "Organization slug")),
    request_body = NewInvitation,
    responses((status = 201, body = Invitation), (status = 403, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn invite(
    mut caller: Caller,
    state: web::Data<AppState>,
    body: JsonBody<NewInvitation>,
) -> Result<HttpResponse, ApiError> {
    caller.scope.require(Permission::MembersManage)?;
    let body = body.0;
    let (login, email) = match (body.github_login.as_deref(), body.email.as_deref()) {
        (Some(login), None) if crate::tickets::valid_login(login.trim()) => {
            (Some(login.trim().to_owned()), None)
        }
        (Some(_), None) => {
            return Err(ApiError::validation(
                "github_login",
                "a GitHub login has 1 to 39 letters, digits and dashes",
            ));
        }
        (None, Some(email)) if valid_email(email.trim()) => {
            (None, Some(email.trim().to_ascii_lowercase()))
        }
        (None, Some(_)) => return Err(ApiError::validation("email", "not an email address")),
        _ => {
            return Err(ApiError::validation(
                "github_login",
                "give exactly one of github_login and email",
            ));
        }
    };
    if !caller.scope.role().may_assign(body.role) {
        return Err(ApiError::forbidden(format!(
            "a {} cannot invite a {}",
            caller.scope.role(),
            body.role
        ))
        .with_field("role"));
    }
    let (token, hash) = INVITATION_LINK.mint();
    let role = body.role;
    let slug = caller.slug().to_owned();
    let mut created = caller
        .tx(Permission::MembersManage, async |tx| {
            let org_id = tx.scope().org_id();
            // Early feedback on the plan's seats; accepting checks again, race-free.
            state
                .billing
                .require_seat(tx)
                .await
                .map_err(|e| crate::billing::limit_error(&state, &slug, e))?;
            if let Some(login) = &login
                && super::members::find_member(tx, login).await?.is_some()
            {
                return Err(ApiError::conflict(
                    "already-member",
                    format!("{login} is already a member"),
                ));
            }
            // An expired invitation no longer blocks a new one for the same person.
            diesel::update(
                invitations::table
                    .filter(invitations::org_id.eq(org_id))
                    .filter(invitations::accepted_at.is_null())
                    .filter(invitations::declined_at.is_null())
                    .filter(invitations::revoked_at.is_null())
                    .filter(invitations::expires_at.le(diesel::dsl::now)),
            )
            .set(invitations::revoked_at.eq(diesel::dsl::now))
            .execute(tx.conn())
            .await?;
            let id = InvitationId::new();
            diesel::insert_into(invitations::table)
                .values((
                    invitations::id.eq(id),
                    invitations::org_id.eq(org_id),
                    invitations::github_login.eq(&login),
                    invitations::email.eq(&email),
                    invitations::role.eq(role.as_str()),
                    invitations::token_hash.eq(&hash[..]),
                    invitations::invited_by.eq(tx.scope().user_id()),
                    invitations::expires_at.eq(Utc::now() + INVITATION_TTL),
                ))
                .execute(tx.conn())
                .await
                .map_err(|e| {
                    ApiError::unique_as(
                        e,
                        ApiError::conflict(
                            "already-invited",
                            "this person already has an open invitation; revoke it first",
                        ),
                    )
                })?;
            audit::record(
                tx,
                "invitation.create",
                Entity::Invitation(id),
                None,
                Some(serde_json::json!({ "github_login": login, "email": email, "role": role })),
            )
            .await?;
            load(tx, id).await
        })
        .await?;
    created.link = Some(format!("{}/invitations/{token}", state.config.web_url()));
    Ok(HttpResponse::build(StatusCode::CREATED).json(created))
}

async fn load(tx: &mut ScopedConn<'_>, id: InvitationId) -> Result<Invitation, ApiError> {
    let row: InvitationRow = invitations::table
        .inner_join(users::table)
        .filter(invitations::org_id.eq(tx.scope().org_id()))
        .filter(invitations::id.eq(id))
        .select(invitation_columns!())
        .first(tx.conn())
        .await?;
    to_invitation(row).ok_or_else(|| ApiError::internal("invitation with an unknown role"))
}

/// Lists the organization's invitations, newest first.
#[utoipa::path(
    get, path = "/api/v1/orgs/{org}/invitations", tag = "orgs",
    params(("org" = String, Path, description = "Organization slug"), PageParams),
    responses((status = 200, body = Page<Invitation>), (status = 403, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn list_invitations(
    mut caller: Caller,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<Invitation>>, ApiError> {
    let limit = page.limit()?;
    let after: Option<uuid::Uuid> = page.cursor()?;
    let rows: Vec<InvitationRow> = caller
        .tx(Permission::MembersManage, async move |tx| {
            let mut q = invitations::table
                .inner_join(users::table)
                .filter(invitations::org_id.eq(tx.scope().org_id()))
                .select(invitation_columns!())
                .into_boxed();
            if let Some(after) = after {
                q = q.filter(invitations::id.lt(after));
            }
            Ok(q.order(invitations::id.desc())
                .limit(limit + 1)
                .load(tx.conn())
                .await?)
        })
        .await?;
    let items = rows.into_iter().filter_map(to_invitation).collect();
    Ok(web::Json(Page::from_rows(
        items,
        limit,
        |i: &Invitation| i.id.0,
    )))
}

/// Revokes an open invitation (one whose role you could have given).
#[utoipa::path(
    delete, path = "/api/v1/orgs/{org}/invitations/{invitation}", tag = "orgs",
    params(("org" = String, Path, description = "Organization slug"),
           ("invitation" = String, Path, description = "Invitation id")),
    responses((status = 204, description = "Revoked"), (status = 403, body = Problem),
              (status = 404, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn revoke_invitation(
    mut caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let id = path
        .1
        .parse::<uuid::Uuid>()
        .map(InvitationId)
        .map_err(|_| ApiError::not_found("invitation"))?;
    let my_role = caller.scope.role();
    caller
        .tx(Permission::MembersManage, async move |tx| {
            let open = invitations::table
                .filter(invitations::org_id.eq(tx.scope().org_id()))
                .filter(invitations::id.eq(id))
                .filter(invitations::accepted_at.is_null())
                .filter(invitations::declined_at.is_null())
                .filter(invitations::revoked_at.is_null());
            let role: String = open
                .select(invitations::role)
                .for_update()
                .first(tx.conn())
                .await
                .optional()?
                .ok_or_else(|| ApiError::not_found("invitation"))?;
            if !role.parse::<Role>().is_ok_and(|r| my_role.may_assign(r)) {
                return Err(ApiError::forbidden(format!(
                    "a {my_role} cannot revoke an invitation to be {role}"
                )));
            }
            diesel::update(open)
                .set(invitations::revoked_at.eq(diesel::dsl::now))
                .execute(tx.conn())
                .await?;
            audit::record(tx, "invitation.revoke", Entity::Invitation(id), None, None).await?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[cfg(test)]
mod tests {
    use super::valid_email;
    use crate::auth::tokens::INVITATION_LINK;

    #[test]
    fn emails_and_link_tokens_are_checked_before_any_lookup() {
        assert!(valid_email("dev@example.com"));
        for bad in ["", "a@b", "@example.com", "a b@example.com", "dev@.com"] {
            assert!(!valid_email(bad), "{bad}");
        }
        assert!(
            INVITATION_LINK
                .hash_presented(&format!("tri_{}", "a".repeat(43)))
                .is_some()
        );
        assert!(INVITATION_LINK.hash_presented("tri_short").is_none());
        assert!(
            INVITATION_LINK
                .hash_presented(&format!("trl_{}", "a".repeat(43)))
                .is_none()
        );
    }
}
