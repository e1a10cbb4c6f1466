package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/geo"
	"github.com/oms/oms/sourcing"
)

// SimOrder is an order typed into the rule simulator.
type SimOrder struct {
	ShipToZIP    string
	CustomerType string
	Channel      string
	ShipMethod   string
	ShipComplete bool
	Lines        []SimLine
}

// SimLine is one typed line: a SKU and a quantity.
type SimLine struct {
	SKU      string
	Quantity int64
}

// Simulation is how one order would be sourced now under the active rules
// and under the draft rules (the active rules plus every draft, each draft
// at its own position as if it were active). Nothing is reserved.
type Simulation struct {
	Order      sourcing.Order
	Existing   bool // an existing order, re-planned as if none of it were allocated yet
	Active     sourcing.Result
	Draft      sourcing.Result
	DraftRules []string // names of the drafts taken into account
	// Unreached says, for each draft that can never match, which earlier
	// rule takes its orders.
	Unreached []string
}

// SimulateOrder plans an existing order under both rule sets, in one read
// transaction. The order's open quantity (ordered - cancelled - shipped) is
// planned, with its own current reservations added back to availability,
// so the answer is "where would this order ship from if it came in now".
// Returns ENOTFOUND, and EINVALID when nothing is left open.
func (db *DB) SimulateOrder(ctx context.Context, number string) (Simulation, error) {
	sim := Simulation{Existing: true}
	err := db.View(ctx, func(tx *sql.Tx) error {
		id, err := orderIDByNumber(ctx, tx, strings.TrimSpace(number))
		if err != nil {
			return err
		}
		o, _, err := loadPlanOrder(ctx, tx, id)
		if err != nil {
			return err
		}
		o.Lines, err = openLines(ctx, tx, id)
		if err != nil {
			return err
		}
		if len(o.Lines) == 0 {
			return domain.Errorf(domain.EINVALID, "Order %s has nothing left open to source: every unit is shipped or cancelled.", o.Number)
		}
		snap, err := loadSnapshot(ctx, tx, lineItems(o.Lines))
		if err != nil {
			return err
		}
		if err := addOwnReservations(ctx, tx, id, snap); err != nil {
			return err
		}
		sim.Order = o
		return simulate(ctx, tx, &sim, snap)
	})
	return sim, err
}

// SimulateTyped plans a typed order under both rule sets, in one read
// transaction. Its value is the lines at list price. Returns EINVALID with
// fields "zip", "customer_type", "channel", "lines" and "lines.N.sku" or
// "lines.N.quantity" (N from 0).
func (db *DB) SimulateTyped(ctx context.Context, in SimOrder) (Simulation, error) {
	f := map[string]string{}
	pt, ok := geo.LookupZIP(in.ShipToZIP)
	if !ok {
		f["zip"] = "enter a 5-digit US ZIP code"
	}
	if in.CustomerType != sourcing.CustomerB2B && in.CustomerType != sourcing.CustomerB2C {
		f["customer_type"] = "choose B2B or B2C"
	}
	if !slices.Contains(domain.Channels, in.Channel) {
		f["channel"] = "choose a channel"
	}
	if in.ShipMethod == "" {
		in.ShipMethod = "GROUND"
	}
	o := sourcing.Order{
		Number: "SIMULATION", Channel: in.Channel, CustomerType: in.CustomerType, ShipMethod: in.ShipMethod,
		ShipComplete: in.ShipComplete,
		ShipTo:       sourcing.ShipTo{PostalCode: strings.TrimSpace(in.ShipToZIP), Region: pt.State, Country: "US"},
	}
	sim := Simulation{}
	err := db.View(ctx, func(tx *sql.Tx) error {
		for i, l := range in.Lines {
			key := fmt.Sprintf("lines.%d.", i)
			sku := strings.TrimSpace(l.SKU)
			if l.Quantity <= 0 {
				f[key+"quantity"] = "quantity must be at least 1"
			}
			var line sourcing.Line
			var price int64
			err := tx.QueryRowContext(ctx, `SELECT id, sku, list_price_cents, dropship_eligible, coalesce(dropship_vendor_id, 0), hazmat, discontinued
				FROM items WHERE sku = ?`, sku).Scan(&line.ItemID, &line.SKU, &price,
				&line.Flags.DropshipEligible, &line.Flags.DropshipVendorID, &line.Flags.Hazmat, &line.Flags.Discontinued)
			if errors.Is(err, sql.ErrNoRows) {
				f[key+"sku"] = fmt.Sprintf("no item with SKU %q", sku)
				continue
			} else if err != nil {
				return err
			}
			line.LineID, line.LineNo, line.Quantity = int64(i+1), i+1, l.Quantity
			o.Lines = append(o.Lines, line)
			o.ValueCents += price * max(l.Quantity, 0)
		}
		if len(in.Lines) == 0 {
			f["lines"] = "add at least one line"
		}
		if len(f) > 0 {
			return domain.Invalid("The simulated order has errors.", f)
		}
		snap, err := loadSnapshot(ctx, tx, lineItems(o.Lines))
		if err != nil {
			return err
		}
		sim.Order = o
		return simulate(ctx, tx, &sim, snap)
	})
	return sim, err
}

