//! The signed-in user's own rows: their account, organizations and invitations.
//! These run before any organization is in scope, through the tenancy functions that
//! answer only for the one user asked about.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use tenancy::{DbConn, ScopedConn, UserId};

use super::{MyInvitation, MyOrg};
use crate::http::ApiError;
use crate::schema::{orgs, users};

/// The account fields the invitation checks and `/auth/me` need.
pub(crate) struct UserRow {
    pub login: String,
    pub name: String,
    pub email: Option<String>,
    pub verified_emails: Vec<String>,
}

/// The live account of `user` (401 when it has been deleted).
pub(crate) async fn load_user(conn: &mut DbConn, user: UserId) -> Result<UserRow, ApiError> {
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

/// The organizations `user` belongs to, with their roles.
pub(crate) async fn orgs_of(conn: &mut DbConn, user: UserId) -> Result<Vec<MyOrg>, ApiError> {
    Ok(tenancy::user_orgs(conn, user)
        .await?
        .into_iter()
        .filter_map(|o| {
            Some(MyOrg {
                slug: o.slug,
                name: o.name,
                role: o.role.parse().ok()?,
            })
        })
        .collect())
}

/// Open invitations addressed to the user's login or verified addresses.
pub(crate) async fn invitations_for(
    conn: &mut DbConn,
    row: &UserRow,
) -> Result<Vec<MyInvitation>, ApiError> {
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

/// The slug of the organization in scope.
pub(crate) async fn org_slug(tx: &mut ScopedConn<'_>) -> Result<String, ApiError> {
    Ok(orgs::table
        .filter(orgs::id.eq(tx.scope().org_id()))
        .select(orgs::slug)
        .first(tx.conn())
        .await?)
}
