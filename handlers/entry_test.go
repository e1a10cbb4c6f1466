package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/oms/oms/internal/entrytest"
	"github.com/oms/oms/internal/testapp"
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
