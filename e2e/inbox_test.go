package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/oms/oms/inbox"
	"github.com/oms/oms/internal/fixtures"
	"github.com/oms/oms/internal/testapp"
	"github.com/oms/oms/store"
	"github.com/oms/oms/web"
)

// TestIntegrationsFileInbox: files dropped in the inbox folder are listed
// on Integrations with their result and, for a refused one, its bad rows.
func TestIntegrationsFileInbox(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "inbox")
	a := testapp.New(t, web.Config{InboxDir: dir}, func(db *store.DB) { fixtures.New(t, db).Standard() })
	w := &inbox.Watcher{DB: a.DB, Dir: dir}
	if err := w.Setup(); err != nil {
		t.Fatal(err)
	}
	for rel, content := range map[string]string{
		"customers/erp-customers.csv": "account,credit_status,open_ar_cents\nC10042,hold,1250000\n",
		"price-lists/wholesale.csv":   "price_level,sku,unit_price_cents\nWHOLESALE,SKU-1042,1090\nWHOLESALE,NOPE-1,5\nWHOLESALE,SKU-3300,-3\n",
	} {
		p := filepath.Join(dir, rel)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		old := time.Now().Add(-time.Minute)
		os.Chtimes(p, old, old)
	}
	for range 2 {
		if err := w.Poll(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	base := a.Serve(t)
	ctx := testapp.Browser(t)
	if err := chromedp.Do(ctx,
		testapp.SignInActions(base, "ops@demo.test"),
		chromedp.Click(`nav.mainnav a[href="/integrations"]`),
		chromedp.WaitVisible(`[data-testid="inbox-files"]`),
		chromedp.ScrollIntoView(`[data-testid="file-inbox"]`),
	); err != nil {
		t.Fatal(err)
	}
	testapp.Screenshot(t, ctx, "integrations-file-inbox")
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](axeSource)); err != nil {
		t.Fatalf("inject axe-core: %v", err)
	}
	for _, v := range testapp.Run(t, ctx, chromedp.Evaluate[[]string](axeViolations, chromedp.EvalAwaitPromise)) {
		t.Errorf("integrations: %s", v)
	}
	text := testapp.Run(t, ctx, chromedp.Text(`[data-testid="file-inbox"]`))
	for _, want := range []string{"customers/erp-customers.csv", "processed", "price-lists/wholesale.csv", "failed",
		`row 3, sku: no item with SKU "NOPE-1"`, "row 4, unit_price_cents: must not be negative (-3)"} {
		if !strings.Contains(text, want) {
			t.Errorf("no %q in %q", want, text)
		}
	}
}
