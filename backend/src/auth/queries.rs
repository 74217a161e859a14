//! The sign-in flow's own rows: pending GitHub OAuth states and local mode's login
//! links (both hashed, single use).

use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use tenancy::{DbConn, UserId};

use crate::schema::{login_links, oauth_states};

/// A started sign-in, as the callback finds it.
pub(crate) struct OAuthState {
    pub pkce_verifier: String,
    pub redirect_to: String,
    pub expires_at: DateTime<Utc>,
}

/// Stores a new sign-in's state hash (after purging expired ones).
pub(crate) async fn save_oauth_state(
    conn: &mut DbConn,
    state_hash: &[u8],
    verifier: &str,
    redirect_to: &str,
    ttl: Duration,
) -> QueryResult<()> {
    diesel::delete(oauth_states::table.filter(oauth_states::expires_at.lt(diesel::dsl::now)))
        .execute(conn)
        .await?;
    diesel::insert_into(oauth_states::table)
        .values((
            oauth_states::state_hash.eq(state_hash),
            oauth_states::pkce_verifier.eq(verifier),
            oauth_states::redirect_to.eq(redirect_to),
            oauth_states::expires_at.eq(Utc::now() + ttl),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Takes (deletes and returns) the state with this hash: deleting the row is what
/// makes a state single-use.
pub(crate) async fn take_oauth_state(
    conn: &mut DbConn,
    state_hash: &[u8],
) -> QueryResult<Option<OAuthState>> {
    diesel::delete(oauth_states::table.filter(oauth_states::state_hash.eq(state_hash)))
        .returning((
            oauth_states::pkce_verifier,
            oauth_states::redirect_to,
            oauth_states::expires_at,
        ))
        .get_result::<(String, String, DateTime<Utc>)>(conn)
        .await
        .optional()
        .map(|row| {
            row.map(|(pkce_verifier, redirect_to, expires_at)| OAuthState {
                pkce_verifier,
                redirect_to,
                expires_at,
            })
        })
}

/// Stores a one-time login link's hash for `user`.
pub(crate) async fn save_login_link(
    conn: &mut DbConn,
    token_hash: &[u8],
    user: UserId,
    ttl: Duration,
) -> QueryResult<()> {
    diesel::insert_into(login_links::table)
        .values((
            login_links::token_hash.eq(token_hash),
            login_links::user_id.eq(user.0),
            login_links::expires_at.eq(Utc::now() + ttl),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Marks an unused, unexpired login link used and answers its user.
pub(crate) async fn use_login_link(
    conn: &mut DbConn,
    token_hash: &[u8],
) -> QueryResult<Option<UserId>> {
    diesel::update(
        login_links::table
            .filter(login_links::token_hash.eq(token_hash))
            .filter(login_links::used_at.is_null())
            .filter(login_links::expires_at.gt(diesel::dsl::now)),
    )
    .set(login_links::used_at.eq(diesel::dsl::now))
    .returning(login_links::user_id)
    .get_result::<uuid::Uuid>(conn)
    .await
    .optional()
    .map(|o| o.map(UserId))
}
