package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/geo"
)

// The actions of the exception queue, the backorder board, the order page
// and the JSON API. Each is one store method built on act, so that all
// three reach one implementation with one version check and one event.

// cancelRoles may cancel orders and lines and close remainders.
var cancelRoles = []domain.Role{domain.RoleOps, domain.RoleCSR}

// CancelOrder cancels (or, once something has shipped, closes) the rest of
// the order: backordered units are cancelled, planned and released
// shipments give their units back (released ones are recalled from the
// WMS), open holds and exceptions are resolved, and the ERP hears of it.
// Shipped units stay shipped. Ops, customer service and admin; a reason is
// required. Returns ENOTFOUND, EINVALID, EFORBIDDEN, ECONFLICT for a stale
// version or an order with nothing left to cancel.
func (db *DB) CancelOrder(ctx context.Context, a OrderAction) (domain.Order, error) {
	if err := requireRole(a, "cancel orders", cancelRoles...); err != nil {
		return domain.Order{}, err
	}
	if err := requireReason(a, "cancel the order"); err != nil {
		return domain.Order{}, err
	}
	return db.act(ctx, a, func(tx *sql.Tx, o domain.Order) (ActionEvent, error) {
		lines, err := unfinishedLines(ctx, tx, o.ID)
		if err != nil {
			return ActionEvent{}, err
		}
		var units, shipped int64
		for _, l := range lines {
			n, err := db.cancelLineRest(ctx, tx, o, l, a.Reason)
			if err != nil {
				return ActionEvent{}, err
			}
			units += n
			shipped += l.Shipped
		}
		if units == 0 {
			return ActionEvent{}, domain.Errorf(domain.ECONFLICT, "Order %s has nothing left to cancel.", o.Number)
		}
		now := db.now()
		if _, err := tx.ExecContext(ctx, `UPDATE holds SET released_by = ?, released_at = ?, release_note = 'Order cancelled.'
			WHERE order_id = ? AND released_at IS NULL`, a.Actor, now, o.ID); err != nil {
			return ActionEvent{}, err
		}
		if err := resolveExceptions(ctx, tx, a.Actor, now, "Order cancelled: "+a.Reason, `order_id = ?`, o.ID); err != nil {
			return ActionEvent{}, err
		}
		kind, what := "order.cancelled", "cancelled"
		if shipped > 0 {
			kind, what = "order.closed", "closed"
		}
		if err := db.insertOutbox(ctx, tx, OutboxMessage{MessageID: fmt.Sprintf("%s-%d-v%d", kind, o.ID, o.Version), Topic: kind,
			Destination: "erp", OrderID: o.ID, Detail: a.Reason}); err != nil {
			return ActionEvent{}, err
		}
		if err := updateOrderTotal(ctx, tx, o.ID); err != nil {
			return ActionEvent{}, err
		}
		return ActionEvent{Kind: kind, Summary: fmt.Sprintf("Order %s: %s units not yet shipped cancelled.", what, domain.Thousands(units))}, nil
	})
}

// CancelLine cancels (closes) what is left of line lineNo: its backordered
// units, and its units in planned or released shipments (a released
// shipment is told to the WMS). Shipped units stay. The ERP hears of it.
// Ops, customer service and admin; a reason is required. Returns
// ENOTFOUND, EINVALID, EFORBIDDEN, ECONFLICT for a stale version or a line
// with nothing left.
func (db *DB) CancelLine(ctx context.Context, a OrderAction, lineNo int) (domain.Order, error) {
	if err := requireRole(a, "cancel order lines", cancelRoles...); err != nil {
		return domain.Order{}, err
	}
	if err := requireReason(a, "close the line"); err != nil {
		return domain.Order{}, err
	}
	return db.act(ctx, a, func(tx *sql.Tx, o domain.Order) (ActionEvent, error) {
		l, err := lineOf(ctx, tx, o, lineNo)
		if err != nil {
			return ActionEvent{}, err
		}
		n, err := db.cancelLineRest(ctx, tx, o, l, a.Reason)
		if err != nil {
			return ActionEvent{}, err
		}
		if n == 0 {
			return ActionEvent{}, domain.Errorf(domain.ECONFLICT, "Line %d (%s) has nothing left to cancel.", l.LineNo, l.SKU)
		}
		now := db.now()
		if err := resolveExceptions(ctx, tx, a.Actor, now, "Line closed: "+a.Reason, `order_line_id = ?`, l.ID); err != nil {
			return ActionEvent{}, err
		}
		if err := db.insertOutbox(ctx, tx, OutboxMessage{MessageID: fmt.Sprintf("line-cancelled-%d-v%d", l.ID, o.Version), Topic: "order.line_cancelled",
			Destination: "erp", OrderID: o.ID, LineID: l.ID, Detail: a.Reason}); err != nil {
			return ActionEvent{}, err
		}
		if err := updateOrderTotal(ctx, tx, o.ID); err != nil {
			return ActionEvent{}, err
		}
		verb := "cancelled"
		if l.Shipped > 0 {
			verb = "closed"
		}
		return ActionEvent{Kind: "line.cancelled", Summary: fmt.Sprintf("Line %d (%s) %s: %s units not yet shipped cancelled.",
			l.LineNo, l.SKU, verb, domain.Thousands(n))}, nil
	})
}

