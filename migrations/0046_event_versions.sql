-- The change feed (GET /api/v1/events) gives each order event the order's
-- version after the change, so that a consumer can tell which of two
-- copies of an order is newer. Events written before this migration have
-- none (NULL).
ALTER TABLE events ADD COLUMN order_version INTEGER;
