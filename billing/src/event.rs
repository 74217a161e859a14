//! The narrow model of the Stripe events billing handles: only the fields it reads, so
//! Stripe adding fields (or API versions moving them) cannot break parsing of the rest.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::account::Status;
use crate::plans::Plan;

/// Price ids of the paid plans (`STRIPE_PRICE_TEAM`, `STRIPE_PRICE_BUSINESS`).
#[derive(Debug, Clone, Default)]
pub struct Prices {
    pub team: Option<String>,
    pub business: Option<String>,
}

impl Prices {
    /// The price to sell `plan` at.
    pub fn of(&self, plan: Plan) -> Option<&str> {
        match plan {
            Plan::Free => None,
            Plan::Team => self.team.as_deref(),
            Plan::Business => self.business.as_deref(),
        }
    }

    /// The plan a price sells.
    pub fn plan_of(&self, price: &str) -> Option<Plan> {
        [Plan::Team, Plan::Business]
            .into_iter()
            .find(|plan| self.of(*plan) == Some(price))
    }
}

/// A verified event's envelope.
#[derive(Debug, Clone)]
pub struct Event {
    pub id: String,
    pub kind: String,
    pub created: DateTime<Utc>,
    /// What it changes, for the types billing handles; `None` for the others.
    pub change: Option<Change>,
}

/// What an event says happened, reduced to what billing acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    CheckoutCompleted {
        customer: String,
        subscription: Option<String>,
        plan: Option<Plan>,
        seats: Option<u32>,
        /// Paid (or nothing to pay): the subscription is live.
        paid: bool,
        /// The organization the session's `client_reference_id`/metadata name.
        claimed_org: Option<String>,
    },
    Subscription {
        customer: String,
        subscription: String,
        status: Status,
        plan: Option<Plan>,
        seats: Option<u32>,
        current_period_end: Option<DateTime<Utc>>,
        deleted: bool,
        claimed_org: Option<String>,
    },
    InvoicePaid {
        customer: String,
        subscription: Option<String>,
    },
    InvoicePaymentFailed {
        customer: String,
        subscription: Option<String>,
    },
}

impl Change {
    /// The Stripe customer the change is about.
    pub fn customer(&self) -> &str {
        match self {
            Change::CheckoutCompleted { customer, .. }
            | Change::Subscription { customer, .. }
            | Change::InvoicePaid { customer, .. }
            | Change::InvoicePaymentFailed { customer, .. } => customer,
        }
    }

    /// The Stripe subscription the change is about, if any.
    pub fn subscription(&self) -> Option<&str> {
        match self {
            Change::CheckoutCompleted { subscription, .. }
            | Change::InvoicePaid { subscription, .. }
            | Change::InvoicePaymentFailed { subscription, .. } => subscription.as_deref(),
            Change::Subscription { subscription, .. } => Some(subscription),
        }
    }

    /// The organization id the event's metadata names, if any. Never used to route an
    /// event, only to refuse one that contradicts the recorded owner.
    pub fn claimed_org(&self) -> Option<&str> {
        match self {
            Change::CheckoutCompleted { claimed_org, .. }
            | Change::Subscription { claimed_org, .. } => claimed_org.as_deref(),
            _ => None,
        }
    }
}

/// An event body that is not what Stripe sends.
#[derive(Debug, thiserror::Error)]
#[error("malformed Stripe event: {0}")]
pub struct MalformedEvent(String);

#[derive(Deserialize)]
struct Envelope {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    created: i64,
    data: Data,
}

#[derive(Deserialize)]
struct Data {
    object: serde_json::Value,
}

/// An id, or the object it names when expanded.
#[derive(Deserialize)]
#[serde(untagged)]
enum Expandable {
    Id(String),
    Object { id: String },
}

impl Expandable {
    fn id(self) -> String {
        match self {
            Expandable::Id(id) | Expandable::Object { id } => id,
        }
    }
}

#[derive(Deserialize)]
struct CheckoutSession {
    customer: Option<Expandable>,
    subscription: Option<Expandable>,
    client_reference_id: Option<String>,
    #[serde(default)]
    metadata: HashMap<String, String>,
    mode: String,
    payment_status: Option<String>,
}

#[derive(Deserialize)]
struct Subscription {
    id: String,
    customer: Expandable,
    status: String,
    #[serde(default)]
    metadata: HashMap<String, String>,
    items: Items,
    /// Older API versions carry the period here; newer ones on each item.
    current_period_end: Option<i64>,
}

