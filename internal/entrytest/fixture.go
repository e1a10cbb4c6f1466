// Package entrytest seeds a small, known network, catalogue and customer
// book for the order entry and CSV import tests: the names and numbers the
// tests key are the ones below.
package entrytest

import (
	"context"
	"database/sql"
	"testing"

	"github.com/oms/oms/store"
)

// The fixture's accounts and SKUs.
const (
	Account     = "C100" // Acme Mechanical, b2b, wholesale prices, ship-tos MAIN (Dallas) and JOB (Harrisburg)
	HoldAccount = "C200" // Lone Star Builders, on credit hold
	SmallCredit = "C300" // Pioneer Plumbing, a $500 credit limit
	Phone       = "(214) 555-0142"
	BuyerPart   = "ACME-HB-38"
	SKUBolt     = "FST-1001" // hex bolt, box of 25, min 25, $12.00 list, $10.50 wholesale
	SKUWire     = "ELC-2002" // THHN wire, each, $89.00
	SKULiner    = "JAN-3003" // can liner, case of 4, min 8, $30.00
	SKUGone     = "FST-1999" // discontinued, substitute FST-1001
	SKUValve    = "PLB-4004" // ball valve, each, $18.75
	SKUGloves   = "SAF-5005" // nitrile gloves, box, case of 10, $9.40
)

// Seed fills db; it is testapp.New's seed argument.
func Seed(tb testing.TB) func(*store.DB) {
	return func(db *store.DB) {
		tb.Helper()
		ctx := context.Background()
		const at = "2026-11-01T09:00:00.000Z"
		err := db.Update(ctx, func(tx *sql.Tx) error {
			exec := func(q string, args ...any) int64 {
				if tb.Failed() {
					return 0
				}
				r, err := tx.Exec(q, args...)
				if err != nil {
					tb.Fatalf("seed: %v\n%s", err, q)
				}
				id, _ := r.LastInsertId()
				return id
			}
			loc := map[string]int64{}
			for _, l := range []struct {
				code, name, typ, serves, city, region, zip string
				lat, lon                                   float64
			}{
				{"DAL", "Dallas DC", "dc", "both", "Dallas", "TX", "75201", 32.78, -96.80},
				{"HBG", "Harrisburg DC", "dc", "b2b", "Harrisburg", "PA", "17101", 40.26, -76.88},
				{"ATL", "Atlanta DC", "dc", "b2b", "Atlanta", "GA", "30303", 33.75, -84.39},
				{"V-ACME", "Acme Supply (vendor)", "vendor", "both", "Akron", "OH", "44308", 41.08, -81.52},
			} {
				loc[l.code] = exec(`INSERT INTO locations (code, name, type, serves, city, region, postal_code, latitude, longitude)
					VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, l.code, l.name, l.typ, l.serves, l.city, l.region, l.zip, l.lat, l.lon)
			}
			items := map[string]int64{}
			for _, it := range []struct {
				sku, desc, uom   string
				pack, min, price int64
				discontinued     bool
				stock            map[string]int64
			}{
				{SKUBolt, "Hex bolt, grade 5 zinc, 3/8-16 x 2 in", "BX", 25, 25, 1200, false, map[string]int64{"DAL": 500, "HBG": 75, "ATL": 0}},
				{SKUWire, "THHN wire, 12 AWG stranded, 500 ft, black", "EA", 1, 1, 8900, false, map[string]int64{"DAL": 12, "HBG": 40, "ATL": 3}},
				{SKULiner, "Trash can liner, 44 gal, 1.2 mil, clear", "CS", 4, 8, 3000, false, map[string]int64{"DAL": 200, "ATL": 60}},
				{SKUGone, "Hex bolt, grade 2 plain, 3/8-16 x 2 in", "BX", 25, 25, 900, true, nil},
				{SKUValve, "Ball valve, full port, 3/4 in brass, threaded", "EA", 1, 1, 1875, false, map[string]int64{"HBG": 30, "DAL": 8}},
				{SKUGloves, "Nitrile gloves, 5 mil, large, box of 100", "BX", 10, 10, 940, false, map[string]int64{"HBG": 400, "DAL": 120, "ATL": 90}},
			} {
				id := exec(`INSERT INTO items (sku, description, uom, pack_qty, min_qty, list_price_cents, discontinued, updated_at)
					VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, it.sku, it.desc, it.uom, it.pack, it.min, it.price, it.discontinued, at)
				items[it.sku] = id
				for code, qty := range it.stock {
					exec(`INSERT INTO inventory (item_id, location_id, on_hand, on_hand_as_of) VALUES (?, ?, ?, ?)`, id, loc[code], qty, at)
				}
			}
			exec(`INSERT INTO item_substitutes (item_id, substitute_item_id) VALUES (?, ?)`, items[SKUGone], items[SKUBolt])
			exec(`INSERT INTO price_list_entries (price_level, item_id, unit_price_cents) VALUES ('WHOLESALE', ?, 1050)`, items[SKUBolt])
			cust := map[string]int64{}
			for _, c := range []struct {
				account, name, phone, level, status string
				limit, ar                           int64
			}{
				{Account, "Acme Mechanical", Phone, "WHOLESALE", "ok", 5_000_000, 1_200_000},
				{HoldAccount, "Lone Star Builders", "(512) 555-0199", "LIST", "hold", 2_000_000, 1_900_000},
				{SmallCredit, "Pioneer Plumbing & Heating", "(717) 555-0123", "LIST", "ok", 50_000, 0},
			} {
				cust[c.account] = exec(`INSERT INTO customers (account, name, type, phone, credit_limit_cents, open_ar_cents, credit_status,
					price_level, created_at) VALUES (?, ?, 'b2b', ?, ?, ?, ?, ?, ?)`, c.account, c.name, c.phone, c.limit, c.ar, c.status, c.level, at)
				exec(`INSERT INTO customer_contacts (customer_id, name, phone, role) VALUES (?, 'Pat Buyer', '972-555-0188', 'Purchasing')`, cust[c.account])
			}
			exec(`INSERT INTO ship_tos (customer_id, code, name, line1, city, region, postal_code, is_default)
				VALUES (?, 'MAIN', 'Acme Mechanical', '1200 Commerce St', 'Dallas', 'TX', '75202', 1)`, cust[Account])
			exec(`INSERT INTO ship_tos (customer_id, code, name, line1, city, region, postal_code)
				VALUES (?, 'JOB', 'Acme jobsite: Capitol annex', '300 North St', 'Harrisburg', 'PA', '17120')`, cust[Account])
			exec(`INSERT INTO ship_tos (customer_id, code, name, line1, city, region, postal_code, is_default)
				VALUES (?, 'MAIN', 'Lone Star Builders', '88 Congress Ave', 'Austin', 'TX', '78701', 1)`, cust[HoldAccount])
			exec(`INSERT INTO ship_tos (customer_id, code, name, line1, city, region, postal_code, is_default)
				VALUES (?, 'MAIN', 'Pioneer Plumbing', '12 Market St', 'Harrisburg', 'PA', '17101', 1)`, cust[SmallCredit])
			exec(`INSERT INTO item_xrefs (item_id, kind, customer_id, value) VALUES (?, 'buyer_part', ?, ?)`, items[SKUBolt], cust[Account], BuyerPart)
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
		if err := db.EnsureDemoRules(ctx, "test"); err != nil {
			tb.Fatal(err)
		}
	}
}
