-- Custom fields (issue 13, item 3): an organization's own fields, with their options
-- and the projects they are enabled in, and every ticket's values.
--
-- A ticket's values live twice, written together by `custom_fields::queries`:
-- - `tickets.custom_fields` (jsonb, by field id) is what reads show: a plain column,
--   so reading a ticket or a list costs no join and no subquery;
-- - `ticket_custom_values` (one row per value, typed columns) is what search uses.
--   Row-level security lets an index use only LEAKPROOF operators, so every search
--   test here is a btree equality or range on uuid, float8 or date (all LEAKPROOF), never
--   a jsonb operator. Each row also carries the ticket's project and whether the ticket
--   is live (kept by the trigger below), so a query that is one custom-field test is
--   counted from this table's index alone, with no probe of `tickets` per match.

ALTER TABLE orgs ADD COLUMN custom_field_counter integer NOT NULL DEFAULT 10000;

CREATE TABLE custom_fields (
    id           uuid PRIMARY KEY,
    org_id       uuid NOT NULL REFERENCES orgs (id),
    -- The `10001` of JQL's `cf[10001]` (and Jira's `customfield_10001`); never reused.
    number       integer NOT NULL CHECK (number > 10000),
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    description  text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
    kind         text NOT NULL CHECK (kind IN ('text', 'number', 'date', 'select', 'multi_select', 'user')),
    required     boolean NOT NULL DEFAULT false,
    -- Enabled in every project, or only in those of `custom_field_projects`.
    all_projects boolean NOT NULL DEFAULT true,
    version      integer NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id),
    UNIQUE (org_id, number)
);
CREATE UNIQUE INDEX custom_fields_name_idx ON custom_fields (org_id, lower(name));

