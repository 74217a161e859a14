DROP VIEW ticket_views;
CREATE VIEW ticket_views WITH (security_invoker = true) AS
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
GRANT SELECT ON ticket_views TO trellis_app;
ALTER TABLE tickets DROP COLUMN start_date;
ALTER TABLE tickets DROP COLUMN original_estimate;
ALTER TABLE tickets DROP COLUMN story_points;
DROP INDEX tickets_org_parent_idx;
ALTER TABLE tickets DROP CONSTRAINT tickets_parent_not_self;
ALTER TABLE tickets DROP CONSTRAINT tickets_parent_fk;
ALTER TABLE tickets DROP COLUMN parent_id;
