-- Billing: one account row per organization (plan, Stripe status, dunning), every
-- Stripe id ever attached to an organization, and the Stripe events already applied.
-- All three are tenant-owned (org_id, row-level security) like the foundation's tables.

CREATE TABLE billing_accounts (
    org_id                 uuid PRIMARY KEY REFERENCES orgs (id),
    plan                   text NOT NULL DEFAULT 'free' CHECK (plan IN ('free', 'team', 'business')),
    -- Stripe's subscription status, or 'none' before the first subscription.
    status                 text NOT NULL DEFAULT 'none'
                           CHECK (status IN ('none', 'incomplete', 'incomplete_expired', 'trialing',
                                             'active', 'past_due', 'unpaid', 'canceled', 'paused')),
    -- Seats bought (the subscription item's quantity); NULL on the free plan.
    seats                  integer CHECK (seats BETWEEN 1 AND 100000),
    stripe_customer_id     text UNIQUE CHECK (length(stripe_customer_id) <= 255),
    stripe_subscription_id text UNIQUE CHECK (length(stripe_subscription_id) <= 255),
    current_period_end     timestamptz,
    -- When the subscription went past due: the grace period runs from here.
    past_due_since         timestamptz,
    -- `created` of the newest Stripe event applied: an older event never overwrites it.
    state_as_of            timestamptz,
    updated_at             timestamptz NOT NULL DEFAULT now()
);

-- A Stripe customer or subscription id belongs to the first organization it was
-- attached to, forever: the primary key makes a second claim fail, and the
-- application never deletes or updates these rows.
CREATE TABLE billing_stripe_ids (
    stripe_id   text PRIMARY KEY CHECK (length(stripe_id) BETWEEN 1 AND 255),
    org_id      uuid NOT NULL REFERENCES orgs (id),
    kind        text NOT NULL CHECK (kind IN ('customer', 'subscription')),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX billing_stripe_ids_org_idx ON billing_stripe_ids (org_id, kind);

-- Each Stripe event id once: inserted first, in the transaction that applies the
-- event, so a concurrent duplicate waits on the key and then finds it taken.
CREATE TABLE billing_events (
    event_id    text PRIMARY KEY CHECK (length(event_id) BETWEEN 1 AND 255),
    org_id      uuid NOT NULL REFERENCES orgs (id),
    type        text NOT NULL CHECK (length(type) <= 255),
    -- applied, or stale (older than the state it found: recorded, not applied).
    outcome     text NOT NULL CHECK (outcome IN ('applied', 'stale')),
    created     timestamptz NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX billing_events_org_idx ON billing_events (org_id, received_at DESC);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['billing_accounts', 'billing_stripe_ids', 'billing_events']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I
                            USING (org_id = trellis_current_org())
                            WITH CHECK (org_id = trellis_current_org())', t);
    END LOOP;
END
$$;

-- A Stripe webhook names customers and subscriptions, not organizations, and arrives
-- with no organization in scope. This SECURITY DEFINER function answers the one
-- question it needs (which organization owns this Stripe id, if any) and nothing
-- else; the event is then applied in that organization's scoped transaction.
CREATE FUNCTION trellis_billing_owner(p_stripe_id text)
    RETURNS uuid
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public
    AS $$
    BEGIN
        RETURN (SELECT s.org_id
                  FROM billing_stripe_ids s
                  JOIN orgs o ON o.id = s.org_id AND o.deleted_at IS NULL
                 WHERE s.stripe_id = p_stripe_id);
    END
    $$;

REVOKE ALL ON FUNCTION trellis_billing_owner(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION trellis_billing_owner(text) TO trellis_app;

GRANT SELECT, INSERT, UPDATE ON billing_accounts TO trellis_app;
-- Append-only for the application.
GRANT SELECT, INSERT ON billing_stripe_ids, billing_events TO trellis_app;
