package e2e

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/oms/oms/internal/entrytest"
	"github.com/oms/oms/internal/testapp"
	"github.com/oms/oms/web"
)

// typeKeys sends keys to whatever has focus, as a person typing.
func typeKeys(tb testing.TB, ctx context.Context, keys string) {
	tb.Helper()
	if err := chromedp.Do(ctx, chromedp.KeyEvent(keys)); err != nil {
		tb.Fatal(err)
	}
}

// waitFor polls a JavaScript condition until it holds.
func waitFor(tb testing.TB, ctx context.Context, cond, what string) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](cond))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s (%s): %v", what, cond, err)
		}
		time.Sleep(30 * time.Millisecond)
	}
}

func focused(tb testing.TB, ctx context.Context) string {
	tb.Helper()
	return testapp.Run(tb, ctx, chromedp.Evaluate[string](`document.activeElement ? document.activeElement.id : ""`))
}

// TestKeyPhoneOrder keys a phone order with the keyboard only: customer by
// typeahead, a ship-to, three lines (one by the customer's part number),
// a case-pack correction with the round-up key, Ctrl+Enter to submit.
func TestKeyPhoneOrder(t *testing.T) {
	a := testapp.New(t, web.Config{}, entrytest.Seed(t))
	base := a.Serve(t)
	ctx := testapp.Browser(t)
	if err := chromedp.Do(ctx, testapp.SignInActions(base, "sales@demo.test"),
		chromedp.Navigate(base+"/orders/new"), chromedp.WaitVisible(`#customer-q`)); err != nil {
		t.Fatal(err)
	}
	if f := focused(t, ctx); f != "customer-q" {
		t.Fatalf("focus starts on %q", f)
	}

	// Customer by phone digits, picked with Enter.
	typeKeys(t, ctx, "555-0142")
	waitFor(t, ctx, `document.querySelectorAll('#customer-options [role=option]').length > 0`, "customer options")
	typeKeys(t, ctx, "\r")
	waitFor(t, ctx, `document.activeElement && document.activeElement.id === 'po_number'`, "focus on the PO after the customer")
	if got := testapp.Run(t, ctx, chromedp.Text(`[data-testid="customer-card"] h2`)); got != "Acme Mechanical" {
		t.Fatalf("customer card %q", got)
	}
	typeKeys(t, ctx, "PO-PHONE-1")

	// Ship-to: Enter moves on through the fields to the ship-to picker,
	// where the arrow key picks the jobsite.
	for i := 0; focused(t, ctx) != "ship_to_code"; i++ {
		if i > 6 {
			t.Fatalf("Enter does not reach the ship-to; focus on %q", focused(t, ctx))
		}
		typeKeys(t, ctx, "\r")
	}
	typeKeys(t, ctx, kb.ArrowDown)
	waitFor(t, ctx, `document.querySelector('[data-testid="ship-to-address"]') && document.querySelector('[data-testid="ship-to-address"]').textContent.includes('Harrisburg')`, "jobsite address")
	waitFor(t, ctx, `document.activeElement && document.activeElement.id === 'ship_to_code'`, "focus kept on the ship-to")
	typeKeys(t, ctx, "\t")
	if f := focused(t, ctx); f != "sku-0" {
		t.Fatalf("after the ship-to, focus on %q", f)
	}

	// Line 1: the customer's own part number; 30 is not a case of 25, so
	// the round-up key makes it 50.
	typeKeys(t, ctx, strings.ToLower(entrytest.BuyerPart))
	waitFor(t, ctx, `document.querySelectorAll('#sku-opts-0 [role=option]').length > 0`, "item options for the part number")
	typeKeys(t, ctx, "\r")
	waitFor(t, ctx, `document.activeElement && document.activeElement.id === 'qty-0'`, "focus on quantity")
	typeKeys(t, ctx, "30")
	hint := testapp.Run(t, ctx, chromedp.Text(`#line-body tr:nth-child(1) .line-hint`))
	if !strings.Contains(hint, "Round up to 50") {
		t.Fatalf("pack hint %q", hint)
	}
	typeKeys(t, ctx, "+")
	if q := testapp.Run(t, ctx, chromedp.Evaluate[string](`document.getElementById('qty-0').value`)); q != "50" {
		t.Fatalf("rounded quantity %q", q)
	}
	typeKeys(t, ctx, "\r") // Enter on the last line adds a line

	// Line 2: by description words.
	waitFor(t, ctx, `document.activeElement && document.activeElement.id === 'sku-1'`, "a new line")
	typeKeys(t, ctx, "thhn 12")
	waitFor(t, ctx, `document.querySelectorAll('#sku-opts-1 [role=option]').length > 0`, "item options for words")
	typeKeys(t, ctx, "\r")
	waitFor(t, ctx, `document.activeElement && document.activeElement.id === 'qty-1'`, "focus on quantity 2")
	typeKeys(t, ctx, "4\r")

	// Line 3: by SKU, typed whole and taken with Enter at once.
	waitFor(t, ctx, `document.activeElement && document.activeElement.id === 'sku-2'`, "a third line")
	typeKeys(t, ctx, entrytest.SKULiner+"\r")
	waitFor(t, ctx, `document.activeElement && document.activeElement.id === 'qty-2'`, "focus on quantity 3")
	typeKeys(t, ctx, "8")
	stock := testapp.Run(t, ctx, chromedp.Text(`#line-body tr:nth-child(2) .c-stock`))
	if !strings.HasPrefix(strings.TrimSpace(stock), "HBG") {
		t.Fatalf("stock for a Harrisburg ship-to does not start with HBG: %q", stock)
	}
	// 50 x $10.50 + 4 x $89.00 + 8 x $30.00
	waitFor(t, ctx, `document.getElementById('total-amount').textContent === '$1,121.00'`, "order total $1,121.00")
	waitFor(t, ctx, `document.getElementById('save-status').textContent.includes('Draft saved')`, "the autosave")
	if dir := os.Getenv("OMS_SCREENSHOTS"); dir != "" {
		os.MkdirAll(dir, 0o755)
	}
	testapp.Screenshot(t, ctx, "entry-mid-order")

	if err := chromedp.Do(ctx, chromedp.KeyEvent("\r", chromedp.KeyModifiers(chromedp.ModifierCtrl))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, `location.pathname.startsWith('/orders/SO-')`, "the order page")
	path := testapp.Run(t, ctx, chromedp.Evaluate[string](`location.pathname`))
	if path != "/orders/SO-100001" {
		t.Fatalf("landed on %q", path)
	}
	var lines, drafts int
	a.DB.View(t.Context(), func(tx *sql.Tx) error {
		tx.QueryRow(`SELECT count(*) FROM order_lines`).Scan(&lines)
		return tx.QueryRow(`SELECT count(*) FROM order_drafts`).Scan(&drafts)
	})
	if lines != 3 || drafts != 0 {
		t.Fatalf("%d lines, %d drafts after submit", lines, drafts)
	}
}