// simulate plans sim.Order under the active rules and under the draft
// rules, inside the caller's read transaction.
func simulate(ctx context.Context, tx *sql.Tx, sim *Simulation, snap sourcing.Snapshot) error {
	rules, err := loadRules(ctx, tx, sourcing.StatusActive, sourcing.StatusDraft)
	if err != nil {
		return err
	}
	pending, err := pendingChanges(ctx, tx)
	if err != nil {
		return err
	}
	// tried is the draft rule set with drafts (and draft changes) marked
	// as such, to find the drafts an earlier rule keeps from matching.
	var active, draft, tried []sourcing.Rule
	for _, r := range rules {
		switch p, ok := pending[r.ID]; {
		case r.Status == sourcing.StatusDraft:
			sim.DraftRules = append(sim.DraftRules, r.Name)
		case ok:
			// The draft change stands in for the active version.
			active = append(active, r)
			sim.DraftRules = append(sim.DraftRules, r.Name+" (draft change)")
			pos := r.Position
			r = p.Rule
			r.Position, r.Status = pos, sourcing.StatusDraft
		default:
			active = append(active, r)
		}
		tried = append(tried, r)
		r.Status = sourcing.StatusActive
		draft = append(draft, r)
	}
	shadows := sourcing.Shadowed(tried)
	for _, r := range tried {
		if sh, ok := shadows[r.ID]; ok && r.Status == sourcing.StatusDraft {
			if len(sh.ByAll) > 1 {
				var names []string
				for _, by := range sh.ByAll {
					names = append(names, fmt.Sprintf("%q", by.Name))
				}
				sim.Unreached = append(sim.Unreached, fmt.Sprintf("Draft %q is never reached: %s above it together take every order it would match.",
					r.Name, strings.Join(names, " and ")))
				continue
			}
			sim.Unreached = append(sim.Unreached, fmt.Sprintf("Draft %q is never reached: %q above it takes every order it would match.", r.Name, sh.By.Name))
		}
	}
	sim.Active = sourcing.Plan(sim.Order, snap, active)
	sim.Draft = sourcing.Plan(sim.Order, snap, draft)
	return nil
}

// openLines reads the order's lines with their open quantity: ordered
// minus cancelled and shipped.
func openLines(ctx context.Context, q querier, orderID int64) ([]sourcing.Line, error) {
	rows, err := q.QueryContext(ctx, `SELECT l.id, l.line_no, l.item_id, l.sku, l.quantity - l.qty_cancelled - l.qty_shipped,
			i.dropship_eligible, coalesce(i.dropship_vendor_id, 0), i.hazmat, i.discontinued
		FROM order_lines l JOIN items i ON i.id = l.item_id
		WHERE l.order_id = ? AND l.quantity - l.qty_cancelled - l.qty_shipped > 0 ORDER BY l.line_no`, orderID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []sourcing.Line
	for rows.Next() {
		var l sourcing.Line
		if err := rows.Scan(&l.LineID, &l.LineNo, &l.ItemID, &l.SKU, &l.Quantity,
			&l.Flags.DropshipEligible, &l.Flags.DropshipVendorID, &l.Flags.Hazmat, &l.Flags.Discontinued); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// addOwnReservations adds the order's planned and released quantities back
// to availability at own locations, since a re-plan would free them first.
func addOwnReservations(ctx context.Context, q querier, orderID int64, snap sourcing.Snapshot) error {
	rows, err := q.QueryContext(ctx, `SELECT gl.item_id, g.location_id, sum(gl.quantity)
		FROM fulfilment_group_lines gl JOIN fulfilment_groups g ON g.id = gl.group_id
		WHERE g.order_id = ? AND g.status IN ('planned', 'released') AND g.dropship = 0
		GROUP BY gl.item_id, g.location_id`, orderID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var item, loc, qty int64
		if err := rows.Scan(&item, &loc, &qty); err != nil {
			return err
		}
		if snap.Available[item] == nil {
			snap.Available[item] = map[int64]int64{}
		}
		snap.Available[item][loc] += qty
	}
	return rows.Err()
}

func lineItems(lines []sourcing.Line) []int64 {
	out := make([]int64, 0, len(lines))
	for _, l := range lines {
		if !slices.Contains(out, l.ItemID) {
			out = append(out, l.ItemID)
		}
	}
	return out
}
