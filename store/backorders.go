package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/geo"
	"github.com/oms/oms/sourcing"
)

// lineItem reads the item of an order line.
func lineItem(ctx context.Context, tx *sql.Tx, lineID int64) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT item_id FROM order_lines WHERE id = ?`, lineID).Scan(&id)
	return id, err
}

// backorderedLine reads line lineNo and refuses one with nothing
// backordered.
func backorderedLine(ctx context.Context, tx *sql.Tx, o domain.Order, lineNo int) (domain.OrderLine, int64, error) {
	l, err := lineOf(ctx, tx, o, lineNo)
	if err != nil {
		return l, 0, err
	}
	if l.Backordered == 0 {
		return l, 0, domain.Errorf(domain.ECONFLICT, "Line %d (%s) has nothing backordered.", l.LineNo, l.SKU)
	}
	item, err := lineItem(ctx, tx, l.ID)
	return l, item, err
}

// newGroup writes a planned fulfilment group of the order at a location
// with the given (line, item, units) and moves the units from backordered
// to allocated. Own locations' reservations are the caller's (so that a
// batch can sum them); a vendor's is made here.
func (db *DB) newGroup(ctx context.Context, tx *sql.Tx, orderID, locationID int64, dropship bool, lines []groupLine) (int, error) {
	var seq int
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) + 1 FROM fulfilment_groups WHERE order_id = ?`, orderID).Scan(&seq); err != nil {
		return 0, err
	}
	now := db.now()
	r, err := tx.ExecContext(ctx, `INSERT INTO fulfilment_groups (order_id, seq, location_id, dropship, status, created_at)
		VALUES (?, ?, ?, ?, 'planned', ?)`, orderID, seq, locationID, dropship, now)
	if err != nil {
		return 0, err
	}
	gid, _ := r.LastInsertId()
	for _, l := range lines {
		if _, err := tx.ExecContext(ctx, `INSERT INTO fulfilment_group_lines (group_id, order_line_id, item_id, quantity) VALUES (?, ?, ?, ?)`,
			gid, l.LineID, l.ItemID, l.Qty); err != nil {
			return 0, err
		}
		if err := moveBucket(ctx, tx, l.LineID, "qty_backordered", "qty_allocated", l.Qty); err != nil {
			return 0, err
		}
		if dropship {
			if err := reserve(ctx, tx, l.ItemID, locationID, l.Qty, true, now); err != nil {
				return 0, err
			}
		}
	}
	return seq, nil
}

// resolveFilledBackorders resolves the backorder exceptions of lines that
// no longer have anything backordered.
func resolveFilledBackorders(ctx context.Context, tx *sql.Tx, actor, now string, lineIDs []int64) error {
	if len(lineIDs) == 0 {
		return nil
	}
	ids, _ := json.Marshal(lineIDs)
	return resolveExceptions(ctx, tx, actor, now, "Backorder filled.",
		`kind IN ('backorder_aging', 'backorder_late', 'sourcing') AND order_line_id IN (SELECT value FROM json_each(?))
			AND order_line_id IN (SELECT id FROM order_lines WHERE qty_backordered = 0)`, string(ids))
}

// AllocateLine allocates line lineNo's backordered units now from the own
// location locationCode, as many as its available to promise allows, in a
// new planned shipment. Ops and admin. Returns ENOTFOUND, EFORBIDDEN,
// EINVALID for a location without stock, ECONFLICT for a stale version or
// nothing backordered.
func (db *DB) AllocateLine(ctx context.Context, a OrderAction, lineNo int, locationCode string) (domain.Order, error) {
	if err := requireRole(a, "allocate backorders", domain.RoleOps); err != nil {
		return domain.Order{}, err
	}
	return db.act(ctx, a, func(tx *sql.Tx, o domain.Order) (ActionEvent, error) {
		l, item, err := backorderedLine(ctx, tx, o, lineNo)
		if err != nil {
			return ActionEvent{}, err
		}
		var locID, atp int64
		var typ string
		err = tx.QueryRowContext(ctx, `SELECT l.id, l.type, coalesce((SELECT on_hand - allocated - safety_stock FROM inventory
			WHERE item_id = ? AND location_id = l.id), 0) FROM locations l WHERE l.code = ? AND l.active = 1`, item, strings.TrimSpace(locationCode)).Scan(&locID, &typ, &atp)
		if errors.Is(err, sql.ErrNoRows) || typ == sourcing.TypeVendor {
			return ActionEvent{}, domain.Invalid(fmt.Sprintf("There is no open warehouse %s.", locationCode), map[string]string{"location": "is not an open own location"})
		} else if err != nil {
			return ActionEvent{}, err
		}
		qty := min(atp, l.Backordered)
		if qty <= 0 {
			return ActionEvent{}, domain.Invalid(fmt.Sprintf("%s has no %s available to promise.", locationCode, l.SKU),
				map[string]string{"location": "has no stock of " + l.SKU})
		}
		if err := reserve(ctx, tx, item, locID, qty, false, db.now()); err != nil {
			return ActionEvent{}, err
		}
		seq, err := db.newGroup(ctx, tx, o.ID, locID, false, []groupLine{{LineID: l.ID, ItemID: item, SKU: l.SKU, Qty: qty}})
		if err != nil {
			return ActionEvent{}, err
		}
		if err := resolveFilledBackorders(ctx, tx, a.Actor, db.now(), []int64{l.ID}); err != nil {
			return ActionEvent{}, err
		}
		rest := ""
		if qty < l.Backordered {
			rest = fmt.Sprintf(" %d stay backordered.", l.Backordered-qty)
		}
		return ActionEvent{Kind: "backorder.allocated", Summary: fmt.Sprintf("Line %d: %d x %s allocated now from %s (shipment %d).%s",
			l.LineNo, qty, l.SKU, locationCode, seq, rest)}, nil
	})
}

