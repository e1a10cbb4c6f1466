package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/sourcing"
)

// querier is what both *sql.Tx and *sql.DB offer for reads.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// SourceOrder plans the order's unsourced (backordered) quantities under the
// active rules and applies the plan: fulfilment groups, reservations,
// backorders, cancellations and exceptions, the trace, an event and the new
// status, all in one write transaction. Availability is read inside that
// transaction, which is the only writer, so no two orders can take the same
// units (invariant 3). Returns ENOTFOUND, and EINVALID for an order that
// cannot be sourced (draft, cancelled, nothing to source).
func (db *DB) SourceOrder(ctx context.Context, number, actor string) (sourcing.Result, error) {
	var res sourcing.Result
	err := db.Update(ctx, func(tx *sql.Tx) error {
		id, err := orderIDByNumber(ctx, tx, number)
		if err != nil {
			return err
		}
		res, err = db.sourceOrder(ctx, tx, id, actor)
		return err
	})
	return res, err
}

func orderIDByNumber(ctx context.Context, q querier, number string) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM orders WHERE number = ?`, number).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, domain.Errorf(domain.ENOTFOUND, "No order %s.", number)
	}
	return id, err
}

// sourceOrder is SourceOrder inside the caller's transaction.
func (db *DB) sourceOrder(ctx context.Context, tx *sql.Tx, orderID int64, actor string) (sourcing.Result, error) {
	order, status, err := loadPlanOrder(ctx, tx, orderID)
	if err != nil {
		return sourcing.Result{}, err
	}
	if status == domain.StatusDraft || status == domain.StatusCancelled || status == domain.StatusClosed {
		return sourcing.Result{}, domain.Errorf(domain.EINVALID, "Order %s is %s and cannot be sourced.", order.Number, strings.ToLower(status.Label()))
	}
	if len(order.Lines) == 0 {
		return sourcing.Result{}, domain.Errorf(domain.EINVALID, "Order %s has nothing left to source.", order.Number)
	}
	items := make([]int64, 0, len(order.Lines))
	for _, l := range order.Lines {
		items = append(items, l.ItemID)
	}
	setup, err := db.setup(ctx, tx)
	if err != nil {
		return sourcing.Result{}, err
	}
	snap, err := loadAvailability(ctx, tx, setup.locations, items)
	if err != nil {
		return sourcing.Result{}, err
	}
	res := sourcing.Plan(order, snap, setup.rules)
	if err := db.applyPlan(ctx, tx, orderID, order, snap, res, actor); err != nil {
		return sourcing.Result{}, err
	}
	return res, nil
}

// loadPlanOrder reads what the engine needs of an order; its lines carry
// only the backordered quantity, which is what still needs a source.
func loadPlanOrder(ctx context.Context, q querier, orderID int64) (sourcing.Order, domain.OrderStatus, error) {
	var o sourcing.Order
	var status string
	var lat, lon sql.NullFloat64
	err := q.QueryRowContext(ctx, `SELECT o.number, o.channel, c.type, o.ship_region, o.ship_postal_code, o.ship_country,
			o.ship_city, o.ship_latitude, o.ship_longitude, o.ship_method, o.ship_complete OR c.ship_complete, c.backorder_policy = 'ship_available_cancel_rest', o.total_cents, o.status
		FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = ?`, orderID).
		Scan(&o.Number, &o.Channel, &o.CustomerType, &o.ShipTo.Region, &o.ShipTo.PostalCode, &o.ShipTo.Country,
			&o.ShipTo.City, &lat, &lon, &o.ShipMethod, &o.ShipComplete, &o.CancelRest, &o.ValueCents, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return o, "", domain.Errorf(domain.ENOTFOUND, "No such order.")
	} else if err != nil {
		return o, "", err
	}
	if lat.Valid && lon.Valid {
		o.ShipTo.Lat, o.ShipTo.Lon, o.ShipTo.HasCoords = lat.Float64, lon.Float64, true
	}
	if strings.EqualFold(o.ShipMethod, sourcing.ShipMethodWillCall) {
		// The customer picks up where the order's first shipment was
		// planned; a re-plan of its backorders must not send them elsewhere.
		err := q.QueryRowContext(ctx, `SELECT location_id FROM fulfilment_groups
			WHERE order_id = ? AND dropship = 0 AND status <> 'cancelled' ORDER BY seq LIMIT 1`, orderID).Scan(&o.PickupLocationID)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return o, "", err
		}
	}
	rows, err := q.QueryContext(ctx, `SELECT l.id, l.line_no, l.item_id, l.sku, l.qty_backordered,
			i.dropship_eligible, coalesce(i.dropship_vendor_id, 0), i.hazmat, i.discontinued
		FROM order_lines l JOIN items i ON i.id = l.item_id
		WHERE l.order_id = ? AND l.qty_backordered > 0 ORDER BY l.line_no`, orderID)
	if err != nil {
		return o, "", err
	}
	defer rows.Close()
	for rows.Next() {
		var l sourcing.Line
		if err := rows.Scan(&l.LineID, &l.LineNo, &l.ItemID, &l.SKU, &l.Quantity,
			&l.Flags.DropshipEligible, &l.Flags.DropshipVendorID, &l.Flags.Hazmat, &l.Flags.Discontinued); err != nil {
			return o, "", err
		}
		o.Lines = append(o.Lines, l)
	}
	return o, domain.OrderStatus(status), rows.Err()
}

// loadSnapshot reads every location and the available-to-promise of the
// given items.
func loadSnapshot(ctx context.Context, q querier, itemIDs []int64) (sourcing.Snapshot, error) {
	locs, err := loadLocations(ctx, q)
	if err != nil {
		return sourcing.Snapshot{}, err
	}
	return loadAvailability(ctx, q, locs, itemIDs)
}

// loadLocations reads every location, in id order.
func loadLocations(ctx context.Context, q querier) ([]sourcing.Location, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, code, name, type, serves, latitude, longitude, cost_per_shipment_cents, priority, active,
			cutoff_time, timezone
		FROM locations ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []sourcing.Location
	for rows.Next() {
		var l sourcing.Location
		if err := rows.Scan(&l.ID, &l.Code, &l.Name, &l.Type, &l.Serves, &l.Lat, &l.Lon, &l.CostPerShipmentCents, &l.Priority, &l.Active,
			&l.CutoffTime, &l.Timezone); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// loadAvailability is the snapshot of the given items at the given
// locations. Vendor locations get no entries: the engine treats them as
// unlimited, since a vendor's stock is the vendor's to promise.
func loadAvailability(ctx context.Context, q querier, locs []sourcing.Location, itemIDs []int64) (sourcing.Snapshot, error) {
	snap := sourcing.Snapshot{Locations: locs, Available: map[int64]map[int64]int64{}}
	if len(itemIDs) == 0 {
		return snap, nil
	}
	vendor := map[int64]bool{}
	for _, l := range locs {
		vendor[l.ID] = l.Type == sourcing.TypeVendor
	}
	// One prepared statement run per item: measured, cheaper than one
	// statement reading the ids from a JSON array, and its text does not
	// vary with the number of items.
	for _, item := range itemIDs {
		if snap.Available[item] != nil {
			continue
		}
		atp := map[int64]int64{}
		snap.Available[item] = atp
		rows, err := q.QueryContext(ctx, `SELECT location_id, on_hand - allocated - safety_stock FROM inventory WHERE item_id = ?`, item)
		if err != nil {
			return snap, err
		}
		for rows.Next() {
			var loc, n int64
			if err := rows.Scan(&loc, &n); err != nil {
				rows.Close()
				return snap, err
			}
			if !vendor[loc] {
				atp[loc] = max(n, 0)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return snap, err
		}
	}
	return snap, nil
}

// sourcingSetup is the locations and the active sourcing rules as of one
// value of the sourcing_config counter, which triggers move on any change
// to either table (migration 0012).
type sourcingSetup struct {
	version   int64
	locations []sourcing.Location
	rules     []sourcing.Rule
}

// setup returns the locations and active rules inside the caller's
// transaction: from memory when the counter has not moved since they were
// read, else read again. Every capture needs them, and re-reading and
// decoding the rules was a tenth of a capture's time. The values are shared
// and must not be modified.
func (db *DB) setup(ctx context.Context, q querier) (*sourcingSetup, error) {
	var v int64
	if err := q.QueryRowContext(ctx, `SELECT value FROM sequences WHERE name = 'sourcing_config'`).Scan(&v); err != nil {
		return nil, fmt.Errorf("read sourcing config version: %w", err)
	}
	if s := db.sourcing.Load(); s != nil && s.version == v {
		return s, nil
	}
	locs, err := loadLocations(ctx, q)
	if err != nil {
		return nil, err
	}
	rules, err := loadRules(ctx, q, sourcing.StatusActive)
	if err != nil {
		return nil, err
	}
	s := &sourcingSetup{version: v, locations: locs, rules: rules}
	db.sourcing.Store(s)
	return s, nil
}

// loadRules reads the sourcing rules in the given statuses, in position
// order.
func loadRules(ctx context.Context, q querier, statuses ...string) ([]sourcing.Rule, error) {
	args := make([]any, len(statuses))
	for i, s := range statuses {
		args[i] = s
	}
	rows, err := q.QueryContext(ctx, `SELECT id, version, name, position, status, conditions, policy
		FROM sourcing_rules WHERE status IN (`+placeholders(len(statuses))+`) ORDER BY position, id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []sourcing.Rule
	for rows.Next() {
		var r sourcing.Rule
		var cond, pol string
		if err := rows.Scan(&r.ID, &r.Version, &r.Name, &r.Position, &r.Status, &cond, &pol); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(cond), &r.Conditions); err != nil {
			return nil, fmt.Errorf("rule %d conditions: %w", r.ID, err)
		}
		if err := json.Unmarshal([]byte(pol), &r.Policy); err != nil {
			return nil, fmt.Errorf("rule %d policy: %w", r.ID, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// errOversell is returned when a reservation would take available to
// promise below zero; it means the plan and the stock disagree, which the
// single writer should make impossible, so the whole transaction fails.
var errOversell = errors.New("reservation would oversell")

// applyPlan writes a plan for an order already written: groups,
// reservations, the line buckets, exceptions, the trace, an event and the
// order's new status.
func (db *DB) applyPlan(ctx context.Context, tx *sql.Tx, orderID int64, order sourcing.Order, snap sourcing.Snapshot, res sourcing.Result, actor string) error {
	now := ParseTime(db.now())
	var seq int
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM fulfilment_groups WHERE order_id = ?`, orderID).Scan(&seq); err != nil {
		return err
	}
	lineNos := map[int64]int{}
	for _, l := range order.Lines {
		lineNos[l.LineID] = l.LineNo
	}
	written, err := db.writePlan(ctx, tx, orderID, seq, lineNos, snap, res, now)
	if err != nil {
		return err
	}
	var moves [][2]int64 // (line, units) from backordered to allocated
	for _, g := range res.Groups {
		for _, gl := range g.Lines {
			moves = append(moves, [2]int64{gl.LineID, gl.Quantity})
		}
	}
	if err := moveBuckets(ctx, tx, moves, "qty_backordered", "qty_allocated"); err != nil {
		return err
	}
	for _, c := range res.Cancels {
		if err := moveBucket(ctx, tx, c.LineID, "qty_backordered", "qty_cancelled", c.Quantity); err != nil {
			return err
		}
	}
	nowText := FormatTime(now)
	// A backorder that this plan filled no longer needs a person's eye.
	if _, err := tx.ExecContext(ctx, `UPDATE exceptions SET status = 'resolved', resolved_at = ?, resolved_by = ?,
			resolution_note = 'Stock found: the line was sourced.'
		WHERE order_id = ? AND kind = 'backorder_aging' AND status <> 'resolved'
			AND order_line_id IN (SELECT id FROM order_lines WHERE order_id = ? AND qty_backordered = 0)`,
		nowText, actor, orderID, orderID); err != nil {
		return err
	}
	before, after, err := refreshOrderStatus(ctx, tx, orderID, nowText)
	if err != nil {
		return err
	}
	return db.insertEvent(ctx, tx, Event{OrderID: orderID, Kind: "order.sourced", Actor: actor, At: now,
		Summary: planSummary(res, written.codes), Before: string(before), After: string(after), Data: written.trace})
}

// writtenPlan is what writePlan wrote, as the order page and the API show
// it.
type writtenPlan struct {
	codes      []string // location code per group
	trace      string   // the trace as stored (JSON)
	groups     []domain.FulfilmentGroup
	groupLines map[int64][]domain.GroupLine // by group id
	exceptions []domain.OrderException      // in the order written
}

// writePlan writes the parts of a plan that do not touch the order's lines:
// fulfilment groups (numbered after seq) with their lines, reservations,
// sourcing exceptions and the trace. lineNos gives each plan line id its
// line number.
func (db *DB) writePlan(ctx context.Context, tx *sql.Tx, orderID int64, seq int, lineNos map[int64]int, snap sourcing.Snapshot, res sourcing.Result, now time.Time) (writtenPlan, error) {
	nowText := FormatTime(now)
	out := writtenPlan{groupLines: map[int64][]domain.GroupLine{}}
	isVendor := map[int64]bool{}
	for _, l := range snap.Locations {
		isVendor[l.ID] = l.Type == sourcing.TypeVendor
	}
	// Reservations are summed over the plan and written with one statement,
	// not one per line: the statement count is what an allocation's time is
	// made of.
	own := map[[2]int64]int64{} // (item, location) → units to reserve
	for _, g := range res.Groups {
		seq++
		r, err := tx.ExecContext(ctx, `INSERT INTO fulfilment_groups (order_id, seq, location_id, dropship, status, created_at)
			VALUES (?, ?, ?, ?, 'planned', ?)`, orderID, seq, g.LocationID, g.Dropship, nowText)
		if err != nil {
			return out, err
		}
		gid, _ := r.LastInsertId()
		out.codes = append(out.codes, g.LocationCode)
		fg := domain.FulfilmentGroup{ID: gid, Seq: seq, LocationCode: g.LocationCode, LocationName: g.LocationName,
			Dropship: g.Dropship, Status: "planned", Lines: len(g.Lines), CreatedAt: now}
		lines := make([]domain.GroupLine, 0, len(g.Lines))
		for _, gl := range g.Lines {
			// One prepared statement per line: cheaper, measured, than one
			// statement reading the lines from a JSON array.
			if _, err := tx.ExecContext(ctx, `INSERT INTO fulfilment_group_lines (group_id, order_line_id, item_id, quantity)
				VALUES (?, ?, ?, ?)`, gid, gl.LineID, gl.ItemID, gl.Quantity); err != nil {
				return out, err
			}
			lines = append(lines, domain.GroupLine{LineNo: lineNos[gl.LineID], SKU: gl.SKU, Quantity: gl.Quantity})
			fg.Units += gl.Quantity
			if isVendor[g.LocationID] {
				if err := reserve(ctx, tx, gl.ItemID, g.LocationID, gl.Quantity, true, nowText); err != nil {
					return out, fmt.Errorf("%s at %s: %w", gl.SKU, g.LocationCode, err)
				}
			} else {
				own[[2]int64{gl.ItemID, g.LocationID}] += gl.Quantity
			}
		}
		slices.SortStableFunc(lines, func(a, b domain.GroupLine) int { return a.LineNo - b.LineNo })
		out.groups = append(out.groups, fg)
		out.groupLines[gid] = lines
	}
	if err := reserveAll(ctx, tx, own, nowText); err != nil {
		return out, err
	}
	for _, x := range res.Exceptions {
		// The units stay backordered while a person decides; the exception
		// is what puts them in front of someone.
		e := domain.OrderException{Kind: "sourcing", Severity: "high", Status: "open", LineNo: lineNos[x.LineID],
			Summary:  fmt.Sprintf("%s: %d units could not be sourced: %s", x.SKU, x.Quantity, x.Reason),
			SLADueAt: ParseTime(FormatTime(now.Add(exceptionSLA))), CreatedAt: now}
		r, err := tx.ExecContext(ctx, `INSERT INTO exceptions (kind, order_id, order_line_id, severity, summary, sla_due_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, e.Kind, orderID, x.LineID, e.Severity, e.Summary, FormatTime(e.SLADueAt), nowText)
		if err != nil {
			return out, err
		}
		e.ID, _ = r.LastInsertId()
		out.exceptions = append(out.exceptions, e)
	}
	trace, err := json.Marshal(res.Trace)
	if err != nil {
		return out, err
	}
	out.trace = string(trace)
	var ruleID any
	if !res.DefaultRule {
		ruleID = res.RuleID
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO sourcing_traces (order_id, rule_id, rule_version, trace, created_at) VALUES (?, ?, ?, ?, ?)`,
		orderID, ruleID, res.RuleVersion, out.trace, nowText); err != nil {
		return out, err
	}
	return out, nil
}

// planSummary says in one sentence what a plan did.
func planSummary(res sourcing.Result, codes []string) string {
	var parts []string
	switch len(res.Groups) {
	case 0:
		parts = append(parts, "no shipment planned")
	case 1:
		parts = append(parts, "1 shipment from "+codes[0])
	default:
		parts = append(parts, fmt.Sprintf("%d shipments from %s", len(res.Groups), strings.Join(codes, ", ")))
	}
	if n := sumQty(res.Backorders); n > 0 {
		parts = append(parts, fmt.Sprintf("%d units backordered", n))
	}
	if n := sumQty(res.Cancels); n > 0 {
		parts = append(parts, fmt.Sprintf("%d units cancelled", n))
	}
	if n := sumQty(res.Exceptions); n > 0 {
		parts = append(parts, fmt.Sprintf("%d units sent to the exception queue", n))
	}
	rule := res.RuleName
	if rule == "" {
		rule = "default rule"
	}
	return fmt.Sprintf("Sourced by %q: %s.", rule, strings.Join(parts, "; "))
}

func sumQty(ls []sourcing.LineQty) int64 {
	var n int64
	for _, l := range ls {
		n += l.Quantity
	}
	return n
}

// reserve adds quantity to the allocation of (item, location), refusing to
// take available to promise below zero at own locations. Vendor locations
// get a row on first use so that invariant 2 covers dropship groups too.
func reserve(ctx context.Context, tx *sql.Tx, itemID, locationID, qty int64, vendor bool, now string) error {
	if vendor {
		_, err := tx.ExecContext(ctx, `INSERT INTO inventory (item_id, location_id, on_hand, allocated, safety_stock, on_hand_as_of)
			VALUES (?, ?, 0, ?, 0, ?)
			ON CONFLICT (item_id, location_id) DO UPDATE SET allocated = allocated + excluded.allocated`, itemID, locationID, qty, now)
		return err
	}
	r, err := tx.ExecContext(ctx, `UPDATE inventory SET allocated = allocated + ?1
		WHERE item_id = ?2 AND location_id = ?3 AND on_hand - allocated - safety_stock >= ?1`, qty, itemID, locationID)
	if err != nil {
		return err
	}
	if n, _ := r.RowsAffected(); n != 1 {
		return errOversell
	}
	return nil
}

// bucketColumns are the order_lines columns moveBucket may touch; it builds
// SQL from them, so only these names are accepted.
var bucketColumns = map[string]bool{
	"qty_cancelled": true, "qty_backordered": true, "qty_allocated": true, "qty_released": true, "qty_shipped": true,
}

// moveBucket moves qty of a line from one bucket to another in one
// statement, so the CHECK for invariant 1 holds at every step.
func moveBucket(ctx context.Context, tx *sql.Tx, lineID int64, from, to string, qty int64) error {
	if !bucketColumns[from] || !bucketColumns[to] {
		return fmt.Errorf("moveBucket: unknown bucket %s or %s", from, to)
	}
	r, err := tx.ExecContext(ctx, `UPDATE order_lines SET `+from+` = `+from+` - ?1, `+to+` = `+to+` + ?1
		WHERE id = ?2 AND `+from+` >= ?1`, qty, lineID)
	if err != nil {
		return err
	}
	if n, _ := r.RowsAffected(); n != 1 {
		return domain.Errorf(domain.ECONFLICT, "Line %d does not have %d units %s.", lineID, qty, strings.TrimPrefix(from, "qty_"))
	}
	return nil
}

// reserveAll adds the given units to the allocation of each (item, own
// location), refusing if any would take available to promise below zero
// (the caller's transaction then fails whole). One prepared statement per
// pair, in a fixed order: measured, cheaper than one statement reading the
// pairs from a JSON array.
func reserveAll(ctx context.Context, tx *sql.Tx, units map[[2]int64]int64, now string) error {
	keys := slices.SortedFunc(maps.Keys(units), func(a, b [2]int64) int {
		if c := cmp.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return cmp.Compare(a[1], b[1])
	})
	for _, k := range keys {
		if err := reserve(ctx, tx, k[0], k[1], units[k], false, now); err != nil {
			return err
		}
	}
	return nil
}

// moveBuckets is moveBucket for many (line, units) pairs; units of the
// same line are summed first, and lines are moved in id order.
func moveBuckets(ctx context.Context, tx *sql.Tx, moves [][2]int64, from, to string) error {
	perLine := map[int64]int64{}
	for _, m := range moves {
		perLine[m[0]] += m[1]
	}
	for _, line := range slices.Sorted(maps.Keys(perLine)) {
		if err := moveBucket(ctx, tx, line, from, to, perLine[line]); err != nil {
			return err
		}
	}
	return nil
}

// refreshOrderStatus derives line and order status from the buckets and open
// holds, stores them with the flags lists filter on, and bumps the order's
// version. It returns the status before and after.
func refreshOrderStatus(ctx context.Context, tx *sql.Tx, orderID int64, now string) (before, after domain.OrderStatus, err error) {
	var status string
	var holds int
	// One statement for the status and the open holds: this runs once per
	// order of every action.
	if err = tx.QueryRowContext(ctx, `SELECT status, (SELECT count(*) FROM holds WHERE order_id = ?1 AND released_at IS NULL)
		FROM orders WHERE id = ?1`, orderID).Scan(&status, &holds); err != nil {
		return "", "", err
	}
	before = domain.OrderStatus(status)
	rows, err := tx.QueryContext(ctx, `SELECT id, quantity, qty_cancelled, qty_backordered, qty_allocated, qty_released, qty_shipped, status
		FROM order_lines WHERE order_id = ?`, orderID)
	if err != nil {
		return "", "", err
	}
	var lines []statusLine
	for rows.Next() {
		var l statusLine
		if err := rows.Scan(&l.id, &l.b.Ordered, &l.b.Cancelled, &l.b.Backordered, &l.b.Allocated, &l.b.Released, &l.b.Shipped, &l.status); err != nil {
			rows.Close()
			return "", "", err
		}
		lines = append(lines, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return "", "", err
	}
	var invoiced bool
	if before != domain.StatusClosed {
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM invoices WHERE order_id = ?1)
			AND NOT EXISTS (SELECT 1 FROM fulfilment_groups WHERE order_id = ?1 AND status = 'shipped' AND invoice_id IS NULL)`,
			orderID).Scan(&invoiced); err != nil {
			return "", "", err
		}
	}
	after, backordered, changed := deriveOrder(before, holds, invoiced, lines)
	if err := setLineStatuses(ctx, tx, changed); err != nil {
		return "", "", err
	}
	var ended []int64 // lines now shipped or cancelled: perhaps closed
	for _, c := range changed {
		if c.status == domain.StatusShipped || c.status == domain.StatusCancelled {
			ended = append(ended, c.id)
		}
	}
	if err := queueLinesClosed(ctx, tx, now, orderID, ended); err != nil {
		return "", "", err
	}
	_, err = tx.ExecContext(ctx, `UPDATE orders SET status = ?, has_hold = ?, has_backorder = ?, version = version + 1, updated_at = ? WHERE id = ?`,
		string(after), holds > 0, backordered, now, orderID)
	return before, after, err
}

