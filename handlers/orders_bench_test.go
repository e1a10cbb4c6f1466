package handlers_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"testing"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/internal/fixtures"
	"github.com/oms/oms/internal/testapp"
	"github.com/oms/oms/store"
	"github.com/oms/oms/web"
)

// benchCSR is the user the page benchmarks sign in as; it is added to the
// benchmark database if missing.
var benchCSR = store.NewUser{Email: "bench-csr@demo.test", Name: "Bench CSR", Role: domain.RoleCSR, Password: testapp.Password}

// benchApp is the real app on the OMS_BENCH_DB database with a signed-in
// CSR: the timings include routing, middleware, session lookup, the store
// and rendering, all of the server's side of a request.
func benchApp(b *testing.B) (*benchClient, fixtures.SearchKeys) {
	db := fixtures.BenchDB(b)
	if err := db.EnsureUser(context.Background(), benchCSR); err != nil {
		b.Fatal(err)
	}
	a := &testapp.App{DB: db, App: web.New(db, web.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})}
	c := a.Client(b)
	c.SignIn(benchCSR.Email)
	return &benchClient{Client: c, db: db}, fixtures.SampleSearchKeys(b, db, 200)
}

// benchClient is a signed-in client and the database behind it.
type benchClient struct {
	*testapp.Client
	db *store.DB
}

func (c *benchClient) DB() *store.DB { return c.db }

// bigOrder is a 1,000-line order the page benchmark adds to the benchmark
// database (once) to show that lines are paged on the server.
const bigOrder = "SO-BENCH-1000"

func ensureBigOrder(b *testing.B, db *store.DB) {
	var n int
	err := db.View(context.Background(), func(tx *sql.Tx) error {
		return tx.QueryRow(`SELECT count(*) FROM orders WHERE number = ?`, bigOrder).Scan(&n)
	})
	if err != nil {
		b.Fatal(err)
	}
	if n > 0 {
		return
	}
	var account, loc string
	var skus []string
	err = db.View(context.Background(), func(tx *sql.Tx) error {
		if err := tx.QueryRow(`SELECT account FROM customers ORDER BY id LIMIT 1`).Scan(&account); err != nil {
			return err
		}
		if err := tx.QueryRow(`SELECT code FROM locations ORDER BY id LIMIT 1`).Scan(&loc); err != nil {
			return err
		}
		rows, err := tx.Query(`SELECT sku FROM items ORDER BY id LIMIT 1000`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				return err
			}
			skus = append(skus, s)
		}
		return rows.Err()
	})
	if err != nil || len(skus) == 0 {
		b.Fatalf("no customers, locations or items in the benchmark database: %v", err)
	}
	o := fixtures.Order{Number: bigOrder, Channel: "csv", Account: account, PO: "PO-BENCH-1000",
		Groups: []fixtures.Group{{Location: loc, Status: "planned"}}}
	for i := range 1000 {
		o.Lines = append(o.Lines, fixtures.Line{SKU: skus[i%len(skus)], Allocated: int64(i%9 + 1)})
	}
	fixtures.New(b, db).Order(o)
}

// BenchmarkOrderPage renders the order page (GET /orders/{number}) of
// random orders, and of a 1,000-line order.
func BenchmarkOrderPage(b *testing.B) {
	c, keys := benchApp(b)
	get := func(number string) error {
		resp, _ := c.Get("/orders/" + url.PathEscape(number))
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("order %s: status %d", number, resp.StatusCode)
		}
		return nil
	}
	b.Run("random", func(b *testing.B) { fixtures.P95(b, keys["number"], get) })
	b.Run("lines_1000", func(b *testing.B) {
		ensureBigOrder(b, c.DB())
		fixtures.P95(b, []string{bigOrder}, get)
	})
}

// BenchmarkSearchPage runs each kind of search as the CSR's live search
// does (GET /orders?q= from htmx): the exact hit's HX-Redirect for number,
// PO and tracking, the results region for the others.
func BenchmarkSearchPage(b *testing.B) {
	c, keys := benchApp(b)
	for _, kind := range fixtures.SearchKinds {
		b.Run(kind, func(b *testing.B) {
			fixtures.P95(b, keys[kind], func(q string) error {
				resp, _ := c.HTMX(http.MethodGet, "/orders?q="+url.QueryEscape(q), nil)
				if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNoContent {
					return fmt.Errorf("%s %q: status %d", kind, q, resp.StatusCode)
				}
				return nil
			})
		})
	}
}