// unfinishedLines reads the order's lines that still have units not shipped or
// cancelled.
func unfinishedLines(ctx context.Context, tx *sql.Tx, orderID int64) ([]domain.OrderLine, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, line_no, sku, description, unit_price_cents, quantity, qty_cancelled,
		qty_backordered, qty_allocated, qty_released, qty_shipped FROM order_lines
		WHERE order_id = ? AND qty_backordered + qty_allocated + qty_released > 0 ORDER BY line_no`, orderID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []domain.OrderLine
	for rows.Next() {
		var l domain.OrderLine
		if err := rows.Scan(&l.ID, &l.LineNo, &l.SKU, &l.Description, &l.UnitPriceCents, &l.Ordered, &l.Cancelled,
			&l.Backordered, &l.Allocated, &l.Released, &l.Shipped); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// cancelLineRest moves every unshipped unit of line l to cancelled: its
// backorder, and its share of planned and released shipments, whose
// reservations end (invariant 2); a shipment left empty is cancelled, and
// the WMS hears of changes to released ones. It returns the units
// cancelled.
func (db *DB) cancelLineRest(ctx context.Context, tx *sql.Tx, o domain.Order, l domain.OrderLine, reason string) (int64, error) {
	n := l.Backordered
	if n > 0 {
		if err := moveBucket(ctx, tx, l.ID, "qty_backordered", "qty_cancelled", n); err != nil {
			return 0, err
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT g.id, g.seq, g.status, g.location_id, loc.code, gl.item_id, gl.quantity
		FROM fulfilment_group_lines gl JOIN fulfilment_groups g ON g.id = gl.group_id JOIN locations loc ON loc.id = g.location_id
		WHERE gl.order_line_id = ? AND g.status IN ('planned', 'released')`, l.ID)
	if err != nil {
		return 0, err
	}
	type share struct {
		group, loc, item, qty int64
		seq                   int
		status, code          string
	}
	var shares []share
	for rows.Next() {
		var s share
		if err := rows.Scan(&s.group, &s.seq, &s.status, &s.loc, &s.code, &s.item, &s.qty); err != nil {
			rows.Close()
			return 0, err
		}
		shares = append(shares, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	now := db.now()
	for _, s := range shares {
		from := "qty_allocated"
		if s.status == "released" {
			from = "qty_released"
		}
		if err := moveBucket(ctx, tx, l.ID, from, "qty_cancelled", s.qty); err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE inventory SET allocated = allocated - ? WHERE item_id = ? AND location_id = ?`,
			s.qty, s.item, s.loc); err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM fulfilment_group_lines WHERE group_id = ? AND order_line_id = ?`, s.group, l.ID); err != nil {
			return 0, err
		}
		var left int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM fulfilment_group_lines WHERE group_id = ?`, s.group).Scan(&left); err != nil {
			return 0, err
		}
		if left == 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE fulfilment_groups SET status = 'cancelled', cancelled_at = ? WHERE id = ?`, now, s.group); err != nil {
				return 0, err
			}
		}
		if s.status == "released" {
			if err := db.insertOutbox(ctx, tx, OutboxMessage{MessageID: fmt.Sprintf("group-line-cancelled-%d-%d-v%d", s.group, l.ID, o.Version),
				Topic: "group.line_cancelled", Destination: "wms", OrderID: o.ID, GroupID: s.group, LineID: l.ID, Detail: reason}); err != nil {
				return 0, err
			}
		}
		n += s.qty
	}
	return n, nil
}

