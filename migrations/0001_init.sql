-- The whole domain of DESIGN.md in one schema, so that later features add
-- behaviour rather than rewrite tables. Money is integer cents, times are UTC
-- text in RFC 3339 with a fixed width (2006-01-02T15:04:05.000Z), dates are
-- YYYY-MM-DD, booleans are 0/1 integers.

-- People and access ---------------------------------------------------------

CREATE TABLE users (
    id                  INTEGER PRIMARY KEY,
    email               TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    name                TEXT    NOT NULL,
    role                TEXT    NOT NULL CHECK (role IN ('csr', 'sales', 'ops', 'admin')),
    password_hash       TEXT    NOT NULL,
    active              INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at          TEXT    NOT NULL,
    password_changed_at TEXT    NOT NULL
) STRICT;

-- Server-side sessions; id is the SHA-256 of the cookie's token, so a copy of
-- the table does not let anyone sign in.
CREATE TABLE sessions (
    id           TEXT    PRIMARY KEY,
    user_id      INTEGER REFERENCES users (id) ON DELETE CASCADE,
    data         BLOB    NOT NULL,
    created_at   TEXT    NOT NULL,
    last_seen_at TEXT    NOT NULL,
    expires_at   TEXT    NOT NULL
) STRICT;
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- Failed sign-ins, kept in the database so that several processes share the
-- rate limit. key is "account:<email>" or "addr:<ip>".
CREATE TABLE login_failures (
    id  INTEGER PRIMARY KEY,
    key TEXT    NOT NULL,
    at  TEXT    NOT NULL
) STRICT;
CREATE INDEX login_failures_key_at ON login_failures (key, at);

-- Bearer tokens for integrations; only the SHA-256 of the token is stored.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    name         TEXT    NOT NULL,
    token_hash   TEXT    NOT NULL UNIQUE,
    role         TEXT    NOT NULL CHECK (role IN ('csr', 'sales', 'ops', 'admin')),
    created_by   INTEGER REFERENCES users (id),
    created_at   TEXT    NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
) STRICT;

-- Invariant 7: an Idempotency-Key is applied at most once per token.
CREATE TABLE idempotency_keys (
    token_id     INTEGER NOT NULL REFERENCES api_tokens (id),
    key          TEXT    NOT NULL,
    request_hash TEXT    NOT NULL,
    status       INTEGER NOT NULL,
    body         BLOB    NOT NULL,
    created_at   TEXT    NOT NULL,
    PRIMARY KEY (token_id, key)
) STRICT;

-- Network ---------------------------------------------------------------------

CREATE TABLE locations (
    id                      INTEGER PRIMARY KEY,
    code                    TEXT    NOT NULL UNIQUE,
    name                    TEXT    NOT NULL,
    type                    TEXT    NOT NULL CHECK (type IN ('dc', '3pl', 'store', 'vendor')),
    serves                  TEXT    NOT NULL CHECK (serves IN ('b2b', 'b2c', 'both')),
    line1                   TEXT    NOT NULL DEFAULT '',
    city                    TEXT    NOT NULL,
    region                  TEXT    NOT NULL,
    postal_code             TEXT    NOT NULL,
    country                 TEXT    NOT NULL DEFAULT 'US',
    latitude                REAL    NOT NULL,
    longitude               REAL    NOT NULL,
    cutoff_time             TEXT    NOT NULL DEFAULT '15:00',
    timezone                TEXT    NOT NULL DEFAULT 'America/Chicago',
    cost_per_shipment_cents INTEGER NOT NULL DEFAULT 0,
    priority                INTEGER NOT NULL DEFAULT 100,
    active                  INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
) STRICT;

-- Catalogue ---------------------------------------------------------------------

