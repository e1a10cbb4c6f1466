package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/store"
)

// network is a small fulfilment network: two DCs, a 3PL and a vendor, with
// items whose stock the test sets.
type network struct {
	db        *store.DB
	customer  int64
	consumer  int64
	locations map[string]int64
	items     map[string]int64
}

const testTime = "2026-11-20T10:00:00.000Z"

func newNetwork(tb testing.TB) *network {
	tb.Helper()
	db := newDB(tb)
	n := &network{db: db, locations: map[string]int64{}, items: map[string]int64{}}
	ctx := context.Background()
	err := db.Update(ctx, func(tx *sql.Tx) error {
		for _, l := range []struct {
			code, typ, serves, city, region, zip string
			lat, lon                             float64
		}{
			{"DAL", "dc", "both", "Dallas", "TX", "75201", 32.78, -96.80},
			{"HBG", "dc", "b2b", "Harrisburg", "PA", "17101", 40.26, -76.88},
			{"3PL-MEM", "3pl", "b2c", "Memphis", "TN", "38103", 35.15, -90.05},
			{"V-ACME", "vendor", "both", "Akron", "OH", "44308", 41.08, -81.52},
		} {
			r, err := tx.Exec(`INSERT INTO locations (code, name, type, serves, city, region, postal_code, latitude, longitude)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, l.code, l.city+" "+l.typ, l.typ, l.serves, l.city, l.region, l.zip, l.lat, l.lon)
			if err != nil {
				return err
			}
			n.locations[l.code], _ = r.LastInsertId()
		}
		for _, c := range []struct {
			account, typ string
			id           *int64
		}{{"C100", "b2b", &n.customer}, {"C200", "b2c", &n.consumer}} {
			r, err := tx.Exec(`INSERT INTO customers (account, name, type, credit_limit_cents, created_at) VALUES (?, ?, ?, 100000000, ?)`,
				c.account, "Customer "+c.account, c.typ, testTime)
			if err != nil {
				return err
			}
			*c.id, _ = r.LastInsertId()
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	if err := db.EnsureDemoRules(ctx, "test"); err != nil {
		tb.Fatal(err)
	}
	return n
}

// item adds an item with stock per location code.
func (n *network) item(tb testing.TB, sku string, dropship bool, stock map[string]int64) int64 {
	tb.Helper()
	err := n.db.Update(context.Background(), func(tx *sql.Tx) error {
		var vendor any
		if dropship {
			vendor = n.locations["V-ACME"]
		}
		r, err := tx.Exec(`INSERT INTO items (sku, description, list_price_cents, dropship_eligible, dropship_vendor_id, updated_at)
			VALUES (?, ?, 1000, ?, ?, ?)`, sku, "Item "+sku, dropship, vendor, testTime)
		if err != nil {
			return err
		}
		id, _ := r.LastInsertId()
		n.items[sku] = id
		for code, qty := range stock {
			if _, err := tx.Exec(`INSERT INTO inventory (item_id, location_id, on_hand, on_hand_as_of) VALUES (?, ?, ?, ?)`,
				id, n.locations[code], qty, testTime); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return n.items[sku]
}

// order adds an unsourced order (every unit backordered) shipping to
// Dallas, and returns its number.
func (n *network) order(tb testing.TB, number string, b2c bool, lines map[string]int64) string {
	tb.Helper()
	cust := n.customer
	if b2c {
		cust = n.consumer
	}
	err := n.db.Update(context.Background(), func(tx *sql.Tx) error {
		r, err := tx.Exec(`INSERT INTO orders (number, channel, customer_id, ship_name, ship_line1, ship_city, ship_region, ship_postal_code,
				status, total_cents, created_by, created_at, updated_at)
			VALUES (?, 'phone', ?, 'Dock 4', '1 Main St', 'Dallas', 'TX', '75201', 'backordered', 100000, 'test', ?, ?)`,
			number, cust, testTime, testTime)
		if err != nil {
			return err
		}
		oid, _ := r.LastInsertId()
		no := 0
		for _, sku := range sortedKeys(lines) {
			no++
			if _, err := tx.Exec(`INSERT INTO order_lines (order_id, line_no, item_id, sku, description, quantity, unit_price_cents, qty_backordered, status)
				VALUES (?, ?, ?, ?, ?, ?, 1000, ?, 'backordered')`, oid, no, n.items[sku], sku, "Item "+sku, lines[sku], lines[sku]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return number
}

func sortedKeys(m map[string]int64) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// checkInvariants fails the test when invariant 1, 2 or 3 does not hold.
func checkInvariants(tb testing.TB, db *store.DB) {
	tb.Helper()
	err := db.View(context.Background(), func(tx *sql.Tx) error {
		var bad int
		// Invariant 1 (also a CHECK; asserted here so a dropped CHECK is caught).
		if err := tx.QueryRow(`SELECT count(*) FROM order_lines
			WHERE quantity <> qty_cancelled + qty_backordered + qty_allocated + qty_released + qty_shipped`).Scan(&bad); err != nil {
			return err
		}
		if bad > 0 {
			return fmt.Errorf("invariant 1: %d lines out of balance", bad)
		}
		// Invariant 2.
		rows, err := tx.Query(`SELECT i.item_id, i.location_id, i.allocated, coalesce(s.qty, 0) FROM inventory i
			LEFT JOIN (SELECT g.location_id, gl.item_id, sum(gl.quantity) AS qty FROM fulfilment_group_lines gl
				JOIN fulfilment_groups g ON g.id = gl.group_id WHERE g.status IN ('planned', 'released')
				GROUP BY g.location_id, gl.item_id) s ON s.item_id = i.item_id AND s.location_id = i.location_id
			WHERE i.allocated <> coalesce(s.qty, 0)`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var item, loc, alloc, sum int64
			rows.Scan(&item, &loc, &alloc, &sum)
			return fmt.Errorf("invariant 2: item %d at location %d allocated %d, groups hold %d", item, loc, alloc, sum)
		}
		if err := tx.QueryRow(`SELECT count(*) FROM (SELECT g.location_id, gl.item_id FROM fulfilment_group_lines gl
			JOIN fulfilment_groups g ON g.id = gl.group_id WHERE g.status IN ('planned', 'released')
			EXCEPT SELECT location_id, item_id FROM inventory)`).Scan(&bad); err != nil {
			return err
		}
		if bad > 0 {
			return fmt.Errorf("invariant 2: %d reservations without an inventory row", bad)
		}
		// The customers' open-orders balance (migration 0014) is the sum of
		// their open orders (store.openOrderSQL).
		if err := tx.QueryRow(`SELECT count(*) FROM customers c WHERE c.open_orders_cents <> (SELECT coalesce(sum(total_cents), 0)
			FROM orders WHERE customer_id = c.id AND status NOT IN ('draft', 'shipped', 'cancelled', 'closed'))`).Scan(&bad); err != nil {
			return err
		}
		if bad > 0 {
			return fmt.Errorf("%d customers' open-orders balance differs from their open orders", bad)
		}
		// Invariant 3 at own locations.
		if err := tx.QueryRow(`SELECT count(*) FROM inventory i JOIN locations l ON l.id = i.location_id
			WHERE l.type <> 'vendor' AND i.on_hand - i.allocated - i.safety_stock < 0`).Scan(&bad); err != nil {
			return err
		}
		if bad > 0 {
			return fmt.Errorf("invariant 3: %d inventory rows oversold", bad)
		}
		// Group lines and line buckets agree.
		if err := tx.QueryRow(`SELECT count(*) FROM order_lines l WHERE
			qty_allocated <> (SELECT coalesce(sum(gl.quantity), 0) FROM fulfilment_group_lines gl JOIN fulfilment_groups g ON g.id = gl.group_id
				WHERE gl.order_line_id = l.id AND g.status = 'planned')
			OR qty_released <> (SELECT coalesce(sum(gl.quantity), 0) FROM fulfilment_group_lines gl JOIN fulfilment_groups g ON g.id = gl.group_id
				WHERE gl.order_line_id = l.id AND g.status = 'released')
			OR qty_shipped <> (SELECT coalesce(sum(gl.quantity), 0) FROM fulfilment_group_lines gl JOIN fulfilment_groups g ON g.id = gl.group_id
				WHERE gl.order_line_id = l.id AND g.status = 'shipped')`).Scan(&bad); err != nil {
			return err
		}
		if bad > 0 {
			return fmt.Errorf("%d lines whose buckets disagree with their groups", bad)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

func TestSourceOrder(t *testing.T) {
	t.Run("NearestDC", func(t *testing.T) {
		n := newNetwork(t)
		n.item(t, "SKU-1", false, map[string]int64{"DAL": 40, "HBG": 40})
		num := n.order(t, "SO-1", false, map[string]int64{"SKU-1": 10})
		res, err := n.db.SourceOrder(t.Context(), num, "test")
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Groups) != 1 || res.Groups[0].LocationCode != "DAL" || len(res.Trace) == 0 {
			t.Fatalf("plan %+v", res)
		}
		checkInvariants(t, n.db)
		var status string
		n.db.View(t.Context(), func(tx *sql.Tx) error {
			return tx.QueryRow(`SELECT status FROM orders WHERE number = ?`, num).Scan(&status)
		})
		if status != string(domain.StatusAllocated) {
			t.Fatalf("status %s", status)
		}
	})
	t.Run("SplitAndBackorder", func(t *testing.T) {
		n := newNetwork(t)
		n.item(t, "SKU-1", false, map[string]int64{"DAL": 6, "HBG": 3})
		num := n.order(t, "SO-1", false, map[string]int64{"SKU-1": 12})
		res, err := n.db.SourceOrder(t.Context(), num, "test")
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Groups) != 2 || len(res.Backorders) != 1 || res.Backorders[0].Quantity != 3 {
			t.Fatalf("plan %+v", res)
		}
		checkInvariants(t, n.db)
	})
	t.Run("Dropship", func(t *testing.T) {
		n := newNetwork(t)
		n.item(t, "SKU-D", true, map[string]int64{"DAL": 0})
		num := n.order(t, "SO-1", false, map[string]int64{"SKU-D": 5})
		res, err := n.db.SourceOrder(t.Context(), num, "test")
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Groups) != 1 || !res.Groups[0].Dropship {
			t.Fatalf("plan %+v", res)
		}
		checkInvariants(t, n.db)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		n := newNetwork(t)
		_, err := n.db.SourceOrder(t.Context(), "SO-404", "test")
		if domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("ErrNothingToSource", func(t *testing.T) {
		n := newNetwork(t)
		n.item(t, "SKU-1", false, map[string]int64{"DAL": 40})
		num := n.order(t, "SO-1", false, map[string]int64{"SKU-1": 10})
		n.db.SourceOrder(t.Context(), num, "test")
		_, err := n.db.SourceOrder(t.Context(), num, "test")
		if domain.ErrorCode(err) != domain.EINVALID {
			t.Fatalf("err %v", err)
		}
	})
}

// TestNoOversellUnderRace fires 50 orders at the last 10 units of an item
// at once: exactly 10 are allocated, 40 backordered, nothing oversold.
func TestNoOversellUnderRace(t *testing.T) {
	n := newNetwork(t)
	n.item(t, "LAST", false, map[string]int64{"DAL": 6, "HBG": 4})
	const orders = 50
	nums := make([]string, orders)
	for i := range nums {
		nums[i] = n.order(t, fmt.Sprintf("SO-%03d", i), false, map[string]int64{"LAST": 1})
	}
	var wg sync.WaitGroup
	errs := make(chan error, orders)
	start := make(chan struct{})
	for _, num := range nums {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if _, err := n.db.SourceOrder(context.Background(), num, "race"); err != nil {
				errs <- err
			}
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	checkInvariants(t, n.db)
	var allocated, backordered, onHandAlloc int64
	n.db.View(t.Context(), func(tx *sql.Tx) error {
		tx.QueryRow(`SELECT sum(qty_allocated), sum(qty_backordered) FROM order_lines`).Scan(&allocated, &backordered)
		return tx.QueryRow(`SELECT sum(allocated) FROM inventory`).Scan(&onHandAlloc)
	})
	if allocated != 10 || backordered != 40 || onHandAlloc != 10 {
		t.Fatalf("allocated %d backordered %d inventory allocated %d", allocated, backordered, onHandAlloc)
	}
}

// TestInvariantsProperty applies random plans, releases, shipments and
// cancellations, and checks the invariants after every step.
func TestInvariantsProperty(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		t.Run(fmt.Sprintf("Seed%d", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 7))
			n := newNetwork(t)
			skus := []string{"A", "B", "C", "D"}
			for i, s := range skus {
				n.item(t, s, i == 3, map[string]int64{"DAL": rng.Int64N(30), "HBG": rng.Int64N(30), "3PL-MEM": rng.Int64N(30)})
			}
			ctx := t.Context()
			orders := 0
			for step := 0; step < 120; step++ {
				switch op := rng.IntN(6); {
				case op <= 1 || orders == 0:
					orders++
					lines := map[string]int64{}
					for _, s := range skus {
						if rng.IntN(2) == 0 {
							lines[s] = 1 + rng.Int64N(15)
						}
					}
					if len(lines) == 0 {
						lines["A"] = 1
					}
					num := n.order(t, fmt.Sprintf("SO-%d", orders), rng.IntN(3) == 0, lines)
					if _, err := n.db.SourceOrder(ctx, num, "prop"); err != nil {
						t.Fatal(err)
					}
				case op == 2:
					// Re-source a random order's backorders (may find nothing).
					num := fmt.Sprintf("SO-%d", 1+rng.IntN(orders))
					if _, err := n.db.SourceOrder(ctx, num, "prop"); err != nil && domain.ErrorCode(err) != domain.EINVALID {
						t.Fatal(err)
					}
				default:
					num, seq, status := randomGroup(t, n.db, rng)
					if num == "" {
						continue
					}
					a := store.OrderAction{Number: num, Actor: "prop", Reason: "test"}
					var err error
					switch {
					case status == "planned" && op == 3:
						_, err = n.db.ReleaseGroup(ctx, a, seq)
					case status == "released" && op == 4:
						_, err = n.db.ShipGroup(ctx, a, seq, store.Shipment{Carrier: "UPS", Tracking: fmt.Sprintf("1Z%s%d", num, seq)})
					case status == "planned" || status == "released":
						_, err = n.db.CancelGroup(ctx, a, seq)
					}
					if err != nil {
						t.Fatal(err)
					}
				}
				checkInvariants(t, n.db)
			}
		})
	}
}

// randomGroup picks a planned or released group: its order's number, its
// sequence number and its status.
func randomGroup(tb testing.TB, db *store.DB, rng *rand.Rand) (string, int, string) {
	tb.Helper()
	type group struct {
		number string
		seq    int
		status string
	}
	var groups []group
	db.View(context.Background(), func(tx *sql.Tx) error {
		rows, err := tx.Query(`SELECT o.number, g.seq, g.status FROM fulfilment_groups g JOIN orders o ON o.id = g.order_id
			WHERE g.status IN ('planned', 'released') ORDER BY g.id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var g group
			rows.Scan(&g.number, &g.seq, &g.status)
			groups = append(groups, g)
		}
		return nil
	})
	if len(groups) == 0 {
		return "", 0, ""
	}
	g := groups[rng.IntN(len(groups))]
	return g.number, g.seq, g.status
}
