package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/oms/oms/internal/testapp"
	"github.com/oms/oms/store"
	"github.com/oms/oms/web"
)

// TestSplitAndConsolidate: an operations manager splits one line of an
// order across two DCs from the allocation matrix, seeing the result and
// the rule it breaks before confirming, then consolidates it back into one
// DC with the quick fill.
func TestSplitAndConsolidate(t *testing.T) {
	a := testapp.New(t, web.Config{}, func(db *store.DB) { seedOps(t, db) })
	base := a.Serve(t)
	ctx := testapp.Browser(t)
	groups := `document.querySelectorAll('[data-testid="fulfilment-group"]').length`
	err := chromedp.Do(ctx,
		testapp.SignInActions(base, "ops@demo.test"),
		chromedp.Navigate(base+"/orders/SO-100001"),
		chromedp.WaitVisible(`#allocation [data-testid="cell-1-DAL"]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	if v := testapp.Run(t, ctx, chromedp.Evaluate[string](`document.querySelector('[data-testid="cell-1-DAL"]').value`)); v != "10" {
		t.Fatalf("the matrix shows %q at DAL, want the planned 10", v)
	}
	testapp.Screenshot(t, ctx, "allocation-matrix")

	// Split: 6 from Dallas, 4 from Harrisburg.
	err = chromedp.Do(ctx,
		chromedp.SetValue(`[data-testid="cell-1-DAL"]`, "6"),
		chromedp.SetValue(`[data-testid="cell-1-HBG"]`, "4"),
		chromedp.Click(`[data-testid="allocation-preview"]`),
		chromedp.WaitVisible(`[data-testid="allocation-preview-result"]`),
	)
	if err != nil {
		t.Fatalf("preview split: %v", err)
	}
	if got := strings.Join(strings.Fields(testapp.Run(t, ctx, chromedp.Text(`[data-testid="preview-shipments"]`))), " "); got != "1 → 2" {
		t.Fatalf("preview says shipments %q", got)
	}
	// A $23.50 order is under the rule's no-split threshold: the split is
	// an override, flagged, with a reason.
	breaks := testapp.Run(t, ctx, chromedp.Text(`[data-testid="preview-breaks"]`))
	if !strings.Contains(breaks, "does not split orders under $50.00") {
		t.Fatalf("breaks: %q", breaks)
	}
	testapp.Screenshot(t, ctx, "allocation-split-preview")
	if n := testapp.Run(t, ctx, chromedp.Evaluate[int](groups)); n != 1 {
		t.Fatalf("the preview changed the shipments: %d", n)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(`[data-testid="allocation-confirm"]`),
		chromedp.WaitVisible(`[data-testid="allocation-message"]`),
	)
	if err != nil {
		t.Fatalf("confirm without override: %v", err)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(`[data-testid="override"]`),
		chromedp.SendKeys(`[data-testid="allocation-reason"]`, "Customer needs 4 in Harrisburg by Friday"),
		chromedp.Click(`[data-testid="allocation-confirm"]`),
		chromedp.WaitVisible(`#alerts .alert-ok`),
		chromedp.Poll[chromedp.Void](groups+` === 2`),
		chromedp.WaitVisible(`#allocation [data-testid="cell-1-HBG"]`),
	)
	if err != nil {
		testapp.Screenshot(t, ctx, "allocation-split-failed")
		t.Fatalf("confirm split: %v", err)
	}
	if v := testapp.Run(t, ctx, chromedp.Evaluate[string](`document.querySelector('[data-testid="cell-1-HBG"]').value`)); v != "4" {
		t.Fatalf("HBG after the split: %q", v)
	}
	plans := testapp.Run(t, ctx, chromedp.Text(`[data-testid="sourcing-trace"]`))
	if !strings.Contains(plans, "Changed by hand by ops@demo.test") || !strings.Contains(plans, "Reason: Customer needs 4 in Harrisburg by Friday") {
		t.Fatalf("the sourcing panel does not explain the manual split: %q", plans)
	}
	testapp.Screenshot(t, ctx, "allocation-split-done")

	// Consolidate back into Dallas with the quick fill. The split's notice
	// goes first, so that the consolidation's is the one waited for.
	testapp.Run(t, ctx, chromedp.Evaluate[bool](`document.querySelector('#alerts').replaceChildren(); true`))
	err = chromedp.Do(ctx,
		chromedp.SetValue(`[data-testid="quick-from"]`, "all"),
		chromedp.SetValue(`[data-testid="quick-to"]`, "DAL"),
		chromedp.Click(`[data-testid="quick-fill"]`),
		chromedp.WaitVisible(`[data-testid="allocation-preview-result"]`),
	)
	if err != nil {
		t.Fatalf("preview consolidation: %v", err)
	}
	if got := strings.Join(strings.Fields(testapp.Run(t, ctx, chromedp.Text(`[data-testid="preview-shipments"]`))), " "); got != "2 → 1" {
		t.Fatalf("preview says shipments %q", got)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(`[data-testid="allocation-confirm"]`),
		chromedp.WaitVisible(`#alerts .alert-ok`),
		chromedp.Poll[chromedp.Void](groups+` === 1`),
		chromedp.WaitVisible(`#allocation [data-testid="cell-1-DAL"]`),
	)
	if err != nil {
		t.Fatalf("confirm consolidation: %v", err)
	}
	if v := testapp.Run(t, ctx, chromedp.Evaluate[string](`document.querySelector('[data-testid="cell-1-DAL"]').value`)); v != "10" {
		t.Fatalf("DAL after consolidating: %q", v)
	}
	testapp.Screenshot(t, ctx, "allocation-consolidated")
}