CREATE TABLE items (
    id                 INTEGER PRIMARY KEY,
    sku                TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    description        TEXT    NOT NULL,
    uom                TEXT    NOT NULL DEFAULT 'EA',
    pack_qty           INTEGER NOT NULL DEFAULT 1 CHECK (pack_qty >= 1),
    min_qty            INTEGER NOT NULL DEFAULT 1 CHECK (min_qty >= 1),
    weight_grams       INTEGER NOT NULL DEFAULT 0,
    list_price_cents   INTEGER NOT NULL CHECK (list_price_cents >= 0),
    dropship_eligible  INTEGER NOT NULL DEFAULT 0 CHECK (dropship_eligible IN (0, 1)),
    dropship_vendor_id INTEGER REFERENCES locations (id),
    hazmat             INTEGER NOT NULL DEFAULT 0 CHECK (hazmat IN (0, 1)),
    discontinued       INTEGER NOT NULL DEFAULT 0 CHECK (discontinued IN (0, 1)),
    active             INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    updated_at         TEXT    NOT NULL
) STRICT;

CREATE TABLE item_substitutes (
    item_id            INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    substitute_item_id INTEGER NOT NULL REFERENCES items (id),
    rank               INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (item_id, substitute_item_id)
) STRICT;

-- Buyer part numbers (per customer) and UPCs (customer_id NULL).
CREATE TABLE item_xrefs (
    id          INTEGER PRIMARY KEY,
    item_id     INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL CHECK (kind IN ('buyer_part', 'upc')),
    customer_id INTEGER REFERENCES customers (id),
    value       TEXT    NOT NULL COLLATE NOCASE
) STRICT;
CREATE INDEX item_xrefs_value ON item_xrefs (value);
CREATE INDEX item_xrefs_item ON item_xrefs (item_id);

CREATE TABLE price_list_entries (
    price_level      TEXT    NOT NULL,
    item_id          INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    unit_price_cents INTEGER NOT NULL CHECK (unit_price_cents >= 0),
    PRIMARY KEY (price_level, item_id)
) STRICT;

-- Stock ---------------------------------------------------------------------------

-- Available to promise = on_hand - allocated - safety_stock. on_hand comes from
-- the ERP/WMS as of on_hand_as_of; allocated is owned by the OMS (invariant 2).
CREATE TABLE inventory (
    item_id       INTEGER NOT NULL REFERENCES items (id),
    location_id   INTEGER NOT NULL REFERENCES locations (id),
    on_hand       INTEGER NOT NULL DEFAULT 0,
    allocated     INTEGER NOT NULL DEFAULT 0 CHECK (allocated >= 0),
    safety_stock  INTEGER NOT NULL DEFAULT 0 CHECK (safety_stock >= 0),
    on_hand_as_of TEXT    NOT NULL,
    PRIMARY KEY (item_id, location_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX inventory_location ON inventory (location_id, item_id);

CREATE TABLE inbound_supply (
    id            INTEGER PRIMARY KEY,
    item_id       INTEGER NOT NULL REFERENCES items (id),
    location_id   INTEGER NOT NULL REFERENCES locations (id),
    po_number     TEXT    NOT NULL,
    quantity      INTEGER NOT NULL CHECK (quantity > 0),
    expected_date TEXT    NOT NULL,
    status        TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'received', 'cancelled')),
    created_at    TEXT    NOT NULL
) STRICT;
CREATE INDEX inbound_supply_item ON inbound_supply (item_id, status, expected_date);

-- Customers ---------------------------------------------------------------------

CREATE TABLE customers (
    id                 INTEGER PRIMARY KEY,
    account            TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    name               TEXT    NOT NULL,
    type               TEXT    NOT NULL CHECK (type IN ('b2b', 'b2c')),
    email              TEXT    NOT NULL DEFAULT '',
    phone              TEXT    NOT NULL DEFAULT '',
    credit_limit_cents INTEGER NOT NULL DEFAULT 0 CHECK (credit_limit_cents >= 0),
    open_ar_cents      INTEGER NOT NULL DEFAULT 0,
    credit_status      TEXT    NOT NULL DEFAULT 'ok' CHECK (credit_status IN ('ok', 'hold')),
    price_level        TEXT    NOT NULL DEFAULT 'LIST',
    ship_complete      INTEGER NOT NULL DEFAULT 0 CHECK (ship_complete IN (0, 1)),
    backorder_policy   TEXT    NOT NULL DEFAULT 'allow' CHECK (backorder_policy IN ('allow', 'ship_available_cancel_rest')),
    active             INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at         TEXT    NOT NULL
) STRICT;
CREATE INDEX customers_name ON customers (name COLLATE NOCASE);

