-- `Idempotency-Key` on creating POSTs (issue 13, item 9). A row is claimed by the
-- request's own transaction (INSERT .. ON CONFLICT) before the handler runs and filled
-- with the response before that transaction commits, so a change never commits
-- without its key nor a key without its change. A concurrent request with the same
-- key blocks on the uncommitted row's unique-index entry until the first commits,
-- then finds the stored response and replays it; if the first rolled back, it runs.
CREATE TABLE idempotency_keys (
    org_id        uuid NOT NULL,
    -- The API token, or the signed-in user: keys are per principal.
    principal_id  uuid NOT NULL,
    key           text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    -- SHA-256 of method, path and body.
    request_hash  bytea NOT NULL,
    status        smallint NOT NULL,
    headers       jsonb NOT NULL DEFAULT '{}',
    body          bytea NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    PRIMARY KEY (org_id, principal_id, key)
);
-- Purging the expired rows of an organization.
CREATE INDEX idempotency_keys_expiry_idx ON idempotency_keys (org_id, expires_at);

ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE idempotency_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON idempotency_keys
    USING (org_id = trellis_current_org()) WITH CHECK (org_id = trellis_current_org());
-- DELETE: expired keys are purged (they hold response bodies, not history).
GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_keys TO trellis_app;
