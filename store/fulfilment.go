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

// ReleaseGroup sends a planned group (shipment seq of the order) to the WMS
// or the vendor: its lines move from allocated to released and an outbox
// message is queued. An order with an open hold is never released
// (invariant 5). Ops and admin release; so does the system. Returns
// ENOTFOUND, EFORBIDDEN, ECONFLICT for a stale version, a group that is not
// planned or an order on hold.
func (db *DB) ReleaseGroup(ctx context.Context, a OrderAction, seq int) (domain.Order, error) {
	if err := requireRole(a, "release shipments", domain.RoleOps); err != nil {
		return domain.Order{}, err
	}
	return db.act(ctx, a, func(tx *sql.Tx, o domain.Order) (ActionEvent, error) {
		g, err := groupOf(ctx, tx, o, seq)
		if err != nil {
			return ActionEvent{}, err
		}
		return db.releaseGroup(ctx, tx, g)
	})
}

// releaseGroup releases g inside the caller's action.
func (db *DB) releaseGroup(ctx context.Context, tx *sql.Tx, g groupRow) (ActionEvent, error) {
	if g.Status != "planned" {
		return ActionEvent{}, domain.Errorf(domain.ECONFLICT, "Shipment %s-%d is %s, not planned.", g.Number, g.Seq, g.Status)
	}
	var holds int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM holds WHERE order_id = ? AND released_at IS NULL`, g.OrderID).Scan(&holds); err != nil {
		return ActionEvent{}, err
	}
	if holds > 0 {
		return ActionEvent{}, domain.Errorf(domain.ECONFLICT, "Order %s has an open hold; release the hold before releasing shipments.", g.Number)
	}
	lines, err := loadGroupLines(ctx, tx, g.ID)
	if err != nil {
		return ActionEvent{}, err
	}
	now := db.now()
	for _, l := range lines {
		if err := moveBucket(ctx, tx, l.LineID, "qty_allocated", "qty_released", l.Qty); err != nil {
			return ActionEvent{}, err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE fulfilment_groups SET status = 'released', released_at = ? WHERE id = ?`, now, g.ID); err != nil {
		return ActionEvent{}, err
	}
	payload, _ := json.Marshal(map[string]any{"order": g.Number, "group": g.Seq, "location": g.Location, "lines": lines})
	if err := db.insertOutbox(ctx, tx, OutboxMessage{MessageID: fmt.Sprintf("group-released-%d", g.ID), Topic: "group.released",
		Destination: "wms", OrderID: g.OrderID, Payload: string(payload)}); err != nil {
		return ActionEvent{}, err
	}
	return ActionEvent{Kind: "group.released", Summary: fmt.Sprintf("Shipment %d released to %s.", g.Seq, g.Location)}, nil
}

// Shipment is the carrier's confirmation of a shipped group.
type Shipment struct {
	Carrier  string
	Service  string
	Tracking string
}

