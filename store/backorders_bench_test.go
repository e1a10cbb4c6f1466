package store_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/oms/oms/store"
)

// BenchmarkReceiveStockFillsBackorders receives 10,000 units of an item
// with 5,000 backordered lines (2 units each, one order each, with coordinates so
// that locations are ranked by distance) and allocates them all: the
// issue's target is under 1 s per receipt.
func BenchmarkReceiveStockFillsBackorders(b *testing.B) {
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		n := newNetwork(b)
		n.item(b, "A", false, nil)
		err := n.db.Update(ctx, func(tx *sql.Tx) error {
			if _, err := tx.Exec(`WITH RECURSIVE k(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM k WHERE x < 5000)
				INSERT INTO orders (number, channel, customer_id, ship_name, ship_line1, ship_city, ship_region, ship_postal_code,
					ship_latitude, ship_longitude, status, total_cents, priority, created_by, created_at, updated_at)
				SELECT 'SO-' || (100000 + x), 'phone', ?, 'Dock', '1 Main St', 'Dallas', 'TX', '75201', 32.78 + x % 7, -96.8 - x % 5,
					'backordered', 2000, 1 + x % 9, 'bench', strftime('%Y-%m-%dT%H:%M:%fZ', '2026-11-01', '+' || x || ' minutes'),
					'2026-11-20T10:00:00.000Z' FROM k`, n.customer); err != nil {
				return err
			}
			_, err := tx.Exec(`INSERT INTO order_lines (order_id, line_no, item_id, sku, description, quantity, unit_price_cents, qty_backordered, status)
				SELECT id, 1, ?, 'A', 'Item A', 2, 1000, 2, 'backordered' FROM orders`, n.items["A"])
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res, err := n.db.ReceiveStock(ctx, store.Receipt{SKU: "A", Location: "DAL", Quantity: 10000, Reference: "PO-5512"})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if res.Lines != 5000 || res.Units != 10000 {
			b.Fatalf("filled %+v", res)
		}
		n.db.Close()
	}
}
