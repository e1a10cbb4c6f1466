package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/oms/oms/store"
)

// BenchmarkInventorySnapshot100k applies a snapshot of 100,000 items at one
// location (target: at most 2 s), each a newer count than the last.
func BenchmarkInventorySnapshot100k(b *testing.B) {
	const rows = 100_000
	db := newDB(b)
	ctx := context.Background()
	err := db.Update(ctx, func(tx *sql.Tx) error {
		if _, err := tx.Exec(`INSERT INTO locations (code, name, type, serves, city, region, postal_code, latitude, longitude)
			VALUES ('DAL', 'Dallas DC', 'dc', 'both', 'Dallas', 'TX', '75201', 32.78, -96.80)`); err != nil {
			return err
		}
		_, err := tx.Exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
			INSERT INTO items (sku, description, list_price_cents, updated_at) SELECT printf('SKU-%06d', i), 'Item', 100, ? FROM n`, rows, testTime)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	snap := store.InventorySnapshot{Location: "DAL", Rows: make([]store.StockCount, rows)}
	for i := range snap.Rows {
		snap.Rows[i] = store.StockCount{Row: i, SKU: fmt.Sprintf("SKU-%06d", i+1), OnHand: int64(i % 500)}
	}
	asOf := time.Now().UTC().Add(-time.Hour)
	n := 0
	cpu := processCPU()
	for b.Loop() {
		n++
		snap.MessageID = fmt.Sprintf("snap-%d", n)
		snap.AsOf = asOf.Add(time.Duration(n) * time.Millisecond)
		res, err := db.ApplyInventorySnapshot(ctx, snap)
		if err != nil || res.Applied != rows {
			b.Fatalf("%+v %v", res, err)
		}
	}
	b.ReportMetric(float64((processCPU()-cpu).Nanoseconds())/float64(n), "cpu-ns/op")
	b.ReportMetric(float64(rows), "rows/op")
}

// BenchmarkInventorySnapshot100kAllChanged is BenchmarkInventorySnapshot100k
// with every row's count different from the last, so that every row
// changes on hand and writes an inventory event: the worst case for the
// change feed (the plain benchmark changes on hand only in its first run).
func BenchmarkInventorySnapshot100kAllChanged(b *testing.B) {
	const rows = 100_000
	db := newDB(b)
	ctx := context.Background()
	err := db.Update(ctx, func(tx *sql.Tx) error {
		if _, err := tx.Exec(`INSERT INTO locations (code, name, type, serves, city, region, postal_code, latitude, longitude)
			VALUES ('DAL', 'Dallas DC', 'dc', 'both', 'Dallas', 'TX', '75201', 32.78, -96.80)`); err != nil {
			return err
		}
		_, err := tx.Exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
			INSERT INTO items (sku, description, list_price_cents, updated_at) SELECT printf('SKU-%06d', i), 'Item', 100, ? FROM n`, rows, testTime)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	snap := store.InventorySnapshot{Location: "DAL", Rows: make([]store.StockCount, rows)}
	asOf := time.Now().UTC().Add(-time.Hour)
	n := 0
	cpu := processCPU()
	for b.Loop() {
		n++
		for i := range snap.Rows {
			snap.Rows[i] = store.StockCount{Row: i, SKU: fmt.Sprintf("SKU-%06d", i+1), OnHand: int64(1 + (i+n)%500)}
		}
		snap.MessageID = fmt.Sprintf("snap-%d", n)
		snap.AsOf = asOf.Add(time.Duration(n) * time.Millisecond)
		res, err := db.ApplyInventorySnapshot(ctx, snap)
		if err != nil || res.Applied != rows {
			b.Fatalf("%+v %v", res, err)
		}
	}
	b.ReportMetric(float64((processCPU()-cpu).Nanoseconds())/float64(n), "cpu-ns/op")
	b.ReportMetric(float64(rows), "rows/op")
}

// BenchmarkClaimOutboxBacklog claims 5 messages for the ERP and WMS while
// 5,000 customer e-mails wait, due, behind them: a claim reads what it
// takes, not the whole backlog of other destinations (nor of its own).
func BenchmarkClaimOutboxBacklog(b *testing.B) {
	db := newDB(b)
	ctx := context.Background()
	due := store.FormatTime(time.Now().UTC().Add(-time.Minute))
	err := db.Update(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
			INSERT INTO outbox (message_id, topic, destination, payload, next_attempt_at, created_at)
			SELECT 'mail-' || i, 'customer.backorder_notice', 'email', '', ?, ? FROM n`, due, due)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for b.Loop() {
		// Messages for each destination every round, so that every claim
		// finds work; what it claims is delivered.
		n++
		if err := db.Update(ctx, func(tx *sql.Tx) error {
			if _, err := tx.Exec(`INSERT INTO outbox (message_id, topic, destination, payload, next_attempt_at, created_at)
				VALUES (?, 'order.accepted', 'erp', '', ?, ?), (?, 'group.released', 'wms', '', ?, ?)`,
				fmt.Sprintf("erp-%d", n), due, due, fmt.Sprintf("wms-%d", n), due, due); err != nil {
				return err
			}
			// As many e-mails as a claim takes, so the backlog stays 5,000.
			_, err := tx.Exec(`WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 5)
				INSERT INTO outbox (message_id, topic, destination, payload, next_attempt_at, created_at)
				SELECT printf('mail-%d-%d', ?, i), 'customer.backorder_notice', 'email', '', ?, ? FROM k`, n, due, due)
			return err
		}); err != nil {
			b.Fatal(err)
		}
		got, err := db.ClaimOutbox(ctx, []string{"erp", "wms", "vendor"}, 5, time.Minute)
		if err != nil || len(got) == 0 {
			b.Fatalf("claimed %d: %v", len(got), err)
		}
		mail, err := db.ClaimOutbox(ctx, []string{"email"}, 5, time.Minute)
		if err != nil || len(mail) != 5 {
			b.Fatalf("claimed %d e-mails: %v", len(mail), err)
		}
		var done []store.DeliveryResult
		for _, e := range append(got, mail...) {
			done = append(done, store.DeliveryResult{ID: e.ID, Delivered: true})
		}
		if err := db.RecordDeliveries(ctx, done); err != nil {
			b.Fatal(err)
		}
	}
}
