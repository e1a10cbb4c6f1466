package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/internal/fixtures"
	"github.com/oms/oms/store"
)

// BenchmarkSearchOrders measures each kind of search the CSR's box does,
// the way the results page runs it: the exact-hit check, the customers
// section and one page of orders with its count, from one client and from
// four at once (clients_4: CSRs searching at the same time on a 2-core
// machine). OMS_BENCH_DB names the database (see fixtures.BenchDB).
func BenchmarkSearchOrders(b *testing.B) {
	db := fixtures.BenchDB(b)
	keys := fixtures.SampleSearchKeys(b, db, 200)
	ctx := context.Background()
	for _, kind := range fixtures.SearchKinds {
		for _, clients := range []int{1, 4} {
			name := kind
			if clients > 1 {
				name = fmt.Sprintf("%s/clients_%d", kind, clients)
			}
			b.Run(name, func(b *testing.B) {
				fixtures.P95Clients(b, clients, keys[kind], func(key string) error {
					if _, err := db.ExactOrder(ctx, key); err != nil {
						return err
					}
					r, err := db.SearchOrders(ctx, store.OrderQuery{Q: key})
					if err == nil && len(r.Orders) == 0 {
						err = fmt.Errorf("no orders for %s %q", kind, key)
					}
					if err != nil {
						return err
					}
					// The customers section, as handlers.Orders.List reads it.
					_, err = db.CustomerSummaries(ctx, r.Customers[:min(len(r.Customers), 10)])
					return err
				})
			})
		}
	}
	b.Run("sku_has_backorder", func(b *testing.B) {
		fixtures.P95(b, keys["sku"], func(key string) error {
			_, err := db.SearchOrders(ctx, store.OrderQuery{Q: key, HasBackorder: true})
			return err
		})
	})
	filters := []store.OrderQuery{
		{}, {Status: domain.StatusBackordered}, {HasHold: true}, {Channel: "edi", Sort: store.SortValueHigh},
		{Location: "RNO"}, {From: time.Now().AddDate(0, -1, 0).Format(store.DateFormat)},
	}
	for i, f := range filters {
		b.Run(fmt.Sprintf("filters_%d", i), func(b *testing.B) {
			fixtures.P95(b, []string{""}, func(string) error {
				_, err := db.SearchOrders(ctx, f)
				return err
			})
		})
	}
}

// BenchmarkOrderDetail measures reading everything the order page shows,
// from one client and from four at once; handlers.BenchmarkOrderPage
// measures the page with rendering and HTTP.
func BenchmarkOrderDetail(b *testing.B) {
	db := fixtures.BenchDB(b)
	keys := fixtures.SampleSearchKeys(b, db, 200)
	for _, clients := range []int{1, 4} {
		b.Run(fmt.Sprintf("clients_%d", clients), func(b *testing.B) {
			fixtures.P95Clients(b, clients, keys["number"], func(key string) error {
				_, err := db.OrderDetail(context.Background(), key, store.LineQuery{}, "")
				return err
			})
		})
	}
}
