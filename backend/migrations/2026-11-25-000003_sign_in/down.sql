REVOKE ALL ON refresh_tokens, invitations, login_links, oauth_states, project_members FROM trellis_app;
DROP FUNCTION trellis_user_orgs(uuid);
DROP FUNCTION trellis_invitation_by_token(bytea);
DROP FUNCTION trellis_open_invitations(text, text[]);

DROP FUNCTION trellis_token_membership(bytea, text);
CREATE FUNCTION trellis_token_membership(p_token_hash bytea, p_org_slug text)
    RETURNS TABLE (org_id uuid, user_id uuid, token_id uuid, role text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public
    AS $$
    BEGIN
        RETURN QUERY
        SELECT m.org_id, t.user_id, t.id, m.role
          FROM api_tokens t
          JOIN users u ON u.id = t.user_id AND u.deleted_at IS NULL
          LEFT JOIN (memberships m JOIN orgs o ON o.id = m.org_id AND o.deleted_at IS NULL)
                 ON m.org_id = t.org_id AND m.user_id = t.user_id AND o.slug = p_org_slug
         WHERE t.token_hash = p_token_hash
           AND t.revoked_at IS NULL
           AND (t.expires_at IS NULL OR t.expires_at > now());
    END
    $$;
REVOKE ALL ON FUNCTION trellis_token_membership(bytea, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION trellis_token_membership(bytea, text) TO trellis_app;

DROP FUNCTION trellis_user_membership(uuid, text);
CREATE FUNCTION trellis_user_membership(p_user_id uuid, p_org_slug text)
    RETURNS TABLE (org_id uuid, user_id uuid, role text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public
    AS $$
    BEGIN
        RETURN QUERY
        SELECT o.id, m.user_id, m.role
          FROM orgs o
          JOIN memberships m ON m.org_id = o.id
          JOIN users u ON u.id = m.user_id AND u.deleted_at IS NULL
         WHERE o.slug = p_org_slug
           AND o.deleted_at IS NULL
           AND m.user_id = p_user_id;
    END
    $$;
REVOKE ALL ON FUNCTION trellis_user_membership(uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION trellis_user_membership(uuid, text) TO trellis_app;
DROP FUNCTION trellis_project_access(uuid, uuid, text);

DROP TABLE project_members;
ALTER TABLE projects DROP COLUMN private;

ALTER TABLE api_tokens DROP COLUMN permissions;
DROP TABLE invitations;
DROP TABLE login_links;
DROP TABLE oauth_states;
DROP TABLE refresh_tokens;
ALTER TABLE users DROP COLUMN updated_at, DROP COLUMN verified_emails, DROP COLUMN github_token;