// DropshipLine sends line lineNo's backordered units to the item's
// dropship vendor in a new planned shipment. Ops and admin. Returns
// ENOTFOUND, EFORBIDDEN, EINVALID for an item that is not dropshipped,
// ECONFLICT for a stale version or nothing backordered.
func (db *DB) DropshipLine(ctx context.Context, a OrderAction, lineNo int) (domain.Order, error) {
	if err := requireRole(a, "dropship backorders", domain.RoleOps); err != nil {
		return domain.Order{}, err
	}
	return db.act(ctx, a, func(tx *sql.Tx, o domain.Order) (ActionEvent, error) {
		l, item, err := backorderedLine(ctx, tx, o, lineNo)
		if err != nil {
			return ActionEvent{}, err
		}
		var eligible bool
		var vendor sql.NullInt64
		var code sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT i.dropship_eligible, i.dropship_vendor_id, v.code FROM items i
			LEFT JOIN locations v ON v.id = i.dropship_vendor_id AND v.active = 1 WHERE i.id = ?`, item).Scan(&eligible, &vendor, &code); err != nil {
			return ActionEvent{}, err
		}
		if !eligible || !vendor.Valid || !code.Valid {
			return ActionEvent{}, domain.Invalid(fmt.Sprintf("%s is not dropshipped by an active vendor.", l.SKU), map[string]string{"line": "cannot be dropshipped"})
		}
		seq, err := db.newGroup(ctx, tx, o.ID, vendor.Int64, true, []groupLine{{LineID: l.ID, ItemID: item, SKU: l.SKU, Qty: l.Backordered}})
		if err != nil {
			return ActionEvent{}, err
		}
		if err := resolveFilledBackorders(ctx, tx, a.Actor, db.now(), []int64{l.ID}); err != nil {
			return ActionEvent{}, err
		}
		return ActionEvent{Kind: "backorder.dropshipped", Summary: fmt.Sprintf("Line %d: %d x %s to be dropshipped by %s (shipment %d).",
			l.LineNo, l.Backordered, l.SKU, code.String, seq)}, nil
	})
}

// SubstituteLine replaces line lineNo's backordered units with the same
// quantity of one of the item's substitutes, at the customer's price for
// it: the backordered units are cancelled on the line and a new line of
// the substitute is added, then allocated at once if stock allows (in
// backorder order, like a receipt). Customer service, inside sales, ops and
// admin. Returns ENOTFOUND, EFORBIDDEN, EINVALID for a SKU that is not a
// substitute of the item, ECONFLICT for a stale version or nothing
// backordered.
func (db *DB) SubstituteLine(ctx context.Context, a OrderAction, lineNo int, sku string) (domain.Order, error) {
	if err := requireRole(a, "substitute items", domain.RoleCSR, domain.RoleSales, domain.RoleOps); err != nil {
		return domain.Order{}, err
	}
	return db.act(ctx, a, func(tx *sql.Tx, o domain.Order) (ActionEvent, error) {
		l, item, err := backorderedLine(ctx, tx, o, lineNo)
		if err != nil {
			return ActionEvent{}, err
		}
		var sub int64
		var subSKU, desc string
		var price int64
		err = tx.QueryRowContext(ctx, `SELECT i.id, i.sku, i.description, coalesce(p.unit_price_cents, i.list_price_cents)
			FROM item_substitutes s JOIN items i ON i.id = s.substitute_item_id
			JOIN customers c ON c.id = ?
			LEFT JOIN price_list_entries p ON p.price_level = c.price_level AND p.item_id = i.id
			WHERE s.item_id = ? AND i.sku = ? AND i.active = 1`, o.CustomerID, item, strings.TrimSpace(sku)).Scan(&sub, &subSKU, &desc, &price)
		if errors.Is(err, sql.ErrNoRows) {
			return ActionEvent{}, domain.Invalid(fmt.Sprintf("%s is not a substitute for %s.", sku, l.SKU), map[string]string{"sku": "is not a substitute for " + l.SKU})
		} else if err != nil {
			return ActionEvent{}, err
		}
		qty := l.Backordered
		if err := moveBucket(ctx, tx, l.ID, "qty_backordered", "qty_cancelled", qty); err != nil {
			return ActionEvent{}, err
		}
		var newNo int
		if err := tx.QueryRowContext(ctx, `SELECT max(line_no) + 1 FROM order_lines WHERE order_id = ?`, o.ID).Scan(&newNo); err != nil {
			return ActionEvent{}, err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO order_lines (order_id, line_no, item_id, sku, description, quantity, unit_price_cents,
			qty_backordered, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'backordered')`, o.ID, newNo, sub, subSKU, desc, qty, price, qty); err != nil {
			return ActionEvent{}, err
		}
		if err := resolveExceptions(ctx, tx, a.Actor, db.now(), "Substituted by "+subSKU+".", `order_line_id = ?`, l.ID); err != nil {
			return ActionEvent{}, err
		}
		if err := updateOrderTotal(ctx, tx, o.ID); err != nil {
			return ActionEvent{}, err
		}
		data, _ := json.Marshal(map[string]any{"order": o.Number, "line_no": l.LineNo, "sku": l.SKU, "new_line_no": newNo,
			"substitute_sku": subSKU, "quantity": qty, "unit_price_cents": price})
		if err := db.insertOutbox(ctx, tx, OutboxMessage{MessageID: fmt.Sprintf("line-substituted-%d-v%d", l.ID, o.Version),
			Topic: "order.line_substituted", Destination: "erp", OrderID: o.ID, LineID: l.ID, Detail: a.Reason}); err != nil {
			return ActionEvent{}, err
		}
		if _, err := db.fillBackordersFor(ctx, tx, []int64{sub}, a.Actor, "Substitute allocated"); err != nil {
			return ActionEvent{}, err
		}
		return ActionEvent{Kind: "line.substituted", Summary: fmt.Sprintf("Line %d: %d x %s substituted by %s at %s (new line %d).",
			l.LineNo, qty, l.SKU, subSKU, domain.Money(price), newNo), Data: string(data)}, nil
	})
}

