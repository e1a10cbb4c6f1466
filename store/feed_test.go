package store_test

import (
	"database/sql"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/oms/oms/store"
)

// changedOrders pages through OrdersChanged from cursor after, limit a
// page, and returns the numbers in the order they came and the last cursor.
func changedOrders(tb testing.TB, db *store.DB, since time.Time, after int64, limit int) ([]string, int64) {
	tb.Helper()
	var got []string
	for {
		page, err := db.OrdersChanged(tb.Context(), store.OrderChangesQuery{Since: since, After: after, Limit: limit})
		if err != nil {
			tb.Fatal(err)
		}
		if len(page) == 0 {
			return got, after
		}
		for _, o := range page {
			if o.LastEventID <= after {
				tb.Fatalf("%s at event %d, after cursor %d", o.Number, o.LastEventID, after)
			}
			after = o.LastEventID
			got = append(got, o.Number)
		}
	}
}

func TestOrdersChanged(t *testing.T) {
	n := newNetwork(t)
	n.item(t, "A", false, map[string]int64{"DAL": 100})
	ctx := t.Context()
	var numbers []string
	for _, num := range []string{"SO-C1", "SO-C2", "SO-C3"} {
		numbers = append(numbers, n.order(t, num, false, map[string]int64{"A": 2}))
		if _, err := n.db.SourceOrder(ctx, num, "test"); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("OldestChangeFirst", func(t *testing.T) {
		got, _ := changedOrders(t, n.db, time.Time{}, 0, 2)
		if !slices.Equal(got, numbers) {
			t.Fatalf("changed %v, want %v", got, numbers)
		}
	})
	t.Run("ChangedWhilePagingComesAgain", func(t *testing.T) {
		page, err := n.db.OrdersChanged(ctx, store.OrderChangesQuery{Limit: 1})
		if err != nil || len(page) != 1 || page[0].Number != "SO-C1" {
			t.Fatalf("first page %v %v", page, err)
		}
		// SO-C1, already read, and SO-C2, not yet, change: each comes
		// once more, after SO-C3, in the order of their changes.
		for _, num := range []string{"SO-C1", "SO-C2"} {
			if _, err := n.db.AddNote(ctx, num, "csr@example.com", "called"); err != nil {
				t.Fatal(err)
			}
		}
		got, _ := changedOrders(t, n.db, time.Time{}, page[0].LastEventID, 1)
		if want := []string{"SO-C3", "SO-C1", "SO-C2"}; !slices.Equal(got, want) {
			t.Fatalf("changed %v, want %v", got, want)
		}
	})
	t.Run("UpdatedSince", func(t *testing.T) {
		if got, _ := changedOrders(t, n.db, time.Now().Add(time.Hour), 0, 10); len(got) != 0 {
			t.Fatalf("changed in the future: %v", got)
		}
		if got, _ := changedOrders(t, n.db, time.Now().Add(-time.Hour), 0, 10); len(got) != 3 {
			t.Fatalf("changed in the last hour: %v", got)
		}
	})
}

// TestFeedInventoryEvents checks that receipts, adjustments, counts that
// change on hand and shipments come in the feed, in commit order, per item
// and location with available after, and that a count that changes
// nothing writes no event.
func TestFeedInventoryEvents(t *testing.T) {
	n := newNetwork(t)
	n.item(t, "A", false, map[string]int64{"DAL": 10})
	n.item(t, "B", false, map[string]int64{"DAL": 5})
	ctx := t.Context()
	start := lastEventID(t, n.db)
	before := time.Now().Add(-2 * time.Minute) // the movements, before the count
	if _, err := n.db.ApplyInventoryDeltas(ctx, store.InventoryDeltas{MessageID: "d1", Source: "api", Rows: []store.StockDelta{
		{SKU: "A", Location: "DAL", Quantity: 7, Kind: "receipt", PONumber: "PO-1", OccurredAt: before},
		{SKU: "B", Location: "DAL", Quantity: -2, Kind: "adjustment", OccurredAt: before},
	}}); err != nil {
		t.Fatal(err)
	}
	// A count: A as known (17, no event), B counted 4 (was 3).
	if _, err := n.db.ApplyInventorySnapshot(ctx, store.InventorySnapshot{MessageID: "s1", Source: "api", Location: "DAL",
		AsOf: time.Now().Add(-time.Minute), Rows: []store.StockCount{{Row: 0, SKU: "A", OnHand: 17}, {Row: 1, SKU: "B", OnHand: 4}}}); err != nil {
		t.Fatal(err)
	}
	num := releasedOrder(t, n, "SO-INV", "A", 4)
	if _, err := n.db.ConfirmShipment(ctx, store.ShipmentConfirmation{MessageID: "sh1", Order: num, Group: 1,
		Shipment: store.Shipment{Carrier: "UPS", Tracking: "1ZINV"}}); err != nil {
		t.Fatal(err)
	}
	events, err := n.db.EventsAfter(ctx, start, 1000)
	if err != nil {
		t.Fatal(err)
	}
	type change struct {
		kind, sku      string
		qty, onHand, a int64
	}
	var got []change
	last := start
	for _, e := range events {
		if e.ID <= last {
			t.Fatalf("event %d after %d", e.ID, last)
		}
		last = e.ID
		if len(e.Stock) == 0 {
			if e.OrderNumber == "" {
				t.Fatalf("event %d is of no order and no stock: %+v", e.ID, e)
			}
			continue
		}
		if e.OrderNumber != "" || e.Summary == "" {
			t.Fatalf("inventory event %+v", e)
		}
		for _, st := range e.Stock {
			if st.Location != "DAL" {
				t.Fatalf("inventory event %+v", e)
			}
			got = append(got, change{e.Kind, st.SKU, st.Quantity, st.OnHand, st.Available})
		}
	}
	want := []change{
		{store.StockReceipt, "A", 7, 17, 17},
		{store.StockAdjustment, "B", -2, 3, 3},
		{store.StockSnapshot, "B", 1, 4, 4}, // A was counted as known: no change, not listed
		// 4 of A shipped: on hand 13, and the allocation is gone with them.
		{store.StockShipment, "A", -4, 13, 13},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("inventory events\n got %+v\nwant %+v", got, want)
	}
	// The same count again changes nothing and adds no event.
	if _, err := n.db.ApplyInventorySnapshot(ctx, store.InventorySnapshot{MessageID: "s2", Source: "api", Location: "DAL",
		AsOf: time.Now(), Rows: []store.StockCount{{Row: 0, SKU: "B", OnHand: 4}}}); err != nil {
		t.Fatal(err)
	}
	if more, _ := n.db.EventsAfter(ctx, last, 10); len(more) != 0 {
		t.Fatalf("an unchanged count wrote %+v", more)
	}
}

func lastEventID(tb testing.TB, db *store.DB) int64 {
	tb.Helper()
	var after int64
	for {
		page, err := db.EventsAfter(tb.Context(), after, store.MaxFeedPage)
		if err != nil {
			tb.Fatal(err)
		}
		if len(page) == 0 {
			return after
		}
		after = page[len(page)-1].ID
	}
}

// TestSnapshotEventsSplit: a count that changes 1,500 items writes two
// snapshot events (1,000 and 500 items), each item once.
func TestSnapshotEventsSplit(t *testing.T) {
	n := newNetwork(t)
	ctx := t.Context()
	if err := n.db.Update(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 1500)
			INSERT INTO items (sku, description, list_price_cents, updated_at) SELECT printf('S-%04d', i), 'Item', 100, ? FROM k`, testTime)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	start := lastEventID(t, n.db)
	snap := store.InventorySnapshot{MessageID: "big", Source: "api", Location: "HBG", AsOf: time.Now().Add(-time.Minute)}
	for i := range 1500 {
		snap.Rows = append(snap.Rows, store.StockCount{Row: i, SKU: fmt.Sprintf("S-%04d", i+1), OnHand: int64(i + 1)})
	}
	if _, err := n.db.ApplyInventorySnapshot(ctx, snap); err != nil {
		t.Fatal(err)
	}
	events, err := n.db.EventsAfter(ctx, start, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 2 || len(events[0].Stock) != 1000 || len(events[1].Stock) != 500 {
		t.Fatalf("%d events", len(events))
	}
	last := events[1].Stock[499]
	if last.SKU != "S-1500" || last.Location != "HBG" || last.Quantity != 1500 || last.OnHand != 1500 || last.Available != 1500 {
		t.Fatalf("last item %+v", last)
	}
}
