package handlers_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/oms/oms/domain"
	"github.com/oms/oms/intake"

	"github.com/oms/oms/internal/entrytest"
	"github.com/oms/oms/internal/testapp"
	"github.com/oms/oms/store"
	"github.com/oms/oms/web"
)

func newEntryApp(tb testing.TB) *testapp.App {
	tb.Helper()
	return testapp.New(tb, web.Config{}, entrytest.Seed(tb))
}

func signedIn(tb testing.TB, a *testapp.App, email string) *testapp.Client {
	tb.Helper()
	c := a.Client(tb)
	c.SignIn(email)
	return c
}

func TestEntryRoles(t *testing.T) {
	a := newEntryApp(t)
	tests := []struct {
		email string
		want  int
	}{
		{"csr@demo.test", http.StatusForbidden},
		{"ops@demo.test", http.StatusForbidden},
		{"sales@demo.test", http.StatusOK},
		{"admin@demo.test", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(strings.Split(tt.email, "@")[0], func(t *testing.T) {
			c := signedIn(t, a, tt.email)
			resp, body := c.Get("/orders/new")
			if resp.StatusCode != tt.want {
				t.Fatalf("GET status %d, want %d", resp.StatusCode, tt.want)
			}
			if tt.want == http.StatusOK && testapp.Doc(t, body).Find(`[data-testid="entry-form"]`).Length() != 1 {
				t.Fatal("no entry form")
			}
			nav := testapp.Doc(t, body).Find("nav.mainnav").Text()
			if tt.want == http.StatusOK && !strings.Contains(nav, "New order") {
				t.Fatalf("nav %q has no New order", nav)
			}
			form := orderForm(entrytest.SKUBolt, "25")
			wantPost := tt.want
			if wantPost == http.StatusOK {
				wantPost = http.StatusSeeOther
			}
			resp, _ = c.PostForm("/orders/new", form)
			if resp.StatusCode != wantPost {
				t.Fatalf("POST status %d, want %d", resp.StatusCode, wantPost)
			}
			resp, _ = c.HTMX("GET", "/orders/new/items?sku=FST", nil)
			if tt.want == http.StatusForbidden && resp.StatusCode != http.StatusForbidden {
				t.Fatalf("lookup status %d, want 403", resp.StatusCode)
			}
		})
	}
}

// orderForm is a complete phone order for the fixture's customer with
// one line.
func orderForm(sku, qty string) url.Values {
	return url.Values{
		"customer_account": {entrytest.Account}, "po_number": {"PO-" + sku + "-" + qty}, "ship_to_code": {"MAIN"},
		"ship_method": {"GROUND"}, "sku": {sku, ""}, "qty": {qty, ""}, "price": {"", ""}, "reason": {"", ""},
	}
}

func TestEntryLookups(t *testing.T) {
	a := newEntryApp(t)
	c := signedIn(t, a, "sales@demo.test")
	c.Get("/orders/new")
	customers := []struct {
		name, q, want string
	}{
		{"Account", "c10", entrytest.Account},
		{"Name", "acme mech", entrytest.Account},
		{"Phone", "2145550142", entrytest.Account},
		{"PhonePunctuated", "555-0142", entrytest.Account},
		{"ContactPhone", "972 555 0188", entrytest.Account},
		{"CreditHold", "lone star", entrytest.HoldAccount},
	}
	for _, tt := range customers {
		t.Run("Customer"+tt.name, func(t *testing.T) {
			resp, body := c.HTMX("GET", "/orders/new/customers?customer_q="+url.QueryEscape(tt.q), nil)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			got, _ := testapp.Doc(t, body).Find(`[data-testid="customer-option"]`).First().Attr("data-account")
			if got != tt.want {
				t.Fatalf("first match %q, want %q\n%s", got, tt.want, body)
			}
		})
	}
	t.Run("CustomerNone", func(t *testing.T) {
		_, body := c.HTMX("GET", "/orders/new/customers?customer_q=zzzz", nil)
		if !strings.Contains(body, "No customer matches") {
			t.Fatal(body)
		}
	})
	items := []struct {
		name, q, postal, want, price, nearest string
	}{
		{"SKUPrefix", "fst-10", "75202", entrytest.SKUBolt, "$10.50", "DAL"},
		{"Description", "liner clear", "75202", entrytest.SKULiner, "$30.00", "DAL"},
		{"BuyerPart", "acme-hb", "17120", entrytest.SKUBolt, "$10.50", "HBG"},
		{"NearestFirst", "thhn", "17120", entrytest.SKUWire, "$89.00", "HBG"},
	}
	for _, tt := range items {
		t.Run("Item"+tt.name, func(t *testing.T) {
			resp, body := c.HTMX("GET", "/orders/new/items?"+url.Values{"sku": {tt.q}, "customer_account": {entrytest.Account},
				"postal": {tt.postal}}.Encode(), nil)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			opt := testapp.Doc(t, body).Find(`[data-testid="item-option"]`).First()
			if sku, _ := opt.Attr("data-sku"); sku != tt.want {
				t.Fatalf("first match %q, want %q\n%s", sku, tt.want, body)
			}
			if got := strings.TrimSpace(opt.Find(".o-price").Contents().First().Text()); got != tt.price {
				t.Fatalf("price %q, want %q", got, tt.price)
			}
			if got := opt.Find(".chip b").First().Text(); got != tt.nearest {
				t.Fatalf("nearest location %q, want %q", got, tt.nearest)
			}
			if tt.name == "BuyerPart" && !strings.Contains(opt.Text(), entrytest.BuyerPart) {
				t.Fatal("the customer's part number is not shown")
			}
		})
	}
}

func TestEntrySubmit(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		a := newEntryApp(t)
		c := signedIn(t, a, "sales@demo.test")
		c.Get("/orders/new")
		form := orderForm(entrytest.SKUBolt, "50")
		form.Set("draft_id", "4242")
		c.HTMX("POST", "/orders/drafts", form)
		if n := countRows(t, a.DB, `SELECT count(*) FROM order_drafts`); n != 1 {
			t.Fatalf("%d drafts before submit", n)
		}
		resp, _ := c.HTMX("POST", "/orders/new", form)
		if resp.StatusCode != http.StatusNoContent || resp.Header.Get("HX-Redirect") != "/orders/SO-100001" {
			t.Fatalf("status %d, HX-Redirect %q", resp.StatusCode, resp.Header.Get("HX-Redirect"))
		}
		if n := countRows(t, a.DB, `SELECT count(*) FROM order_drafts`); n != 0 {
			t.Fatalf("%d drafts left after submit", n)
		}
		if n := countRows(t, a.DB, `SELECT count(*) FROM orders WHERE channel = 'phone' AND created_by = 'sales@demo.test'`); n != 1 {
			t.Fatalf("%d phone orders", n)
		}
	})
	t.Run("PlainFormRedirects", func(t *testing.T) {
		a := newEntryApp(t)
		c := signedIn(t, a, "admin@demo.test")
		c.Get("/orders/new")
		resp, _ := c.PostForm("/orders/new", orderForm(entrytest.SKUWire, "3"))
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/orders/SO-100001" {
			t.Fatalf("status %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		a := newEntryApp(t)
		c := signedIn(t, a, "sales@demo.test")
		c.Get("/orders/new")
		form := orderForm(entrytest.SKUBolt, "30")
		form["sku"] = []string{entrytest.SKUBolt, "NOPE-1", entrytest.SKUWire, entrytest.SKUGone}
		form["qty"] = []string{"30", "1", "2x", "25"}
		form["price"] = []string{"", "", "", ""}
		form["reason"] = []string{"", "", "", ""}
		form.Set("po_number", `<b>PO</b>`)
		resp, body := c.HTMX("POST", "/orders/new", form)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("status %d", resp.StatusCode)
		}
		d := testapp.Doc(t, body)
		for key, want := range map[string]string{
			"lines[0].quantity": "multiple of 25",
			"lines[1].sku":      "not a known SKU",
			"lines[2].quantity": "not a whole number",
			"lines[3].sku":      "discontinued; order " + entrytest.SKUBolt,
		} {
			if got := d.Find(`[data-testid="error-` + key + `"]`).Text(); !strings.Contains(got, want) {
				t.Errorf("%s: %q, want %q", key, got, want)
			}
		}
		// The headline speaks to a person; field keys are for the API.
		head := d.Find(`[data-testid="entry-error"] strong`).Text()
		if head != "The order was not accepted: fix the 4 problems below and submit again." {
			t.Errorf("headline %q", head)
		}
		if v, _ := d.Find("#qty-2").Attr("value"); v != "2x" {
			t.Errorf("typed quantity not kept: %q", v)
		}
		if v, _ := d.Find("#po_number").Attr("value"); v != "<b>PO</b>" {
			t.Errorf("PO not kept: %q", v)
		}
		if strings.Contains(body, "<b>PO</b>") {
			t.Error("PO not escaped")
		}
		if n := countRows(t, a.DB, `SELECT count(*) FROM orders`); n != 0 {
			t.Fatalf("%d orders after a rejected submit", n)
		}
	})
	t.Run("ErrTooManyLines", func(t *testing.T) {
		a := newEntryApp(t)
		c := signedIn(t, a, "sales@demo.test")
		c.Get("/orders/new")
		form := orderForm(entrytest.SKUWire, "1")
		n := intake.MaxLines + 1
		for _, k := range []string{"sku", "qty", "price", "reason"} {
			form[k] = make([]string, n)
		}
		for i := range n {
			form["sku"][i], form["qty"][i] = entrytest.SKUWire, "1"
		}
		resp, body := c.HTMX("POST", "/orders/new", form)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("status %d, want 422: %.500s", resp.StatusCode, body)
		}
		if got := testapp.Doc(t, body).Find(`[data-testid="error-lines"]`).Text(); !strings.Contains(got, "has 2001 lines; at most 2000") {
			t.Fatalf("lines error %q", got)
		}
		if n := countRows(t, a.DB, `SELECT count(*) FROM orders`); n != 0 {
			t.Fatalf("%d orders from a 2,001-line form", n)
		}
	})
	t.Run("BlankRowsPushNoLineOut", func(t *testing.T) {
		a := newEntryApp(t)
		c := signedIn(t, a, "sales@demo.test")
		c.Get("/orders/new")
		form := orderForm(entrytest.SKUWire, "1")
		n := intake.MaxLines + 2
		for _, k := range []string{"sku", "qty", "price", "reason"} {
			form[k] = make([]string, n)
		}
		form["sku"][0], form["qty"][0] = entrytest.SKUWire, "1"
		form["sku"][n-1], form["qty"][n-1] = entrytest.SKUWire, "2"
		if resp, body := c.HTMX("POST", "/orders/new", form); resp.StatusCode != http.StatusNoContent {
			t.Fatalf("status %d: %.300s", resp.StatusCode, body)
		}
		if n := countRows(t, a.DB, `SELECT count(*) FROM order_lines`); n != 2 {
			t.Fatalf("%d lines captured, want 2", n)
		}
	})
	t.Run("ErrInvisibleCharacters", func(t *testing.T) {
		a := newEntryApp(t)
		c := signedIn(t, a, "sales@demo.test")
		c.Get("/orders/new")
		form := orderForm(entrytest.SKUWire, "1")
		form.Set("po_number", "PO-\u202e1")
		resp, body := c.HTMX("POST", "/orders/new", form)
		if got := testapp.Doc(t, body).Find(`[data-testid="error-po_number"]`).Text(); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(got, "U+202E") {
			t.Fatalf("status %d, po_number error %q", resp.StatusCode, got)
		}
	})
	t.Run("CustomerTypedOverThePick", func(t *testing.T) {
		a := newEntryApp(t)
		c := signedIn(t, a, "sales@demo.test")
		c.Get("/orders/new")
		// The rep picked a customer, then typed another name over it and
		// submitted without picking again: the order must not go to the
		// first customer.
		form := orderForm(entrytest.SKUWire, "3")
		form.Set("customer_q", "Somebody Else Inc")
		resp, body := c.HTMX("POST", "/orders/new", form)
		problem := testapp.Doc(t, body).Find(`[data-field="customer_account"]`).Text()
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(problem, "SOMEBODY ELSE INC is not a known customer account") {
			t.Fatalf("status %d, customer problem %q", resp.StatusCode, problem)
		}
		if n := countRows(t, a.DB, `SELECT count(*) FROM orders`); n != 0 {
			t.Fatalf("%d orders for the customer picked before", n)
		}
		// The box as a pick leaves it: the order goes through.
		form.Set("customer_q", "Acme Mechanical ("+entrytest.Account+")")
		if resp, _ := c.HTMX("POST", "/orders/new", form); resp.StatusCode != http.StatusNoContent {
			t.Fatalf("with the picked customer: status %d", resp.StatusCode)
		}
	})
	t.Run("PriceOverrideNeedsReason", func(t *testing.T) {
		a := newEntryApp(t)
		c := signedIn(t, a, "sales@demo.test")
		c.Get("/orders/new")
		form := orderForm(entrytest.SKUWire, "2")
		form["price"] = []string{"80.00", ""}
		resp, body := c.HTMX("POST", "/orders/new", form)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `error-lines[0].price_override_reason`) {
			t.Fatalf("status %d", resp.StatusCode)
		}
		form["reason"] = []string{"Matched competitor quote", ""}
		resp, _ = c.HTMX("POST", "/orders/new", form)
		if resp.StatusCode != http.StatusNoContent {
			t.Fatalf("with a reason: status %d", resp.StatusCode)
		}
		if n := countRows(t, a.DB, `SELECT count(*) FROM order_lines WHERE unit_price_cents = 8000`); n != 1 {
			t.Fatal("override price not on the line")
		}
	})
}