// FillResult is what one automatic release did.
type FillResult struct {
	Orders int   // orders that got stock
	Lines  int   // lines allocated (in whole or part)
	Units  int64 // units allocated
}

// fillBackorders allocates the backorders of the given items from their
// available stock, in the caller's transaction: call it whenever on hand
// went up (a receipt, an adjustment, a snapshot). See fillBackordersFor.
func (db *DB) fillBackorders(ctx context.Context, tx *sql.Tx, itemIDs []int64) error {
	_, err := db.fillBackordersFor(ctx, tx, itemIDs, "system", "Stock arrived")
	return err
}

// fillLine is a backordered line that stock may fill.
type fillLine struct {
	lineID, orderID, itemID int64
	lineNo                  int
	sku                     string
	need                    int64
	shipComplete            bool
	lat, lon                float64
	hasCoords               bool
	custType                string
}

// fillBackordersFor allocates backorders of the given items, most urgent
// order first (order priority, 1 first, then the oldest), from own active
// locations that serve the customer, nearest the ship-to first; a line
// takes stock from one location when one has it all, else splits. An
// order that ships complete is filled only when every backordered line of
// it can be filled whole from one location. Each order filled gets its
// planned shipments, an event and its status again. It returns what it
// did; why starts each order's event ("Stock arrived").
func (db *DB) fillBackordersFor(ctx context.Context, tx *sql.Tx, itemIDs []int64, actor, why string) (FillResult, error) {
	var res FillResult
	locs, err := loadLocations(ctx, tx)
	if err != nil {
		return res, err
	}
	own := make([]sourcing.Location, 0, len(locs))
	for _, l := range locs {
		if l.Active && l.Type != sourcing.TypeVendor {
			own = append(own, l)
		}
	}
	atp := map[int64]map[int64]int64{} // item → location → units
	loadATP := func(item int64) (map[int64]int64, error) {
		if m, ok := atp[item]; ok {
			return m, nil
		}
		m := map[int64]int64{}
		rows, err := tx.QueryContext(ctx, `SELECT location_id, on_hand - allocated - safety_stock FROM inventory WHERE item_id = ?`, item)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		for rows.Next() {
			var loc, n int64
			if err := rows.Scan(&loc, &n); err != nil {
				return nil, err
			}
			if n > 0 {
				m[loc] = n
			}
		}
		atp[item] = m
		return m, rows.Err()
	}
	type key struct{ order, loc int64 }
	plans := map[key][]groupLine{}
	var orderSeq []int64 // orders in the order first filled
	touched := map[int64]bool{}
	decided := map[int64]bool{} // ship-complete orders already weighed
	var filledLines []int64
	add := func(l fillLine, loc, qty int64) {
		k := key{l.orderID, loc}
		plans[k] = append(plans[k], groupLine{LineID: l.lineID, ItemID: l.itemID, SKU: l.sku, Qty: qty})
		atp[l.itemID][loc] -= qty
		if !touched[l.orderID] {
			touched[l.orderID] = true
			orderSeq = append(orderSeq, l.orderID)
		}
		res.Lines++
		res.Units += qty
		filledLines = append(filledLines, l.lineID)
	}
	// ranked is the own locations that serve the line's customer, nearest
	// its ship-to first (location priority where it has no coordinates).
	ranked := func(l fillLine) []sourcing.Location {
		out := make([]sourcing.Location, 0, len(own))
		for _, loc := range own {
			if loc.Serves == "both" || loc.Serves == l.custType {
				out = append(out, loc)
			}
		}
		slices.SortStableFunc(out, func(a, b sourcing.Location) int {
			if l.hasCoords {
				da, dbb := geo.Distance(l.lat, l.lon, a.Lat, a.Lon), geo.Distance(l.lat, l.lon, b.Lat, b.Lon)
				switch {
				case da < dbb:
					return -1
				case da > dbb:
					return 1
				}
			}
			return a.Priority - b.Priority
		})
		return out
	}
	seen := map[int64]bool{}
	for _, item := range itemIDs {
		if seen[item] {
			continue
		}
		seen[item] = true
		m, err := loadATP(item)
		if err != nil {
			return res, err
		}
		if len(m) == 0 {
			continue
		}
		lines, err := backorderedLines(ctx, tx, `l.item_id = ?`, item)
		if err != nil {
			return res, err
		}
		for _, l := range lines {
			if !hasAny(atp[item]) {
				break
			}
			if l.shipComplete {
				if decided[l.orderID] {
					continue
				}
				decided[l.orderID] = true
				all, err := backorderedLines(ctx, tx, `l.order_id = ?`, l.orderID)
				if err != nil {
					return res, err
				}
				for _, x := range all {
					if _, err := loadATP(x.itemID); err != nil {
						return res, err
					}
				}
				if loc, ok := wholeFrom(ranked(l), all, atp); ok {
					for _, x := range all {
						add(x, loc, x.need)
					}
				}
				continue
			}
			cands := ranked(l)
			if loc, ok := wholeFrom(cands, []fillLine{l}, atp); ok {
				add(l, loc, l.need)
				continue
			}
			need := l.need
			for _, loc := range cands {
				if n := min(atp[item][loc.ID], need); n > 0 {
					add(l, loc.ID, n)
					need -= n
				}
				if need == 0 {
					break
				}
			}
		}
	}
	if len(orderSeq) == 0 {
		return res, nil
	}
	now := db.now()
	codes := map[int64]string{}
	for _, l := range locs {
		codes[l.ID] = l.Code
	}
	reservations := map[[2]int64]int64{}
	for k, gls := range plans {
		for _, gl := range gls {
			reservations[[2]int64{gl.ItemID, k.loc}] += gl.Qty
		}
	}
	if err := reserveAll(ctx, tx, reservations, now); err != nil {
		return res, fmt.Errorf("automatic release: %w", err)
	}
	if err := db.writeFills(ctx, tx, orderSeq, own, codes, func(order, loc int64) []groupLine { return plans[key{order, loc}] }, actor, why, now); err != nil {
		return res, err
	}
	res.Orders = len(orderSeq)
	return res, resolveFilledBackorders(ctx, tx, actor, now, filledLines)
}

