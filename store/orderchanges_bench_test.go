package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/oms/oms/internal/fixtures"
	"github.com/oms/oms/store"
)

// BenchmarkOrdersChanged measures one page (100 orders) of
// GET /api/v1/orders?updated_since= on the large database (OMS_BENCH_DB):
// the first page for a recent and an old updated_since, and a page from a
// cursor in the middle of the changes.
func BenchmarkOrdersChanged(b *testing.B) {
	db := fixtures.BenchDB(b)
	ctx := context.Background()
	var newest string
	var middle int64
	err := db.View(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRow(`SELECT max(last_event_id) FROM orders`).Scan(&middle); err != nil {
			return err
		}
		middle /= 2
		return tx.QueryRow(`SELECT updated_at FROM orders WHERE last_event_id = (SELECT max(last_event_id) FROM orders)`).Scan(&newest)
	})
	if err != nil {
		b.Fatal(err)
	}
	last := store.ParseTime(newest)
	for _, c := range []struct {
		name  string
		query store.OrderChangesQuery
	}{
		{"since_1h", store.OrderChangesQuery{Since: last.Add(-time.Hour)}},
		{"since_1d", store.OrderChangesQuery{Since: last.Add(-24 * time.Hour)}},
		{"since_30d", store.OrderChangesQuery{Since: last.Add(-30 * 24 * time.Hour)}},
		{"from_start", store.OrderChangesQuery{}},
		{"cursor_middle", store.OrderChangesQuery{After: middle}},
		{"cursor_middle_since_1d", store.OrderChangesQuery{After: middle, Since: last.Add(-24 * time.Hour)}},
	} {
		b.Run(c.name, func(b *testing.B) {
			q := c.query
			q.Limit = 100
			fixtures.P95(b, []string{""}, func(string) error {
				page, err := db.OrdersChanged(ctx, q)
				if err == nil && len(page) == 0 && c.name != "since_1h" {
					err = fmt.Errorf("%s: no changed orders", c.name)
				}
				return err
			})
		})
	}
}
