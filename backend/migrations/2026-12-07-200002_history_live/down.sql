CREATE OR REPLACE FUNCTION trellis_custom_values_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE ticket_custom_values
       SET project_id = NEW.project_id, live = NEW.deleted_at IS NULL
     WHERE org_id = NEW.org_id AND ticket_id = NEW.id;
    RETURN NULL;
END
$$;
DROP TRIGGER ticket_field_history ON tickets;
DROP FUNCTION trellis_record_field_history();
DROP FUNCTION trellis_field_changed(uuid, uuid, uuid, text, uuid, smallint, uuid, smallint);
CREATE FUNCTION trellis_field_changed(
    org uuid, ticket uuid, name text,
    old_id uuid, old_num smallint, new_id uuid, new_num smallint
) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    UPDATE ticket_field_history SET ended_at = now()
     WHERE org_id = org AND ticket_id = ticket AND field = name AND ended_at = 'infinity';
    INSERT INTO ticket_field_history
        (org_id, ticket_id, field, value_id, value_num, prev_id, prev_num, initial,
         started_at, changed_by)
    VALUES (org, ticket, name, new_id, new_num, old_id, old_num, false, now(),
            trellis_current_user());
END
$$;
CREATE FUNCTION trellis_record_field_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO ticket_field_history
            (org_id, ticket_id, field, value_id, value_num, initial, started_at, changed_by)
        VALUES (NEW.org_id, NEW.id, 'status', NEW.status_id, NULL, true, NEW.created_at, NEW.reporter_id),
               (NEW.org_id, NEW.id, 'assignee', NEW.assignee_id, NULL, true, NEW.created_at, NEW.reporter_id),
               (NEW.org_id, NEW.id, 'priority', NULL, NEW.priority, true, NEW.created_at, NEW.reporter_id);
        RETURN NULL;
    END IF;
    IF NEW.status_id IS DISTINCT FROM OLD.status_id THEN
        PERFORM trellis_field_changed(NEW.org_id, NEW.id, 'status',
                                      OLD.status_id, NULL, NEW.status_id, NULL);
    END IF;
    IF NEW.assignee_id IS DISTINCT FROM OLD.assignee_id THEN
        PERFORM trellis_field_changed(NEW.org_id, NEW.id, 'assignee',
                                      OLD.assignee_id, NULL, NEW.assignee_id, NULL);
    END IF;
    IF NEW.priority IS DISTINCT FROM OLD.priority THEN
        PERFORM trellis_field_changed(NEW.org_id, NEW.id, 'priority',
                                      NULL, OLD.priority, NULL, NEW.priority);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER ticket_field_history AFTER INSERT OR UPDATE OF status_id, assignee_id, priority
    ON tickets FOR EACH ROW EXECUTE FUNCTION trellis_record_field_history();
DROP INDEX ticket_field_history_value_idx;
CREATE INDEX ticket_field_history_value_idx ON ticket_field_history
    (org_id, field, value_id, value_num, ended_at)
    INCLUDE (started_at, changed_by, ticket_id);
DROP INDEX ticket_field_history_change_idx;
CREATE INDEX ticket_field_history_change_idx ON ticket_field_history
    (org_id, field, started_at)
    INCLUDE (ticket_id, value_id, value_num, prev_id, prev_num, changed_by)
    WHERE NOT initial;
DROP INDEX ticket_field_history_by_idx;
CREATE INDEX ticket_field_history_by_idx ON ticket_field_history
    (org_id, field, changed_by, value_id, value_num, ended_at)
    INCLUDE (started_at, ticket_id);
ALTER TABLE ticket_field_history DROP COLUMN project_id, DROP COLUMN live;
