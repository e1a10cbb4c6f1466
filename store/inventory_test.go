package store_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/oms/oms/domain"
)

// inbound adds an open purchase order line for an item at a location.
func (n *network) inbound(tb testing.TB, sku, code, po string, qty int64, date string) {
	tb.Helper()
	err := n.db.Update(context.Background(), func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO inbound_supply (item_id, location_id, po_number, quantity, expected_date, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			n.items[sku], n.locations[code], po, qty, date, testTime)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
}

func TestItemBySKU(t *testing.T) {
	n := newNetwork(t)
	n.item(t, "BOLT-10", false, map[string]int64{"DAL": 40, "HBG": 5})
	n.inbound(t, "BOLT-10", "HBG", "PO-77", 100, "2026-12-01")
	n.db.Update(t.Context(), func(tx *sql.Tx) error {
		_, err := tx.Exec(`UPDATE inventory SET safety_stock = 8 WHERE location_id = ?`, n.locations["HBG"])
		return err
	})
	t.Run("OK", func(t *testing.T) {
		it, err := n.db.ItemBySKU(t.Context(), "bolt-10")
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int64{}
		for _, a := range it.Availability {
			got[a.Location.Code] = a.Available
		}
		// Own locations only (the vendor has no row), HBG eaten into safety stock.
		if len(got) != 3 || got["DAL"] != 40 || got["HBG"] != -3 || got["3PL-MEM"] != 0 {
			t.Fatalf("availability %v", got)
		}
		if len(it.Inbound) != 1 || it.Inbound[0].PONumber != "PO-77" || it.Inbound[0].LocationCode != "HBG" {
			t.Fatalf("inbound %+v", it.Inbound)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := n.db.ItemBySKU(t.Context(), "NOPE")
		if domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("err %v", err)
		}
	})
}

func TestSearchItems(t *testing.T) {
	n := newNetwork(t)
	n.item(t, "BOLT-10", false, map[string]int64{"DAL": 40})
	n.item(t, "NUT-10", false, map[string]int64{"DAL": 4})
	n.item(t, "WASHER_50%", false, nil)
	tests := []struct {
		name, q string
		want    []string
	}{
		{"SKUPrefix", "bolt", []string{"BOLT-10"}},
		{"Description", "item nut", []string{"NUT-10"}},
		{"LikeCharactersAreText", "_50%", []string{"WASHER_50%"}},
		{"Empty", "", []string{"BOLT-10", "NUT-10", "WASHER_50%"}},
		{"None", "zzz", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := n.db.SearchItems(t.Context(), tt.q, 50)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range res {
				got = append(got, r.SKU)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("got %v, want %v", got, tt.want)
				}
			}
		})
	}
}

func TestShortItems(t *testing.T) {
	n := newNetwork(t)
	n.item(t, "OK", false, map[string]int64{"DAL": 40})
	n.item(t, "OUT", false, map[string]int64{"DAL": 0})
	n.item(t, "SAFETY", false, map[string]int64{"DAL": 5})
	n.db.Update(t.Context(), func(tx *sql.Tx) error {
		_, err := tx.Exec(`UPDATE inventory SET safety_stock = 8 WHERE item_id = ?`, n.items["SAFETY"])
		return err
	})
	res, _, err := n.db.ShortItems(t.Context(), "DAL", 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 || res[0].SKU != "SAFETY" || !res[0].BelowSafetyStock() || res[1].SKU != "OUT" || res[1].BelowSafetyStock() {
		t.Fatalf("short %+v", res)
	}
	if _, _, err := n.db.ShortItems(t.Context(), "NOWHERE", 10, 0); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("unknown location: %v", err)
	}
}
