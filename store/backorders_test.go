package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/store"
)

func exec(tb testing.TB, db *store.DB, q string, args ...any) {
	tb.Helper()
	if err := db.Update(context.Background(), func(tx *sql.Tx) error {
		_, err := tx.Exec(q, args...)
		return err
	}); err != nil {
		tb.Fatal(err)
	}
}

func lineBuckets(tb testing.TB, db *store.DB, number string, lineNo int) domain.Buckets {
	tb.Helper()
	var b domain.Buckets
	db.View(context.Background(), func(tx *sql.Tx) error {
		return tx.QueryRow(`SELECT quantity, qty_cancelled, qty_backordered, qty_allocated, qty_released, qty_shipped FROM order_lines
			WHERE order_id = (SELECT id FROM orders WHERE number = ?) AND line_no = ?`, number, lineNo).
			Scan(&b.Ordered, &b.Cancelled, &b.Backordered, &b.Allocated, &b.Released, &b.Shipped)
	})
	return b
}

func orderStatus(tb testing.TB, db *store.DB, number string) domain.OrderStatus {
	tb.Helper()
	var s string
	db.View(context.Background(), func(tx *sql.Tx) error {
		return tx.QueryRow(`SELECT status FROM orders WHERE number = ?`, number).Scan(&s)
	})
	return domain.OrderStatus(s)
}

