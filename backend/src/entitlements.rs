//! The billing crate's verdicts as problems, for every feature: a refused plan limit
//! (402 with an upgrade link) and read-only mode (402 with the Billing Portal's link).
//!
//! Read-only mode: once a past-due organization's grace period is over, every write
//! under `/api/v1/orgs/{org}` answers `402` with a link to the Billing Portal, while
//! reads, search and export keep working and billing itself stays reachable (to pay).
//! The check runs inside the write's own transaction, in `auth::Caller::tx`: every
//! handler states the permission it needs, and any permission that is not a read (nor
//! `billing.manage`, the way out) is a write. One query, no extra round trip to set up
//! a second transaction, and a handler cannot forget it.
//!
//! A leaf below `auth` and the features: it imports only `http`, so the extractor can
//! call it without an import circle through `billing`'s routes.

use ::billing::EntitlementError;
use tenancy::{Permission, ScopedConn};

use crate::http::{ApiError, AppState};

/// The link where an organization's owners upgrade (`POST` it for a Checkout URL).
fn checkout_link(state: &AppState, org_slug: &str) -> String {
    format!(
        "{}/api/v1/orgs/{org_slug}/billing/checkout",
        state.config.public_url().trim_end_matches('/')
    )
}

/// The link to the Billing Portal (`POST` it for a portal URL).
fn portal_link(state: &AppState, org_slug: &str) -> String {
    format!(
        "{}/api/v1/orgs/{org_slug}/billing/portal",
        state.config.public_url().trim_end_matches('/')
    )
}

/// A refused entitlement check as a `402` carrying the limit, the usage and an upgrade
/// link; counted in `entitlement_refusals_total`.
pub fn limit_error(state: &AppState, org_slug: &str, e: EntitlementError) -> ApiError {
    match e {
        EntitlementError::Limit(limit) => {
            state.metrics.entitlement_refusal(limit.kind.as_str());
            ApiError::payment_required("plan-limit", limit.to_string())
                .with_extension("limit_kind", limit.kind.as_str().into())
                .with_extension("plan", limit.plan.as_str().into())
                .with_extension("limit", limit.limit.into())
                .with_extension("usage", limit.usage.into())
                .with_extension("upgrade", checkout_link(state, org_slug).into())
        }
        EntitlementError::Database(e) => e.into(),
    }
}

/// Whether a transaction needing `permission` must first pass the read-only check.
pub fn read_only_gated(permission: Permission) -> bool {
    !permission.is_read() && permission != Permission::BillingManage
}

/// Fails with 402 when the organization is read-only.
pub async fn read_only_check(
    state: &AppState,
    slug: &str,
    tx: &mut ScopedConn<'_>,
) -> Result<(), ApiError> {
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
    .with_extension("portal", portal_link(state, slug).into()))
}
