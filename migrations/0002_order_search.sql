-- Customer service search (issue 3): one box finds an order by number, PO,
-- tracking number, SKU, customer account, name, e-mail or phone, and by the
-- ship-to name. Each key gets an index lookup; none scans orders or lines.
-- Order number, PO, tracking and SKU already have indexes in 0001
-- (orders.number UNIQUE, orders_po, fulfilment_groups_tracking,
-- order_lines_sku), all with the NOCASE collation of their columns, so an
-- exact or prefix match is one B-tree seek.

-- Customer names: a CSR types a word of the company's name ("acme", "north
-- supply"), not its first letters, so a B-tree on name cannot serve it.
-- FTS5 over customers.name (external content: the text stays in customers,
-- the index holds only tokens) finds any word or word prefix. Triggers keep
-- it in step with customers.
CREATE VIRTUAL TABLE customers_fts USING fts5(
    name,
    content = 'customers',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO customers_fts (customers_fts) VALUES ('rebuild');

CREATE TRIGGER customers_fts_insert AFTER INSERT ON customers BEGIN
    INSERT INTO customers_fts (rowid, name) VALUES (new.id, new.name);
END;
CREATE TRIGGER customers_fts_delete AFTER DELETE ON customers BEGIN
    INSERT INTO customers_fts (customers_fts, rowid, name) VALUES ('delete', old.id, old.name);
END;
CREATE TRIGGER customers_fts_update AFTER UPDATE OF name ON customers BEGIN
    INSERT INTO customers_fts (customers_fts, rowid, name) VALUES ('delete', old.id, old.name);
    INSERT INTO customers_fts (rowid, name) VALUES (new.id, new.name);
END;

-- Ship-to names on orders ("Acme Dallas Warehouse", a consumer's name): the
-- same need as customer names, over a million orders. FTS5 returns matches
-- in rowid (= order id) order, so "newest matches first, LIMIT n" reads only
-- n entries however common the word is.
CREATE VIRTUAL TABLE orders_ship_fts USING fts5(
    ship_name,
    content = 'orders',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO orders_ship_fts (orders_ship_fts) VALUES ('rebuild');

CREATE TRIGGER orders_ship_fts_insert AFTER INSERT ON orders BEGIN
    INSERT INTO orders_ship_fts (rowid, ship_name) VALUES (new.id, new.ship_name);
END;
CREATE TRIGGER orders_ship_fts_delete AFTER DELETE ON orders BEGIN
    INSERT INTO orders_ship_fts (orders_ship_fts, rowid, ship_name) VALUES ('delete', old.id, old.ship_name);
END;
CREATE TRIGGER orders_ship_fts_update AFTER UPDATE OF ship_name ON orders BEGIN
    INSERT INTO orders_ship_fts (orders_ship_fts, rowid, ship_name) VALUES ('delete', old.id, old.ship_name);
    INSERT INTO orders_ship_fts (rowid, ship_name) VALUES (new.id, new.ship_name);
END;

-- E-mail on the customer record: exact, case-insensitive lookup (contacts'
-- e-mails are already indexed NOCASE in 0001).
CREATE INDEX customers_email ON customers (email COLLATE NOCASE);

-- Phones are stored as people typed them ("(214) 555-0142"); a CSR types
-- digits in any format. These expression indexes hold the digits only, and
-- store/search.go queries with the very same expression (phoneDigitsSQL) so
-- that SQLite uses them.
CREATE INDEX customers_phone_digits ON customers (
    replace(replace(replace(replace(replace(replace(phone, ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '+', ''));
CREATE INDEX customer_contacts_phone_digits ON customer_contacts (
    replace(replace(replace(replace(replace(replace(phone, ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '+', ''));

-- The order page's timeline filter by kind reads one order's events of one
-- kind without scanning all its events.
CREATE INDEX events_order_kind ON events (order_id, kind, id);

-- Filters of the search page without text walk orders newest first and
-- stop after one page and a capped count. A filter that few orders pass
-- would walk the whole table to find them, so each selective filter gets an
-- index in created_at order: orders_status (0001) for status, these
-- partial indexes for "has hold" and "has backorder" (a few percent of the
-- orders, so the indexes are small), and channel.
CREATE INDEX orders_hold_created ON orders (created_at) WHERE has_hold = 1;
CREATE INDEX orders_backorder_created ON orders (created_at) WHERE has_backorder = 1;
CREATE INDEX orders_channel ON orders (channel, created_at);

-- Sort by value over the whole book (no text) reads this index from the
-- top instead of sorting a million orders.
CREATE INDEX orders_total ON orders (total_cents);

-- The customer page lists one customer's orders newest first and sums the
-- value of the open ones; orders_customer (customer_id, created_at) of 0001
-- serves both.
