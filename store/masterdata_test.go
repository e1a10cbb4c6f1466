package store_test

import (
	"database/sql"
	"testing"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/store"
)

func ptr[T any](v T) *T { return &v }

func TestApplyItems(t *testing.T) {
	n := newNetwork(t)
	n.item(t, "SKU-1", false, map[string]int64{"DAL": 100})
	ctx := t.Context()
	t.Run("OK", func(t *testing.T) {
		res, err := n.db.ApplyItems(ctx, store.ItemBatch{MessageID: "items-1", Rows: []store.ItemRecord{
			{Row: 0, SKU: "SKU-1", PackQty: ptr(int64(6)), Discontinued: ptr(true)},
			{Row: 1, SKU: "new-2", Description: ptr("Hex nut M8"), ListPriceCents: ptr(int64(250)), DropshipVendor: ptr("V-ACME"), DropshipEligible: ptr(true)},
		}})
		if err != nil || res.Applied != 2 {
			t.Fatalf("%+v %v", res, err)
		}
		var desc string
		var pack, disc, price int64
		if err := n.db.View(ctx, func(tx *sql.Tx) error {
			return tx.QueryRow(`SELECT description, pack_qty, discontinued, list_price_cents FROM items WHERE sku = 'SKU-1'`).Scan(&desc, &pack, &disc, &price)
		}); err != nil {
			t.Fatal(err)
		}
		if desc != "Item SKU-1" || pack != 6 || disc != 1 || price != 1000 {
			t.Fatalf("SKU-1 after the update: %q pack %d discontinued %d price %d; fields left out must be kept", desc, pack, disc, price)
		}
		var vendor string
		if err := n.db.View(ctx, func(tx *sql.Tx) error {
			return tx.QueryRow(`SELECT l.code FROM items i JOIN locations l ON l.id = i.dropship_vendor_id WHERE i.sku = 'NEW-2'`).Scan(&vendor)
		}); err != nil || vendor != "V-ACME" {
			t.Fatalf("new item's vendor %q %v", vendor, err)
		}
	})
	t.Run("Duplicate", func(t *testing.T) {
		res, err := n.db.ApplyItems(ctx, store.ItemBatch{MessageID: "items-1", Rows: []store.ItemRecord{{SKU: "SKU-1", PackQty: ptr(int64(1))}}})
		if err != nil || !res.Duplicate {
			t.Fatalf("%+v %v", res, err)
		}
	})
	t.Run("ErrDropshipWithoutVendor", func(t *testing.T) {
		_, err := n.db.ApplyItems(ctx, store.ItemBatch{MessageID: "items-ds", Rows: []store.ItemRecord{
			{Row: 1, SKU: "SKU-1", PackQty: ptr(int64(48))},
			{Row: 2, SKU: "SKU-1B", Description: ptr("Bolt"), ListPriceCents: ptr(int64(10)), DropshipEligible: ptr(true)},
		}})
		if f := domain.ErrorFields(err); f["rows[2].dropship_vendor"] == "" || len(f) != 1 {
			t.Fatalf("%v %v", err, f)
		}
	})
	t.Run("BadRowsApplyNothing", func(t *testing.T) {
		_, err := n.db.ApplyItems(ctx, store.ItemBatch{MessageID: "items-2", Rows: []store.ItemRecord{
			{Row: 2, SKU: "SKU-1", PackQty: ptr(int64(12))},
			{Row: 3, SKU: "NEW-3"},
			{Row: 4, SKU: "NEW-4", Description: ptr("Bolt\u202e evil"), ListPriceCents: ptr(int64(-1))},
			{Row: 5, SKU: "SKU-1", DropshipVendor: ptr("DAL")},
		}})
		f := domain.ErrorFields(err)
		for _, k := range []string{"rows[3].description", "rows[3].list_price_cents", "rows[4].description", "rows[4].list_price_cents", "rows[5].sku", "rows[5].dropship_vendor"} {
			if f[k] == "" {
				t.Errorf("no error for %s: %v", k, f)
			}
		}
		if domain.ErrorCode(err) != domain.EINVALID || len(f) != 6 {
			t.Fatalf("%v %v", err, f)
		}
		var pack int64
		n.db.View(ctx, func(tx *sql.Tx) error {
			return tx.QueryRow(`SELECT pack_qty FROM items WHERE sku = 'SKU-1'`).Scan(&pack)
		})
		if pack != 6 {
			t.Fatalf("pack %d: a refused batch changed the good row", pack)
		}
		// Refused, the id is not used up: fixed, it applies.
		if res, err := n.db.ApplyItems(ctx, store.ItemBatch{MessageID: "items-2", Rows: []store.ItemRecord{{Row: 2, SKU: "SKU-1", PackQty: ptr(int64(12))}}}); err != nil || res.Applied != 1 {
			t.Fatalf("%+v %v", res, err)
		}
	})
}

