-- Sprint names are unique per project ignoring case, as JQL (`sprint = "web sprint 1"`)
-- and the web app compare them.
ALTER TABLE sprints DROP CONSTRAINT sprints_org_id_project_id_name_key;
CREATE UNIQUE INDEX sprints_project_name_idx ON sprints (org_id, project_id, lower(name));