func TestEntryDrafts(t *testing.T) {
	a := newEntryApp(t)
	c := signedIn(t, a, "sales@demo.test")
	c.Get("/orders/new")
	form := url.Values{"draft_id": {"777"}, "customer_account": {entrytest.Account}, "po_number": {"PO-DRAFT"}, "ship_to_code": {"JOB"},
		"sku": {entrytest.SKULiner, "fst"}, "qty": {"5", ""}, "price": {"", ""}, "reason": {"", ""}}
	t.Run("Save", func(t *testing.T) {
		resp, body := c.HTMX("POST", "/orders/drafts", form)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Draft saved") {
			t.Fatalf("status %d\n%s", resp.StatusCode, body)
		}
		if !strings.Contains(testapp.Doc(t, body).Find(`[data-testid="drafts"]`).Text(), "Acme Mechanical") {
			t.Fatal("drafts panel does not list the draft with its customer")
		}
	})
	t.Run("Restore", func(t *testing.T) {
		resp, body := c.Get("/orders/new?draft=777")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
		d := testapp.Doc(t, body)
		checks := map[string]string{"#po_number": "PO-DRAFT", "#sku-0": entrytest.SKULiner, "#qty-0": "5", "#sku-1": "fst",
			"#customer_account": entrytest.Account, "#draft_id": "777"}
		for sel, want := range checks {
			if got, _ := d.Find(sel).Attr("value"); got != want {
				t.Errorf("%s = %q, want %q", sel, got, want)
			}
		}
		if got, _ := d.Find(`#ship_to_code option[selected]`).Attr("value"); got != "JOB" {
			t.Errorf("ship-to %q, want JOB", got)
		}
		if d.Find(`[data-testid="credit"]`).Length() != 1 {
			t.Error("no credit panel for the restored customer")
		}
	})
	t.Run("DuplicatePOWarning", func(t *testing.T) {
		if resp, _ := c.PostForm("/orders/new", orderForm(entrytest.SKUWire, "1")); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("seed order: %d", resp.StatusCode)
		}
		f := url.Values{"draft_id": {"778"}, "customer_account": {entrytest.Account}, "po_number": {"PO-ELC-2002-1"}}
		_, body := c.HTMX("POST", "/orders/drafts", f)
		if got := testapp.Doc(t, body).Find(`[data-testid="po-warning"]`).Text(); !strings.Contains(got, "SO-100001") {
			t.Fatalf("warning %q", got)
		}
	})
	t.Run("ErrNotFoundForOthers", func(t *testing.T) {
		other := signedIn(t, a, "admin@demo.test")
		if resp, _ := other.Get("/orders/new?draft=777"); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("status %d", resp.StatusCode)
		}
		other.Get("/orders/new")
		_, body := other.HTMX("POST", "/orders/drafts", form)
		if !strings.Contains(body, "Not saved") {
			t.Fatal("another user's draft was overwritten")
		}
	})
}

