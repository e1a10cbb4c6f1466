package e2e

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/oms/oms/internal/entrytest"
	"github.com/oms/oms/internal/testapp"
	"github.com/oms/oms/web"
)

// pickAcme picks the fixture's customer by typeahead and waits for its card.
func pickAcme(tb testing.TB, ctx context.Context) {
	tb.Helper()
	typeKeys(tb, ctx, "acme")
	waitFor(tb, ctx, `document.querySelectorAll('#customer-options [role=option]').length > 0`, "customer options")
	typeKeys(tb, ctx, "\r")
	waitFor(tb, ctx, `(document.querySelector('[data-testid="customer-card"] h2') || {}).textContent === 'Acme Mechanical'`, "the customer's card")
}

// TestUnresolvedSKUKeepsTheFocus keys an ambiguous and an unknown SKU with
// Enter and types the quantity at once, as a rep does: the lookup answers
// after the rep has moved on, and must not take the focus back to the SKU
// (the quantity would land in it: "hex bolt10"). The SKU says what is
// wrong; going back to it offers the choices.
func TestUnresolvedSKUKeepsTheFocus(t *testing.T) {
	a := testapp.New(t, web.Config{}, entrytest.Seed(t))
	base := behindLatency(t, a.Serve(t), 150*time.Millisecond)
	ctx := newOrderScreen(t, base)
	pickAcme(t, ctx)
	if err := chromedp.Do(ctx, chromedp.Focus(`#sku-0`)); err != nil {
		t.Fatal(err)
	}
	typeKeys(t, ctx, "hex bolt\r")
	waitFor(t, ctx, `document.activeElement.id === 'qty-0'`, "focus on the quantity")
	// Half the quantity before the answer, half after it.
	typeKeys(t, ctx, "1")
	waitFor(t, ctx, `!!document.querySelector('#line-body tr .c-sku .fielderror')`, "the SKU's problem")
	typeKeys(t, ctx, "0")
	got := testapp.Run(t, ctx, chromedp.Evaluate[string](`[document.getElementById('sku-0').value, document.getElementById('qty-0').value, document.activeElement.id, document.querySelector('#line-body tr .c-sku .fielderror').textContent].join('|')`))
	if want := "hex bolt|10|qty-0|"; !strings.HasPrefix(got, want) || !strings.Contains(got, "items match") {
		t.Fatalf("SKU|qty|focus|problem = %q, want prefix %q and the matches named", got, want)
	}
	testapp.Screenshot(t, ctx, "entry-ambiguous-sku")

	// Back to the SKU: the choices open; Enter takes the highlighted one.
	if err := chromedp.Do(ctx, chromedp.KeyEvent("\t", chromedp.KeyModifiers(chromedp.ModifierShift))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, `document.activeElement.id === 'sku-0' && document.getElementById('sku-0').getAttribute('aria-expanded') === 'true'`, "the choices open on the SKU")
	typeKeys(t, ctx, "\r")
	waitFor(t, ctx, `document.querySelector('#line-body tr').dataset.sku === '`+entrytest.SKUBolt+`'`, "the picked item")
	if q := testapp.Run(t, ctx, chromedp.Evaluate[string](`document.getElementById('qty-0').value`)); q != "10" {
		t.Fatalf("quantity %q after picking, want 10 kept", q)
	}

	// An unknown SKU on the next line: the same, with "No item".
	typeKeys(t, ctx, "\t\t\r")
	waitFor(t, ctx, `document.activeElement.id === 'sku-1'`, "a new line")
	typeKeys(t, ctx, "zzzz\r5")
	waitFor(t, ctx, `!!document.querySelector('#line-body tr:nth-child(2) .c-sku .fielderror')`, "the unknown SKU's problem")
	typeKeys(t, ctx, "0")
	got = testapp.Run(t, ctx, chromedp.Evaluate[string](`[document.getElementById('sku-1').value, document.getElementById('qty-1').value, document.activeElement.id].join('|')`))
	if got != "zzzz|50|qty-1" {
		t.Fatalf("SKU|qty|focus = %q, want zzzz|50|qty-1", got)
	}
}

// TestFailedSubmitsKeepOneDraft submits an order with a problem three
// times, correcting something between, by key and by the button, on a
// slow network: the order stays one draft.
func TestFailedSubmitsKeepOneDraft(t *testing.T) {
	a := testapp.New(t, web.Config{}, entrytest.Seed(t))
	base := behindLatency(t, a.Serve(t), 150*time.Millisecond)
	ctx := newOrderScreen(t, base)
	pickAcme(t, ctx)
	if err := chromedp.Do(ctx, chromedp.Focus(`#sku-0`)); err != nil {
		t.Fatal(err)
	}
	typeKeys(t, ctx, strings.ToLower(entrytest.SKUBolt)+"\r")
	waitFor(t, ctx, `document.querySelector('#line-body tr').dataset.sku !== ''`, "the line's item")
	ctrlEnter := chromedp.KeyEvent("\r", chromedp.KeyModifiers(chromedp.ModifierCtrl))
	for i, qty := range []string{"7", "9", "11"} {
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById('qty-0').focus(); document.getElementById('qty-0').select()`)); err != nil {
			t.Fatal(err)
		}
		typeKeys(t, ctx, qty)
		submit := ctrlEnter
		if i == 1 {
			submit = chromedp.Click(`button.submit`)
		}
		if err := chromedp.Do(ctx, submit); err != nil {
			t.Fatal(err)
		}
		waitFor(t, ctx, `!!document.querySelector('[data-testid="entry-error"]') && !document.getElementById('entry-form').classList.contains('htmx-request')`, "the problems after submit "+string(rune('1'+i)))
	}
	// Let the autosave after the last answer land.
	waitFor(t, ctx, `!document.getElementById('entry-autosave').classList.contains('htmx-request') && /saved/i.test(document.getElementById('save-status') ? document.getElementById('save-status').textContent : 'saved')`, "the autosave")
	var drafts int
	if err := a.DB.View(t.Context(), func(tx *sql.Tx) error {
		return tx.QueryRow(`SELECT count(*) FROM order_drafts`).Scan(&drafts)
	}); err != nil {
		t.Fatal(err)
	}
	if drafts != 1 {
		t.Fatalf("%d drafts after three failed submits, want 1", drafts)
	}
}
