-- Inventory events in the change feed (GET /api/v1/events): a receipt,
-- an adjustment, a shipment leaving a location, or a snapshot that changed
-- on hand, per item and location, with on hand and available to promise
-- after it. They are events of no order (order_id NULL), in the same id
-- sequence as order events, so the feed keeps one commit order.
ALTER TABLE events ADD COLUMN item_id INTEGER REFERENCES items (id);
ALTER TABLE events ADD COLUMN location_id INTEGER REFERENCES locations (id);
ALTER TABLE events ADD COLUMN quantity INTEGER;
ALTER TABLE events ADD COLUMN on_hand INTEGER;
ALTER TABLE events ADD COLUMN available INTEGER;
