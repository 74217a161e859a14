//! Invitations: how a person who is not yet a member becomes one.
//!
//! Creating, listing and revoking invitations are ordinary scoped operations of the
//! inviting organization. Accepting and declining are not: the invitee has no scope in
//! that organization yet. The lookups here run as `SECURITY DEFINER` functions that
//! answer only invitations addressed to the caller (or named by the secret of their
//! link), and only a checked invitation yields the new member's [`OrgScope`].

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, Bool, Bytea, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;

use crate::{DbConn, OrgId, OrgScope, Role, ScopedConn, UserId};

crate::id_type!(
    /// An invitation's id.
    InvitationId
);

/// The signed-in person answering an invitation.
#[derive(Debug, Clone, Copy)]
pub struct Invitee<'a> {
    pub user: UserId,
    /// Their GitHub login.
    pub login: &'a str,
    /// The addresses GitHub reported as verified.
    pub verified_emails: &'a [String],
}

/// Which invitation is being answered.
#[derive(Debug, Clone, Copy)]
pub enum InvitationKey<'a> {
    /// One of the invitee's own open invitations (addressed to their login or a
    /// verified address).
    Id(InvitationId),
    /// The SHA-256 of the secret in an invitation link: holding the link is the proof,
    /// as with a link sent to an address.
    TokenHash(&'a [u8; 32]),
}

/// Why an invitation cannot be answered.
#[derive(Debug, thiserror::Error)]
pub enum InvitationError {
    #[error("no such invitation for you")]
    NotFound,
    #[error("the invitation was already accepted, declined or revoked")]
    Closed,
    #[error("the invitation has expired")]
    Expired,
    #[error("you are already a member of this organization")]
    AlreadyMember,
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
}

/// An open invitation addressed to someone, as they see it.
#[derive(Debug, Clone, QueryableByName)]
pub struct OpenInvitation {
    #[diesel(sql_type = SqlUuid)]
    pub id: InvitationId,
    #[diesel(sql_type = SqlUuid)]
    pub org_id: OrgId,
    #[diesel(sql_type = Text)]
    pub org_slug: String,
    #[diesel(sql_type = Text)]
    pub org_name: String,
    #[diesel(sql_type = Text)]
    pub role: String,
    #[diesel(sql_type = Text)]
    pub invited_by_login: String,
    #[diesel(sql_type = Timestamptz)]
    pub expires_at: DateTime<Utc>,
}

#[derive(QueryableByName)]
struct LinkRow {
    #[diesel(sql_type = SqlUuid)]
    id: InvitationId,
    #[diesel(sql_type = SqlUuid)]
    org_id: OrgId,
    #[diesel(sql_type = Text)]
    role: String,
    #[diesel(sql_type = Timestamptz)]
    expires_at: DateTime<Utc>,
    #[diesel(sql_type = Bool)]
    closed: bool,
}

/// The open, unexpired invitations addressed to `login` or one of `verified_emails`,
/// in every organization.
pub async fn open_invitations(
    conn: &mut DbConn,
    login: &str,
    verified_emails: &[String],
) -> QueryResult<Vec<OpenInvitation>> {
    diesel::sql_query(
        "SELECT id, org_id, org_slug, org_name, role, invited_by_login, expires_at \
           FROM trellis_open_invitations($1, $2)",
    )
    .bind::<Text, _>(login)
    .bind::<Array<Text>, _>(verified_emails)
    .load(conn)
    .await
}

/// Resolves `key` to (invitation, organization, role), checking it is still open.
async fn resolve(
    conn: &mut DbConn,
    invitee: Invitee<'_>,
    key: InvitationKey<'_>,
) -> Result<(InvitationId, OrgId, Role), InvitationError> {
    let (id, org_id, role) = match key {
        InvitationKey::Id(id) => {
            let open = open_invitations(conn, invitee.login, invitee.verified_emails).await?;
            let found = open
                .into_iter()
                .find(|i| i.id == id)
                .ok_or(InvitationError::NotFound)?;
            (found.id, found.org_id, found.role)
        }
        InvitationKey::TokenHash(hash) => {
            let row: LinkRow = diesel::sql_query(
                "SELECT id, org_id, role, expires_at, closed \
                   FROM trellis_invitation_by_token($1)",
            )
            .bind::<Bytea, _>(&hash[..])
            .get_result(conn)
            .await
            .optional()?
            .ok_or(InvitationError::NotFound)?;
            if row.closed {
                return Err(InvitationError::Closed);
            }
            if row.expires_at <= Utc::now() {
                return Err(InvitationError::Expired);
            }
            (row.id, row.org_id, row.role)
        }
    };
    let role = role.parse::<Role>().map_err(|e| {
        tracing::error!(error = %e, "invitation with an unknown role");
        InvitationError::NotFound
    })?;
    Ok((id, org_id, role))
}

