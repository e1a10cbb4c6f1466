package store_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/sourcing"
	"github.com/oms/oms/store"
)

// allocatedTotal is the sum of inventory.allocated over every row.
func allocatedTotal(tb testing.TB, db *store.DB) (n int64) {
	tb.Helper()
	err := db.View(context.Background(), func(tx *sql.Tx) error {
		return tx.QueryRow(`SELECT coalesce(sum(allocated), 0) FROM inventory`).Scan(&n)
	})
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

func TestSimulate(t *testing.T) {
	n := newNetwork(t)
	n.item(t, "SKU-1", false, map[string]int64{"DAL": 40, "HBG": 40, "3PL-MEM": 40})
	n.item(t, "SKU-2", false, map[string]int64{"HBG": 10})
	ctx := t.Context()
	// A draft that sends every B2B order to Harrisburg, placed first.
	draft, _, err := n.db.SaveRule(ctx, sourcing.Rule{Name: "B2B from HBG", Position: 1, Status: sourcing.StatusDraft,
		Conditions: sourcing.Conditions{CustomerTypes: []string{"b2b"}},
		Policy: sourcing.Policy{Eligible: sourcing.Eligibility{LocationCodes: []string{"HBG"}}, Rank: sourcing.RankDistance,
			MaxSplits: 1, Rest: sourcing.RestBackorder}}, 0, "test")
	if err != nil {
		t.Fatal(err)
	}
	num := n.order(t, "SO-1", false, map[string]int64{"SKU-1": 5})
	if _, err := n.db.SourceOrder(ctx, num, "test"); err != nil {
		t.Fatal(err)
	}
	before := allocatedTotal(t, n.db)

	t.Run("ExistingOrder", func(t *testing.T) {
		sim, err := n.db.SimulateOrder(ctx, "so-1")
		if err != nil {
			t.Fatal(err)
		}
		// Re-planned whole although already allocated: its own reservation
		// counts as available again.
		if !sim.Existing || sim.Order.Lines[0].Quantity != 5 {
			t.Fatalf("order %+v", sim.Order)
		}
		if sim.Active.Groups[0].LocationCode != "DAL" || sim.Draft.Groups[0].LocationCode != "HBG" || sim.Draft.RuleID != draft.ID {
			t.Fatalf("active %+v draft %+v", sim.Active.Groups, sim.Draft.Groups)
		}
		if len(sim.DraftRules) != 1 || len(sim.Active.Trace) == 0 || len(sim.Draft.Trace) == 0 {
			t.Fatalf("drafts %v", sim.DraftRules)
		}
	})
	t.Run("Typed", func(t *testing.T) {
		sim, err := n.db.SimulateTyped(ctx, store.SimOrder{ShipToZIP: "75201", CustomerType: "b2c", Channel: "web",
			Lines: []store.SimLine{{SKU: "SKU-1", Quantity: 3}, {SKU: "sku-2", Quantity: 2}}})
		if err != nil {
			t.Fatal(err)
		}
		if sim.Order.ValueCents != 5000 || sim.Order.ShipTo.Region != "TX" {
			t.Fatalf("order %+v", sim.Order)
		}
		if sim.Active.RuleName != "B2C from the 3PL, DCs as fallback" || sim.Draft.RuleName != sim.Active.RuleName {
			t.Fatalf("rules %q %q", sim.Active.RuleName, sim.Draft.RuleName)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		_, err := n.db.SimulateTyped(ctx, store.SimOrder{ShipToZIP: "ABCDE", CustomerType: "x", Channel: "fax",
			Lines: []store.SimLine{{SKU: "NOPE", Quantity: 0}}})
		f := domain.ErrorFields(err)
		for _, k := range []string{"zip", "customer_type", "channel", "lines.0.sku", "lines.0.quantity"} {
			if f[k] == "" {
				t.Errorf("no error for %s in %v", k, f)
			}
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		if _, err := n.db.SimulateOrder(ctx, "SO-404"); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("ReservesNothing", func(t *testing.T) {
		if after := allocatedTotal(t, n.db); after != before {
			t.Fatalf("allocated %d before simulations, %d after", before, after)
		}
		checkInvariants(t, n.db)
	})
}
