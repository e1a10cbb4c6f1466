-- EDI X12 (issue 13): trading-partner settings, every received file kept
-- whole, the transaction sets of each interchange with the order each
-- became, and exceptions that point at a file when there is no order.

-- A trading partner is a sender (ISA05/ISA06) mapped to a customer.
-- qualifier_order lists the PO1 product ID qualifiers tried, in order, to
-- find our item (BP buyer part, UP UPC, VP vendor part, SK our SKU, ...);
-- uom_conversions says how a unit of measure becomes our units
-- ("CA=pack" multiplies by the item's case pack, "BX=12" by 12); folder
-- names the partner's inbox and outbox folders under the EDI folder.
ALTER TABLE trading_partners ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE trading_partners ADD COLUMN qualifier_order TEXT NOT NULL DEFAULT 'BP,UP,VP,SK';
ALTER TABLE trading_partners ADD COLUMN uom_conversions TEXT NOT NULL DEFAULT 'CA=pack';
ALTER TABLE trading_partners ADD COLUMN send_855 INTEGER NOT NULL DEFAULT 1 CHECK (send_855 IN (0, 1));
ALTER TABLE trading_partners ADD COLUMN send_856 INTEGER NOT NULL DEFAULT 1 CHECK (send_856 IN (0, 1));
ALTER TABLE trading_partners ADD COLUMN our_qualifier TEXT NOT NULL DEFAULT 'ZZ';
ALTER TABLE trading_partners ADD COLUMN our_id TEXT NOT NULL DEFAULT 'OMS';
ALTER TABLE trading_partners ADD COLUMN folder TEXT NOT NULL DEFAULT '';
ALTER TABLE trading_partners ADD COLUMN updated_at TEXT NOT NULL DEFAULT '';
CREATE INDEX trading_partners_customer ON trading_partners (customer_id);

-- Every file received (upload, API, inbox), whole, before anything is read
-- from it: nothing is lost whatever is wrong with it.
CREATE TABLE edi_files (
    id          INTEGER PRIMARY KEY,
    source      TEXT    NOT NULL CHECK (source IN ('upload', 'api', 'inbox')),
    file_name   TEXT    NOT NULL DEFAULT '',
    raw         BLOB    NOT NULL,
    size        INTEGER NOT NULL,
    received_by TEXT    NOT NULL,
    received_at TEXT    NOT NULL,
    status      TEXT    NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'processed', 'partial', 'rejected', 'unknown_sender', 'duplicate')),
    summary     TEXT    NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX edi_files_received ON edi_files (received_at);

-- sender_id is "qualifier:id" (ZZ:ACMEBUY) for inbound interchanges and
-- ours for outbound documents; raw is the interchange's own text.
ALTER TABLE edi_interchanges ADD COLUMN file_id INTEGER REFERENCES edi_files (id);
ALTER TABLE edi_interchanges ADD COLUMN partner_id INTEGER REFERENCES trading_partners (id);
ALTER TABLE edi_interchanges ADD COLUMN order_id INTEGER REFERENCES orders (id) ON DELETE SET NULL;
ALTER TABLE edi_interchanges ADD COLUMN document TEXT NOT NULL DEFAULT '';
ALTER TABLE edi_interchanges ADD COLUMN file_name TEXT NOT NULL DEFAULT '';
ALTER TABLE edi_interchanges ADD COLUMN summary TEXT NOT NULL DEFAULT '';
CREATE INDEX edi_interchanges_received ON edi_interchanges (direction, received_at);
CREATE INDEX edi_interchanges_file ON edi_interchanges (file_id);
CREATE INDEX edi_interchanges_order ON edi_interchanges (order_id) WHERE order_id IS NOT NULL;

-- One row per transaction set received; lines is the received PO1 data
-- (JSON owned by package edi) that the 855 and 856 echo.
CREATE TABLE edi_transactions (
    id             INTEGER PRIMARY KEY,
    interchange_id INTEGER NOT NULL REFERENCES edi_interchanges (id),
    group_control  TEXT    NOT NULL,
    set_id         TEXT    NOT NULL,
    control_number TEXT    NOT NULL,
    po_number      TEXT    NOT NULL DEFAULT '',
    po_date        TEXT    NOT NULL DEFAULT '',
    order_id       INTEGER REFERENCES orders (id) ON DELETE SET NULL,
    status         TEXT    NOT NULL CHECK (status IN ('accepted', 'held', 'rejected', 'ignored')),
    errors         TEXT    NOT NULL DEFAULT '',
    lines          TEXT    NOT NULL DEFAULT '',
    created_at     TEXT    NOT NULL
) STRICT;
CREATE INDEX edi_transactions_interchange ON edi_transactions (interchange_id);
CREATE INDEX edi_transactions_order ON edi_transactions (order_id) WHERE order_id IS NOT NULL;

-- An EDI exception may have no order (unknown sender, unreadable file).
ALTER TABLE exceptions ADD COLUMN edi_file_id INTEGER REFERENCES edi_files (id);
CREATE INDEX exceptions_edi_file ON exceptions (edi_file_id) WHERE edi_file_id IS NOT NULL;
