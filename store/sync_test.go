package store_test

import (
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/store"
)

func onHand(tb testing.TB, db *store.DB, sku, loc string) int64 {
	tb.Helper()
	var q int64
	err := db.View(tb.Context(), func(tx *sql.Tx) error {
		return tx.QueryRow(`SELECT i.on_hand FROM inventory i JOIN items it ON it.id = i.item_id JOIN locations l ON l.id = i.location_id
			WHERE it.sku = ? AND l.code = ?`, sku, loc).Scan(&q)
	})
	if err != nil {
		tb.Fatal(err)
	}
	return q
}

// releasedOrder makes an order of qty units of sku, sourced and released.
func releasedOrder(tb testing.TB, n *network, number, sku string, qty int64) string {
	tb.Helper()
	num := n.order(tb, number, false, map[string]int64{sku: qty})
	if _, err := n.db.SourceOrder(tb.Context(), num, "test"); err != nil {
		tb.Fatal(err)
	}
	if released, err := n.db.ReleasePlannedGroups(tb.Context(), 100); err != nil || released == 0 {
		tb.Fatalf("release: %d, %v", released, err)
	}
	return num
}

func TestInventorySnapshotAsOf(t *testing.T) {
	n := newNetwork(t)
	n.item(t, "A", false, map[string]int64{"DAL": 10})
	ctx := t.Context()
	t0 := time.Now().UTC().Add(-time.Hour)

	// A shipment at t0+10m, then a snapshot counted at t0 (before it) and
	// one at t0+20m (after it), arriving in the wrong order.
	num := releasedOrder(t, n, "SO-SNAP", "A", 4)
	if _, err := n.db.ConfirmShipment(ctx, store.ShipmentConfirmation{MessageID: "ship-1", Order: num, Group: 1,
		Shipment: store.Shipment{Carrier: "UPS", Tracking: "1Z1", ShippedAt: t0.Add(10 * time.Minute)}}); err != nil {
		t.Fatal(err)
	}
	if got := onHand(t, n.db, "A", "DAL"); got != 6 {
		t.Fatalf("on hand after shipment %d, want 6", got)
	}
	later := store.InventorySnapshot{MessageID: "snap-late", Location: "DAL", AsOf: t0.Add(20 * time.Minute),
		Rows: []store.StockCount{{Row: 0, SKU: "A", OnHand: 50}}}
	if _, err := n.db.ApplyInventorySnapshot(ctx, later); err != nil {
		t.Fatal(err)
	}
	if got := onHand(t, n.db, "A", "DAL"); got != 50 {
		t.Fatalf("on hand after snapshot %d, want 50 (the count after the shipment)", got)
	}
	older := store.InventorySnapshot{MessageID: "snap-early", Location: "DAL", AsOf: t0, Rows: []store.StockCount{{SKU: "A", OnHand: 10}}}
	res, err := n.db.ApplyInventorySnapshot(ctx, older)
	if err != nil || res.Ignored != 1 || onHand(t, n.db, "A", "DAL") != 50 {
		t.Fatalf("older snapshot: %+v %v, on hand %d", res, err, onHand(t, n.db, "A", "DAL"))
	}
	// A receipt that happened before the applied count is in it already;
	// one after it is added.
	if _, err := n.db.ApplyInventoryDeltas(ctx, store.InventoryDeltas{MessageID: "d1", Rows: []store.StockDelta{
		{SKU: "A", Location: "DAL", Quantity: 5, Kind: "receipt", OccurredAt: t0.Add(15 * time.Minute)},
		{Row: 1, SKU: "A", Location: "DAL", Quantity: 7, Kind: "receipt", OccurredAt: t0.Add(30 * time.Minute)},
	}}); err != nil {
		t.Fatal(err)
	}
	if got := onHand(t, n.db, "A", "DAL"); got != 57 {
		t.Fatalf("on hand after receipts %d, want 57", got)
	}
	// A snapshot counted at t0+25m, before the second receipt: the
	// receipt after it is added to the count.
	if _, err := n.db.ApplyInventorySnapshot(ctx, store.InventorySnapshot{MessageID: "snap-3", Location: "DAL", AsOf: t0.Add(25 * time.Minute),
		Rows: []store.StockCount{{SKU: "A", OnHand: 40}}}); err != nil {
		t.Fatal(err)
	}
	if got := onHand(t, n.db, "A", "DAL"); got != 47 {
		t.Fatalf("on hand after third snapshot %d, want 40 + 7", got)
	}
	// The same message again changes nothing.
	res, err = n.db.ApplyInventoryDeltas(ctx, store.InventoryDeltas{MessageID: "d1", Rows: []store.StockDelta{
		{SKU: "A", Location: "DAL", Quantity: 5, Kind: "receipt"}}})
	if err != nil || !res.Duplicate || onHand(t, n.db, "A", "DAL") != 47 {
		t.Fatalf("duplicate: %+v %v", res, err)
	}
	checkInvariants(t, n.db)
}