CREATE TABLE customer_contacts (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    email       TEXT    NOT NULL DEFAULT '' COLLATE NOCASE,
    phone       TEXT    NOT NULL DEFAULT '',
    role        TEXT    NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX customer_contacts_customer ON customer_contacts (customer_id);
CREATE INDEX customer_contacts_email ON customer_contacts (email);
CREATE INDEX customer_contacts_phone ON customer_contacts (phone);

CREATE TABLE ship_tos (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    code        TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    line1       TEXT    NOT NULL,
    line2       TEXT    NOT NULL DEFAULT '',
    city        TEXT    NOT NULL,
    region      TEXT    NOT NULL,
    postal_code TEXT    NOT NULL,
    country     TEXT    NOT NULL DEFAULT 'US',
    latitude    REAL,
    longitude   REAL,
    is_default  INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    UNIQUE (customer_id, code)
) STRICT;

CREATE TABLE trading_partners (
    id            INTEGER PRIMARY KEY,
    customer_id   INTEGER NOT NULL REFERENCES customers (id),
    isa_qualifier TEXT    NOT NULL,
    isa_id        TEXT    NOT NULL,
    gs_id         TEXT    NOT NULL,
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    UNIQUE (isa_qualifier, isa_id)
) STRICT;

-- Orders ------------------------------------------------------------------------

-- status is derived from lines, groups and holds (see package domain) and
-- stored so that lists and counts need no recomputation. version backs
-- optimistic locking (invariant 6).
CREATE TABLE orders (
    id               INTEGER PRIMARY KEY,
    number           TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    channel          TEXT    NOT NULL CHECK (channel IN ('web', 'edi', 'phone', 'api', 'csv', 'marketplace', 'punchout')),
    customer_id      INTEGER NOT NULL REFERENCES customers (id),
    customer_po      TEXT    NOT NULL DEFAULT '' COLLATE NOCASE,
    ship_to_id       INTEGER REFERENCES ship_tos (id),
    ship_name        TEXT    NOT NULL,
    ship_line1       TEXT    NOT NULL,
    ship_line2       TEXT    NOT NULL DEFAULT '',
    ship_city        TEXT    NOT NULL,
    ship_region      TEXT    NOT NULL,
    ship_postal_code TEXT    NOT NULL,
    ship_country     TEXT    NOT NULL DEFAULT 'US',
    ship_latitude    REAL,
    ship_longitude   REAL,
    requested_date   TEXT    NOT NULL DEFAULT '',
    ship_method      TEXT    NOT NULL DEFAULT 'GROUND',
    priority         INTEGER NOT NULL DEFAULT 5,
    ship_complete    INTEGER NOT NULL DEFAULT 0 CHECK (ship_complete IN (0, 1)),
    status           TEXT    NOT NULL CHECK (status IN ('draft', 'on_hold', 'open', 'backordered', 'partially_allocated', 'allocated', 'released', 'partially_shipped', 'shipped', 'cancelled', 'closed')),
    total_cents      INTEGER NOT NULL DEFAULT 0,
    has_hold         INTEGER NOT NULL DEFAULT 0 CHECK (has_hold IN (0, 1)),
    has_backorder    INTEGER NOT NULL DEFAULT 0 CHECK (has_backorder IN (0, 1)),
    version          INTEGER NOT NULL DEFAULT 1,
    created_by       TEXT    NOT NULL,
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL
) STRICT;
CREATE INDEX orders_customer ON orders (customer_id, created_at);
CREATE INDEX orders_po ON orders (customer_po);
CREATE INDEX orders_created ON orders (created_at);
CREATE INDEX orders_status ON orders (status, created_at);

-- Invariant 1 is a CHECK: every statement that moves quantity between buckets
-- must keep the sum equal to the ordered quantity.
CREATE TABLE order_lines (
    id               INTEGER PRIMARY KEY,
    order_id         INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    line_no          INTEGER NOT NULL,
    item_id          INTEGER NOT NULL REFERENCES items (id),
    sku              TEXT    NOT NULL COLLATE NOCASE,
    description      TEXT    NOT NULL,
    quantity         INTEGER NOT NULL CHECK (quantity > 0),
    unit_price_cents INTEGER NOT NULL CHECK (unit_price_cents >= 0),
    qty_cancelled    INTEGER NOT NULL DEFAULT 0 CHECK (qty_cancelled >= 0),
    qty_backordered  INTEGER NOT NULL DEFAULT 0 CHECK (qty_backordered >= 0),
    qty_allocated    INTEGER NOT NULL DEFAULT 0 CHECK (qty_allocated >= 0),
    qty_released     INTEGER NOT NULL DEFAULT 0 CHECK (qty_released >= 0),
    qty_shipped      INTEGER NOT NULL DEFAULT 0 CHECK (qty_shipped >= 0),
    status           TEXT    NOT NULL,
    UNIQUE (order_id, line_no),
    CHECK (quantity = qty_cancelled + qty_backordered + qty_allocated + qty_released + qty_shipped)
) STRICT;
CREATE INDEX order_lines_item ON order_lines (item_id, order_id);
CREATE INDEX order_lines_sku ON order_lines (sku, order_id);

-- A fulfilment group is one shipment from one location.
CREATE TABLE fulfilment_groups (
    id              INTEGER PRIMARY KEY,
    order_id        INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    seq             INTEGER NOT NULL,
    location_id     INTEGER NOT NULL REFERENCES locations (id),
    dropship        INTEGER NOT NULL DEFAULT 0 CHECK (dropship IN (0, 1)),
    status          TEXT    NOT NULL CHECK (status IN ('planned', 'released', 'shipped', 'cancelled')),
    carrier         TEXT    NOT NULL DEFAULT '',
    service         TEXT    NOT NULL DEFAULT '',
    tracking_number TEXT    NOT NULL DEFAULT '' COLLATE NOCASE,
    created_at      TEXT    NOT NULL,
    released_at     TEXT,
    shipped_at      TEXT,
    cancelled_at    TEXT,
    UNIQUE (order_id, seq)
) STRICT;
CREATE INDEX fulfilment_groups_tracking ON fulfilment_groups (tracking_number) WHERE tracking_number <> '';
CREATE INDEX fulfilment_groups_location ON fulfilment_groups (location_id, status);

CREATE TABLE fulfilment_group_lines (
    group_id      INTEGER NOT NULL REFERENCES fulfilment_groups (id) ON DELETE CASCADE,
    order_line_id INTEGER NOT NULL REFERENCES order_lines (id) ON DELETE CASCADE,
    item_id       INTEGER NOT NULL REFERENCES items (id),
    quantity      INTEGER NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (group_id, order_line_id)
) STRICT;
CREATE INDEX fulfilment_group_lines_line ON fulfilment_group_lines (order_line_id);

-- The sourcing decision for an order: the plan's trace in plain sentences.
CREATE TABLE sourcing_traces (
    id           INTEGER PRIMARY KEY,
    order_id     INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    rule_id      INTEGER,
    rule_version INTEGER,
    trace        TEXT    NOT NULL,
    created_at   TEXT    NOT NULL
) STRICT;
CREATE INDEX sourcing_traces_order ON sourcing_traces (order_id, id);

CREATE TABLE holds (
    id           INTEGER PRIMARY KEY,
    order_id     INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    reason       TEXT    NOT NULL CHECK (reason IN ('credit', 'address', 'price', 'duplicate_po', 'fraud', 'manual', 'edi_review')),
    note         TEXT    NOT NULL DEFAULT '',
    placed_by    TEXT    NOT NULL,
    placed_at    TEXT    NOT NULL,
    released_by  TEXT,
    released_at  TEXT,
    release_note TEXT    NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX holds_order ON holds (order_id);
CREATE INDEX holds_open ON holds (reason) WHERE released_at IS NULL;

CREATE TABLE exceptions (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL,
    order_id        INTEGER REFERENCES orders (id) ON DELETE CASCADE,
    order_line_id   INTEGER REFERENCES order_lines (id) ON DELETE CASCADE,
    hold_id         INTEGER REFERENCES holds (id),
    severity        TEXT    NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    summary         TEXT    NOT NULL,
    owner_user_id   INTEGER REFERENCES users (id),
    sla_due_at      TEXT    NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'resolved')),
    resolution_note TEXT    NOT NULL DEFAULT '',
    created_at      TEXT    NOT NULL,
    resolved_at     TEXT,
    resolved_by     TEXT
) STRICT;
CREATE INDEX exceptions_status ON exceptions (status, sla_due_at);
CREATE INDEX exceptions_order ON exceptions (order_id);

