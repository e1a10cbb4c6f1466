package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

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
	Dropship   bool
}

func loadGroup(ctx context.Context, tx *sql.Tx, groupID int64) (groupRow, error) {
	var g groupRow
	err := tx.QueryRowContext(ctx, `SELECT g.id, g.order_id, o.number, g.seq, g.location_id, l.code, g.status, g.dropship
		FROM fulfilment_groups g JOIN orders o ON o.id = g.order_id JOIN locations l ON l.id = g.location_id
		WHERE g.id = ?`, groupID).Scan(&g.ID, &g.OrderID, &g.Number, &g.Seq, &g.LocationID, &g.Location, &g.Status, &g.Dropship)
	if errors.Is(err, sql.ErrNoRows) {
		return g, domain.Errorf(domain.ENOTFOUND, "No such fulfilment group.")
	}
	return g, err
}

type groupLine struct {
	LineID int64
	LineNo int
	ItemID int64
	SKU    string
	Qty    int64
}

func loadGroupLines(ctx context.Context, tx *sql.Tx, groupID int64) ([]groupLine, error) {
	rows, err := tx.QueryContext(ctx, `SELECT gl.order_line_id, l.line_no, gl.item_id, l.sku, gl.quantity
		FROM fulfilment_group_lines gl JOIN order_lines l ON l.id = gl.order_line_id WHERE gl.group_id = ? ORDER BY l.line_no`, groupID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []groupLine
	for rows.Next() {
		var l groupLine
		if err := rows.Scan(&l.LineID, &l.LineNo, &l.ItemID, &l.SKU, &l.Qty); err != nil {
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
	// A dropship group becomes a purchase order to its vendor; any other
	// goes to the WMS.
	dest := "wms"
	if g.Dropship {
		dest = "vendor"
	}
	if err := db.insertOutbox(ctx, tx, OutboxMessage{Topic: "group.released", Destination: dest, OrderID: g.OrderID, GroupID: g.ID}); err != nil {
		return ActionEvent{}, err
	}
	return ActionEvent{Kind: "group.released", Summary: fmt.Sprintf("Shipment %d released to %s.", g.Seq, g.Location)}, nil
}

// Shipment is the carrier's confirmation of a shipped group.
type Shipment struct {
	Carrier  string
	Service  string
	Tracking string
	// ShippedAt is when the goods left; zero means now. Stock counts
	// taken before it still held the goods (see ApplyInventorySnapshot).
	ShippedAt time.Time
	// Lines are the units shipped per order line number; nil ships the
	// whole group. A line shipped short (or left out) puts its missing
	// units back on backorder: the WMS did not find them.
	Lines map[int]int64
}

// ShipGroup confirms a released group (shipment seq of the order) as
// shipped: lines move from released to shipped, the stock leaves on hand and
// its reservation ends, and the shipment is announced. The system (a WMS
// confirmation) ships; so may ops and admin by hand. Returns ENOTFOUND,
// EFORBIDDEN, EINVALID for a missing carrier or tracking number or a bad
// quantity, ECONFLICT for a stale version or a group that is not released.
func (db *DB) ShipGroup(ctx context.Context, a OrderAction, seq int, s Shipment) (domain.Order, error) {
	if err := requireRole(a, "confirm shipments", domain.RoleOps); err != nil {
		return domain.Order{}, err
	}
	s, err := checkShipment(s)
	if err != nil {
		return domain.Order{}, err
	}
	return db.act(ctx, a, func(tx *sql.Tx, o domain.Order) (ActionEvent, error) {
		return db.shipGroup(ctx, tx, o, seq, s)
	})
}

func checkShipment(s Shipment) (Shipment, error) {
	s.Carrier, s.Tracking = strings.TrimSpace(s.Carrier), strings.TrimSpace(s.Tracking)
	fields := map[string]string{}
	if s.Carrier == "" {
		fields["carrier"] = "is required"
	}
	if s.Tracking == "" {
		fields["tracking"] = "is required"
	}
	if len(fields) > 0 {
		return s, domain.Invalid("A shipment needs a carrier and a tracking number.", fields)
	}
	return s, nil
}

// shipGroup ships group seq of o inside the caller's action.
func (db *DB) shipGroup(ctx context.Context, tx *sql.Tx, o domain.Order, seq int, s Shipment) (ActionEvent, error) {
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
	shipped := map[int64]int64{}
	if s.Lines == nil {
		for _, l := range lines {
			shipped[l.LineID] = l.Qty
		}
	} else {
		byNo := map[int]groupLine{}
		for _, l := range lines {
			byNo[l.LineNo] = l
		}
		fields := map[string]string{}
		for no, q := range s.Lines {
			l, ok := byNo[no]
			switch {
			case !ok:
				fields[fmt.Sprintf("lines.%d", no)] = fmt.Sprintf("line %d is not in shipment %d", no, seq)
			case q < 0 || q > l.Qty:
				fields[fmt.Sprintf("lines.%d", no)] = fmt.Sprintf("shipment %d holds %d units of line %d (%s); %d cannot ship", seq, l.Qty, no, l.SKU, q)
			default:
				shipped[l.LineID] = q
			}
		}
		if len(fields) > 0 {
			return ActionEvent{}, domain.Invalid(fmt.Sprintf("The shipment of %s-%d does not match what was released.", g.Number, seq), fields)
		}
	}
	var total, short int64
	var shorts []string
	for _, l := range lines {
		total += shipped[l.LineID]
		if n := l.Qty - shipped[l.LineID]; n > 0 {
			short += n
			shorts = append(shorts, fmt.Sprintf("%d of %s", n, l.SKU))
		}
	}
	if total == 0 {
		return ActionEvent{}, domain.Invalid(fmt.Sprintf("Shipment %s-%d ships no units; cancel it instead.", g.Number, seq),
			map[string]string{"lines": "ship at least one unit"})
	}
	now := db.now()
	at := now
	if !s.ShippedAt.IsZero() {
		at = FormatTime(s.ShippedAt)
	}
	for _, l := range lines {
		q := shipped[l.LineID]
		moved := false
		if q > 0 {
			if err := moveBucket(ctx, tx, l.LineID, "qty_released", "qty_shipped", q); err != nil {
				return ActionEvent{}, err
			}
			var err error
			if moved, err = recordMovement(ctx, tx, l.ItemID, g.LocationID, -q, "shipment", at, fmt.Sprintf("%s-%d", g.Number, g.Seq)); err != nil {
				return ActionEvent{}, err
			}
		}
		if n := l.Qty - q; n > 0 {
			if err := moveBucket(ctx, tx, l.LineID, "qty_released", "qty_backordered", n); err != nil {
				return ActionEvent{}, err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE inventory SET allocated = allocated - ? WHERE item_id = ? AND location_id = ?`,
			l.Qty, l.ItemID, g.LocationID); err != nil {
			return ActionEvent{}, err
		}
		if moved {
			// After the allocation is given up, so the event's available is right.
			if err := db.insertStockEvent(ctx, tx, l.ItemID, g.LocationID, -q, "shipment", "system", fmt.Sprintf("%s-%d", g.Number, g.Seq)); err != nil {
				return ActionEvent{}, err
			}
		}
		// The group keeps what it shipped; a line that shipped nothing leaves it.
		if q == 0 {
			_, err = tx.ExecContext(ctx, `DELETE FROM fulfilment_group_lines WHERE group_id = ? AND order_line_id = ?`, g.ID, l.LineID)
		} else if q != l.Qty {
			_, err = tx.ExecContext(ctx, `UPDATE fulfilment_group_lines SET quantity = ? WHERE group_id = ? AND order_line_id = ?`, q, g.ID, l.LineID)
		}
		if err != nil {
			return ActionEvent{}, err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE fulfilment_groups SET status = 'shipped', shipped_at = ?, carrier = ?, service = ?, tracking_number = ?
		WHERE id = ?`, at, s.Carrier, s.Service, s.Tracking, g.ID); err != nil {
		return ActionEvent{}, err
	}
	if err := db.queueEDIShipment(ctx, tx, g.OrderID, g.ID); err != nil {
		return ActionEvent{}, err
	}
	if err := db.insertOutbox(ctx, tx, OutboxMessage{Topic: "group.shipped", Destination: "erp", OrderID: g.OrderID, GroupID: g.ID}); err != nil {
		return ActionEvent{}, err
	}
	if err := db.queueShipmentEmail(ctx, tx, o, g.ID); err != nil {
		return ActionEvent{}, err
	}
	summary := fmt.Sprintf("Shipment %d shipped from %s via %s %s.", g.Seq, g.Location, s.Carrier, s.Tracking)
	if short > 0 {
		summary = fmt.Sprintf("Shipment %d shipped in part from %s via %s %s: %d units; %s back on backorder.",
			g.Seq, g.Location, s.Carrier, s.Tracking, total, strings.Join(shorts, ", "))
	}
	return ActionEvent{Kind: "group.shipped", Summary: summary}, nil
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
			dest := "wms"
			if g.Dropship {
				dest = "vendor"
			}
			if err := db.insertOutbox(ctx, tx, OutboxMessage{Topic: "group.cancelled", Destination: dest, OrderID: g.OrderID,
				GroupID: g.ID, Detail: strings.TrimSpace(a.Reason)}); err != nil {
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

// ReleasePlannedGroups releases, as the system, up to limit planned
// groups (oldest first) of orders without an open hold, each through
// ReleaseGroup, so that an order with stock moves to the warehouse without
// a person. It returns how many it released; a group whose order changed
// on the way (a hold placed) is left for the next run.
func (db *DB) ReleasePlannedGroups(ctx context.Context, limit int) (int, error) {
	type ref struct {
		number string
		seq    int
	}
	var refs []ref
	rows, err := db.read.QueryContext(ctx, `SELECT o.number, g.seq FROM fulfilment_groups g JOIN orders o ON o.id = g.order_id
		WHERE g.status = 'planned' AND o.has_hold = 0 AND o.status NOT IN ('draft', 'on_hold', 'cancelled', 'closed')
		ORDER BY g.created_at, g.id LIMIT ?`, limit)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var r ref
		if err := rows.Scan(&r.number, &r.seq); err != nil {
			rows.Close()
			return 0, err
		}
		refs = append(refs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	n := 0
	for _, r := range refs {
		_, err := db.ReleaseGroup(ctx, OrderAction{Number: r.number, Actor: "system"}, r.seq)
		switch domain.ErrorCode(err) {
		case "":
			n++
		case domain.ECONFLICT, domain.ENOTFOUND:
		default:
			return n, err
		}
	}
	return n, nil
}
