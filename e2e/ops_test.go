package e2e

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/oms/oms/internal/testapp"
	"github.com/oms/oms/store"
	"github.com/oms/oms/web"
)

const opsTime = "2026-11-20T10:00:00.000Z"

// seedOps builds a network of nine locations and forty items with stock,
// safety stock and inbound POs, the demo rules and one allocated order.
func seedOps(tb testing.TB, db *store.DB) {
	tb.Helper()
	ctx := context.Background()
	locations := []struct {
		code, name, typ, serves, city, region, zip string
		lat, lon                                   float64
	}{
		{"DAL", "Dallas DC", "dc", "both", "Dallas", "TX", "75201", 32.78, -96.80},
		{"HBG", "Harrisburg DC", "dc", "b2b", "Harrisburg", "PA", "17101", 40.26, -76.88},
		{"RNO", "Reno DC", "dc", "both", "Reno", "NV", "89501", 39.53, -119.81},
		{"ATL", "Atlanta DC", "dc", "b2b", "Atlanta", "GA", "30303", 33.75, -84.39},
		{"CHI", "Chicago DC", "dc", "both", "Chicago", "IL", "60607", 41.87, -87.65},
		{"3PL-MEM", "Memphis 3PL", "3pl", "b2c", "Memphis", "TN", "38103", 35.15, -90.05},
		{"3PL-ONT", "Ontario CA 3PL", "3pl", "b2c", "Ontario", "CA", "91761", 34.03, -117.60},
		{"STR-DEN", "Denver store", "store", "b2c", "Denver", "CO", "80202", 39.75, -104.99},
		{"V-ACME", "Acme Supply (vendor)", "vendor", "both", "Akron", "OH", "44308", 41.08, -81.52},
	}
	nouns := []string{"Hex bolt", "Hex nut", "Flat washer", "Lock washer", "Carriage bolt", "Lag screw", "Anchor", "Threaded rod"}
	sizes := []string{"M6", "M8", "M10", "M12", "M16"}
	err := db.Update(ctx, func(tx *sql.Tx) error {
		for i, l := range locations {
			if _, err := tx.Exec(`INSERT INTO locations (id, code, name, type, serves, city, region, postal_code, latitude, longitude, cost_per_shipment_cents)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, i+1, l.code, l.name, l.typ, l.serves, l.city, l.region, l.zip, l.lat, l.lon, 800+i*75); err != nil {
				return err
			}
		}
		for i := range 40 {
			id := i + 1
			sku := fmt.Sprintf("%s-%03d", strings.ToUpper(nouns[i%len(nouns)][:3]), 100+i)
			desc := fmt.Sprintf("%s %s, zinc plated", nouns[i%len(nouns)], sizes[i%len(sizes)])
			if _, err := tx.Exec(`INSERT INTO items (id, sku, description, pack_qty, list_price_cents, dropship_eligible, dropship_vendor_id, hazmat, discontinued, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, sku, desc, 1+i%3*5, 85+i*37, i%5 == 0, dropshipVendor(i), i%13 == 0, i == 17, opsTime); err != nil {
				return err
			}
			for loc := range 8 {
				onHand := (i*37 + loc*53) % 240
				if (i+loc)%7 == 0 {
					onHand = 0
				}
				if _, err := tx.Exec(`INSERT INTO inventory (item_id, location_id, on_hand, safety_stock, on_hand_as_of) VALUES (?, ?, ?, ?, ?)`,
					id, loc+1, onHand, (i+loc)%4*5, opsTime); err != nil {
					return err
				}
			}
			if i%3 == 0 {
				if _, err := tx.Exec(`INSERT INTO inbound_supply (item_id, location_id, po_number, quantity, expected_date, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
					id, 1+i%5, fmt.Sprintf("PO-%05d", 4400+i), 100+i*10, fmt.Sprintf("2026-12-%02d", 1+i%28), opsTime); err != nil {
					return err
				}
			}
		}
		if _, err := tx.Exec(`INSERT INTO customers (id, account, name, type, created_at) VALUES (1, 'C100', 'Lone Star Supply', 'b2b', ?)`, opsTime); err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO orders (id, number, channel, customer_id, ship_name, ship_line1, ship_city, ship_region, ship_postal_code,
				status, total_cents, created_by, created_at, updated_at)
			VALUES (1, 'SO-100001', 'phone', 1, 'Dock 4', '1 Main St', 'Dallas', 'TX', '75201', 'backordered', 2350, 'test', ?, ?)`, opsTime, opsTime); err != nil {
			return err
		}
		_, err := tx.Exec(`INSERT INTO order_lines (order_id, line_no, item_id, sku, description, quantity, unit_price_cents, qty_backordered, status)
			SELECT 1, 1, id, sku, description, 10, list_price_cents, 10, 'backordered' FROM items WHERE id = 2`)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	if err := db.EnsureDemoRules(ctx, "setup"); err != nil {
		tb.Fatal(err)
	}
	if _, err := db.SourceOrder(ctx, "SO-100001", "setup"); err != nil {
		tb.Fatal(err)
	}
}

func dropshipVendor(i int) any {
	if i%5 == 0 {
		return 9
	}
	return nil
}

func TestOpsRulesAndSimulator(t *testing.T) {
	a := testapp.New(t, web.Config{}, func(db *store.DB) { seedOps(t, db) })
	base := a.Serve(t)
	ctx := testapp.Browser(t)
	if err := chromedp.Do(ctx, testapp.SignInActions(base, "ops@demo.test")); err != nil {
		t.Fatal(err)
	}

	// Inventory: search as you type, then an item sorted from a ship-to.
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/inventory"),
		chromedp.WaitVisible(`[data-testid="inventory-search"]`),
		chromedp.SendKeys(`[data-testid="inventory-search"]`, "hex nut"),
		chromedp.Poll[chromedp.Void](`document.querySelectorAll('[data-testid="item-row"]').length === 5`),
	)
	if err != nil {
		t.Fatalf("search: %v", err)
	}
	if u := testapp.Run(t, ctx, chromedp.Evaluate[string](`new URLSearchParams(location.search).get("q")`)); u != "hex nut" {
		t.Fatalf("URL does not carry the query: %q", u)
	}
	testapp.Screenshot(t, ctx, "inventory-search")
	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"/inventory/items/HEX-101?zip=30303"),
		chromedp.WaitVisible(`[data-testid="availability"]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	first := testapp.Run(t, ctx, chromedp.Evaluate[string](`document.querySelector('[data-testid="availability-row"]').dataset.location`))
	if first != "ATL" {
		t.Fatalf("nearest to 30303 is %q, want ATL", first)
	}
	testapp.Screenshot(t, ctx, "inventory-item")
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/inventory/short?location=DAL"), chromedp.WaitVisible(`[data-testid="short-items"]`)); err != nil {
		t.Fatal(err)
	}
	testapp.Screenshot(t, ctx, "inventory-short")

	// Sourcing: create a draft rule and see it listed.
	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"/sourcing"),
		chromedp.WaitVisible(`[data-testid="rules"]`),
		chromedp.Click(`[data-testid="new-rule"]`),
		chromedp.WaitVisible(`[data-testid="rule-name-input"]`),
		chromedp.SendKeys(`[data-testid="rule-name-input"]`, "B2B over $500 from Reno"),
		// Offered in front of the B2B and B2C rules, which between them
		// take every order; placed after them instead, to see the warning.
		chromedp.Evaluate[chromedp.Void](`(() => {
			const s = document.querySelector('[data-testid="rule-before"]');
			if (!s.options[s.selectedIndex].textContent.includes('B2B nearest DC')) throw new Error('offered place: ' + s.options[s.selectedIndex].textContent);
			s.value = '0';
		})()`),
		chromedp.Click(`input[name="conditions.customer_types"][value="b2b"]`),
		chromedp.SendKeys(`[data-testid="min-value"]`, "500.001"),
		chromedp.SetValue(`[data-testid="max-splits"]`, "0"),
		chromedp.Click(`input[name="policy.eligible.location_codes"][value="RNO"]`),
		chromedp.Click(`[data-testid="save-rule"]`),
		chromedp.WaitVisible(`[data-testid="error-policy.max_splits"]`),
	)
	if err != nil {
		t.Fatalf("rule form: %v", err)
	}
	// The errors sit next to their fields and what was typed is kept.
	if v := testapp.Run(t, ctx, chromedp.Evaluate[string](`document.querySelector('[data-testid="rule-name-input"]').value`)); v != "B2B over $500 from Reno" {
		t.Fatalf("name after 422: %q", v)
	}
	testapp.Screenshot(t, ctx, "sourcing-rule-errors")
	err = chromedp.Do(ctx,
		chromedp.SetValue(`[data-testid="min-value"]`, "500.00"),
		chromedp.SetValue(`[data-testid="max-splits"]`, "2"),
	)
	if err != nil {
		t.Fatal(err)
	}
	testapp.Screenshot(t, ctx, "sourcing-rule-form")
	err = chromedp.Do(ctx,
		chromedp.Click(`[data-testid="save-rule"]`),
		chromedp.WaitVisible(`[data-testid="rules"]`),
	)
	if err != nil {
		t.Fatalf("save: %v", err)
	}
	rows := testapp.Run(t, ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('[data-testid="rule-row"]')].map(r => r.querySelector('[data-testid="rule-name"]').textContent + "|" + r.querySelector('[data-testid="rule-status"]').textContent)`))
	if len(rows) != 4 || rows[3] != "B2B over $500 from Reno|Draft" {
		t.Fatalf("rules listed: %v", rows)
	}
	// Saved last, behind "B2B nearest DC", it can never match: the list
	// says so and names the rule in its way.
	id := testapp.Run(t, ctx, chromedp.Evaluate[string](`document.querySelector('tr[data-testid="rule-row"]:last-child').dataset.rule`))
	shadow := testapp.Run(t, ctx, chromedp.Evaluate[string](`(document.querySelector('tr[data-rule="`+id+`"] [data-testid="shadowed"]') || {}).textContent || ''`))
	if !strings.Contains(shadow, "Never matches") || !strings.Contains(shadow, "B2B nearest DC") {
		t.Fatalf("no shadowed-rule warning on the new rule: %q", shadow)
	}
	testapp.Screenshot(t, ctx, "sourcing-rule-shadowed")
	// Move it to the top so that it decides B2B orders in the draft set.
	for pos := 3; pos >= 1; pos-- {
		err := chromedp.Do(ctx,
			chromedp.Click(`tr[data-rule="`+id+`"] [data-testid="move-up"]`),
			chromedp.WaitVisible(fmt.Sprintf(`tr[data-testid="rule-row"]:nth-child(%d)[data-rule="%s"]`, pos, id)),
		)
		if err != nil {
			t.Fatalf("move up to %d: %v", pos, err)
		}
	}
	if n := testapp.Run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('tr[data-rule="`+id+`"] [data-testid="shadowed"]').length`)); n != 0 {
		t.Fatal("the rule moved to the top is still marked as never matching")
	}
	testapp.Screenshot(t, ctx, "sourcing-rules")
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/sourcing/rules/"+id+"/versions"), chromedp.WaitVisible(`[data-testid="versions"]`)); err != nil {
		t.Fatal(err)
	}
	if n := testapp.Run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="version-row"]').length`)); n != 4 {
		t.Fatalf("%d versions after create and three moves", n)
	}
	testapp.Screenshot(t, ctx, "sourcing-history")

	// Simulate a typed order: two traces, side by side.
	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"/sourcing/simulate"),
		chromedp.WaitVisible(`[data-testid="sim-typed"]`),
		chromedp.SendKeys(`[data-testid="sim-zip"]`, "75201"),
		chromedp.SendKeys(`[data-testid="sim-typed"] tr:nth-child(1) [data-testid="sim-sku"]`, "HEX-101"),
		chromedp.SendKeys(`[data-testid="sim-typed"] tr:nth-child(1) [data-testid="sim-qty"]`, "400"),
		chromedp.SendKeys(`[data-testid="sim-typed"] tr:nth-child(2) [data-testid="sim-sku"]`, "FLA-102"),
		chromedp.SendKeys(`[data-testid="sim-typed"] tr:nth-child(2) [data-testid="sim-qty"]`, "250"),
		chromedp.Click(`[data-testid="sim-run"]`),
		chromedp.WaitVisible(`[data-testid="sim-results"]`),
	)
	if err != nil {
		t.Fatalf("simulate: %v", err)
	}
	traces := testapp.Run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="trace"]').length`))
	draftRule := testapp.Run(t, ctx, chromedp.Text(`[data-testid="sim-draft"] [data-testid="plan-rule"]`))
	activeRule := testapp.Run(t, ctx, chromedp.Text(`[data-testid="sim-active"] [data-testid="plan-rule"]`))
	if traces != 2 || draftRule != "B2B over $500 from Reno" || activeRule != "B2B nearest DC" {
		t.Fatalf("traces %d, draft rule %q, active rule %q", traces, draftRule, activeRule)
	}
	testapp.Screenshot(t, ctx, "sourcing-simulator")
}