func TestInboundBadBatchAppliesNothing(t *testing.T) {
	n := newNetwork(t)
	n.item(t, "A", false, map[string]int64{"DAL": 10})
	_, err := n.db.ApplyInventoryDeltas(t.Context(), store.InventoryDeltas{MessageID: "bad", Rows: []store.StockDelta{
		{Row: 1, SKU: "A", Location: "DAL", Quantity: 5, Kind: "receipt"},
		{Row: 2, SKU: "NOPE", Location: "DAL", Quantity: 5, Kind: "receipt"},
		{Row: 3, SKU: "A", Location: "XXX", Quantity: -1, Kind: "receipt"},
	}})
	f := domain.ErrorFields(err)
	if domain.ErrorCode(err) != domain.EINVALID || f["rows[2].sku"] == "" || f["rows[3].location"] == "" || f["rows[3].quantity"] == "" || len(f) != 3 {
		t.Fatalf("bad batch: %v %v", err, f)
	}
	if got := onHand(t, n.db, "A", "DAL"); got != 10 {
		t.Fatalf("on hand %d after a refused batch", got)
	}
	// Fixed, the same message id applies.
	if _, err := n.db.ApplyInventoryDeltas(t.Context(), store.InventoryDeltas{MessageID: "bad", Rows: []store.StockDelta{
		{Row: 1, SKU: "A", Location: "DAL", Quantity: 5, Kind: "receipt"}}}); err != nil {
		t.Fatal(err)
	}
	if got := onHand(t, n.db, "A", "DAL"); got != 15 {
		t.Fatalf("on hand %d, want 15", got)
	}
}

