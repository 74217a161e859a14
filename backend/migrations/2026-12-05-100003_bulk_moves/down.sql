DROP TABLE ticket_key_aliases;
ALTER TABLE audit_log DROP COLUMN bulk_id;
