package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/oms/oms/internal/testapp"
	"github.com/oms/oms/web"
)

func TestAPITokensPage(t *testing.T) {
	a := testapp.New(t, web.Config{})
	base := a.Serve(t)
	ctx := testapp.Browser(t)
	if err := chromedp.Do(ctx,
		testapp.SignInActions(base, "admin@demo.test"),
		chromedp.Navigate(base+"/admin/users"),
		chromedp.Click(`nav.tabs a[href="/admin/tokens"]`),
		chromedp.WaitVisible(`#new-token input[name=name]`),
	); err != nil {
		t.Fatal(err)
	}
	testapp.Screenshot(t, ctx, "tokens-empty")
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(`#new-token input[name=name]`, "Shopify storefront"),
		chromedp.Submit(`#new-token input[name=name]`),
		chromedp.WaitVisible(`[data-testid="token-secret"]`),
	); err != nil {
		t.Fatal(err)
	}
	secret := testapp.Run(t, ctx, chromedp.Evaluate[string](`document.querySelector('[data-testid="token-secret"]').value`))
	if !strings.HasPrefix(secret, "oms_") {
		t.Fatalf("secret %q", secret)
	}
	testapp.Screenshot(t, ctx, "tokens-created")
	if err := chromedp.Do(ctx,
		chromedp.Click(`[data-testid="token-row"] button`),
		chromedp.WaitVisible(`.alert-ok`),
	); err != nil {
		t.Fatal(err)
	}
	row := testapp.Run(t, ctx, chromedp.Text(`[data-testid="token-row"]`))
	if !strings.Contains(row, "Revoked") {
		t.Fatalf("row after revoke: %q", row)
	}
	testapp.Screenshot(t, ctx, "tokens-revoked")
}
