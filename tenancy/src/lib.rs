//! Tenancy: organizations, memberships, roles and permissions, and the org-scoped
//! database access that every tenant query goes through.
//!
//! The security property this crate exists for: tenant rows are reachable only through
//! an [`OrgScope`], and an `OrgScope` is handed out only after the caller's membership
//! in the organization has been checked ([`authorize_token`], [`authorize_user`]) or the
//! organization has just been created with the caller as its owner ([`create_org`]).
//! PostgreSQL row-level security backs this up: [`OrgScope::transaction`] sets
//! `app.org_id` for its transaction and every tenant table's policy compares against it,
//! so a query that forgets its `org_id` filter sees nothing of another tenant.

mod ids;
mod invitations;
mod orgs;
mod policy;
mod scope;
mod system;

pub use ids::{OrgId, UserId};
pub use invitations::{
    InvitationError, InvitationId, InvitationKey, Invitee, OpenInvitation, UserOrg,
    accept_invitation, decline_invitation, open_invitations, user_orgs,
};
pub use orgs::{NewOrg, add_member, create_org, valid_login, valid_slug};
pub use policy::{Permission, PermissionSet, Role, UnknownPermission, UnknownRole};
pub use scope::{
    Forbidden, OrgScope, ScopedConn, TokenAuth, TokenId, authorize_token, authorize_user,
};
pub use system::{SystemActor, system_scope};

/// The connection type every query runs on.
pub type DbConn = diesel_async::AsyncPgConnection;

/// The connection pool the application shares.
pub type DbPool = diesel_async::pooled_connection::bb8::Pool<DbConn>;
