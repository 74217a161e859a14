//! Entitlement checks: counted under the billing account's row lock, in the
//! transaction that adds the thing counted, so concurrent additions cannot both take
//! the last slot.

use serde::Serialize;
use tenancy::ScopedConn;

use crate::account::Account;
use crate::store;

/// Which limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LimitKind {
    Seats,
    Projects,
    Storage,
}

impl LimitKind {
    /// The name used in problems and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            LimitKind::Seats => "seats",
            LimitKind::Projects => "projects",
            LimitKind::Storage => "storage",
        }
    }

    /// What the limit counts, as a message names it.
    fn unit(self) -> &'static str {
        match self {
            LimitKind::Seats => "seats",
            LimitKind::Projects => "projects",
            LimitKind::Storage => "bytes of attachments",
        }
    }
}

/// A plan limit that an addition would exceed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the {plan} plan allows {limit} {}; {usage} in use", kind.unit())]
pub struct LimitExceeded {
    pub kind: LimitKind,
    pub plan: crate::Plan,
    pub limit: u64,
    pub usage: u64,
}

/// An entitlement check that refused, or could not run.
#[derive(Debug, thiserror::Error)]
pub enum EntitlementError {
    #[error(transparent)]
    Limit(#[from] LimitExceeded),
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
}

fn check(
    kind: LimitKind,
    account: &Account,
    limit: Option<u32>,
    usage: u64,
) -> Result<(), EntitlementError> {
    match limit {
        Some(limit) if usage >= u64::from(limit) => Err(LimitExceeded {
            kind,
            plan: account.effective_plan(),
            limit: u64::from(limit),
            usage,
        }
        .into()),
        _ => Ok(()),
    }
}

pub(crate) async fn require_project(
    tx: &mut ScopedConn<'_>,
    account: &Account,
) -> Result<(), EntitlementError> {
    let limit = account.effective_plan().limits().projects;
    let used = store::projects_used(tx).await?;
    check(LimitKind::Projects, account, limit, used)
}

pub(crate) async fn require_seat(
    tx: &mut ScopedConn<'_>,
    account: &Account,
) -> Result<(), EntitlementError> {
    let limit = account.effective_plan().limits().seat_limit(account.seats);
    let used = store::seats_used(tx).await?;
    check(LimitKind::Seats, account, limit, used)
}

/// Refuses `adding` more bytes of attachments once they would take the organization
/// past its plan's storage.
pub(crate) async fn require_storage(
    tx: &mut ScopedConn<'_>,
    account: &Account,
    adding: u64,
) -> Result<(), EntitlementError> {
    let used = store::attachment_bytes_used(tx).await?;
    match account.effective_plan().limits().attachment_bytes {
        Some(limit) if used.saturating_add(adding) > limit => Err(LimitExceeded {
            kind: LimitKind::Storage,
            plan: account.effective_plan(),
            limit,
            usage: used,
        }
        .into()),
        _ => Ok(()),
    }
}
