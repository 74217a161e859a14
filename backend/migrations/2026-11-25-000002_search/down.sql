DROP TABLE saved_filters;
CREATE OR REPLACE VIEW ticket_views WITH (security_invoker = true) AS
SELECT t.id, t.org_id, t.project_id, p.key AS project_key, t.number,
       p.key || '-' || t.number AS key,
       t.title, t.description, t.type, t.priority,
       t.status_id, s.name AS status_name, s.category AS status_category,
       t.assignee_id, a.login AS assignee_login, a.name AS assignee_name,
       t.reporter_id, r.login AS reporter_login, r.name AS reporter_name,
       t.labels, t.due_date, t.version, t.created_at, t.updated_at, t.resolved_at, t.deleted_at
  FROM tickets t
  JOIN projects p ON p.id = t.project_id
  JOIN statuses s ON s.id = t.status_id
  LEFT JOIN users a ON a.id = t.assignee_id
  JOIN users r ON r.id = t.reporter_id;
DROP INDEX tickets_org_resolved_idx;
DROP INDEX tickets_org_due_idx;
DROP INDEX tickets_org_reporter_idx;
DROP INDEX tickets_org_labels_idx;
DROP INDEX tickets_org_status_priority_idx;
DROP TRIGGER ticket_search_comments ON comments;
DROP FUNCTION trellis_ticket_search_comments();
DROP TRIGGER ticket_search_doc ON tickets;
DROP FUNCTION trellis_ticket_search_doc();
DROP TABLE ticket_search;
DROP FUNCTION trellis_tsquery(text[], text[]);
DROP EXTENSION btree_gin;
