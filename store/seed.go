package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/oms/oms/demo"
	"github.com/oms/oms/domain"
)

// SeedBatchSize is how many orders Seed writes per transaction: large enough
// that commits are rare, small enough that memory stays flat.
const SeedBatchSize = 10000

// SeedSummary counts what Seed inserted and how long it took.
type SeedSummary struct {
	Locations, Items, Customers int
	Orders, Lines, Groups       int
	Holds, Exceptions, Events   int
	Inventory, Supply           int
	Duration                    time.Duration
}

// IsEmpty reports whether the database holds no orders, items and
// customers, so that a demo data set may be seeded into it.
func (db *DB) IsEmpty(ctx context.Context) (bool, error) {
	var n int
	err := db.View(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT
			(SELECT count(*) FROM (SELECT 1 FROM orders LIMIT 1)) +
			(SELECT count(*) FROM (SELECT 1 FROM items LIMIT 1)) +
			(SELECT count(*) FROM (SELECT 1 FROM customers LIMIT 1)) +
			(SELECT count(*) FROM (SELECT 1 FROM locations LIMIT 1))`).Scan(&n)
	})
	if err != nil {
		return false, fmt.Errorf("check empty: %w", err)
	}
	return n == 0, nil
}

// Seed generates the demo data set for cfg (a zero cfg.Now means db.Now())
// and inserts it: reference data in one transaction, orders in
// transactions of SeedBatchSize, then inventory, inbound supply and the
// order number sequence. progress, if not nil, is called with the number of
// orders written after each batch. It returns ECONFLICT when the database
// is not empty, so that a demo never mixes with real data. Users and API
// tokens are not created.
func (db *DB) Seed(ctx context.Context, cfg demo.Config, progress func(orders int)) (SeedSummary, error) {
	begin := time.Now()
	var sum SeedSummary
	empty, err := db.IsEmpty(ctx)
	if err != nil {
		return sum, err
	}
	if !empty {
		return sum, &domain.Error{Code: domain.ECONFLICT, Message: "The database already has data; demo data goes only into an empty database."}
	}
	if cfg.Now.IsZero() {
		cfg.Now = db.Now()
	}
	g := demo.NewGenerator(cfg)
	m := g.Master()
	if err := db.Update(ctx, func(tx *sql.Tx) error { return insertMaster(ctx, tx, m) }); err != nil {
		return sum, fmt.Errorf("seed reference data: %w", err)
	}
	sum.Locations, sum.Items, sum.Customers = len(m.Locations), len(m.Items), len(m.Customers)
	for {
		batch := g.Next(SeedBatchSize)
		if len(batch) == 0 {
			break
		}
		if err := db.Update(ctx, func(tx *sql.Tx) error { return insertOrders(ctx, tx, batch, &sum) }); err != nil {
			return sum, fmt.Errorf("seed orders: %w", err)
		}
		sum.Orders += len(batch)
		if progress != nil {
			progress(sum.Orders)
		}
	}
	st := g.Stock()
	if err := db.Update(ctx, func(tx *sql.Tx) error { return insertStock(ctx, tx, st) }); err != nil {
		return sum, fmt.Errorf("seed stock: %w", err)
	}
	sum.Inventory, sum.Supply = len(st.Inventory), len(st.Supply)
	sum.Duration = time.Since(begin)
	return sum, nil
}

// InsertDataset writes a whole generated data set in one transaction, for
// tests and small data sets; the database should be empty.
func (db *DB) InsertDataset(ctx context.Context, ds *demo.Dataset) error {
	return db.Update(ctx, func(tx *sql.Tx) error {
		var sum SeedSummary
		if err := insertMaster(ctx, tx, &ds.Master); err != nil {
			return err
		}
		if err := insertOrders(ctx, tx, ds.Orders, &sum); err != nil {
			return err
		}
		return insertStock(ctx, tx, &ds.Stock)
	})
}

// statements prepares each statement once per transaction.
type statements struct {
	ctx  context.Context
	tx   *sql.Tx
	stmt map[string]*sql.Stmt
	err  error
}

// exec runs query with args on a statement prepared once; the first error
// sticks and later calls do nothing.
func (s *statements) exec(query string, args ...any) {
	if s.err != nil {
		return
	}
	st, ok := s.stmt[query]
	if !ok {
		st, s.err = s.tx.PrepareContext(s.ctx, query)
		if s.err != nil {
			return
		}
		s.stmt[query] = st
	}
	if _, err := st.ExecContext(s.ctx, args...); err != nil {
		s.err = fmt.Errorf("%.40s: %w", query, err)
	}
}

// close closes the statements and returns the first error.
func (s *statements) close() error {
	for _, st := range s.stmt {
		st.Close()
	}
	return s.err
}

// newStatements starts an empty statement cache for tx.
func newStatements(ctx context.Context, tx *sql.Tx) *statements {
	return &statements{ctx: ctx, tx: tx, stmt: map[string]*sql.Stmt{}}
}

// insertMaster writes locations, catalogue, prices and customers.
func insertMaster(ctx context.Context, tx *sql.Tx, m *demo.Master) error {
	s := newStatements(ctx, tx)
	for _, l := range m.Locations {
		s.exec(`INSERT INTO locations (id, code, name, type, serves, line1, city, region, postal_code, latitude, longitude,
			cutoff_time, timezone, cost_per_shipment_cents, priority) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			l.ID, l.Code, l.Name, l.Type, l.Serves, l.Line1, l.City, l.Region, l.PostalCode, l.Latitude, l.Longitude,
			l.CutoffTime, l.Timezone, l.CostPerShipmentCents, l.Priority)
	}
	for _, it := range m.Items {
		s.exec(`INSERT INTO items (id, sku, description, uom, pack_qty, min_qty, weight_grams, list_price_cents,
			dropship_eligible, dropship_vendor_id, hazmat, discontinued, active, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			it.ID, it.SKU, it.Description, it.UOM, it.PackQty, it.MinQty, it.WeightGrams, it.ListPriceCents,
			b2i(it.DropshipEligible), nullID(it.DropshipVendorID), b2i(it.Hazmat), b2i(it.Discontinued), 1, FormatTime(it.UpdatedAt))
	}
	for _, x := range m.Substitutes {
		s.exec(`INSERT INTO item_substitutes (item_id, substitute_item_id, rank) VALUES (?, ?, ?)`, x.ItemID, x.SubstituteItemID, x.Rank)
	}
	for _, p := range m.Prices {
		s.exec(`INSERT INTO price_list_entries (price_level, item_id, unit_price_cents) VALUES (?, ?, ?)`, p.PriceLevel, p.ItemID, p.UnitPriceCents)
	}
	for _, c := range m.Customers {
		s.exec(`INSERT INTO customers (id, account, name, type, email, phone, credit_limit_cents, open_ar_cents, credit_status,
			price_level, ship_complete, backorder_policy, active, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ID, c.Account, c.Name, c.Type, c.Email, c.Phone, c.CreditLimitCents, c.OpenARCents, c.CreditStatus,
			c.PriceLevel, b2i(c.ShipComplete), c.BackorderPolicy, 1, FormatTime(c.CreatedAt))
		for _, st := range c.ShipTos {
			s.exec(`INSERT INTO ship_tos (id, customer_id, code, name, line1, line2, city, region, postal_code, latitude, longitude, is_default)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				st.ID, st.CustomerID, st.Code, st.Name, st.Line1, st.Line2, st.City, st.Region, st.PostalCode, st.Latitude, st.Longitude, b2i(st.IsDefault))
		}
		for _, ct := range c.Contacts {
			s.exec(`INSERT INTO customer_contacts (customer_id, name, email, phone, role) VALUES (?, ?, ?, ?, ?)`,
				ct.CustomerID, ct.Name, ct.Email, ct.Phone, ct.Role)
		}
	}
	for _, x := range m.Xrefs {
		s.exec(`INSERT INTO item_xrefs (item_id, kind, customer_id, value) VALUES (?, ?, ?, ?)`, x.ItemID, x.Kind, nullID(x.CustomerID), x.Value)
	}
	for _, tp := range m.TradingPartners {
		s.exec(`INSERT INTO trading_partners (customer_id, isa_qualifier, isa_id, gs_id) VALUES (?, ?, ?, ?)`,
			tp.CustomerID, tp.ISAQualifier, tp.ISAID, tp.GSID)
	}
	return s.close()
}

// insertOrders writes orders with their lines, groups, holds, exceptions,
// events, outbox messages and sourcing traces.
func insertOrders(ctx context.Context, tx *sql.Tx, orders []demo.Order, sum *SeedSummary) error {
	s := newStatements(ctx, tx)
	for i := range orders {
		o := &orders[i]
		s.exec(`INSERT INTO orders (id, number, channel, customer_id, customer_po, ship_to_id, ship_name, ship_line1, ship_line2,
			ship_city, ship_region, ship_postal_code, ship_latitude, ship_longitude, requested_date, ship_method, priority,
			ship_complete, status, total_cents, has_hold, has_backorder, version, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			o.ID, o.Number, o.Channel, o.CustomerID, o.CustomerPO, nullID(o.ShipToID), o.ShipName, o.ShipLine1, o.ShipLine2,
			o.ShipCity, o.ShipRegion, o.ShipPostalCode, o.ShipLatitude, o.ShipLongitude, o.RequestedDate.Format(DateFormat),
			o.ShipMethod, o.Priority, b2i(o.ShipComplete), string(o.Status), o.TotalCents, b2i(o.HasHold), b2i(o.HasBackorder),
			1, o.CreatedBy, FormatTime(o.CreatedAt), FormatTime(o.UpdatedAt))
		for _, l := range o.Lines {
			s.exec(`INSERT INTO order_lines (id, order_id, line_no, item_id, sku, description, quantity, unit_price_cents,
				qty_cancelled, qty_backordered, qty_allocated, qty_released, qty_shipped, status)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				l.ID, l.OrderID, l.LineNo, l.ItemID, l.SKU, l.Description, l.Quantity, l.UnitPriceCents,
				l.Cancelled, l.Backordered, l.Allocated, l.Released, l.Shipped, string(l.Status))
		}
		for _, gr := range o.Groups {
			s.exec(`INSERT INTO fulfilment_groups (id, order_id, seq, location_id, dropship, status, carrier, service,
				tracking_number, created_at, released_at, shipped_at, cancelled_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				gr.ID, gr.OrderID, gr.Seq, gr.LocationID, b2i(gr.Dropship), gr.Status, gr.Carrier, gr.Service,
				gr.TrackingNumber, FormatTime(gr.CreatedAt), nullTime(gr.ReleasedAt), nullTime(gr.ShippedAt), nullTime(gr.CancelledAt))
			for _, gl := range gr.Lines {
				s.exec(`INSERT INTO fulfilment_group_lines (group_id, order_line_id, item_id, quantity) VALUES (?, ?, ?, ?)`,
					gl.GroupID, gl.OrderLineID, gl.ItemID, gl.Quantity)
			}
		}
		for _, h := range o.Holds {
			s.exec(`INSERT INTO holds (id, order_id, reason, note, placed_by, placed_at, released_by, released_at, release_note)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				h.ID, h.OrderID, h.Reason, h.Note, h.PlacedBy, FormatTime(h.PlacedAt), nullString(h.ReleasedBy), nullTime(h.ReleasedAt), h.ReleaseNote)
		}
		for _, e := range o.Exceptions {
			s.exec(`INSERT INTO exceptions (kind, order_id, order_line_id, hold_id, severity, summary, sla_due_at, status,
				resolution_note, created_at, resolved_at, resolved_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				e.Kind, e.OrderID, nullID(e.OrderLineID), nullID(e.HoldID), e.Severity, e.Summary, FormatTime(e.SLADueAt), e.Status,
				e.ResolutionNote, FormatTime(e.CreatedAt), nullTime(e.ResolvedAt), nullString(e.ResolvedBy))
		}
		for _, e := range o.Events {
			s.exec(`INSERT INTO events (order_id, kind, actor, at, summary, before, after) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				e.OrderID, e.Kind, e.Actor, FormatTime(e.At), e.Summary, e.Before, e.After)
		}
		for _, m := range o.Outbox {
			s.exec(`INSERT INTO outbox (message_id, topic, destination, order_id, group_id, payload, status, attempts, next_attempt_at,
				last_error, created_at, delivered_at) VALUES (?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?)`,
				m.MessageID, m.Topic, m.Destination, m.OrderID, nullID(m.GroupID), m.Status, m.Attempts, FormatTime(m.NextAttemptAt),
				m.LastError, FormatTime(m.CreatedAt), nullTime(m.DeliveredAt))
		}
		if len(o.Trace) > 0 {
			trace, err := json.Marshal(o.Trace)
			if err != nil {
				return err
			}
			s.exec(`INSERT INTO sourcing_traces (order_id, trace, created_at) VALUES (?, ?, ?)`, o.ID, string(trace), FormatTime(o.TraceAt))
		}
		sum.Lines += len(o.Lines)
		sum.Groups += len(o.Groups)
		sum.Holds += len(o.Holds)
		sum.Exceptions += len(o.Exceptions)
		sum.Events += len(o.Events)
	}
	return s.close()
}

// insertStock writes inventory, inbound supply and the order number
// sequence, so that new orders continue after the demo's last one.
func insertStock(ctx context.Context, tx *sql.Tx, st *demo.Stock) error {
	s := newStatements(ctx, tx)
	for _, in := range st.Inventory {
		s.exec(`INSERT INTO inventory (item_id, location_id, on_hand, allocated, safety_stock, on_hand_as_of) VALUES (?, ?, ?, ?, ?, ?)`,
			in.ItemID, in.LocationID, in.OnHand, in.Allocated, in.SafetyStock, FormatTime(in.OnHandAsOf))
	}
	for _, p := range st.Supply {
		s.exec(`INSERT INTO inbound_supply (item_id, location_id, po_number, quantity, expected_date, status, created_at)
			VALUES (?, ?, ?, ?, ?, 'open', ?)`,
			p.ItemID, p.LocationID, p.PONumber, p.Quantity, p.ExpectedDate.Format(DateFormat), FormatTime(p.CreatedAt))
	}
	s.exec(`INSERT INTO sequences (name, value) VALUES ('order_number', ?)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value`, st.LastOrderNumber)
	return s.close()
}

// b2i stores a boolean as 0 or 1.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// nullID stores an id of 0 as NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// nullTime stores the zero time as NULL.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return FormatTime(t)
}

// nullString stores "" as NULL.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}
