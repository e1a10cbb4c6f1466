-- The outbox names what changed and the domain values it is about; the
-- dispatcher and the EDI sender render the wire message when they send.
-- Some topics kept a JSON document in payload: their line and group become
-- references (line_id, group_id) and payload keeps only the plain reason,
-- so that the store holds no wire format.
ALTER TABLE outbox ADD COLUMN line_id INTEGER REFERENCES order_lines (id) ON DELETE SET NULL;

UPDATE outbox SET line_id = (SELECT l.id FROM order_lines l
        WHERE l.order_id = outbox.order_id AND l.line_no = json_extract(outbox.payload, '$.line_no'))
    WHERE json_valid(payload) AND json_type(payload, '$.line_no') = 'integer';

UPDATE outbox SET group_id = (SELECT g.id FROM fulfilment_groups g
        WHERE g.order_id = outbox.order_id AND g.seq = json_extract(outbox.payload, '$.group'))
    WHERE group_id IS NULL AND json_valid(payload) AND json_type(payload, '$.group') = 'integer';

UPDATE outbox SET payload = coalesce(json_extract(payload, '$.reason'), '')
    WHERE json_valid(payload) AND json_type(payload) = 'object';
