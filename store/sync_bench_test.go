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
