//! `/auth/*`: GitHub sign-in, session refresh and logout (`/auth/me` is `me::routes`).

use std::time::Duration;

use actix_web::cookie::{Cookie, SameSite, time};
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use serde::Deserialize;
use subtle::ConstantTimeEq;

use super::{AuthState, SessionUser, csrf, queries, session};
use crate::config::{Config, Environment};
use crate::http::error::Problem;
use crate::http::{ApiError, AppState};
use crate::rate_limit::{Budget, client_ip};

const STATE_COOKIE: &str = "trellis_oauth_state";
const STATE_TTL: Duration = Duration::from_secs(600);

/// Mounts `/auth` (call at the app root, after `me::routes::configure`).
pub fn configure(cfg: &mut web::ServiceConfig, environment: Environment) {
    let mut auth = web::scope("/auth")
        .route("/github/login", web::get().to(github_login))
        .route("/github/callback", web::get().to(github_callback))
        .route("/refresh", web::post().to(refresh))
        .route("/logout", web::post().to(logout));
    // Local mode's one-time login link: in production the route does not exist.
    if environment == Environment::Local {
        auth = auth.route("/local-login", web::get().to(super::local_login::redeem));
    }
    cfg.service(auth);
}

fn auth_budget(state: &AppState) -> Budget {
    Budget {
        name: "auth",
        limit: state.config.auth.rate_limits.auth_per_minute,
        window: Duration::from_secs(60),
    }
}

async fn limit_by_ip(
    req: &HttpRequest,
    state: &AppState,
    auth: &AuthState,
) -> Result<(), ApiError> {
    let ip = client_ip(req, state.config.auth.trust_forwarded_for);
    auth.limiter.check(auth_budget(state), &ip).await
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

fn github(auth: &AuthState) -> Result<&super::github::GitHub, ApiError> {
    auth.github.as_ref().ok_or_else(|| {
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
#[into_params(parameter_in = Query)]
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
    auth: web::Data<AuthState>,
    query: web::Query<LoginQuery>,
) -> Result<HttpResponse, ApiError> {
    limit_by_ip(&req, &state, &auth).await?;
    let github = github(&auth)?;
    let redirect_to = safe_redirect(query.redirect_to.as_deref())?;
    let oauth_state = super::tokens::random_token();
    let (url, verifier) = github.authorize_url(&oauth_state);
    let mut conn = state.db.get().await?;
    queries::save_oauth_state(
        &mut conn,
        &super::tokens::sha256(&oauth_state),
        &verifier,
        &redirect_to,
        STATE_TTL,
    )
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
#[into_params(parameter_in = Query)]
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
    auth: web::Data<AuthState>,
    query: web::Query<CallbackQuery>,
) -> Result<HttpResponse, ApiError> {
    limit_by_ip(&req, &state, &auth).await?;
    let github = github(&auth)?;
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
    let stored = queries::take_oauth_state(&mut conn, &super::tokens::sha256(presented)).await?;
    let Some(queries::OAuthState {
        pkce_verifier: verifier,
        redirect_to,
        expires_at,
    }) = stored
    else {
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
    let signed_in = super::sign_in_with_github(&mut conn, &auth.cipher, &who).await?;
    let tokens = session::start(&mut conn, &auth.keys, signed_in.user).await?;
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
    auth: web::Data<AuthState>,
) -> Result<HttpResponse, ApiError> {
    let presented = req
        .cookie(session::REFRESH_COOKIE)
        .map(|c| c.value().to_owned())
        .ok_or_else(|| ApiError::unauthenticated("no refresh cookie; sign in again"))?;
    let mut conn = state.db.get().await?;
    let family = session::family_of(&mut conn, &presented)
        .await?
        .ok_or_else(|| ApiError::unauthenticated("the session has ended; sign in again"))?;
    csrf::check(&req, &auth.keys, &auth.allowed_origins, family)?;
    match session::refresh(&mut conn, &auth.keys, &presented).await {
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
