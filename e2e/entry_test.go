package e2e

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
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

// newOrderScreen signs in as inside sales in a new browser and opens a
// fresh order entry screen at base.
func newOrderScreen(tb testing.TB, base string) context.Context {
	tb.Helper()
	ctx := testapp.Browser(tb)
	if err := chromedp.Do(ctx, testapp.SignInActions(base, "sales@demo.test"),
		chromedp.Navigate(base+"/orders/new"), chromedp.WaitVisible(`#customer-q`)); err != nil {
		tb.Fatal(err)
	}
	return ctx
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
	ctx := newOrderScreen(t, base)
	if f := focused(t, ctx); f != "customer-q" {
		t.Fatalf("focus starts on %q", f)
	}

	// Customer by phone digits, picked with Enter.
	typeKeys(t, ctx, "555-0142")
	waitFor(t, ctx, `document.querySelectorAll('#customer-options [role=option]').length > 0`, "customer options")
	typeKeys(t, ctx, "\r")
	waitFor(t, ctx, `document.activeElement && document.activeElement.id === 'po_number'`, "focus on the PO after the customer")
	waitFor(t, ctx, `(document.querySelector('[data-testid="customer-card"] h2') || {}).textContent === 'Acme Mechanical'`, "the customer's card")
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

// keyboard types into the focused element as a person does, and counts
// the keystrokes.
type keyboard struct {
	tb      testing.TB
	ctx     context.Context
	strokes int
}

func (k *keyboard) keys(s string) {
	k.tb.Helper()
	typeKeys(k.tb, k.ctx, s)
	k.strokes += utf8.RuneCountInString(s)
}

// ctrlEnter presses Ctrl+Enter, one keystroke.
func (k *keyboard) ctrlEnter() {
	k.tb.Helper()
	if err := chromedp.Do(k.ctx, chromedp.KeyEvent("\r", chromedp.KeyModifiers(chromedp.ModifierCtrl))); err != nil {
		k.tb.Fatal(err)
	}
	k.strokes++
}

// behindLatency serves base through a proxy that holds each request for
// d, as a network between the rep and the server does, and returns the
// proxy's base URL.
func behindLatency(tb testing.TB, base string, d time.Duration) string {
	tb.Helper()
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(d)
		proxy.ServeHTTP(w, r)
	}))
	tb.Cleanup(srv.Close)
	return srv.URL
}

// dateKeys is the layout (for time.Format) of the digits a person types
// into a date box: month, day and year in the browser's locale's order.
func dateKeys(tb testing.TB, ctx context.Context) string {
	tb.Helper()
	order := testapp.Run(tb, ctx, chromedp.Evaluate[string](`new Intl.DateTimeFormat(navigator.language).formatToParts(new Date(2006, 0, 2))
		.filter(p => p.type !== 'literal').map(p => p.type).join(',')`))
	digits := map[string]string{"month": "01", "day": "02", "year": "2006"}
	var layout strings.Builder
	for _, part := range strings.Split(order, ",") {
		layout.WriteString(digits[part])
	}
	if layout.Len() != 8 {
		tb.Fatalf("date parts %q", order)
	}
	return layout.String()
}

