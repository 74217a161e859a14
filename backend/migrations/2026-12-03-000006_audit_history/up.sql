-- A ticket's history (its entries and its comments' entries) and the audit log's
-- filters by entity and by actor, newest first: each an index that leads with org_id
-- and ends with the keyset (id, UUIDv7, so time order).
CREATE INDEX audit_log_entity_idx ON audit_log (org_id, entity_type, entity_id, id DESC);
CREATE INDEX audit_log_actor_idx ON audit_log (org_id, actor_id, id DESC);
