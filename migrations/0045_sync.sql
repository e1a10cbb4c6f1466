-- ERP and WMS sync (issue 12).
--
-- Outbox rows carry a topic and a reference to the domain values they
-- announce (the order, and the fulfilment group when there is one); the
-- dispatcher renders the wire payload from those values at send time, so
-- the store defines no wire format. payload keeps an optional plain detail
-- (a reason). A dead letter a person skips is marked skipped (status stays
-- 'delivered' so the CHECK of 0001 holds; skipped_at says it was not sent).
ALTER TABLE outbox ADD COLUMN group_id INTEGER REFERENCES fulfilment_groups (id) ON DELETE SET NULL;
ALTER TABLE outbox ADD COLUMN last_attempt_at TEXT;
ALTER TABLE outbox ADD COLUMN last_status INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN skipped_by TEXT;
-- Messages of one order go out in order: the dispatcher looks for an
-- earlier undelivered message of the same order and destination.
CREATE INDEX outbox_order ON outbox (order_id, destination, id);
CREATE INDEX outbox_destination ON outbox (destination, status, id);

-- Inbound messages (REST or inbox files), each applied at most once by its
-- message id. A batch refused for bad rows is not recorded here: nothing of
-- it was applied, and the sender may fix it and send it again.
CREATE TABLE inbound_messages (
    message_id  TEXT    PRIMARY KEY,
    kind        TEXT    NOT NULL,
    source      TEXT    NOT NULL,
    rows        INTEGER NOT NULL,
    outcome     TEXT    NOT NULL,
    received_at TEXT    NOT NULL
) STRICT;
CREATE INDEX inbound_messages_received ON inbound_messages (received_at);

-- The as-of time of the last inventory snapshot applied to a row; an older
-- snapshot is ignored. on_hand_as_of stays "when on hand last changed".
ALTER TABLE inventory ADD COLUMN snapshot_as_of TEXT NOT NULL DEFAULT '';

-- Every change of on hand the OMS applies between snapshots (shipments,
-- receipts, adjustments), with the time it happened, so that a snapshot
-- taken at T is corrected by what happened after T and nothing is counted
-- twice. Movements at or before a row's snapshot are deleted when the
-- snapshot is applied, so the table holds only what no snapshot covers yet.
CREATE TABLE stock_movements (
    id          INTEGER PRIMARY KEY,
    item_id     INTEGER NOT NULL REFERENCES items (id),
    location_id INTEGER NOT NULL REFERENCES locations (id),
    quantity    INTEGER NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('shipment', 'receipt', 'adjustment')),
    occurred_at TEXT    NOT NULL,
    reference   TEXT    NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX stock_movements_location ON stock_movements (location_id, item_id, occurred_at);

-- Invoices from the ERP. An order is closed once every unit not cancelled
-- has shipped and every shipped group is invoiced.
CREATE TABLE invoices (
    id           INTEGER PRIMARY KEY,
    number       TEXT    NOT NULL UNIQUE,
    order_id     INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    amount_cents INTEGER NOT NULL,
    invoiced_at  TEXT    NOT NULL,
    created_at   TEXT    NOT NULL
) STRICT;
CREATE INDEX invoices_order ON invoices (order_id);
ALTER TABLE fulfilment_groups ADD COLUMN invoice_id INTEGER REFERENCES invoices (id);

-- A dead letter raises an exception; retrying or skipping the message
-- resolves it.
ALTER TABLE exceptions ADD COLUMN outbox_id INTEGER REFERENCES outbox (id);

-- Automatic release looks for planned groups, oldest first.
CREATE INDEX fulfilment_groups_planned ON fulfilment_groups (created_at) WHERE status = 'planned';
