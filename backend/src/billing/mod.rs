//! Billing's HTTP side: `GET/POST /api/v1/orgs/{org}/billing...`, the Stripe webhook,
//! and the billing crate's errors as problems. Plans, Stripe and the billing tables
//! live in the `billing` crate; plan limits and read-only mode, which every feature
//! (and `auth::Caller`) checks, live in `crate::entitlements`.

pub(crate) mod routes;

#[cfg(test)]
mod tests;

use ::billing::BillingError;

use crate::http::ApiError;

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
