-- Attachments (issue 12, item 7): files on a ticket, stored in S3 (or, in local mode,
-- a directory) under `{prefix}{org_id}/{ticket_id}/{id}`. A row is `pending` from the
-- moment an upload URL is handed out (it then holds its size of the plan's storage)
-- until the object is checked and it is `confirmed`; `deleted` rows stay, like deleted
-- tickets and comments, so the ticket history can still name them, until their object
-- is gone from storage (`object_removed_at`), retried with backoff until it is.

CREATE TABLE attachments (
    id                uuid PRIMARY KEY,
    org_id            uuid NOT NULL,
    ticket_id         uuid NOT NULL,
    uploader_id       uuid NOT NULL REFERENCES users (id),
    file_name         text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
    content_type      text NOT NULL CHECK (length(content_type) BETWEEN 3 AND 127),
    size_bytes        bigint NOT NULL CHECK (size_bytes >= 0),
    object_key        text NOT NULL,
    state             text NOT NULL DEFAULT 'pending'
                      CHECK (state IN ('pending', 'confirmed', 'deleted')),
    -- A pending upload may be confirmed (and holds storage) until then.
    confirm_by        timestamptz NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    confirmed_at      timestamptz,
    deleted_at        timestamptz,
    -- Removal of the object from storage, once deleted.
    object_removed_at timestamptz,
    removal_attempts  integer NOT NULL DEFAULT 0,
    next_removal_at   timestamptz,
    removal_error     text,
    -- The key ends in this row's own org, ticket and id: a row can never point at
    -- another organization's object, whatever the prefix.
    CHECK (object_key LIKE '%' || org_id::text || '/' || ticket_id::text || '/' || id::text),
    CHECK ((state = 'confirmed') = (confirmed_at IS NOT NULL AND deleted_at IS NULL)),
    CHECK ((state = 'deleted') = (deleted_at IS NOT NULL)),
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, ticket_id) REFERENCES tickets (org_id, id)
);
-- A ticket's list (and the history's lookup of its attachments), by id (UUIDv7).
CREATE INDEX attachments_org_ticket_idx ON attachments (org_id, ticket_id, id);
-- The storage an organization uses: confirmed and pending rows only.
CREATE INDEX attachments_org_usage_idx ON attachments (org_id) INCLUDE (size_bytes, state, confirm_by)
    WHERE state IN ('pending', 'confirmed');
-- Objects still to remove, across organizations (the janitor's claim).
CREATE INDEX attachments_removal_due_idx ON attachments (next_removal_at)
    WHERE state = 'deleted' AND object_removed_at IS NULL;

ALTER TABLE attachments ENABLE ROW LEVEL SECURITY;
ALTER TABLE attachments FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON attachments
    USING (org_id = trellis_current_org()) WITH CHECK (org_id = trellis_current_org());

-- Soft-deleted like tickets and comments: no DELETE for the application role.
GRANT SELECT, INSERT, UPDATE ON attachments TO trellis_app;

-- The janitor runs with no organization in scope, where row-level security hides
-- every row. This function (with its owner's rights, like the membership lookups)
-- leases up to `max_rows` deleted attachments whose object is due for removal, in
-- any organization, for `lease_seconds` (so two instances do not take the same
-- rows), and answers only what removal needs. Recording the outcome then happens in
-- that organization's own scoped transaction.
CREATE FUNCTION trellis_attachment_removals_due(max_rows integer, lease_seconds integer)
    RETURNS TABLE (org_id uuid, id uuid, object_key text)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public AS $$
BEGIN
    RETURN QUERY
    UPDATE attachments a
       SET next_removal_at = now() + make_interval(secs => lease_seconds)
     WHERE a.id IN (SELECT d.id FROM attachments d
                     WHERE d.state = 'deleted' AND d.object_removed_at IS NULL
                       AND d.next_removal_at <= now()
                     ORDER BY d.next_removal_at
                     LIMIT least(max_rows, 1000)
                     FOR UPDATE SKIP LOCKED)
    RETURNING a.org_id, a.id, a.object_key;
END
$$;
REVOKE ALL ON FUNCTION trellis_attachment_removals_due(integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION trellis_attachment_removals_due(integer, integer) TO trellis_app;
