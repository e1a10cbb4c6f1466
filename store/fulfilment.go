package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/oms/oms/domain"
)

// groupRow is a fulfilment group as the state transitions need it.
type groupRow struct {
	ID         int64
	OrderID    int64
	Number     string // order number
	Seq        int
	LocationID int64
	Location   string // code
	Status     string
}

func loadGroup(ctx context.Context, tx *sql.Tx, groupID int64) (groupRow, error) {
	var g groupRow
	err := tx.QueryRowContext(ctx, `SELECT g.id, g.order_id, o.number, g.seq, g.location_id, l.code, g.status
		FROM fulfilment_groups g JOIN orders o ON o.id = g.order_id JOIN locations l ON l.id = g.location_id
		WHERE g.id = ?`, groupID).Scan(&g.ID, &g.OrderID, &g.Number, &g.Seq, &g.LocationID, &g.Location, &g.Status)
	if errors.Is(err, sql.ErrNoRows) {
		return g, domain.Errorf(domain.ENOTFOUND, "No such fulfilment group.")
	}
	return g, err
}

type groupLine struct {
	LineID int64
	ItemID int64
	SKU    string
	Qty    int64
}

func loadGroupLines(ctx context.Context, tx *sql.Tx, groupID int64) ([]groupLine, error) {
	rows, err := tx.QueryContext(ctx, `SELECT gl.order_line_id, gl.item_id, l.sku, gl.quantity
		FROM fulfilment_group_lines gl JOIN order_lines l ON l.id = gl.order_line_id WHERE gl.group_id = ? ORDER BY l.line_no`, groupID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []groupLine
	for rows.Next() {
		var l groupLine
		if err := rows.Scan(&l.LineID, &l.ItemID, &l.SKU, &l.Qty); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// ReleaseGroup sends a planned group to the WMS (or the vendor): its lines
// move from allocated to released and an outbox message is queued. An order
// with an open hold is never released (invariant 5). Returns ENOTFOUND,
// ECONFLICT when the group is not planned or the order is on hold.
func (db *DB) ReleaseGroup(ctx context.Context, groupID int64, actor string) error {
	return db.Update(ctx, func(tx *sql.Tx) error { return db.releaseGroup(ctx, tx, groupID, actor) })
}

func (db *DB) releaseGroup(ctx context.Context, tx *sql.Tx, groupID int64, actor string) error {
	g, err := loadGroup(ctx, tx, groupID)
	if err != nil {
		return err
	}
	if g.Status != "planned" {
		return domain.Errorf(domain.ECONFLICT, "Shipment %s-%d is %s, not planned.", g.Number, g.Seq, g.Status)
	}
	var holds int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM holds WHERE order_id = ? AND released_at IS NULL`, g.OrderID).Scan(&holds); err != nil {
		return err
	}
	if holds > 0 {
		return domain.Errorf(domain.ECONFLICT, "Order %s has an open hold; release the hold before releasing shipments.", g.Number)
	}
	lines, err := loadGroupLines(ctx, tx, groupID)
	if err != nil {
		return err
	}
	now := db.now()
	for _, l := range lines {
		if err := moveBucket(ctx, tx, l.LineID, "qty_allocated", "qty_released", l.Qty); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE fulfilment_groups SET status = 'released', released_at = ? WHERE id = ?`, now, groupID); err != nil {
		return err
	}
	before, after, err := refreshOrderStatus(ctx, tx, g.OrderID, now)
	if err != nil {
		return err
	}
	payload, _ := json.Marshal(map[string]any{"order": g.Number, "group": g.Seq, "location": g.Location, "lines": lines})
	if err := db.insertOutbox(ctx, tx, OutboxMessage{MessageID: fmt.Sprintf("group-released-%d", groupID), Topic: "group.released",
		Destination: "wms", OrderID: g.OrderID, Payload: string(payload)}); err != nil {
		return err
	}
	return db.insertEvent(ctx, tx, Event{OrderID: g.OrderID, Kind: "group.released", Actor: actor,
		Summary: fmt.Sprintf("Shipment %d released to %s.", g.Seq, g.Location), Before: string(before), After: string(after)})
}

// Shipment is the carrier's confirmation of a shipped group.
type Shipment struct {
	Carrier  string
	Service  string
	Tracking string
}

// ShipGroup confirms a released group as shipped: lines move from released
// to shipped, the stock leaves on hand and its reservation ends, and the
// shipment is announced. Returns ENOTFOUND, EINVALID for a missing carrier
// or tracking number, ECONFLICT when the group is not released.
func (db *DB) ShipGroup(ctx context.Context, groupID int64, s Shipment, actor string) error {
	s.Carrier, s.Tracking = strings.TrimSpace(s.Carrier), strings.TrimSpace(s.Tracking)
	fields := map[string]string{}
	if s.Carrier == "" {
		fields["carrier"] = "is required"
	}
	if s.Tracking == "" {
		fields["tracking"] = "is required"
	}
	if len(fields) > 0 {
		return domain.Invalid("A shipment needs a carrier and a tracking number.", fields)
	}
	return db.Update(ctx, func(tx *sql.Tx) error {
		g, err := loadGroup(ctx, tx, groupID)
		if err != nil {
			return err
		}
		if g.Status != "released" {
			return domain.Errorf(domain.ECONFLICT, "Shipment %s-%d is %s, not released.", g.Number, g.Seq, g.Status)
		}
		lines, err := loadGroupLines(ctx, tx, groupID)
		if err != nil {
			return err
		}
		now := db.now()
		for _, l := range lines {
			if err := moveBucket(ctx, tx, l.LineID, "qty_released", "qty_shipped", l.Qty); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE inventory SET on_hand = on_hand - ?1, allocated = allocated - ?1, on_hand_as_of = ?2
				WHERE item_id = ?3 AND location_id = ?4`, l.Qty, now, l.ItemID, g.LocationID); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE fulfilment_groups SET status = 'shipped', shipped_at = ?, carrier = ?, service = ?, tracking_number = ?
			WHERE id = ?`, now, s.Carrier, s.Service, s.Tracking, groupID); err != nil {
			return err
		}
		before, after, err := refreshOrderStatus(ctx, tx, g.OrderID, now)
		if err != nil {
			return err
		}
		payload, _ := json.Marshal(map[string]any{"order": g.Number, "group": g.Seq, "carrier": s.Carrier, "tracking": s.Tracking})
		if err := db.insertOutbox(ctx, tx, OutboxMessage{MessageID: fmt.Sprintf("group-shipped-%d", groupID), Topic: "group.shipped",
			Destination: "erp", OrderID: g.OrderID, Payload: string(payload)}); err != nil {
			return err
		}
		if err := db.queueEDIShipment(ctx, tx, g.OrderID, groupID, g.Number, g.Seq); err != nil {
			return err
		}
		return db.insertEvent(ctx, tx, Event{OrderID: g.OrderID, Kind: "group.shipped", Actor: actor,
			Summary: fmt.Sprintf("Shipment %d shipped from %s via %s %s.", g.Seq, g.Location, s.Carrier, s.Tracking), Before: string(before), After: string(after)})
	})
}

// CancelGroup cancels a planned or released group: its reservation ends and
// its units go back to backordered, to be sourced again or cancelled by a
// person. Returns ENOTFOUND, ECONFLICT when the group has shipped or was
// cancelled already.
func (db *DB) CancelGroup(ctx context.Context, groupID int64, actor, reason string) error {
	return db.Update(ctx, func(tx *sql.Tx) error {
		g, err := loadGroup(ctx, tx, groupID)
		if err != nil {
			return err
		}
		from := map[string]string{"planned": "qty_allocated", "released": "qty_released"}[g.Status]
		if from == "" {
			return domain.Errorf(domain.ECONFLICT, "Shipment %s-%d is %s and cannot be cancelled.", g.Number, g.Seq, g.Status)
		}
		lines, err := loadGroupLines(ctx, tx, groupID)
		if err != nil {
			return err
		}
		now := db.now()
		for _, l := range lines {
			if err := moveBucket(ctx, tx, l.LineID, from, "qty_backordered", l.Qty); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE inventory SET allocated = allocated - ? WHERE item_id = ? AND location_id = ?`,
				l.Qty, l.ItemID, g.LocationID); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE fulfilment_groups SET status = 'cancelled', cancelled_at = ? WHERE id = ?`, now, groupID); err != nil {
			return err
		}
		before, after, err := refreshOrderStatus(ctx, tx, g.OrderID, now)
		if err != nil {
			return err
		}
		if g.Status == "released" {
			payload, _ := json.Marshal(map[string]any{"order": g.Number, "group": g.Seq, "reason": reason})
			if err := db.insertOutbox(ctx, tx, OutboxMessage{MessageID: fmt.Sprintf("group-cancelled-%d", groupID), Topic: "group.cancelled",
				Destination: "wms", OrderID: g.OrderID, Payload: string(payload)}); err != nil {
				return err
			}
		}
		summary := fmt.Sprintf("Shipment %d from %s cancelled; its units are backordered again.", g.Seq, g.Location)
		if reason != "" {
			summary += " Reason: " + reason
		}
		return db.insertEvent(ctx, tx, Event{OrderID: g.OrderID, Kind: "group.cancelled", Actor: actor, Summary: summary,
			Before: string(before), After: string(after)})
	})
}

// CancelBackorder cancels qty backordered units of a line (the customer no
// longer wants them). Returns ENOTFOUND, EINVALID for a bad quantity.
func (db *DB) CancelBackorder(ctx context.Context, lineID, qty int64, actor string) error {
	if qty <= 0 {
		return domain.Invalid("Enter a quantity above zero.", map[string]string{"quantity": "must be above zero"})
	}
	return db.Update(ctx, func(tx *sql.Tx) error {
		var orderID int64
		var sku string
		var backordered int64
		err := tx.QueryRowContext(ctx, `SELECT order_id, sku, qty_backordered FROM order_lines WHERE id = ?`, lineID).Scan(&orderID, &sku, &backordered)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.Errorf(domain.ENOTFOUND, "No such order line.")
		} else if err != nil {
			return err
		}
		if qty > backordered {
			return domain.Invalid(fmt.Sprintf("%s has only %d units backordered.", sku, backordered),
				map[string]string{"quantity": fmt.Sprintf("must be at most %d", backordered)})
		}
		if err := moveBucket(ctx, tx, lineID, "qty_backordered", "qty_cancelled", qty); err != nil {
			return err
		}
		now := db.now()
		before, after, err := refreshOrderStatus(ctx, tx, orderID, now)
		if err != nil {
			return err
		}
		return db.insertEvent(ctx, tx, Event{OrderID: orderID, Kind: "line.cancelled", Actor: actor,
			Summary: fmt.Sprintf("%d backordered units of %s cancelled.", qty, sku), Before: string(before), After: string(after)})
	})
}
