-- Field history for JQL's `WAS` and `CHANGED` (issue 12, item 8): every value a
-- ticket's status, assignee and priority has held, as an interval
-- [started_at, ended_at), written by a trigger in the same statement as the change,
-- so every write path (single, bulk, workflow moves, sprints) records it.
--
-- The audit trail keeps the same facts as JSON; this table is its indexed, typed
-- projection: `status WAS "In Progress"` is an index range, not a JSON scan. All
-- operators used on it (`=`, `<`, `>`, `IS NULL` on uuid, smallint, text and
-- timestamptz) are LEAKPROOF, so indexes work under the row-level security policy.
CREATE TABLE ticket_field_history (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id      uuid NOT NULL,
    ticket_id   uuid NOT NULL,
    field       text NOT NULL CHECK (field IN ('status', 'assignee', 'priority')),
    -- The value held: a status or user id (`value_id`) or a priority (`value_num`);
    -- both NULL means empty (unassigned).
    value_id    uuid,
    value_num   smallint,
    -- The value before this one (`CHANGED FROM`); NULL for the initial value.
    prev_id     uuid,
    prev_num    smallint,
    -- The value the ticket was created with (not a change).
    initial     boolean NOT NULL,
    started_at  timestamptz NOT NULL,
    -- 'infinity' while current, so "held after X" is the plain range `ended_at > X`.
    ended_at    timestamptz NOT NULL DEFAULT 'infinity',
    -- Who set the value (NULL: a system change or unknown).
    changed_by  uuid,
    CHECK (value_id IS NULL OR value_num IS NULL),
    CHECK (ended_at >= started_at),
    FOREIGN KEY (org_id, ticket_id) REFERENCES tickets (org_id, id)
);
-- `WAS value [BY] [AFTER|BEFORE|DURING|ON]`: equality on the value, then the range on
-- when the interval ended; the rest is read from the index.
CREATE INDEX ticket_field_history_value_idx ON ticket_field_history
    (org_id, field, value_id, value_num, ended_at)
    INCLUDE (started_at, changed_by, ticket_id);
-- `CHANGED [FROM] [TO] [BY] [AFTER|BEFORE|DURING|ON]`: changes by time.
CREATE INDEX ticket_field_history_change_idx ON ticket_field_history
    (org_id, field, started_at)
    INCLUDE (ticket_id, value_id, value_num, prev_id, prev_num, changed_by)
    WHERE NOT initial;
-- One ticket's intervals: per-row tests on a page and the trigger closing the current one.
CREATE INDEX ticket_field_history_ticket_idx ON ticket_field_history
    (org_id, ticket_id, field, ended_at);

ALTER TABLE ticket_field_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE ticket_field_history FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ticket_field_history
    USING (org_id = trellis_current_org())
    WITH CHECK (org_id = trellis_current_org());
-- UPDATE only to close an interval (the trigger runs as the writing role).
GRANT SELECT, INSERT, UPDATE ON ticket_field_history TO trellis_app;

-- The acting user of a scoped transaction (set with app.org_id), or NULL.
CREATE FUNCTION trellis_current_user() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT NULLIF(NULLIF(current_setting('app.user_id', true), ''),
                        '00000000-0000-0000-0000-000000000000')::uuid $$;

-- Closes a field's current interval and opens the next one.
CREATE FUNCTION trellis_field_changed(
    org uuid, ticket uuid, name text,
    old_id uuid, old_num smallint, new_id uuid, new_num smallint
) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    UPDATE ticket_field_history SET ended_at = now()
     WHERE org_id = org AND ticket_id = ticket AND field = name AND ended_at = 'infinity';
    INSERT INTO ticket_field_history
        (org_id, ticket_id, field, value_id, value_num, prev_id, prev_num, initial,
         started_at, changed_by)
    VALUES (org, ticket, name, new_id, new_num, old_id, old_num, false, now(),
            trellis_current_user());
END
$$;

CREATE FUNCTION trellis_record_field_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO ticket_field_history
            (org_id, ticket_id, field, value_id, value_num, initial, started_at, changed_by)
        VALUES (NEW.org_id, NEW.id, 'status', NEW.status_id, NULL, true, NEW.created_at, NEW.reporter_id),
               (NEW.org_id, NEW.id, 'assignee', NEW.assignee_id, NULL, true, NEW.created_at, NEW.reporter_id),
               (NEW.org_id, NEW.id, 'priority', NULL, NEW.priority, true, NEW.created_at, NEW.reporter_id);
        RETURN NULL;
    END IF;
    IF NEW.status_id IS DISTINCT FROM OLD.status_id THEN
        PERFORM trellis_field_changed(NEW.org_id, NEW.id, 'status',
                                      OLD.status_id, NULL, NEW.status_id, NULL);
    END IF;
    IF NEW.assignee_id IS DISTINCT FROM OLD.assignee_id THEN
        PERFORM trellis_field_changed(NEW.org_id, NEW.id, 'assignee',
                                      OLD.assignee_id, NULL, NEW.assignee_id, NULL);
    END IF;
    IF NEW.priority IS DISTINCT FROM OLD.priority THEN
        PERFORM trellis_field_changed(NEW.org_id, NEW.id, 'priority',
                                      NULL, OLD.priority, NULL, NEW.priority);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER ticket_field_history AFTER INSERT OR UPDATE OF status_id, assignee_id, priority
    ON tickets FOR EACH ROW EXECUTE FUNCTION trellis_record_field_history();

-- Tickets that exist already start with their current values (the audit trail keeps
-- what came before).
INSERT INTO ticket_field_history
    (org_id, ticket_id, field, value_id, value_num, initial, started_at, changed_by)
SELECT t.org_id, t.id, f.field, f.value_id, f.value_num, true, t.created_at, t.reporter_id
  FROM tickets t
 CROSS JOIN LATERAL (VALUES ('status', t.status_id, NULL::smallint),
                            ('assignee', t.assignee_id, NULL),
                            ('priority', NULL, t.priority)) AS f (field, value_id, value_num);
