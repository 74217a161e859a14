DROP FUNCTION trellis_attachment_removals_due(integer, integer);
DROP TABLE attachments;
