-- Work items (issue 12): a ticket's parent and its estimates, and the read view with
-- them. The view also reads the sprint's name through a scalar subquery instead of a
-- join: every extra join costs each list ~0.5 ms of planning (docs/PERFORMANCE.md).

-- Hierarchy: the parent is in the same organization (composite key), never the
-- ticket itself. The type rules (epic > story/task/bug > sub-task) are the
-- application's, checked with the rows involved locked in id order.
ALTER TABLE tickets ADD COLUMN parent_id uuid;
ALTER TABLE tickets ADD CONSTRAINT tickets_parent_fk
    FOREIGN KEY (org_id, parent_id) REFERENCES tickets (org_id, id);
ALTER TABLE tickets ADD CONSTRAINT tickets_parent_not_self CHECK (parent_id <> id);
-- Children of a ticket (counts, `parent = X` in JQL), leading with org_id.
CREATE INDEX tickets_org_parent_idx ON tickets (org_id, parent_id) WHERE parent_id IS NOT NULL;

-- Estimates (issue 12): story points (halves allowed, as teams use them), an original
-- estimate in minutes and a start date; all optional.
ALTER TABLE tickets ADD COLUMN story_points double precision
    CHECK (story_points >= 0 AND story_points <= 1000);
ALTER TABLE tickets ADD COLUMN original_estimate integer
    CHECK (original_estimate >= 0 AND original_estimate <= 1000000);
ALTER TABLE tickets ADD COLUMN start_date date;

-- Scalar subqueries cost nothing unless a query selects them (the planner drops unused
-- view columns); the joins stay for the columns lists filter on.
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
       (SELECT count(*) FROM tickets c JOIN statuses cs ON cs.id = c.status_id
         WHERE c.org_id = t.org_id AND c.parent_id = t.id AND c.deleted_at IS NULL
           AND cs.category = 'done') AS children_done,
       t.story_points, t.original_estimate, t.start_date
  FROM tickets t
  LEFT JOIN projects p ON p.id = t.project_id
  LEFT JOIN statuses s ON s.id = t.status_id
  LEFT JOIN users a ON a.id = t.assignee_id
  LEFT JOIN users r ON r.id = t.reporter_id;