CREATE TABLE custom_field_options (
    id        uuid PRIMARY KEY,
    org_id    uuid NOT NULL,
    field_id  uuid NOT NULL,
    value     text NOT NULL CHECK (length(value) BETWEEN 1 AND 255),
    position  integer NOT NULL,
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, field_id) REFERENCES custom_fields (org_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX custom_field_options_value_idx
    ON custom_field_options (org_id, field_id, lower(value));

CREATE TABLE custom_field_projects (
    org_id     uuid NOT NULL,
    field_id   uuid NOT NULL,
    project_id uuid NOT NULL,
    PRIMARY KEY (org_id, field_id, project_id),
    FOREIGN KEY (org_id, field_id) REFERENCES custom_fields (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, project_id) REFERENCES projects (org_id, id)
);

CREATE TABLE ticket_custom_values (
    org_id     uuid NOT NULL,
    ticket_id  uuid NOT NULL,
    field_id   uuid NOT NULL,
    -- The ticket's, copied (see the trigger).
    project_id uuid NOT NULL,
    live       boolean NOT NULL DEFAULT true,
    -- Exactly one value column is set, the one of the field's kind.
    option_id  uuid,
    value_text text,
    value_num  double precision,
    value_date date,
    value_user uuid REFERENCES users (id),
    CHECK (num_nonnulls(option_id, value_text, value_num, value_date, value_user) = 1),
    FOREIGN KEY (org_id, ticket_id) REFERENCES tickets (org_id, id),
    FOREIGN KEY (org_id, field_id) REFERENCES custom_fields (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, option_id) REFERENCES custom_field_options (org_id, id) ON DELETE CASCADE
);
-- A ticket's values of a field (one row, or one per option of a multi-select).
CREATE UNIQUE INDEX ticket_custom_values_ticket_idx
    ON ticket_custom_values (org_id, ticket_id, field_id, option_id) NULLS NOT DISTINCT;
-- Search: the tickets holding an option, a number, a date or a user, each answering
-- the count from the index (`live`, `project_id`) and the ticket ids for the page.
CREATE INDEX ticket_custom_values_option_idx ON ticket_custom_values (org_id, field_id, option_id)
    INCLUDE (live, project_id, ticket_id) WHERE option_id IS NOT NULL;
CREATE INDEX ticket_custom_values_num_idx ON ticket_custom_values (org_id, field_id, value_num)
    INCLUDE (live, project_id, ticket_id) WHERE value_num IS NOT NULL;
CREATE INDEX ticket_custom_values_date_idx ON ticket_custom_values (org_id, field_id, value_date)
    INCLUDE (live, project_id, ticket_id) WHERE value_date IS NOT NULL;
CREATE INDEX ticket_custom_values_user_idx ON ticket_custom_values (org_id, field_id, value_user)
    INCLUDE (live, project_id, ticket_id) WHERE value_user IS NOT NULL;
-- Text: `~` goes through trellis_custom_text_search below (`@@` is not LEAKPROOF).
CREATE INDEX ticket_custom_values_text_idx ON ticket_custom_values
    USING gin (to_tsvector('english', value_text)) WHERE value_text IS NOT NULL;

ALTER TABLE tickets ADD COLUMN custom_fields jsonb NOT NULL DEFAULT '{}';

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['custom_fields', 'custom_field_options', 'custom_field_projects',
                             'ticket_custom_values']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I
                            USING (org_id = trellis_current_org())
                            WITH CHECK (org_id = trellis_current_org())', t);
    END LOOP;
END
$$;
GRANT SELECT, INSERT, UPDATE, DELETE ON custom_fields, custom_field_options,
    custom_field_projects, ticket_custom_values TO trellis_app;

-- The value rows follow their ticket's project and life (delete, restore, move), in the
-- writing transaction, so a search sees them at once.
CREATE FUNCTION trellis_custom_values_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE ticket_custom_values
       SET project_id = NEW.project_id, live = NEW.deleted_at IS NULL
     WHERE org_id = NEW.org_id AND ticket_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER ticket_custom_values_follow AFTER UPDATE OF deleted_at, project_id ON tickets
    FOR EACH ROW
    WHEN (OLD.deleted_at IS DISTINCT FROM NEW.deleted_at OR OLD.project_id IS DISTINCT FROM NEW.project_id)
    EXECUTE FUNCTION trellis_custom_values_follow();

-- `cf[N] ~ words` of the current org (`fields`: the field's id, as JQL resolved it), as trellis_text_search does for the ticket's own
-- text (SECURITY DEFINER so the GIN index applies; the org of the transaction only;
-- nothing outside a scoped transaction; ticket ids only).
CREATE FUNCTION trellis_custom_text_search(fields uuid[], terms text[], kinds text[])
    RETURNS TABLE (ticket_id uuid)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public AS $$
DECLARE
    org uuid := trellis_current_org();
    q tsquery := trellis_tsquery(terms, kinds);
BEGIN
    IF org IS NULL OR q IS NULL THEN
        RETURN;
    END IF;
    RETURN QUERY SELECT v.ticket_id FROM ticket_custom_values v
     WHERE to_tsvector('english', v.value_text) @@ q
       AND v.value_text IS NOT NULL AND v.org_id = org AND v.field_id = ANY(fields) AND v.live;
END
$$;
REVOKE ALL ON FUNCTION trellis_custom_text_search(uuid[], text[], text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION trellis_custom_text_search(uuid[], text[], text[]) TO trellis_app;

-- New plain columns go at the end of the view (CREATE OR REPLACE may only append).
CREATE OR REPLACE VIEW ticket_views WITH (security_invoker = true) AS
SELECT t.id, t.org_id, t.project_id, p.key AS project_key, t.number,
       p.key || '-' || t.number AS key,
       t.title, t.description, t.type, t.priority,
       t.status_id, s.name AS status_name, s.category AS status_category,
       t.assignee_id, a.login AS assignee_login, a.name AS assignee_name,
       t.reporter_id, r.login AS reporter_login, r.name AS reporter_name,
       t.labels, t.due_date, t.version, t.created_at, t.updated_at, t.resolved_at, t.deleted_at,
       t.sprint_id,
       (SELECT sp.name FROM sprints sp WHERE sp.org_id = t.org_id AND sp.id = t.sprint_id) AS sprint_name,
       t.rank,
       t.parent_id,
       (SELECT pp.key || '-' || pt.number
          FROM tickets pt JOIN projects pp ON pp.id = pt.project_id
         WHERE pt.org_id = t.org_id AND pt.id = t.parent_id AND pt.deleted_at IS NULL) AS parent_key,
       (SELECT count(*) FROM tickets c
         WHERE c.org_id = t.org_id AND c.parent_id = t.id AND c.deleted_at IS NULL) AS children_total,
       (SELECT count(*) FROM tickets c
         WHERE c.org_id = t.org_id AND c.parent_id = t.id AND c.deleted_at IS NULL
           AND c.resolved_at IS NOT NULL) AS children_done,
       t.story_points, t.original_estimate, t.start_date,
       (SELECT count(*) FROM ticket_watchers w
         WHERE w.org_id = t.org_id AND w.ticket_id = t.id) AS watchers,
       ARRAY(SELECT c.name FROM ticket_components tc JOIN components c ON c.id = tc.component_id
              WHERE tc.org_id = t.org_id AND tc.ticket_id = t.id
              ORDER BY lower(c.name)) AS components,
       t.time_spent, t.remaining_estimate,
       t.moved_from,
       t.custom_fields
  FROM tickets t
  LEFT JOIN projects p ON p.id = t.project_id
  LEFT JOIN statuses s ON s.id = t.status_id
  LEFT JOIN users a ON a.id = t.assignee_id
  LEFT JOIN users r ON r.id = t.reporter_id;
