//! `/auth/*` (GitHub sign-in, refresh, logout, me) and the signed-in user's own
//! invitations (`/api/v1/invitations`).

use std::time::Duration;

use actix_web::cookie::{Cookie, SameSite, time};
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use tenancy::{DbConn, InvitationId, InvitationKey, Invitee, Role, UserId};

use super::{SessionUser, csrf, session};
use crate::config::{Config, Environment};
use crate::http::error::Problem;
use crate::http::{ApiError, AppState, JsonBody};
use crate::rate_limit::{Budget, client_ip};
use crate::schema::{oauth_states, users};

const STATE_COOKIE: &str = "trellis_oauth_state";
const STATE_TTL: Duration = Duration::from_secs(600);

/// Mounts `/auth` and `/api/v1/invitations` (call at the app root).
pub fn configure(cfg: &mut web::ServiceConfig, environment: Environment) {
    let mut auth = web::scope("/auth")
        .route("/github/login", web::get().to(github_login))
        .route("/github/callback", web::get().to(github_callback))
        .route("/refresh", web::post().to(refresh))
        .route("/logout", web::post().to(logout))
        .route("/me", web::get().to(me));
    // Local mode's one-time login link: in production the route does not exist.
    if environment == Environment::Local {
        auth = auth.route("/local-login", web::get().to(super::local_login::redeem));
    }
    cfg.service(auth);
}

/// Mounts the signed-in user's invitations (inside `/api/v1`).
pub fn configure_invitations(cfg: &mut web::ServiceConfig) {
    cfg.route("/invitations", web::get().to(my_invitations))
        .route("/invitations/accept", web::post().to(accept_link))
        .route("/invitations/{id}/accept", web::post().to(accept_mine))
        .route("/invitations/{id}/decline", web::post().to(decline_mine));
}

fn auth_budget(state: &AppState) -> Budget {
    Budget {
        name: "auth",
        limit: state.config.auth.rate_limits.auth_per_minute,
        window: Duration::from_secs(60),
    }
}

async fn limit_by_ip(req: &HttpRequest, state: &AppState) -> Result<(), ApiError> {
    let ip = client_ip(req, state.config.auth.trust_forwarded_for);
    state.auth.limiter.check(auth_budget(state), &ip).await
}

/// A path on the web app to land on after sign-in: relative, not protocol-relative,
/// so the login link cannot be used to bounce somebody to another site.
fn safe_redirect(raw: Option<&str>) -> Result<String, ApiError> {
    let Some(path) = raw.filter(|p| !p.is_empty()) else {
        return Ok("/".to_owned());
    };
    let ok = path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && path.len() <= 2000
        && !path.chars().any(char::is_control);
    if ok {
        Ok(path.to_owned())
    } else {
        Err(ApiError::validation(
            "redirect_to",
            "must be a path on this site, like /acme/projects",
        ))
    }
}

fn github(state: &AppState) -> Result<&super::github::GitHub, ApiError> {
    state.auth.github.as_ref().ok_or_else(|| {
        ApiError::unavailable(
            "GitHub sign-in is not configured on this server (GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET)",
        )
    })
}

fn state_cookie(config: &Config, value: String, max_age: Duration) -> Cookie<'static> {
    Cookie::build(STATE_COOKIE, value)
        .path("/auth/github")
        .secure(session::secure_cookies(config))
        .http_only(true)
        .same_site(SameSite::Lax)
        .max_age(time::Duration::seconds(max_age.as_secs() as i64))
        .finish()
}

/// Query of `GET /auth/github/login`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub(crate) struct LoginQuery {
    /// Path on the web app to return to after sign-in (default `/`).
    redirect_to: Option<String>,
}

/// Starts a GitHub sign-in: redirects to GitHub with `state` and a PKCE challenge.
#[utoipa::path(
    get, path = "/auth/github/login", tag = "auth",
    params(LoginQuery),
    responses((status = 302, description = "To GitHub's authorization page"),
              (status = 422, body = Problem), (status = 429, body = Problem),
              (status = 503, body = Problem, description = "GitHub sign-in not configured"))
)]
pub(crate) async fn github_login(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<LoginQuery>,
) -> Result<HttpResponse, ApiError> {
    limit_by_ip(&req, &state).await?;
    let github = github(&state)?;
    let redirect_to = safe_redirect(query.redirect_to.as_deref())?;
    let oauth_state = super::tokens::random_token();
    let (url, verifier) = github.authorize_url(&oauth_state);
    let mut conn = state.db.get().await?;
    diesel::delete(oauth_states::table.filter(oauth_states::expires_at.lt(diesel::dsl::now)))
        .execute(&mut conn)
        .await?;
    diesel::insert_into(oauth_states::table)
        .values((
            oauth_states::state_hash.eq(&super::tokens::sha256(&oauth_state)[..]),
            oauth_states::pkce_verifier.eq(&verifier),
            oauth_states::redirect_to.eq(&redirect_to),
            oauth_states::expires_at.eq(Utc::now() + STATE_TTL),
        ))
        .execute(&mut conn)
        .await?;
    Ok(HttpResponse::Found()
        .insert_header(("Location", url))
        // Binds the flow to this browser: a callback carrying someone else's state
        // (login CSRF) does not match the cookie.
        .cookie(state_cookie(&state.config, oauth_state, STATE_TTL))
        .finish())
}

