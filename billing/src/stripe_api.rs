//! The Stripe API calls billing makes, through `async-stripe`: create a customer, a
//! subscription-mode Checkout Session, and a Billing Portal session. Nothing here runs
//! inside a database transaction.

use std::collections::HashMap;
use std::time::Duration;

use stripe::{Client, ClientBuilder, RequestStrategy, StripeError, StripeRequest};
use stripe_billing::billing_portal_session::CreateBillingPortalSession;
use stripe_checkout::CheckoutSessionMode;
use stripe_checkout::checkout_session::{
    CreateCheckoutSession, CreateCheckoutSessionLineItems, CreateCheckoutSessionSubscriptionData,
};
use stripe_core::customer::CreateCustomer;
use tenancy::OrgId;

use crate::plans::Plan;

/// A Stripe call failed. The message is for logs (it may name Stripe's error), not
/// for API callers.
#[derive(Debug, thiserror::Error)]
#[error("Stripe: {0}")]
pub struct StripeCallError(pub String);

impl From<StripeError> for StripeCallError {
    fn from(e: StripeError) -> Self {
        match e {
            StripeError::Stripe(errors, status) => StripeCallError(format!(
                "{status} {}: {}",
                errors.type_,
                errors.message.as_deref().unwrap_or("no message")
            )),
            other => StripeCallError(other.to_string()),
        }
    }
}

/// The Stripe client, pointed at `STRIPE_API_BASE`.
#[derive(Clone)]
pub(crate) struct StripeApi {
    client: Client,
}

impl std::fmt::Debug for StripeApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StripeApi")
    }
}

/// What a Checkout Session is for.
pub(crate) struct CheckoutRequest<'a> {
    pub org: OrgId,
    pub customer: &'a str,
    pub plan: Plan,
    pub price: &'a str,
    pub seats: u32,
    pub success_url: String,
    pub cancel_url: String,
}

impl StripeApi {
    pub(crate) fn new(secret_key: &str, api_base: &str) -> Result<Self, StripeCallError> {
        // The client appends `v1/...` to the base.
        let base = if api_base.ends_with('/') {
            api_base.to_owned()
        } else {
            format!("{api_base}/")
        };
        let client = ClientBuilder::new(secret_key)
            .url(base)
            .timeout(Duration::from_secs(20))
            .app_info("trellis", Some(env!("CARGO_PKG_VERSION").to_owned()), None)
            .build()?;
        Ok(Self { client })
    }

    /// Creates the organization's customer. The idempotency key makes two concurrent
    /// first checkouts of one organization get the same customer.
    pub(crate) async fn create_customer(
        &self,
        org: OrgId,
        name: &str,
    ) -> Result<String, StripeCallError> {
        let key = stripe::IdempotencyKey::new(format!("trellis-customer-{org}"))
            .map_err(|e| StripeCallError(e.to_string()))?;
        let customer = CreateCustomer::new()
            .name(name)
            .metadata(HashMap::from([("org_id".to_owned(), org.to_string())]))
            .customize()
            .request_strategy(RequestStrategy::Idempotent(key))
            .send(&self.client)
            .await?;
        Ok(customer.id.to_string())
    }

    /// Creates a subscription-mode Checkout Session and returns its URL. The org id
    /// travels in `client_reference_id`, the session's metadata and the subscription's.
    pub(crate) async fn create_checkout(
        &self,
        request: CheckoutRequest<'_>,
    ) -> Result<String, StripeCallError> {
        let metadata = HashMap::from([
            ("org_id".to_owned(), request.org.to_string()),
            ("plan".to_owned(), request.plan.as_str().to_owned()),
            ("seats".to_owned(), request.seats.to_string()),
        ]);
        let mut item = CreateCheckoutSessionLineItems::new();
        item.price = Some(request.price.to_owned());
        item.quantity = Some(u64::from(request.seats));
        let mut subscription_data = CreateCheckoutSessionSubscriptionData::new();
        subscription_data.metadata = Some(metadata.clone());
        let session = CreateCheckoutSession::new()
            .mode(CheckoutSessionMode::Subscription)
            .customer(request.customer)
            .client_reference_id(request.org.to_string())
            .metadata(metadata)
            .subscription_data(subscription_data)
            .line_items(vec![item])
            .success_url(request.success_url)
            .cancel_url(request.cancel_url)
            .send(&self.client)
            .await?;
        session
            .url
            .ok_or_else(|| StripeCallError("the Checkout Session has no url".to_owned()))
    }

    /// Creates a Billing Portal session for `customer` and returns its URL.
    pub(crate) async fn create_portal(
        &self,
        customer: &str,
        return_url: String,
    ) -> Result<String, StripeCallError> {
        let session = CreateBillingPortalSession::new()
            .customer(customer)
            .return_url(return_url)
            .send(&self.client)
            .await?;
        Ok(session.url)
    }
}