// TestKeyFiveLinePhoneOrder is the test: a rep who is new to the
// screen keys a five-line phone order from a fresh /orders/new without the
// mouse, over a network with 100 ms of latency. The rep waits only where a
// person looks at the screen (the typeahead's choices before picking one,
// the ship-to's address); everything else is typed straight on, so keys
// arrive while answers are on their way. It logs the keystrokes and the
// wall time; the time is not asserted, since it says more about the
// machine than the screen.
func TestKeyFiveLinePhoneOrder(t *testing.T) {
	a := testapp.New(t, web.Config{}, entrytest.Seed(t))
	base := behindLatency(t, a.Serve(t), 100*time.Millisecond)
	ctx := newOrderScreen(t, base)
	k := &keyboard{tb: t, ctx: ctx}
	options := func(list string) {
		t.Helper()
		waitFor(t, ctx, `document.querySelectorAll('#`+list+` [role=option]').length > 0`, "choices in "+list)
	}
	start := time.Now()

	// Customer by name, picked with Enter; the PO is typed straight after.
	k.keys("acme")
	options("customer-options")
	k.keys("\r")
	k.keys("PO-5LINE")
	// The rep glances at the customer's card (credit) before going on.
	waitFor(t, ctx, `(document.querySelector('[data-testid="customer-card"] h2') || {}).textContent === 'Acme Mechanical'`, "the customer's card")

	// Tab, as a new user would, to the requested date, typed as digits
	// (the date moves through month, day and year by itself), and on to the
	// ship-to; the arrow key picks the jobsite, and the rep looks at the
	// address before going on.
	requested := time.Now().AddDate(0, 0, 14)
	k.keys("\t")
	if f := focused(t, ctx); f != "requested_date" {
		t.Fatalf("Tab from the PO goes to %q", f)
	}
	k.keys(requested.Format(dateKeys(t, ctx)))
	tabs := 0
	for ; focused(t, ctx) != "ship_to_code"; tabs++ {
		if tabs > 8 {
			t.Fatalf("Tab does not reach the ship-to; focus on %q", focused(t, ctx))
		}
		k.keys("\t")
	}
	k.keys(kb.ArrowDown)
	waitFor(t, ctx, `(document.querySelector('[data-testid="ship-to-address"]') || {}).textContent.includes('Harrisburg')`, "jobsite address")
	k.keys("\t")

	// Line 1: the customer's own part number; 60 is not a case of 25, the
	// round-up key makes it 75.
	k.keys(strings.ToLower(entrytest.BuyerPart))
	options("sku-opts-0")
	k.keys("\r")
	k.keys("60+\r")
	// Line 2: description words.
	k.keys("thhn 12")
	options("sku-opts-1")
	k.keys("\r6\r")
	// Line 3: the SKU typed whole and taken with Enter at once.
	k.keys(strings.ToLower(entrytest.SKULiner) + "\r16\r")
	// Line 4: description words again.
	k.keys("ball valve")
	options("sku-opts-3")
	k.keys("\r12\r")
	// Line 5: a SKU prefix.
	k.keys("saf-5")
	options("sku-opts-4")
	k.keys("\r20")

	// 75 x $10.50 + 6 x $89.00 + 16 x $30.00 + 12 x $18.75 + 20 x $9.40
	waitFor(t, ctx, `document.getElementById('total-amount').textContent === '$2,214.50'`, "order total $2,214.50")
	keyed := time.Since(start)
	testapp.Screenshot(t, ctx, "entry-five-lines")
	k.ctrlEnter()
	waitFor(t, ctx, `location.pathname.startsWith('/orders/SO-') || document.querySelector('[data-testid="entry-error"]') !== null`, "the order page")
	if msg := testapp.Run(t, ctx, chromedp.Evaluate[string](`(document.querySelector('[data-testid="entry-error"]') || {}).textContent || ''`)); msg != "" {
		t.Fatalf("the order came back with problems: %s", strings.Join(strings.Fields(msg), " "))
	}
	t.Logf("five-line phone order: %d keystrokes (%d of them Tabs from the date to the ship-to), %s from the first key to the order page (%s to the total), 100 ms latency",
		k.strokes, tabs, time.Since(start).Round(10*time.Millisecond), keyed.Round(10*time.Millisecond))

	if path := testapp.Run(t, ctx, chromedp.Evaluate[string](`location.pathname`)); path != "/orders/SO-100001" {
		t.Fatalf("landed on %q", path)
	}
	waitFor(t, ctx, `document.querySelectorAll('[data-testid="order-line"]').length === 5`, "five lines on the order page")
	var got []string
	err := a.DB.View(t.Context(), func(tx *sql.Tx) error {
		rows, err := tx.Query(`SELECT i.sku, l.quantity FROM order_lines l JOIN items i ON i.id = l.item_id ORDER BY l.line_no`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var sku string
			var qty int64
			if err := rows.Scan(&sku, &qty); err != nil {
				return err
			}
			got = append(got, fmt.Sprintf("%s x %d", sku, qty))
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{entrytest.SKUBolt + " x 75", entrytest.SKUWire + " x 6", entrytest.SKULiner + " x 16", entrytest.SKUValve + " x 12", entrytest.SKUGloves + " x 20"}
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Fatalf("order lines %v, want %v", got, want)
	}
	var po, date, shipTo string
	a.DB.View(t.Context(), func(tx *sql.Tx) error {
		return tx.QueryRow(`SELECT customer_po, requested_date, ship_city FROM orders`).Scan(&po, &date, &shipTo)
	})
	if po != "PO-5LINE" || date != requested.Format("2006-01-02") || shipTo != "Harrisburg" {
		t.Fatalf("PO %q, requested %q, ship-to city %q", po, date, shipTo)
	}
}

// TestTypeaheadTakesWhatWasTyped types on past the choices shown and
// presses Enter before the typeahead has answered the new text: Enter takes
// what is in the box, never a choice left over from the first letters.
func TestTypeaheadTakesWhatWasTyped(t *testing.T) {
	a := testapp.New(t, web.Config{}, entrytest.Seed(t))
	base := behindLatency(t, a.Serve(t), 100*time.Millisecond)
	ctx := newOrderScreen(t, base)
	// "pio" offers Pioneer Plumbing; the rep types on to Lone Star's
	// account and Enter at once.
	typeKeys(t, ctx, "pio")
	waitFor(t, ctx, `document.querySelector('#customer-options [aria-selected=true]') !== null`, "a highlighted customer")
	typeKeys(t, ctx, "\b\b\b"+entrytest.Account+"\r")
	waitFor(t, ctx, `document.getElementById('customer_account').value !== ''`, "a customer picked")
	if got := testapp.Run(t, ctx, chromedp.Evaluate[string](`document.getElementById('customer_account').value`)); got != entrytest.Account {
		t.Fatalf("picked %q, want %s", got, entrytest.Account)
	}
	waitFor(t, ctx, `(document.querySelector('[data-testid="customer-card"] h2') || {}).textContent === 'Acme Mechanical'`, "the customer's card")

	// "fst" offers FST-1001 first; the rep types on to FST-1999.
	for i := 0; focused(t, ctx) != "sku-0"; i++ {
		if i > 8 {
			t.Fatalf("Tab does not reach the first line; focus on %q", focused(t, ctx))
		}
		typeKeys(t, ctx, "\t")
	}
	typeKeys(t, ctx, "fst")
	waitFor(t, ctx, `(document.querySelector('#sku-opts-0 [aria-selected=true]') || {dataset: {}}).dataset.sku === 'FST-1001'`, "FST-1001 highlighted")
	typeKeys(t, ctx, "-1999\r25")
	waitFor(t, ctx, `document.querySelector('#line-body tr').dataset.sku !== ''`, "the line's item")
	if got := testapp.Run(t, ctx, chromedp.Evaluate[string](`document.querySelector('#line-body tr').dataset.sku`)); got != entrytest.SKUGone {
		t.Fatalf("line took %q, want %s", got, entrytest.SKUGone)
	}
	if got := testapp.Run(t, ctx, chromedp.Evaluate[string](`document.getElementById('qty-0').value`)); got != "25" {
		t.Fatalf("quantity %q, want 25", got)
	}

	// Two more lines keyed in one go, SKUs whole: each Enter asks for its
	// SKU while the one before is still on its way.
	typeKeys(t, ctx, "\r"+strings.ToLower(entrytest.SKULiner)+"\r16\r"+strings.ToLower(entrytest.SKUValve)+"\r12")
	lines := `Array.from(document.querySelectorAll('#line-body tr')).map(r => r.dataset.sku + ' x ' + r.querySelector('.qty').value).join(', ')`
	want := entrytest.SKUGone + " x 25, " + entrytest.SKULiner + " x 16, " + entrytest.SKUValve + " x 12"
	waitFor(t, ctx, lines+` === '`+want+`'`, want)
}

// TestDateIsOneTabStop checks that Tab and Shift+Tab cross the requested
// date in one press each way, as any other field.
func TestDateIsOneTabStop(t *testing.T) {
	a := testapp.New(t, web.Config{}, entrytest.Seed(t))
	base := a.Serve(t)
	ctx := newOrderScreen(t, base)
	shiftTab := chromedp.KeyEvent("\t", chromedp.KeyModifiers(chromedp.ModifierShift))
	steps := []struct {
		key  chromedp.Action[chromedp.Void]
		want string
	}{
		{chromedp.KeyEvent("\t"), "po_number"},
		{chromedp.KeyEvent("\t"), "requested_date"},
		{chromedp.KeyEvent("\t"), "ship_method"},
		{shiftTab, "requested_date"},
		{shiftTab, "po_number"},
	}
	for i, s := range steps {
		if err := chromedp.Do(ctx, s.key); err != nil {
			t.Fatal(err)
		}
		if f := focused(t, ctx); f != s.want {
			t.Fatalf("step %d: focus on %q, want %q", i+1, f, s.want)
		}
	}
}

// TestDeleteDraftKeyboard deletes drafts from the drafts panel with the
// keyboard: Tab to a draft's delete button, Enter, and the confirmation
// answered from the keyboard (Escape keeps the draft, Enter deletes it).
// Deleting another draft keeps the screen and the focus in the panel;
// deleting the draft on the screen starts a new order, also while an
// autosave of it is on its way (100 ms of latency), which must neither
// swallow the delete nor bring the draft back.
func TestDeleteDraftKeyboard(t *testing.T) {
	a := testapp.New(t, web.Config{}, entrytest.Seed(t))
	base := behindLatency(t, a.Serve(t), 100*time.Millisecond)
	ctx := testapp.Browser(t)
	var sales int64
	a.DB.View(t.Context(), func(tx *sql.Tx) error {
		return tx.QueryRow(`SELECT id FROM users WHERE email = 'sales@demo.test'`).Scan(&sales)
	})
	for _, d := range []struct {
		id      int64
		account string
		form    string
	}{
		{101, entrytest.Account, `{"customer_account":"C100","po_number":"PO-7731","ship_to_code":"JOB","lines":[{"sku":"FST-1001","qty":"50"},{"sku":"ELC-2002","qty":"4"}]}`},
		{102, entrytest.SmallCredit, `{"customer_account":"C300","po_number":"","lines":[{"sku":"PLB-4004","qty":"6"}]}`},
		{103, "", `{"customer_account":"","lines":[]}`},
	} {
		if err := a.DB.SaveDraft(t.Context(), sales, d.id, d.account, d.form); err != nil {
			t.Fatal(err)
		}
	}

	// The confirmation is the browser's own dialog; answer tells how the
	// rep answers it (Enter accepts, Escape dismisses).
	var mu sync.Mutex
	var questions []string
	answer := true
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			mu.Lock()
			questions = append(questions, ev.Message)
			accept := answer
			mu.Unlock()
			go chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				_, err := cdp.Call(ctx, tg, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: accept})
				return err
			}))
		}
	}()
	lastQuestion := func() string {
		mu.Lock()
		defer mu.Unlock()
		if len(questions) == 0 {
			return ""
		}
		return questions[len(questions)-1]
	}

	if err := chromedp.Do(ctx, testapp.SignInActions(base, "sales@demo.test"),
		chromedp.Navigate(base+"/orders/new?draft=101"), chromedp.WaitVisible(`#draft-delete-102`)); err != nil {
		t.Fatal(err)
	}
	testapp.Screenshot(t, ctx, "entry-drafts-panel")
	k := &keyboard{tb: t, ctx: ctx}
	for i := 0; focused(t, ctx) != "draft-delete-102"; i++ {
		if i > 30 {
			t.Fatalf("Tab does not reach the delete button; focus on %q", focused(t, ctx))
		}
		k.keys("\t")
	}
	t.Logf("%d Tab presses from the last line to the second draft's delete button", k.strokes)
	drafts := func() int {
		var n int
		a.DB.View(t.Context(), func(tx *sql.Tx) error { return tx.QueryRow(`SELECT count(*) FROM order_drafts`).Scan(&n) })
		return n
	}

	// Escape at the confirmation keeps the draft.
	mu.Lock()
	answer = false
	mu.Unlock()
	k.keys("\r")
	for deadline := time.Now().Add(5 * time.Second); lastQuestion() == "" && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	if q := lastQuestion(); !strings.Contains(q, "Pioneer Plumbing") {
		t.Fatalf("confirmation %q does not name the draft", q)
	}
	if n := drafts(); n != 3 {
		t.Fatalf("%d drafts after dismissing the confirmation", n)
	}

	// Enter deletes it: the row goes, the focus stays in the panel.
	mu.Lock()
	answer = true
	mu.Unlock()
	// The button that takes the row's place: the next row's, or the last.
	next := testapp.Run(t, ctx, chromedp.Evaluate[string](`(() => {
		const li = document.getElementById('draft-delete-102').closest('li');
		const to = li.nextElementSibling || li.previousElementSibling;
		return to.querySelector('.draft-del').id;
	})()`))
	k.keys("\r")
	waitFor(t, ctx, `!document.getElementById('draft-delete-102')`, "the row gone")
	waitFor(t, ctx, `document.activeElement && document.activeElement.id === '`+next+`'`, "focus on the delete button in the row's place")
	if got := testapp.Run(t, ctx, chromedp.Text(`[data-testid="drafts-notice"]`)); got != "Draft deleted." {
		t.Fatalf("notice %q", got)
	}
	if n := drafts(); n != 2 {
		t.Fatalf("%d drafts after deleting one", n)
	}
	testapp.Screenshot(t, ctx, "entry-drafts-deleted")
	if v := testapp.Run(t, ctx, chromedp.Evaluate[string](`document.getElementById('po_number').value`)); v != "PO-7731" {
		t.Fatalf("the order on the screen changed: PO %q", v)
	}

	// The draft on the screen (Shift+Tab to its button if the focus is not
	// there yet): deleting it, with an autosave on its way, starts a new
	// order.
	for i := 0; focused(t, ctx) != "draft-delete-101"; i++ {
		if i > 4 {
			t.Fatalf("Shift+Tab does not reach the current draft's button; focus on %q", focused(t, ctx))
		}
		if err := chromedp.Do(ctx, chromedp.KeyEvent("\t", chromedp.KeyModifiers(chromedp.ModifierShift))); err != nil {
			t.Fatal(err)
		}
	}
	testapp.Run(t, ctx, chromedp.Evaluate[bool](`htmx.trigger(document.getElementById('entry-autosave'), 'entry:save'); true`))
	k.keys("\r")
	waitFor(t, ctx, `document.getElementById('po_number') && document.getElementById('po_number').value === '' && document.getElementById('draft_id').value !== '101'`, "a new order")
	if q := lastQuestion(); !strings.Contains(q, "new order starts") {
		t.Fatalf("confirmation %q does not say the screen starts over", q)
	}
	if got := testapp.Run(t, ctx, chromedp.Text(`#alerts`)); !strings.Contains(got, "Draft deleted. Started a new order.") {
		t.Fatalf("alerts %q", got)
	}
	waitFor(t, ctx, `document.activeElement && document.activeElement.id === 'customer-q'`, "focus on the customer")
	if n := drafts(); n != 1 {
		t.Fatalf("%d drafts after deleting the current one, want 1", n)
	}
	testapp.Screenshot(t, ctx, "entry-after-delete")
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
	testapp.Screenshot(t, ctx, "import-report")
}

