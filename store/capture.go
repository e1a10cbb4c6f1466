package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

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
	// order is the order as the API shows it, built from what the capture
	// wrote rather than read back.
	order FullOrder
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
		f, err := db.orderFacts(ctx, tx, req)
		if err != nil {
			return err
		}
		out = intake.Validate(req, f.Facts, by.Role)
		return nil
	})
	return out, err
}

func (db *DB) captureOrder(ctx context.Context, tx *sql.Tx, req intake.Request, by Submitter) (Captured, error) {
	req = intake.Normalise(req)
	f, err := db.orderFacts(ctx, tx, req)
	if err != nil {
		return Captured{}, err
	}
	o := intake.Validate(req, f.Facts, by.Role)
	if err := o.Err(); err != nil {
		return Captured{}, err
	}
	number, err := nextOrderNumber(ctx, tx)
	if err != nil {
		return Captured{}, err
	}
	// One instant for every row the capture writes, read back as the
	// database will hold it, so that the answer built here is the order
	// as GET shows it.
	nowText := db.now()
	now := ParseTime(nowText)

	// The order is planned before it is written: each line is inserted
	// with its units already in their buckets and the order with its
	// derived status, instead of inserting, re-reading and moving them.
	plan := sourcing.Order{Number: number, Channel: req.Channel, CustomerType: f.Customer.Type,
		ShipTo:     sourcing.ShipTo{Region: o.ShipTo.Region, PostalCode: o.ShipTo.PostalCode, Country: o.ShipTo.Country, City: o.ShipTo.City},
		ShipMethod: req.ShipMethod, ShipComplete: o.ShipComplete || f.Customer.ShipComplete, ValueCents: o.TotalCents,
		CancelRest: f.Customer.BackorderPolicy == domain.BackorderPolicyCancelRest}
	var lat, lon any
	if p, ok := geo.LookupZIP(o.ShipTo.PostalCode); ok && o.ShipTo.Country == "US" {
		lat, lon = p.Lat, p.Lon
		plan.ShipTo.Lat, plan.ShipTo.Lon, plan.ShipTo.HasCoords = p.Lat, p.Lon, true
	}
	itemIDs := make([]int64, 0, len(o.Lines))
	for _, l := range o.Lines {
		// Until the lines have ids, a line's number stands in for its id.
		plan.Lines = append(plan.Lines, sourcing.Line{LineID: int64(l.LineNo), LineNo: l.LineNo, ItemID: l.ItemID, SKU: l.SKU,
			Quantity: l.Quantity, Flags: f.Flags[l.ItemID]})
		itemIDs = append(itemIDs, l.ItemID)
	}
	setup, err := db.setup(ctx, tx)
	if err != nil {
		return Captured{}, err
	}
	snap, err := loadAvailability(ctx, tx, setup.locations, itemIDs)
	if err != nil {
		return Captured{}, err
	}
	// Orders on hold are still sourced: their stock is reserved while
	// someone clears the hold, and invariant 5 keeps them from release.
	res := sourcing.Plan(plan, snap, setup.rules)

	lines := plannedLines(o.Lines, res)
	facts := domain.OrderFacts{OpenHolds: len(o.Holds)}
	var backordered int64
	for _, l := range lines {
		facts.Lines = append(facts.Lines, l.Buckets)
		backordered += l.Backordered
	}
	status := domain.DeriveOrderStatus(facts)
	var shipToID any
	if f.ShipToID != 0 {
		shipToID = f.ShipToID
	}
	r, err := tx.ExecContext(ctx, `INSERT INTO orders (number, channel, customer_id, customer_po, ship_to_id, ship_name, ship_line1, ship_line2,
			ship_city, ship_region, ship_postal_code, ship_country, ship_latitude, ship_longitude, requested_date, ship_method,
			ship_complete, status, total_cents, has_hold, has_backorder, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		number, req.Channel, f.Customer.ID, req.PONumber, shipToID, o.ShipTo.Name, o.ShipTo.Line1, o.ShipTo.Line2,
		o.ShipTo.City, o.ShipTo.Region, o.ShipTo.PostalCode, o.ShipTo.Country, lat, lon, req.RequestedDate, req.ShipMethod,
		o.ShipComplete, string(status), o.TotalCents, len(o.Holds) > 0, backordered > 0, by.Actor, nowText, nowText)
	if err != nil {
		return Captured{}, err
	}
	orderID, _ := r.LastInsertId()
	if err := insertLines(ctx, tx, orderID, o.Lines, lines); err != nil {
		return Captured{}, err
	}
	lineIDs, lineNos := map[int64]int64{}, map[int64]int{}
	for _, l := range lines {
		lineIDs[int64(l.LineNo)], lineNos[l.ID] = l.ID, l.LineNo
	}
	relabelLines(&res, lineIDs)

	var events []domain.Event
	event := func(e Event) error {
		e.OrderID, e.At = orderID, now
		events = append(events, domain.Event{Kind: e.Kind, Actor: e.Actor, At: now, Summary: e.Summary, Before: e.Before, After: e.After})
		return db.insertEvent(ctx, tx, e)
	}
	if err := event(Event{Kind: "order.created", Actor: by.Actor,
		Summary: fmt.Sprintf("%s order received: %d lines, %s.", domain.ChannelLabel(req.Channel), len(o.Lines), domain.Money(o.TotalCents)),
		After:   string(domain.StatusOpen)}); err != nil {
		return Captured{}, err
	}
	if req.Note != "" {
		if err := event(Event{Kind: "note", Actor: by.Actor, Summary: req.Note}); err != nil {
			return Captured{}, err
		}
	}
	// A price that stands off the list is on the record: who, what and why.
	var overrides []string
	for _, l := range o.Lines {
		if l.OverrideReason != "" {
			overrides = append(overrides, fmt.Sprintf("line %d %s at %s instead of %s (%q)", l.LineNo, l.SKU,
				domain.Money(l.UnitPriceCents), domain.Money(l.PriceListCents), l.OverrideReason))
		}
	}
	if len(overrides) > 0 {
		if err := event(Event{Kind: "price.override", Actor: by.Actor,
			Summary: "Price override: " + strings.Join(overrides, "; ") + "."}); err != nil {
			return Captured{}, err
		}
	}
	var holds []domain.Hold
	var exceptions []domain.OrderException
	for _, h := range o.Holds {
		hold, x, err := placeHold(ctx, tx, orderID, h.Reason, h.Note, by.Actor, now)
		if err != nil {
			return Captured{}, err
		}
		holds, exceptions = append(holds, hold), append(exceptions, x)
		if err := event(Event{Kind: "hold.placed", Actor: by.Actor,
			Summary: domain.HoldReasonLabel(h.Reason) + " hold placed: " + h.Note}); err != nil {
			return Captured{}, err
		}
	}
	written, err := db.writePlan(ctx, tx, orderID, 0, lineNos, snap, res, now)
	if err != nil {
		return Captured{}, err
	}
	if err := event(Event{Kind: "order.sourced", Actor: by.Actor, Summary: planSummary(res, written.codes),
		Before: string(domain.StatusOpen), After: string(status), Data: written.trace}); err != nil {
		return Captured{}, err
	}
	if err := db.insertOutbox(ctx, tx, OutboxMessage{MessageID: "order-accepted-" + number, Topic: "order.accepted",
		Destination: "erp", OrderID: orderID}); err != nil {
		return Captured{}, err
	}
	if backordered > 0 {
		// A real OMS tells the customer at once what waits for stock
		// (unless an admin turned it off).
		auto, err := backorderEmailsAutomatic(ctx, tx)
		if err != nil {
			return Captured{}, err
		}
		if auto {
			_, ok, err := emailRecipient(ctx, tx, f.Customer.ID)
			if err != nil {
				return Captured{}, err
			}
			if !ok {
				err = event(noEmailEvent("backorder e-mail", f.Customer.Account))
			} else {
				err = db.queueBackorderEmail(ctx, tx, fmt.Sprintf("backorder-notice-%d-captured", orderID), orderID)
			}
			if err != nil {
				return Captured{}, err
			}
		}
	}

	d := OrderDetail{
		Order: domain.Order{ID: orderID, Number: number, Channel: req.Channel, CustomerID: f.Customer.ID,
			CustomerAccount: f.Customer.Account, CustomerName: f.Customer.Name, CustomerPO: req.PONumber,
			ShipTo: domain.Address{Name: o.ShipTo.Name, Line1: o.ShipTo.Line1, Line2: o.ShipTo.Line2, City: o.ShipTo.City,
				Region: o.ShipTo.Region, PostalCode: o.ShipTo.PostalCode, Country: o.ShipTo.Country},
			RequestedDate: req.RequestedDate, ShipMethod: req.ShipMethod, ShipComplete: o.ShipComplete, Status: status,
			TotalCents: o.TotalCents, HasHold: len(o.Holds) > 0, HasBackorder: backordered > 0, Version: 1,
			CreatedBy: by.Actor, CreatedAt: now, UpdatedAt: now},
		Totals: lineTotalsOf(lines),
		Lines:  LinePage{Lines: lines, Page: 1, PerPage: MaxLinesPerPage, Pages: 1, Matches: len(lines)},
		Groups: written.groups, Holds: holds, Trace: res.Trace,
	}
	// Exceptions and events are listed newest first; all share one instant,
	// so the newest is the last written.
	exceptions = append(exceptions, written.exceptions...)
	slices.Reverse(exceptions)
	slices.Reverse(events)
	d.Exceptions, d.Events = exceptions, events
	if backordered > 0 {
		// The expected date of a backorder is the item's inbound supply,
		// which only the database knows.
		if d.Backorders, err = orderBackorders(ctx, tx, orderID); err != nil {
			return Captured{}, err
		}
	}
	d.Answer = answerOf(d, db.Now())
	return Captured{OrderID: orderID, Number: number, Status: status, Holds: o.Holds, Plan: res,
		order: FullOrder{OrderDetail: d, GroupLines: written.groupLines}}, nil
}

// plannedLines are the order's lines with each unit in the bucket the plan
// puts it: allocated when a group ships it, cancelled when the plan cancels
// it, backordered otherwise (backorders and exceptions wait for stock or a
// person). Plan line ids are line numbers here.
func plannedLines(ls []intake.Line, res sourcing.Result) []domain.OrderLine {
	allocated, cancelled := map[int64]int64{}, map[int64]int64{}
	for _, g := range res.Groups {
		for _, gl := range g.Lines {
			allocated[gl.LineID] += gl.Quantity
		}
	}
	for _, c := range res.Cancels {
		cancelled[c.LineID] += c.Quantity
	}
	out := make([]domain.OrderLine, 0, len(ls))
	for _, l := range ls {
		n := int64(l.LineNo)
		b := domain.Buckets{Ordered: l.Quantity, Allocated: allocated[n], Cancelled: cancelled[n]}
		b.Backordered = b.Ordered - b.Allocated - b.Cancelled
		out = append(out, domain.OrderLine{LineNo: l.LineNo, SKU: l.SKU, Description: l.Description,
			UnitPriceCents: l.UnitPriceCents, Buckets: b, Status: domain.LineStatus(b)})
	}
	return out
}

// insertLines writes an order's lines with their buckets and statuses, and
// sets each line's id. One prepared statement per line: measured, this is
// cheaper than one statement reading every line from a JSON array.
func insertLines(ctx context.Context, tx *sql.Tx, orderID int64, ls []intake.Line, lines []domain.OrderLine) error {
	for i, l := range ls {
		b := &lines[i]
		// The CHECK of invariant 1 sees each line whole, buckets and all.
		r, err := tx.ExecContext(ctx, `INSERT INTO order_lines (order_id, line_no, item_id, sku, description, quantity, unit_price_cents,
				qty_cancelled, qty_backordered, qty_allocated, status)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, orderID, l.LineNo, l.ItemID, l.SKU, l.Description, l.Quantity, l.UnitPriceCents,
			b.Cancelled, b.Backordered, b.Allocated, string(b.Status))
		if err != nil {
			return err
		}
		if b.ID, err = r.LastInsertId(); err != nil {
			return err
		}
	}
	return nil
}

