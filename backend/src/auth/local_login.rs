//! Local mode's one-time login link: `trellis serve` prints it for the demo owner, and
//! opening it starts an ordinary cookie session. Production cannot use it: the route is
//! not mounted there, the handler refuses anyway, and [`create_link`] refuses to mint.

use std::time::Duration;

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use tenancy::{DbConn, UserId};

use super::{AuthState, queries, session};
use crate::config::{Config, Environment};
use crate::http::{ApiError, AppState};

/// How long a printed link works.
const LINK_TTL: Duration = Duration::from_secs(15 * 60);

/// Mints a one-time login link for `user`. Refused in production.
pub async fn create_link(
    conn: &mut DbConn,
    config: &Config,
    user: UserId,
) -> anyhow::Result<String> {
    if config.environment != Environment::Local {
        anyhow::bail!("login links exist only in local mode");
    }
    let token = super::tokens::random_token();
    queries::save_login_link(conn, &super::tokens::sha256(&token), user, LINK_TTL).await?;
    Ok(format!(
        "{}/auth/local-login?token={token}",
        config.public_url().trim_end_matches('/')
    ))
}

#[derive(Deserialize)]
pub(crate) struct LinkQuery {
    token: Option<String>,
}

/// `GET /auth/local-login?token=...` (local mode only): signs the link's user in.
pub(crate) async fn redeem(
    state: web::Data<AppState>,
    auth: web::Data<AuthState>,
    query: web::Query<LinkQuery>,
) -> Result<HttpResponse, ApiError> {
    if state.config.environment != Environment::Local {
        return Err(ApiError::not_found("route"));
    }
    let token = query.token.as_deref().unwrap_or_default();
    let invalid = || ApiError::unauthenticated("this login link is invalid, used or expired");
    if token.is_empty() || token.len() > 100 {
        return Err(invalid());
    }
    let mut conn = state.db.get().await?;
    let user = queries::use_login_link(&mut conn, &super::tokens::sha256(token))
        .await?
        .ok_or_else(invalid)?;
    let tokens = session::start(&mut conn, &auth.keys, user).await?;
    let mut response = HttpResponse::Found();
    response.insert_header(("Location", format!("{}/", state.config.web_url())));
    session::set_cookies(&mut response, &state.config, tokens);
    Ok(response.finish())
}
