//! The billing tables. Every function takes a [`ScopedConn`], so row-level security
//! confines it to one organization; the one exception, [`owners`], resolves which
//! organization owns a Stripe id through a `SECURITY DEFINER` function (a webhook
//! arrives with no organization in scope).
//!
//! The tables are defined with the backend's migrations (and its `schema.rs`); this
//! crate's queries use bound SQL, as tenancy does, rather than a second copy.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use tenancy::{DbConn, OrgId, ScopedConn};

use crate::account::{Account, Applied, Status};
use crate::plans::Plan;

#[derive(QueryableByName)]
struct AccountRow {
    #[diesel(sql_type = Text)]
    plan: String,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Nullable<Integer>)]
    seats: Option<i32>,
    #[diesel(sql_type = Nullable<Text>)]
    stripe_customer_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    stripe_subscription_id: Option<String>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    current_period_end: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    past_due_since: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    state_as_of: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "plan, status, seats, stripe_customer_id, stripe_subscription_id, \
                       current_period_end, past_due_since, state_as_of";

impl AccountRow {
    fn into_account(self) -> Account {
        Account {
            // The columns carry CHECK constraints naming exactly these values.
            plan: self.plan.parse().unwrap_or(Plan::Free),
            status: Status::parse(&self.status).unwrap_or(Status::None),
            seats: self.seats.and_then(|s| u32::try_from(s).ok()),
            customer: self.stripe_customer_id,
            subscription: self.stripe_subscription_id,
            current_period_end: self.current_period_end,
            past_due_since: self.past_due_since,
            state_as_of: self.state_as_of,
        }
    }
}

/// The organization's account; an organization that never bought anything has no
/// row and is on the free plan.
pub(crate) async fn read(tx: &mut ScopedConn<'_>) -> QueryResult<Account> {
    let org = tx.scope().org_id();
    let row: Option<AccountRow> = diesel::sql_query(format!(
        "SELECT {COLUMNS} FROM billing_accounts WHERE org_id = $1"
    ))
    .bind::<SqlUuid, _>(org)
    .get_result(tx.conn())
    .await
    .optional()?;
    Ok(row.map(AccountRow::into_account).unwrap_or_default())
}

/// The organization's account, row-locked until the transaction ends (created on
/// first use). Everything that counts against a limit or changes the account takes
/// this lock first, so such transactions of one organization run one at a time.
/// One round trip: the no-op `DO UPDATE` both creates the row and locks it.
pub(crate) async fn lock(tx: &mut ScopedConn<'_>) -> QueryResult<Account> {
    let org = tx.scope().org_id();
    let row: AccountRow = diesel::sql_query(format!(
        "INSERT INTO billing_accounts (org_id) VALUES ($1) \
         ON CONFLICT (org_id) DO UPDATE SET org_id = EXCLUDED.org_id \
         RETURNING {COLUMNS}"
    ))
    .bind::<SqlUuid, _>(org)
    .get_result(tx.conn())
    .await?;
    Ok(row.into_account())
}

