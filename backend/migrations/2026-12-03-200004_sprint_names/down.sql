DROP INDEX sprints_project_name_idx;
ALTER TABLE sprints ADD CONSTRAINT sprints_org_id_project_id_name_key UNIQUE (org_id, project_id, name);
