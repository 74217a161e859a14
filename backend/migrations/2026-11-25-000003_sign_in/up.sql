-- Sign-in: GitHub identities, cookie sessions (rotating refresh tokens), one-time
-- OAuth states and local login links, invitations, scoped API tokens, project roles
-- and private projects.
--
-- Sessions, OAuth states and login links belong to a user or to nobody yet, not to a
-- tenant, so they carry no org_id and no row-level security; invitations, API
-- tokens and project members are tenant rows like the rest.

-- The GitHub access token, Fernet-encrypted by the application (never plaintext), and
-- the addresses GitHub reported as verified (invitations by email match these).
ALTER TABLE users
    ADD COLUMN github_token    text,
    ADD COLUMN verified_emails text[] NOT NULL DEFAULT '{}' CHECK (cardinality(verified_emails) <= 50),
    ADD COLUMN updated_at      timestamptz NOT NULL DEFAULT now();

-- Refresh tokens rotate on every use. A family is one sign-in; presenting a token that
-- was already rotated means it was stolen (or replayed), and revokes the whole family.
CREATE TABLE refresh_tokens (
    id          uuid PRIMARY KEY,
    family_id   uuid NOT NULL,
    user_id     uuid NOT NULL REFERENCES users (id),
    -- SHA-256 of the token; the token itself lives only in the browser's cookie.
    token_hash  bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    rotated_at  timestamptz,
    revoked_at  timestamptz
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);

-- One row per started GitHub sign-in; the callback deletes it, so a state works once.
CREATE TABLE oauth_states (
    state_hash    bytea PRIMARY KEY CHECK (length(state_hash) = 32),
    pkce_verifier text NOT NULL CHECK (length(pkce_verifier) BETWEEN 43 AND 128),
    redirect_to   text NOT NULL CHECK (length(redirect_to) <= 2000),
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL
);

