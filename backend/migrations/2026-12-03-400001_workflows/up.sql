-- Custom workflows (issue 12, item 1): statuses are created, renamed, reordered and
-- deleted per project; transitions may be limited to project roles.
--
-- A status name is unique in its workflow regardless of case, since transitions and
-- JQL name statuses case-insensitively.
CREATE UNIQUE INDEX statuses_workflow_name_ci_idx ON statuses (workflow_id, lower(name));

-- The project roles that may take a transition; empty: anyone who may transition
-- tickets in the project. Viewers never transition, so only `lead` and `member`.
ALTER TABLE transitions
    ADD COLUMN allowed_roles text[] NOT NULL DEFAULT '{}'
        CHECK (allowed_roles <@ ARRAY['lead', 'member']::text[]);

-- Deleting a status (its tickets moved first, in the same transaction) and copying a
-- workflow over a project's own. RLS on both tables is unchanged (enabled and forced).
GRANT DELETE ON statuses TO trellis_app;
