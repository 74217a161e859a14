-- Bulk changes and moving tickets between projects (issue 13, items 5 and 6).

-- The bulk request an audit entry belongs to. Its default reads the transaction-local
-- setting a bulk request sets (`app.bulk_id`), so every entry the single-ticket domain
-- code writes inside a bulk transaction carries it without that code knowing.
ALTER TABLE audit_log ADD COLUMN bulk_id uuid
    DEFAULT NULLIF(current_setting('app.bulk_id', true), '')::uuid;

-- Keys a ticket had before it moved to another project: `OLD-7` keeps resolving.
-- A key is never reused (project counters only grow), so one alias names one ticket.
CREATE TABLE ticket_key_aliases (
    org_id      uuid NOT NULL,
    project_id  uuid NOT NULL,
    number      integer NOT NULL,
    ticket_id   uuid NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, project_id, number),
    FOREIGN KEY (org_id, ticket_id) REFERENCES tickets (org_id, id),
    FOREIGN KEY (org_id, project_id) REFERENCES projects (org_id, id)
);
-- A ticket's former keys (its `moved_from` trail), oldest first.
CREATE INDEX ticket_key_aliases_ticket_idx ON ticket_key_aliases (org_id, ticket_id, created_at);

ALTER TABLE ticket_key_aliases ENABLE ROW LEVEL SECURITY;
ALTER TABLE ticket_key_aliases FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ticket_key_aliases
    USING (org_id = trellis_current_org()) WITH CHECK (org_id = trellis_current_org());
GRANT SELECT, INSERT ON ticket_key_aliases TO trellis_app;
