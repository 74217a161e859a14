//! [`OrgScope`]: proof that the caller is a member of an organization, and the only way
//! to open a transaction that can see that organization's rows.

use std::sync::Arc;

use diesel::prelude::*;
use diesel::sql_types::{Array, Bytea, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AnsiTransactionManager, RunQueryDsl, TransactionManager};

use crate::{DbConn, OrgId, Permission, PermissionSet, Role, UserId};

crate::id_type!(
    /// An API token's id (the token rows live with the backend's auth feature).
    TokenId
);

/// A caller's verified membership in one organization.
///
/// There is no public constructor: an `OrgScope` comes from [`authorize_token`],
/// [`authorize_user`] or [`crate::create_org`], each of which checks (or creates) the
/// membership first. Query functions take `&OrgScope`, so a handler cannot reach tenant
/// data without one.
#[derive(Debug, Clone)]
pub struct OrgScope {
    org_id: OrgId,
    user_id: UserId,
    role: Role,
    token_id: Option<TokenId>,
    /// The subset an API token was narrowed to (`None`: everything the role grants).
    token_permissions: Option<PermissionSet>,
    projects: ProjectAccess,
}

/// What a member's project roles change: private projects they cannot see, projects
/// they lead, projects where they only read. Loaded with the membership (same round
/// trip). Scopes made without a lookup (a new organization, an accepted invitation
/// inside its own transaction, a system actor) have none; none of them reads tickets.
#[derive(Debug, Clone, Default)]
struct ProjectAccess {
    hidden: Arc<[uuid::Uuid]>,
    lead: Arc<[uuid::Uuid]>,
    viewer: Arc<[uuid::Uuid]>,
}

/// The caller's role lacks a permission the operation needs.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("this action needs the `{}` permission", .0.name())]
pub struct Forbidden(pub Permission);

impl OrgScope {
    pub(crate) fn new(
        org_id: OrgId,
        user_id: UserId,
        role: Role,
        token_id: Option<TokenId>,
    ) -> Self {
        Self {
            org_id,
            user_id,
            role,
            token_id,
            token_permissions: None,
            projects: ProjectAccess::default(),
        }
    }

    /// Private projects this caller may not see: every query over projects or tickets
    /// excludes them, and naming one is a 404.
    pub fn hidden_projects(&self) -> &[uuid::Uuid] {
        &self.projects.hidden
    }

    /// Whether the caller may see `project` at all.
    pub fn sees_project(&self, project: uuid::Uuid) -> bool {
        !self.projects.hidden.contains(&project)
    }

    /// Whether the caller leads `project` (manages it and its members).
    pub fn leads_project(&self, project: uuid::Uuid) -> bool {
        self.projects.lead.contains(&project)
    }

    /// Whether the caller may use `permission` on `project`: their organization role
    /// (narrowed by a token) decides, except that a project `viewer` only reads there
    /// and a project `lead` may also update the project; a hidden project allows
    /// nothing.
    pub fn can_in_project(&self, permission: Permission, project: uuid::Uuid) -> bool {
        if !self.sees_project(project) {
            return false;
        }
        if self.projects.viewer.contains(&project) && !permission.is_read() {
            return false;
        }
        let token_allows = self
            .token_permissions
            .is_none_or(|token| token.contains(permission));
        self.can(permission)
            || (permission == Permission::ProjectsUpdate
                && self.leads_project(project)
                && token_allows)
    }

    /// The organization this scope grants access to.
    pub fn org_id(&self) -> OrgId {
        self.org_id
    }

    /// The acting user.
    pub fn user_id(&self) -> UserId {
        self.user_id
    }

    /// The acting user's role in the organization.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The API token the request authenticated with, if any.
    pub fn token_id(&self) -> Option<TokenId> {
        self.token_id
    }

    /// Whether the caller may use `permission`: their role grants it and, for an API
    /// token narrowed to some permissions, the token holds it too.
    pub fn can(&self, permission: Permission) -> bool {
        self.permissions().contains(permission)
    }

