//! The `api_tokens` rows of the organization in scope.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use tenancy::{ScopedConn, TokenId, UserId};

use super::TokenInfo;
use crate::http::ApiError;
use crate::schema::{api_tokens, users};

pub(crate) type TokenRow = (
    uuid::Uuid,
    String,
    String,
    Option<Vec<String>>,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
);

pub(crate) fn info(row: TokenRow) -> TokenInfo {
    let (id, name, user_login, permissions, created_at, last_used_at, expires_at) = row;
    TokenInfo {
        id: TokenId(id),
        name,
        user_login,
        permissions,
        created_at,
        last_used_at,
        expires_at,
    }
}

macro_rules! token_columns {
    () => {
        (
            api_tokens::id,
            api_tokens::name,
            users::login,
            api_tokens::permissions,
            api_tokens::created_at,
            api_tokens::last_used_at,
            api_tokens::expires_at,
        )
    };
}

pub(crate) async fn load(tx: &mut ScopedConn<'_>, id: TokenId) -> Result<TokenInfo, ApiError> {
    let row: TokenRow = api_tokens::table
        .inner_join(users::table.on(users::id.eq(api_tokens::user_id)))
        .filter(api_tokens::org_id.eq(tx.scope().org_id()))
        .filter(api_tokens::id.eq(id))
        .select(token_columns!())
        .first(tx.conn())
        .await?;
    Ok(info(row))
}

/// Live tokens by id after `after`: everyone's, or only the caller's own.
pub(crate) async fn list(
    tx: &mut ScopedConn<'_>,
    everyone: bool,
    after: Option<uuid::Uuid>,
    limit: i64,
) -> QueryResult<Vec<TokenRow>> {
    let mut q = api_tokens::table
        .inner_join(users::table.on(users::id.eq(api_tokens::user_id)))
        .filter(api_tokens::org_id.eq(tx.scope().org_id()))
        .filter(api_tokens::revoked_at.is_null())
        .select(token_columns!())
        .into_boxed();
    if !everyone {
        q = q.filter(api_tokens::user_id.eq(tx.scope().user_id()));
    }
    if let Some(after) = after {
        q = q.filter(api_tokens::id.gt(after));
    }
    q.order(api_tokens::id.asc())
        .limit(limit + 1)
        .load(tx.conn())
        .await
}

/// The owner of a live (unrevoked) token of this organization.
pub(crate) async fn live_owner(
    tx: &mut ScopedConn<'_>,
    id: TokenId,
) -> QueryResult<Option<UserId>> {
    api_tokens::table
        .filter(api_tokens::org_id.eq(tx.scope().org_id()))
        .filter(api_tokens::id.eq(id))
        .filter(api_tokens::revoked_at.is_null())
        .select(api_tokens::user_id)
        .first::<uuid::Uuid>(tx.conn())
        .await
        .optional()
        .map(|o| o.map(UserId))
}

/// Marks a token revoked.
pub(crate) async fn revoke(tx: &mut ScopedConn<'_>, id: TokenId) -> QueryResult<()> {
    diesel::update(
        api_tokens::table
            .filter(api_tokens::org_id.eq(tx.scope().org_id()))
            .filter(api_tokens::id.eq(id)),
    )
    .set(api_tokens::revoked_at.eq(diesel::dsl::now))
    .execute(tx.conn())
    .await?;
    Ok(())
}
