//! Billing's HTTP side: `GET/POST /api/v1/orgs/{org}/billing...`, the Stripe webhook,
//! read-only mode for organizations past their grace period, and the mapping of the
//! billing crate's refusals to problems. Plans, Stripe and the billing tables live in
//! the `billing` crate.

pub mod read_only;
pub(crate) mod routes;

#[cfg(test)]
mod tests;

use ::billing::{BillingError, EntitlementError};

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

impl From<BillingError> for ApiError {
    fn from(e: BillingError) -> Self {
        match e {
            BillingError::NotConfigured | BillingError::NoPrice(_) => ApiError::conflict(
                "billing-not-configured",
                format!(
                    "{e}: this server runs without Stripe, and every organization is on the free plan"
                ),
            ),
            BillingError::NoCustomer => ApiError::conflict("no-billing-account", e.to_string()),
            BillingError::AlreadySubscribed => {
                ApiError::conflict("already-subscribed", e.to_string())
            }
            BillingError::Stripe(cause) => {
                tracing::error!(error = %cause, "Stripe call failed");
                ApiError::unavailable("the payment provider could not be reached; retry shortly")
            }
            BillingError::Database(e) => e.into(),
        }
    }
}
