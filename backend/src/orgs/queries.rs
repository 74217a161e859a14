//! The organization in scope: its row, its members and its invitations.

use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::Value;
use tenancy::{InvitationId, Role, ScopedConn, UserId};

use super::{Invitation, Member, Org, UserRef};
use crate::audit::{self, Change, Entity};
use crate::http::{ApiError, IfMatch};
use crate::schema::{api_tokens, invitations, memberships, orgs, users};

/// How long an invitation stays open.
pub const INVITATION_TTL: Duration = Duration::from_secs(7 * 24 * 3600);

pub(crate) async fn load(tx: &mut ScopedConn<'_>) -> Result<Org, ApiError> {
    // orgs is row-level secured by id: the scope's own row is the only one visible.
    Ok(orgs::table
        .filter(orgs::id.eq(tx.scope().org_id()))
        .select(Org::as_select())
        .first(tx.conn())
        .await?)
}

/// Renames the organization read at the `If-Match` version (`None`: keep the name).
pub(crate) async fn update_org(
    tx: &mut ScopedConn<'_>,
    if_match: &IfMatch,
    name: Option<String>,
) -> Result<Org, ApiError> {
    let before = load(tx).await?;
    if_match.check(before.version)?;
    let (id, version) = (before.id, before.version);
    Change {
        action: "org.update",
        entity: Entity::Org(id),
        before: &before,
        version,
    }
    .update_returning(tx, async |tx| {
        diesel::update(
            orgs::table
                .filter(orgs::id.eq(id))
                .filter(orgs::version.eq(version)),
        )
        .set((
            orgs::name.eq(name.unwrap_or_else(|| before.name.clone())),
            orgs::version.eq(orgs::version + 1),
            orgs::updated_at.eq(diesel::dsl::now),
        ))
        .returning(Org::as_returning())
        .get_result(tx.conn())
        .await
        .optional()
    })
    .await
}

/// One page of live members by login, after `after`.
pub(crate) async fn members(
    tx: &mut ScopedConn<'_>,
    after: Option<String>,
    limit: i64,
) -> QueryResult<Vec<Member>> {
    let mut q = memberships::table
        .filter(memberships::org_id.eq(tx.scope().org_id()))
        .inner_join(users::table)
        .filter(users::deleted_at.is_null())
        .select((
            users::id,
            users::login,
            users::name,
            memberships::role,
            memberships::created_at,
        ))
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(users::login.gt(after));
    }
    let rows: Vec<(uuid::Uuid, String, String, String, DateTime<Utc>)> = q
        .order(users::login.asc())
        .limit(limit + 1)
        .load(tx.conn())
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, login, name, role, joined_at)| {
            Some(Member {
                user: UserRef {
                    id: UserId(id),
                    login,
                    name,
                },
                role: role.parse().ok()?,
                joined_at,
            })
        })
        .collect())
}

/// The member of the scope's organization with `login`, and their role; `None` for
/// anyone else (a malformed login included). The one lookup of a member by login.
pub(crate) async fn find_member(
    tx: &mut ScopedConn<'_>,
    login: &str,
) -> Result<Option<(UserId, Role)>, ApiError> {
    if !tenancy::valid_login(login) {
        return Ok(None);
    }
    let row: Option<(uuid::Uuid, String)> = memberships::table
        .inner_join(users::table)
        .filter(memberships::org_id.eq(tx.scope().org_id()))
        .filter(users::login.eq(login))
        .filter(users::deleted_at.is_null())
        .select((users::id, memberships::role))
        .first(tx.conn())
        .await
        .optional()?;
    row.map(|(id, role)| {
        let role = role
            .parse()
            .map_err(|e| ApiError::internal(format!("membership role: {e}")))?;
        Ok((UserId(id), role))
    })
    .transpose()
}

/// The member with `login`, and their role, or 404.
pub(crate) async fn member(
    tx: &mut ScopedConn<'_>,
    login: &str,
) -> Result<(UserId, Role), ApiError> {
    find_member(tx, login)
        .await?
        .ok_or_else(|| ApiError::not_found("member"))
}

/// Fails unless another owner remains once `leaving` stops being one. Locks the owner
/// rows, so concurrent changes are serialised here.
async fn keep_an_owner(tx: &mut ScopedConn<'_>, leaving: UserId) -> Result<(), ApiError> {
    let owners: Vec<uuid::Uuid> = memberships::table
        .filter(memberships::org_id.eq(tx.scope().org_id()))
        .filter(memberships::role.eq(Role::Owner.as_str()))
        .select(memberships::user_id)
        .for_update()
        .load(tx.conn())
        .await?;
    if owners.iter().any(|o| *o != leaving.0) {
        Ok(())
    } else {
        Err(ApiError::conflict(
            "last-owner",
            "an organization needs at least one owner; make someone else owner first",
        ))
    }
}

