//! `/api/v1/orgs/{org}/invitations`: inviting people by GitHub login or email. The
//! invitee answers through `/api/v1/invitations` (see `me::routes`).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use tenancy::{InvitationId, Permission, Role};

use super::{Invitation, NewInvitation, queries};
use crate::auth::Caller;
use crate::auth::tokens::INVITATION_LINK;
use crate::http::error::Problem;
use crate::http::{ApiError, AppState, JsonBody, Page, PageParams};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/invitations")
            .route(web::get().to(list_invitations))
            .route(web::post().to(invite)),
    )
    .route("/invitations/{id}", web::delete().to(revoke_invitation));
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
        (Some(login), None) if tenancy::valid_login(login.trim()) => {
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
            // Early feedback on the plan's seats; accepting checks again, race-free.
            state
                .billing
                .require_seat(tx)
                .await
                .map_err(|e| crate::entitlements::limit_error(&state, &slug, e))?;
            if let Some(login) = &login
                && queries::find_member(tx, login).await?.is_some()
            {
                return Err(ApiError::conflict(
                    "already-member",
                    format!("{login} is already a member"),
                ));
            }
            queries::create_invitation(tx, login, email, role, &hash[..]).await
        })
        .await?;
    created.link = Some(format!("{}/invitations/{token}", state.config.web_url()));
    Ok(HttpResponse::build(StatusCode::CREATED).json(created))
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
    let items = caller
        .tx(Permission::MembersManage, async move |tx| {
            Ok(queries::invitations(tx, after, limit).await?)
        })
        .await?;
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
            let role = queries::lock_open_invitation(tx, id).await?;
            if !role.parse::<Role>().is_ok_and(|r| my_role.may_assign(r)) {
                return Err(ApiError::forbidden(format!(
                    "a {my_role} cannot revoke an invitation to be {role}"
                )));
            }
            queries::revoke_invitation(tx, id).await
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
