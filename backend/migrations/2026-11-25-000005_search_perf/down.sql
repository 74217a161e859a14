DROP INDEX tickets_org_created_idx;
CREATE INDEX tickets_org_created_idx ON tickets (org_id, created_at DESC, id DESC) WHERE deleted_at IS NULL;
DROP INDEX tickets_org_status_due_idx;
DROP INDEX tickets_org_due_idx;
CREATE INDEX tickets_org_due_idx ON tickets (org_id, due_date) WHERE deleted_at IS NULL;
DROP INDEX tickets_org_assignee_idx;
CREATE INDEX tickets_org_assignee_idx ON tickets (org_id, assignee_id, created_at DESC) WHERE deleted_at IS NULL;
DROP INDEX tickets_org_priority_updated_idx;
DROP INDEX tickets_org_project_type_updated_idx;
DROP INDEX tickets_org_project_status_idx;
CREATE INDEX tickets_org_labels_idx ON tickets USING gin (org_id, labels) WHERE deleted_at IS NULL;

DROP FUNCTION trellis_text_search(text, text[], text[]);

CREATE INDEX ticket_search_text_idx ON ticket_search USING gin (org_id, (doc_tsv || comment_tsv));

-- Deleted tickets get their vectors back (migration 2 kept them).
UPDATE ticket_search s
   SET doc_tsv = setweight(to_tsvector('english', t.title), 'A')
                 || setweight(to_tsvector('english', t.description), 'B'),
       comment_tsv = COALESCE((SELECT to_tsvector('english', string_agg(c.body, ' '))
                                 FROM comments c
                                WHERE c.ticket_id = t.id AND c.deleted_at IS NULL), ''::tsvector)
  FROM tickets t
 WHERE t.id = s.ticket_id AND t.deleted_at IS NOT NULL;

CREATE OR REPLACE FUNCTION trellis_ticket_search_comments() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    target uuid := COALESCE(NEW.ticket_id, OLD.ticket_id);
BEGIN
    UPDATE ticket_search s
       SET comment_tsv = COALESCE((
               SELECT to_tsvector('english', string_agg(c.body, ' '))
                 FROM comments c
                WHERE c.ticket_id = target AND c.deleted_at IS NULL), ''::tsvector)
     WHERE s.ticket_id = target;
    RETURN NULL;
END
$$;

DROP TRIGGER ticket_search_doc ON tickets;
CREATE TRIGGER ticket_search_doc
    AFTER INSERT OR UPDATE OF title, description ON tickets
    FOR EACH ROW EXECUTE FUNCTION trellis_ticket_search_doc();

CREATE OR REPLACE FUNCTION trellis_ticket_search_doc() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ticket_search (ticket_id, org_id, doc_tsv)
    VALUES (NEW.id, NEW.org_id,
            setweight(to_tsvector('english', NEW.title), 'A')
            || setweight(to_tsvector('english', NEW.description), 'B'))
    ON CONFLICT (ticket_id) DO UPDATE SET doc_tsv = EXCLUDED.doc_tsv;
    RETURN NULL;
END
$$;