async fn set_role(tx: &mut ScopedConn<'_>, user: UserId, role: Role) -> Result<(), ApiError> {
    diesel::update(
        memberships::table
            .filter(memberships::org_id.eq(tx.scope().org_id()))
            .filter(memberships::user_id.eq(user)),
    )
    .set(memberships::role.eq(role.as_str()))
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Gives `user` (now `old_role`) the role `new_role`, keeping an owner, audited.
pub(crate) async fn change_role(
    tx: &mut ScopedConn<'_>,
    user: UserId,
    old_role: Role,
    new_role: Role,
) -> Result<(), ApiError> {
    if old_role == Role::Owner {
        keep_an_owner(tx, user).await?;
    }
    set_role(tx, user, new_role).await?;
    audit::record(
        tx,
        "member.role",
        Entity::Member(user),
        Some(serde_json::json!({ "role": old_role })),
        Some(serde_json::json!({ "role": new_role })),
    )
    .await?;
    Ok(())
}

/// Removes `user` (of `role`) from the organization, keeping an owner, and revokes
/// their API tokens in it; audited as `action` with `before`.
pub(crate) async fn remove_member(
    tx: &mut ScopedConn<'_>,
    user: UserId,
    role: Role,
    action: &'static str,
    before: Value,
) -> Result<(), ApiError> {
    if role == Role::Owner {
        keep_an_owner(tx, user).await?;
    }
    let org_id = tx.scope().org_id();
    diesel::update(
        api_tokens::table
            .filter(api_tokens::org_id.eq(org_id))
            .filter(api_tokens::user_id.eq(user))
            .filter(api_tokens::revoked_at.is_null()),
    )
    .set(api_tokens::revoked_at.eq(diesel::dsl::now))
    .execute(tx.conn())
    .await?;
    diesel::delete(
        memberships::table
            .filter(memberships::org_id.eq(org_id))
            .filter(memberships::user_id.eq(user)),
    )
    .execute(tx.conn())
    .await?;
    audit::record(tx, action, Entity::Member(user), Some(before), None).await?;
    Ok(())
}

/// Makes `user` (now `old_role`) the owner and the caller an admin, audited.
pub(crate) async fn transfer_ownership(
    tx: &mut ScopedConn<'_>,
    user: UserId,
    old_role: Role,
) -> Result<(), ApiError> {
    let me = tx.scope().user_id();
    set_role(tx, user, Role::Owner).await?;
    set_role(tx, me, Role::Admin).await?;
    audit::record(
        tx,
        "org.transfer",
        Entity::Member(user),
        Some(serde_json::json!({ "owner": me, "new_owner_role": old_role })),
        Some(serde_json::json!({ "owner": user, "previous_owner_role": Role::Admin })),
    )
    .await?;
    Ok(())
}

type InvitationRow = (
    uuid::Uuid,
    Option<String>,
    Option<String>,
    String,
    String,
    DateTime<Utc>,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
);

macro_rules! invitation_columns {
    () => {
        (
            invitations::id,
            invitations::github_login,
            invitations::email,
            invitations::role,
            users::login,
            invitations::created_at,
            invitations::expires_at,
            invitations::accepted_at,
            invitations::declined_at,
            invitations::revoked_at,
        )
    };
}

fn to_invitation(row: InvitationRow) -> Option<Invitation> {
    let (
        id,
        github_login,
        email,
        role,
        invited_by,
        created_at,
        expires_at,
        accepted,
        declined,
        revoked,
    ) = row;
    let status = if accepted.is_some() {
        "accepted"
    } else if declined.is_some() {
        "declined"
    } else if revoked.is_some() {
        "revoked"
    } else if expires_at <= Utc::now() {
        "expired"
    } else {
        "pending"
    };
    Some(Invitation {
        id: InvitationId(id),
        github_login,
        email,
        role: role.parse().ok()?,
        invited_by,
        created_at,
        expires_at,
        status,
        link: None,
    })
}

async fn load_invitation(
    tx: &mut ScopedConn<'_>,
    id: InvitationId,
) -> Result<Invitation, ApiError> {
    let row: InvitationRow = invitations::table
        .inner_join(users::table)
        .filter(invitations::org_id.eq(tx.scope().org_id()))
        .filter(invitations::id.eq(id))
        .select(invitation_columns!())
        .first(tx.conn())
        .await?;
    to_invitation(row).ok_or_else(|| ApiError::internal("invitation with an unknown role"))
}

/// Opens an invitation for a GitHub `login` or an `email` (one of them), its link's
/// secret stored as `hash`; audited. An expired invitation no longer blocks a new one.
pub(crate) async fn create_invitation(
    tx: &mut ScopedConn<'_>,
    login: Option<String>,
    email: Option<String>,
    role: Role,
    hash: &[u8],
) -> Result<Invitation, ApiError> {
    let org_id = tx.scope().org_id();
    diesel::update(
        invitations::table
            .filter(invitations::org_id.eq(org_id))
            .filter(invitations::accepted_at.is_null())
            .filter(invitations::declined_at.is_null())
            .filter(invitations::revoked_at.is_null())
            .filter(invitations::expires_at.le(diesel::dsl::now)),
    )
    .set(invitations::revoked_at.eq(diesel::dsl::now))
    .execute(tx.conn())
    .await?;
    let id = InvitationId::new();
    diesel::insert_into(invitations::table)
        .values((
            invitations::id.eq(id),
            invitations::org_id.eq(org_id),
            invitations::github_login.eq(&login),
            invitations::email.eq(&email),
            invitations::role.eq(role.as_str()),
            invitations::token_hash.eq(hash),
            invitations::invited_by.eq(tx.scope().user_id()),
            invitations::expires_at.eq(Utc::now() + INVITATION_TTL),
        ))
        .execute(tx.conn())
        .await
        .map_err(|e| {
            ApiError::unique_as(
                e,
                ApiError::conflict(
                    "already-invited",
                    "this person already has an open invitation; revoke it first",
                ),
            )
        })?;
    audit::record(
        tx,
        "invitation.create",
        Entity::Invitation(id),
        None,
        Some(serde_json::json!({ "github_login": login, "email": email, "role": role })),
    )
    .await?;
    load_invitation(tx, id).await
}

/// One page of the organization's invitations, newest first, before `after`.
pub(crate) async fn invitations(
    tx: &mut ScopedConn<'_>,
    after: Option<uuid::Uuid>,
    limit: i64,
) -> QueryResult<Vec<Invitation>> {
    let mut q = invitations::table
        .inner_join(users::table)
        .filter(invitations::org_id.eq(tx.scope().org_id()))
        .select(invitation_columns!())
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(invitations::id.lt(after));
    }
    let rows: Vec<InvitationRow> = q
        .order(invitations::id.desc())
        .limit(limit + 1)
        .load(tx.conn())
        .await?;
    Ok(rows.into_iter().filter_map(to_invitation).collect())
}

