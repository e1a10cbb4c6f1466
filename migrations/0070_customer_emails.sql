-- Customer e-mails (issue 12, item 6): every shipment and backorder e-mail
-- the notify sender rendered, with what became of it: sent through SMTP,
-- kept (no SMTP server configured; shown in the UI instead), or failed
-- (its outbox message became a dead letter). The outbox row says when and
-- why; this row keeps what the customer was (or would have been) sent.
-- message_id is the outbox message's id, so a retried dead letter updates
-- its row instead of adding one. Rows older than the retention are deleted.
CREATE TABLE customer_emails (
    id         INTEGER PRIMARY KEY,
    message_id TEXT    NOT NULL UNIQUE,
    order_id   INTEGER REFERENCES orders (id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL CHECK (kind IN ('shipment', 'backorder')),
    recipient  TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    status     TEXT    NOT NULL CHECK (status IN ('sent', 'kept', 'failed')),
    detail     TEXT    NOT NULL DEFAULT '',
    created_at TEXT    NOT NULL
) STRICT;
CREATE INDEX customer_emails_order ON customer_emails (order_id, id);
CREATE INDEX customer_emails_created ON customer_emails (created_at);
