package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/internal/fixtures"
	"github.com/oms/oms/store"
)

// benchDB opens the database named by OMS_BENCH_DB and migrates it. When
// the file does not exist and OMS_BENCH_ORDERS is set, it is generated
// first with fixtures.Bulk (slow: minutes for a million orders). Without
// OMS_BENCH_DB the benchmark skips: the figures only mean something on a
// database of realistic size.
func benchDB(b *testing.B) *store.DB {
	b.Helper()
	path := os.Getenv("OMS_BENCH_DB")
	if path == "" {
		b.Skip("set OMS_BENCH_DB to a database made by `oms seed --orders 1000000` (or set OMS_BENCH_ORDERS too, to generate one)")
	}
	_, statErr := os.Stat(path)
	db, err := store.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		b.Fatal(err)
	}
	if os.IsNotExist(statErr) {
		n, _ := strconv.Atoi(os.Getenv("OMS_BENCH_ORDERS"))
		if n <= 0 {
			b.Fatalf("%s does not exist; set OMS_BENCH_ORDERS to generate it", path)
		}
		start := time.Now()
		err := fixtures.Bulk(context.Background(), db, fixtures.BulkConfig{Orders: n, Seed: 1, Progress: func(done int) {
			if done%100000 == 0 {
				b.Logf("generated %d orders in %s", done, time.Since(start).Round(time.Second))
			}
		}})
		if err != nil {
			b.Fatal(err)
		}
	}
	return db
}

// benchKeys are real search keys sampled from the database, per kind.
type benchKeys map[string][]string

// sampleKeys reads the keys of random orders: their number, PO, tracking
// number, a SKU, the customer's account, e-mail, phone and a word of the
// customer's and ship-to's name.
func sampleKeys(b *testing.B, db *store.DB, n int) benchKeys {
	b.Helper()
	ctx := context.Background()
	keys := benchKeys{}
	err := db.View(ctx, func(tx *sql.Tx) error {
		var maxID int64
		if err := tx.QueryRow(`SELECT max(id) FROM orders`).Scan(&maxID); err != nil {
			return err
		}
		r := rand.New(rand.NewPCG(7, 7))
		for len(keys["number"]) < n {
			id := 1 + r.Int64N(maxID)
			var number, po, sku, account, email, phone, name, ship, tracking string
			err := tx.QueryRow(`SELECT o.number, o.customer_po, c.account, c.email, c.phone, c.name, o.ship_name,
				(SELECT sku FROM order_lines WHERE order_id = o.id ORDER BY line_no LIMIT 1),
				coalesce((SELECT tracking_number FROM fulfilment_groups WHERE order_id = o.id AND tracking_number <> '' LIMIT 1), '')
				FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = ?`, id).Scan(
				&number, &po, &account, &email, &phone, &name, &ship, &sku, &tracking)
			if err == sql.ErrNoRows {
				continue
			} else if err != nil {
				return err
			}
			keys["number"] = append(keys["number"], number)
			keys["sku"] = append(keys["sku"], sku)
			keys["account"] = append(keys["account"], account)
			keys["email"] = append(keys["email"], email)
			keys["phone"] = append(keys["phone"], strings.NewReplacer("(", "", ")", "", " ", "", "-", "").Replace(phone))
			keys["customer_name"] = append(keys["customer_name"], strings.Fields(name)[0])
			keys["ship_to_name"] = append(keys["ship_to_name"], strings.Join(strings.Fields(ship)[:min(2, len(strings.Fields(ship)))], " "))
			if po != "" {
				keys["po"] = append(keys["po"], po)
			}
			if tracking != "" {
				keys["tracking"] = append(keys["tracking"], tracking)
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return keys
}

// p95 runs fn b.N times, cycling through the keys, and reports the 95th
// percentile latency in milliseconds beside Go's mean.
func p95(b *testing.B, keys []string, fn func(key string) error) {
	b.Helper()
	if len(keys) == 0 {
		b.Skip("no keys of this kind in the database")
	}
	times := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if err := fn(keys[i%len(keys)]); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)*95/100].Microseconds())/1000, "p95-ms")
}

// BenchmarkSearchOrders measures each kind of search the CSR's box does,
// the way the results page runs it: the exact-hit check, then one page of
// results with its count, and the customers section.
func BenchmarkSearchOrders(b *testing.B) {
	db := benchDB(b)
	keys := sampleKeys(b, db, 200)
	ctx := context.Background()
	search := func(q store.OrderQuery) func(string) error {
		return func(key string) error {
			q := q
			q.Q = key
			if key != "" {
				if _, err := db.ExactOrder(ctx, key); err != nil {
					return err
				}
				if _, err := db.SearchCustomers(ctx, key, 10); err != nil {
					return err
				}
			}
			r, err := db.SearchOrders(ctx, q)
			if err == nil && key != "" && len(r.Orders) == 0 {
				err = fmt.Errorf("no orders for %q", key)
			}
			return err
		}
	}
	for _, kind := range []string{"number", "po", "tracking", "sku", "account", "customer_name", "ship_to_name", "email", "phone"} {
		b.Run(kind, func(b *testing.B) { p95(b, keys[kind], search(store.OrderQuery{})) })
	}
	b.Run("sku_backordered", func(b *testing.B) {
		p95(b, keys["sku"], func(key string) error {
			_, err := db.SearchOrders(ctx, store.OrderQuery{Q: key, HasBackorder: true})
			return err
		})
	})
	b.Run("filters_only", func(b *testing.B) {
		filters := []store.OrderQuery{
			{}, {Status: domain.StatusBackordered}, {HasHold: true}, {Channel: "edi", Sort: store.SortValueHigh},
			{Location: "RNO"}, {From: time.Now().AddDate(0, -1, 0).Format(store.DateFormat)},
		}
		i := 0
		p95(b, []string{""}, func(string) error {
			i++
			_, err := db.SearchOrders(ctx, filters[i%len(filters)])
			return err
		})
	})
}

// BenchmarkOrderDetail measures reading everything the order page shows.
// The page's full server-side time, with rendering, is measured by
// handlers.BenchmarkOrderPage.
func BenchmarkOrderDetail(b *testing.B) {
	db := benchDB(b)
	keys := sampleKeys(b, db, 200)
	p95(b, keys["number"], func(key string) error {
		_, err := db.OrderDetail(context.Background(), key, store.LineQuery{}, "")
		return err
	})
}