// updateOrderTotal sets the order's value to its units not cancelled at
// their prices, after an action changed prices or quantities.
func updateOrderTotal(ctx context.Context, tx *sql.Tx, orderID int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE orders SET total_cents = (SELECT coalesce(sum((quantity - qty_cancelled) * unit_price_cents), 0)
		FROM order_lines WHERE order_id = ?1) WHERE id = ?1`, orderID)
	return err
}

// OverridePrice sets line lineNo's unit price (a price hold's usual
// resolution). Inside sales, ops and admin; a reason is required. Returns
// ENOTFOUND, EINVALID, EFORBIDDEN, ECONFLICT for a stale version or a line
// that has shipped in full.
func (db *DB) OverridePrice(ctx context.Context, a OrderAction, lineNo int, priceCents int64) (domain.Order, error) {
	if err := requireRole(a, "override prices", domain.RoleSales, domain.RoleOps); err != nil {
		return domain.Order{}, err
	}
	if priceCents < 0 {
		return domain.Order{}, domain.Invalid("A price cannot be negative.", map[string]string{"unit_price": "must be zero or more"})
	}
	if err := requireReason(a, "override the price"); err != nil {
		return domain.Order{}, err
	}
	return db.act(ctx, a, func(tx *sql.Tx, o domain.Order) (ActionEvent, error) {
		l, err := lineOf(ctx, tx, o, lineNo)
		if err != nil {
			return ActionEvent{}, err
		}
		if l.Shipped+l.Cancelled == l.Ordered {
			return ActionEvent{}, domain.Errorf(domain.ECONFLICT, "Line %d (%s) is shipped or cancelled; its price can no longer change.", l.LineNo, l.SKU)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE order_lines SET unit_price_cents = ? WHERE id = ?`, priceCents, l.ID); err != nil {
			return ActionEvent{}, err
		}
		if err := updateOrderTotal(ctx, tx, o.ID); err != nil {
			return ActionEvent{}, err
		}
		// The event keeps the price before and after; the message names
		// the line, whose price the dispatcher reads when it sends.
		data, _ := json.Marshal(map[string]any{"order": o.Number, "line_no": l.LineNo, "sku": l.SKU,
			"unit_price_cents": priceCents, "was_cents": l.UnitPriceCents, "reason": a.Reason})
		if err := db.insertOutbox(ctx, tx, OutboxMessage{MessageID: fmt.Sprintf("price-changed-%d-v%d", l.ID, o.Version), Topic: "order.price_changed",
			Destination: "erp", OrderID: o.ID, LineID: l.ID, Detail: a.Reason}); err != nil {
			return ActionEvent{}, err
		}
		return ActionEvent{Kind: "price.override", Summary: fmt.Sprintf("Line %d (%s) price changed from %s to %s.",
			l.LineNo, l.SKU, domain.Money(l.UnitPriceCents), domain.Money(priceCents)), Data: string(data)}, nil
	})
}

// CorrectAddress replaces the order's ship-to address (an address hold's
// usual resolution); coordinates come from the postal code. Customer
// service, inside sales, ops and admin. Returns ENOTFOUND, EINVALID for a
// missing field, EFORBIDDEN, ECONFLICT for a stale version or an order
// that has shipped.
func (db *DB) CorrectAddress(ctx context.Context, a OrderAction, addr domain.Address) (domain.Order, error) {
	if err := requireRole(a, "correct addresses", domain.RoleCSR, domain.RoleSales, domain.RoleOps); err != nil {
		return domain.Order{}, err
	}
	addr = trimAddress(addr)
	fields := map[string]string{}
	for k, v := range map[string]string{"ship_name": addr.Name, "ship_line1": addr.Line1, "ship_city": addr.City,
		"ship_region": addr.Region, "ship_postal_code": addr.PostalCode} {
		if v == "" {
			fields[k] = "is required"
		}
	}
	if len(fields) > 0 {
		return domain.Order{}, domain.Invalid("The address is missing a part.", fields)
	}
	return db.act(ctx, a, func(tx *sql.Tx, o domain.Order) (ActionEvent, error) {
		if o.Status == domain.StatusShipped || o.Status == domain.StatusCancelled || o.Status == domain.StatusClosed {
			return ActionEvent{}, domain.Errorf(domain.ECONFLICT, "Order %s is %s; its address can no longer change.", o.Number, strings.ToLower(o.Status.Label()))
		}
		var lat, lon any
		if p, ok := geo.LookupZIP(addr.PostalCode); ok {
			lat, lon = p.Lat, p.Lon
		}
		if _, err := tx.ExecContext(ctx, `UPDATE orders SET ship_name = ?, ship_line1 = ?, ship_line2 = ?, ship_city = ?, ship_region = ?,
			ship_postal_code = ?, ship_country = ?, ship_latitude = ?, ship_longitude = ? WHERE id = ?`,
			addr.Name, addr.Line1, addr.Line2, addr.City, addr.Region, addr.PostalCode, addr.Country, lat, lon, o.ID); err != nil {
			return ActionEvent{}, err
		}
		if err := db.insertOutbox(ctx, tx, OutboxMessage{MessageID: fmt.Sprintf("address-corrected-%d-v%d", o.ID, o.Version), Topic: "order.address_changed",
			Destination: "erp", OrderID: o.ID, Detail: a.Reason}); err != nil {
			return ActionEvent{}, err
		}
		return ActionEvent{Kind: "address.corrected", Summary: fmt.Sprintf("Ship-to changed from %q to %q.",
			addressLine(o.ShipTo), addressLine(addr))}, nil
	})
}