func TestReceiveStockFillsBackorders(t *testing.T) {
	t.Run("PriorityThenAge", func(t *testing.T) {
		n := newNetwork(t)
		n.item(t, "A", false, nil)
		old := n.order(t, "SO-OLD", false, map[string]int64{"A": 6})
		young := n.order(t, "SO-YOUNG", false, map[string]int64{"A": 6})
		urgent := n.order(t, "SO-URGENT", false, map[string]int64{"A": 6})
		exec(t, n.db, `UPDATE orders SET created_at = '2026-11-01T10:00:00.000Z' WHERE number = ?`, old)
		exec(t, n.db, `UPDATE orders SET created_at = '2026-11-19T10:00:00.000Z', priority = 1 WHERE number = ?`, urgent)
		res, err := n.db.ReceiveStock(t.Context(), store.Receipt{SKU: "A", Location: "DAL", Quantity: 12, Reference: "PO-1", Actor: "ops@example.com", Role: domain.RoleOps})
		if err != nil {
			t.Fatal(err)
		}
		if res.Orders != 2 || res.Units != 12 {
			t.Fatalf("filled %+v, want 2 orders, 12 units", res)
		}
		for num, want := range map[string]int64{urgent: 6, old: 6, young: 0} {
			if b := lineBuckets(t, n.db, num, 1); b.Allocated != want {
				t.Errorf("%s allocated %d, want %d", num, b.Allocated, want)
			}
		}
		if s := orderStatus(t, n.db, urgent); s != domain.StatusAllocated {
			t.Errorf("urgent order is %s, want allocated", s)
		}
		var summary string
		n.db.View(t.Context(), func(tx *sql.Tx) error {
			return tx.QueryRow(`SELECT summary FROM events WHERE kind = 'backorder.filled' AND order_id = (SELECT id FROM orders WHERE number = ?)`, urgent).Scan(&summary)
		})
		if !strings.Contains(summary, "6 x A from DAL") {
			t.Errorf("event %q", summary)
		}
		checkInvariants(t, n.db)
	})
	t.Run("ShipComplete", func(t *testing.T) {
		n := newNetwork(t)
		n.item(t, "A", false, nil)
		n.item(t, "B", false, map[string]int64{"HBG": 5})
		whole := n.order(t, "SO-WHOLE", false, map[string]int64{"A": 4, "B": 5})
		exec(t, n.db, `UPDATE orders SET ship_complete = 1, created_at = '2026-11-01T10:00:00.000Z' WHERE number = ?`, whole)
		later := n.order(t, "SO-LATER", false, map[string]int64{"A": 4})
		// A arrives at DAL, where there is no B: the ship-complete order
		// waits and the later order gets the units.
		if _, err := n.db.ReceiveStock(t.Context(), store.Receipt{SKU: "A", Location: "DAL", Quantity: 4}); err != nil {
			t.Fatal(err)
		}
		if b := lineBuckets(t, n.db, whole, 1); b.Allocated != 0 {
			t.Fatalf("ship-complete order allocated %d of A without B", b.Allocated)
		}
		if b := lineBuckets(t, n.db, later, 1); b.Allocated != 4 {
			t.Fatalf("later order allocated %d, want 4", b.Allocated)
		}
		// A arrives at HBG, which has B too: the whole order fills there.
		if _, err := n.db.ReceiveStock(t.Context(), store.Receipt{SKU: "A", Location: "HBG", Quantity: 4}); err != nil {
			t.Fatal(err)
		}
		if a, b := lineBuckets(t, n.db, whole, 1), lineBuckets(t, n.db, whole, 2); a.Allocated != 4 || b.Allocated != 5 {
			t.Fatalf("ship-complete order allocated %d and %d, want 4 and 5", a.Allocated, b.Allocated)
		}
		checkInvariants(t, n.db)
	})
	t.Run("SnapshotOfManyItems", func(t *testing.T) {
		// A count that raises several items fills the backorders of each
		// of them, and only of them, in one transaction.
		n := newNetwork(t)
		for _, sku := range []string{"A", "B", "C", "D"} {
			n.item(t, sku, false, nil)
		}
		first := n.order(t, "SO-FIRST", false, map[string]int64{"B": 3})
		second := n.order(t, "SO-SECOND", false, map[string]int64{"D": 2, "A": 1})
		res, err := n.db.ApplyInventorySnapshot(t.Context(), store.InventorySnapshot{MessageID: "count-1", Location: "DAL", AsOf: time.Now().UTC().Add(-time.Minute),
			Rows: []store.StockCount{{Row: 0, SKU: "A", OnHand: 9}, {Row: 1, SKU: "B", OnHand: 9}, {Row: 2, SKU: "C", OnHand: 9}, {Row: 3, SKU: "D", OnHand: 9}}})
		if err != nil || res.Applied != 4 {
			t.Fatalf("snapshot: %+v %v", res, err)
		}
		if b := lineBuckets(t, n.db, first, 1); b.Allocated != 3 || b.Backordered != 0 {
			t.Errorf("%s line 1: %+v, want 3 allocated", first, b)
		}
		for line := 1; line <= 2; line++ {
			if b := lineBuckets(t, n.db, second, line); b.Backordered != 0 {
				t.Errorf("%s line %d still backordered: %+v", second, line, b)
			}
		}
		checkInvariants(t, n.db)
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		n := newNetwork(t)
		n.item(t, "A", false, nil)
		_, err := n.db.ReceiveStock(t.Context(), store.Receipt{SKU: "A", Location: "DAL", Quantity: 4, Role: domain.RoleCSR})
		if domain.ErrorCode(err) != domain.EFORBIDDEN {
			t.Fatalf("csr receipt: %v", err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		n := newNetwork(t)
		n.item(t, "A", false, nil)
		for _, r := range []store.Receipt{{SKU: "NOPE", Location: "DAL", Quantity: 1}, {SKU: "A", Location: "V-ACME", Quantity: 1}, {SKU: "A", Location: "DAL"}} {
			if _, err := n.db.ReceiveStock(t.Context(), r); domain.ErrorCode(err) != domain.EINVALID {
				t.Errorf("%+v: %v", r, err)
			}
		}
	})
}

// heldOrder makes a sourced order with an open hold and its exception and
// returns the order number, the hold id and the version.
func heldOrder(tb testing.TB, n *network, number, reason string) (string, int64, int64) {
	tb.Helper()
	num, _ := plannedOrder(tb, n, number)
	var hold int64
	err := n.db.Update(context.Background(), func(tx *sql.Tx) error {
		r, err := tx.Exec(`INSERT INTO holds (order_id, reason, note, placed_by, placed_at) SELECT id, ?, 'over limit', 'system', ? FROM orders WHERE number = ?`,
			reason, testTime, num)
		if err != nil {
			return err
		}
		hold, _ = r.LastInsertId()
		if _, err := tx.Exec(`INSERT INTO exceptions (kind, order_id, hold_id, severity, summary, sla_due_at, created_at)
			SELECT ?, id, ?, 'high', 'held', ?, ? FROM orders WHERE number = ?`, "hold_"+reason, hold, testTime, testTime, num); err != nil {
			return err
		}
		_, err = tx.Exec(`UPDATE orders SET status = 'on_hold', has_hold = 1, version = version + 1 WHERE number = ?`, num)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return num, hold, orderVersion(tb, n.db, num)
}

func TestReleaseHold(t *testing.T) {
	n := newNetwork(t)
	n.item(t, "A", false, map[string]int64{"DAL": 100})
	ctx := t.Context()
	t.Run("ErrForbiddenCSRCredit", func(t *testing.T) {
		num, hold, v := heldOrder(t, n, "SO-H1", "credit")
		_, err := n.db.ReleaseHold(ctx, store.OrderAction{Number: num, Version: v, Actor: "csr@example.com", Role: domain.RoleCSR, Reason: "paid"}, hold)
		if domain.ErrorCode(err) != domain.EFORBIDDEN {
			t.Fatalf("csr release of a credit hold: %v", err)
		}
		if orderVersion(t, n.db, num) != v || orderStatus(t, n.db, num) != domain.StatusOnHold {
			t.Fatal("a refused release changed the order")
		}
	})
	t.Run("OK", func(t *testing.T) {
		num, hold, v := heldOrder(t, n, "SO-H2", "credit")
		o, err := n.db.ReleaseHold(ctx, store.OrderAction{Number: num, Version: v, Actor: "ops@example.com", Role: domain.RoleOps, Reason: "payment received"}, hold)
		if err != nil {
			t.Fatal(err)
		}
		if o.Status != domain.StatusAllocated || o.HasHold {
			t.Fatalf("after release: %s hold=%v", o.Status, o.HasHold)
		}
		var open int
		n.db.View(ctx, func(tx *sql.Tx) error {
			return tx.QueryRow(`SELECT count(*) FROM exceptions WHERE hold_id = ? AND status <> 'resolved'`, hold).Scan(&open)
		})
		if open != 0 {
			t.Fatal("the hold's exception is still open")
		}
		if _, err := n.db.ReleaseHold(ctx, store.OrderAction{Number: num, Version: o.Version, Actor: "ops@example.com", Role: domain.RoleOps, Reason: "again"}, hold); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("second release: %v", err)
		}
	})
	t.Run("ErrInvalidNoReason", func(t *testing.T) {
		num, hold, v := heldOrder(t, n, "SO-H3", "credit")
		if _, err := n.db.ReleaseHold(ctx, store.OrderAction{Number: num, Version: v, Actor: "ops@example.com", Role: domain.RoleOps}, hold); domain.ErrorCode(err) != domain.EINVALID {
			t.Fatalf("release without a reason: %v", err)
		}
	})
	t.Run("AdminChangesAuthority", func(t *testing.T) {
		num, hold, v := heldOrder(t, n, "SO-H4", "credit")
		if err := n.db.SetHoldReleaseAuthority(ctx, "credit", []domain.Role{domain.RoleOps, domain.RoleCSR}, "ops@example.com", domain.RoleOps); domain.ErrorCode(err) != domain.EFORBIDDEN {
			t.Fatalf("ops changing authority: %v", err)
		}
		if err := n.db.SetHoldReleaseAuthority(ctx, "credit", []domain.Role{domain.RoleOps, domain.RoleCSR}, "admin@example.com", domain.RoleAdmin); err != nil {
			t.Fatal(err)
		}
		if _, err := n.db.ReleaseHold(ctx, store.OrderAction{Number: num, Version: v, Actor: "csr@example.com", Role: domain.RoleCSR, Reason: "paid by card"}, hold); err != nil {
			t.Fatalf("csr release after the change: %v", err)
		}
	})
}

func TestCancelLineAndOrder(t *testing.T) {
	n := newNetwork(t)
	n.item(t, "A", false, map[string]int64{"DAL": 4})
	n.item(t, "B", false, map[string]int64{"DAL": 10})
	ctx := t.Context()
	num := n.order(t, "SO-C1", false, map[string]int64{"A": 10, "B": 5})
	if _, err := n.db.SourceOrder(ctx, num, "test"); err != nil {
		t.Fatal(err)
	}
	v := orderVersion(t, n.db, num)
	ops := func(v int64, reason string) store.OrderAction {
		return store.OrderAction{Number: num, Version: v, Actor: "ops@example.com", Role: domain.RoleOps, Reason: reason}
	}
	if _, err := n.db.CancelLine(ctx, ops(v, ""), 1); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("cancel without reason: %v", err)
	}
	o, err := n.db.CancelLine(ctx, ops(v, "customer found it elsewhere"), 1)
	if err != nil {
		t.Fatal(err)
	}
	if b := lineBuckets(t, n.db, num, 1); b.Cancelled != 10 {
		t.Fatalf("line 1 after cancel: %+v", b)
	}
	checkInvariants(t, n.db)
	if _, err := n.db.CancelLine(ctx, ops(v, "again"), 2); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("stale version: %v", err)
	}
	o, err = n.db.CancelOrder(ctx, ops(o.Version, "customer cancelled"))
	if err != nil {
		t.Fatal(err)
	}
	if o.Status != domain.StatusCancelled {
		t.Fatalf("order is %s after cancel", o.Status)
	}
	var outbox int
	n.db.View(ctx, func(tx *sql.Tx) error {
		return tx.QueryRow(`SELECT count(*) FROM outbox WHERE topic IN ('order.line_cancelled', 'order.cancelled') AND destination = 'erp'`).Scan(&outbox)
	})
	if outbox != 2 {
		t.Fatalf("%d outbox messages for the ERP, want 2", outbox)
	}
	checkInvariants(t, n.db)
}

func TestSubstituteAndAllocate(t *testing.T) {
	n := newNetwork(t)
	a := n.item(t, "A", false, nil)
	b := n.item(t, "B", false, map[string]int64{"DAL": 20})
	n.item(t, "C", true, nil)
	exec(t, n.db, `INSERT INTO item_substitutes (item_id, substitute_item_id) VALUES (?, ?)`, a, b)
	exec(t, n.db, `INSERT INTO price_list_entries (price_level, item_id, unit_price_cents) VALUES ('LIST', ?, 777)`, b)
	ctx := t.Context()
	num := n.order(t, "SO-S1", false, map[string]int64{"A": 6, "C": 2})
	v := orderVersion(t, n.db, num)
	act := store.OrderAction{Number: num, Version: v, Actor: "ops@example.com", Role: domain.RoleOps}
	if _, err := n.db.SubstituteLine(ctx, act, 1, "C"); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("substitute that is not one: %v", err)
	}
	o, err := n.db.SubstituteLine(ctx, act, 1, "B")
	if err != nil {
		t.Fatal(err)
	}
	if old, sub := lineBuckets(t, n.db, num, 1), lineBuckets(t, n.db, num, 3); old.Cancelled != 6 || sub.Allocated != 6 {
		t.Fatalf("after substitution: old %+v, new %+v", old, sub)
	}
	var price int64
	n.db.View(ctx, func(tx *sql.Tx) error {
		return tx.QueryRow(`SELECT unit_price_cents FROM order_lines WHERE line_no = 3`).Scan(&price)
	})
	if price != 777 {
		t.Fatalf("substitute at %d cents, want the customer's 777", price)
	}
	act.Version = o.Version
	if _, err := n.db.AllocateLine(ctx, act, 2, "DAL"); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("allocate from a location without stock: %v", err)
	}
	o, err = n.db.DropshipLine(ctx, act, 2)
	if err != nil {
		t.Fatal(err)
	}
	if o.Status != domain.StatusAllocated {
		t.Fatalf("order is %s, want allocated", o.Status)
	}
	checkInvariants(t, n.db)
}

