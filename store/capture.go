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
	"github.com/oms/oms/intake"
	"github.com/oms/oms/sourcing"
)

// Captured is what the pipeline did with an order.
type Captured struct {
	OrderID int64
	Number  string
	Status  domain.OrderStatus
	Holds   []intake.Hold
	Plan    sourcing.Result
}

// Submitter is who sends an order: the actor named in events and the role
// that decides whether price overrides stand.
type Submitter struct {
	Actor string
	Role  domain.Role
}

// CaptureOrder runs the one intake pipeline for every channel in a single
// write transaction: normalise, validate, accept (with holds and their
// exceptions) or reject, source and allocate, and write the events and the
// outbox message that tells the ERP. A rejected order writes nothing.
// Returns EINVALID with per-field messages.
func (db *DB) CaptureOrder(ctx context.Context, req intake.Request, by Submitter) (Captured, error) {
	var out Captured
	err := db.Update(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = db.captureOrder(ctx, tx, req, by)
		return err
	})
	return out, err
}

// ValidateOrder runs the validation of CaptureOrder on the read pool and
// writes nothing: the entry screen uses it to warn before submit.
func (db *DB) ValidateOrder(ctx context.Context, req intake.Request, by Submitter) (intake.Outcome, error) {
	req = intake.Normalise(req)
	var out intake.Outcome
	err := db.View(ctx, func(tx *sql.Tx) error {
		f, err := db.intakeFacts(ctx, tx, req)
		if err != nil {
			return err
		}
		out = intake.Validate(req, f, by.Role)
		return nil
	})
	return out, err
}

func (db *DB) captureOrder(ctx context.Context, tx *sql.Tx, req intake.Request, by Submitter) (Captured, error) {
	req = intake.Normalise(req)
	f, err := db.intakeFacts(ctx, tx, req)
	if err != nil {
		return Captured{}, err
	}
	o := intake.Validate(req, f, by.Role)
	if err := o.Err(); err != nil {
		return Captured{}, err
	}
	number, err := nextOrderNumber(ctx, tx)
	if err != nil {
		return Captured{}, err
	}
	now := db.now()
	var lat, lon any
	if p, ok := geo.LookupZIP(o.ShipTo.PostalCode); ok && o.ShipTo.Country == "US" {
		lat, lon = p.Lat, p.Lon
	}
	var shipToID any
	if req.ShipToCode != "" {
		var id int64
		if err := tx.QueryRowContext(ctx, `SELECT id FROM ship_tos WHERE customer_id = ? AND code = ?`, f.Customer.ID, req.ShipToCode).Scan(&id); err == nil {
			shipToID = id
		}
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO orders (number, channel, customer_id, customer_po, ship_to_id, ship_name, ship_line1, ship_line2,
			ship_city, ship_region, ship_postal_code, ship_country, ship_latitude, ship_longitude, requested_date, ship_method,
			ship_complete, status, total_cents, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'backordered', ?, ?, ?, ?)`,
		number, req.Channel, f.Customer.ID, req.PONumber, shipToID, o.ShipTo.Name, o.ShipTo.Line1, o.ShipTo.Line2,
		o.ShipTo.City, o.ShipTo.Region, o.ShipTo.PostalCode, o.ShipTo.Country, lat, lon, req.RequestedDate, req.ShipMethod,
		o.ShipComplete, o.TotalCents, by.Actor, now, now)
	if err != nil {
		return Captured{}, err
	}
	orderID, _ := res.LastInsertId()
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO order_lines (order_id, line_no, item_id, sku, description, quantity, unit_price_cents,
		qty_backordered, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'backordered')`)
	if err != nil {
		return Captured{}, err
	}
	defer stmt.Close()
	for _, l := range o.Lines {
		// A new line's units wait in backordered until sourcing moves them:
		// invariant 1 holds from the first statement.
		if _, err := stmt.ExecContext(ctx, orderID, l.LineNo, l.ItemID, l.SKU, l.Description, l.Quantity, l.UnitPriceCents, l.Quantity); err != nil {
			return Captured{}, err
		}
	}
	if err := db.insertEvent(ctx, tx, Event{OrderID: orderID, Kind: "order.created", Actor: by.Actor,
		Summary: fmt.Sprintf("%s order received: %d lines, %s.", domain.ChannelLabel(req.Channel), len(o.Lines), moneyText(o.TotalCents)),
		After:   string(domain.StatusOpen)}); err != nil {
		return Captured{}, err
	}
	if req.Note != "" {
		if err := db.insertEvent(ctx, tx, Event{OrderID: orderID, Kind: "note", Actor: by.Actor, Summary: req.Note}); err != nil {
			return Captured{}, err
		}
	}
	for _, h := range o.Holds {
		if err := db.placeHold(ctx, tx, orderID, h.Reason, h.Note, by.Actor); err != nil {
			return Captured{}, err
		}
	}
	// Orders on hold are still sourced: their stock is reserved while
	// someone clears the hold, and invariant 5 keeps them from release.
	plan, err := db.sourceOrder(ctx, tx, orderID, by.Actor)
	if err != nil {
		return Captured{}, err
	}
	var status string
	if err := tx.QueryRowContext(ctx, `SELECT status FROM orders WHERE id = ?`, orderID).Scan(&status); err != nil {
		return Captured{}, err
	}
	payload, _ := json.Marshal(map[string]any{"order": number, "customer": f.Customer.Account, "po": req.PONumber,
		"channel": req.Channel, "total_cents": o.TotalCents, "lines": o.Lines})
	if err := db.insertOutbox(ctx, tx, OutboxMessage{MessageID: "order-accepted-" + number, Topic: "order.accepted",
		Destination: "erp", OrderID: orderID, Payload: string(payload)}); err != nil {
		return Captured{}, err
	}
	return Captured{OrderID: orderID, Number: number, Status: domain.OrderStatus(status), Holds: o.Holds, Plan: plan}, nil
}

