//! Local mode's one-time login link: `trellis serve` prints it for the demo owner, and
//! opening it starts an ordinary cookie session. Production cannot use it: the route is
//! not mounted there, the handler refuses anyway, and [`create_link`] refuses to mint.

use std::time::Duration;

use actix_web::{HttpResponse, web};
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::Deserialize;
use tenancy::{DbConn, UserId};

use super::session;
use crate::config::{Config, Environment};
use crate::http::{ApiError, AppState};
use crate::schema::login_links;

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
    diesel::insert_into(login_links::table)
        .values((
            login_links::token_hash.eq(&super::tokens::sha256(&token)[..]),
            login_links::user_id.eq(user.0),
            login_links::expires_at.eq(Utc::now() + LINK_TTL),
        ))
        .execute(conn)
        .await?;
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
    let user: uuid::Uuid = diesel::update(
        login_links::table
            .filter(login_links::token_hash.eq(&super::tokens::sha256(token)[..]))
            .filter(login_links::used_at.is_null())
            .filter(login_links::expires_at.gt(diesel::dsl::now)),
    )
    .set(login_links::used_at.eq(diesel::dsl::now))
    .returning(login_links::user_id)
    .get_result(&mut conn)
    .await
    .optional()?
    .ok_or_else(invalid)?;
    let tokens = session::start(&mut conn, &state.auth.keys, UserId(user)).await?;
    let mut response = HttpResponse::Found();
    response.insert_header(("Location", format!("{}/", state.config.web_url())));
    session::set_cookies(&mut response, &state.config, tokens);
    Ok(response.finish())
}