// writeFills writes the planned shipments of an automatic release, one
// per order and location, moves their units from backordered to
// allocated, derives the orders' status again and writes an event per
// order. Shipments, their lines and the buckets are written with one
// statement each whatever the number of orders: receiving a container
// fills thousands of backorders in one transaction.
func (db *DB) writeFills(ctx context.Context, tx *sql.Tx, orders []int64, own []sourcing.Location, codes map[int64]string,
	plan func(order, loc int64) []groupLine, actor, why, now string) error {
	ids, _ := json.Marshal(orders)
	seqs := make(map[int64]int, len(orders))
	rows, err := tx.QueryContext(ctx, `SELECT j.value, coalesce((SELECT max(seq) FROM fulfilment_groups g WHERE g.order_id = j.value), 0)
		FROM json_each(?) j`, string(ids))
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		var seq int
		if err := rows.Scan(&id, &seq); err != nil {
			rows.Close()
			return err
		}
		seqs[id] = seq
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var nextID int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM fulfilment_groups`).Scan(&nextID); err != nil {
		return err
	}
	var groups, groupLines [][4]int64
	moves := map[int64]int64{}
	summaries := make(map[int64]string, len(orders))
	for _, order := range orders {
		var parts []string
		for _, loc := range own {
			gls := plan(order, loc.ID)
			if len(gls) == 0 {
				continue
			}
			nextID++
			seqs[order]++
			groups = append(groups, [4]int64{nextID, order, int64(seqs[order]), loc.ID})
			for _, gl := range gls {
				groupLines = append(groupLines, [4]int64{nextID, gl.LineID, gl.ItemID, gl.Qty})
				moves[gl.LineID] += gl.Qty
				parts = append(parts, fmt.Sprintf("%d x %s", gl.Qty, gl.SKU))
			}
			parts[len(parts)-1] += fmt.Sprintf(" from %s (shipment %d)", codes[loc.ID], seqs[order])
		}
		summaries[order] = why + ": " + strings.Join(parts, ", ") + " allocated."
	}
	moveRows := make([][2]int64, 0, len(moves))
	for line, qty := range moves {
		moveRows = append(moveRows, [2]int64{line, qty})
	}
	gj, _ := json.Marshal(groups)
	lj, _ := json.Marshal(groupLines)
	mj, _ := json.Marshal(moveRows)
	if _, err := tx.ExecContext(ctx, `INSERT INTO fulfilment_groups (id, order_id, seq, location_id, dropship, status, created_at)
		SELECT value->>0, value->>1, value->>2, value->>3, 0, 'planned', ? FROM json_each(?)`, now, string(gj)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO fulfilment_group_lines (group_id, order_line_id, item_id, quantity)
		SELECT value->>0, value->>1, value->>2, value->>3 FROM json_each(?)`, string(lj)); err != nil {
		return err
	}
	r, err := tx.ExecContext(ctx, `UPDATE order_lines SET qty_backordered = qty_backordered - j.qty, qty_allocated = qty_allocated + j.qty
		FROM (SELECT value->>0 AS id, value->>1 AS qty FROM json_each(?)) j WHERE order_lines.id = j.id`, string(mj))
	if err != nil {
		return err
	}
	if n, _ := r.RowsAffected(); n != int64(len(moveRows)) {
		return fmt.Errorf("automatic release moved %d lines of %d", n, len(moveRows))
	}
	statuses, err := refreshOrderStatuses(ctx, tx, orders, now)
	if err != nil {
		return err
	}
	for _, order := range orders {
		st := statuses[order]
		if err := db.insertEvent(ctx, tx, Event{OrderID: order, Kind: "backorder.filled", Actor: actor,
			Summary: summaries[order], Before: string(st[0]), After: string(st[1])}); err != nil {
			return err
		}
	}
	return nil
}