// TestImportReport uploads a mixed file and waits for the report while the
// page polls.
func TestImportReport(t *testing.T) {
	a := testapp.New(t, web.Config{}, entrytest.Seed(t))
	base := a.Serve(t)
	ctx := testapp.Browser(t)
	var b strings.Builder
	b.WriteString("customer_account,po_number,ship_to_code,ship_name,ship_line1,ship_line2,ship_city,ship_region,ship_postal_code,ship_country,requested_date,ship_method,ship_complete,sku,quantity,unit_price\n")
	for i := 0; i < 40; i++ {
		b.WriteString("C100,PO-" + string(rune('A'+i%26)) + strings.Repeat("X", i/26) + ",MAIN,,,,,,,,,GROUND,no,ELC-2002,1,\n")
	}
	b.WriteString("C200,PO-HOLD,MAIN,,,,,,,,,,,ELC-2002,1,\n")
	b.WriteString("C100,PO-BAD,MAIN,,,,,,,,,,,FST-1001,30,\n")
	b.WriteString(`C100,PO-BAD2,MAIN,,,,,,,,,,,"<b>bold</b>",1,` + "\n")
	b.WriteString("C100,PO-BAD3,,,1 Main St,,Dallas,TX,75201,US,,,,ELC-2002,x,\n")
	file := filepath.Join(t.TempDir(), "orders.csv")
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, testapp.SignInActions(base, "ops@demo.test"),
		chromedp.Navigate(base+"/orders/import"), chromedp.WaitVisible(`input[type=file]`),
		chromedp.SetUploadFiles(`input[type=file]`, []string{file}),
		chromedp.Click(`[data-testid="import-form"] button[type=submit]`),
		chromedp.WaitVisible(`[data-testid="import-report"]`)); err != nil {
		t.Fatal(err)
	}
	progress := testapp.Run(t, ctx, chromedp.Text(`[data-testid="progress-text"]`))
	if !strings.Contains(progress, "44 of 44 orders") {
		t.Fatalf("progress %q", progress)
	}
	report := testapp.Run(t, ctx, chromedp.Text(`[data-testid="import-report"]`))
	for _, want := range []string{"Credit hold", "multiple of 25", "<B>BOLD</B> is not a known SKU", `"x" is not a whole number`} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if dir := os.Getenv("OMS_SCREENSHOTS"); dir != "" {
		os.MkdirAll(dir, 0o755)
	}
	testapp.Screenshot(t, ctx, "import-report")
}
