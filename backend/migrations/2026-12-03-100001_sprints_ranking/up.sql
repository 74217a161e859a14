-- Planning (issue 13, items 1 and 2): sprints per project, the sprint a ticket is
-- planned in, the history of sprint scope, and a per-project total order of tickets.

CREATE TABLE sprints (
    id           uuid PRIMARY KEY,
    org_id       uuid NOT NULL,
    project_id   uuid NOT NULL,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    goal         text NOT NULL DEFAULT '' CHECK (length(goal) <= 2000),
    state        text NOT NULL DEFAULT 'future' CHECK (state IN ('future', 'active', 'closed')),
    start_date   date,
    end_date     date,
    started_at   timestamptz,
    completed_at timestamptz,
    version      integer NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CHECK (end_date IS NULL OR start_date IS NULL OR end_date >= start_date),
    UNIQUE (org_id, id),
    UNIQUE (org_id, project_id, name),
    FOREIGN KEY (org_id, project_id) REFERENCES projects (org_id, id)
);
-- At most one active sprint per project, also when two starts race: the second
-- insert of the index entry waits for the first transaction and then fails.
CREATE UNIQUE INDEX sprints_one_active_idx ON sprints (org_id, project_id) WHERE state = 'active';
CREATE INDEX sprints_org_project_idx ON sprints (org_id, project_id, id);

-- The open (future or active) sprint a ticket is planned in: one column, so a ticket
-- is in at most one open sprint. Completing a sprint clears it (or moves it on).
ALTER TABLE tickets ADD COLUMN sprint_id uuid;
ALTER TABLE tickets ADD CONSTRAINT tickets_sprint_fkey
    FOREIGN KEY (org_id, sprint_id) REFERENCES sprints (org_id, id);
CREATE INDEX tickets_org_sprint_idx ON tickets (org_id, sprint_id) WHERE sprint_id IS NOT NULL;

-- The closed sprints a ticket was in when they were completed (Jira's Sprint field
-- keeps them): `sprint = "Sprint 3"` and `sprint IN closedSprints()` read this.
CREATE TABLE ticket_sprints (
    org_id    uuid NOT NULL,
    ticket_id uuid NOT NULL,
    sprint_id uuid NOT NULL,
    PRIMARY KEY (org_id, ticket_id, sprint_id),
    FOREIGN KEY (org_id, ticket_id) REFERENCES tickets (org_id, id),
    FOREIGN KEY (org_id, sprint_id) REFERENCES sprints (org_id, id)
);
CREATE INDEX ticket_sprints_org_sprint_idx ON ticket_sprints (org_id, sprint_id, ticket_id);

-- Every change of a sprint's scope, for burndown and velocity (the reports issue).
CREATE TABLE sprint_scope_changes (
    id        uuid PRIMARY KEY,
    org_id    uuid NOT NULL,
    sprint_id uuid NOT NULL,
    ticket_id uuid NOT NULL,
    change    text NOT NULL CHECK (change IN ('added', 'removed')),
    at        timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (org_id, sprint_id) REFERENCES sprints (org_id, id),
    FOREIGN KEY (org_id, ticket_id) REFERENCES tickets (org_id, id)
);
CREATE INDEX sprint_scope_changes_org_sprint_idx ON sprint_scope_changes (org_id, sprint_id, at, id);

-- Rank: base-36 digits read as a fraction (`0`-`9`, `a`-`z`; byte order, hence
-- COLLATE "C"; never a trailing `0`, so string order is numeric order). A move writes
-- only the moved ticket: a key between its new neighbours'. Unique per project.
ALTER TABLE tickets ADD COLUMN rank text COLLATE "C"
    CHECK (rank ~ '^[0-9a-z]*[1-9a-z]$' AND length(rank) <= 255);

-- The n-th slot of the evenly spaced keys: six digits, n * 36^2 + 18 (ends in `i`).
CREATE FUNCTION trellis_rank_slot(n bigint) RETURNS text
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, public AS $$
DECLARE
    digits constant text := '0123456789abcdefghijklmnopqrstuvwxyz';
    v bigint := n * 1296 + 18;
    out text := '';
