REVOKE ALL ON billing_accounts, billing_stripe_ids, billing_events FROM trellis_app;
DROP FUNCTION trellis_billing_owner(text);
DROP TABLE billing_events;
DROP TABLE billing_stripe_ids;
DROP TABLE billing_accounts;