func trimAddress(a domain.Address) domain.Address {
	a.Name, a.Line1, a.Line2 = strings.TrimSpace(a.Name), strings.TrimSpace(a.Line1), strings.TrimSpace(a.Line2)
	a.City, a.Region = strings.TrimSpace(a.City), strings.ToUpper(strings.TrimSpace(a.Region))
	a.PostalCode, a.Country = strings.TrimSpace(a.PostalCode), strings.ToUpper(strings.TrimSpace(a.Country))
	if a.Country == "" {
		a.Country = "US"
	}
	return a
}

func addressLine(a domain.Address) string {
	var parts []string
	for _, s := range []string{a.Name, a.Line1, a.Line2, a.City, strings.TrimSpace(a.Region + " " + a.PostalCode)} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

// NotifyBackorder tells the customer which of the order's units are
// backordered and when they are expected: an event, and an outbox message
// to the e-mail sender (topic customer.backorder_notice) that names the
// order; package notify builds the e-mail from the order. Customer
// service, ops and admin. Returns ENOTFOUND, EFORBIDDEN, ECONFLICT for a
// stale version, an order with no backorder or a customer with no e-mail
// address.
func (db *DB) NotifyBackorder(ctx context.Context, a OrderAction) (domain.Order, error) {
	if err := requireRole(a, "notify customers", domain.RoleCSR, domain.RoleOps); err != nil {
		return domain.Order{}, err
	}
	return db.act(ctx, a, func(tx *sql.Tx, o domain.Order) (ActionEvent, error) {
		bos, err := orderBackorders(ctx, tx, o.ID)
		if err != nil {
			return ActionEvent{}, err
		}
		if len(bos) == 0 {
			return ActionEvent{}, domain.Errorf(domain.ECONFLICT, "Order %s has nothing backordered.", o.Number)
		}
		var parts []string
		for _, b := range bos {
			s := fmt.Sprintf("%d x %s", b.Quantity, b.SKU)
			if b.ExpectedDate != "" {
				s += " expected " + b.ExpectedDate
			}
			parts = append(parts, s)
		}
		to, ok, err := emailRecipient(ctx, tx, o.CustomerID)
		if err != nil {
			return ActionEvent{}, err
		}
		if !ok {
			return ActionEvent{}, domain.Errorf(domain.ECONFLICT, "Customer %s has no e-mail address and no contact with one: call them instead.", o.CustomerAccount)
		}
		if err := db.queueBackorderEmail(ctx, tx, fmt.Sprintf("backorder-notice-%d-v%d", o.ID, o.Version), o.ID); err != nil {
			return ActionEvent{}, err
		}
		return ActionEvent{Kind: "customer.notified", Summary: "Backorder e-mail to " + to.Email + " queued: " + strings.Join(parts, "; ") + "."}, nil
	})
}

// itemBySKU reads an active item's id and description.
func itemBySKU(ctx context.Context, tx *sql.Tx, sku string) (id int64, desc string, dropship bool, vendor int64, err error) {
	var v sql.NullInt64
	err = tx.QueryRowContext(ctx, `SELECT id, description, dropship_eligible, dropship_vendor_id FROM items WHERE sku = ? AND active = 1`,
		strings.TrimSpace(sku)).Scan(&id, &desc, &dropship, &v)
	if errors.Is(err, sql.ErrNoRows) {
		err = domain.Invalid(fmt.Sprintf("There is no item %s.", sku), map[string]string{"sku": "is not a known item"})
	}
	return id, desc, dropship, v.Int64, err
}
