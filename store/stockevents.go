package store

import (
	"context"
	"database/sql"
	"fmt"
)

// Inventory event kinds in the change feed: one per item and location
// whose on hand a movement or a count changed.
const (
	StockReceipt    = "inventory.receipt"
	StockAdjustment = "inventory.adjustment"
	StockShipment   = "inventory.shipment"
	StockSnapshot   = "inventory.snapshot"
)

// stockEventKind is the event kind of a stock movement kind.
func stockEventKind(movement string) string {
	switch movement {
	case "receipt":
		return StockReceipt
	case "shipment":
		return StockShipment
	}
	return StockAdjustment
}

// insertStockEvent records that on hand of an item at a location changed
// by qty, with on hand and available to promise as they are now in tx.
// Call it after the change and everything that goes with it (a shipment
// also gives up its allocation), so that "available" is right.
func (db *DB) insertStockEvent(ctx context.Context, tx *sql.Tx, itemID, locationID, qty int64, movement, actor, ref string) error {
	label := map[string]string{"receipt": "Receipt", "shipment": "Shipment", "adjustment": "Adjustment"}[movement]
	if ref != "" {
		label += " " + ref
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO events (kind, actor, at, summary, item_id, location_id, quantity, on_hand, available)
		SELECT ?1, ?2, ?3, printf('%s: %+d %s at %s, on hand %d, available %d', ?4, ?5, it.sku, l.code, i.on_hand, i.on_hand - i.allocated - i.safety_stock),
			i.item_id, i.location_id, ?5, i.on_hand, i.on_hand - i.allocated - i.safety_stock
		FROM inventory i JOIN items it ON it.id = i.item_id JOIN locations l ON l.id = i.location_id
		WHERE i.item_id = ?6 AND i.location_id = ?7`,
		stockEventKind(movement), actor, db.now(), label, qty, itemID, locationID)
	if err != nil {
		return fmt.Errorf("record inventory event: %w", err)
	}
	return nil
}

// snapshotEventRows is the most items one snapshot event holds, so that
// a feed page stays a readable size.
const snapshotEventRows = 1000

// snapshotEvents collects the items whose on hand a snapshot changed and
// writes them as inventory.snapshot events of up to snapshotEventRows
// items each (data: JSON [[item id, change, on hand, available], ...]).
// One event per item would cost a row and two index entries each: with
// every count of a 100,000-item snapshot different, that doubled the
// snapshot's CPU time (BENCHMARKS.md). Items counted as known write
// nothing.
type snapshotEvents struct {
	db       *DB
	location int64
	asOf     string
	actor    string
	rows     []byte
	n        int
}

func (e *snapshotEvents) add(ctx context.Context, tx *sql.Tx, itemID, change, onHand, available int64) error {
	if e.n == 0 {
		e.rows = append(e.rows[:0], '[')
	} else {
		e.rows = append(e.rows, ',')
	}
	e.rows = fmt.Appendf(e.rows, "[%d,%d,%d,%d]", itemID, change, onHand, available)
	e.n++
	if e.n >= snapshotEventRows {
		return e.flush(ctx, tx)
	}
	return nil
}

func (e *snapshotEvents) flush(ctx context.Context, tx *sql.Tx) error {
	if e.n == 0 {
		return nil
	}
	e.rows = append(e.rows, ']')
	_, err := tx.ExecContext(ctx, `INSERT INTO events (kind, actor, at, summary, location_id, quantity, data)
		SELECT ?1, ?2, ?3, printf('Count as of %s changed on hand of %d %s at %s.', ?4, ?5, iif(?5 = 1, 'item', 'items'), l.code), l.id, ?5, ?6
		FROM locations l WHERE l.id = ?7`, StockSnapshot, e.actor, e.db.now(), e.asOf, e.n, string(e.rows), e.location)
	e.n = 0
	if err != nil {
		return fmt.Errorf("record snapshot event: %w", err)
	}
	return nil
}