BEGIN
    FOR i IN 1..6 LOOP
        out := substr(digits, (v % 36)::int + 1, 1) || out;
        v := v / 36;
    END LOOP;
    RETURN out;
END
$$;

-- The key after `prev` for a new last ticket: the next slot after `prev`'s first six
-- digits, so appending keeps keys six characters long; past the last slot, `prev`
-- extended (the rebalance shortens keys again).
CREATE FUNCTION trellis_rank_after(prev text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, public AS $$
DECLARE
    digits constant text := '0123456789abcdefghijklmnopqrstuvwxyz';
    head text := rpad(substr(COALESCE(prev, ''), 1, 6), 6, '0');
    n bigint := 0;
BEGIN
    FOR i IN 1..6 LOOP
        n := n * 36 + (strpos(digits, substr(head, i, 1)) - 1);
    END LOOP;
    IF n / 1296 + 1 >= 1679616 THEN
        RETURN prev || 'i';
    END IF;
    RETURN trellis_rank_slot(n / 1296 + 1);
END
$$;

-- A new ticket goes last in its project. Its creator holds the project row (the
-- ticket counter's UPDATE), and a rank move takes the same lock, so the last key
-- read here is still the last one when the row is inserted.
CREATE FUNCTION trellis_ticket_rank() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.rank IS NULL THEN
        NEW.rank := trellis_rank_after((SELECT max(t.rank) FROM tickets t
                                         WHERE t.org_id = NEW.org_id AND t.project_id = NEW.project_id));
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER ticket_rank BEFORE INSERT ON tickets
    FOR EACH ROW EXECUTE FUNCTION trellis_ticket_rank();

-- Existing tickets: ranked by creation, per project.
UPDATE tickets t SET rank = trellis_rank_slot(r.n)
  FROM (SELECT id, row_number() OVER (PARTITION BY org_id, project_id ORDER BY created_at, id) AS n
          FROM tickets) r
 WHERE r.id = t.id;
ALTER TABLE tickets ALTER COLUMN rank SET NOT NULL;
CREATE UNIQUE INDEX tickets_org_project_rank_idx ON tickets (org_id, project_id, rank);

-- The read view gains the sprint and the rank (appended: CREATE OR REPLACE keeps the
-- existing columns in place).
CREATE OR REPLACE VIEW ticket_views WITH (security_invoker = true) AS
SELECT t.id, t.org_id, t.project_id, p.key AS project_key, t.number,
       p.key || '-' || t.number AS key,
       t.title, t.description, t.type, t.priority,
       t.status_id, s.name AS status_name, s.category AS status_category,
       t.assignee_id, a.login AS assignee_login, a.name AS assignee_name,
       t.reporter_id, r.login AS reporter_login, r.name AS reporter_name,
       t.labels, t.due_date, t.version, t.created_at, t.updated_at, t.resolved_at, t.deleted_at,
       t.sprint_id, sp.name AS sprint_name, t.rank
  FROM tickets t
  LEFT JOIN projects p ON p.id = t.project_id
  LEFT JOIN statuses s ON s.id = t.status_id
  LEFT JOIN users a ON a.id = t.assignee_id
  LEFT JOIN users r ON r.id = t.reporter_id
  LEFT JOIN sprints sp ON sp.id = t.sprint_id;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['sprints', 'ticket_sprints', 'sprint_scope_changes']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I
                            USING (org_id = trellis_current_org())
                            WITH CHECK (org_id = trellis_current_org())', t);
    END LOOP;
END
$$;

-- Future sprints can be deleted (with their scope history); closed-sprint history
-- and scope changes are otherwise append-only.
GRANT SELECT, INSERT, UPDATE, DELETE ON sprints TO trellis_app;
GRANT SELECT, INSERT, DELETE ON ticket_sprints, sprint_scope_changes TO trellis_app;
GRANT EXECUTE ON FUNCTION trellis_rank_slot(bigint), trellis_rank_after(text) TO trellis_app;
