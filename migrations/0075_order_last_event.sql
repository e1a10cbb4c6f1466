-- GET /api/v1/orders?updated_since= pages through changed orders in
-- commit order. Each order carries the id of its latest event: events get
-- their ids in commit order (one writer), so a cursor on this id never
-- skips a change committed while a consumer pages, and an order changed
-- again moves behind the cursor and comes again. The trigger keeps it
-- for every writer of events (actions, capture, seed).
ALTER TABLE orders ADD COLUMN last_event_id INTEGER NOT NULL DEFAULT 0;
UPDATE orders SET last_event_id = coalesce((SELECT max(e.id) FROM events e WHERE e.order_id = orders.id), 0);
CREATE INDEX orders_last_event ON orders (last_event_id, updated_at);
CREATE TRIGGER events_order_last_event AFTER INSERT ON events WHEN NEW.order_id IS NOT NULL
BEGIN
    UPDATE orders SET last_event_id = NEW.id WHERE id = NEW.order_id;
END;
-- updated_since with few orders changed since: those orders by this index,
-- sorted by their latest event.
CREATE INDEX orders_updated_last_event ON orders (updated_at, last_event_id);
