package handlers_test

import (
	"context"
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
func benchApp(b *testing.B) (*testapp.Client, fixtures.SearchKeys) {
	db := fixtures.BenchDB(b)
	if err := db.EnsureUser(context.Background(), benchCSR); err != nil {
		b.Fatal(err)
	}
	a := &testapp.App{DB: db, App: web.New(db, web.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})}
	c := a.Client(b)
	c.SignIn(benchCSR.Email)
	return c, fixtures.SampleSearchKeys(b, db, 200)
}

// BenchmarkOrderPage renders the order page (GET /orders/{number}) of
// random orders.
func BenchmarkOrderPage(b *testing.B) {
	c, keys := benchApp(b)
	fixtures.P95(b, keys["number"], func(number string) error {
		resp, _ := c.Get("/orders/" + url.PathEscape(number))
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("order %s: status %d", number, resp.StatusCode)
		}
		return nil
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
