//! Roles and permissions. The role -> permission matrix is data (`policies/roles.toml`),
//! compiled into the binary and parsed once; a unit test pins every cell.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

const ROLES_TOML: &str = include_str!("../../policies/roles.toml");

/// An organization role. Ordered from most to least privileged for the roles that
/// form a ladder; `Billing` is a side role for finance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Owner,
    Admin,
    Member,
    Viewer,
    Billing,
}

impl Role {
    /// Every role, for exhaustive tests and documentation.
    pub const ALL: [Role; 5] = [
        Role::Owner,
        Role::Admin,
        Role::Member,
        Role::Viewer,
        Role::Billing,
    ];

    /// The name stored in the database and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Member => "member",
            Role::Viewer => "viewer",
            Role::Billing => "billing",
        }
    }

    /// Whether this role grants `permission`.
    pub fn grants(self, permission: Permission) -> bool {
        self.permissions().contains(permission)
    }

    /// Everything this role grants.
    pub fn permissions(self) -> PermissionSet {
        MATRIX.get(&self).copied().unwrap_or_default()
    }

    /// Whether someone holding this role may give `other` to somebody (an invitation, a
    /// role change): only when `other` grants nothing this role lacks, so nobody hands
    /// out more than they hold. An admin may not make owners or billing managers.
    pub fn may_assign(self, other: Role) -> bool {
        other.permissions().is_subset_of(self.permissions())
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role name that is not one of [`Role::ALL`].
#[derive(Debug, thiserror::Error)]
#[error("unknown role `{0}`")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

/// Something a route or command may need to be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Permission {
    #[serde(rename = "org.read")]
    OrgRead,
    #[serde(rename = "org.update")]
    OrgUpdate,
    #[serde(rename = "members.read")]
    MembersRead,
    #[serde(rename = "members.manage")]
    MembersManage,
    #[serde(rename = "projects.read")]
    ProjectsRead,
    #[serde(rename = "projects.create")]
    ProjectsCreate,
    #[serde(rename = "projects.update")]
    ProjectsUpdate,
    #[serde(rename = "projects.archive")]
    ProjectsArchive,
    #[serde(rename = "tickets.read")]
    TicketsRead,
    #[serde(rename = "tickets.create")]
    TicketsCreate,
    #[serde(rename = "tickets.update")]
    TicketsUpdate,
    #[serde(rename = "tickets.delete")]
    TicketsDelete,
    #[serde(rename = "tickets.transition")]
    TicketsTransition,
    #[serde(rename = "comments.read")]
    CommentsRead,
    #[serde(rename = "comments.create")]
    CommentsCreate,
    /// Edit or delete other people's comments.
    #[serde(rename = "comments.moderate")]
    CommentsModerate,
    #[serde(rename = "audit.read")]
    AuditRead,
    #[serde(rename = "tokens.manage")]
    TokensManage,
    #[serde(rename = "billing.read")]
    BillingRead,
    #[serde(rename = "billing.manage")]
    BillingManage,
    /// Edit or delete other people's worklogs (time logged on tickets).
    #[serde(rename = "worklogs.moderate")]
    WorklogsModerate,
}

