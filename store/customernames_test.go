package store_test

import (
	"context"
	"database/sql"
	"slices"
	"testing"

	"github.com/oms/oms/domain"
)

// TestCustomerNameLikeness checks the typo-tolerant customer match: the
// names most like the text, best first, and none of the loose ones.
func TestCustomerNameLikeness(t *testing.T) {
	db := newDB(t)
	ctx := context.Background()
	exec := func(query string, args ...any) {
		t.Helper()
		if err := db.Update(ctx, func(tx *sql.Tx) error {
			_, err := tx.Exec(query, args...)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	for i, name := range []string{"Summit Electric Supply Co.", "Summit Electric", "Summit Mechanical", "Pioneer Electric LLC", "Sumter Electric Co-op"} {
		exec(`INSERT INTO customers (account, name, type, created_at) VALUES (?, ?, 'b2b', '2026-11-01T00:00:00.000Z')`,
			"C"+string(rune('A'+i)), name)
	}
	exec(`UPDATE customers SET active = 0 WHERE name = 'Sumter Electric Co-op'`)
	search := func(t *testing.T, q string) []string {
		t.Helper()
		res, err := db.SearchCustomers(ctx, q, 10)
		if err != nil {
			t.Fatal(err)
		}
		return collect(res, func(c domain.CustomerSummary) string { return c.Name })
	}
	tests := []struct {
		name, q string
		want    []string // in this order
	}{
		{"Typo", "Sumit Electric", []string{"Summit Electric", "Summit Electric Supply Co."}},
		{"TypoInEveryWord", "sumit electirc suply", []string{"Summit Electric Supply Co."}},
		{"OtherLegalForm", "Summit Electric Supply Inc.", []string{"Summit Electric Supply Co."}},
		{"UnfinishedLastWord", "summit mechanicl", []string{"Summit Mechanical"}},
		{"ExactWordsNoLookAlikes", "summit electric", []string{"Summit Electric", "Summit Electric Supply Co."}},
		{"TooShort", "smt", nil},
		{"Unrelated", "Harbor Logistics", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := search(t, tt.q); !slices.Equal(got, tt.want) {
				t.Fatalf("SearchCustomers(%q) = %q, want %q", tt.q, got, tt.want)
			}
		})
	}
	// The index is kept in memory between searches; a new name, a renamed
	// customer or a deleted one must be seen by the next search.
	t.Run("FollowsChanges", func(t *testing.T) {
		if got := search(t, "Harborview Logistcs"); got != nil {
			t.Fatalf("before: %q", got)
		}
		exec(`UPDATE customers SET name = 'Harborview Logistics' WHERE name = 'Summit Mechanical'`)
		if got := search(t, "Harborview Logistcs"); !slices.Equal(got, []string{"Harborview Logistics"}) {
			t.Fatalf("after rename: %q", got)
		}
		exec(`INSERT INTO customers (account, name, type, created_at) VALUES ('CZ', 'Harborview Logistics West', 'b2b', '2026-11-01T00:00:00.000Z')`)
		if got := search(t, "Harborveiw Logistics"); !slices.Equal(got, []string{"Harborview Logistics", "Harborview Logistics West"}) {
			t.Fatalf("after insert: %q", got)
		}
		exec(`DELETE FROM customers WHERE account = 'CZ'`)
		if got := search(t, "Harborveiw Logistics"); !slices.Equal(got, []string{"Harborview Logistics"}) {
			t.Fatalf("after delete: %q", got)
		}
	})
}
