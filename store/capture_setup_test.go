package store_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/sourcing"
	"github.com/oms/oms/store"
)

// TestCaptureSeesSourcingChanges checks that the locations and rules the
// capture keeps in memory are re-read after any change to either table,
// whoever makes it: a new rule through the rule editor's store method, and
// a location closed by plain SQL (as an ERP sync or a person might).
func TestCaptureSeesSourcingChanges(t *testing.T) {
	n := newNetwork(t)
	ctx := context.Background()
	by := store.Submitter{Actor: "api:test", Role: domain.RoleSales}
	n.item(t, "SKU-1", false, map[string]int64{"DAL": 50, "HBG": 50})
	first := func(po string) (string, []string) {
		t.Helper()
		c, err := n.db.CaptureOrder(ctx, captureRequest(po, 1), by)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Plan.Groups) != 1 {
			t.Fatalf("%s: %d groups", po, len(c.Plan.Groups))
		}
		return c.Plan.Groups[0].LocationCode, c.Plan.Trace
	}
	if loc, trace := first("PO-1"); loc != "DAL" || !strings.Contains(strings.Join(trace, " "), "B2B nearest DC") {
		t.Fatalf("before any change: %s, %q", loc, trace)
	}

	r := sourcing.Rule{Name: "East first", Position: 1, Status: sourcing.StatusActive,
		Policy: sourcing.Policy{Eligible: sourcing.Eligibility{LocationCodes: []string{"HBG"}}, Rank: sourcing.RankDistance, MaxSplits: 1, Rest: sourcing.RestBackorder}}
	if _, _, err := n.db.SaveRule(ctx, r, 0, "test"); err != nil {
		t.Fatal(err)
	}
	if loc, trace := first("PO-2"); loc != "HBG" || !strings.Contains(strings.Join(trace, " "), "East first") {
		t.Fatalf("after a new rule: %s, %q", loc, trace)
	}

	if err := n.db.Update(ctx, func(tx *sql.Tx) error {
		if _, err := tx.Exec(`UPDATE sourcing_rules SET status = 'inactive' WHERE name = 'East first'`); err != nil {
			return err
		}
		_, err := tx.Exec(`UPDATE locations SET active = 0 WHERE code = 'DAL'`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if loc, _ := first("PO-3"); loc != "HBG" {
		t.Fatalf("after closing DAL: shipped from %s", loc)
	}
	checkInvariants(t, n.db)
}
