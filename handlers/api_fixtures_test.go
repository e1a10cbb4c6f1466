package handlers_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/store"
)

const fixtureTime = "2026-11-20T10:00:00.000Z"

// benchSKUs are stocked deep enough at DAL that no benchmark runs out.
var benchSKUs = []string{"BN-100", "BN-200", "BN-300", "BN-400", "BN-500"}

// benchCustomers is how many accounts the benchmark's orders come from.
const benchCustomers = 500

// benchAccount is the account of benchmark customer i (mod benchCustomers).
func benchAccount(i int64) string { return fmt.Sprintf("B%04d", i%benchCustomers) }

// seedCatalogue gives a database two DCs, customers (B2B C100 with a large
// credit limit, B2C C200, C300 on credit hold), items SKU-1 (each) and
// CASE-12 (case of 12), the benchmark SKUs, and the demo sourcing rules.
func seedCatalogue(db *store.DB) {
	ctx := context.Background()
	err := db.Update(ctx, func(tx *sql.Tx) error {
		locs := map[string]int64{}
		for _, l := range []struct {
			code, city, region, zip string
			lat, lon                float64
		}{
			{"DAL", "Dallas", "TX", "75201", 32.78, -96.80},
			{"HBG", "Harrisburg", "PA", "17101", 40.26, -76.88},
		} {
			r, err := tx.Exec(`INSERT INTO locations (code, name, type, serves, city, region, postal_code, latitude, longitude)
				VALUES (?, ?, 'dc', 'both', ?, ?, ?, ?, ?)`, l.code, l.city+" DC", l.city, l.region, l.zip, l.lat, l.lon)
			if err != nil {
				return err
			}
			locs[l.code], _ = r.LastInsertId()
		}
		for _, c := range []struct{ account, typ, credit, email, phone string }{
			{"C100", "b2b", "ok", "buyer@acme.test", "(214) 555-0100"},
			{"C200", "b2c", "ok", "pat@example.test", "972-555-0200"},
			{"C300", "b2b", "hold", "ap@latepay.test", "214 555 0300"},
		} {
			r, err := tx.Exec(`INSERT INTO customers (account, name, type, email, phone, credit_limit_cents, credit_status, created_at)
				VALUES (?, ?, ?, ?, ?, 100000000000, ?, ?)`, c.account, "Customer "+c.account, c.typ, c.email, c.phone, c.credit, fixtureTime)
			if err != nil {
				return err
			}
			id, _ := r.LastInsertId()
			if _, err := tx.Exec(`INSERT INTO ship_tos (customer_id, code, name, line1, city, region, postal_code, is_default)
				VALUES (?, 'MAIN', 'Main dock', '1 Main St', 'Dallas', 'TX', '75201', 1)`, id); err != nil {
				return err
			}
		}
		// Benchmark customers: a distributor's orders come from many
		// accounts, and the credit check sums each one's open orders.
		for i := range benchCustomers {
			r, err := tx.Exec(`INSERT INTO customers (account, name, type, credit_limit_cents, created_at)
				VALUES (?, ?, 'b2b', 100000000000, ?)`, benchAccount(int64(i)), fmt.Sprintf("Bench customer %d", i), fixtureTime)
			if err != nil {
				return err
			}
			id, _ := r.LastInsertId()
			if _, err := tx.Exec(`INSERT INTO ship_tos (customer_id, code, name, line1, city, region, postal_code, is_default)
				VALUES (?, 'MAIN', 'Main dock', '1 Main St', 'Dallas', 'TX', '75201', 1)`, id); err != nil {
				return err
			}
		}
		items := []struct {
			sku        string
			pack, hand int64
		}{{"SKU-1", 1, 1000}, {"CASE-12", 12, 1200}}
		for _, s := range benchSKUs {
			items = append(items, struct {
				sku        string
				pack, hand int64
			}{s, 1, 1_000_000_000})
		}
		for _, it := range items {
			r, err := tx.Exec(`INSERT INTO items (sku, description, pack_qty, list_price_cents, updated_at) VALUES (?, ?, ?, 1000, ?)`,
				it.sku, "Item "+it.sku, it.pack, fixtureTime)
			if err != nil {
				return err
			}
			id, _ := r.LastInsertId()
			if _, err := tx.Exec(`INSERT INTO inventory (item_id, location_id, on_hand, safety_stock, on_hand_as_of) VALUES (?, ?, ?, 5, ?)`,
				id, locs["DAL"], it.hand, fixtureTime); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		err = db.EnsureDemoRules(ctx, "test")
	}
	if err != nil {
		panic(fmt.Sprintf("seed catalogue: %v", err))
	}
}

// newToken creates an API token of a role and returns its secret.
func newToken(tb testing.TB, db *store.DB, role domain.Role) (store.APIToken, string) {
	tb.Helper()
	t, secret, err := db.CreateToken(context.Background(), "Test "+string(role), role, 0)
	if err != nil {
		tb.Fatal(err)
	}
	return t, secret
}

// countRows counts rows of a query on the read pool.
func countRows(tb testing.TB, db *store.DB, query string, args ...any) int {
	tb.Helper()
	var n int
	if err := db.View(context.Background(), func(tx *sql.Tx) error { return tx.QueryRow(query, args...).Scan(&n) }); err != nil {
		tb.Fatal(err)
	}
	return n
}