/// The open invitation `id` of this organization, locked.
macro_rules! open_invitation {
    ($tx:expr, $id:expr) => {
        invitations::table
            .filter(invitations::org_id.eq($tx.scope().org_id()))
            .filter(invitations::id.eq($id))
            .filter(invitations::accepted_at.is_null())
            .filter(invitations::declined_at.is_null())
            .filter(invitations::revoked_at.is_null())
    };
}

/// The role an open invitation offers (as stored), locking it; 404 when it is not open.
pub(crate) async fn lock_open_invitation(
    tx: &mut ScopedConn<'_>,
    id: InvitationId,
) -> Result<String, ApiError> {
    open_invitation!(tx, id)
        .select(invitations::role)
        .for_update()
        .first(tx.conn())
        .await
        .optional()?
        .ok_or_else(|| ApiError::not_found("invitation"))
}

/// Revokes an open invitation, audited.
pub(crate) async fn revoke_invitation(
    tx: &mut ScopedConn<'_>,
    id: InvitationId,
) -> Result<(), ApiError> {
    diesel::update(open_invitation!(tx, id))
        .set(invitations::revoked_at.eq(diesel::dsl::now))
        .execute(tx.conn())
        .await?;
    audit::record(tx, "invitation.revoke", Entity::Invitation(id), None, None).await?;
    Ok(())
}

/// Records an invitee's answer (accept or decline) in the organization's audit log.
pub async fn record_answer(
    tx: &mut ScopedConn<'_>,
    id: InvitationId,
    action: &'static str,
) -> Result<(), ApiError> {
    audit::record(
        tx,
        action,
        Entity::Invitation(id),
        None,
        Some(serde_json::json!({ "user_id": tx.scope().user_id(), "role": tx.scope().role() })),
    )
    .await?;
    Ok(())
}
