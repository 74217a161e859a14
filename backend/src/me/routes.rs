//! `GET /auth/me` and `/api/v1/invitations/*`: HTTP only.

use actix_web::{HttpResponse, web};
use tenancy::{InvitationId, InvitationKey, Invitee, UserId};

use super::queries::{self, load_user};
use super::{Joined, LinkAcceptance, Me, MyInvitation};
use crate::auth::SessionUser;
use crate::http::error::Problem;
use crate::http::{ApiError, AppState, JsonBody};

/// Mounts `/auth/me` (before the `/auth` scope) and `/api/v1/invitations`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/auth/me", web::get().to(me))
        .route("/api/v1/invitations", web::get().to(my_invitations))
        .route("/api/v1/invitations/accept", web::post().to(accept_link))
        .route(
            "/api/v1/invitations/{id}/accept",
            web::post().to(accept_mine),
        )
        .route(
            "/api/v1/invitations/{id}/decline",
            web::post().to(decline_mine),
        );
}

/// Who is signed in: the user, their organizations and roles, and the invitations
/// waiting for them.
#[utoipa::path(
    get, path = "/auth/me", tag = "auth",
    responses((status = 200, body = Me), (status = 401, body = Problem))
)]
pub(crate) async fn me(
    user: SessionUser,
    state: web::Data<AppState>,
) -> Result<web::Json<Me>, ApiError> {
    let mut conn = state.db.get().await?;
    let row = load_user(&mut conn, user.user).await?;
    let orgs = queries::orgs_of(&mut conn, user.user).await?;
    let invitations = queries::invitations_for(&mut conn, &row).await?;
    Ok(web::Json(Me {
        id: user.user,
        login: row.login,
        name: row.name,
        email: row.email,
        orgs,
        invitations,
    }))
}

/// The signed-in user's open invitations.
#[utoipa::path(
    get, path = "/api/v1/invitations", tag = "invitations",
    responses((status = 200, body = Vec<MyInvitation>), (status = 401, body = Problem))
)]
pub(crate) async fn my_invitations(
    user: SessionUser,
    state: web::Data<AppState>,
) -> Result<web::Json<Vec<MyInvitation>>, ApiError> {
    let mut conn = state.db.get().await?;
    let row = load_user(&mut conn, user.user).await?;
    Ok(web::Json(queries::invitations_for(&mut conn, &row).await?))
}

async fn accept(
    state: &AppState,
    user: UserId,
    key: InvitationKey<'_>,
) -> Result<web::Json<Joined>, ApiError> {
    let mut conn = state.db.get().await?;
    let row = load_user(&mut conn, user).await?;
    let invitee = Invitee {
        user,
        login: &row.login,
        verified_emails: &row.verified_emails,
    };
    let (scope, slug) = tenancy::accept_invitation(
        &mut conn,
        invitee,
        key,
        async |tx, id| -> Result<String, ApiError> {
            let slug = queries::org_slug(tx).await?;
            state
                .billing
                .require_seat(tx)
                .await
                .map_err(|e| crate::entitlements::limit_error(state, &slug, e))?;
            crate::orgs::queries::record_answer(tx, id, "invitation.accept").await?;
            Ok(slug)
        },
    )
    .await?;
    Ok(web::Json(Joined {
        org_slug: slug,
        role: scope.role(),
    }))
}

/// Accepts one of the signed-in user's invitations (addressed to their GitHub login
/// or one of their verified addresses).
#[utoipa::path(
    post, path = "/api/v1/invitations/{id}/accept", tag = "invitations",
    params(("id" = String, Path, description = "Invitation id")),
    responses((status = 200, body = Joined), (status = 401, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem))
)]
pub(crate) async fn accept_mine(
    user: SessionUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<web::Json<Joined>, ApiError> {
    let id = parse_invitation_id(&id)?;
    accept(&state, user.user, InvitationKey::Id(id)).await
}

/// Declines one of the signed-in user's invitations.
#[utoipa::path(
    post, path = "/api/v1/invitations/{id}/decline", tag = "invitations",
    params(("id" = String, Path, description = "Invitation id")),
    responses((status = 204, description = "Declined"), (status = 401, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem))
)]
pub(crate) async fn decline_mine(
    user: SessionUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_invitation_id(&id)?;
    let mut conn = state.db.get().await?;
    let row = load_user(&mut conn, user.user).await?;
    let invitee = Invitee {
        user: user.user,
        login: &row.login,
        verified_emails: &row.verified_emails,
    };
    tenancy::decline_invitation(
        &mut conn,
        invitee,
        InvitationKey::Id(id),
        async |tx, id| -> Result<(), ApiError> {
            crate::orgs::queries::record_answer(tx, id, "invitation.decline").await
        },
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

fn parse_invitation_id(raw: &str) -> Result<InvitationId, ApiError> {
    raw.parse::<uuid::Uuid>()
        .map(InvitationId)
        .map_err(|_| ApiError::not_found("invitation"))
}

/// Accepts the invitation of a link (holding the link is the proof, as with a link
/// sent to an address).
#[utoipa::path(
    post, path = "/api/v1/invitations/accept", tag = "invitations",
    request_body = LinkAcceptance,
    responses((status = 200, body = Joined), (status = 401, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem))
)]
pub(crate) async fn accept_link(
    user: SessionUser,
    state: web::Data<AppState>,
    body: JsonBody<LinkAcceptance>,
) -> Result<web::Json<Joined>, ApiError> {
    let hash = crate::auth::tokens::INVITATION_LINK
        .hash_presented(&body.token)
        .ok_or_else(|| ApiError::not_found("invitation"))?;
    accept(&state, user.user, InvitationKey::TokenHash(&hash)).await
}
