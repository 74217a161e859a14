DROP TRIGGER ticket_field_history ON tickets;
DROP FUNCTION trellis_record_field_history();
DROP FUNCTION trellis_field_changed(uuid, uuid, text, uuid, smallint, uuid, smallint);
DROP FUNCTION trellis_current_user();
DROP TABLE ticket_field_history;