// draftsFixture is an entry app where sales has submitted draft 803 as
// order SO-100001; reset gives sales drafts 801 and 802 and admin draft
// 901. Drafts are saved through the store and one app serves every case:
// signing users in over again would make each case slow.
type draftsFixture struct {
	app          *testapp.App
	clients      map[string]*testapp.Client
	sales, admin int64
}

func newDraftsFixture(tb testing.TB) *draftsFixture {
	tb.Helper()
	f := &draftsFixture{app: newEntryApp(tb), clients: map[string]*testapp.Client{}}
	ctx := context.Background()
	userID := func(email string) int64 {
		tb.Helper()
		var id int64
		if err := f.app.DB.View(ctx, func(tx *sql.Tx) error {
			return tx.QueryRow(`SELECT id FROM users WHERE email = ?`, email).Scan(&id)
		}); err != nil {
			tb.Fatal(err)
		}
		return id
	}
	f.sales, f.admin = userID("sales@demo.test"), userID("admin@demo.test")
	f.save(tb, f.sales, 803)
	req := intake.Request{Channel: "phone", CustomerAccount: entrytest.Account, PONumber: "PO-803", ShipToCode: "MAIN", ShipMethod: "GROUND",
		Lines: []intake.LineRequest{{SKU: entrytest.SKUWire, Quantity: 1}}}
	if c, err := f.app.DB.CaptureDraft(ctx, req, store.Submitter{Actor: "sales@demo.test", Role: domain.RoleSales}, f.sales, 803); err != nil || c.Number != "SO-100001" {
		tb.Fatalf("submit draft 803: %v %+v", err, c)
	}
	return f
}