/// Marks the invitation accepted (by the scope's user) or declined; `Closed` when
/// somebody answered or revoked it first, since the lookup.
async fn close(
    tx: &mut ScopedConn<'_>,
    id: InvitationId,
    accepted: bool,
) -> Result<(), InvitationError> {
    let updated = diesel::sql_query(
        "UPDATE invitations \
            SET accepted_at = CASE WHEN $2 THEN now() END, \
                accepted_by = CASE WHEN $2 THEN $3 END, \
                declined_at = CASE WHEN $2 THEN NULL ELSE now() END \
          WHERE id = $1 AND accepted_at IS NULL AND declined_at IS NULL \
            AND revoked_at IS NULL AND expires_at > now()",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Bool, _>(accepted)
    .bind::<Nullable<SqlUuid>, _>(Some(tx.scope().user_id()))
    .execute(tx.conn())
    .await?;
    if updated == 1 {
        Ok(())
    } else {
        Err(InvitationError::Closed)
    }
}

/// Accepts an invitation: the invitee becomes a member with the invited role. `then`
/// (a seat check, an audit entry) runs in the same transaction with the new member's
/// scope, just before the membership row is inserted, so a seat count sees the
/// members as they were.
pub async fn accept_invitation<T, E, F>(
    conn: &mut DbConn,
    invitee: Invitee<'_>,
    key: InvitationKey<'_>,
    then: F,
) -> Result<(OrgScope, T), E>
where
    F: AsyncFnOnce(&mut ScopedConn<'_>, InvitationId) -> Result<T, E>,
    E: From<InvitationError> + From<diesel::result::Error>,
{
    let (id, org_id, role) = resolve(conn, invitee, key).await?;
    let scope = OrgScope::new(org_id, invitee.user, role, None);
    let value = scope
        .transaction(conn, async |tx| -> Result<T, E> {
            close(tx, id, true).await?;
            let value = then(tx, id).await?;
            let inserted = diesel::sql_query(
                "INSERT INTO memberships (org_id, user_id, role) VALUES ($1, $2, $3) \
                 ON CONFLICT DO NOTHING",
            )
            .bind::<SqlUuid, _>(org_id)
            .bind::<SqlUuid, _>(invitee.user)
            .bind::<Text, _>(role.as_str())
            .execute(tx.conn())
            .await?;
            if inserted == 0 {
                return Err(InvitationError::AlreadyMember.into());
            }
            Ok(value)
        })
        .await?;
    Ok((scope, value))
}

/// Declines one of the invitee's own open invitations; `then` records it (the actor is
/// the invitee, who gains nothing in the organization).
pub async fn decline_invitation<T, E, F>(
    conn: &mut DbConn,
    invitee: Invitee<'_>,
    key: InvitationKey<'_>,
    then: F,
) -> Result<T, E>
where
    F: AsyncFnOnce(&mut ScopedConn<'_>, InvitationId) -> Result<T, E>,
    E: From<InvitationError> + From<diesel::result::Error>,
{
    let (id, org_id, _) = resolve(conn, invitee, key).await?;
    // A scope that exists only for this transaction's row-level security; it grants
    // nothing (viewer of an org the caller just declined) and never leaves this crate.
    let scope = OrgScope::new(org_id, invitee.user, Role::Viewer, None);
    scope
        .transaction(conn, async |tx| {
            close(tx, id, false).await?;
            then(tx, id).await
        })
        .await
}

/// An organization a user belongs to, with their role there.
#[derive(Debug, Clone, QueryableByName)]
pub struct UserOrg {
    #[diesel(sql_type = SqlUuid)]
    pub org_id: OrgId,
    #[diesel(sql_type = Text)]
    pub slug: String,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text)]
    pub role: String,
}

/// Every organization `user` is a member of, by slug.
pub async fn user_orgs(conn: &mut DbConn, user: UserId) -> QueryResult<Vec<UserOrg>> {
    diesel::sql_query("SELECT org_id, slug, name, role FROM trellis_user_orgs($1)")
        .bind::<SqlUuid, _>(user)
        .load(conn)
        .await
}
