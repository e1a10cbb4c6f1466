package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/oms/oms/internal/fixtures"
	"github.com/oms/oms/internal/testapp"
	"github.com/oms/oms/notify"
	"github.com/oms/oms/store"
	"github.com/oms/oms/web"
)

// shippedWorld is the standard world with its released order shipped and
// the shipment e-mail kept (no SMTP server).
func shippedWorld(tb testing.TB, db *store.DB) {
	b := fixtures.New(tb, db)
	b.Standard()
	b.AddStock("SKU-3300", "RNO", 10, 3)
	ctx := context.Background()
	if _, err := db.ShipGroup(ctx, store.OrderAction{Number: "SO-100004", Actor: "system"}, 1,
		store.Shipment{Carrier: "UPS", Service: "Ground", Tracking: "1Z999AA10123456784"}); err != nil {
		panic(err)
	}
	if _, err := notify.New(db, notify.Config{}).RunOnce(ctx); err != nil {
		panic(err)
	}
}

// TestCustomerEmails follows operations from Integrations to the customer
// e-mails, opens the shipment e-mail, and finds it on the order page.
func TestCustomerEmails(t *testing.T) {
	a := testapp.New(t, web.Config{}, func(db *store.DB) { shippedWorld(t, db) })
	base := a.Serve(t)
	ctx := testapp.Browser(t)
	if err := chromedp.Do(ctx,
		testapp.SignInActions(base, "ops@demo.test"),
		chromedp.Click(`nav.mainnav a[href="/integrations"]`),
		chromedp.WaitVisible(`[data-testid="endpoint-email"]`),
		chromedp.Click(`[data-testid="notifications-link"]`),
		chromedp.WaitVisible(`[data-testid="emails"]`),
	); err != nil {
		t.Fatal(err)
	}
	testapp.Screenshot(t, ctx, "notifications")
	row := testapp.Run(t, ctx, chromedp.Text(`[data-testid="email-row"]`))
	if !strings.Contains(row, "orders@acme-industrial.example") || !strings.Contains(row, "Kept, not sent") {
		t.Fatalf("row: %q", row)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(`[data-testid="email-link"]`),
		chromedp.WaitVisible(`[data-testid="email-body"]`),
	); err != nil {
		t.Fatal(err)
	}
	testapp.Screenshot(t, ctx, "notification-email")
	body := testapp.Run(t, ctx, chromedp.Text(`[data-testid="email-body"]`))
	if !strings.Contains(body, "Tracking number: 1Z999AA10123456784") || !strings.Contains(body, "Stretch wrap") {
		t.Fatalf("body: %q", body)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(`.pagehead a.mono`),
		chromedp.WaitVisible(`[data-testid="customer-emails"]`),
	); err != nil {
		t.Fatal(err)
	}
	testapp.Screenshot(t, ctx, "order-customer-emails")
	section := testapp.Run(t, ctx, chromedp.Text(`[data-testid="customer-emails"]`))
	if !strings.Contains(section, "Order SO-100004 has shipped") {
		t.Fatalf("order page section: %q", section)
	}
}