func TestPartialShipmentAndInvoiceClose(t *testing.T) {
	n := newNetwork(t)
	n.item(t, "A", false, map[string]int64{"DAL": 10})
	ctx := t.Context()
	num := releasedOrder(t, n, "SO-PART", "A", 4)
	// Line 1 ships 3 of 4: the fourth is backordered again.
	if _, err := n.db.ConfirmShipment(ctx, store.ShipmentConfirmation{MessageID: "s1", Order: num, Group: 1,
		Shipment: store.Shipment{Carrier: "UPS", Tracking: "1Z9", Lines: map[int]int64{1: 3}}}); err != nil {
		t.Fatal(err)
	}
	d, err := n.db.OrderDetail(ctx, num, store.LineQuery{}, "")
	if err != nil {
		t.Fatal(err)
	}
	l := d.Lines.Lines[0]
	if l.Shipped != 3 || l.Backordered != 1 || d.Order.Status != domain.StatusPartiallyShipped || onHand(t, n.db, "A", "DAL") != 7 {
		t.Fatalf("after partial: %+v status %s on hand %d", l.Buckets, d.Order.Status, onHand(t, n.db, "A", "DAL"))
	}
	checkInvariants(t, n.db)
	// Too many units is refused, naming the line.
	num2 := releasedOrder(t, n, "SO-OVER", "A", 2)
	_, err = n.db.ConfirmShipment(ctx, store.ShipmentConfirmation{MessageID: "s2", Order: num2, Group: 1,
		Shipment: store.Shipment{Carrier: "UPS", Tracking: "1Z8", Lines: map[int]int64{1: 5}}})
	if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(domain.ErrorFields(err)["lines.1"], "holds 2 units") {
		t.Fatalf("over-shipment: %v %v", err, domain.ErrorFields(err))
	}
	if _, err := n.db.ConfirmShipment(ctx, store.ShipmentConfirmation{MessageID: "s2", Order: num2, Group: 1,
		Shipment: store.Shipment{Carrier: "UPS", Tracking: "1Z8"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := n.db.ApplyInvoice(ctx, store.Invoice{MessageID: "i1", Number: "INV-1", Order: num2, AmountCents: 2000}); err != nil {
		t.Fatal(err)
	}
	d, _ = n.db.OrderDetail(ctx, num2, store.LineQuery{}, "")
	if d.Order.Status != domain.StatusClosed {
		t.Fatalf("invoiced order is %s, want closed", d.Order.Status)
	}
	// The partly shipped order, invoiced, stays open for its backorder.
	if _, err := n.db.ApplyInvoice(ctx, store.Invoice{MessageID: "i2", Number: "INV-2", Order: num, AmountCents: 3000}); err != nil {
		t.Fatal(err)
	}
	d, _ = n.db.OrderDetail(ctx, num, store.LineQuery{}, "")
	if d.Order.Status != domain.StatusPartiallyShipped {
		t.Fatalf("part-shipped invoiced order is %s", d.Order.Status)
	}
	checkInvariants(t, n.db)
}

func TestOutboxOrderPerOrderAndDeadLetter(t *testing.T) {
	n := newNetwork(t)
	n.item(t, "A", false, map[string]int64{"DAL": 10})
	ctx := t.Context()
	num := releasedOrder(t, n, "SO-OUT", "A", 2)
	if _, err := n.db.ConfirmShipment(ctx, store.ShipmentConfirmation{MessageID: "s", Order: num, Group: 1,
		Shipment: store.Shipment{Carrier: "UPS", Tracking: "1Z7"}}); err != nil {
		t.Fatal(err)
	}
	got, err := n.db.ClaimOutbox(ctx, []string{"wms", "erp"}, 10, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	var topics []string
	for _, e := range got {
		topics = append(topics, e.Destination+":"+e.Topic)
	}
	if strings.Join(topics, ",") != "wms:group.released,erp:group.shipped" {
		t.Fatalf("claimed %v", topics)
	}
	if got[0].Group == nil || got[0].Group.Seq != 1 || len(got[0].GroupLines) != 1 || got[0].Order.Number != num {
		t.Fatalf("domain values %+v", got[0])
	}
	// Leased: not claimed again.
	if again, _ := n.db.ClaimOutbox(ctx, []string{"wms", "erp"}, 10, time.Minute); len(again) != 0 {
		t.Fatalf("claimed twice: %d", len(again))
	}
	// The WMS message dies: a dead letter, an exception.
	if err := n.db.RecordDeliveries(ctx, []store.DeliveryResult{{ID: got[0].ID, Status: 400, Error: "HTTP 400: bad"},
		{ID: got[1].ID, Delivered: true, Status: 200}}); err != nil {
		t.Fatal(err)
	}
	var exceptions int
	n.db.View(ctx, func(tx *sql.Tx) error {
		return tx.QueryRow(`SELECT count(*) FROM exceptions WHERE kind = 'sync_failure' AND status = 'open'`).Scan(&exceptions)
	})
	if exceptions != 1 {
		t.Fatalf("%d open sync exceptions, want 1", exceptions)
	}
	if err := n.db.RetryDeadLetter(ctx, got[0].ID, "admin@example.com", domain.RoleOps); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Fatalf("ops retry: %v", err)
	}
	if err := n.db.RetryDeadLetter(ctx, got[0].ID, "admin@example.com", domain.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	n.db.View(ctx, func(tx *sql.Tx) error {
		return tx.QueryRow(`SELECT count(*) FROM exceptions WHERE kind = 'sync_failure' AND status = 'open'`).Scan(&exceptions)
	})
	if exceptions != 0 {
		t.Fatalf("exception not resolved by the retry")
	}
	again, _ := n.db.ClaimOutbox(ctx, []string{"wms"}, 10, time.Minute)
	if len(again) != 1 || again[0].ID != got[0].ID {
		t.Fatalf("retried message not claimed: %v", again)
	}
}

// TestFeedRebuildsStatus reads the change feed from the start, keeps each
// order's last status, and finds every order's status exactly.
func TestFeedRebuildsStatus(t *testing.T) {
	n := newNetwork(t)
	n.item(t, "A", false, map[string]int64{"DAL": 10})
	n.item(t, "B", false, map[string]int64{"HBG": 1})
	ctx := t.Context()
	shipped := releasedOrder(t, n, "SO-F1", "A", 2)
	if _, err := n.db.ConfirmShipment(ctx, store.ShipmentConfirmation{MessageID: "f1", Order: shipped, Group: 1,
		Shipment: store.Shipment{Carrier: "UPS", Tracking: "1ZF1"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := n.db.ApplyInvoice(ctx, store.Invoice{MessageID: "f2", Number: "INV-F1", Order: shipped}); err != nil {
		t.Fatal(err)
	}
	part := releasedOrder(t, n, "SO-F2", "A", 4)
	if _, err := n.db.ConfirmShipment(ctx, store.ShipmentConfirmation{MessageID: "f3", Order: part, Group: 1,
		Shipment: store.Shipment{Carrier: "UPS", Tracking: "1ZF2", Lines: map[int]int64{1: 1}}}); err != nil {
		t.Fatal(err)
	}
	short := n.order(t, "SO-F3", false, map[string]int64{"B": 3})
	if _, err := n.db.SourceOrder(ctx, short, "test"); err != nil {
		t.Fatal(err)
	}
	cancelled, v := plannedOrder(t, n, "SO-F4")
	if _, err := n.db.CancelGroup(ctx, store.OrderAction{Number: cancelled, Version: v, Actor: "ops@example.com", Role: domain.RoleOps}, 1); err != nil {
		t.Fatal(err)
	}
	status, version := map[string]string{}, map[string]int64{}
	var after int64
	for {
		page, err := n.db.EventsAfter(ctx, after, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, e := range page {
			if e.ID <= after {
				t.Fatalf("event %d after cursor %d", e.ID, after)
			}
			after = e.ID
			if e.After != "" {
				status[e.OrderNumber] = e.After
			}
			if e.OrderVersion < version[e.OrderNumber] {
				t.Fatalf("%s: version %d after %d", e.OrderNumber, e.OrderVersion, version[e.OrderNumber])
			}
			version[e.OrderNumber] = e.OrderVersion
		}
	}
	err := n.db.View(ctx, func(tx *sql.Tx) error {
		rows, err := tx.Query(`SELECT number, status, version FROM orders`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var num, st string
			var ver int64
			rows.Scan(&num, &st, &ver)
			if status[num] != st || version[num] != ver {
				t.Errorf("%s: feed says %s v%d, the order is %s v%d", num, status[num], version[num], st, ver)
			}
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestShipmentAfterSnapshotArrives: the count comes first and the
// confirmations of shipments come late. One that left before the count is
// in it already and changes no on-hand; one that left after it is taken
// off. Either way the shipment itself is recorded.
func TestShipmentAfterSnapshotArrives(t *testing.T) {
	n := newNetwork(t)
	n.item(t, "A", false, map[string]int64{"DAL": 20})
	ctx := t.Context()
	t0 := time.Now().UTC().Add(-time.Hour)
	early := releasedOrder(t, n, "SO-EARLY", "A", 4)
	late := releasedOrder(t, n, "SO-LATE", "A", 3)
	// Counted at t0+20m: 16 on the shelf, the early shipment (t0+10m)
	// already gone.
	if _, err := n.db.ApplyInventorySnapshot(ctx, store.InventorySnapshot{MessageID: "snap", Location: "DAL", AsOf: t0.Add(20 * time.Minute),
		Rows: []store.StockCount{{SKU: "A", OnHand: 16}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := n.db.ConfirmShipment(ctx, store.ShipmentConfirmation{MessageID: "ship-early", Order: early, Group: 1,
		Shipment: store.Shipment{Carrier: "UPS", Tracking: "1Z1", ShippedAt: t0.Add(10 * time.Minute)}}); err != nil {
		t.Fatal(err)
	}
	if got := onHand(t, n.db, "A", "DAL"); got != 16 {
		t.Fatalf("on hand %d after a shipment the count already saw, want 16", got)
	}
	if _, err := n.db.ConfirmShipment(ctx, store.ShipmentConfirmation{MessageID: "ship-late", Order: late, Group: 1,
		Shipment: store.Shipment{Carrier: "UPS", Tracking: "1Z2", ShippedAt: t0.Add(30 * time.Minute)}}); err != nil {
		t.Fatal(err)
	}
	if got := onHand(t, n.db, "A", "DAL"); got != 13 {
		t.Fatalf("on hand %d after a shipment after the count, want 16 - 3", got)
	}
	// The late confirmation sent again changes nothing.
	if res, err := n.db.ConfirmShipment(ctx, store.ShipmentConfirmation{MessageID: "ship-late", Order: late, Group: 1,
		Shipment: store.Shipment{Carrier: "UPS", Tracking: "1Z2", ShippedAt: t0.Add(30 * time.Minute)}}); err != nil || !res.Duplicate {
		t.Fatalf("again: %+v %v", res, err)
	}
	for _, num := range []string{early, late} {
		d, err := n.db.OrderDetail(ctx, num, store.LineQuery{}, "")
		if err != nil || d.Order.Status != domain.StatusShipped {
			t.Fatalf("%s: %s %v", num, d.Order.Status, err)
		}
	}
	if got := onHand(t, n.db, "A", "DAL"); got != 13 {
		t.Fatalf("on hand %d, want 13", got)
	}
	checkInvariants(t, n.db)
}
