package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"testing"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/internal/fixtures"
	"github.com/oms/oms/loadgen"
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

// BenchmarkCustomerNameLikeness measures the typo-tolerant customer match
// over 20,000 customers (fixtures.Bulk names): misspelt names, the first
// search after a change (which rebuilds the name index), and a correct full
// name for comparison.
func BenchmarkCustomerNameLikeness(b *testing.B) {
	db := newDB(b)
	ctx := context.Background()
	if err := fixtures.Bulk(ctx, db, fixtures.BulkConfig{Orders: 1000, Customers: 20000, Seed: 3}); err != nil {
		b.Fatal(err)
	}
	var names []string
	err := db.View(ctx, func(tx *sql.Tx) error {
		var err error
		names, err = queryNames(tx)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	typos := make([]string, len(names))
	for i, n := range names {
		typos[i] = loadgen.Misspell(n)
	}
	search := func(b *testing.B, keys []string) {
		fixtures.P95(b, keys, func(q string) error {
			res, err := db.SearchCustomers(ctx, q, 25)
			if err == nil && len(res) == 0 {
				err = fmt.Errorf("nothing found for %q", q)
			}
			return err
		})
	}
	b.Run("typo", func(b *testing.B) { search(b, typos) })
	b.Run("full_name", func(b *testing.B) { search(b, names) })
	b.Run("typo_after_change", func(b *testing.B) {
		fixtures.P95(b, typos, func(q string) error {
			b.StopTimer()
			if err := db.Update(ctx, func(tx *sql.Tx) error {
				_, err := tx.Exec(`UPDATE customers SET name = name || '' , active = 1 - active WHERE id = 1`)
				return err
			}); err != nil {
				return err
			}
			b.StartTimer()
			_, err := db.SearchCustomers(ctx, q, 25)
			return err
		})
	})
}

// queryNames reads 200 customer names spread over the table.
func queryNames(tx *sql.Tx) ([]string, error) {
	rows, err := tx.Query(`SELECT name FROM customers WHERE id % 100 = 7 AND type = 'b2b' LIMIT 200`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}