-- Local mode's one-time login links (the route does not exist in production).
CREATE TABLE login_links (
    token_hash  bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    user_id     uuid NOT NULL REFERENCES users (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);

CREATE TABLE invitations (
    id           uuid PRIMARY KEY,
    org_id       uuid NOT NULL REFERENCES orgs (id),
    -- Exactly one of the two says who is invited.
    github_login text CHECK (length(github_login) BETWEEN 1 AND 39),
    email        text CHECK (length(email) BETWEEN 3 AND 320),
    role         text NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer', 'billing')),
    -- SHA-256 of the secret in the invitation link.
    token_hash   bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    invited_by   uuid NOT NULL REFERENCES users (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    accepted_at  timestamptz,
    accepted_by  uuid REFERENCES users (id),
    declined_at  timestamptz,
    revoked_at   timestamptz,
    CHECK ((github_login IS NULL) <> (email IS NULL))
);
CREATE INDEX invitations_org_idx ON invitations (org_id, created_at DESC);
-- One open invitation per invitee and organization.
CREATE UNIQUE INDEX invitations_open_login_idx ON invitations (org_id, lower(github_login))
    WHERE accepted_at IS NULL AND declined_at IS NULL AND revoked_at IS NULL AND github_login IS NOT NULL;
CREATE UNIQUE INDEX invitations_open_email_idx ON invitations (org_id, lower(email))
    WHERE accepted_at IS NULL AND declined_at IS NULL AND revoked_at IS NULL AND email IS NOT NULL;
CREATE INDEX invitations_login_idx ON invitations (lower(github_login))
    WHERE accepted_at IS NULL AND declined_at IS NULL AND revoked_at IS NULL;
CREATE INDEX invitations_email_idx ON invitations (lower(email))
    WHERE accepted_at IS NULL AND declined_at IS NULL AND revoked_at IS NULL;

-- A token may be narrowed to some of its user's permissions (NULL: all of the role's).
-- What it can do is always the intersection with the user's current role.
ALTER TABLE api_tokens
    ADD COLUMN permissions text[] CHECK (cardinality(permissions) BETWEEN 1 AND 50);

-- Private projects are visible only to their members and the org's owners and admins.
ALTER TABLE projects ADD COLUMN private boolean NOT NULL DEFAULT false;

-- Project roles: `lead` manages the project and its members, `member` works in it,
-- `viewer` only reads it (whatever their organization role would allow).
CREATE TABLE project_members (
    org_id      uuid NOT NULL,
    project_id  uuid NOT NULL,
    user_id     uuid NOT NULL,
    role        text NOT NULL CHECK (role IN ('lead', 'member', 'viewer')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, project_id, user_id),
    FOREIGN KEY (org_id, project_id) REFERENCES projects (org_id, id),
    -- Leaving the organization leaves its projects.
    FOREIGN KEY (org_id, user_id) REFERENCES memberships (org_id, user_id) ON DELETE CASCADE
);
CREATE INDEX project_members_user_idx ON project_members (org_id, user_id);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['invitations', 'project_members']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I
                            USING (org_id = trellis_current_org())
                            WITH CHECK (org_id = trellis_current_org())', t);
    END LOOP;
END
$$;

-- A member's project access, answered with their membership so it costs no extra
-- round trip: the private projects hidden from them (none for owners and admins), and
-- the projects where they are lead or viewer.
CREATE FUNCTION trellis_project_access(p_org_id uuid, p_user_id uuid, p_role text,
                                       OUT hidden uuid[], OUT lead uuid[], OUT viewer uuid[])
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, public
    AS $$
    SELECT
        CASE WHEN p_role IN ('owner', 'admin') THEN '{}'::uuid[] ELSE ARRAY(
            SELECT p.id FROM projects p
             WHERE p.org_id = p_org_id AND p.private
               AND NOT EXISTS (SELECT 1 FROM project_members pm
                                WHERE pm.org_id = p_org_id AND pm.project_id = p.id
                                  AND pm.user_id = p_user_id)) END,
        ARRAY(SELECT pm.project_id FROM project_members pm
               WHERE pm.org_id = p_org_id AND pm.user_id = p_user_id AND pm.role = 'lead'),
        ARRAY(SELECT pm.project_id FROM project_members pm
               WHERE pm.org_id = p_org_id AND pm.user_id = p_user_id AND pm.role = 'viewer')
    $$;
REVOKE ALL ON FUNCTION trellis_project_access(uuid, uuid, text) FROM PUBLIC;

DROP FUNCTION trellis_user_membership(uuid, text);
CREATE FUNCTION trellis_user_membership(p_user_id uuid, p_org_slug text)
    RETURNS TABLE (org_id uuid, user_id uuid, role text,
                   hidden_projects uuid[], lead_projects uuid[], viewer_projects uuid[])
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public
    AS $$
    BEGIN
        RETURN QUERY
        SELECT o.id, m.user_id, m.role, a.hidden, a.lead, a.viewer
          FROM orgs o
          JOIN memberships m ON m.org_id = o.id
          JOIN users u ON u.id = m.user_id AND u.deleted_at IS NULL
          CROSS JOIN LATERAL trellis_project_access(o.id, m.user_id, m.role) a
         WHERE o.slug = p_org_slug
           AND o.deleted_at IS NULL
           AND m.user_id = p_user_id;
    END
    $$;

-- The token lookup now also answers the token's permission subset and the project
-- access, and stamps last_used_at (at most once a minute, so a busy token costs no
-- write per request).
DROP FUNCTION trellis_token_membership(bytea, text);
CREATE FUNCTION trellis_token_membership(p_token_hash bytea, p_org_slug text)
    RETURNS TABLE (org_id uuid, user_id uuid, token_id uuid, role text, permissions text[],
                   hidden_projects uuid[], lead_projects uuid[], viewer_projects uuid[])
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, public
    AS $$
    BEGIN
        UPDATE api_tokens t SET last_used_at = now()
         WHERE t.token_hash = p_token_hash
           AND t.revoked_at IS NULL
           AND (t.expires_at IS NULL OR t.expires_at > now())
           AND (t.last_used_at IS NULL OR t.last_used_at < now() - interval '1 minute');
        RETURN QUERY
        SELECT m.org_id, t.user_id, t.id, m.role, t.permissions, a.hidden, a.lead, a.viewer
          FROM api_tokens t
          JOIN users u ON u.id = t.user_id AND u.deleted_at IS NULL
          LEFT JOIN (memberships m JOIN orgs o ON o.id = m.org_id AND o.deleted_at IS NULL)
                 ON m.org_id = t.org_id AND m.user_id = t.user_id AND o.slug = p_org_slug
          LEFT JOIN LATERAL trellis_project_access(m.org_id, m.user_id, m.role) a ON m.org_id IS NOT NULL
         WHERE t.token_hash = p_token_hash
           AND t.revoked_at IS NULL
           AND (t.expires_at IS NULL OR t.expires_at > now());
    END
    $$;

-- Open invitations addressed to a GitHub login or one of a user's verified addresses,
-- across organizations (the invitee is not a member of any of them yet).
CREATE FUNCTION trellis_open_invitations(p_login text, p_emails text[])
    RETURNS TABLE (id uuid, org_id uuid, org_slug text, org_name text, role text,
                   invited_by_login text, expires_at timestamptz)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public
    AS $$
    BEGIN
        RETURN QUERY
        SELECT i.id, o.id, o.slug, o.name, i.role, u.login, i.expires_at
          FROM invitations i
          JOIN orgs o ON o.id = i.org_id AND o.deleted_at IS NULL
          JOIN users u ON u.id = i.invited_by
         WHERE i.accepted_at IS NULL AND i.declined_at IS NULL AND i.revoked_at IS NULL
           AND i.expires_at > now()
           AND (lower(i.github_login) = lower(p_login)
                OR lower(i.email) = ANY (SELECT lower(e) FROM unnest(p_emails) e))
         ORDER BY i.created_at;
    END
    $$;

-- One invitation by the secret in its link, whatever its state (the caller explains
-- why an expired or revoked one cannot be accepted).
CREATE FUNCTION trellis_invitation_by_token(p_token_hash bytea)
    RETURNS TABLE (id uuid, org_id uuid, org_slug text, org_name text, role text,
                   github_login text, email text, expires_at timestamptz, closed boolean)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public
    AS $$
    BEGIN
        RETURN QUERY
        SELECT i.id, o.id, o.slug, o.name, i.role, i.github_login, i.email, i.expires_at,
               (i.accepted_at IS NOT NULL OR i.declined_at IS NOT NULL OR i.revoked_at IS NOT NULL)
          FROM invitations i
          JOIN orgs o ON o.id = i.org_id AND o.deleted_at IS NULL
         WHERE i.token_hash = p_token_hash;
    END
    $$;

-- The organizations a user belongs to, for /auth/me.
CREATE FUNCTION trellis_user_orgs(p_user_id uuid)
    RETURNS TABLE (org_id uuid, slug text, name text, role text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public
    AS $$
    BEGIN
        RETURN QUERY
        SELECT o.id, o.slug, o.name, m.role
          FROM memberships m
          JOIN orgs o ON o.id = m.org_id AND o.deleted_at IS NULL
         WHERE m.user_id = p_user_id
         ORDER BY o.slug;
    END
    $$;

REVOKE ALL ON FUNCTION trellis_token_membership(bytea, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION trellis_user_membership(uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION trellis_user_membership(uuid, text) TO trellis_app;
REVOKE ALL ON FUNCTION trellis_open_invitations(text, text[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION trellis_invitation_by_token(bytea) FROM PUBLIC;
REVOKE ALL ON FUNCTION trellis_user_orgs(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION trellis_token_membership(bytea, text) TO trellis_app;
GRANT EXECUTE ON FUNCTION trellis_open_invitations(text, text[]) TO trellis_app;
GRANT EXECUTE ON FUNCTION trellis_invitation_by_token(bytea) TO trellis_app;
GRANT EXECUTE ON FUNCTION trellis_user_orgs(uuid) TO trellis_app;

GRANT SELECT, INSERT, UPDATE ON refresh_tokens, invitations, login_links TO trellis_app;
GRANT SELECT, INSERT, DELETE ON oauth_states TO trellis_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON project_members TO trellis_app;
