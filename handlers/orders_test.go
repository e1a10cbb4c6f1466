package handlers_test

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/internal/fixtures"
	"github.com/oms/oms/internal/testapp"
	"github.com/oms/oms/store"
	"github.com/oms/oms/web"
)

// standardApp is the app on the standard fixtures with a signed-in CSR.
func standardApp(t *testing.T) (*testapp.App, *testapp.Client, fixtures.Standard) {
	t.Helper()
	var s fixtures.Standard
	a := testapp.New(t, web.Config{}, func(db *store.DB) { s = fixtures.New(t, db).Standard() })
	c := a.Client(t)
	c.SignIn("csr@demo.test")
	return a, c, s
}

func TestSearchByEachKey(t *testing.T) {
	a, c, s := standardApp(t)
	tests := []struct {
		name, q  string
		redirect string // an exact hit goes straight to the order
		rows     []string
	}{
		{"OrderNumber", s.Released, s.Released, nil},
		{"PO", s.PartlyShippedPO, s.PartlyShipped, nil},
		{"Tracking", s.ShippedTracking, s.Shipped, nil},
		{"SKU", "SKU-1042", "", []string{s.PartlyShipped, s.Big}},
		{"Account", s.AcmeAccount, "", []string{s.PartlyShipped, s.Shipped, s.LTL}},
		{"CustomerName", "Acme", "", []string{s.PartlyShipped, s.Released}},
		{"ShipToName", "Fort Worth", "", []string{s.PartlyShipped}},
		{"Email", s.JaneEmail, "", []string{s.Backordered, s.Cancelled}},
		{"Phone", "214.555.0142", "", []string{s.Shipped}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := c.Get("/orders?q=" + url.QueryEscape(tt.q))
			if tt.redirect != "" {
				if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/orders/"+tt.redirect {
					t.Fatalf("status %d location %q, want redirect to %s", resp.StatusCode, resp.Header.Get("Location"), tt.redirect)
				}
				resp, _ = c.HTMX(http.MethodGet, "/orders?q="+url.QueryEscape(tt.q), nil)
				if got := resp.Header.Get("HX-Redirect"); got != "/orders/"+tt.redirect {
					t.Fatalf("htmx: HX-Redirect %q", got)
				}
				return
			}
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			d := testapp.Doc(t, body)
			rows := d.Find(`[data-testid="order-row"]`).Text()
			for _, n := range tt.rows {
				if !strings.Contains(rows, n) {
					t.Errorf("%s not in results", n)
				}
			}
		})
	}
	t.Run("CustomersSection", func(t *testing.T) {
		_, body := c.Get("/orders?q=" + url.QueryEscape(s.AcmeContactEmail))
		d := testapp.Doc(t, body)
		if got := d.Find(`[data-testid="customer-row"]`).Text(); !strings.Contains(got, s.AcmeAccount) {
			t.Fatalf("customers section %q", got)
		}
		if d.Find(`[data-testid="more-customers"]`).Length() != 0 {
			t.Fatal("one matching customer, yet the section says there are more")
		}
		// Twelve customers share a word: ten are listed, and the section
		// says there are others.
		if err := a.DB.Update(t.Context(), func(tx *sql.Tx) error {
			for i := range 12 {
				if _, err := tx.Exec(`INSERT INTO customers (account, name, type, credit_limit_cents, created_at)
					VALUES (?, ?, 'b2b', 100000, '2026-11-01T00:00:00.000Z')`, fmt.Sprintf("ZEP%02d", i), fmt.Sprintf("Zephyr Trading %d", i)); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		_, body = c.Get("/orders?q=Zephyr")
		d = testapp.Doc(t, body)
		if n := d.Find(`[data-testid="customer-row"]`).Length(); n != 10 || d.Find(`[data-testid="more-customers"]`).Length() != 1 {
			t.Fatalf("12 matching customers: %d rows listed, hint shown %v", n, d.Find(`[data-testid="more-customers"]`).Length() == 1)
		}
	})
	t.Run("HTMXPartial", func(t *testing.T) {
		resp, body := c.HTMX(http.MethodGet, "/orders?q=SKU-2001&status=shipped", nil)
		if resp.StatusCode != http.StatusOK || strings.Contains(body, "<html") || !strings.Contains(body, `id="results"`) {
			t.Fatalf("status %d, partial expected: %.200s", resp.StatusCode, body)
		}
		if !strings.Contains(body, s.Shipped) || strings.Contains(body, s.Allocated) {
			t.Fatal("status filter not applied")
		}
		if got := resp.Header.Get("HX-Push-Url"); got != "/orders?q=SKU-2001&status=shipped" {
			t.Fatalf("HX-Push-Url %q", got)
		}
	})
	t.Run("Filters", func(t *testing.T) {
		_, body := c.Get("/orders?hold=1")
		d := testapp.Doc(t, body)
		if n := d.Find(`[data-testid="order-row"]`).Length(); n != 1 || !strings.Contains(d.Find(`[data-testid="order-row"]`).Text(), s.OnHold) {
			t.Fatalf("hold filter: %d rows", n)
		}
	})
	t.Run("BadDate", func(t *testing.T) {
		resp, body := c.Get("/orders?from=soon")
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "not a date") {
			t.Fatalf("status %d", resp.StatusCode)
		}
		// With text, the refused filter does not hide the customers the
		// text names.
		_, body = c.Get("/orders?from=soon&q=" + url.QueryEscape(s.AcmeContactEmail))
		if got := testapp.Doc(t, body).Find(`[data-testid="customer-row"]`).Text(); !strings.Contains(body, "not a date") || !strings.Contains(got, s.AcmeAccount) {
			t.Fatalf("customers section with a refused filter %q", got)
		}
	})
}

func TestOrderPage(t *testing.T) {
	a, c, s := standardApp(t)
	t.Run("OK", func(t *testing.T) {
		resp, body := c.Get("/orders/" + s.PartlyShipped)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
		d := testapp.Doc(t, body)
		answer := d.Find(`[data-testid="status-answer"]`).Text()
		for _, want := range []string{"2 of 3 lines shipped", "Dallas DC", "Nov 24", "UPS " + s.PartlyShippedTracking, "4 units of SKU-1042 backordered, expected Dec 2 (PO 5512)"} {
			if !strings.Contains(answer, want) {
				t.Errorf("answer %q lacks %q", answer, want)
			}
		}
		if n := d.Find(`[data-testid="order-line"]`).Length(); n != 3 {
			t.Errorf("%d lines", n)
		}
		link, _ := d.Find(`[data-testid="tracking-link"]`).Attr("href")
		if !strings.HasPrefix(link, "https://www.ups.com/track") || !strings.Contains(link, s.PartlyShippedTracking) {
			t.Errorf("tracking link %q", link)
		}
		if d.Find(`[data-testid="sourcing-trace"] li`).Length() != 4 {
			t.Error("sourcing trace not listed")
		}
		if d.Find(`[data-testid="timeline-event"]`).Length() != 5 {
			t.Errorf("%d events", d.Find(`[data-testid="timeline-event"]`).Length())
		}
		if href, _ := d.Find(`[data-testid="customer-link"]`).Attr("href"); href != "/customers/"+s.AcmeAccount {
			t.Errorf("customer link %q", href)
		}
	})
	t.Run("LTLLinksToCarrier", func(t *testing.T) {
		_, body := c.Get("/orders/" + s.LTL)
		d := testapp.Doc(t, body)
		link := d.Find(`[data-testid="tracking-link"]`)
		if href, _ := link.Attr("href"); link.Text() != s.LTLTracking || !strings.Contains(href, "estes-express.com") || !strings.Contains(href, s.LTLTracking) {
			t.Fatalf("LTL PRO number %q links to %q", link.Text(), href)
		}
	})
	t.Run("Hold", func(t *testing.T) {
		_, body := c.Get("/orders/" + s.OnHold)
		d := testapp.Doc(t, body)
		if !strings.Contains(d.Find(`[data-testid="status-answer"]`).Text(), "credit hold") || d.Find(`[data-testid="exception"]`).Length() != 1 {
			t.Fatal("hold or exception missing")
		}
	})
	t.Run("ExceptionOverdue", func(t *testing.T) {
		due := func(at string) *goquery.Document {
			t.Helper()
			if err := a.DB.Update(t.Context(), func(tx *sql.Tx) error {
				_, err := tx.Exec(`UPDATE exceptions SET sla_due_at = ? WHERE order_id = (SELECT id FROM orders WHERE number = ?)`, at, s.OnHold)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			_, body := c.Get("/orders/" + s.OnHold)
			return testapp.Doc(t, body)
		}
		if d := due(a.DB.Now().Add(-time.Hour).UTC().Format(store.TimeFormat)); d.Find(`[data-testid="overdue"]`).Length() != 1 {
			t.Fatal("an exception past its SLA is not marked overdue")
		}
		if d := due(a.DB.Now().Add(time.Hour).UTC().Format(store.TimeFormat)); d.Find(`[data-testid="overdue"]`).Length() != 0 {
			t.Fatal("an exception within its SLA is marked overdue")
		}
	})
	t.Run("LinesPaged", func(t *testing.T) {
		_, body := c.Get("/orders/" + s.Big)
		d := testapp.Doc(t, body)
		if n := d.Find(`[data-testid="order-line"]`).Length(); n != store.LinesPerPage {
			t.Fatalf("%d lines on page 1", n)
		}
		_, body = c.HTMX(http.MethodGet, "/orders/"+s.Big+"/lines?lines_page=3", nil)
		d = testapp.Doc(t, body)
		if n := d.Find(`[data-testid="order-line"]`).Length(); n != 20 {
			t.Fatalf("%d lines on page 3", n)
		}
		_, body = c.HTMX(http.MethodGet, "/orders/"+s.Big+"/lines?lines_q=glove", nil)
		d = testapp.Doc(t, body)
		if n := d.Find(`[data-testid="order-line"]`).Length(); n != 24 {
			t.Fatalf("%d lines match glove", n)
		}
	})
	t.Run("TimelineFilter", func(t *testing.T) {
		_, body := c.HTMX(http.MethodGet, "/orders/"+s.PartlyShipped+"/timeline?kind=group.shipped", nil)
		d := testapp.Doc(t, body)
		if n := d.Find(`[data-testid="timeline-event"]`).Length(); n != 1 {
			t.Fatalf("%d events of kind group.shipped", n)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		resp, _ := c.Get("/orders/SO-999999")
		if resp.StatusCode != http.StatusNotFound {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
}

func TestAddNote(t *testing.T) {
	_, c, s := standardApp(t)
	c.Get("/orders/" + s.Shipped)
	path := "/orders/" + s.Shipped + "/notes"
	t.Run("OK", func(t *testing.T) {
		resp, body := c.HTMX(http.MethodPost, path, url.Values{"note": {"Customer asked <b>where</b> it is"}})
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
		if !strings.Contains(body, "Customer asked &lt;b&gt;where&lt;/b&gt; it is") {
			t.Fatal("note not shown escaped in the timeline")
		}
		d := testapp.Doc(t, body)
		if d.Find(`[data-testid="timeline-event"]`).First().Find(".evkind").Text() != "Note" {
			t.Fatal("note is not the newest event")
		}
		if d.Find(`[hx-swap-oob]`).Length() != 1 {
			t.Fatal("no fresh note form")
		}
	})
	tests := []struct{ name, note, want string }{
		{"ErrEmpty", "   ", "The note is empty."},
		{"ErrTooLong", strings.Repeat("x", 2001), "at most 2000 characters"},
		{"ErrBidiOverride", "refund \u202e0001$ \u202c approved", "U+202E"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := c.HTMX(http.MethodPost, path, url.Values{"note": {tt.note}})
			if resp.StatusCode != http.StatusUnprocessableEntity || resp.Header.Get("HX-Retarget") != "#note-form" {
				t.Fatalf("status %d retarget %q", resp.StatusCode, resp.Header.Get("HX-Retarget"))
			}
			if got := testapp.Doc(t, body).Find(`[data-testid="note-error"]`).Text(); !strings.Contains(got, tt.want) {
				t.Fatalf("error %q", got)
			}
		})
	}
	t.Run("PlainForm", func(t *testing.T) {
		resp, _ := c.PostForm(path, url.Values{"note": {"Called back"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
	t.Run("ErrCSRF", func(t *testing.T) {
		resp, _ := c.PostForm(path, url.Values{"note": {"x"}, "_csrf": {"wrong"}})
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
}

func TestCustomerPage(t *testing.T) {
	_, c, s := standardApp(t)
	resp, body := c.Get("/customers/" + strings.ToLower(s.AcmeAccount))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	d := testapp.Doc(t, body)
	if d.Find(`[data-testid="customer-name"]`).Text() != s.AcmeName {
		t.Fatal("name")
	}
	if n := d.Find(`[data-testid="order-row"]`).Length(); n != 6 {
		t.Fatalf("%d orders", n)
	}
	if d.Find(`[data-testid="contact"]`).Length() != 2 || d.Find(`[data-testid="ship-to"]`).Length() != 2 {
		t.Fatal("contacts or ship-tos missing")
	}
	if !strings.Contains(d.Find(`[data-testid="credit"]`).Text(), "$50,000.00") {
		t.Fatal("credit limit missing")
	}
	if d.Find(`[data-testid="activity-event"]`).Length() == 0 {
		t.Fatal("no activity")
	}
	resp, _ = c.Get("/customers/NOPE")
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown customer: %d", resp.StatusCode)
	}
}

func TestAPI(t *testing.T) {
	a, c, s := standardApp(t)
	t.Run("Order", func(t *testing.T) {
		resp, body := c.Get("/api/v1/orders/" + s.PartlyShipped)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d %s", resp.StatusCode, body)
		}
		var o struct {
			Number       string `json:"number"`
			StatusAnswer string `json:"status_answer"`
			Lines        []struct {
				SKU         string `json:"sku"`
				Backordered int64  `json:"backordered"`
				Shipped     int64  `json:"shipped"`
			} `json:"lines"`
			Groups []struct {
				TrackingNumber string  `json:"tracking_number"`
				TrackingURL    *string `json:"tracking_url"`
			} `json:"groups"`
			Trace []string `json:"trace"`
		}
		if err := json.Unmarshal([]byte(body), &o); err != nil {
			t.Fatal(err)
		}
		if o.Number != s.PartlyShipped || len(o.Lines) != 3 || o.Lines[2].Backordered != 4 || len(o.Trace) != 4 ||
			len(o.Groups) != 1 || o.Groups[0].TrackingURL == nil || !strings.Contains(o.StatusAnswer, "backordered") {
			t.Fatalf("%+v", o)
		}
	})
	t.Run("Search", func(t *testing.T) {
		resp, body := c.Get("/api/v1/orders?q=SKU-2001&status=shipped&limit=10")
		var r struct {
			Orders []struct {
				Number string `json:"number"`
			} `json:"orders"`
			Total int `json:"total"`
		}
		if err := json.Unmarshal([]byte(body), &r); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("%d %v", resp.StatusCode, err)
		}
		if r.Total != 1 || r.Orders[0].Number != s.Shipped {
			t.Fatalf("%+v", r)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		resp, body := c.Get("/api/v1/orders/SO-1")
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, `"error"`) {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
	})
	t.Run("BearerToken", func(t *testing.T) {
		_, secret, err := a.DB.CreateToken(t.Context(), "Helpdesk", domain.RoleCSR, 0)
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest(http.MethodGet, "/api/v1/orders?q="+s.PartlyShippedTracking, nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		resp, body := a.Client(t).Do(req)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"number":"`+s.PartlyShipped+`"`) {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
	})
	t.Run("ErrUnauthorized", func(t *testing.T) {
		resp, _ := a.Client(t).Get("/api/v1/orders/" + s.Shipped)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
}
