-- Moving tickets between projects (issue 13, item 6). `ticket_key_aliases` (migration
-- 2026-12-05-100003) resolves a former key to its ticket; this column is the trail the
-- ticket shows (`moved_from`, oldest first), kept on the row itself so reading a
-- ticket or a list costs no join and no subquery. Keys are text as they were: project
-- keys never change, and a trail is history.
ALTER TABLE tickets ADD COLUMN moved_from text[] NOT NULL DEFAULT '{}';

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
       t.moved_from
  FROM tickets t
  LEFT JOIN projects p ON p.id = t.project_id
  LEFT JOIN statuses s ON s.id = t.status_id
  LEFT JOIN users a ON a.id = t.assignee_id
  LEFT JOIN users r ON r.id = t.reporter_id;
