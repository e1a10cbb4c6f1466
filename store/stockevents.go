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

// insertSnapshotEvents records an inventory event for each row of a
// snapshot batch (JSON [[item id, on hand, on hand before], ...], already
// applied at the location) whose on hand the count changed; a count that
// agrees with what was known is no change and no event. CROSS JOIN keeps
// the batch the outer loop: the planner would otherwise scan the
// location's inventory once per batch row.
func (db *DB) insertSnapshotEvents(ctx context.Context, tx *sql.Tx, locationID int64, asOf, actor, batch string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO events (kind, actor, at, summary, item_id, location_id, quantity, on_hand, available)
		SELECT ?1, ?2, ?3, printf('Count as of %s: %+d %s at %s, on hand %d, available %d', ?4, i.on_hand - (j.value ->> 2), it.sku, l.code,
				i.on_hand, i.on_hand - i.allocated - i.safety_stock),
			i.item_id, i.location_id, i.on_hand - (j.value ->> 2), i.on_hand, i.on_hand - i.allocated - i.safety_stock
		FROM json_each(?5) j CROSS JOIN inventory i ON i.item_id = j.value ->> 0 AND i.location_id = ?6
		JOIN items it ON it.id = i.item_id JOIN locations l ON l.id = i.location_id
		WHERE (j.value ->> 1) <> (j.value ->> 2)
		ORDER BY j.key`, StockSnapshot, actor, db.now(), asOf, batch, locationID)
	if err != nil {
		return fmt.Errorf("record snapshot events: %w", err)
	}
	return nil
}
