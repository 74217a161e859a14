-- Jira CSV import (issue 13, item 8).

-- The import an audit entry belongs to. Like `bulk_id`, its default reads the
-- transaction-local setting the import sets (`app.import_id`), so the set-based audit
-- insert of an import tags every entry without naming the column.
ALTER TABLE audit_log ADD COLUMN import_id uuid
    DEFAULT NULLIF(current_setting('app.import_id', true), '')::uuid;

-- The key (and Jira's numeric issue id, when the file has one) each imported ticket
-- had in the tracker it came from. The primary key makes a re-run of the same file
-- create nothing new: rows whose key is here are skipped, and two imports racing on
-- one key cannot both insert it. JQL `key = JRA-123` finds the ticket through it.
CREATE TABLE ticket_import_keys (
    org_id      uuid NOT NULL,
    source_key  text NOT NULL,
    ticket_id   uuid NOT NULL,
    source_id   text,
    import_id   uuid NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, source_key),
    FOREIGN KEY (org_id, ticket_id) REFERENCES tickets (org_id, id)
);
CREATE INDEX ticket_import_keys_ticket_idx ON ticket_import_keys (org_id, ticket_id);
-- A parent named by Jira's numeric id in a later import of the same org.
CREATE INDEX ticket_import_keys_source_id_idx ON ticket_import_keys (org_id, source_id)
    WHERE source_id IS NOT NULL;

ALTER TABLE ticket_import_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE ticket_import_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ticket_import_keys
    USING (org_id = trellis_current_org()) WITH CHECK (org_id = trellis_current_org());
GRANT SELECT, INSERT ON ticket_import_keys TO trellis_app;