/// Query of `GET /auth/github/callback`, as GitHub sends it.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub(crate) struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    /// Set when the user did not authorize the app (`access_denied`).
    error: Option<String>,
}

fn state_error(detail: &'static str) -> ApiError {
    ApiError::bad_request("oauth-state", detail).with_field("state")
}

/// Finishes a GitHub sign-in: checks `state`, exchanges the code, creates or updates
/// the user (and on a first sign-in their organization), starts a session and
/// redirects to the web app.
#[utoipa::path(
    get, path = "/auth/github/callback", tag = "auth",
    params(CallbackQuery),
    responses((status = 302, description = "Signed in; session cookies set"),
              (status = 400, body = Problem, description = "Bad state or code"),
              (status = 403, body = Problem, description = "The user denied consent"),
              (status = 429, body = Problem), (status = 502, body = Problem))
)]
pub(crate) async fn github_callback(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<CallbackQuery>,
) -> Result<HttpResponse, ApiError> {
    limit_by_ip(&req, &state).await?;
    let github = github(&state)?;
    let presented = query
        .state
        .as_deref()
        .filter(|s| !s.is_empty() && s.len() <= 100)
        .ok_or_else(|| state_error("the callback has no state"))?;
    let cookie = req.cookie(STATE_COOKIE);
    if !cookie
        .as_ref()
        .is_some_and(|c| bool::from(c.value().as_bytes().ct_eq(presented.as_bytes())))
    {
        return Err(state_error(
            "the sign-in was started in another browser or has expired; sign in again",
        ));
    }
    let mut conn = state.db.get().await?;
    // Deleting the row is what makes a state single-use.
    let stored: Option<(String, String, DateTime<Utc>)> = diesel::delete(
        oauth_states::table
            .filter(oauth_states::state_hash.eq(&super::tokens::sha256(presented)[..])),
    )
    .returning((
        oauth_states::pkce_verifier,
        oauth_states::redirect_to,
        oauth_states::expires_at,
    ))
    .get_result(&mut conn)
    .await
    .optional()?;
    let Some((verifier, redirect_to, expires_at)) = stored else {
        return Err(state_error(
            "this sign-in was already used or never started; sign in again",
        ));
    };
    if expires_at <= Utc::now() {
        return Err(state_error("this sign-in took too long; sign in again"));
    }
    if let Some(error) = query.error.as_deref() {
        return Err(if error == "access_denied" {
            ApiError::forbidden_as(
                "oauth-denied",
                "you did not authorize Trellis on GitHub; nothing was changed",
            )
        } else {
            ApiError::bad_request("oauth-error", "GitHub reported an error; sign in again")
        });
    }
    let code = query
        .code
        .as_deref()
        .filter(|c| !c.is_empty() && c.len() <= 200)
        .ok_or_else(|| ApiError::bad_request("oauth-code", "the callback has no code"))?;
    // No connection is held across the calls to GitHub.
    drop(conn);
    let who = github.identify(code, verifier).await?;
    let mut conn = state.db.get().await?;
    let signed_in = super::sign_in_with_github(&mut conn, &state.auth.cipher, &who).await?;
    let tokens = session::start(&mut conn, &state.auth.keys, signed_in.user).await?;
    tracing::info!(user = %signed_in.user, new_org = ?signed_in.new_org, "signed in with GitHub");
    let mut response = HttpResponse::Found();
    response.insert_header((
        "Location",
        format!("{}{redirect_to}", state.config.web_url()),
    ));
    session::set_cookies(&mut response, &state.config, tokens);
    response.cookie(state_cookie(&state.config, String::new(), Duration::ZERO));
    Ok(response.finish())
}

/// Exchanges the refresh cookie for a new session (the old refresh token stops
/// working; using it again ends the session everywhere).
#[utoipa::path(
    post, path = "/auth/refresh", tag = "auth",
    params(("X-CSRF-Token" = String, Header, description = "The trellis_csrf cookie's value")),
    responses((status = 204, description = "New session cookies set"),
              (status = 401, body = Problem), (status = 403, body = Problem))
)]
pub(crate) async fn refresh(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let presented = req
        .cookie(session::REFRESH_COOKIE)
        .map(|c| c.value().to_owned())
        .ok_or_else(|| ApiError::unauthenticated("no refresh cookie; sign in again"))?;
    let mut conn = state.db.get().await?;
    let family = session::family_of(&mut conn, &presented)
        .await?
        .ok_or_else(|| ApiError::unauthenticated("the session has ended; sign in again"))?;
    csrf::check(&req, &state.auth.keys, &state.auth.allowed_origins, family)?;
    match session::refresh(&mut conn, &state.auth.keys, &presented).await {
        Ok((_, tokens)) => {
            let mut response = HttpResponse::NoContent();
            session::set_cookies(&mut response, &state.config, tokens);
            Ok(response.finish())
        }
        Err(_) => {
            let mut response = actix_web::ResponseError::error_response(
                &ApiError::unauthenticated("the session has ended; sign in again"),
            );
            for cookie in session::expired_cookies(&state.config) {
                response.add_cookie(&cookie).map_err(ApiError::internal)?;
            }
            Ok(response)
        }
    }
}

