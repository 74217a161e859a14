-- Time tracking (issue 13, item 4): worklogs on tickets, and the ticket's totals as
-- plain columns (`time_spent`, `remaining_estimate`, minutes) so lists and JQL read
-- them without a join or a subquery. Every worklog write first locks the ticket row
-- (`SELECT .. FOR UPDATE`), then changes the worklog and the totals: concurrent
-- worklogs on one ticket queue on that lock and no minute is lost.
ALTER TABLE tickets
    ADD COLUMN time_spent integer NOT NULL DEFAULT 0 CHECK (time_spent >= 0),
    ADD COLUMN remaining_estimate integer CHECK (remaining_estimate >= 0);
-- Jira starts the remaining estimate at the original one.
UPDATE tickets SET remaining_estimate = original_estimate WHERE original_estimate IS NOT NULL;

CREATE TABLE worklogs (
    id          uuid PRIMARY KEY,
    org_id      uuid NOT NULL,
    ticket_id   uuid NOT NULL,
    author_id   uuid NOT NULL REFERENCES users (id),
    -- One worklog is at most a calendar week (10,080 minutes).
    minutes     integer NOT NULL CHECK (minutes BETWEEN 1 AND 10080),
    started_at  timestamptz NOT NULL,
    comment     text NOT NULL DEFAULT '' CHECK (length(comment) <= 10000),
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    -- Soft-deleted like comments: the ticket history keeps naming it.
    deleted_at  timestamptz,
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, ticket_id) REFERENCES tickets (org_id, id)
);
-- A ticket's list, by id (UUIDv7, so creation order).
CREATE INDEX worklogs_org_ticket_idx ON worklogs (org_id, ticket_id, id) WHERE deleted_at IS NULL;
-- JQL `worklogAuthor`: uuid equality only (LEAKPROOF), so usable under the policy.
CREATE INDEX worklogs_org_author_idx ON worklogs (org_id, author_id) INCLUDE (ticket_id)
    WHERE deleted_at IS NULL;
-- JQL `worklogDate`: timestamptz comparisons (LEAKPROOF).
CREATE INDEX worklogs_org_started_idx ON worklogs (org_id, started_at) INCLUDE (ticket_id)
    WHERE deleted_at IS NULL;

ALTER TABLE worklogs ENABLE ROW LEVEL SECURITY;
ALTER TABLE worklogs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON worklogs
    USING (org_id = trellis_current_org()) WITH CHECK (org_id = trellis_current_org());
GRANT SELECT, INSERT, UPDATE ON worklogs TO trellis_app;

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
       t.time_spent, t.remaining_estimate
  FROM tickets t
  LEFT JOIN projects p ON p.id = t.project_id
  LEFT JOIN statuses s ON s.id = t.status_id
  LEFT JOIN users a ON a.id = t.assignee_id
  LEFT JOIN users r ON r.id = t.reporter_id;