-- The append-only timeline and audit log.
CREATE TABLE events (
    id       INTEGER PRIMARY KEY,
    order_id INTEGER REFERENCES orders (id) ON DELETE CASCADE,
    kind     TEXT    NOT NULL,
    actor    TEXT    NOT NULL,
    at       TEXT    NOT NULL,
    summary  TEXT    NOT NULL,
    before   TEXT    NOT NULL DEFAULT '',
    after    TEXT    NOT NULL DEFAULT '',
    data     TEXT    NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX events_order ON events (order_id, id);

-- Invariant 4: written in the same transaction as the change it announces.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    message_id      TEXT    NOT NULL UNIQUE,
    topic           TEXT    NOT NULL,
    destination     TEXT    NOT NULL,
    order_id        INTEGER REFERENCES orders (id) ON DELETE SET NULL,
    payload         TEXT    NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT    NOT NULL,
    last_error      TEXT    NOT NULL DEFAULT '',
    created_at      TEXT    NOT NULL,
    delivered_at    TEXT
) STRICT;
CREATE INDEX outbox_pending ON outbox (status, next_attempt_at);

-- Sourcing rules ----------------------------------------------------------------

-- conditions and policy are JSON documents owned by package sourcing.
CREATE TABLE sourcing_rules (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    position   INTEGER NOT NULL,
    status     TEXT    NOT NULL CHECK (status IN ('draft', 'active', 'inactive')),
    conditions TEXT    NOT NULL,
    policy     TEXT    NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    updated_by TEXT    NOT NULL,
    updated_at TEXT    NOT NULL
) STRICT;