/// Ends the session: its refresh tokens are revoked and the cookies cleared.
#[utoipa::path(
    post, path = "/auth/logout", tag = "auth",
    params(("X-CSRF-Token" = String, Header, description = "The trellis_csrf cookie's value")),
    responses((status = 204, description = "Signed out"), (status = 401, body = Problem),
              (status = 403, body = Problem))
)]
pub(crate) async fn logout(
    user: SessionUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.db.get().await?;
    session::revoke_family(&mut conn, user.sid).await?;
    let mut response = HttpResponse::NoContent();
    for cookie in session::expired_cookies(&state.config) {
        response.cookie(cookie);
    }
    Ok(response.finish())
}

/// The signed-in user.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct Me {
    id: UserId,
    login: String,
    name: String,
    email: Option<String>,
    orgs: Vec<MyOrg>,
    /// Open invitations addressed to this user's login or verified addresses.
    invitations: Vec<MyInvitation>,
}

/// An organization the user belongs to.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct MyOrg {
    slug: String,
    name: String,
    role: Role,
}

/// An open invitation, as its invitee sees it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct MyInvitation {
    id: InvitationId,
    org_slug: String,
    org_name: String,
    role: Role,
    invited_by: String,
    expires_at: DateTime<Utc>,
}

struct UserRow {
    login: String,
    name: String,
    email: Option<String>,
    verified_emails: Vec<String>,
}

async fn load_user(conn: &mut DbConn, user: UserId) -> Result<UserRow, ApiError> {
    let (login, name, email, verified_emails): (String, String, Option<String>, Vec<String>) =
        users::table
            .filter(users::id.eq(user.0))
            .filter(users::deleted_at.is_null())
            .select((
                users::login,
                users::name,
                users::email,
                users::verified_emails,
            ))
            .first(conn)
            .await
            .optional()?
            .ok_or_else(|| ApiError::unauthenticated("this account no longer exists"))?;
    Ok(UserRow {
        login,
        name,
        email,
        verified_emails,
    })
}

async fn invitations_for(conn: &mut DbConn, row: &UserRow) -> Result<Vec<MyInvitation>, ApiError> {
    Ok(
        tenancy::open_invitations(conn, &row.login, &row.verified_emails)
            .await?
            .into_iter()
            .filter_map(|i| {
                Some(MyInvitation {
                    id: i.id,
                    org_slug: i.org_slug,
                    org_name: i.org_name,
                    role: i.role.parse().ok()?,
                    invited_by: i.invited_by_login,
                    expires_at: i.expires_at,
                })
            })
            .collect(),
    )
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
    let orgs = tenancy::user_orgs(&mut conn, user.user)
        .await?
        .into_iter()
        .filter_map(|o| {
            Some(MyOrg {
                slug: o.slug,
                name: o.name,
                role: o.role.parse().ok()?,
            })
        })
        .collect();
    let invitations = invitations_for(&mut conn, &row).await?;
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
    Ok(web::Json(invitations_for(&mut conn, &row).await?))
}

/// The organization joined by accepting an invitation.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct Joined {
    org_slug: String,
    role: Role,
}

impl From<tenancy::InvitationError> for ApiError {
    fn from(e: tenancy::InvitationError) -> Self {
        use tenancy::InvitationError as E;
        match e {
            E::NotFound => ApiError::not_found("invitation"),
            E::Closed => ApiError::conflict("invitation-closed", e.to_string()),
            E::Expired => ApiError::conflict("invitation-expired", e.to_string()),
            E::AlreadyMember => ApiError::conflict("already-member", e.to_string()),
            E::Database(db) => db.into(),
        }
    }
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
            let slug: String = crate::schema::orgs::table
                .filter(crate::schema::orgs::id.eq(tx.scope().org_id()))
                .select(crate::schema::orgs::slug)
                .first(tx.conn())
                .await?;
            state
                .billing
                .require_seat(tx)
                .await
                .map_err(|e| crate::billing::limit_error(state, &slug, e))?;
            crate::orgs::invitations::record_answer(tx, id, "invitation.accept").await?;
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
            crate::orgs::invitations::record_answer(tx, id, "invitation.decline").await
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

/// `POST /api/v1/invitations/accept` body: the secret from an invitation link.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LinkAcceptance {
    token: String,
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
    let hash = super::tokens::INVITATION_LINK
        .hash_presented(&body.token)
        .ok_or_else(|| ApiError::not_found("invitation"))?;
    accept(&state, user.user, InvitationKey::TokenHash(&hash)).await
}
