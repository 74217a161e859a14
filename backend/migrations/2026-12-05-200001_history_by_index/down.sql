DROP INDEX ticket_field_history_by_idx;
DROP INDEX tickets_live_id_idx;
