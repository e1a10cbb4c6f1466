package erpsim_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oms/oms/dispatch"
	"github.com/oms/oms/domain"
	"github.com/oms/oms/erpsim"
	"github.com/oms/oms/internal/fixtures"
	"github.com/oms/oms/internal/testapp"
	"github.com/oms/oms/store"
	"github.com/oms/oms/web"
)

// simWorld is the real server on a temporary database, the dispatcher
// sending its outbox, and the simulator answering, each side behind a
// proxy that loses every third answer after the call was applied.
type simWorld struct {
	t     *testing.T
	app   *testapp.App
	db    *store.DB
	base  string // the OMS as the simulator reaches it (through a lossy proxy)
	token string // the simulator's ops token
	sales string // a sales token to capture orders
	// toSim counts the answers of the OMS lost on the way to the
	// simulator; toOMS those of the simulators lost on the way back.
	toSim, toOMS lossCount
}

// lossCount counts the calls a lossy proxy forwarded and the answers it lost.
type lossCount struct{ n, lost atomic.Int64 }

// lossy forwards every call and, for one call in every, answers 503 after
// the target has applied it, as when an answer is lost on the way back:
// the sender must send again and the target must not apply it twice.
type lossy struct {
	every int64
	c     *lossCount
	proxy *httputil.ReverseProxy
}

func newLossy(target string, every int64, c *lossCount) *lossy {
	u, _ := url.Parse(target)
	l := &lossy{every: every, c: c, proxy: httputil.NewSingleHostReverseProxy(u)}
	l.proxy.ModifyResponse = func(r *http.Response) error {
		if r.Request.Method == http.MethodPost && r.StatusCode < 300 && l.c.n.Add(1)%l.every == 0 {
			l.c.lost.Add(1)
			r.Body.Close()
			r.StatusCode, r.Status = http.StatusServiceUnavailable, "503 Service Unavailable"
			r.Body = io.NopCloser(strings.NewReader("answer lost"))
			r.ContentLength = -1
			r.Header.Del("Content-Length")
		}
		return nil
	}
	return l
}

func (l *lossy) ServeHTTP(w http.ResponseWriter, r *http.Request) { l.proxy.ServeHTTP(w, r) }

