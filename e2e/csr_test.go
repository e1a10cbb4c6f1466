package e2e

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/oms/oms/internal/fixtures"
	"github.com/oms/oms/internal/testapp"
	"github.com/oms/oms/store"
	"github.com/oms/oms/web"
)

// TestCSRAnswersWhereIsMyOrder is the call: a CSR finds the order by PO
// (live search), by tracking number (header box) and by SKU (results),
// reads the answer from the top of the page and writes a note.
func TestCSRAnswersWhereIsMyOrder(t *testing.T) {
	var s fixtures.Standard
	a := testapp.New(t, web.Config{}, func(db *store.DB) { s = fixtures.New(t, db).Standard() })
	base := a.Serve(t)
	ctx := testapp.Browser(t)
	// waitFor polls a condition; evaluation errors while the page
	// navigates (after an HX-Redirect, say) count as "not yet".
	waitFor := func(t *testing.T, js string) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for time.Now().Before(deadline) {
			if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js)); err == nil && ok {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatalf("timed out waiting for %s", js)
	}
	answerVisible := chromedp.WaitVisible(`[data-testid="status-answer"]`)
	if err := chromedp.Do(ctx, testapp.SignInActions(base, "csr@demo.test")); err != nil {
		t.Fatal(err)
	}

	t.Run("ByPO", func(t *testing.T) {
		// Typing in the search page's box searches as the CSR types; an
		// exact PO goes straight to its order.
		if err := chromedp.Do(ctx,
			chromedp.Navigate(base+"/orders"),
			chromedp.WaitVisible(`[data-testid="order-search"]`),
			chromedp.SendKeys(`[data-testid="order-search"]`, s.PartlyShippedPO),
		); err != nil {
			t.Fatal(err)
		}
		waitFor(t, `location.pathname === "/orders/`+s.PartlyShipped+`"`)
		if err := chromedp.Do(ctx, answerVisible); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("ByTracking", func(t *testing.T) {
		// The header box on every page: type and press Enter.
		if err := chromedp.Do(ctx,
			chromedp.Navigate(base+"/"),
			chromedp.WaitVisible(`#global-search`),
			chromedp.SendKeys(`#global-search`, s.ShippedTracking+"\r"),
			answerVisible,
		); err != nil {
			t.Fatal(err)
		}
		if got := testapp.Run(t, ctx, chromedp.Text(`[data-testid="order-number"]`)); got != s.Shipped {
			t.Fatalf("landed on %q, want %s", got, s.Shipped)
		}
		answer := testapp.Run(t, ctx, chromedp.Text(`[data-testid="status-answer"]`))
		if !strings.Contains(answer, "FedEx "+s.ShippedTracking) {
			t.Fatalf("answer %q", answer)
		}
	})

	t.Run("ByMisspeltCompanyName", func(t *testing.T) {
		// A letter missing from the company's name still finds the
		// customer and its orders.
		if err := chromedp.Do(ctx,
			chromedp.Navigate(base+"/orders"),
			chromedp.WaitVisible(`[data-testid="order-search"]`),
			chromedp.SendKeys(`[data-testid="order-search"]`, "Acme Industral"),
		); err != nil {
			t.Fatal(err)
		}
		waitFor(t, `location.search.includes("q=Acme") && document.querySelectorAll('[data-testid="order-row"]').length > 0`)
		customers := testapp.Run(t, ctx, chromedp.Text(`[data-testid="customer-results"]`))
		if !strings.Contains(customers, s.AcmeName) {
			t.Fatalf("customers %q", customers)
		}
		waitFor(t, `[...document.querySelectorAll('[data-testid="order-row"]')].some(r => r.textContent.includes("`+s.PartlyShipped+`"))`)
		testapp.Screenshot(t, ctx, "cs-results-misspelt-name")
	})

	t.Run("BySKU", func(t *testing.T) {
		if err := chromedp.Do(ctx,
			chromedp.Navigate(base+"/orders"),
			chromedp.WaitVisible(`[data-testid="order-search"]`),
			chromedp.SendKeys(`[data-testid="order-search"]`, "SKU-1042"),
		); err != nil {
			t.Fatal(err)
		}
		// The results update in place and the URL carries the query.
		waitFor(t, `document.querySelectorAll('[data-testid="order-row"]').length === 2 && location.search.includes("q=SKU-1042")`)
		rows := testapp.Run(t, ctx, chromedp.Text(`#results table`))
		if !strings.Contains(rows, s.PartlyShipped) || !strings.Contains(rows, s.Big) {
			t.Fatalf("rows %q", rows)
		}
		testapp.Screenshot(t, ctx, "cs-results-sku")
		// A search still on its way would replace the row under the click.
		waitFor(t, `document.querySelectorAll(".htmx-request").length === 0`)
		if err := chromedp.Do(ctx,
			chromedp.Click(`#results a[href="/orders/`+url.PathEscape(s.PartlyShipped)+`"]`),
			answerVisible,
		); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("ReadAnswerAndAddNote", func(t *testing.T) {
		answer := testapp.Run(t, ctx, chromedp.Text(`[data-testid="status-answer"]`))
		for _, want := range []string{"2 of 3 lines shipped from Dallas DC on Nov 24 via UPS " + s.PartlyShippedTracking,
			"4 units of SKU-1042 backordered, expected Dec 2 (PO 5512)"} {
			if !strings.Contains(answer, want) {
				t.Fatalf("answer %q lacks %q", answer, want)
			}
		}
		lines := testapp.Run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="order-line"]').length`))
		groups := testapp.Run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="fulfilment-group"]').length`))
		if lines != 3 || groups != 1 {
			t.Fatalf("%d lines, %d groups", lines, groups)
		}
		testapp.Screenshot(t, ctx, "cs-order")
		note := "Customer called, told them Dec 2 for the bolts <ok>"
		if err := chromedp.Do(ctx,
			chromedp.SendKeys(`[data-testid="note-text"]`, note),
			chromedp.Click(`[data-testid="note-add"]`),
		); err != nil {
			t.Fatal(err)
		}
		waitFor(t, `(function () {
			var first = document.querySelector('[data-testid="timeline-event"] .evsummary');
			return !!first && first.textContent === `+jsString(note)+` && document.querySelector('[data-testid="note-text"]').value === "";
		})()`)
		// The page did not reload: the answer is still the same element.
		if got := testapp.Run(t, ctx, chromedp.Evaluate[string](`location.pathname`)); got != "/orders/"+s.PartlyShipped {
			t.Fatalf("left the page: %s", got)
		}
		testapp.Screenshot(t, ctx, "cs-order-note")
	})

	t.Run("EmptyNoteError", func(t *testing.T) {
		if err := chromedp.Do(ctx,
			chromedp.SendKeys(`[data-testid="note-text"]`, "   "),
			chromedp.Click(`[data-testid="note-add"]`),
			chromedp.WaitVisible(`[data-testid="note-error"]`),
		); err != nil {
			t.Fatal(err)
		}
	})
}

func TestCSROpensCustomerAndBigOrder(t *testing.T) {
	var s fixtures.Standard
	a := testapp.New(t, web.Config{}, func(db *store.DB) { s = fixtures.New(t, db).Standard() })
	base := a.Serve(t)
	ctx := testapp.Browser(t)
	if err := chromedp.Do(ctx,
		testapp.SignInActions(base, "csr@demo.test"),
		chromedp.Navigate(base+"/orders/"+s.OnHold),
		chromedp.WaitVisible(`[data-testid="hold-badge"]`),
	); err != nil {
		t.Fatal(err)
	}
	testapp.Screenshot(t, ctx, "cs-order-hold")
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/orders/"+s.Big),
		chromedp.WaitVisible(`[data-testid="line-search"]`),
		chromedp.SendKeys(`[data-testid="line-search"]`, "glove"),
	); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for n := 0; n != 24; {
		if time.Now().After(deadline) {
			t.Fatalf("line search shows %d lines, want 24", n)
		}
		time.Sleep(100 * time.Millisecond)
		n = testapp.Run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="order-line"]').length`))
	}
	testapp.Screenshot(t, ctx, "cs-order-big")
	if err := chromedp.Do(ctx,
		chromedp.Click(`[data-testid="customer-link"]`),
		chromedp.WaitVisible(`[data-testid="customer-name"]`),
	); err != nil {
		t.Fatal(err)
	}
	if n := testapp.Run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="order-row"]').length`)); n != 6 {
		t.Fatalf("%d orders on the customer page", n)
	}
	testapp.Screenshot(t, ctx, "cs-customer")
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}
