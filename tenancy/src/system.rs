//! Scopes for system actors: work the application does on an organization's behalf
//! when no member asks for it (a Stripe webhook names a customer, not a member).

use crate::{OrgId, OrgScope, Role, UserId};

/// A non-human actor. Each one is named here, so every way of reaching tenant data
/// without a membership can be found by reading this enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SystemActor {
    /// Stripe's webhook, applying billing events to the organization that owns the
    /// customer (resolved through the `trellis_billing_owner` function).
    StripeWebhook,
    /// The attachment janitor, recording that a deleted attachment's object is gone
    /// from storage (due removals are found through `trellis_attachment_removals_due`).
    AttachmentJanitor,
}

/// A scope on `org` for `actor`. Its role is the least the actor needs (`billing` for
/// the webhook, `viewer` for the janitor) and its user id is the nil UUID, which matches no user: anything that
/// would record it as an acting user fails its foreign key instead of blaming someone.
///
/// The caller must have established that `actor` may act on `org`: the webhook does so
/// by a verified Stripe signature and the recorded owner of the Stripe ids it names.
pub fn system_scope(org: OrgId, actor: SystemActor) -> OrgScope {
    match actor {
        SystemActor::StripeWebhook => {
            OrgScope::new(org, UserId(uuid::Uuid::nil()), Role::Billing, None)
        }
        // It holds no permission it uses: it writes bookkeeping columns only.
        SystemActor::AttachmentJanitor => {
            OrgScope::new(org, UserId(uuid::Uuid::nil()), Role::Viewer, None)
        }
    }
}
