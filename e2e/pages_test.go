package e2e

import (
	_ "embed"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/oms/oms/internal/fixtures"
	"github.com/oms/oms/internal/testapp"
	"github.com/oms/oms/store"
	"github.com/oms/oms/web"
)

// axeSource is axe-core from the npm registry (MPL-2.0, licence beside it).
// Tests inject it into the page they check; served pages never carry it.
//
//go:embed testdata/axe-core-4.14.1.min.js
var axeSource string

// axeViolations runs axe-core on the page and returns its serious and
// critical violations, one line each with up to three of their elements.
const axeViolations = `axe.run(document, {resultTypes: ['violations']}).then(r => r.violations
	.filter(v => v.impact === 'serious' || v.impact === 'critical')
	.map(v => v.impact + ' ' + v.id + ': ' + v.help + ' [' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ') + ']'))`

// settled holds once the page has loaded and htmx has nothing on its way.
const settled = `document.readyState === 'complete' && !!document.querySelector('main') && !document.querySelector('.htmx-request')`

// TestEveryPageAt1440 and TestEveryPageAt390 open every screen as an
// administrator (who may use them all), and the sign-in page, at a desktop
// width and a phone's: no page scrolls sideways at 390 px (wide tables
// scroll inside their card), and axe-core finds no serious or critical
// accessibility violation. With OMS_SCREENSHOTS set they keep a screenshot
// of each for a person to look at.
func TestEveryPageAt1440(t *testing.T) { everyPage(t, 1440) }

// TestEveryPageAt390 is TestEveryPageAt1440 on a phone.
func TestEveryPageAt390(t *testing.T) { everyPage(t, 390) }

func everyPage(t *testing.T, width int64) {
	var s fixtures.Standard
	a := testapp.New(t, web.Config{}, func(db *store.DB) { s = fixtures.New(t, db).Standard() })
	base := a.Serve(t)
	// Twenty-six pages, each checked by axe-core: more than the usual 90
	// seconds on a loaded 2-core machine under -race.
	ctx := testapp.BrowserFor(t, 8*time.Minute)
	pages := []struct{ name, path string }{
		{"home", "/"},
		{"orders", "/orders"},
		{"orders-filtered", "/orders?status=backordered"},
		{"orders-search", "/orders?q=" + url.QueryEscape(s.AcmeAccount)},
		{"order", "/orders/" + s.PartlyShipped},
		{"order-ltl", "/orders/" + s.LTL},
		{"order-hold", "/orders/" + s.OnHold},
		{"order-big", "/orders/" + s.Big},
		{"customer", "/customers/" + s.AcmeAccount},
		{"inventory", "/inventory?q=SKU"},
		{"item", "/inventory/items/" + s.SKU + "?zip=75201"},
		{"short", "/inventory/short?location=DAL"},
		{"sourcing", "/sourcing"},
		{"rule-new", "/sourcing/rules/new"},
		{"simulator", "/sourcing/simulate?mode=order&order=" + s.PartlyShipped},
		{"entry", "/orders/new"},
		{"import", "/orders/import"},
		{"users", "/admin/users"},
		{"tokens", "/admin/tokens"},
		{"settings", "/admin/settings"},
		{"exceptions", "/exceptions"},
		{"backorders", "/backorders"},
		{"integrations", "/integrations"},
		{"edi", "/integrations/edi"},
		{"notifications", "/notifications"},
	}
	check := func(t *testing.T, name string) {
		t.Helper()
		waitFor(t, ctx, settled, name+" settled")
		if width == 390 {
			sw := testapp.Run(t, ctx, chromedp.Evaluate[int64](`document.documentElement.scrollWidth`))
			if sw > width {
				wide := testapp.Run(t, ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > innerWidth + 1 && !e.parentElement.closest('table')).slice(0, 4).map(e => e.tagName.toLowerCase() + '.' + e.className).join(', ')`))
				t.Errorf("%s at %d px: the page is %d px wide (%s)", name, width, sw, wide)
			}
		}
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](axeSource)); err != nil {
			t.Fatalf("%s: inject axe-core: %v", name, err)
		}
		for _, v := range testapp.Run(t, ctx, chromedp.Evaluate[[]string](axeViolations, chromedp.EvalAwaitPromise)) {
			t.Errorf("%s at %d px: %s", name, width, v)
		}
		testapp.Screenshot(t, ctx, fmt.Sprintf("page-%s-%d", name, width))
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 900), chromedp.Navigate(base+"/login"), chromedp.WaitVisible(`input[name=email]`)); err != nil {
		t.Fatal(err)
	}
	check(t, "login")
	if err := chromedp.Do(ctx, testapp.SignInActions(base, "admin@demo.test")); err != nil {
		t.Fatal(err)
	}
	for _, p := range pages {
		if err := chromedp.Do(ctx, chromedp.Navigate(base+p.path)); err != nil {
			t.Fatalf("%s: %v", p.name, err)
		}
		if n := testapp.Run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="error-page"]').length`)); n != 0 {
			t.Fatalf("%s: error page", p.name)
		}
		check(t, p.name)
	}
}
