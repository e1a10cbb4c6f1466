package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/oms/oms/internal/fixtures"
	"github.com/oms/oms/internal/testapp"
	"github.com/oms/oms/store"
	"github.com/oms/oms/web"
)

// syncWorld has released groups whose WMS messages failed: one is a dead
// letter, one waits for its next try.
func syncWorld(tb testing.TB, db *store.DB) {
	b := fixtures.New(tb, db)
	b.Standard()
	for _, n := range []string{"SO-300001", "SO-300002"} {
		b.Order(fixtures.Order{Number: n, Account: "C10042", PO: "PO-" + n,
			Lines: []fixtures.Line{{SKU: "SKU-3300", Allocated: 2}}, Groups: []fixtures.Group{{Location: "DAL", Status: "planned"}}})
	}
	ctx := context.Background()
	if _, err := db.ReleasePlannedGroups(ctx, 10); err != nil {
		panic(err)
	}
	got, err := db.ClaimOutbox(ctx, []string{"wms"}, 10, time.Minute)
	if err != nil || len(got) < 2 {
		panic("no outbox messages to fail")
	}
	if err := db.RecordDeliveries(ctx, []store.DeliveryResult{
		{ID: got[0].ID, Status: 503, Error: "HTTP 503 Service Unavailable: the WMS is down for maintenance"},
		{ID: got[1].ID, Status: 502, Error: "HTTP 502 Bad Gateway: upstream timeout", RetryAt: time.Now().Add(90 * time.Second)},
	}); err != nil {
		panic(err)
	}
	if _, err := db.ApplyInventoryDeltas(ctx, store.InventoryDeltas{MessageID: "rcv-8812", Source: "api",
		Rows: []store.StockDelta{{SKU: "SKU-1042", Location: "DAL", Quantity: 500, Kind: "receipt", PONumber: "5512"}}}); err != nil {
		panic(err)
	}
}

func TestIntegrationsPage(t *testing.T) {
	a := testapp.New(t, web.Config{Endpoints: map[string]string{"wms": "https://wms.example/oms", "erp": "https://erp.example/in"}},
		func(db *store.DB) { syncWorld(t, db) })
	base := a.Serve(t)
	ctx := testapp.Browser(t)
	if err := chromedp.Do(ctx,
		testapp.SignInActions(base, "admin@demo.test"),
		chromedp.Click(`nav.mainnav a[href="/integrations"]`),
		chromedp.WaitVisible(`[data-testid="endpoint-wms"]`),
	); err != nil {
		t.Fatal(err)
	}
	testapp.Screenshot(t, ctx, "integrations")
	wms := testapp.Run(t, ctx, chromedp.Text(`[data-testid="endpoint-wms"]`))
	if !strings.Contains(wms, "1 dead letter") || !strings.Contains(wms, "https://wms.example/oms") {
		t.Fatalf("WMS card: %q", wms)
	}
	problems := testapp.Run(t, ctx, chromedp.Text(`[data-testid="problems"]`))
	if !strings.Contains(problems, "the WMS is down for maintenance") || !strings.Contains(problems, "upstream timeout") {
		t.Fatalf("problems: %q", problems)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(`[data-testid="problem-row"] button[aria-label^="Retry"]`),
		chromedp.WaitVisible(`.alert-ok`),
	); err != nil {
		t.Fatal(err)
	}
	wms = testapp.Run(t, ctx, chromedp.Text(`[data-testid="endpoint-wms"]`))
	if strings.Contains(wms, "dead letter") {
		t.Fatalf("WMS card after retry: %q", wms)
	}
	testapp.Screenshot(t, ctx, "integrations-retried")
}

// TestIntegrationsWebhooks: an admin adds a webhook on the Integrations
// page, sees it listed with its own queue card, and removes it.
func TestIntegrationsWebhooks(t *testing.T) {
	a := testapp.New(t, web.Config{Endpoints: map[string]string{"erp": "https://erp.example/in"}},
		func(db *store.DB) { syncWorld(t, db) })
	base := a.Serve(t)
	ctx := testapp.Browser(t)
	if err := chromedp.Do(ctx,
		testapp.SignInActions(base, "admin@demo.test"),
		chromedp.Click(`nav.mainnav a[href="/integrations"]`),
		chromedp.WaitVisible(`[data-testid="no-webhooks"]`),
		chromedp.Click(`.webhook-add summary`),
		chromedp.SendKeys(`[data-testid="webhook-form"] input[name="name"]`, "Acme storefront"),
		chromedp.SendKeys(`[data-testid="webhook-form"] input[name="url"]`, "https://hooks.acme.example/oms"),
		chromedp.SendKeys(`[data-testid="webhook-form"] input[name="secret"]`, "a-long-shared-secret"),
		chromedp.Click(`[data-testid="webhook-form"] input[value="group.shipped"]`),
		chromedp.Click(`[data-testid="webhook-form"] input[value="line.closed"]`),
	); err != nil {
		t.Fatal(err)
	}
	testapp.Screenshot(t, ctx, "integrations-webhook-form")
	if err := chromedp.Do(ctx,
		chromedp.Click(`[data-testid="webhook-form"] button[type="submit"]`),
		chromedp.WaitVisible(`[data-testid="webhook-row"]`),
	); err != nil {
		t.Fatal(err)
	}
	testapp.Screenshot(t, ctx, "integrations-webhook-added")
	row := testapp.Run(t, ctx, chromedp.Text(`[data-testid="webhook-row"]`))
	if !strings.Contains(row, "Acme storefront") || !strings.Contains(row, "line.closed, group.shipped") {
		t.Fatalf("webhook row: %q", row)
	}
	card := testapp.Run(t, ctx, chromedp.Text(`[data-testid="endpoints"]`))
	if !strings.Contains(card, "Webhook: Acme storefront") {
		t.Fatalf("no queue card for the webhook: %q", card)
	}
}
