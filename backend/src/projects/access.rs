//! Who may see and change what in a project: private projects are visible only to
//! their members (and the organization's owners and admins); a project `viewer` only
//! reads there; a project `lead` also manages it. The caller's project access comes
//! with their membership ([`tenancy::OrgScope::hidden_projects`]), so checking costs no
//! query. Lists exclude hidden projects in SQL; single lookups check the row they found.

use tenancy::{Permission, ScopedConn};

use super::ProjectId;
use crate::http::ApiError;

/// Fails unless the caller may use `permission` on `project`: 404 for a project they
/// may not see (as if it did not exist), 403 for one they see but may not change.
pub(crate) fn require(
    tx: &ScopedConn<'_>,
    permission: Permission,
    project: ProjectId,
) -> Result<(), ApiError> {
    let scope = tx.scope();
    if !scope.sees_project(project.0) {
        return Err(ApiError::not_found("project"));
    }
    if scope.can_in_project(permission, project.0) {
        Ok(())
    } else {
        Err(ApiError::forbidden(format!(
            "your role in this project does not allow `{}`",
            permission.name()
        )))
    }
}

/// Fails with 404 when the caller may not see `project`.
pub(crate) fn visible(tx: &ScopedConn<'_>, project: ProjectId) -> Result<(), ApiError> {
    if tx.scope().sees_project(project.0) {
        Ok(())
    } else {
        Err(ApiError::not_found("project"))
    }
}

/// The private projects `scope` may not see, for `project_id <> ALL(...)`.
pub(crate) fn hidden(scope: &tenancy::OrgScope) -> Vec<ProjectId> {
    scope
        .hidden_projects()
        .iter()
        .copied()
        .map(ProjectId)
        .collect()
}
