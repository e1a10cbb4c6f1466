-- Webhook subscriptions: an integrator's URL and secret, and the topics it
-- wants (space-separated, or '*' for every topic). Each outbox message of
-- a subscribed topic gets one more row for each subscription, destination
-- 'webhook:<id>', in the transaction of the change; without a subscription
-- nothing is written. Removing a subscription drops its unsent messages.
CREATE TABLE webhook_subscriptions (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    url        TEXT    NOT NULL,
    secret     TEXT    NOT NULL,
    topics     TEXT    NOT NULL,
    active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_by TEXT    NOT NULL,
    created_at TEXT    NOT NULL
) STRICT;