func newSimWorld(t *testing.T) *simWorld {
	w := &simWorld{t: t}
	w.app = testapp.New(t, web.Config{}, func(db *store.DB) {
		b := fixtures.New(t, db)
		b.Location(fixtures.Location{Code: "DAL", Name: "Dallas DC"})
		b.Customer(fixtures.Customer{Account: "C1", Name: "Acme", CreditLimitCents: 1 << 40,
			ShipTos: []fixtures.ShipTo{{Code: "MAIN", Name: "Main dock", Line1: "1 Main St", City: "Dallas", Region: "TX", PostalCode: "75201", Default: true}}})
		for sku, onHand := range map[string]int64{"SKU-A": 100, "SKU-B": 2, "SKU-C": 100} {
			b.Item(fixtures.Item{SKU: sku, Description: "Item " + sku, PriceCents: 1000})
			if err := db.Update(t.Context(), func(tx *sql.Tx) error {
				_, err := tx.Exec(`INSERT INTO inventory (item_id, location_id, on_hand, on_hand_as_of)
					SELECT i.id, l.id, ?, '2026-01-01T00:00:00.000Z' FROM items i, locations l WHERE i.sku = ? AND l.code = 'DAL'`, onHand, sku)
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
	})
	w.db = w.app.DB
	oms := w.app.Serve(t)
	front := httptest.NewServer(newLossy(oms, 3, &w.toSim))
	t.Cleanup(front.Close)
	w.base = front.URL
	_, w.token, _ = w.db.CreateToken(t.Context(), "Simulator", domain.RoleOps, 0)
	_, w.sales, _ = w.db.CreateToken(t.Context(), "Sales", domain.RoleSales, 0)
	return w
}

// run starts a simulator (shipping short with partialRate, failing
// failRate of the calls), the dispatcher and the automatic release until
// the returned stop is called.
func (w *simWorld) run(partialRate, failRate float64) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sim := erpsim.New(erpsim.Config{OMS: w.base, Token: w.token, Secret: "sim-secret",
		ShipDelay: 150 * time.Millisecond, InvoiceDelay: 150 * time.Millisecond, ReceiptDelay: 300 * time.Millisecond,
		FailRate: failRate, PartialRate: partialRate, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		w.t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() { sim.Serve(ctx, ln) })
	front := httptest.NewServer(newLossy("http://"+ln.Addr().String(), 4, &w.toOMS))
	ep := dispatch.Endpoint{URL: front.URL + "/erp", Secret: "sim-secret"}
	d := dispatch.New(w.db, dispatch.Config{Endpoints: map[string]dispatch.Endpoint{"erp": ep, "wms": ep, "vendor": ep},
		MaxAttempts: 100, BaseDelay: 5 * time.Millisecond, MaxDelay: 40 * time.Millisecond, Poll: 20 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	wg.Go(func() { d.Run(ctx) })
	wg.Go(func() {
		for {
			if _, err := w.db.ReleasePlannedGroups(ctx, 25); err != nil && ctx.Err() == nil {
				w.t.Errorf("release: %v", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			wg.Wait()
			front.Close()
		})
	}
	w.t.Cleanup(stop) // before the database closes, when the test fails
	return stop
}

// capture posts an order through the JSON API and returns its number.
func (w *simWorld) capture(key string, lines map[string]int) string {
	w.t.Helper()
	var ls []string
	for sku, q := range lines {
		ls = append(ls, fmt.Sprintf(`{"sku": %q, "quantity": %d}`, sku, q))
	}
	body := fmt.Sprintf(`{"customer_account": "C1", "po_number": %q, "ship_to": {"name": "Dock 4", "line1": "1 Main St",
		"city": "Dallas", "region": "TX", "postal_code": "75201"}, "lines": [%s]}`, "PO-"+key, strings.Join(ls, ","))
	req := httptest.NewRequest(http.MethodPost, "/api/v1/orders", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+w.sales)
	req.Header.Set("Idempotency-Key", key)
	resp, out := w.app.Client(w.t).Do(req)
	if resp.StatusCode != http.StatusCreated {
		w.t.Fatalf("capture %s: %d %s", key, resp.StatusCode, out)
	}
	var o struct{ Number string }
	if err := json.Unmarshal([]byte(out), &o); err != nil {
		w.t.Fatal(err)
	}
	return o.Number
}

// waitFor polls cond until it holds or the time is up.
func (w *simWorld) waitFor(what string, limit time.Duration, cond func() bool) {
	w.t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			w.t.Fatalf("%s: not within %s", what, limit)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (w *simWorld) count(query string, args ...any) int64 {
	w.t.Helper()
	var n int64
	if err := w.db.View(context.Background(), func(tx *sql.Tx) error { return tx.QueryRow(query, args...).Scan(&n) }); err != nil {
		w.t.Fatal(err)
	}
	return n
}

func (w *simWorld) status(number string) domain.OrderStatus {
	w.t.Helper()
	d, err := w.db.OrderDetail(context.Background(), number, store.LineQuery{}, "")
	if err != nil {
		w.t.Fatal(err)
	}
	return d.Order.Status
}

func (w *simWorld) onHand(sku string) int64 {
	return w.count(`SELECT i.on_hand FROM inventory i JOIN items it ON it.id = i.item_id JOIN locations l ON l.id = i.location_id
		WHERE it.sku = ? AND l.code = 'DAL'`, sku)
}

// TestSimulatorMovesOrders runs the simulator with the dispatcher and the
// real server: orders captured through the API are released, shipped
// (also short), invoiced and closed; a purchase order brings the stock a
// backorder waits for; with calls failing and answers lost both ways,
// messages are retried and nothing is applied twice.
func TestSimulatorMovesOrders(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the simulator for several seconds")
	}
	w := newSimWorld(t)
	limit := 60 * time.Second

	// Whole shipments: one order from stock, one partly backordered.
	stop := w.run(0, 0.3)
	inStock := w.capture("in-stock", map[string]int{"SKU-A": 5, "SKU-C": 3})
	short := w.capture("short", map[string]int{"SKU-B": 6})
	w.waitFor("the order from stock closed", limit, func() bool { return w.status(inStock) == domain.StatusClosed })
	w.waitFor("the backordered order closed after the purchase order's receipt", limit,
		func() bool { return w.status(short) == domain.StatusClosed })
	stop()

	// Short shipments: every shipment ships half of its first line.
	stop = w.run(1, 0.3)
	partial := w.capture("partial", map[string]int{"SKU-A": 4})
	w.waitFor("the short shipment confirmed and invoiced", limit, func() bool {
		return w.count(`SELECT count(*) FROM invoices i JOIN orders o ON o.id = i.order_id WHERE o.number = ?`, partial) > 0
	})
	// The units shipped short go back to backorder and are allocated
	// again from stock; wait until everything has settled.
	w.waitFor("the simulator done", limit, func() bool {
		return w.count(`SELECT count(*) FROM outbox WHERE status <> 'delivered'`) == 0 &&
			w.count(`SELECT count(*) FROM fulfilment_groups WHERE status IN ('planned', 'released')`) == 0 &&
			w.count(`SELECT count(*) FROM fulfilment_groups WHERE status = 'shipped' AND invoice_id IS NULL`) == 0
	})
	stop()

	if n := w.count(`SELECT count(*) FROM events e JOIN orders o ON o.id = e.order_id
		WHERE o.number = ? AND e.kind = 'group.shipped' AND e.summary LIKE '%shipped in part%'`, partial); n == 0 {
		t.Fatal("no shipment shipped in part")
	}
	if got := w.status(partial); got != domain.StatusPartiallyShipped && got != domain.StatusClosed {
		t.Fatalf("order shipped short is %s", got)
	}

	// Retries happened on both sides...
	retried := w.count(`SELECT count(*) FROM outbox WHERE attempts > 1`)
	if w.toSim.lost.Load() == 0 || w.toOMS.lost.Load() == 0 || retried == 0 {
		t.Fatalf("no retries: %d answers lost to the simulator, %d to the OMS, %d messages tried more than once",
			w.toSim.lost.Load(), w.toOMS.lost.Load(), retried)
	}
	t.Logf("answers lost: %d to the simulator, %d to the OMS; %d outbox messages tried more than once",
		w.toSim.lost.Load(), w.toOMS.lost.Load(), retried)
	// ...and nothing was applied twice: one shipment per shipped group,
	// one invoice per invoiced group, stock moved once per shipment and
	// receipt.
	if n := w.count(`SELECT count(*) FROM outbox WHERE status <> 'delivered'`); n != 0 {
		t.Fatalf("%d messages not delivered", n)
	}
	if n := w.count(`SELECT count(*) FROM (SELECT order_id, summary FROM events WHERE kind = 'group.shipped'
		GROUP BY order_id, summary HAVING count(*) > 1)`); n != 0 {
		t.Fatalf("%d shipments recorded twice", n)
	}
	if shipped, invoices := w.count(`SELECT count(*) FROM fulfilment_groups WHERE status = 'shipped'`),
		w.count(`SELECT count(*) FROM invoices`); invoices != shipped {
		t.Fatalf("%d invoices for %d shipped groups", invoices, shipped)
	}
	shippedOf := func(sku string) int64 {
		return w.count(`SELECT coalesce(sum(qty_shipped), 0) FROM order_lines WHERE sku = ?`, sku)
	}
	bought := w.count(`SELECT coalesce(sum(quantity), 0) FROM inbound_supply s JOIN items i ON i.id = s.item_id WHERE i.sku = 'SKU-B'`)
	if bought == 0 {
		t.Fatal("the simulator bought nothing for the backorder")
	}
	for sku, start := range map[string]int64{"SKU-A": 100, "SKU-B": 2 + bought, "SKU-C": 100} {
		if got, want := w.onHand(sku), start-shippedOf(sku); got != want {
			t.Errorf("%s on hand %d, want %d (start and receipts %d, shipped %d)", sku, got, want, start, shippedOf(sku))
		}
	}
}