// refreshOrderStatuses is refreshOrderStatus for many orders at once, in
// a fixed number of statements, with the same derivation (deriveOrder).
// It returns each order's status before and after.
func refreshOrderStatuses(ctx context.Context, tx *sql.Tx, orders []int64, now string) (map[int64][2]domain.OrderStatus, error) {
	ids, _ := json.Marshal(orders)
	type orderState struct {
		before domain.OrderStatus
		holds  int
		lines  []statusLine
	}
	state := make(map[int64]*orderState, len(orders))
	rows, err := tx.QueryContext(ctx, `SELECT o.id, o.status, (SELECT count(*) FROM holds h WHERE h.order_id = o.id AND h.released_at IS NULL)
		FROM orders o WHERE o.id IN (SELECT value FROM json_each(?))`, string(ids))
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var st orderState
		var status string
		if err := rows.Scan(&id, &status, &st.holds); err != nil {
			rows.Close()
			return nil, err
		}
		st.before = domain.OrderStatus(status)
		state[id] = &st
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = tx.QueryContext(ctx, `SELECT order_id, id, quantity, qty_cancelled, qty_backordered, qty_allocated, qty_released, qty_shipped, status
		FROM order_lines WHERE order_id IN (SELECT value FROM json_each(?))`, string(ids))
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var order int64
		var l statusLine
		if err := rows.Scan(&order, &l.id, &l.b.Ordered, &l.b.Cancelled, &l.b.Backordered, &l.b.Allocated, &l.b.Released, &l.b.Shipped, &l.status); err != nil {
			rows.Close()
			return nil, err
		}
		if st := state[order]; st != nil {
			st.lines = append(st.lines, l)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make(map[int64][2]domain.OrderStatus, len(state))
	var lines []lineStatus
	var orderRows [][4]any
	for id, st := range state {
		after, backordered, changed := deriveOrder(st.before, st.holds, false, st.lines)
		lines = append(lines, changed...)
		orderRows = append(orderRows, [4]any{id, string(after), st.holds > 0, backordered})
		out[id] = [2]domain.OrderStatus{st.before, after}
	}
	if err := setLineStatuses(ctx, tx, lines); err != nil {
		return nil, err
	}
	oj, _ := json.Marshal(orderRows)
	if _, err := tx.ExecContext(ctx, `UPDATE orders SET status = j.status, has_hold = j.hold, has_backorder = j.backorder,
			version = version + 1, updated_at = ?
		FROM (SELECT value->>0 AS id, value->>1 AS status, value->>2 AS hold, value->>3 AS backorder FROM json_each(?)) j
		WHERE orders.id = j.id`, now, string(oj)); err != nil {
		return nil, err
	}
	return out, nil
}

// hasAny reports whether any location has units left.
func hasAny(m map[int64]int64) bool {
	for _, n := range m {
		if n > 0 {
			return true
		}
	}
	return false
}

// wholeFrom finds the first of cands that has every line's need in full.
func wholeFrom(cands []sourcing.Location, lines []fillLine, atp map[int64]map[int64]int64) (int64, bool) {
	for _, loc := range cands {
		ok := true
		want := map[int64]int64{}
		for _, l := range lines {
			want[l.itemID] += l.need
			if atp[l.itemID][loc.ID] < want[l.itemID] {
				ok = false
				break
			}
		}
		if ok {
			return loc.ID, true
		}
	}
	return 0, false
}

// backorderedLines reads backordered lines (matching where) of orders
// that may be sourced, most urgent first.
func backorderedLines(ctx context.Context, tx *sql.Tx, where string, arg any) ([]fillLine, error) {
	rows, err := tx.QueryContext(ctx, `SELECT l.id, l.order_id, l.item_id, l.line_no, l.sku, l.qty_backordered,
			o.ship_complete OR c.ship_complete, o.ship_latitude, o.ship_longitude, c.type
		FROM order_lines l JOIN orders o ON o.id = l.order_id JOIN customers c ON c.id = o.customer_id
		WHERE `+where+` AND l.qty_backordered > 0 AND o.status NOT IN ('draft', 'cancelled', 'closed')
		ORDER BY o.priority, o.created_at, o.id, l.line_no`, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []fillLine
	for rows.Next() {
		var l fillLine
		var lat, lon sql.NullFloat64
		if err := rows.Scan(&l.lineID, &l.orderID, &l.itemID, &l.lineNo, &l.sku, &l.need, &l.shipComplete, &lat, &lon, &l.custType); err != nil {
			return nil, err
		}
		l.lat, l.lon, l.hasCoords = lat.Float64, lon.Float64, lat.Valid && lon.Valid
		out = append(out, l)
	}
	return out, rows.Err()
}

// Receipt is stock arriving at a location: a purchase order received, a
// count adjusted upwards.
type Receipt struct {
	SKU       string
	Location  string // location code
	Quantity  int64
	Reference string // e.g. the purchase order number
	Actor     string
	Role      domain.Role // "" for the system
}

// ReceiveStock adds a receipt to on hand and, in the same transaction,
// allocates the item's backorders from it (fillBackorders). A reference
// that names an open inbound purchase order of the item at the location
// marks it received. Ops and admin record receipts by hand; the system
// does for the ERP. Returns EFORBIDDEN, EINVALID for an unknown SKU or
// location or a quantity that is not positive.
func (db *DB) ReceiveStock(ctx context.Context, r Receipt) (FillResult, error) {
	var res FillResult
	if r.Role != "" && !domain.RoleIn(r.Role, domain.RoleOps) {
		return res, domain.Errorf(domain.EFORBIDDEN, "Your role (%s) may not record receipts.", r.Role.Label())
	}
	r.SKU, r.Location, r.Reference = strings.TrimSpace(r.SKU), strings.TrimSpace(r.Location), strings.TrimSpace(r.Reference)
	if r.Quantity <= 0 {
		return res, domain.Invalid("Enter a quantity above zero.", map[string]string{"quantity": "must be above zero"})
	}
	if r.Quantity > 10_000_000 {
		return res, domain.Invalid("That quantity is too large for one receipt.", map[string]string{"quantity": "must be at most 10,000,000"})
	}
	if len(r.Reference) > 100 {
		return res, domain.Invalid("The reference is too long.", map[string]string{"reference": "has at most 100 characters"})
	}
	err := db.Update(ctx, func(tx *sql.Tx) error {
		item, _, _, _, err := itemBySKU(ctx, tx, r.SKU)
		if err != nil {
			return err
		}
		var loc int64
		var typ string
		err = tx.QueryRowContext(ctx, `SELECT id, type FROM locations WHERE code = ?`, r.Location).Scan(&loc, &typ)
		if errors.Is(err, sql.ErrNoRows) || typ == sourcing.TypeVendor {
			return domain.Invalid(fmt.Sprintf("There is no warehouse %s.", r.Location), map[string]string{"location": "is not an own location"})
		} else if err != nil {
			return err
		}
		if _, err := recordMovement(ctx, tx, item, loc, r.Quantity, "receipt", db.now(), r.Reference); err != nil {
			return err
		}
		if err := db.insertStockEvent(ctx, tx, item, loc, r.Quantity, "receipt", r.Actor, r.Reference); err != nil {
			return err
		}
		if r.Reference != "" {
			if _, err := tx.ExecContext(ctx, `UPDATE inbound_supply SET status = 'received' WHERE id = (SELECT id FROM inbound_supply
				WHERE item_id = ? AND location_id = ? AND po_number = ? AND status = 'open' ORDER BY expected_date LIMIT 1)`,
				item, loc, r.Reference); err != nil {
				return err
			}
		}
		actor := r.Actor
		if actor == "" {
			actor = "system"
		}
		if err := db.insertEvent(ctx, tx, Event{Kind: "stock.received", Actor: actor,
			Summary: fmt.Sprintf("%s units of %s received at %s (%s).", domain.Thousands(r.Quantity), r.SKU, r.Location, orDashText(r.Reference))}); err != nil {
			return err
		}
		res, err = db.fillBackordersFor(ctx, tx, []int64{item}, actor, "Stock arrived")
		return err
	})
	return res, err
}

func orDashText(s string) string {
	if s == "" {
		return "no reference"
	}
	return s
}

// BackorderRow is one backordered line as the backorder board shows it.
type BackorderRow struct {
	OrderNumber     string
	OrderVersion    int64
	OrderCreatedAt  time.Time
	OrderPriority   int
	OrderStatus     domain.OrderStatus
	CustomerAccount string
	CustomerName    string
	Policy          string // domain.BackorderPolicy*
	LineNo          int
	ItemID          int64
	SKU             string
	Description     string
	Quantity        int64 // backordered units
	PromiseDate     string
	SupplyPO        string
	DropshipVendor  string            // the vendor's code when the item may be dropshipped
	StockAt         []LocationStock   // own locations with stock to promise
	Substitutes     []SubstituteOffer // the item's substitutes at the customer's price
}

// SubstituteOffer is a substitute item at the customer's price, with what
// is available of it.
type SubstituteOffer struct {
	SKU         string
	Description string
	PriceCents  int64
	Available   int64
}

// Backorder board groupings and sorts.
const (
	BackorderByItem     = "item"
	BackorderByCustomer = "customer"
	BackorderByAge      = "age"
	BackorderByPromise  = "promise"
)

// BackorderQuery filters and orders the backorder board.
type BackorderQuery struct {
	SKU      string // prefix
	Customer string // account or name words
	Order    string // one order's number
	Sort     string // item, customer, age (default), promise
	Limit    int
	Offset   int
}

// Backorders pages through every backordered line of orders that may be
// sourced, with where stock is, the substitutes and the promise date, and
// counts them all.
func (db *DB) Backorders(ctx context.Context, q BackorderQuery) ([]BackorderRow, int, error) {
	where := []string{`l.qty_backordered > 0`, `o.status NOT IN ('draft', 'cancelled', 'closed')`}
	var args []any
	if s := strings.TrimSpace(q.SKU); s != "" {
		where, args = append(where, `l.sku LIKE ? || '%'`), append(args, s)
	}
	if s := strings.TrimSpace(q.Order); s != "" {
		where, args = append(where, `o.number = ?`), append(args, s)
	}
	if s := strings.TrimSpace(q.Customer); s != "" {
		where, args = append(where, `(c.account = ? OR c.name LIKE '%' || ? || '%')`), append(args, s, s)
	}
	from := ` FROM order_lines l JOIN orders o ON o.id = l.order_id JOIN customers c ON c.id = o.customer_id WHERE ` + strings.Join(where, " AND ")
	var total int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*)`+from, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count backorders: %w", err)
	}
	order := `o.created_at, o.id, l.line_no`
	switch q.Sort {
	case BackorderByItem:
		order = `l.sku, o.priority, o.created_at, o.id`
	case BackorderByCustomer:
		order = `c.name, c.id, o.created_at, o.id, l.line_no`
	case BackorderByPromise:
		order = `promise = '', promise, o.created_at, o.id`
	}
	limit := q.Limit
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	rows, err := db.read.QueryContext(ctx, `SELECT o.number, o.version, o.created_at, o.priority, o.status, c.account, c.name,
			c.backorder_policy, c.ship_complete OR o.ship_complete, c.price_level, l.line_no, l.item_id, l.sku, l.description, l.qty_backordered,
			coalesce(s.expected_date, '') AS promise, coalesce(s.po_number, ''),
			CASE WHEN i.dropship_eligible = 1 THEN coalesce(v.code, '') ELSE '' END`+
		strings.Replace(from, ` WHERE `, ` JOIN items i ON i.id = l.item_id LEFT JOIN locations v ON v.id = i.dropship_vendor_id AND v.active = 1
			LEFT JOIN inbound_supply s ON s.id = (SELECT id FROM inbound_supply WHERE item_id = l.item_id AND status = 'open'
				ORDER BY expected_date, id LIMIT 1) WHERE `, 1)+
		` ORDER BY `+order+fmt.Sprintf(` LIMIT %d OFFSET %d`, limit, max(q.Offset, 0)), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list backorders: %w", err)
	}
	var out []BackorderRow
	var levels []string
	for rows.Next() {
		var r BackorderRow
		var created, status, level string
		var shipComplete bool
		if err := rows.Scan(&r.OrderNumber, &r.OrderVersion, &created, &r.OrderPriority, &status, &r.CustomerAccount, &r.CustomerName,
			&r.Policy, &shipComplete, &level, &r.LineNo, &r.ItemID, &r.SKU, &r.Description, &r.Quantity, &r.PromiseDate, &r.SupplyPO,
			&r.DropshipVendor); err != nil {
			rows.Close()
			return nil, 0, err
		}
		r.OrderCreatedAt, r.OrderStatus = ParseTime(created), domain.OrderStatus(status)
		r.Policy = domain.BackorderPolicyOf(r.Policy, shipComplete)
		out = append(out, r)
		levels = append(levels, level)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	stock := map[int64][]LocationStock{}
	for i := range out {
		r := &out[i]
		if s, ok := stock[r.ItemID]; ok {
			r.StockAt = s
		} else {
			if r.StockAt, err = db.stockAt(ctx, r.ItemID); err != nil {
				return nil, 0, err
			}
			stock[r.ItemID] = r.StockAt
		}
		if r.Substitutes, err = db.substitutes(ctx, r.ItemID, levels[i]); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}

// stockAt lists the own active locations with stock of the item to
// promise, most first.
func (db *DB) stockAt(ctx context.Context, itemID int64) ([]LocationStock, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT l.code, l.name, i.on_hand - i.allocated - i.safety_stock AS atp
		FROM inventory i JOIN locations l ON l.id = i.location_id
		WHERE i.item_id = ? AND l.active = 1 AND l.type <> 'vendor' AND i.on_hand - i.allocated - i.safety_stock > 0
		ORDER BY atp DESC, l.code`, itemID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []LocationStock
	for rows.Next() {
		var s LocationStock
		if err := rows.Scan(&s.Location, &s.Name, &s.Available); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// substitutes lists the item's active substitutes at the price level's
// price (list price when the level has none), by rank.
func (db *DB) substitutes(ctx context.Context, itemID int64, level string) ([]SubstituteOffer, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT i.sku, i.description, coalesce(p.unit_price_cents, i.list_price_cents),
			coalesce((SELECT sum(max(inv.on_hand - inv.allocated - inv.safety_stock, 0)) FROM inventory inv
				JOIN locations loc ON loc.id = inv.location_id AND loc.active = 1 AND loc.type <> 'vendor' WHERE inv.item_id = i.id), 0)
		FROM item_substitutes s JOIN items i ON i.id = s.substitute_item_id
		LEFT JOIN price_list_entries p ON p.price_level = ? AND p.item_id = i.id
		WHERE s.item_id = ? AND i.active = 1 ORDER BY s.rank, i.sku`, level, itemID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SubstituteOffer
	for rows.Next() {
		var s SubstituteOffer
		if err := rows.Scan(&s.SKU, &s.Description, &s.PriceCents, &s.Available); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