CREATE TABLE sourcing_rule_versions (
    rule_id    INTEGER NOT NULL REFERENCES sourcing_rules (id) ON DELETE CASCADE,
    version    INTEGER NOT NULL,
    snapshot   TEXT    NOT NULL,
    summary    TEXT    NOT NULL,
    changed_by TEXT    NOT NULL,
    changed_at TEXT    NOT NULL,
    PRIMARY KEY (rule_id, version)
) STRICT;

-- EDI ---------------------------------------------------------------------------

-- Invariant 7 for EDI: an interchange control number is applied once per sender.
CREATE TABLE edi_interchanges (
    id             INTEGER PRIMARY KEY,
    direction      TEXT    NOT NULL CHECK (direction IN ('in', 'out')),
    sender_id      TEXT    NOT NULL,
    receiver_id    TEXT    NOT NULL,
    control_number TEXT    NOT NULL,
    raw            TEXT    NOT NULL,
    status         TEXT    NOT NULL,
    received_at    TEXT    NOT NULL,
    UNIQUE (direction, sender_id, control_number)
) STRICT;

-- Number sequences (order numbers and the like), incremented in the write
-- transaction that uses them.
CREATE TABLE sequences (
    name  TEXT    PRIMARY KEY,
    value INTEGER NOT NULL
) STRICT;