func (f *draftsFixture) save(tb testing.TB, user, id int64) {
	tb.Helper()
	form := fmt.Sprintf(`{"customer_account":%q,"po_number":"PO-%d","lines":[{"sku":%q,"qty":"1"}]}`, entrytest.Account, id, entrytest.SKUWire)
	if err := f.app.DB.SaveDraft(context.Background(), user, id, entrytest.Account, form); err != nil {
		tb.Fatal(err)
	}
}

// reset leaves exactly drafts 801, 802 (sales) and 901 (admin).
func (f *draftsFixture) reset(tb testing.TB) {
	tb.Helper()
	if err := f.app.DB.Update(context.Background(), func(tx *sql.Tx) error {
		_, err := tx.Exec(`DELETE FROM order_drafts`)
		return err
	}); err != nil {
		tb.Fatal(err)
	}
	f.save(tb, f.sales, 801)
	f.save(tb, f.sales, 802)
	f.save(tb, f.admin, 901)
}

// client is a client signed in as email, on the entry screen.
func (f *draftsFixture) client(tb testing.TB, email string) *testapp.Client {
	tb.Helper()
	c, ok := f.clients[email]
	if !ok {
		c = signedIn(tb, f.app, email)
		f.clients[email] = c
	}
	c.Get("/")
	return c
}