/// Stores `account` (locked by [`lock`] in this transaction).
pub(crate) async fn save(tx: &mut ScopedConn<'_>, account: &Account) -> QueryResult<()> {
    let org = tx.scope().org_id();
    diesel::sql_query(
        "UPDATE billing_accounts SET plan = $2, status = $3, seats = $4, \
         stripe_customer_id = $5, stripe_subscription_id = $6, current_period_end = $7, \
         past_due_since = $8, state_as_of = $9, updated_at = now() WHERE org_id = $1",
    )
    .bind::<SqlUuid, _>(org)
    .bind::<Text, _>(account.plan.as_str())
    .bind::<Text, _>(account.status.as_str())
    // Out-of-range quantities fail the column's CHECK rather than wrapping.
    .bind::<Nullable<Integer>, _>(account.seats.map(|s| i32::try_from(s).unwrap_or(i32::MAX)))
    .bind::<Nullable<Text>, _>(account.customer.as_deref())
    .bind::<Nullable<Text>, _>(account.subscription.as_deref())
    .bind::<Nullable<Timestamptz>, _>(account.current_period_end)
    .bind::<Nullable<Timestamptz>, _>(account.past_due_since)
    .bind::<Nullable<Timestamptz>, _>(account.state_as_of)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// The kind of a Stripe id.
#[derive(Debug, Clone, Copy)]
pub(crate) enum StripeIdKind {
    Customer,
    Subscription,
}

/// Attaches a Stripe id to the organization in scope. `false` when another
/// organization already owns it: ids never move.
pub(crate) async fn attach(
    tx: &mut ScopedConn<'_>,
    stripe_id: &str,
    kind: StripeIdKind,
) -> QueryResult<bool> {
    let org = tx.scope().org_id();
    let kind = match kind {
        StripeIdKind::Customer => "customer",
        StripeIdKind::Subscription => "subscription",
    };
    let inserted = diesel::sql_query(
        "INSERT INTO billing_stripe_ids (stripe_id, org_id, kind) VALUES ($1, $2, $3) \
         ON CONFLICT (stripe_id) DO NOTHING",
    )
    .bind::<Text, _>(stripe_id)
    .bind::<SqlUuid, _>(org)
    .bind::<Text, _>(kind)
    .execute(tx.conn())
    .await?;
    if inserted == 1 {
        return Ok(true);
    }
    // Row-level security shows only our own rows: visible means it is ours already.
    let ours: i64 =
        diesel::sql_query("SELECT count(*) AS n FROM billing_stripe_ids WHERE stripe_id = $1")
            .bind::<Text, _>(stripe_id)
            .get_result::<Count>(tx.conn())
            .await?
            .n;
    Ok(ours == 1)
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Records an event id; `false` when it was recorded before (a duplicate delivery).
pub(crate) async fn record_event(
    tx: &mut ScopedConn<'_>,
    id: &str,
    kind: &str,
    created: DateTime<Utc>,
    applied: Applied,
) -> QueryResult<bool> {
    let org = tx.scope().org_id();
    let outcome = match applied {
        Applied::Applied => "applied",
        Applied::Stale => "stale",
    };
    let inserted = diesel::sql_query(
        "INSERT INTO billing_events (event_id, org_id, type, outcome, created) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id) DO NOTHING",
    )
    .bind::<Text, _>(id)
    .bind::<SqlUuid, _>(org)
    .bind::<Text, _>(kind)
    .bind::<Text, _>(outcome)
    .bind::<Timestamptz, _>(created)
    .execute(tx.conn())
    .await?;
    Ok(inserted == 1)
}

/// Appends an audit entry about the billing account: the acting member's, or with no
/// actor for Stripe's webhook (whose system scope names no user).
pub(crate) async fn audit(
    tx: &mut ScopedConn<'_>,
    action: &str,
    before: &Account,
    after: &Account,
) -> QueryResult<()> {
    let scope = tx.scope();
    let org = scope.org_id();
    let actor = Some(scope.user_id().0).filter(|id| !id.is_nil());
    let token = scope.token_id().map(|t| t.0);
    diesel::sql_query(
        "INSERT INTO audit_log (id, org_id, actor_id, token_id, action, entity_type, entity_id, before, after) \
         VALUES ($1, $2, $3, $4, $5, 'org', $2, $6, $7)",
    )
    .bind::<SqlUuid, _>(uuid::Uuid::now_v7())
    .bind::<SqlUuid, _>(org)
    .bind::<Nullable<SqlUuid>, _>(actor)
    .bind::<Nullable<SqlUuid>, _>(token)
    .bind::<Text, _>(action)
    .bind::<Jsonb, _>(serde_json::to_value(before).unwrap_or_default())
    .bind::<Jsonb, _>(serde_json::to_value(after).unwrap_or_default())
    .execute(tx.conn())
    .await?;
    Ok(())
}

#[derive(QueryableByName)]
struct Owners {
    #[diesel(sql_type = Nullable<SqlUuid>)]
    customer_org: Option<uuid::Uuid>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    subscription_org: Option<uuid::Uuid>,
}

/// Which organizations own a customer id and a subscription id (one round trip).
pub(crate) async fn owners(
    conn: &mut DbConn,
    customer: &str,
    subscription: Option<&str>,
) -> QueryResult<(Option<OrgId>, Option<OrgId>)> {
    let row: Owners = diesel::sql_query(
        "SELECT trellis_billing_owner($1) AS customer_org, \
                trellis_billing_owner($2) AS subscription_org",
    )
    .bind::<Text, _>(customer)
    .bind::<Nullable<Text>, _>(subscription)
    .get_result(conn)
    .await?;
    Ok((row.customer_org.map(OrgId), row.subscription_org.map(OrgId)))
}

/// Seats in use: memberships. (Pending invitations join this count when they exist.)
pub(crate) async fn seats_used(tx: &mut ScopedConn<'_>) -> QueryResult<u64> {
    let org = tx.scope().org_id();
    let n = diesel::sql_query("SELECT count(*) AS n FROM memberships WHERE org_id = $1")
        .bind::<SqlUuid, _>(org)
        .get_result::<Count>(tx.conn())
        .await?
        .n;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Bytes of attachments that count against the storage limit: confirmed ones, and
/// pending uploads that may still be confirmed. The attachments table belongs to the
/// backend's migrations; `now()` is the transaction's start, the same instant for the
/// check and the insert it guards.
pub(crate) async fn attachment_bytes_used(tx: &mut ScopedConn<'_>) -> QueryResult<u64> {
    let org = tx.scope().org_id();
    let n = diesel::sql_query(
        "SELECT COALESCE(sum(size_bytes), 0)::bigint AS n FROM attachments \
          WHERE org_id = $1 AND (state = 'confirmed' OR (state = 'pending' AND confirm_by > now()))",
    )
    .bind::<SqlUuid, _>(org)
    .get_result::<Count>(tx.conn())
    .await?
    .n;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Projects that count against the limit: the ones not archived.
pub(crate) async fn projects_used(tx: &mut ScopedConn<'_>) -> QueryResult<u64> {
    let org = tx.scope().org_id();
    let n = diesel::sql_query(
        "SELECT count(*) AS n FROM projects WHERE org_id = $1 AND archived_at IS NULL",
    )
    .bind::<SqlUuid, _>(org)
    .get_result::<Count>(tx.conn())
    .await?
    .n;
    Ok(u64::try_from(n).unwrap_or(0))
}
