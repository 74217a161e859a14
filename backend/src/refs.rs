//! How responses refer to other resources (a leaf: it imports no feature).

use serde::{Deserialize, Serialize};
use tenancy::UserId;

/// A user as other resources refer to them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UserRef {
    pub id: UserId,
    /// GitHub login.
    pub login: String,
    pub name: String,
}
