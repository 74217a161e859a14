//! An organization's billing account and the state transitions Stripe's events drive.
//! Pure: no database, no clock; `store` loads and saves, `webhook` orders and routes.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::event::Change;
use crate::plans::Plan;

/// Stripe's subscription status, or `None` before the first subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = SubscriptionStatus)]
pub enum Status {
    None,
    Incomplete,
    IncompleteExpired,
    Trialing,
    Active,
    PastDue,
    Unpaid,
    Canceled,
    Paused,
}

impl Status {
    const ALL: [Status; 9] = [
        Status::None,
        Status::Incomplete,
        Status::IncompleteExpired,
        Status::Trialing,
        Status::Active,
        Status::PastDue,
        Status::Unpaid,
        Status::Canceled,
        Status::Paused,
    ];

    /// The name stored in the database (Stripe's spelling).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::None => "none",
            Status::Incomplete => "incomplete",
            Status::IncompleteExpired => "incomplete_expired",
            Status::Trialing => "trialing",
            Status::Active => "active",
            Status::PastDue => "past_due",
            Status::Unpaid => "unpaid",
            Status::Canceled => "canceled",
            Status::Paused => "paused",
        }
    }

    /// Parses Stripe's spelling.
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Whether the paid plan's entitlements hold in this status.
    fn grants_plan(self) -> bool {
        matches!(
            self,
            Status::Trialing | Status::Active | Status::PastDue | Status::Unpaid
        )
    }

    fn is_delinquent(self) -> bool {
        matches!(self, Status::PastDue | Status::Unpaid)
    }
}

/// One organization's billing account as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    pub plan: Plan,
    pub status: Status,
    pub seats: Option<u32>,
    pub customer: Option<String>,
    pub subscription: Option<String>,
    pub current_period_end: Option<DateTime<Utc>>,
    pub past_due_since: Option<DateTime<Utc>>,
    /// `created` of the newest event applied.
    pub state_as_of: Option<DateTime<Utc>>,
}

impl Default for Account {
    fn default() -> Self {
        Account {
            plan: Plan::Free,
            status: Status::None,
            seats: None,
            customer: None,
            subscription: None,
            current_period_end: None,
            past_due_since: None,
            state_as_of: None,
        }
    }
}

/// What became of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// The account now reflects it.
    Applied,
    /// Older than the state it found: recorded, not applied.
    Stale,
}

impl Account {
    /// The plan whose entitlements hold now: a paid plan only while its subscription
    /// is live (dunning included); `free` otherwise.
    pub fn effective_plan(&self) -> Plan {
        if self.status.grants_plan() {
            self.plan
        } else {
            Plan::Free
        }
    }

    /// When the grace period of a past-due subscription ends.
    pub fn grace_ends_at(&self, grace: Duration) -> Option<DateTime<Utc>> {
        if self.status.is_delinquent() {
            self.past_due_since.map(|since| since + grace)
        } else {
            None
        }
    }

    /// Whether the organization is read-only: past due for longer than the grace.
    pub fn read_only(&self, now: DateTime<Utc>, grace: Duration) -> bool {
        self.grace_ends_at(grace).is_some_and(|end| now >= end)
    }

    /// Applies a change that an event created at `created` describes. An event older
    /// than the newest one applied changes nothing: Stripe's `created` is the order of
    /// the state changes it reports (ties apply, in arrival order).
    pub fn apply(&mut self, change: &Change, created: DateTime<Utc>) -> Applied {
        if self.state_as_of.is_some_and(|as_of| created < as_of) {
            return Applied::Stale;
        }
        self.state_as_of = Some(created);
        match change {
            Change::CheckoutCompleted {
                subscription,
                plan,
                seats,
                paid,
                ..
            } => {
                if let Some(sub) = subscription {
                    self.subscription = Some(sub.clone());
                }
                if let (true, Some(plan)) = (*paid, plan)
                    && !self.status.grants_plan()
                {
                    self.plan = *plan;
                    self.seats = *seats;
                    self.status = Status::Active;
                    self.past_due_since = None;
                }
            }
            Change::Subscription {
                subscription,
                status,
                plan,
                seats,
                current_period_end,
                deleted,
                ..
            } => {
                let ended =
                    *deleted || matches!(status, Status::Canceled | Status::IncompleteExpired);
                let current = self.subscription.as_deref() == Some(subscription.as_str());
                if ended {
                    // The end of a subscription that is no longer the current one (a
                    // replaced one) changes nothing.
                    if current || self.subscription.is_none() {
                        self.plan = Plan::Free;
                        self.status = Status::Canceled;
                        self.seats = None;
                        self.current_period_end = None;
                        self.past_due_since = None;
                    }
                    return Applied::Applied;
                }
                self.subscription = Some(subscription.clone());
                if let Some(plan) = plan {
                    self.plan = *plan;
                }
                self.seats = seats.or(self.seats);
                self.current_period_end = current_period_end.or(self.current_period_end);
                self.past_due_since = if status.is_delinquent() {
                    self.past_due_since
                        .filter(|_| self.status.is_delinquent())
                        .or(Some(created))
                } else {
                    None
                };
                self.status = *status;
            }
            Change::InvoicePaid { subscription, .. } => {
                if self.concerns(subscription.as_deref())
                    && matches!(
                        self.status,
                        Status::PastDue | Status::Unpaid | Status::Incomplete
                    )
                {
                    self.status = Status::Active;
                    self.past_due_since = None;
                }
            }
            Change::InvoicePaymentFailed { subscription, .. } => {
                if self.concerns(subscription.as_deref())
                    && matches!(self.status, Status::Active | Status::Trialing)
                {
                    self.status = Status::PastDue;
                    self.past_due_since = Some(created);
                }
            }
        }
        Applied::Applied
    }