// relabelLines replaces the plan's stand-in line ids (line numbers) with
// the ids the lines got.
func relabelLines(res *sourcing.Result, ids map[int64]int64) {
	for gi := range res.Groups {
		for li := range res.Groups[gi].Lines {
			res.Groups[gi].Lines[li].LineID = ids[res.Groups[gi].Lines[li].LineID]
		}
	}
	for _, qs := range [][]sourcing.LineQty{res.Backorders, res.Cancels, res.Exceptions} {
		for i := range qs {
			qs[i].LineID = ids[qs[i].LineID]
		}
	}
}

// lineTotalsOf is lineTotals for lines held in memory.
func lineTotalsOf(lines []domain.OrderLine) domain.LineTotals {
	var t domain.LineTotals
	for _, l := range lines {
		t.Lines++
		live := l.Ordered - l.Cancelled
		if live > 0 {
			t.LiveLines++
			if l.Shipped == live {
				t.ShippedLines++
			}
		}
		if l.Shipped > 0 && l.Shipped < live {
			t.PartShippedLines++
		}
		if l.Backordered > 0 {
			t.BackorderLines++
		}
		t.Units = t.Units.Plus(l.Buckets)
	}
	return t
}

// placeHold records a hold and the exception that puts it in front of a
// person, and returns both as the order page shows them.
func placeHold(ctx context.Context, tx *sql.Tx, orderID int64, reason, note, actor string, now time.Time) (domain.Hold, domain.OrderException, error) {
	h := domain.Hold{Reason: reason, Note: note, PlacedBy: actor, PlacedAt: now}
	res, err := tx.ExecContext(ctx, `INSERT INTO holds (order_id, reason, note, placed_by, placed_at) VALUES (?, ?, ?, ?, ?)`,
		orderID, reason, note, actor, FormatTime(now))
	if err != nil {
		return h, domain.OrderException{}, err
	}
	h.ID, _ = res.LastInsertId()
	x := domain.OrderException{Kind: "hold_" + reason, Severity: "medium", Status: "open",
		Summary:  domain.HoldReasonLabel(reason) + " hold: " + note,
		SLADueAt: ParseTime(FormatTime(now.Add(exceptionSLA))), CreatedAt: now}
	if reason == "credit" || reason == "fraud" {
		x.Severity = "high"
	}
	res, err = tx.ExecContext(ctx, `INSERT INTO exceptions (kind, order_id, hold_id, severity, summary, sla_due_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, x.Kind, orderID, h.ID, x.Severity, x.Summary, FormatTime(x.SLADueAt), FormatTime(now))
	if err != nil {
		return h, x, err
	}
	x.ID, _ = res.LastInsertId()
	return h, x, nil
}

// exceptionSLA is how long a person has to act on a new exception.
const exceptionSLA = 4 * time.Hour

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

// orderFacts are what validation needs for a request, and what the
// capture needs besides: the sourcing flags of its items and the id of the
// stored ship-to it names.
type orderFacts struct {
	intake.Facts
	Flags    map[int64]sourcing.ItemFlags // by item id
	ShipToID int64
}

// orderFacts loads the facts of a request in as few statements as it can:
// one for the customer with its open orders and duplicate PO, one for the
// ship-to when the request names one, one for every item.
func (db *DB) orderFacts(ctx context.Context, q querier, req intake.Request) (orderFacts, error) {
	f := orderFacts{Facts: intake.Facts{Items: map[string]intake.Item{}, Now: db.Now()}, Flags: map[int64]sourcing.ItemFlags{}}
	if req.CustomerAccount != "" {
		var c intake.Customer
		var hold string
		// The open-orders balance is kept by triggers (migration 0014).
		err := q.QueryRowContext(ctx, `SELECT c.id, c.account, c.name, c.type, c.active, c.credit_limit_cents, c.open_ar_cents,
				c.credit_status, c.price_level, c.ship_complete, c.backorder_policy, c.open_orders_cents,
				coalesce((SELECT number FROM orders WHERE customer_id = c.id AND customer_po = ?2 AND ?2 <> '' AND status <> 'draft'
					ORDER BY id LIMIT 1), '')
			FROM customers c WHERE c.account = ?1`, req.CustomerAccount, req.PONumber).Scan(&c.ID, &c.Account, &c.Name, &c.Type, &c.Active,
			&c.CreditLimitCents, &c.OpenARCents, &hold, &c.PriceLevel, &c.ShipComplete, &c.BackorderPolicy, &f.OpenOrdersCents, &f.DuplicatePO)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return f, err
		default:
			c.CreditHold = hold == "hold"
			f.Customer = &c
		}
	}
	if f.Customer != nil && req.ShipToCode != "" {
		var a intake.Address
		err := q.QueryRowContext(ctx, `SELECT id, name, line1, line2, city, region, postal_code, country FROM ship_tos
			WHERE customer_id = ? AND code = ? AND active = 1`, f.Customer.ID, req.ShipToCode).
			Scan(&f.ShipToID, &a.Name, &a.Line1, &a.Line2, &a.City, &a.Region, &a.PostalCode, &a.Country)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return f, err
		default:
			f.ShipTo = &a
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
			i.dropship_eligible, coalesce(i.dropship_vendor_id, 0), i.hazmat,
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
		var fl sourcing.ItemFlags
		var subs string
		if err := rows.Scan(&it.ID, &it.SKU, &it.Description, &it.PackQty, &it.MinQty, &it.Active, &it.Discontinued,
			&fl.DropshipEligible, &fl.DropshipVendorID, &fl.Hazmat, &it.PriceCents, &subs); err != nil {
			return f, err
		}
		fl.Discontinued = it.Discontinued
		f.Flags[it.ID] = fl
		if subs != "" {
			it.Substitutes = strings.Split(subs, ",")
		}
		f.Items[strings.ToUpper(it.SKU)] = it
	}
	return f, rows.Err()
}
