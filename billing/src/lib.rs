//! Billing: plans and entitlements, Stripe Checkout and the Billing Portal, webhook
//! verification and exactly-once, ordered application of Stripe's events.
//!
//! The backend mounts the routes and calls into [`Billing`]; everything about plans,
//! Stripe and the billing tables lives here. Depends on `tenancy` only: every query
//! runs in an org-scoped transaction, the webhook's through
//! [`tenancy::system_scope`] once the organization owning the event's customer is
//! known.
//!
//! ```text
//! POST /webhooks/stripe -> Billing::verify -> Billing::handle_event
//!     owners of the customer/subscription (SECURITY DEFINER lookup)
//!     -> scoped transaction: lock account, record event id, apply if newer, audit
//! ```

mod account;
mod entitlements;
mod event;
mod plans;
mod signature;
mod store;
mod stripe_api;
mod webhook;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use tenancy::{OrgId, ScopedConn};

pub use account::{Account, Status};
pub use entitlements::{EntitlementError, LimitExceeded, LimitKind};
pub use event::{Change, Event, MalformedEvent, Prices};
pub use plans::{Plan, PlanLimits, SeatLimit, UnknownPlan};
pub use signature::{SignatureError, TOLERANCE_SECONDS, WebhookSecrets, sign};
pub use stripe_api::StripeCallError;
pub use webhook::Outcome;

/// The time billing decides by: the system clock, plus an offset only tests move (to
/// see a grace period run out without waiting a week).
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_seconds: Arc<AtomicI64>,
}

impl Clock {
    /// Now.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::seconds(self.offset_seconds.load(Ordering::Relaxed))
    }

    /// Moves this clock (and every clone of it) forward.
    pub fn advance(&self, by: Duration) {
        self.offset_seconds
            .fetch_add(by.num_seconds(), Ordering::Relaxed);
    }
}

/// Billing configuration (see the README's configuration table).
#[derive(Clone, Default)]
pub struct BillingConfig {
    /// `STRIPE_SECRET_KEY`; billing is off (local mode) without it.
    pub secret_key: Option<String>,
    /// `STRIPE_WEBHOOK_SECRETS`, newest first.
    pub webhook_secrets: WebhookSecrets,
    /// `STRIPE_API_BASE`.
    pub api_base: String,
    pub prices: Prices,
    /// `TRELLIS_BILLING_GRACE`: how long a past-due organization keeps writing.
    pub grace: Duration,
    /// Where Checkout and the portal send people back to (the public URL).
    pub return_url: String,
}

impl std::fmt::Debug for BillingConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BillingConfig")
            .field(
                "secret_key",
                &self.secret_key.as_ref().map(|_| "[redacted]"),
            )
            .field("webhook_secrets", &self.webhook_secrets)
            .field("api_base", &self.api_base)
            .field("prices", &self.prices)
            .field("grace", &self.grace)
            .finish()
    }
}

/// Stripe's API base URL, the default of `STRIPE_API_BASE`.
pub const STRIPE_API_BASE: &str = "https://api.stripe.com/";

/// Billing is not configured (local mode), or not for this request.
#[derive(Debug, thiserror::Error)]
pub enum BillingError {
    #[error("billing is not configured on this server")]
    NotConfigured,
    #[error("no price is configured for the {0} plan")]
    NoPrice(Plan),
    #[error("the organization has no billing account yet; start with a checkout")]
    NoCustomer,
    #[error("the organization already has a subscription; change it in the billing portal")]
    AlreadySubscribed,
    #[error(transparent)]
    Stripe(#[from] StripeCallError),
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
}

/// Billing, as the backend holds it: configuration, the Stripe client, the clock.
#[derive(Debug, Clone)]
pub struct Billing {
    config: BillingConfig,
    stripe: Option<stripe_api::StripeApi>,
    clock: Clock,
}

/// `GET .../billing`: the plan in force and the usage against its limits.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Summary {
    pub plan: Plan,
    pub status: Status,
    pub seats: Usage,
    pub projects: Usage,
    /// Bytes of attachments: confirmed files and uploads still pending.
    pub attachment_bytes: Usage,
    pub current_period_end: Option<DateTime<Utc>>,
    /// When a past-due subscription's grace period ends (then writes stop).
    pub grace_ends_at: Option<DateTime<Utc>>,
    pub read_only: bool,
}

