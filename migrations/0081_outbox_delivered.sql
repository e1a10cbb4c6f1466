-- The last delivery to a destination (Integrations, "last success") is the
-- latest delivered_at, not the delivery of the newest message: a message
-- retried for a while, or the demo's release messages handed over when it
-- starts, is delivered after newer ones.
CREATE INDEX outbox_delivered ON outbox (destination, status, delivered_at);