// TestMasterDataLeavesOpenOrders: a new price list and a credit hold
// change orders captured afterwards, not the lines already captured.
func TestMasterDataLeavesOpenOrders(t *testing.T) {
	n := newNetwork(t)
	n.item(t, "SKU-1", false, map[string]int64{"DAL": 1000})
	ctx := t.Context()
	by := store.Submitter{Actor: "api:test", Role: domain.RoleSales}
	if _, err := n.db.ApplyCustomers(ctx, store.CustomerBatch{MessageID: "c-1", Rows: []store.CustomerRecord{
		{Account: "C100", PriceLevel: ptr("wholesale")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := n.db.ApplyPriceLists(ctx, store.PriceListBatch{MessageID: "p-1", Rows: []store.PriceEntry{
		{PriceLevel: "WHOLESALE", SKU: "SKU-1", UnitPriceCents: ptr(int64(800))}}}); err != nil {
		t.Fatal(err)
	}
	first, err := n.db.CaptureOrder(ctx, captureRequest("PO-1", 10), by)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.db.ApplyPriceLists(ctx, store.PriceListBatch{MessageID: "p-2", Rows: []store.PriceEntry{
		{PriceLevel: "wholesale", SKU: "sku-1", UnitPriceCents: ptr(int64(900))}}}); err != nil {
		t.Fatal(err)
	}
	second, err := n.db.CaptureOrder(ctx, captureRequest("PO-2", 10), by)
	if err != nil {
		t.Fatal(err)
	}
	price := func(number string) int64 {
		var p int64
		if err := n.db.View(ctx, func(tx *sql.Tx) error {
			return tx.QueryRow(`SELECT l.unit_price_cents FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.number = ?`, number).Scan(&p)
		}); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if price(first.Number) != 800 || price(second.Number) != 900 {
		t.Fatalf("prices %d and %d, want 800 (captured before) and 900", price(first.Number), price(second.Number))
	}
	// Removing the entry: the level's customers pay the list price.
	if _, err := n.db.ApplyPriceLists(ctx, store.PriceListBatch{MessageID: "p-3", Rows: []store.PriceEntry{
		{PriceLevel: "WHOLESALE", SKU: "SKU-1", Remove: true}}}); err != nil {
		t.Fatal(err)
	}
	third, err := n.db.CaptureOrder(ctx, captureRequest("PO-3", 10), by)
	if err != nil || price(third.Number) != 1000 {
		t.Fatalf("after removal %v %d, want the list price", err, price(third.Number))
	}
	statusBefore := first.Status
	// A credit hold: the next order goes on hold; the first is untouched.
	if _, err := n.db.ApplyCustomers(ctx, store.CustomerBatch{MessageID: "c-2", Rows: []store.CustomerRecord{
		{Account: "c100", CreditStatus: ptr("HOLD"), OpenARCents: ptr(int64(5000))}}}); err != nil {
		t.Fatal(err)
	}
	held, err := n.db.CaptureOrder(ctx, captureRequest("PO-4", 10), by)
	if err != nil {
		t.Fatal(err)
	}
	if held.Status != domain.StatusOnHold {
		t.Fatalf("order after the credit hold is %s, want on hold (%+v)", held.Status, held.Holds)
	}
	var status string
	n.db.View(ctx, func(tx *sql.Tx) error {
		return tx.QueryRow(`SELECT status FROM orders WHERE number = ?`, first.Number).Scan(&status)
	})
	if status != string(statusBefore) {
		t.Fatalf("first order %s, was %s", status, statusBefore)
	}
	checkInvariants(t, n.db)
}

func TestApplyCustomersAndPriceListsBadRows(t *testing.T) {
	n := newNetwork(t)
	n.item(t, "SKU-1", false, nil)
	ctx := t.Context()
	_, err := n.db.ApplyCustomers(ctx, store.CustomerBatch{MessageID: "c-bad", Rows: []store.CustomerRecord{
		{Row: 1, Account: "C900", Name: ptr("New Co"), Type: ptr("b2b")},
		{Row: 2, Account: "C901", Name: ptr("Evil\u200bCo"), Type: ptr("b2x"), CreditStatus: ptr("maybe"), CreditLimitCents: ptr(int64(-5))},
		{Row: 3, Account: "C902"},
		{Row: 4, Account: "c900", Email: ptr("nope")},
	}})
	f := domain.ErrorFields(err)
	for _, k := range []string{"rows[2].name", "rows[2].type", "rows[2].credit_status", "rows[2].credit_limit_cents", "rows[3].name", "rows[3].type", "rows[4].account", "rows[4].email"} {
		if f[k] == "" {
			t.Errorf("no error for %s: %v", k, f)
		}
	}
	var count int
	n.db.View(ctx, func(tx *sql.Tx) error {
		return tx.QueryRow(`SELECT count(*) FROM customers WHERE account = 'C900'`).Scan(&count)
	})
	if count != 0 {
		t.Fatal("a refused batch created a customer")
	}
	_, err = n.db.ApplyPriceLists(ctx, store.PriceListBatch{MessageID: "p-bad", Rows: []store.PriceEntry{
		{Row: 1, PriceLevel: "A", SKU: "SKU-1", UnitPriceCents: ptr(int64(5))},
		{Row: 2, PriceLevel: "", SKU: "NOPE", UnitPriceCents: ptr(int64(-1))},
		{Row: 3, PriceLevel: "a", SKU: "sku-1", UnitPriceCents: ptr(int64(6))},
	}})
	f = domain.ErrorFields(err)
	if len(f) != 4 || f["rows[2].price_level"] == "" || f["rows[2].sku"] == "" || f["rows[2].unit_price_cents"] == "" || f["rows[3].sku"] == "" {
		t.Fatalf("%v", f)
	}
}

// TestShipmentAndInvoiceBatches: a file of confirmations applies whole or
// not at all, naming each bad one by its row.
func TestShipmentAndInvoiceBatches(t *testing.T) {
	n := newNetwork(t)
	n.item(t, "A", false, map[string]int64{"DAL": 100})
	ctx := t.Context()
	one := releasedOrder(t, n, "SO-B1", "A", 4)
	two := releasedOrder(t, n, "SO-B2", "A", 6)
	ship := func(row int, order string, group int) store.ShipmentConfirmation {
		return store.ShipmentConfirmation{Row: row, Order: order, Group: group, Actor: "inbox:test",
			Shipment: store.Shipment{Carrier: "UPS", Tracking: "1Z" + order}}
	}
	_, err := n.db.ConfirmShipments(ctx, "file-1", "inbox:s.csv", []store.ShipmentConfirmation{ship(2, one, 1), ship(3, two, 9), ship(4, "SO-NOPE", 1)})
	f := domain.ErrorFields(err)
	if domain.ErrorCode(err) != domain.EINVALID || len(f) != 2 || f["rows[3].order"]+f["rows[3].group"] == "" {
		t.Fatalf("%v %v", err, f)
	}
	if got := onHand(t, n.db, "A", "DAL"); got != 100 {
		t.Fatalf("on hand %d: a refused file shipped", got)
	}
	res, err := n.db.ConfirmShipments(ctx, "file-1", "inbox:s.csv", []store.ShipmentConfirmation{ship(2, one, 1), ship(3, two, 1)})
	if err != nil || res.Applied != 2 || onHand(t, n.db, "A", "DAL") != 90 {
		t.Fatalf("%+v %v on hand %d", res, err, onHand(t, n.db, "A", "DAL"))
	}
	_, err = n.db.ApplyInvoices(ctx, "inv-file", "inbox:i.csv", []store.Invoice{{Row: 2, Number: "INV-1", Order: one}, {Row: 3, Number: "", Order: two}})
	if f := domain.ErrorFields(err); f["rows[3].invoice_number"] == "" || len(f) != 1 {
		t.Fatalf("%v %v", err, f)
	}
	res, err = n.db.ApplyInvoices(ctx, "inv-file", "inbox:i.csv", []store.Invoice{{Row: 2, Number: "INV-1", Order: one}, {Row: 3, Number: "INV-2", Order: two}})
	if err != nil || res.Applied != 2 {
		t.Fatalf("%+v %v", res, err)
	}
	checkInvariants(t, n.db)
}