    /// Everything the caller may do: the role's grants, narrowed by the token's subset.
    pub fn permissions(&self) -> PermissionSet {
        let role = self.role.permissions();
        self.token_permissions
            .map_or(role, |token| role.intersection(token))
    }

    /// Fails with [`Forbidden`] unless the caller's role grants `permission`.
    pub fn require(&self, permission: Permission) -> Result<(), Forbidden> {
        if self.can(permission) {
            Ok(())
        } else {
            Err(Forbidden(permission))
        }
    }

    /// Runs `f` in a transaction that row-level security confines to this organization.
    ///
    /// `BEGIN` and `set_config('app.org_id', ..., true)` (with `app.user_id`, the actor
    /// that triggers such as the field history record) travel in one round trip; the
    /// settings are transaction-local, so they cannot leak to the next user of the
    /// pooled connection. Commits when `f` returns `Ok`, rolls back otherwise.
    pub async fn transaction<T, E, F>(&self, conn: &mut DbConn, f: F) -> Result<T, E>
    where
        F: AsyncFnOnce(&mut ScopedConn<'_>) -> Result<T, E>,
        E: From<diesel::result::Error>,
    {
        // The only values interpolated are `Uuid`s, whose Display form is hex digits
        // and dashes: nothing a caller controls reaches this string.
        let begin = format!(
            "BEGIN; SELECT set_config('app.org_id', '{}', true), set_config('app.user_id', '{}', true)",
            self.org_id.0, self.user_id.0
        );
        AnsiTransactionManager::begin_transaction_sql(conn, &begin).await?;
        let result = f(&mut ScopedConn {
            conn: &mut *conn,
            scope: self,
        })
        .await;
        match result {
            Ok(value) => {
                AnsiTransactionManager::commit_transaction(conn).await?;
                Ok(value)
            }
            Err(e) => {
                // The original error matters more than a failed rollback; a connection
                // left mid-transaction is discarded by the pool.
                if let Err(rollback) = AnsiTransactionManager::rollback_transaction(conn).await {
                    tracing::warn!(error = %rollback, "rollback failed");
                }
                Err(e)
            }
        }
    }
}

/// A connection inside an [`OrgScope::transaction`]: row-level security confines it to
/// the scope's organization. Tenant query functions take this type, so they cannot be
/// called on a bare connection.
pub struct ScopedConn<'c> {
    conn: &'c mut DbConn,
    scope: &'c OrgScope,
}

impl ScopedConn<'_> {
    /// The scope this transaction runs in (for `org_id` on inserts, the actor, checks).
    pub fn scope(&self) -> &OrgScope {
        self.scope
    }

    /// The underlying connection, for running diesel queries.
    pub fn conn(&mut self) -> &mut DbConn {
        self.conn
    }
}

#[derive(QueryableByName)]
struct MembershipRow {
    #[diesel(sql_type = SqlUuid)]
    org_id: uuid::Uuid,
    #[diesel(sql_type = SqlUuid)]
    user_id: uuid::Uuid,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    token_id: Option<uuid::Uuid>,
    #[diesel(sql_type = Text)]
    role: String,
    #[diesel(sql_type = Nullable<Array<SqlUuid>>)]
    hidden_projects: Option<Vec<uuid::Uuid>>,
    #[diesel(sql_type = Nullable<Array<SqlUuid>>)]
    lead_projects: Option<Vec<uuid::Uuid>>,
    #[diesel(sql_type = Nullable<Array<SqlUuid>>)]
    viewer_projects: Option<Vec<uuid::Uuid>>,
}