impl Permission {
    /// The name used in `policies/roles.toml` and in error messages, e.g. `tickets.read`.
    pub fn name(self) -> &'static str {
        match self {
            Permission::OrgRead => "org.read",
            Permission::OrgUpdate => "org.update",
            Permission::MembersRead => "members.read",
            Permission::MembersManage => "members.manage",
            Permission::ProjectsRead => "projects.read",
            Permission::ProjectsCreate => "projects.create",
            Permission::ProjectsUpdate => "projects.update",
            Permission::ProjectsArchive => "projects.archive",
            Permission::TicketsRead => "tickets.read",
            Permission::TicketsCreate => "tickets.create",
            Permission::TicketsUpdate => "tickets.update",
            Permission::TicketsDelete => "tickets.delete",
            Permission::TicketsTransition => "tickets.transition",
            Permission::CommentsRead => "comments.read",
            Permission::CommentsCreate => "comments.create",
            Permission::CommentsModerate => "comments.moderate",
            Permission::AuditRead => "audit.read",
            Permission::TokensManage => "tokens.manage",
            Permission::BillingRead => "billing.read",
            Permission::BillingManage => "billing.manage",
            Permission::WorklogsModerate => "worklogs.moderate",
        }
    }

    /// Whether the permission only reads (a read-only organization keeps these).
    pub fn is_read(self) -> bool {
        matches!(
            self,
            Permission::OrgRead
                | Permission::MembersRead
                | Permission::ProjectsRead
                | Permission::TicketsRead
                | Permission::CommentsRead
                | Permission::AuditRead
                | Permission::BillingRead
        )
    }

    /// Every permission, for exhaustive tests.
    pub const ALL: [Permission; 21] = [
        Permission::OrgRead,
        Permission::OrgUpdate,
        Permission::MembersRead,
        Permission::MembersManage,
        Permission::ProjectsRead,
        Permission::ProjectsCreate,
        Permission::ProjectsUpdate,
        Permission::ProjectsArchive,
        Permission::TicketsRead,
        Permission::TicketsCreate,
        Permission::TicketsUpdate,
        Permission::TicketsDelete,
        Permission::TicketsTransition,
        Permission::CommentsRead,
        Permission::CommentsCreate,
        Permission::CommentsModerate,
        Permission::AuditRead,
        Permission::TokensManage,
        Permission::BillingRead,
        Permission::BillingManage,
        Permission::WorklogsModerate,
    ];
}

/// A permission name that is not one of [`Permission::ALL`].
#[derive(Debug, thiserror::Error)]
#[error("unknown permission `{0}`")]
pub struct UnknownPermission(pub String);

impl FromStr for Permission {
    type Err = UnknownPermission;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Permission::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| UnknownPermission(s.to_owned()))
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A set of permissions (a bit per [`Permission`]): a role's grants, or the subset an
/// API token is narrowed to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct PermissionSet(u32);

impl PermissionSet {
    /// Whether `p` is in the set.
    pub fn contains(self, p: Permission) -> bool {
        self.0 & Self::bit(p) != 0
    }

    /// Whether every permission of `self` is also in `other`.
    pub fn is_subset_of(self, other: PermissionSet) -> bool {
        self.0 & !other.0 == 0
    }

    /// The permissions in both sets.
    pub fn intersection(self, other: PermissionSet) -> PermissionSet {
        PermissionSet(self.0 & other.0)
    }

    /// The permissions, in [`Permission::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Permission> {
        Permission::ALL
            .into_iter()
            .filter(move |p| self.contains(*p))
    }

    fn bit(p: Permission) -> u32 {
        1 << (p as u32)
    }
}

