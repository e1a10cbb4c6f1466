-- Ship-to names of new orders are indexed once per write transaction, not
-- once per order. The FTS5 table flushes its pending terms to a new segment
-- at every savepoint, and an order capture opens several, so the per-row
-- trigger of 0002 wrote (and then merged) one segment per order: a tenth of
-- the single writer's time when orders arrive together. Now the trigger
-- only notes the order; store.DB.Update indexes every noted order with one
-- statement just before it commits, so searches never see a committed
-- order without its ship-to name.
CREATE TABLE orders_ship_fts_pending (
    order_id INTEGER PRIMARY KEY
) STRICT;

DROP TRIGGER orders_ship_fts_insert;
DROP TRIGGER orders_ship_fts_delete;
DROP TRIGGER orders_ship_fts_update;

CREATE TRIGGER orders_ship_fts_insert AFTER INSERT ON orders BEGIN
    INSERT INTO orders_ship_fts_pending (order_id) VALUES (new.id);
END;
-- An order still pending is not in the index yet: removing it from the
-- index would corrupt it, and the indexing at commit reads the current name.
CREATE TRIGGER orders_ship_fts_delete AFTER DELETE ON orders BEGIN
    INSERT INTO orders_ship_fts (orders_ship_fts, rowid, ship_name)
        SELECT 'delete', old.id, old.ship_name
        WHERE NOT EXISTS (SELECT 1 FROM orders_ship_fts_pending WHERE order_id = old.id);
    DELETE FROM orders_ship_fts_pending WHERE order_id = old.id;
END;
CREATE TRIGGER orders_ship_fts_update AFTER UPDATE OF ship_name ON orders
    WHEN NOT EXISTS (SELECT 1 FROM orders_ship_fts_pending WHERE order_id = new.id) BEGIN
    INSERT INTO orders_ship_fts (orders_ship_fts, rowid, ship_name) VALUES ('delete', old.id, old.ship_name);
    INSERT INTO orders_ship_fts (rowid, ship_name) VALUES (new.id, new.ship_name);
END;
