//! Watchers: who follows a ticket. Reporters, assignees, commenters and mentioned
//! members start watching by themselves (`tickets::watching`); anyone who may read a
//! ticket may watch or unwatch it, and whoever may change it may add or remove others.

pub(crate) mod queries;
pub(crate) mod routes;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use crate::refs::UserRef;

/// A ticket's watchers as its readers see them: members of the organization who may see
/// the ticket's project, by login.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Watchers {
    /// Whether the caller watches the ticket.
    pub watching: bool,
    pub count: i64,
    pub items: Vec<UserRef>,
}

/// Whom to add as a watcher (the caller's own login to watch).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWatcher {
    pub login: String,
}
