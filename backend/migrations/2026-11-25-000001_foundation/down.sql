REVOKE ALL ON ALL TABLES IN SCHEMA public FROM trellis_app;
REVOKE ALL ON SCHEMA public FROM trellis_app;
DROP FUNCTION trellis_user_membership(uuid, text);
DROP FUNCTION trellis_token_membership(bytea, text);
DROP VIEW comment_views;
DROP VIEW ticket_views;
DROP TABLE audit_log;
DROP TABLE api_tokens;
DROP TABLE comments;
DROP TABLE tickets;
DROP TABLE projects;
DROP TABLE transitions;
DROP TABLE statuses;
DROP TABLE workflows;
DROP TABLE memberships;
DROP TABLE orgs;
DROP TABLE users;
DROP FUNCTION trellis_current_org();
-- The trellis_app role is cluster-wide and may serve other databases; it stays.
