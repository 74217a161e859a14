-- Bulk-loads :tickets tickets into project BENCH of org `bench` (scripts/bench).
-- Runs as the superuser; values are spread the way a real tracker's are: most tickets
-- done, a few assignees, a handful of labels, two years of creation dates.
\set ON_ERROR_STOP on
BEGIN;
CREATE TEMP TABLE ctx AS
SELECT p.org_id, p.id AS project_id, p.workflow_id, o.slug,
       (SELECT id FROM users WHERE login = 'bench-owner') AS owner_id
  FROM projects p JOIN orgs o ON o.id = p.org_id
 WHERE o.slug = 'bench' AND p.key = 'BENCH';

CREATE TEMP TABLE st AS
SELECT s.id, s.position FROM statuses s JOIN ctx ON s.workflow_id = ctx.workflow_id;

INSERT INTO tickets (id, org_id, project_id, number, title, description, type, priority,
                     status_id, assignee_id, reporter_id, labels, created_at, updated_at, resolved_at)
SELECT gen_random_uuid(), ctx.org_id, ctx.project_id, n,
       'Ticket ' || n || ' about the ' || (ARRAY['login page','search','billing','board','export'])[1 + n % 5],
       'Generated for the benchmark.',
       (ARRAY['epic','story','task','bug','subtask'])[1 + n % 5],
       1 + (n * 7) % 5,
       (SELECT id FROM st WHERE position = CASE WHEN n % 10 < 6 THEN 2 WHEN n % 10 < 8 THEN 1 ELSE 0 END),
       CASE WHEN n % 3 = 0 THEN NULL ELSE ctx.owner_id END,
       ctx.owner_id,
       CASE WHEN n % 4 = 0 THEN ARRAY['backend'] WHEN n % 4 = 1 THEN ARRAY['frontend','ux'] ELSE '{}' END,
       now() - make_interval(secs => (:tickets - n) * (63072000.0 / :tickets)),
       now() - make_interval(secs => (:tickets - n) * (63072000.0 / :tickets)),
       CASE WHEN n % 10 < 6 THEN now() ELSE NULL END
  FROM ctx, generate_series(1, :tickets) AS n;

UPDATE projects SET ticket_counter = :tickets WHERE id = (SELECT project_id FROM ctx);
COMMIT;
ANALYZE;