impl FromIterator<Permission> for PermissionSet {
    fn from_iter<I: IntoIterator<Item = Permission>>(iter: I) -> Self {
        PermissionSet(iter.into_iter().fold(0, |acc, p| acc | Self::bit(p)))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    roles: BTreeMap<String, RoleEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RoleEntry {
    #[allow(dead_code)]
    description: String,
    permissions: Vec<Permission>,
}

fn parse_matrix(text: &str) -> Result<Vec<(Role, PermissionSet)>, String> {
    let file: PolicyFile = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for (name, entry) in file.roles {
        let role: Role = name.parse().map_err(|e: UnknownRole| e.to_string())?;
        out.push((role, entry.permissions.into_iter().collect()));
    }
    for role in Role::ALL {
        if !out.iter().any(|(r, _)| *r == role) {
            return Err(format!("role `{role}` has no entry"));
        }
    }
    Ok(out)
}

// The file is part of the binary, so a parse failure is a build defect caught by the
// tests below, never a runtime condition.
static MATRIX: LazyLock<std::collections::HashMap<Role, PermissionSet>> =
    LazyLock::new(|| match parse_matrix(ROLES_TOML) {
        Ok(entries) => entries.into_iter().collect(),
        Err(e) => panic!("policies/roles.toml is invalid: {e}"),
    });

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use Permission as P;

    /// The whole matrix, written out: changing `policies/roles.toml` means changing this.
    fn expected(role: Role, p: Permission) -> bool {
        let read_only = [
            P::OrgRead,
            P::MembersRead,
            P::ProjectsRead,
            P::TicketsRead,
            P::CommentsRead,
        ];
        match role {
            Role::Owner => true,
            Role::Admin => p != P::BillingManage,
            Role::Member => {
                read_only.contains(&p)
                    || matches!(
                        p,
                        P::TicketsCreate
                            | P::TicketsUpdate
                            | P::TicketsDelete
                            | P::TicketsTransition
                            | P::CommentsCreate
                            | P::TokensManage
                    )
            }
            Role::Viewer => read_only.contains(&p),
            Role::Billing => matches!(
                p,
                P::OrgRead | P::MembersRead | P::BillingRead | P::BillingManage
            ),
        }
    }

    #[test]
    fn every_cell_of_the_matrix_matches_the_policy_file() {
        let mut cells = 0;
        for role in Role::ALL {
            for p in Permission::ALL {
                assert_eq!(role.grants(p), expected(role, p), "{role} / {p:?}");
                cells += 1;
            }
        }
        assert_eq!(cells, 5 * 21);
    }

    #[test]
    fn owner_holds_every_permission_listed_once() {
        let unique: HashSet<_> = Permission::ALL.into_iter().collect();
        assert_eq!(unique.len(), Permission::ALL.len());
        assert_eq!(MATRIX[&Role::Owner].iter().count(), Permission::ALL.len());
    }

    #[test]
    fn names_match_the_policy_file_spelling() {
        for p in Permission::ALL {
            let text = format!(
                "[roles.owner]\ndescription = \"x\"\npermissions = [\"{}\"]\n",
                p.name()
            );
            let file: PolicyFile =
                toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.name()));
            assert_eq!(file.roles["owner"].permissions, vec![p]);
        }
    }

    #[test]
    fn unknown_permission_in_policy_is_rejected() {
        let text = "[roles.owner]\ndescription = \"x\"\npermissions = [\"tickets.fly\"]\n";
        assert!(parse_matrix(text).is_err());
    }

    #[test]
    fn missing_role_in_policy_is_rejected() {
        let text = "[roles.owner]\ndescription = \"x\"\npermissions = []\n";
        let err = parse_matrix(text).err().unwrap_or_default();
        assert!(err.contains("has no entry"), "{err}");
    }

    #[test]
    fn nobody_assigns_a_role_granting_more_than_their_own() {
        use Role::*;
        let allowed = |by: Role| -> Vec<Role> {
            Role::ALL
                .into_iter()
                .filter(|r| by.may_assign(*r))
                .collect()
        };
        assert_eq!(allowed(Owner), Role::ALL.to_vec());
        assert_eq!(allowed(Admin), vec![Admin, Member, Viewer]);
        assert_eq!(allowed(Member), vec![Member, Viewer]);
        assert_eq!(allowed(Viewer), vec![Viewer]);
        assert_eq!(allowed(Billing), vec![Billing]);
    }

    #[test]
    fn permission_sets_intersect_and_compare() {
        let member = Role::Member.permissions();
        let read: PermissionSet = [P::TicketsRead, P::CommentsRead].into_iter().collect();
        assert!(read.is_subset_of(member));
        assert!(!member.is_subset_of(read));
        assert_eq!(member.intersection(read), read);
        assert_eq!(
            read.iter().collect::<Vec<_>>(),
            vec![P::TicketsRead, P::CommentsRead]
        );
        for p in Permission::ALL {
            assert_eq!(p.name().parse::<Permission>().ok(), Some(p));
        }
        assert!("tickets.fly".parse::<Permission>().is_err());
    }

    #[test]
    fn role_names_round_trip() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().ok(), Some(role));
        }
        assert!("superuser".parse::<Role>().is_err());
    }
}
