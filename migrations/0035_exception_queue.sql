-- The exception queue and the backorder board (issue 10).
--
-- An exception is claimed by (or assigned to) one person: owner_user_id
-- existed from the start; claimed_at says since when. The SLA sweep raises
-- breach exceptions (kinds sla_release, sla_ship, backorder_late) at most
-- once per order, line and kind while one is unresolved: the partial unique
-- index is what makes a second sweep, or two racing, a no-op.
ALTER TABLE exceptions ADD COLUMN claimed_at TEXT;

CREATE UNIQUE INDEX exceptions_breach_once ON exceptions (kind, order_id, coalesce(order_line_id, 0))
    WHERE status <> 'resolved' AND kind IN ('sla_release', 'sla_ship', 'backorder_late');
CREATE INDEX exceptions_owner ON exceptions (owner_user_id) WHERE status <> 'resolved';

-- The backorder board and automatic release read backordered lines by item;
-- a partial index keeps that read proportional to the backorders, not to
-- every line ever ordered.
CREATE INDEX order_lines_backordered ON order_lines (item_id, order_id) WHERE qty_backordered > 0;

-- Saved views of the exception queue and the backorder board: a name and
-- the query string of the filters, per person.
CREATE TABLE saved_views (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    screen     TEXT    NOT NULL CHECK (screen IN ('exceptions', 'backorders')),
    name       TEXT    NOT NULL,
    query      TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    UNIQUE (user_id, screen, name)
) STRICT;