// ShipGroup confirms a released group (shipment seq of the order) as
// shipped: lines move from released to shipped, the stock leaves on hand and
// its reservation ends, and the shipment is announced. The system (a WMS
// confirmation) ships; so may ops and admin by hand. Returns ENOTFOUND,
// EFORBIDDEN, EINVALID for a missing carrier or tracking number, ECONFLICT
// for a stale version or a group that is not released.
func (db *DB) ShipGroup(ctx context.Context, a OrderAction, seq int, s Shipment) (domain.Order, error) {
	if err := requireRole(a, "confirm shipments", domain.RoleOps); err != nil {
		return domain.Order{}, err
	}
	s.Carrier, s.Tracking = strings.TrimSpace(s.Carrier), strings.TrimSpace(s.Tracking)
	fields := map[string]string{}
	if s.Carrier == "" {
		fields["carrier"] = "is required"
	}
	if s.Tracking == "" {
		fields["tracking"] = "is required"
	}
	if len(fields) > 0 {
		return domain.Order{}, domain.Invalid("A shipment needs a carrier and a tracking number.", fields)
	}
	return db.act(ctx, a, func(tx *sql.Tx, o domain.Order) (ActionEvent, error) {
		g, err := groupOf(ctx, tx, o, seq)
		if err != nil {
			return ActionEvent{}, err
		}
		if g.Status != "released" {
			return ActionEvent{}, domain.Errorf(domain.ECONFLICT, "Shipment %s-%d is %s, not released.", g.Number, g.Seq, g.Status)
		}
		lines, err := loadGroupLines(ctx, tx, g.ID)
		if err != nil {
			return ActionEvent{}, err
		}
		now := db.now()
		for _, l := range lines {
			if err := moveBucket(ctx, tx, l.LineID, "qty_released", "qty_shipped", l.Qty); err != nil {
				return ActionEvent{}, err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE inventory SET on_hand = on_hand - ?1, allocated = allocated - ?1, on_hand_as_of = ?2
				WHERE item_id = ?3 AND location_id = ?4`, l.Qty, now, l.ItemID, g.LocationID); err != nil {
				return ActionEvent{}, err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE fulfilment_groups SET status = 'shipped', shipped_at = ?, carrier = ?, service = ?, tracking_number = ?
			WHERE id = ?`, now, s.Carrier, s.Service, s.Tracking, g.ID); err != nil {
			return ActionEvent{}, err
		}
		payload, _ := json.Marshal(map[string]any{"order": g.Number, "group": g.Seq, "carrier": s.Carrier, "tracking": s.Tracking})
		if err := db.insertOutbox(ctx, tx, OutboxMessage{MessageID: fmt.Sprintf("group-shipped-%d", g.ID), Topic: "group.shipped",
			Destination: "erp", OrderID: g.OrderID, Payload: string(payload)}); err != nil {
			return ActionEvent{}, err
		}
		if err := db.queueEDIShipment(ctx, tx, g.OrderID, g.ID, g.Number, g.Seq); err != nil {
			return ActionEvent{}, err
		}
		return ActionEvent{Kind: "group.shipped",
			Summary: fmt.Sprintf("Shipment %d shipped from %s via %s %s.", g.Seq, g.Location, s.Carrier, s.Tracking)}, nil
	})
}

// CancelGroup cancels a planned or released group (shipment seq of the
// order): its reservation ends and its units go back to backordered, to be
// sourced again or cancelled by a person. Ops and admin cancel; so does the
// system. Returns ENOTFOUND, EFORBIDDEN, ECONFLICT for a stale version or a
// group that has shipped or was cancelled already.
func (db *DB) CancelGroup(ctx context.Context, a OrderAction, seq int) (domain.Order, error) {
	if err := requireRole(a, "cancel shipments", domain.RoleOps); err != nil {
		return domain.Order{}, err
	}
	return db.act(ctx, a, func(tx *sql.Tx, o domain.Order) (ActionEvent, error) {
		g, err := groupOf(ctx, tx, o, seq)
		if err != nil {
			return ActionEvent{}, err
		}
		from := map[string]string{"planned": "qty_allocated", "released": "qty_released"}[g.Status]
		if from == "" {
			return ActionEvent{}, domain.Errorf(domain.ECONFLICT, "Shipment %s-%d is %s and cannot be cancelled.", g.Number, g.Seq, g.Status)
		}
		lines, err := loadGroupLines(ctx, tx, g.ID)
		if err != nil {
			return ActionEvent{}, err
		}
		now := db.now()
		for _, l := range lines {
			if err := moveBucket(ctx, tx, l.LineID, from, "qty_backordered", l.Qty); err != nil {
				return ActionEvent{}, err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE inventory SET allocated = allocated - ? WHERE item_id = ? AND location_id = ?`,
				l.Qty, l.ItemID, g.LocationID); err != nil {
				return ActionEvent{}, err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE fulfilment_groups SET status = 'cancelled', cancelled_at = ? WHERE id = ?`, now, g.ID); err != nil {
			return ActionEvent{}, err
		}
		if g.Status == "released" {
			payload, _ := json.Marshal(map[string]any{"order": g.Number, "group": g.Seq, "reason": a.Reason})
			if err := db.insertOutbox(ctx, tx, OutboxMessage{MessageID: fmt.Sprintf("group-cancelled-%d", g.ID), Topic: "group.cancelled",
				Destination: "wms", OrderID: g.OrderID, Payload: string(payload)}); err != nil {
				return ActionEvent{}, err
			}
		}
		return ActionEvent{Kind: "group.cancelled",
			Summary: fmt.Sprintf("Shipment %d from %s cancelled; its units are backordered again.", g.Seq, g.Location)}, nil
	})
}

// CancelBackorder cancels qty backordered units of line lineNo (the
// customer no longer wants them). Ops, customer service and admin cancel.
// Returns ENOTFOUND, EFORBIDDEN, EINVALID for a bad quantity, ECONFLICT for
// a stale version.
func (db *DB) CancelBackorder(ctx context.Context, a OrderAction, lineNo int, qty int64) (domain.Order, error) {
	if err := requireRole(a, "cancel backorders", domain.RoleOps, domain.RoleCSR); err != nil {
		return domain.Order{}, err
	}
	if qty <= 0 {
		return domain.Order{}, domain.Invalid("Enter a quantity above zero.", map[string]string{"quantity": "must be above zero"})
	}
	return db.act(ctx, a, func(tx *sql.Tx, o domain.Order) (ActionEvent, error) {
		l, err := lineOf(ctx, tx, o, lineNo)
		if err != nil {
			return ActionEvent{}, err
		}
		if qty > l.Backordered {
			return ActionEvent{}, domain.Invalid(fmt.Sprintf("%s has only %d units backordered.", l.SKU, l.Backordered),
				map[string]string{"quantity": fmt.Sprintf("must be at most %d", l.Backordered)})
		}
		if err := moveBucket(ctx, tx, l.ID, "qty_backordered", "qty_cancelled", qty); err != nil {
			return ActionEvent{}, err
		}
		return ActionEvent{Kind: "line.cancelled", Summary: fmt.Sprintf("%d backordered units of %s cancelled.", qty, l.SKU)}, nil
	})
}
