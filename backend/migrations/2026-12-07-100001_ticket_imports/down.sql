DROP TABLE ticket_import_keys;
ALTER TABLE audit_log DROP COLUMN import_id;