/// Usage of one limit; `limit` is absent when unlimited.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Usage {
    pub used: u64,
    pub limit: Option<u64>,
}

impl Billing {
    /// Billing with `config`. Without a secret key or webhook secret it runs in local
    /// mode: every organization is on the free plan and the Stripe routes refuse.
    pub fn new(config: BillingConfig, clock: Clock) -> Result<Self, StripeCallError> {
        let stripe = match &config.secret_key {
            Some(key) if !config.webhook_secrets.is_empty() => {
                Some(stripe_api::StripeApi::new(key, &config.api_base)?)
            }
            _ => None,
        };
        Ok(Self {
            config,
            stripe,
            clock,
        })
    }

    /// Whether Stripe is configured.
    pub fn enabled(&self) -> bool {
        self.stripe.is_some()
    }

    /// The clock billing decides by.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    fn stripe(&self) -> Result<&stripe_api::StripeApi, BillingError> {
        self.stripe.as_ref().ok_or(BillingError::NotConfigured)
    }

    /// The account as it counts: stored state in billing mode, free in local mode.
    async fn effective(&self, tx: &mut ScopedConn<'_>, lock: bool) -> diesel::QueryResult<Account> {
        // The free plan's limits hold without Stripe too, so limit checks lock the row
        // (serialising them per organization) whether or not billing is configured.
        let account = if lock {
            store::lock(tx).await?
        } else if self.enabled() {
            store::read(tx).await?
        } else {
            Account::default()
        };
        Ok(if self.enabled() {
            account
        } else {
            Account::default()
        })
    }

    /// The plan, status and usage of the organization in scope.
    pub async fn summary(&self, tx: &mut ScopedConn<'_>) -> diesel::QueryResult<Summary> {
        let account = self.effective(tx, false).await?;
        let plan = account.effective_plan();
        let limits = plan.limits();
        let seats_used = store::seats_used(tx).await?;
        let projects_used = store::projects_used(tx).await?;
        let attachment_bytes_used = store::attachment_bytes_used(tx).await?;
        let now = self.clock.now();
        Ok(Summary {
            plan,
            status: account.status,
            seats: Usage {
                used: seats_used,
                limit: limits.seat_limit(account.seats).map(u64::from),
            },
            projects: Usage {
                used: projects_used,
                limit: limits.projects.map(u64::from),
            },
            attachment_bytes: Usage {
                used: attachment_bytes_used,
                limit: limits.attachment_bytes,
            },
            current_period_end: account.current_period_end,
            grace_ends_at: account.grace_ends_at(self.config.grace),
            read_only: account.read_only(now, self.config.grace),
        })
    }

    /// Whether the organization in scope is read-only (past due beyond the grace).
    pub async fn read_only(&self, tx: &mut ScopedConn<'_>) -> diesel::QueryResult<bool> {
        let account = self.effective(tx, false).await?;
        Ok(account.read_only(self.clock.now(), self.config.grace))
    }

    /// The organization's Stripe customer, if it has one.
    pub async fn customer(&self, tx: &mut ScopedConn<'_>) -> Result<Option<String>, BillingError> {
        self.stripe()?;
        Ok(store::read(tx).await?.customer)
    }

    /// The customer a new checkout should use. Refuses while a subscription is live
    /// (active, trialing or in dunning): a second checkout would bill twice, and plan
    /// or seat changes belong in the portal.
    pub async fn checkout_customer(
        &self,
        tx: &mut ScopedConn<'_>,
    ) -> Result<Option<String>, BillingError> {
        self.stripe()?;
        let account = store::read(tx).await?;
        if account.effective_plan().is_paid() {
            return Err(BillingError::AlreadySubscribed);
        }
        Ok(account.customer)
    }

    /// Creates a Stripe customer for `org` (outside any transaction).
    pub async fn create_customer(&self, org: OrgId, name: &str) -> Result<String, BillingError> {
        Ok(self.stripe()?.create_customer(org, name).await?)
    }

    /// Attaches `customer` to the organization in scope unless it already has one, and
    /// returns the customer that holds: the first one attached wins.
    pub async fn attach_customer(
        &self,
        tx: &mut ScopedConn<'_>,
        customer: &str,
    ) -> Result<String, BillingError> {
        let mut account = store::lock(tx).await?;
        if let Some(existing) = account.customer {
            return Ok(existing);
        }
        if !store::attach(tx, customer, store::StripeIdKind::Customer).await? {
            // Stripe handed us a customer id another organization owns: never reuse it.
            return Err(BillingError::Stripe(StripeCallError(
                "Stripe returned a customer that belongs to another organization".to_owned(),
            )));
        }
        let before = account.clone();
        account.customer = Some(customer.to_owned());
        store::save(tx, &account).await?;
        store::audit(tx, "billing.customer_create", &before, &account).await?;
        Ok(customer.to_owned())
    }

    /// A Checkout Session for `plan` with `seats` seats; returns its URL.
    pub async fn checkout_url(
        &self,
        org: OrgId,
        customer: &str,
        plan: Plan,
        seats: u32,
    ) -> Result<String, BillingError> {
        let stripe = self.stripe()?;
        let price = self
            .config
            .prices
            .of(plan)
            .ok_or(BillingError::NoPrice(plan))?;
        let base = self.config.return_url.trim_end_matches('/');
        Ok(stripe
            .create_checkout(stripe_api::CheckoutRequest {
                org,
                customer,
                plan,
                price,
                seats,
                success_url: format!("{base}/?billing=success"),
                cancel_url: format!("{base}/?billing=canceled"),
            })
            .await?)
    }

    /// A Billing Portal session for the organization's customer; returns its URL.
    pub async fn portal_url(&self, customer: &str) -> Result<String, BillingError> {
        let base = self.config.return_url.trim_end_matches('/');
        Ok(self
            .stripe()?
            .create_portal(customer, format!("{base}/?billing=portal"))
            .await?)
    }

    /// Verifies a webhook delivery and parses its event.
    pub fn verify(
        &self,
        signature: Option<&str>,
        body: &[u8],
    ) -> Result<Result<Event, MalformedEvent>, SignatureError> {
        if !self.enabled() {
            return Err(SignatureError::NoSecrets);
        }
        self.config
            .webhook_secrets
            .verify(signature, body, self.clock.now())?;
        Ok(Event::parse(body, &self.config.prices))
    }

    /// Applies a verified event exactly once (see [`Outcome`]).
    pub async fn handle_event(
        &self,
        conn: &mut tenancy::DbConn,
        event: &Event,
    ) -> diesel::QueryResult<Outcome> {
        webhook::handle(conn, event).await
    }

    /// Fails with [`EntitlementError::Limit`] unless the organization in scope may add
    /// one more project. Locks the billing account until the transaction ends, so
    /// concurrent creations are counted one after another.
    pub async fn require_project(&self, tx: &mut ScopedConn<'_>) -> Result<(), EntitlementError> {
        let account = self.effective(tx, true).await?;
        entitlements::require_project(tx, &account).await
    }

    /// Fails with [`EntitlementError::Limit`] unless the organization in scope may
    /// store `bytes` more of attachments (confirmed plus pending, against the plan's
    /// `attachment_bytes`). Locks the billing account like
    /// [`Billing::require_project`], so two concurrent uploads cannot both take the
    /// last bytes.
    pub async fn require_storage(
        &self,
        tx: &mut ScopedConn<'_>,
        bytes: u64,
    ) -> Result<(), EntitlementError> {
        let account = self.effective(tx, true).await?;
        entitlements::require_storage(tx, &account, bytes).await
    }

    /// Fails with [`EntitlementError::Limit`] unless the organization in scope has a
    /// seat left for one more member (call it when inviting and when accepting). Locks
    /// the billing account like [`Billing::require_project`].
    pub async fn require_seat(&self, tx: &mut ScopedConn<'_>) -> Result<(), EntitlementError> {
        let account = self.effective(tx, true).await?;
        entitlements::require_seat(tx, &account).await
    }
}