func TestRaiseBreaches(t *testing.T) {
	n := newNetwork(t)
	n.item(t, "A", false, map[string]int64{"DAL": 10})
	ctx := t.Context()
	num, _ := plannedOrder(t, n, "SO-B1")
	exec(t, n.db, `UPDATE orders SET created_at = '2026-11-01T10:00:00.000Z', requested_date = '2026-11-02' WHERE number = ?`, num)
	raised, err := n.db.RaiseBreaches(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if raised != 2 {
		t.Fatalf("raised %d, want sla_release and sla_ship", raised)
	}
	if again, _ := n.db.RaiseBreaches(ctx); again != 0 {
		t.Fatalf("a second sweep raised %d", again)
	}
	rows, total, err := n.db.Exceptions(ctx, store.ExceptionQuery{Breached: true})
	if err != nil || total != 2 || len(rows) != 2 {
		t.Fatalf("breached queue: %d rows, %d total, %v", len(rows), total, err)
	}
	counts, err := n.db.ExceptionCounts(ctx)
	if err != nil || len(counts) != 2 || counts[0].Breached != 1 {
		t.Fatalf("counts %+v %v", counts, err)
	}
	att, total, err := n.db.NeedsAttention(ctx, 10, 0)
	if err != nil || total != 1 || !att[0].Overdue {
		t.Fatalf("attention %+v %d %v", att, total, err)
	}
}

// TestFillBackordersRace races receipts against cancellations, manual
// allocations and substitutions of the same backorders: every action is
// one write transaction, so the invariants hold whatever the interleaving.
func TestFillBackordersRace(t *testing.T) {
	n := newNetwork(t)
	a := n.item(t, "A", false, map[string]int64{"HBG": 3})
	b := n.item(t, "B", false, map[string]int64{"DAL": 50})
	exec(t, n.db, `INSERT INTO item_substitutes (item_id, substitute_item_id) VALUES (?, ?)`, a, b)
	var numbers []string
	for i := range 30 {
		numbers = append(numbers, n.order(t, "SO-R"+strconv.Itoa(i), false, map[string]int64{"A": int64(1 + i%4)}))
	}
	ctx := t.Context()
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Go(func() {
			for j := range 5 {
				if _, err := n.db.ReceiveStock(ctx, store.Receipt{SKU: "A", Location: []string{"DAL", "HBG"}[(i+j)%2], Quantity: 3}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	for i, num := range numbers {
		wg.Go(func() {
			act := store.OrderAction{Number: num, Version: orderVersion(t, n.db, num), Actor: "ops@example.com", Role: domain.RoleOps, Reason: "race"}
			var err error
			switch i % 3 {
			case 0:
				_, err = n.db.CancelLine(ctx, act, 1)
			case 1:
				_, err = n.db.AllocateLine(ctx, act, 1, "HBG")
			default:
				_, err = n.db.SubstituteLine(ctx, act, 1, "B")
			}
			// A conflict or "nothing left" is a fair answer to a race; a
			// broken invariant is not.
			if c := domain.ErrorCode(err); c != "" && c != domain.ECONFLICT && c != domain.EINVALID {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	checkInvariants(t, n.db)
}

func TestSourceOrderCancelRestPolicy(t *testing.T) {
	n := newNetwork(t)
	n.item(t, "A", false, map[string]int64{"DAL": 4})
	exec(t, n.db, `UPDATE customers SET backorder_policy = 'ship_available_cancel_rest' WHERE id = ?`, n.customer)
	num := n.order(t, "SO-CR", false, map[string]int64{"A": 10})
	res, err := n.db.SourceOrder(t.Context(), num, "test")
	if err != nil {
		t.Fatal(err)
	}
	if b := lineBuckets(t, n.db, num, 1); b.Allocated != 4 || b.Cancelled != 6 || b.Backordered != 0 {
		t.Fatalf("buckets %+v, want 4 allocated and 6 cancelled", b)
	}
	if !strings.Contains(strings.Join(res.Trace, " "), "cancels the rest") {
		t.Fatalf("trace does not say why: %v", res.Trace)
	}
	checkInvariants(t, n.db)
}

// TestRaiseBreachesResolves checks the sweep's resolutions: an sla_release
// breach goes once its order no longer waits for release, and a backorder
// exception goes once its line has nothing backordered, and the sla_ship
// breach of the order's unshipped groups stays open.
func TestRaiseBreachesResolves(t *testing.T) {
	n := newNetwork(t)
	n.item(t, "A", false, map[string]int64{"DAL": 10})
	ctx := t.Context()
	num, _ := plannedOrder(t, n, "SO-B2")
	exec(t, n.db, `UPDATE orders SET created_at = '2026-11-01T10:00:00.000Z', requested_date = '2026-11-02' WHERE number = ?`, num)
	if raised, err := n.db.RaiseBreaches(ctx); err != nil || raised != 2 {
		t.Fatalf("raised %d, %v; want sla_release and sla_ship", raised, err)
	}
	// A backorder exception on a line that has nothing backordered.
	exec(t, n.db, `INSERT INTO exceptions (kind, order_id, order_line_id, severity, summary, sla_due_at, created_at)
		SELECT 'backorder_aging', l.order_id, l.id, 'medium', 'aging 0', '2026-11-03T00:00:00.000Z', '2026-11-03T00:00:00.000Z'
		FROM order_lines l WHERE l.order_id = (SELECT id FROM orders WHERE number = ?) AND l.qty_backordered = 0`, num)
	if _, err := n.db.RaiseBreaches(ctx); err != nil {
		t.Fatal(err)
	}
	if got := scalarString(t, n.db, `SELECT group_concat(kind || ' ' || status) FROM exceptions WHERE status = 'resolved'`); got != "backorder_aging resolved" {
		t.Fatalf("after the first sweep the resolved exceptions are %q, want the backorder exception only", got)
	}
	exec(t, n.db, `UPDATE orders SET status = 'released' WHERE number = ?`, num)
	if _, err := n.db.RaiseBreaches(ctx); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	n.db.View(ctx, func(tx *sql.Tx) error {
		rows, err := tx.Query(`SELECT kind || ' ' || summary, status FROM exceptions WHERE kind IN ('sla_release', 'sla_ship', 'backorder_aging')`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k, s string
			rows.Scan(&k, &s)
			got[strings.Fields(k)[0]+" "+strings.Fields(k)[len(strings.Fields(k))-1]] = s
		}
		return rows.Err()
	})
	want := map[string]string{"sla_release capture.": "resolved", "sla_ship 2026-11-02.": "open", "backorder_aging 0": "resolved"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("exceptions %v, want %v", got, want)
	}
}

func scalarString(tb testing.TB, db *store.DB, q string, args ...any) string {
	tb.Helper()
	var s sql.NullString
	if err := db.View(context.Background(), func(tx *sql.Tx) error { return tx.QueryRow(q, args...).Scan(&s) }); err != nil {
		tb.Fatal(err)
	}
	return s.String
}