// setLineStatuses stores the lines' new statuses in one statement: an
// allocation changes the status of most of an order's lines, and a
// statement per line was a tenth of its cost.
func setLineStatuses(ctx context.Context, tx *sql.Tx, changed []lineStatus) error {
	if len(changed) == 0 {
		return nil
	}
	rows := make([][2]any, len(changed))
	for i, c := range changed {
		rows[i] = [2]any{c.id, string(c.status)}
	}
	j, err := json.Marshal(rows)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE order_lines SET status = j.status
		FROM (SELECT value->>0 AS id, value->>1 AS status FROM json_each(?)) j WHERE order_lines.id = j.id`, string(j))
	return err
}

// statusLine is a line's buckets and stored status.
type statusLine struct {
	id     int64
	b      domain.Buckets
	status string
}

// lineStatus is a line's new status.
type lineStatus struct {
	id     int64
	status domain.OrderStatus
}

// deriveOrder is the one derivation behind refreshOrderStatus and
// refreshOrderStatuses: the order's status from its lines and open holds,
// whether anything is backordered, and the lines whose status changed.
// invoiced says the ERP invoiced the order and every shipped group.
func deriveOrder(before domain.OrderStatus, openHolds int, invoiced bool, lines []statusLine) (domain.OrderStatus, bool, []lineStatus) {
	facts := domain.OrderFacts{OpenHolds: openHolds, Lines: make([]domain.Buckets, 0, len(lines))}
	var changed []lineStatus
	var backordered int64
	for _, l := range lines {
		facts.Lines = append(facts.Lines, l.b)
		backordered += l.b.Backordered
		if s := domain.LineStatus(l.b); string(s) != l.status {
			changed = append(changed, lineStatus{l.id, s})
		}
	}
	facts.Draft = before == domain.StatusDraft
	// Closed means invoiced by the ERP; nothing in the OMS reopens it.
	facts.Invoiced = invoiced || before == domain.StatusClosed
	return domain.DeriveOrderStatus(facts), backordered > 0, changed
}