#[derive(QueryableByName)]
struct TokenRow {
    #[diesel(sql_type = Nullable<SqlUuid>)]
    org_id: Option<uuid::Uuid>,
    #[diesel(sql_type = SqlUuid)]
    user_id: uuid::Uuid,
    #[diesel(sql_type = SqlUuid)]
    token_id: uuid::Uuid,
    #[diesel(sql_type = Nullable<Text>)]
    role: Option<String>,
    #[diesel(sql_type = Nullable<Array<Text>>)]
    permissions: Option<Vec<String>>,
    #[diesel(sql_type = Nullable<Array<SqlUuid>>)]
    hidden_projects: Option<Vec<uuid::Uuid>>,
    #[diesel(sql_type = Nullable<Array<SqlUuid>>)]
    lead_projects: Option<Vec<uuid::Uuid>>,
    #[diesel(sql_type = Nullable<Array<SqlUuid>>)]
    viewer_projects: Option<Vec<uuid::Uuid>>,
}

/// What an API token grants in the organization a request names.
#[derive(Debug)]
pub enum TokenAuth {
    /// Unknown, revoked or expired token, or its user is gone.
    InvalidToken,
    /// A valid token, but not for this organization (or the user left it).
    NotMember,
    /// A valid token of a member of this organization.
    Member(OrgScope),
}

impl MembershipRow {
    fn into_scope(self) -> Option<OrgScope> {
        match self.role.parse::<Role>() {
            Ok(role) => {
                let mut scope = OrgScope::new(
                    OrgId(self.org_id),
                    UserId(self.user_id),
                    role,
                    self.token_id.map(TokenId),
                );
                scope.projects = ProjectAccess {
                    hidden: self.hidden_projects.unwrap_or_default().into(),
                    lead: self.lead_projects.unwrap_or_default().into(),
                    viewer: self.viewer_projects.unwrap_or_default().into(),
                };
                Some(scope)
            }
            Err(e) => {
                // The column has a CHECK constraint; reaching this means a migration and
                // this enum disagree. Deny rather than guess.
                tracing::error!(error = %e, "membership with an unknown role");
                None
            }
        }
    }
}

/// Resolves an API token (by its SHA-256 hash) in the organization `org_slug`.
///
/// One round trip: the lookup is a `SECURITY DEFINER` function, since no organization
/// is in scope yet.
pub async fn authorize_token(
    conn: &mut DbConn,
    token_hash: &[u8],
    org_slug: &str,
) -> QueryResult<TokenAuth> {
    let row: Option<TokenRow> = diesel::sql_query(
        "SELECT org_id, user_id, token_id, role, permissions, \
                hidden_projects, lead_projects, viewer_projects \
           FROM trellis_token_membership($1, $2)",
    )
    .bind::<Bytea, _>(token_hash)
    .bind::<Text, _>(org_slug)
    .get_result(conn)
    .await
    .optional()?;
    Ok(match row {
        None => TokenAuth::InvalidToken,
        Some(TokenRow {
            org_id: Some(org_id),
            user_id,
            token_id,
            role: Some(role),
            permissions,
            hidden_projects,
            lead_projects,
            viewer_projects,
        }) => MembershipRow {
            org_id,
            user_id,
            token_id: Some(token_id),
            role,
            hidden_projects,
            lead_projects,
            viewer_projects,
        }
        .into_scope()
        .map_or(TokenAuth::NotMember, |mut scope| {
            // An unknown name (a permission removed since) grants nothing.
            scope.token_permissions = permissions.map(|names| {
                names
                    .iter()
                    .filter_map(|n| n.parse::<Permission>().ok())
                    .collect()
            });
            TokenAuth::Member(scope)
        }),
        Some(_) => TokenAuth::NotMember,
    })
}

/// Resolves a signed-in user's membership in the organization `org_slug`.
pub async fn authorize_user(
    conn: &mut DbConn,
    user_id: UserId,
    org_slug: &str,
) -> QueryResult<Option<OrgScope>> {
    let row: Option<MembershipRow> = diesel::sql_query(
        "SELECT org_id, user_id, NULL::uuid AS token_id, role, \
                hidden_projects, lead_projects, viewer_projects \
           FROM trellis_user_membership($1, $2)",
    )
    .bind::<SqlUuid, _>(user_id)
    .bind::<Text, _>(org_slug)
    .get_result(conn)
    .await
    .optional()?;
    Ok(row.and_then(MembershipRow::into_scope))
}
