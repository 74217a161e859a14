//! `/api/v1/orgs/{org}/billing` and `/webhooks/stripe`.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use tenancy::Permission;

use ::billing::{Plan, SignatureError, Summary};

use crate::auth::Caller;
use crate::http::error::Problem;
use crate::http::{ApiError, AppState, JsonBody};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/billing", web::get().to(get_billing))
        .route("/billing/checkout", web::post().to(create_checkout))
        .route("/billing/portal", web::post().to(create_portal));
}

/// The webhook lives outside `/api/v1/orgs`: Stripe names no organization.
pub fn configure_webhook(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/webhooks/stripe")
            // Events with long invoices outgrow actix's 256 KiB default.
            .app_data(web::PayloadConfig::new(WEBHOOK_MAX_BYTES))
            .route(web::post().to(stripe_webhook)),
    );
}

const WEBHOOK_MAX_BYTES: usize = 4 << 20;

/// `POST .../billing/checkout` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckoutRequest {
    /// `team` or `business`.
    pub plan: String,
    /// Seats to buy, 1 to 10,000.
    pub seats: i64,
}

const MAX_SEATS: i64 = 10_000;

impl CheckoutRequest {
    fn validate(&self) -> Result<(Plan, u32), ApiError> {
        let plan = self
            .plan
            .parse::<Plan>()
            .ok()
            .filter(|p| p.is_paid())
            .ok_or_else(|| ApiError::validation("plan", "must be `team` or `business`"))?;
        let seats = u32::try_from(self.seats)
            .ok()
            .filter(|s| (1..=MAX_SEATS).contains(&i64::from(*s)))
            .ok_or_else(|| ApiError::validation("seats", "must be between 1 and 10000"))?;
        Ok((plan, seats))
    }
}

/// A Stripe-hosted page to send the person to.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RedirectUrl {
    pub url: String,
}

fn org_slug(req: &HttpRequest) -> String {
    req.match_info().get("org").unwrap_or_default().to_owned()
}

