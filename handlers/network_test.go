package handlers_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/oms/oms/internal/testapp"
	"github.com/oms/oms/store"
	"github.com/oms/oms/web"
)

const opsFixtureTime = "2026-11-20T10:00:00.000Z"

// newOpsApp is the app on a small network: DCs in Dallas and Harrisburg,
// a 3PL in Memphis and a vendor; items BOLT-10 (stock in both DCs, a PO
// inbound), NUT-20 (short at Dallas) and the demo rules; order SO-1 ships
// 5 BOLT-10 to Dallas, allocated.
func newOpsApp(tb testing.TB) *testapp.App {
	tb.Helper()
	return testapp.New(tb, web.Config{}, func(db *store.DB) { seedNetwork(tb, db) })
}

func seedNetwork(tb testing.TB, db *store.DB) {
	tb.Helper()
	ctx := context.Background()
	err := db.Update(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{
			`INSERT INTO locations (id, code, name, type, serves, city, region, postal_code, latitude, longitude) VALUES
				(1, 'DAL', 'Dallas DC', 'dc', 'both', 'Dallas', 'TX', '75201', 32.78, -96.80),
				(2, 'HBG', 'Harrisburg DC', 'dc', 'b2b', 'Harrisburg', 'PA', '17101', 40.26, -76.88),
				(3, '3PL-MEM', 'Memphis 3PL', '3pl', 'b2c', 'Memphis', 'TN', '38103', 35.15, -90.05),
				(4, 'V-ACME', 'Acme Supply (vendor)', 'vendor', 'both', 'Akron', 'OH', '44308', 41.08, -81.52)`,
			`INSERT INTO items (id, sku, description, uom, pack_qty, list_price_cents, updated_at) VALUES
				(1, 'BOLT-10', 'Hex bolt M10 x 40, zinc', 'EA', 10, 1250, '` + opsFixtureTime + `'),
				(2, 'NUT-20', 'Hex nut M20, stainless', 'EA', 1, 85, '` + opsFixtureTime + `')`,
			`INSERT INTO inventory (item_id, location_id, on_hand, safety_stock, on_hand_as_of) VALUES
				(1, 1, 120, 10, '` + opsFixtureTime + `'), (1, 2, 300, 0, '` + opsFixtureTime + `'),
				(2, 1, 4, 6, '` + opsFixtureTime + `'), (2, 2, 50, 0, '` + opsFixtureTime + `')`,
			`INSERT INTO inbound_supply (item_id, location_id, po_number, quantity, expected_date, created_at) VALUES
				(1, 1, 'PO-4471', 500, '2026-12-03', '` + opsFixtureTime + `')`,
			`INSERT INTO customers (id, account, name, type, created_at) VALUES (1, 'C100', 'Lone Star Supply', 'b2b', '` + opsFixtureTime + `')`,
			`INSERT INTO orders (id, number, channel, customer_id, ship_name, ship_line1, ship_city, ship_region, ship_postal_code,
				status, total_cents, created_by, created_at, updated_at)
				VALUES (1, 'SO-1', 'phone', 1, 'Dock 4', '1 Main St', 'Dallas', 'TX', '75201', 'backordered', 6250, 'test', '` + opsFixtureTime + `', '` + opsFixtureTime + `')`,
			`INSERT INTO order_lines (order_id, line_no, item_id, sku, description, quantity, unit_price_cents, qty_backordered, status)
				VALUES (1, 1, 1, 'BOLT-10', 'Hex bolt M10 x 40, zinc', 5, 1250, 5, 'backordered')`,
		} {
			if _, err := tx.Exec(q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	if err := db.EnsureDemoRules(ctx, "setup"); err != nil {
		tb.Fatal(err)
	}
	if _, err := db.SourceOrder(ctx, "SO-1", "setup"); err != nil {
		tb.Fatal(err)
	}
}