// TestSubmitWaitsForAutosave submits while an autosave is on its way and
// slow: capturing the order deletes its draft, and an autosave answered
// after that must not bring the draft back into the drafts panel.
func TestSubmitWaitsForAutosave(t *testing.T) {
	a := testapp.New(t, web.Config{}, entrytest.Seed(t))
	target, err := url.Parse(a.Serve(t))
	if err != nil {
		t.Fatal(err)
	}
	// Only draft saves are slow, so the submit would overtake them.
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/orders/drafts" {
			time.Sleep(1500 * time.Millisecond)
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	base := srv.URL
	ctx := newOrderScreen(t, base)
	typeKeys(t, ctx, "acme")
	waitFor(t, ctx, `document.querySelectorAll('#customer-options [role=option]').length > 0`, "customer options")
	typeKeys(t, ctx, "\r")
	waitFor(t, ctx, `(document.querySelector('[data-testid="customer-card"] h2') || {}).textContent === 'Acme Mechanical'`, "the customer's card")
	typeKeys(t, ctx, "PO-RACE")
	if err := chromedp.Do(ctx, chromedp.Focus(`#sku-0`)); err != nil {
		t.Fatal(err)
	}
	typeKeys(t, ctx, strings.ToLower(entrytest.SKUWire)+"\r")
	waitFor(t, ctx, `document.activeElement && document.activeElement.id === 'qty-0'`, "focus on quantity")
	typeKeys(t, ctx, "3")
	waitFor(t, ctx, `document.getElementById('entry-autosave').classList.contains('htmx-request')`, "an autosave on its way")
	if err := chromedp.Do(ctx, chromedp.KeyEvent("\r", chromedp.KeyModifiers(chromedp.ModifierCtrl))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, `location.pathname.startsWith('/orders/SO-')`, "the order page")
	// A save that overtook nothing has arrived by now; one that the submit
	// overtook arrives within the proxy's delay.
	time.Sleep(2 * time.Second)
	var drafts, orders int
	if err := a.DB.View(t.Context(), func(tx *sql.Tx) error {
		if err := tx.QueryRow(`SELECT count(*) FROM order_drafts`).Scan(&drafts); err != nil {
			return err
		}
		return tx.QueryRow(`SELECT count(*) FROM orders WHERE customer_po = 'PO-RACE'`).Scan(&orders)
	}); err != nil {
		t.Fatal(err)
	}
	if orders != 1 || drafts != 0 {
		t.Fatalf("%d orders and %d drafts after submitting: the submitted order's draft came back", orders, drafts)
	}
}