/// The organization's plan, subscription status and usage against its limits.
#[utoipa::path(
    get, path = "/api/v1/orgs/{org}/billing", tag = "billing",
    params(("org" = String, Path, description = "Organization slug")),
    responses(
        (status = 200, description = "Plan and usage", body = Summary),
        (status = 403, description = "Needs billing.read", body = Problem),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn get_billing(
    mut caller: Caller,
    state: web::Data<AppState>,
) -> Result<web::Json<Summary>, ApiError> {
    let billing = state.billing.clone();
    let summary = caller
        .tx(Permission::BillingRead, async |tx| {
            Ok(billing.summary(tx).await?)
        })
        .await?;
    Ok(web::Json(summary))
}

/// Starts a subscription: creates the organization's Stripe customer on first use and
/// a Checkout Session for the plan and seats.
#[utoipa::path(
    post, path = "/api/v1/orgs/{org}/billing/checkout", tag = "billing",
    params(("org" = String, Path, description = "Organization slug")),
    request_body = CheckoutRequest,
    responses(
        (status = 200, description = "The Checkout page", body = RedirectUrl),
        (status = 403, description = "Needs billing.manage", body = Problem),
        (status = 409, description = "Already subscribed, or billing is not configured on this server", body = Problem),
        (status = 422, description = "Invalid field", body = Problem),
        (status = 503, description = "Stripe could not be reached", body = Problem),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn create_checkout(
    req: HttpRequest,
    mut caller: Caller,
    state: web::Data<AppState>,
    body: JsonBody<CheckoutRequest>,
) -> Result<web::Json<RedirectUrl>, ApiError> {
    caller.scope.require(Permission::BillingManage)?;
    let (plan, seats) = body.validate()?;
    let billing = state.billing.clone();
    let org = caller.scope.org_id();
    let existing = caller
        .tx(Permission::BillingManage, async |tx| {
            Ok(billing.checkout_customer(tx).await?)
        })
        .await?;
    let customer = match existing {
        Some(customer) => customer,
        None => {
            // The Stripe call runs outside any transaction; the first customer
            // attached wins if two checkouts race (the idempotency key makes them one).
            let created = billing.create_customer(org, &org_slug(&req)).await?;
            caller
                .tx(Permission::BillingManage, async |tx| {
                    Ok(billing.attach_customer(tx, &created).await?)
                })
                .await?
        }
    };
    let url = billing.checkout_url(org, &customer, plan, seats).await?;
    Ok(web::Json(RedirectUrl { url }))
}

/// A Billing Portal session: invoices, payment methods, plan changes, cancellation.
#[utoipa::path(
    post, path = "/api/v1/orgs/{org}/billing/portal", tag = "billing",
    params(("org" = String, Path, description = "Organization slug")),
    responses(
        (status = 200, description = "The portal page", body = RedirectUrl),
        (status = 403, description = "Needs billing.manage", body = Problem),
        (status = 409, description = "No billing account yet, or billing is not configured", body = Problem),
        (status = 503, description = "Stripe could not be reached", body = Problem),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn create_portal(
    mut caller: Caller,
    state: web::Data<AppState>,
) -> Result<web::Json<RedirectUrl>, ApiError> {
    let billing = state.billing.clone();
    let customer = caller
        .tx(Permission::BillingManage, async |tx| {
            Ok(billing.customer(tx).await?)
        })
        .await?
        .ok_or(::billing::BillingError::NoCustomer)?;
    let url = billing.portal_url(&customer).await?;
    Ok(web::Json(RedirectUrl { url }))
}

/// The event types billing handles: the metric's `type` label takes these or `other`.
const HANDLED: [&str; 6] = [
    "checkout.session.completed",
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "invoice.paid",
    "invoice.payment_failed",
];

/// Stripe's webhook. Unverified deliveries are a 400 with no side effect; verified ones
/// are applied exactly once and acknowledged, or answered 5xx so Stripe retries.
pub(crate) async fn stripe_webhook(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let billing = &state.billing;
    if !billing.enabled() {
        return Err(::billing::BillingError::NotConfigured.into());
    }
    let signature = req
        .headers()
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok());
    let event = match billing.verify(signature, &body) {
        Ok(Ok(event)) => event,
        Ok(Err(malformed)) => {
            tracing::warn!(error = %malformed, "signed Stripe event could not be parsed");
            return Err(ApiError::bad_request(
                "malformed-event",
                "the event body is not a Stripe event this server understands",
            ));
        }
        Err(e) => {
            let detail = match e {
                SignatureError::Missing => "the Stripe-Signature header is missing",
                SignatureError::Malformed => "the Stripe-Signature header is malformed",
                SignatureError::Expired => {
                    "the Stripe-Signature timestamp is too old or in the future"
                }
                SignatureError::NoMatch | SignatureError::NoSecrets => {
                    "no Stripe-Signature signature matches this endpoint's secrets"
                }
            };
            return Err(
                ApiError::bad_request("invalid-signature", detail).with_field("Stripe-Signature")
            );
        }
    };
    let kind = HANDLED
        .into_iter()
        .find(|k| *k == event.kind)
        .unwrap_or("other");
    let mut conn = state.db.get().await?;
    match billing.handle_event(&mut conn, &event).await {
        Ok(outcome) => {
            state.metrics.stripe_webhook_event(kind, outcome.as_str());
            tracing::info!(event = %event.id, kind = %event.kind, outcome = outcome.as_str(), "Stripe event");
            Ok(HttpResponse::Ok().json(serde_json::json!({
                "received": true,
                "outcome": outcome.as_str(),
            })))
        }
        Err(e) => {
            state.metrics.stripe_webhook_event(kind, "failed");
            // Rolled back whole: Stripe retries the delivery later.
            Err(ApiError::internal(format!(
                "applying Stripe event {}: {e}",
                event.id
            )))
        }
    }
}