// placeHold records a hold and the exception that puts it in front of a
// person, with its event.
func (db *DB) placeHold(ctx context.Context, tx *sql.Tx, orderID int64, reason, note, actor string) error {
	now := db.Now()
	res, err := tx.ExecContext(ctx, `INSERT INTO holds (order_id, reason, note, placed_by, placed_at) VALUES (?, ?, ?, ?, ?)`,
		orderID, reason, note, actor, FormatTime(now))
	if err != nil {
		return err
	}
	holdID, _ := res.LastInsertId()
	severity := "medium"
	if reason == "credit" || reason == "fraud" {
		severity = "high"
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO exceptions (kind, order_id, hold_id, severity, summary, sla_due_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, "hold_"+reason, orderID, holdID, severity, domain.HoldReasonLabel(reason)+" hold: "+note,
		FormatTime(now.Add(4*60*60*1e9)), FormatTime(now)); err != nil {
		return err
	}
	return db.insertEvent(ctx, tx, Event{OrderID: orderID, Kind: "hold.placed", Actor: actor,
		Summary: domain.HoldReasonLabel(reason) + " hold placed: " + note})
}

// nextOrderNumber takes the next order number from the sequence, in the
// caller's write transaction.
func nextOrderNumber(ctx context.Context, tx *sql.Tx) (string, error) {
	var n int64
	err := tx.QueryRowContext(ctx, `INSERT INTO sequences (name, value) VALUES ('order_number', 100001)
		ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value`).Scan(&n)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("SO-%06d", n), nil
}

// intakeFacts loads what validation needs for a request.
func (db *DB) intakeFacts(ctx context.Context, q querier, req intake.Request) (intake.Facts, error) {
	f := intake.Facts{Items: map[string]intake.Item{}, Now: db.Now()}
	if req.CustomerAccount != "" {
		var c intake.Customer
		var hold string
		err := q.QueryRowContext(ctx, `SELECT id, account, name, type, active, credit_limit_cents, open_ar_cents, credit_status, price_level, ship_complete
			FROM customers WHERE account = ?`, req.CustomerAccount).Scan(&c.ID, &c.Account, &c.Name, &c.Type, &c.Active,
			&c.CreditLimitCents, &c.OpenARCents, &hold, &c.PriceLevel, &c.ShipComplete)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return f, err
		default:
			c.CreditHold = hold == "hold"
			f.Customer = &c
		}
	}
	if f.Customer != nil {
		c := f.Customer
		// Open orders: accepted and not yet shipped, cancelled or closed.
		if err := q.QueryRowContext(ctx, `SELECT coalesce(sum(total_cents), 0) FROM orders
			WHERE customer_id = ? AND `+openOrderSQL, c.ID).Scan(&f.OpenOrdersCents); err != nil {
			return f, err
		}
		if req.PONumber != "" {
			err := q.QueryRowContext(ctx, `SELECT number FROM orders WHERE customer_id = ? AND customer_po = ? AND status <> 'draft'
				ORDER BY id LIMIT 1`, c.ID, req.PONumber).Scan(&f.DuplicatePO)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return f, err
			}
		}
		if req.ShipToCode != "" {
			var a intake.Address
			err := q.QueryRowContext(ctx, `SELECT name, line1, line2, city, region, postal_code, country FROM ship_tos
				WHERE customer_id = ? AND code = ? AND active = 1`, c.ID, req.ShipToCode).
				Scan(&a.Name, &a.Line1, &a.Line2, &a.City, &a.Region, &a.PostalCode, &a.Country)
			switch {
			case errors.Is(err, sql.ErrNoRows):
			case err != nil:
				return f, err
			default:
				f.ShipTo = &a
			}
		}
	}
	skus := map[string]bool{}
	var args []any
	for _, l := range req.Lines {
		if l.SKU != "" && !skus[l.SKU] && len(args) < intake.MaxLines {
			skus[l.SKU] = true
			args = append(args, l.SKU)
		}
	}
	if len(args) == 0 {
		return f, nil
	}
	level := "LIST"
	if f.Customer != nil {
		level = f.Customer.PriceLevel
	}
	rows, err := q.QueryContext(ctx, `SELECT i.id, i.sku, i.description, i.pack_qty, i.min_qty, i.active, i.discontinued,
			coalesce(p.unit_price_cents, i.list_price_cents),
			coalesce((SELECT group_concat(s.sku, ',') FROM item_substitutes x JOIN items s ON s.id = x.substitute_item_id
				WHERE x.item_id = i.id AND s.active = 1 AND s.discontinued = 0), '')
		FROM items i LEFT JOIN price_list_entries p ON p.item_id = i.id AND p.price_level = ?
		WHERE i.sku IN (`+placeholders(len(args))+`)`, append([]any{level}, args...)...)
	if err != nil {
		return f, err
	}
	defer rows.Close()
	for rows.Next() {
		var it intake.Item
		var subs string
		if err := rows.Scan(&it.ID, &it.SKU, &it.Description, &it.PackQty, &it.MinQty, &it.Active, &it.Discontinued, &it.PriceCents, &subs); err != nil {
			return f, err
		}
		if subs != "" {
			it.Substitutes = strings.Split(subs, ",")
		}
		f.Items[strings.ToUpper(it.SKU)] = it
	}
	return f, rows.Err()
}

func moneyText(cents int64) string {
	return fmt.Sprintf("$%d.%02d", cents/100, cents%100)
}
