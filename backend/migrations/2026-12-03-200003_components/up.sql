-- Components (issue 12, item 2): named parts of a project (with an optional lead); a
-- ticket may be in several.
CREATE TABLE components (
    id          uuid PRIMARY KEY,
    org_id      uuid NOT NULL,
    project_id  uuid NOT NULL,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
    lead_id     uuid REFERENCES users (id),
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, project_id) REFERENCES projects (org_id, id)
);
-- Names are unique per project, ignoring case (`component = backend` finds "Backend").
CREATE UNIQUE INDEX components_project_name_idx ON components (org_id, project_id, lower(name));

CREATE TABLE ticket_components (
    org_id       uuid NOT NULL,
    ticket_id    uuid NOT NULL,
    component_id uuid NOT NULL,
    PRIMARY KEY (org_id, ticket_id, component_id),
    FOREIGN KEY (org_id, ticket_id) REFERENCES tickets (org_id, id),
    FOREIGN KEY (org_id, component_id) REFERENCES components (org_id, id) ON DELETE CASCADE
);
-- `component = Backend`: the tickets of a component.
CREATE INDEX ticket_components_component_idx ON ticket_components (org_id, component_id, ticket_id);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['components', 'ticket_components']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I
                            USING (org_id = trellis_current_org())
                            WITH CHECK (org_id = trellis_current_org())', t);
    END LOOP;
END
$$;
GRANT SELECT, INSERT, UPDATE, DELETE ON components TO trellis_app;
GRANT SELECT, INSERT, DELETE ON ticket_components TO trellis_app;

-- The read view gains the ticket's component names (appended), in name order.
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
              ORDER BY lower(c.name)) AS components
  FROM tickets t
  LEFT JOIN projects p ON p.id = t.project_id
  LEFT JOIN statuses s ON s.id = t.status_id
  LEFT JOIN users a ON a.id = t.assignee_id
  LEFT JOIN users r ON r.id = t.reporter_id;
