-- Search at millions of tickets (issue 4): the compiler now filters `tickets` columns
-- (names resolved to ids first) and probes `ticket_search` per vector, so:
-- 1. a deleted ticket's vectors are empty, and a text-only query is counted on
--    `ticket_search` alone (an empty tsvector matches no query);
-- 2. the index over the concatenated vectors gives way to the two per-vector ones;
-- 3. the indexes below serve the counts (index-only) and pages of the common shapes.

CREATE OR REPLACE FUNCTION trellis_ticket_search_doc() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.deleted_at IS NOT NULL THEN
        INSERT INTO ticket_search (ticket_id, org_id)
        VALUES (NEW.id, NEW.org_id)
        ON CONFLICT (ticket_id) DO UPDATE SET doc_tsv = ''::tsvector, comment_tsv = ''::tsvector;
    ELSIF TG_OP = 'UPDATE' AND OLD.deleted_at IS NOT NULL THEN
        -- Restored: both vectors again.
        UPDATE ticket_search
           SET doc_tsv = setweight(to_tsvector('english', NEW.title), 'A')
                         || setweight(to_tsvector('english', NEW.description), 'B'),
               comment_tsv = COALESCE((SELECT to_tsvector('english', string_agg(c.body, ' '))
                                         FROM comments c
                                        WHERE c.org_id = NEW.org_id AND c.ticket_id = NEW.id
                                          AND c.deleted_at IS NULL), ''::tsvector)
         WHERE ticket_id = NEW.id;
    ELSE
        INSERT INTO ticket_search (ticket_id, org_id, doc_tsv)
        VALUES (NEW.id, NEW.org_id,
                setweight(to_tsvector('english', NEW.title), 'A')
                || setweight(to_tsvector('english', NEW.description), 'B'))
        ON CONFLICT (ticket_id) DO UPDATE SET doc_tsv = EXCLUDED.doc_tsv;
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER ticket_search_doc ON tickets;
CREATE TRIGGER ticket_search_doc
    AFTER INSERT OR UPDATE OF title, description, deleted_at ON tickets
    FOR EACH ROW EXECUTE FUNCTION trellis_ticket_search_doc();

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
     WHERE s.ticket_id = target
       -- A deleted ticket's vectors stay empty.
       AND EXISTS (SELECT 1 FROM tickets t WHERE t.id = target AND t.deleted_at IS NULL);
    RETURN NULL;
END
$$;

UPDATE ticket_search s SET doc_tsv = ''::tsvector, comment_tsv = ''::tsvector
  FROM tickets t
 WHERE t.id = s.ticket_id AND t.deleted_at IS NOT NULL;

DROP INDEX ticket_search_text_idx;

-- Text matches of the current org. Row-level security only lets an index use a
-- condition whose operator is LEAKPROOF, and `@@` is not: under the policy the GIN
-- indexes could only narrow on org_id, and every text search read the org's whole
-- ticket_search (measured at 1M tickets: 400-600 ms for one rare word). This function
-- runs as its owner, so the index probes apply; it confines itself to the org of the
-- transaction exactly as the policy does (none outside a scoped transaction), and
-- answers only ticket ids. `field` is summary, description, comment or text.
CREATE FUNCTION trellis_text_search(field text, terms text[], kinds text[])
    RETURNS TABLE (ticket_id uuid)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public AS $$
DECLARE
    org uuid := trellis_current_org();
    q tsquery := trellis_tsquery(terms, kinds);
    probe tsquery;
BEGIN
    IF org IS NULL OR q IS NULL THEN
        RETURN;
    END IF;
    IF field = 'summary' THEN
        -- Weight A is the summary: the index narrows on the document, the filter
        -- keeps the summary's part.
        RETURN QUERY SELECT s.ticket_id FROM ticket_search s
         WHERE s.org_id = org AND s.doc_tsv @@ q AND ts_filter(s.doc_tsv, '{a}') @@ q;
    ELSIF field = 'description' THEN
        RETURN QUERY SELECT s.ticket_id FROM ticket_search s
         WHERE s.org_id = org AND s.doc_tsv @@ q AND ts_filter(s.doc_tsv, '{b}') @@ q;
    ELSIF field = 'comment' THEN
        RETURN QUERY SELECT s.ticket_id FROM ticket_search s
         WHERE s.org_id = org AND s.comment_tsv @@ q;
    ELSIF coalesce(array_length(terms, 1), 0) = 1 THEN
        -- One term: in the document or in the comments, two index probes.
        RETURN QUERY SELECT s.ticket_id FROM ticket_search s
         WHERE s.org_id = org AND (s.doc_tsv @@ q OR s.comment_tsv @@ q);
    ELSE
        -- Several terms over document and comments together: the probes find the
        -- first term that has words, the test is the whole query.
        FOR i IN 1 .. array_length(terms, 1) LOOP
            probe := trellis_tsquery(terms[i:i], kinds[i:i]);
            EXIT WHEN probe IS NOT NULL;
        END LOOP;
        RETURN QUERY SELECT s.ticket_id FROM ticket_search s
         WHERE s.org_id = org AND (s.doc_tsv @@ probe OR s.comment_tsv @@ probe)
           AND (s.doc_tsv || s.comment_tsv) @@ q;
    END IF;
END
$$;
REVOKE ALL ON FUNCTION trellis_text_search(text, text[], text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION trellis_text_search(text, text[], text[]) TO trellis_app;

-- Counts answered by index-only scans and pages served in index order, for the shapes
-- docs/PERFORMANCE.md measures. `&&` on labels is not LEAKPROOF either (see above):
-- under row-level security the labels GIN index could only narrow on org_id, so it
-- goes, and the default order's index carries the labels instead.
DROP INDEX tickets_org_labels_idx;
CREATE INDEX tickets_org_project_status_idx ON tickets (org_id, project_id, status_id, priority) WHERE deleted_at IS NULL;
CREATE INDEX tickets_org_project_type_updated_idx ON tickets (org_id, project_id, type, updated_at) WHERE deleted_at IS NULL;
CREATE INDEX tickets_org_priority_updated_idx ON tickets (org_id, priority DESC, updated_at DESC, id DESC) WHERE deleted_at IS NULL;
DROP INDEX tickets_org_assignee_idx;
CREATE INDEX tickets_org_assignee_idx ON tickets (org_id, assignee_id, created_at DESC, id DESC) INCLUDE (resolved_at) WHERE deleted_at IS NULL;
DROP INDEX tickets_org_due_idx;
CREATE INDEX tickets_org_due_idx ON tickets (org_id, due_date) INCLUDE (status_id) WHERE deleted_at IS NULL;
-- Open or closed and overdue (status categories resolve to status ids); a fifth of
-- tickets have a due date, so this one is small.
CREATE INDEX tickets_org_status_due_idx ON tickets (org_id, status_id, due_date)
    WHERE deleted_at IS NULL AND due_date IS NOT NULL;
DROP INDEX tickets_org_created_idx;
-- The default order's index carries the common filter columns, so a page that walks
-- it filters inside the index and visits only the rows it returns.
CREATE INDEX tickets_org_created_idx ON tickets (org_id, created_at DESC, id DESC)
    INCLUDE (project_id, status_id, priority, due_date, labels) WHERE deleted_at IS NULL;
