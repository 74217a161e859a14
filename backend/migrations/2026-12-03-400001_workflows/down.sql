REVOKE DELETE ON statuses FROM trellis_app;
ALTER TABLE transitions DROP COLUMN allowed_roles;
DROP INDEX statuses_workflow_name_ci_idx;