func draftIDs(tb testing.TB, a *testapp.App) string {
	tb.Helper()
	var ids []string
	err := a.DB.View(context.Background(), func(tx *sql.Tx) error {
		rows, err := tx.Query(`SELECT id FROM order_drafts ORDER BY id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return rows.Err()
	})
	if err != nil {
		tb.Fatal(err)
	}
	return strings.Join(ids, ",")
}

func TestEntryDeleteDraft(t *testing.T) {
	f := newDraftsFixture(t)
	tests := []struct {
		name     string
		as       string
		path     string
		editing  string
		htmx     bool
		noCSRF   bool
		status   int
		redirect string // HX-Redirect (htmx) or Location
		drafts   string // the drafts left
		listed   string // the drafts the answer's panel lists, * marking the one on the screen
	}{
		{"OK", "sales@demo.test", "/orders/drafts/801/delete", "802", true, false, http.StatusOK, "", "802,901", "802*"},
		{"CurrentStartsNewOrder", "sales@demo.test", "/orders/drafts/802/delete", "802", true, false, http.StatusNoContent, "/orders/new", "801,901", ""},
		{"PlainFormBackToDraft", "sales@demo.test", "/orders/drafts/801/delete", "802", false, false, http.StatusSeeOther, "/orders/new?draft=802", "802,901", ""},
		{"PlainFormUnsavedOrder", "sales@demo.test", "/orders/drafts/801/delete", "5555", false, false, http.StatusSeeOther, "/orders/new", "802,901", ""},
		{"PlainFormCurrent", "sales@demo.test", "/orders/drafts/801/delete", "801", false, false, http.StatusSeeOther, "/orders/new", "802,901", ""},
		{"AdminOwnDraft", "admin@demo.test", "/orders/drafts/901/delete", "1", true, false, http.StatusOK, "", "801,802", ""},
		{"ErrNotFoundAnotherUsersAsSales", "sales@demo.test", "/orders/drafts/901/delete", "802", true, false, http.StatusNotFound, "", "801,802,901", ""},
		{"ErrNotFoundAnotherUsersAsAdmin", "admin@demo.test", "/orders/drafts/801/delete", "901", false, false, http.StatusNotFound, "", "801,802,901", ""},
		{"ErrNotFoundCaptured", "sales@demo.test", "/orders/drafts/803/delete", "802", true, false, http.StatusNotFound, "", "801,802,901", ""},
		{"ErrNotFoundOrderNumber", "sales@demo.test", "/orders/drafts/SO-100001/delete", "802", false, false, http.StatusNotFound, "", "801,802,901", ""},
		{"ErrForbiddenCSRFMissingHTMX", "sales@demo.test", "/orders/drafts/801/delete", "802", true, true, http.StatusForbidden, "", "801,802,901", ""},
		{"ErrForbiddenCSRFMissingForm", "sales@demo.test", "/orders/drafts/801/delete", "802", false, true, http.StatusForbidden, "", "801,802,901", ""},
		{"ErrForbiddenCSR", "csr@demo.test", "/orders/drafts/801/delete", "", false, false, http.StatusForbidden, "", "801,802,901", ""},
		{"ErrForbiddenOps", "ops@demo.test", "/orders/drafts/801/delete", "", true, false, http.StatusForbidden, "", "801,802,901", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.reset(t)
			a, c := f.app, f.client(t, tt.as)
			form := url.Values{"editing": {tt.editing}}
			var resp *http.Response
			var body string
			switch {
			case tt.htmx && tt.noCSRF:
				req := httptest.NewRequest(http.MethodPost, tt.path, strings.NewReader(form.Encode()))
				req.Header.Set("HX-Request", "true")
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				resp, body = c.Do(req)
			case tt.htmx:
				resp, body = c.HTMX("POST", tt.path, form)
			case tt.noCSRF:
				form.Set("_csrf", "")
				resp, body = c.PostForm(tt.path, form)
			default:
				resp, body = c.PostForm(tt.path, form)
			}
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d\n%s", resp.StatusCode, tt.status, body)
			}
			redirect := resp.Header.Get("Location")
			if tt.htmx {
				redirect = resp.Header.Get("HX-Redirect")
			}
			if redirect != tt.redirect {
				t.Fatalf("redirect %q, want %q", redirect, tt.redirect)
			}
			if got := draftIDs(t, a); got != tt.drafts {
				t.Fatalf("drafts left %s, want %s", got, tt.drafts)
			}
			if n := countRows(t, a.DB, `SELECT count(*) FROM orders WHERE number = 'SO-100001' AND status <> 'draft'`); n != 1 {
				t.Fatal("the submitted order changed or went")
			}
			if n := countRows(t, a.DB, `SELECT count(*) FROM orders`); n != 1 {
				t.Fatalf("%d orders", n)
			}
			switch {
			case tt.status == http.StatusNotFound && tt.htmx:
				if !strings.Contains(body, "no longer exists") || resp.Header.Get("HX-Retarget") != "#alerts" {
					t.Fatalf("the answer does not say the draft is gone:\n%s", body)
				}
			case tt.status == http.StatusOK:
				d := testapp.Doc(t, body)
				if d.Find(`#entry-drafts[data-testid="drafts"]`).Length() != 1 || d.Find(`[hx-swap-oob]`).Length() != 0 {
					t.Fatalf("not the drafts panel:\n%s", body)
				}
				var listed []string
				d.Find(`[data-testid="draft"]`).Each(func(_ int, s *goquery.Selection) {
					id, _ := s.Attr("data-draft")
					if s.HasClass("current") {
						id += "*"
					}
					listed = append(listed, id)
				})
				if got := strings.Join(listed, ","); got != tt.listed {
					t.Fatalf("panel lists %q, want %q", got, tt.listed)
				}
				if got := d.Find(`[data-testid="drafts-notice"]`).Text(); got != "Draft deleted." {
					t.Fatalf("notice %q", got)
				}
				if v, ok := d.Find(`[data-testid="draft"] input[name="editing"]`).Attr("value"); ok && v != tt.editing {
					t.Fatalf("panel's delete form posts editing=%q, want %q", v, tt.editing)
				}
			case tt.redirect != "":
				_, page := c.Get(tt.redirect)
				if !strings.Contains(testapp.Doc(t, page).Find("#alerts").Text(), "Draft deleted.") {
					t.Fatal("the screen does not say the draft was deleted")
				}
			}
		})
	}
}