    /// Whether an invoice of `subscription` is about this account's subscription.
    fn concerns(&self, subscription: Option<&str>) -> bool {
        match (subscription, self.subscription.as_deref()) {
            (Some(sub), Some(current)) => sub == current,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + seconds, 0).unwrap_or_default()
    }

    fn checkout() -> Change {
        Change::CheckoutCompleted {
            customer: "cus_1".into(),
            subscription: Some("sub_1".into()),
            plan: Some(Plan::Team),
            seats: Some(10),
            paid: true,
            claimed_org: None,
        }
    }

    fn subscription(status: Status) -> Change {
        Change::Subscription {
            customer: "cus_1".into(),
            subscription: "sub_1".into(),
            status,
            plan: Some(Plan::Team),
            seats: Some(10),
            current_period_end: Some(t(30 * 86_400)),
            deleted: false,
            claimed_org: None,
        }
    }

    fn invoice_paid() -> Change {
        Change::InvoicePaid {
            customer: "cus_1".into(),
            subscription: Some("sub_1".into()),
        }
    }

    #[test]
    fn checkout_activates_the_plan_bought() {
        let mut account = Account::default();
        assert_eq!(account.apply(&checkout(), t(0)), Applied::Applied);
        assert_eq!(account.effective_plan(), Plan::Team);
        assert_eq!(account.status, Status::Active);
        assert_eq!(account.seats, Some(10));
        assert_eq!(account.subscription.as_deref(), Some("sub_1"));
    }

    #[test]
    fn past_due_turns_read_only_after_the_grace_and_a_payment_restores_it() {
        let grace = Duration::days(7);
        let mut account = Account::default();
        account.apply(&checkout(), t(0));
        account.apply(&subscription(Status::PastDue), t(10));
        assert_eq!(account.past_due_since, Some(t(10)));
        assert!(!account.read_only(t(10) + Duration::days(6), grace));
        assert!(account.read_only(t(10) + Duration::days(7), grace));
        // A second past-due notice does not restart the grace period.
        account.apply(&subscription(Status::PastDue), t(20));
        assert_eq!(account.past_due_since, Some(t(10)));
        assert_eq!(account.effective_plan(), Plan::Team);
        account.apply(&invoice_paid(), t(30));
        assert_eq!(account.status, Status::Active);
        assert!(!account.read_only(t(10) + Duration::days(8), grace));
    }

    #[test]
    fn an_older_event_never_overwrites_newer_state() {
        let mut account = Account::default();
        account.apply(&checkout(), t(0));
        account.apply(&subscription(Status::PastDue), t(20));
        let before = account.clone();
        assert_eq!(
            account.apply(&subscription(Status::Active), t(10)),
            Applied::Stale
        );
        assert_eq!(account, before);
    }

    #[test]
    fn deletion_falls_back_to_free_and_ignores_replaced_subscriptions() {
        let mut account = Account::default();
        account.apply(&checkout(), t(0));
        let old_deleted = Change::Subscription {
            customer: "cus_1".into(),
            subscription: "sub_0".into(),
            status: Status::Canceled,
            plan: None,
            seats: None,
            current_period_end: None,
            deleted: true,
            claimed_org: None,
        };
        account.apply(&old_deleted, t(5));
        assert_eq!(account.effective_plan(), Plan::Team);
        let mut deleted = subscription(Status::Canceled);
        if let Change::Subscription { deleted: d, .. } = &mut deleted {
            *d = true;
        }
        account.apply(&deleted, t(10));
        assert_eq!(account.effective_plan(), Plan::Free);
        assert_eq!(account.status, Status::Canceled);
        assert!(!account.read_only(t(10) + Duration::days(100), Duration::days(7)));
    }

    #[test]
    fn failed_invoice_starts_dunning_and_paid_invoice_ends_it() {
        let mut account = Account::default();
        account.apply(&checkout(), t(0));
        account.apply(
            &Change::InvoicePaymentFailed {
                customer: "cus_1".into(),
                subscription: Some("sub_1".into()),
            },
            t(5),
        );
        assert_eq!(account.status, Status::PastDue);
        assert_eq!(
            account.grace_ends_at(Duration::days(7)),
            Some(t(5) + Duration::days(7))
        );
        account.apply(&invoice_paid(), t(6));
        assert_eq!(account.status, Status::Active);
        assert_eq!(account.past_due_since, None);
    }

    #[test]
    fn status_names_round_trip() {
        for status in Status::ALL {
            assert_eq!(Status::parse(status.as_str()), Some(status));
        }
        assert_eq!(Status::parse("bogus"), None);
    }
}