#[derive(Deserialize)]
struct Items {
    data: Vec<Item>,
}

#[derive(Deserialize)]
struct Item {
    price: Price,
    quantity: Option<u32>,
    current_period_end: Option<i64>,
}

#[derive(Deserialize)]
struct Price {
    id: String,
}

#[derive(Deserialize)]
struct Invoice {
    customer: Option<Expandable>,
    /// Older API versions.
    subscription: Option<Expandable>,
    parent: Option<InvoiceParent>,
}

#[derive(Deserialize)]
struct InvoiceParent {
    subscription_details: Option<SubscriptionDetails>,
}

#[derive(Deserialize)]
struct SubscriptionDetails {
    subscription: Option<Expandable>,
}

fn timestamp(seconds: i64) -> Result<DateTime<Utc>, MalformedEvent> {
    DateTime::from_timestamp(seconds, 0)
        .ok_or_else(|| MalformedEvent(format!("timestamp {seconds} out of range")))
}

fn object<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, MalformedEvent> {
    serde_json::from_value(value).map_err(|e| MalformedEvent(e.to_string()))
}

impl Event {
    /// Parses a (verified) event body. Types billing does not handle parse to an event
    /// without a change; handled types must carry the fields billing reads.
    pub fn parse(body: &[u8], prices: &Prices) -> Result<Event, MalformedEvent> {
        let envelope: Envelope =
            serde_json::from_slice(body).map_err(|e| MalformedEvent(e.to_string()))?;
        let created = timestamp(envelope.created)?;
        let change = match envelope.kind.as_str() {
            "checkout.session.completed" => {
                let session: CheckoutSession = object(envelope.data.object)?;
                match (session.mode.as_str(), session.customer) {
                    ("subscription", Some(customer)) => Some(Change::CheckoutCompleted {
                        customer: customer.id(),
                        subscription: session.subscription.map(Expandable::id),
                        plan: session.metadata.get("plan").and_then(|p| p.parse().ok()),
                        seats: session.metadata.get("seats").and_then(|s| s.parse().ok()),
                        paid: matches!(
                            session.payment_status.as_deref(),
                            Some("paid" | "no_payment_required")
                        ),
                        claimed_org: session
                            .metadata
                            .get("org_id")
                            .cloned()
                            .or(session.client_reference_id),
                    }),
                    // Payment-mode sessions, or sessions without a customer, are not ours.
                    _ => None,
                }
            }
            "customer.subscription.created"
            | "customer.subscription.updated"
            | "customer.subscription.deleted" => {
                let sub: Subscription = object(envelope.data.object)?;
                let status = Status::parse(&sub.status)
                    .ok_or_else(|| MalformedEvent(format!("unknown status `{}`", sub.status)))?;
                let item = sub.items.data.first();
                let period_end = item
                    .and_then(|i| i.current_period_end)
                    .or(sub.current_period_end)
                    .map(timestamp)
                    .transpose()?;
                Some(Change::Subscription {
                    customer: sub.customer.id(),
                    subscription: sub.id,
                    status,
                    plan: item
                        .and_then(|i| prices.plan_of(&i.price.id))
                        .or_else(|| sub.metadata.get("plan").and_then(|p| p.parse().ok()))
                        .filter(|p: &Plan| p.is_paid()),
                    seats: item.and_then(|i| i.quantity),
                    current_period_end: period_end,
                    deleted: envelope.kind == "customer.subscription.deleted",
                    claimed_org: sub.metadata.get("org_id").cloned(),
                })
            }
            "invoice.paid" | "invoice.payment_failed" => {
                let invoice: Invoice = object(envelope.data.object)?;
                let Some(customer) = invoice.customer.map(Expandable::id) else {
                    return Err(MalformedEvent("invoice without a customer".into()));
                };
                let subscription = invoice
                    .parent
                    .and_then(|p| p.subscription_details)
                    .and_then(|d| d.subscription)
                    .or(invoice.subscription)
                    .map(Expandable::id);
                Some(if envelope.kind == "invoice.paid" {
                    Change::InvoicePaid {
                        customer,
                        subscription,
                    }
                } else {
                    Change::InvoicePaymentFailed {
                        customer,
                        subscription,
                    }
                })
            }
            _ => None,
        };
        Ok(Event {
            id: envelope.id,
            kind: envelope.kind,
            created,
            change,
        })
    }
}
