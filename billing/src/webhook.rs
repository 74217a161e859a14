//! Applying a verified Stripe event: exactly once, in order, to the organization that
//! owns the event's customer, or not at all.
//!
//! - **Routing.** The customer id decides the organization: billing attaches a
//!   customer to an organization when it creates it (first checkout), and Stripe ids
//!   never move afterwards. Metadata (`org_id`, `client_reference_id`) is only checked
//!   against that owner; an event whose customer, subscription and metadata disagree
//!   is refused whole.
//! - **Exactly once.** Inside the organization's transaction the billing account is
//!   locked first, then the event id is inserted (`ON CONFLICT DO NOTHING`); a
//!   concurrent copy waits on the lock and then finds the id taken.
//! - **Order.** An event older (by Stripe's `created`) than the newest one applied is
//!   recorded as stale and changes nothing.
//! - **All or nothing.** The event id, the account and the audit entry commit
//!   together; any failure rolls all of them back and the caller answers 5xx, so
//!   Stripe retries.

use tenancy::{DbConn, OrgId, SystemActor, system_scope};

use crate::account::Applied;
use crate::event::{Change, Event};
use crate::store::{self, StripeIdKind};

/// What became of a delivery. Every outcome is acknowledged with a 2xx: retrying would
/// not change it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Applied to the organization's account.
    Applied,
    /// Already recorded: a duplicate delivery.
    Duplicate,
    /// Older than the state it found: recorded, not applied.
    Stale,
    /// A type billing does not handle.
    Ignored,
    /// Names a customer no organization owns.
    Unmatched,
    /// Contradicts the recorded owners of its ids (or its metadata does).
    Rejected,
}

impl Outcome {
    /// The metric label.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Applied => "applied",
            Outcome::Duplicate => "duplicate",
            Outcome::Stale => "stale",
            Outcome::Ignored => "ignored",
            Outcome::Unmatched => "unmatched",
            Outcome::Rejected => "rejected",
        }
    }
}

/// Why the transaction ended without committing.
enum Abort {
    Rejected(&'static str),
    Database(diesel::result::Error),
}

impl From<diesel::result::Error> for Abort {
    fn from(e: diesel::result::Error) -> Self {
        Abort::Database(e)
    }
}

/// The organization an event belongs to, or why it belongs to none.
fn route(
    change: &Change,
    customer_org: Option<OrgId>,
    subscription_org: Option<OrgId>,
) -> Result<OrgId, Outcome> {
    let org = match (customer_org, subscription_org) {
        (None, None) => return Err(Outcome::Unmatched),
        (Some(c), Some(s)) if c != s => return Err(Outcome::Rejected),
        // A known subscription under a customer nobody owns: it cannot have moved.
        (None, Some(_)) => return Err(Outcome::Rejected),
        (Some(c), _) => c,
    };
    match change.claimed_org() {
        Some(claimed) if claimed != org.to_string() => Err(Outcome::Rejected),
        _ => Ok(org),
    }
}

pub(crate) async fn handle(conn: &mut DbConn, event: &Event) -> diesel::QueryResult<Outcome> {
    let Some(change) = &event.change else {
        return Ok(Outcome::Ignored);
    };
    let (customer_org, subscription_org) =
        store::owners(conn, change.customer(), change.subscription()).await?;
    let org = match route(change, customer_org, subscription_org) {
        Ok(org) => org,
        Err(outcome) => {
            if outcome == Outcome::Rejected {
                tracing::warn!(event = %event.id, kind = %event.kind, "Stripe event contradicts the recorded owner of its ids; refused");
            }
            return Ok(outcome);
        }
    };
    let scope = system_scope(org, SystemActor::StripeWebhook);
    let result = scope
        .transaction(conn, async |tx| -> Result<Outcome, Abort> {
            let before = store::lock(tx).await?;
            if before.customer.as_deref() != Some(change.customer()) {
                return Err(Abort::Rejected("customer is not the account's"));
            }
            let mut after = before.clone();
            let applied = after.apply(change, event.created);
            if !store::record_event(tx, &event.id, &event.kind, event.created, applied).await? {
                return Ok(Outcome::Duplicate);
            }
            if applied == Applied::Stale {
                return Ok(Outcome::Stale);
            }
            if let Some(sub) = change.subscription()
                && !store::attach(tx, sub, StripeIdKind::Subscription).await?
            {
                return Err(Abort::Rejected(
                    "subscription belongs to another organization",
                ));
            }
            if after != before {
                store::save(tx, &after).await?;
                let action = format!("billing.{}", event.kind);
                store::audit(tx, &action, &before, &after).await?;
            }
            Ok(Outcome::Applied)
        })
        .await;
    match result {
        Ok(outcome) => Ok(outcome),
        Err(Abort::Rejected(why)) => {
            tracing::warn!(event = %event.id, kind = %event.kind, why, "Stripe event refused");
            Ok(Outcome::Rejected)
        }
        Err(Abort::Database(e)) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::Status;

    fn org(n: u128) -> OrgId {
        OrgId(uuid::Uuid::from_u128(n))
    }

    fn change(claimed: Option<OrgId>) -> Change {
        Change::Subscription {
            customer: "cus_1".into(),
            subscription: "sub_1".into(),
            status: Status::Active,
            plan: None,
            seats: None,
            current_period_end: None,
            deleted: false,
            claimed_org: claimed.map(|o| o.to_string()),
        }
    }

    #[test]
    fn the_customer_decides_and_contradictions_are_refused() {
        let (a, b) = (org(1), org(2));
        assert_eq!(route(&change(None), Some(a), None), Ok(a));
        assert_eq!(route(&change(Some(a)), Some(a), Some(a)), Ok(a));
        assert_eq!(route(&change(None), None, None), Err(Outcome::Unmatched));
        // A subscription owned by another organization, or under an unknown customer.
        assert_eq!(
            route(&change(None), Some(a), Some(b)),
            Err(Outcome::Rejected)
        );
        assert_eq!(route(&change(None), None, Some(a)), Err(Outcome::Rejected));
        // Metadata naming another organization than the customer's owner.
        assert_eq!(
            route(&change(Some(b)), Some(a), None),
            Err(Outcome::Rejected)
        );
    }
}
