-- Links, watchers and @mentions (issue 12, items 4 to 6).

-- A link is stored once, in its outward direction: `source` blocks / duplicates /
-- clones `target`, or relates to it. Both ends show it (the target as "is blocked by").
-- Links join tickets of one organization only (composite keys), never a ticket to itself.
CREATE TABLE ticket_links (
    id          uuid PRIMARY KEY,
    org_id      uuid NOT NULL,
    source_id   uuid NOT NULL,
    target_id   uuid NOT NULL,
    link_type   text NOT NULL CHECK (link_type IN ('blocks', 'relates', 'duplicates', 'clones')),
    created_by  uuid NOT NULL REFERENCES users (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (source_id <> target_id),
    FOREIGN KEY (org_id, source_id) REFERENCES tickets (org_id, id),
    FOREIGN KEY (org_id, target_id) REFERENCES tickets (org_id, id)
);
-- No duplicate link; "relates to" has no direction, so A-B and B-A are the same link.
CREATE UNIQUE INDEX ticket_links_unique_idx ON ticket_links (org_id, source_id, target_id, link_type);
CREATE UNIQUE INDEX ticket_links_relates_idx ON ticket_links
    (org_id, LEAST(source_id, target_id), GREATEST(source_id, target_id)) WHERE link_type = 'relates';
-- Reads from the other end, and `linkedIssues()` from either.
CREATE INDEX ticket_links_target_idx ON ticket_links (org_id, target_id, source_id);

-- Who follows a ticket: its reporter, assignees and commenters automatically, the
-- people mentioned in it, and whoever chose to.
CREATE TABLE ticket_watchers (
    org_id     uuid NOT NULL,
    ticket_id  uuid NOT NULL,
    user_id    uuid NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, ticket_id, user_id),
    FOREIGN KEY (org_id, ticket_id) REFERENCES tickets (org_id, id)
);
-- `watcher = bob`, `watchedIssues()`: the tickets a user watches.
CREATE INDEX ticket_watchers_user_idx ON ticket_watchers (org_id, user_id, ticket_id);

-- Mentions reference their comment with the org (composite key), as everything does.
ALTER TABLE comments ADD CONSTRAINT comments_org_id_id_key UNIQUE (org_id, id);

-- Logins are case-insensitive (as on GitHub): `@Bob`, `DELETE .../watchers/BOB`.
CREATE INDEX users_login_lower_idx ON users (lower(login));

-- An `@login` of a member in a ticket's description (comment_id NULL) or in one of its
-- comments, recorded when the text is written, for notifications.
CREATE TABLE mentions (
    id         uuid PRIMARY KEY,
    org_id     uuid NOT NULL,
    ticket_id  uuid NOT NULL,
    comment_id uuid,
    user_id    uuid NOT NULL REFERENCES users (id),
    author_id  uuid NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (org_id, ticket_id) REFERENCES tickets (org_id, id),
    FOREIGN KEY (org_id, comment_id) REFERENCES comments (org_id, id)
);
CREATE UNIQUE INDEX mentions_unique_idx ON mentions
    (org_id, ticket_id, COALESCE(comment_id, '00000000-0000-0000-0000-000000000000'::uuid), user_id);
CREATE INDEX mentions_user_idx ON mentions (org_id, user_id, created_at);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['ticket_links', 'ticket_watchers', 'mentions']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I
                            USING (org_id = trellis_current_org())
                            WITH CHECK (org_id = trellis_current_org())', t);
    END LOOP;
END
$$;
GRANT SELECT, INSERT, DELETE ON ticket_links, ticket_watchers, mentions TO trellis_app;

-- Existing tickets: their reporters, assignees and commenters watch them.
INSERT INTO ticket_watchers (org_id, ticket_id, user_id)
SELECT org_id, id, reporter_id FROM tickets
UNION SELECT org_id, id, assignee_id FROM tickets WHERE assignee_id IS NOT NULL
UNION SELECT org_id, ticket_id, author_id FROM comments WHERE deleted_at IS NULL
ON CONFLICT DO NOTHING;

-- The read view gains the watcher count (appended); children_done reads resolved_at.
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
       -- resolved_at is set exactly while the status is in the done category, so no
       -- join with statuses (each join or subquery costs every list planning time).
       (SELECT count(*) FROM tickets c
         WHERE c.org_id = t.org_id AND c.parent_id = t.id AND c.deleted_at IS NULL
           AND c.resolved_at IS NOT NULL) AS children_done,
       t.story_points, t.original_estimate, t.start_date,
       (SELECT count(*) FROM ticket_watchers w
         WHERE w.org_id = t.org_id AND w.ticket_id = t.id) AS watchers
  FROM tickets t
  LEFT JOIN projects p ON p.id = t.project_id
  LEFT JOIN statuses s ON s.id = t.status_id
  LEFT JOIN users a ON a.id = t.assignee_id
  LEFT JOIN users r ON r.id = t.reporter_id;
