DROP VIEW ticket_views;
CREATE VIEW ticket_views WITH (security_invoker = true) AS
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
       t.moved_from
  FROM tickets t
  LEFT JOIN projects p ON p.id = t.project_id
  LEFT JOIN statuses s ON s.id = t.status_id
  LEFT JOIN users a ON a.id = t.assignee_id
  LEFT JOIN users r ON r.id = t.reporter_id;
GRANT SELECT ON ticket_views TO trellis_app;
DROP FUNCTION trellis_custom_text_search(uuid[], text[], text[]);
DROP TRIGGER ticket_custom_values_follow ON tickets;
DROP FUNCTION trellis_custom_values_follow();
ALTER TABLE tickets DROP COLUMN custom_fields;
DROP TABLE ticket_custom_values;
DROP TABLE custom_field_projects;
DROP TABLE custom_field_options;
DROP TABLE custom_fields;
ALTER TABLE orgs DROP COLUMN custom_field_counter;