// TestEntryDraftsPanel checks the delete buttons: one per draft, inside a
// plain form that works without JavaScript, with a confirmation for htmx,
// and the draft open on the screen told apart.
func TestEntryDraftsPanel(t *testing.T) {
	f := newDraftsFixture(t)
	f.reset(t)
	c := f.client(t, "sales@demo.test")
	_, body := c.Get("/orders/new?draft=802")
	d := testapp.Doc(t, body)
	rows := d.Find(`[data-testid="draft"]`)
	if rows.Length() != 2 {
		t.Fatalf("%d drafts listed", rows.Length())
	}
	rows.Each(func(_ int, row *goquery.Selection) {
		id, _ := row.Attr("data-draft")
		form := row.Find("form.draft-delete")
		action, _ := form.Attr("action")
		method, _ := form.Attr("method")
		csrf, _ := form.Find(`input[name="_csrf"]`).Attr("value")
		confirm, _ := form.Attr("hx-confirm")
		if action != "/orders/drafts/"+id+"/delete" || method != "post" || csrf != c.CSRF || confirm == "" {
			t.Errorf("draft %s: form action %q method %q csrf %t confirm %q", id, action, method, csrf == c.CSRF, confirm)
		}
		btn := form.Find(`button[type="submit"][data-testid="draft-delete"]`)
		if label, _ := btn.Attr("aria-label"); !strings.Contains(label, "Acme Mechanical") {
			t.Errorf("draft %s: button label %q", id, label)
		}
		if _, ok := btn.Attr("tabindex"); ok {
			t.Errorf("draft %s: the delete button is out of the tab order", id)
		}
		_, current := form.Attr("data-current")
		if current != (id == "802") || strings.Contains(confirm, "new order") != (id == "802") {
			t.Errorf("draft %s: data-current %t, confirm %q", id, current, confirm)
		}
	})
}
