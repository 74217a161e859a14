//! Read-only mode: once a past-due organization's grace period is over, every write
//! under `/api/v1/orgs/{org}` answers `402` with a link to the Billing Portal, while
//! reads, search and export keep working and billing itself stays reachable (to pay).
//!
//! The check runs inside the write's own transaction, in [`crate::auth::Caller::tx`]:
//! every handler states the permission it needs, and any permission that is not a read
//! (nor `billing.manage`, the way out) is a write. One query, no extra round trip to
//! set up a second transaction, and a handler cannot forget it.

use tenancy::{Permission, ScopedConn};

use crate::http::{ApiError, AppState};

/// Whether a transaction needing `permission` must first pass the read-only check.
pub fn gated(permission: Permission) -> bool {
    !permission.is_read() && permission != Permission::BillingManage
}

/// Fails with 402 when the organization is read-only.
pub async fn check(state: &AppState, slug: &str, tx: &mut ScopedConn<'_>) -> Result<(), ApiError> {
    if !state.billing.enabled() || !state.billing.read_only(tx).await? {
        return Ok(());
    }
    state.metrics.entitlement_refusal("read_only");
    Err(ApiError::payment_required(
        "read-only",
        "this organization is read-only: its subscription is past due and the grace \
         period is over. Reads, search and export keep working; pay the open invoice \
         in the billing portal to restore everything at once",
    )
    .with_extension("portal", super::portal_link(state, slug).into()))
}
