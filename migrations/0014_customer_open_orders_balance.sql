-- The credit check adds the value of a customer's open orders to the order
-- being captured. Summing them on every capture grew with the customer's
-- open orders (a distributor's big accounts have thousands) and ran inside
-- the single writer. The sum is now kept on the customer row by triggers,
-- for every writer, in the transaction of each change.
--
-- "Open" is store.openOrderSQL: not draft, shipped, cancelled or closed.
-- The store's invariant tests check that this balance equals that sum.
ALTER TABLE customers ADD COLUMN open_orders_cents INTEGER NOT NULL DEFAULT 0;

UPDATE customers SET open_orders_cents = (
    SELECT coalesce(sum(total_cents), 0) FROM orders
    WHERE customer_id = customers.id AND status NOT IN ('draft', 'shipped', 'cancelled', 'closed'));

CREATE TRIGGER orders_open_balance_insert AFTER INSERT ON orders
    WHEN new.status NOT IN ('draft', 'shipped', 'cancelled', 'closed') BEGIN
    UPDATE customers SET open_orders_cents = open_orders_cents + new.total_cents WHERE id = new.customer_id;
END;

CREATE TRIGGER orders_open_balance_delete AFTER DELETE ON orders
    WHEN old.status NOT IN ('draft', 'shipped', 'cancelled', 'closed') BEGIN
    UPDATE customers SET open_orders_cents = open_orders_cents - old.total_cents WHERE id = old.customer_id;
END;

CREATE TRIGGER orders_open_balance_update AFTER UPDATE OF status, total_cents, customer_id ON orders
    WHEN (old.status NOT IN ('draft', 'shipped', 'cancelled', 'closed')) <> (new.status NOT IN ('draft', 'shipped', 'cancelled', 'closed'))
        OR old.total_cents <> new.total_cents OR old.customer_id <> new.customer_id BEGIN
    UPDATE customers SET open_orders_cents = open_orders_cents - old.total_cents
        WHERE id = old.customer_id AND old.status NOT IN ('draft', 'shipped', 'cancelled', 'closed');
    UPDATE customers SET open_orders_cents = open_orders_cents + new.total_cents
        WHERE id = new.customer_id AND new.status NOT IN ('draft', 'shipped', 'cancelled', 'closed');
END;
