package e2e

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/oms/oms/domain"
	"github.com/oms/oms/internal/fixtures"
	"github.com/oms/oms/internal/testapp"
	"github.com/oms/oms/store"
	"github.com/oms/oms/web"
)

// TestLiveUpdates: with an order page open, the WMS confirms its shipment
// through the API and the page shows it without a reload, leaving alone the
// form the person is typing in; on the exception queue a new credit hold
// appears with the operations alert; the server restarts on the same
// address and a change after it still shows; the home counts move too.
func TestLiveUpdates(t *testing.T) {
	var s fixtures.Standard
	a := testapp.New(t, web.Config{}, func(db *store.DB) {
		s = fixtures.New(t, db).Standard()
		// The stock the released shipment reserved at Reno, for the WMS
		// to ship.
		err := db.Update(context.Background(), func(tx *sql.Tx) error {
			_, err := tx.Exec(`INSERT INTO inventory (item_id, location_id, on_hand, allocated, on_hand_as_of)
				SELECT i.id, l.id, 10, 3, '2026-11-20T00:00:00.000Z' FROM items i, locations l WHERE i.sku = 'SKU-3300' AND l.code = 'RNO'`)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	})
	_, wms, err := a.DB.CreateToken(t.Context(), "WMS", domain.RoleOps, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, sales, err := a.DB.CreateToken(t.Context(), "Shop", domain.RoleSales, 0)
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	base := "http://" + addr
	app := a.App
	go app.Listener(ln)
	t.Cleanup(func() { app.ShutdownWithTimeout(5 * time.Second) })
	api := func(path, token, body string) string {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", time.Now().Format(time.RFC3339Nano))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode/100 != 2 {
			t.Fatalf("POST %s: %d %s", path, resp.StatusCode, b)
		}
		return string(b)
	}
	heldOrder := func(po string) string {
		t.Helper()
		body := api("/api/v1/orders", sales, `{"customer_account": "C10077", "po_number": "`+po+`",
			"ship_to": {"name": "Northwind Dock", "line1": "1 Lake St", "city": "Chicago", "region": "IL", "postal_code": "60601"},
			"lines": [{"sku": "SKU-5000", "quantity": 1}]}`)
		_, rest, _ := strings.Cut(body, `"number":"`)
		number, _, _ := strings.Cut(rest, `"`)
		if number == "" {
			t.Fatalf("no order number in %s", body)
		}
		return number
	}
	noReload := `window.liveMarker === 1`

	ctx := testapp.Browser(t)
	if err := chromedp.Do(ctx, testapp.SignInActions(base, "ops@demo.test")); err != nil {
		t.Fatal(err)
	}

	// The order page: open the cancel form and start typing a reason.
	reason := `#order-actions [data-testid="cancel-order-form"] textarea`
	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"/orders/"+s.Released),
		chromedp.WaitVisible(`[data-testid="order-number"]`),
		chromedp.Evaluate[chromedp.Void](`window.liveMarker = 1`),
		chromedp.Click(`#order-actions details.danger summary`),
		chromedp.WaitVisible(reason),
		chromedp.SendKeys(reason, "Customer asked to hold off"),
	)
	if err != nil {
		t.Fatalf("open the order: %v", err)
	}
	version := testapp.Run(t, ctx, chromedp.Text(`#actions h2`))
	api("/api/v1/inbound/shipments", wms, `{"message_id": "live-e2e-1", "order": "`+s.Released+`", "group": 1,
		"carrier": "UPS", "tracking_number": "1Z999AA10000000017", "shipped_at": "`+time.Now().UTC().Format(time.RFC3339)+`"}`)
	err = chromedp.Do(ctx,
		chromedp.WaitVisible(`#order-shipments [data-testid="tracking-link"]`),
		chromedp.Poll[chromedp.Void](`document.querySelector('[data-testid="status-answer"]').textContent.includes('hipped')`),
	)
	if err != nil {
		t.Fatalf("the shipment did not show on the open order page: %v", err)
	}
	if !testapp.Run(t, ctx, chromedp.Evaluate[bool](noReload)) {
		t.Fatal("the order page reloaded")
	}
	if got := testapp.Run(t, ctx, chromedp.Value(reason)); got != "Customer asked to hold off" {
		t.Fatalf("the reason being typed became %q", got)
	}
	if v := testapp.Run(t, ctx, chromedp.Text(`#actions h2`)); v != version {
		t.Fatalf("the actions panel being worked in was replaced (%q -> %q)", version, v)
	}
	if note := testapp.Run(t, ctx, chromedp.Text(`#order-actions [data-testid="live-note"]`)); !strings.Contains(note, "changed while you were working here") {
		t.Fatalf("the panel kept for the person typing does not say the order changed: %q", note)
	}
	testapp.Screenshot(t, ctx, "live-order-updated-form-kept")
	// Once the form is given up, the panel catches up by itself.
	err = chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](`document.querySelector('`+reason+`').value = ''`),
		chromedp.Click(`#order-actions details.danger summary`),
		chromedp.Poll[chromedp.Void](`document.querySelector('#actions h2').textContent !== `+jsString(version)),
	)
	if err != nil {
		t.Fatalf("the actions panel did not catch up: %v", err)
	}

	// The exception queue: a new credit hold shows, with the alert.
	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"/exceptions"),
		chromedp.WaitVisible(`[data-testid="queue-summary"]`),
		chromedp.Evaluate[chromedp.Void](`window.liveMarker = 1`),
	)
	if err != nil {
		t.Fatal(err)
	}
	first := heldOrder("PO-LIVE-1")
	err = chromedp.Do(ctx,
		chromedp.WaitVisible(`[data-testid="exception-row"][data-order="`+first+`"]`),
		chromedp.WaitVisible(`[data-testid="exception-alert"]`),
	)
	if err != nil {
		t.Fatalf("the new exception did not show on the open queue: %v", err)
	}
	alert := testapp.Run(t, ctx, chromedp.Text(`[data-testid="exception-alert"]`))
	if !strings.Contains(alert, first) || !strings.Contains(alert, "Open the exception queue") {
		t.Fatalf("alert %q", alert)
	}
	if !testapp.Run(t, ctx, chromedp.Evaluate[bool](noReload)) {
		t.Fatal("the queue reloaded")
	}
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](axeSource)); err != nil {
		t.Fatal(err)
	}
	for _, v := range testapp.Run(t, ctx, chromedp.Evaluate[[]string](axeViolations, chromedp.EvalAwaitPromise)) {
		t.Errorf("queue with the alert: %s", v)
	}
	testapp.Screenshot(t, ctx, "live-queue-alert")

	// The server restarts on the same address; open streams end at once.
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := app.ShutdownWithContext(sctx); err != nil {
		t.Fatalf("shutdown with the browser listening: %v", err)
	}
	app = web.New(a.DB, web.Config{Logger: quiet})
	if ln, err = listenAgain(addr); err != nil {
		t.Fatal(err)
	}
	go app.Listener(ln)
	// Made before the browser is back: it catches up when it reconnects.
	second := heldOrder("PO-LIVE-2")
	if err := chromedp.Do(ctx, chromedp.WaitVisible(`[data-testid="exception-row"][data-order="`+second+`"]`)); err != nil {
		t.Fatalf("a change made while the browser was away did not show after the restart: %v", err)
	}
	// And the stream goes on.
	time.Sleep(time.Second)
	third := heldOrder("PO-LIVE-3")
	if err := chromedp.Do(ctx, chromedp.WaitVisible(`[data-testid="exception-row"][data-order="`+third+`"]`)); err != nil {
		t.Fatalf("a change after the restart did not show: %v", err)
	}
	if !testapp.Run(t, ctx, chromedp.Evaluate[bool](noReload)) {
		t.Fatal("the queue reloaded across the restart")
	}
	testapp.Screenshot(t, ctx, "live-queue-after-restart")

	// The home dashboards: the counts move when an order is held.
	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(`#home-tiles`),
		chromedp.Evaluate[chromedp.Void](`window.liveMarker = 1`),
	)
	if err != nil {
		t.Fatal(err)
	}
	tiles := testapp.Run(t, ctx, chromedp.Evaluate[string](`document.querySelector('#home-tiles').innerText`))
	heldOrder("PO-LIVE-4")
	if err := chromedp.Do(ctx, chromedp.Poll[chromedp.Void](`document.querySelector('#home-tiles').innerText !== `+jsString(tiles))); err != nil {
		t.Fatalf("the home counts did not move: %v", err)
	}
	if !testapp.Run(t, ctx, chromedp.Evaluate[bool](noReload)) {
		t.Fatal("the home page reloaded")
	}
}

// listenAgain listens on addr, which a server just closed.
func listenAgain(addr string) (net.Listener, error) {
	var err error
	for range 50 {
		var ln net.Listener
		if ln, err = net.Listen("tcp", addr); err == nil {
			return ln, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return nil, err
}
