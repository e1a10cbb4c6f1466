package handlers_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/edi"
	"github.com/oms/oms/internal/testapp"
	"github.com/oms/oms/web"
	"github.com/oms/oms/x12"
)

func ediRequest(tb testing.TB, a *testapp.App, method, path, token, body string) (*http.Response, string) {
	tb.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if strings.HasPrefix(body, "{") {
		req.Header.Set("Content-Type", "application/json")
	}
	return a.Client(tb).Do(req)
}

// edi850 is an interchange of one 850 for C100's trading partner.
func edi850(tb testing.TB, control int64, sku string, qty string) string {
	tb.Helper()
	day := time.Now().UTC().AddDate(0, 0, 2).Format("20060102")
	b, err := x12.Encode(x12.Envelope{SenderQual: "ZZ", SenderID: "C100EDI", ReceiverQual: "ZZ", ReceiverID: "OMS", Control: control, Time: time.Now()},
		[]x12.OutGroup{{FunctionalID: "PO", AppSender: "C100EDI", AppReceiver: "OMS", Control: control, Sets: []x12.OutSet{{ID: "850", Control: "0001",
			Segments: [][]string{{"BEG", "00", "SA", "PO-EDI-1", "", day}, {"N1", "ST", "Main dock", "92", "MAIN"},
				{"PO1", "1", qty, "EA", "", "", "VP", sku}, {"CTT", "1"}}}}}})
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func TestEDIPartnersAPI(t *testing.T) {
	a := testapp.New(t, web.Config{}, seedCatalogue)
	_, admin := newToken(t, a.DB, domain.RoleAdmin)
	_, sales := newToken(t, a.DB, domain.RoleSales)
	body := `{"name": "Customer 100", "customer_account": "C100", "sender_qualifier": "zz", "sender_id": "c100edi", "qualifier_order": ["BP", "UP", "VP"]}`

	t.Run("ErrForbiddenForSales", func(t *testing.T) {
		resp, _ := ediRequest(t, a, http.MethodPost, "/api/v1/edi/partners", sales, body)
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
	t.Run("Created", func(t *testing.T) {
		resp, out := ediRequest(t, a, http.MethodPost, "/api/v1/edi/partners", admin, body)
		if resp.StatusCode != http.StatusCreated || !strings.Contains(out, `"sender_id":"C100EDI"`) || !strings.Contains(out, `"send_855":true`) {
			t.Fatalf("status %d: %s", resp.StatusCode, out)
		}
	})
	t.Run("AgainUpdates", func(t *testing.T) {
		resp, out := ediRequest(t, a, http.MethodPost, "/api/v1/edi/partners", admin, strings.Replace(body, `"Customer 100"`, `"C100 renamed"`, 1))
		if resp.StatusCode != http.StatusOK || !strings.Contains(out, "C100 renamed") {
			t.Fatalf("status %d: %s", resp.StatusCode, out)
		}
	})
	t.Run("ErrUnknownCustomer", func(t *testing.T) {
		resp, out := ediRequest(t, a, http.MethodPost, "/api/v1/edi/partners", admin, `{"customer_account": "NOPE", "sender_qualifier": "ZZ", "sender_id": "X1"}`)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(out, "NOPE is not a known customer account") {
			t.Fatalf("status %d: %s", resp.StatusCode, out)
		}
	})
	t.Run("ErrBadQualifier", func(t *testing.T) {
		resp, out := ediRequest(t, a, http.MethodPost, "/api/v1/edi/partners", admin, `{"customer_account": "C100", "sender_qualifier": "ZZ", "sender_id": "X2", "qualifier_order": ["QQ"]}`)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(out, "qualifier_order") {
			t.Fatalf("status %d: %s", resp.StatusCode, out)
		}
	})
	t.Run("List", func(t *testing.T) {
		resp, out := ediRequest(t, a, http.MethodGet, "/api/v1/edi/partners", admin, "")
		if resp.StatusCode != http.StatusOK || strings.Count(out, `"sender_id"`) != 1 {
			t.Fatalf("status %d: %s", resp.StatusCode, out)
		}
	})
}

func TestEDIX12API(t *testing.T) {
	a := testapp.New(t, web.Config{}, seedCatalogue)
	_, admin := newToken(t, a.DB, domain.RoleAdmin)
	_, sales := newToken(t, a.DB, domain.RoleSales)
	_, csr := newToken(t, a.DB, domain.RoleCSR)
	if resp, out := ediRequest(t, a, http.MethodPost, "/api/v1/edi/partners", admin,
		`{"customer_account": "C100", "sender_qualifier": "ZZ", "sender_id": "C100EDI", "qualifier_order": ["VP"]}`); resp.StatusCode != http.StatusCreated {
		t.Fatalf("partner: %d %s", resp.StatusCode, out)
	}
	t.Run("OK", func(t *testing.T) {
		resp, out := ediRequest(t, a, http.MethodPost, "/api/v1/edi/x12", sales, edi850(t, 1, "SKU-1", "5"))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d: %s", resp.StatusCode, out)
		}
		var rep edi.Report
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatal(err)
		}
		set := rep.Interchanges[0].Sets[0]
		if set.Order == "" || set.PONumber != "PO-EDI-1" || set.Control != "0001" || !strings.Contains(rep.Interchanges[0].Ack997, "AK9*A*1*1*1") {
			t.Fatalf("report %s", out)
		}
		// The order page links the raw interchange.
		c := a.Client(t)
		c.SignIn("csr@demo.test")
		_, page := c.Get("/orders/" + set.Order)
		link := testapp.Doc(t, page).Find(`[data-testid="order-edi"] a`).First()
		href, _ := link.Attr("href")
		if !strings.Contains(link.Text(), "850 in 000000001") {
			t.Fatalf("EDI link %q", link.Text())
		}
		resp, raw := c.Get(href)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(raw, "ISA*") {
			t.Fatalf("raw: %d %q", resp.StatusCode, raw)
		}
	})
	t.Run("DuplicateNotApplied", func(t *testing.T) {
		_, out := ediRequest(t, a, http.MethodPost, "/api/v1/edi/x12", sales, edi850(t, 1, "SKU-1", "5"))
		if !strings.Contains(out, `"status":"duplicate"`) || strings.Contains(out, `"order_number":"SO-`) {
			t.Fatalf("report %s", out)
		}
	})
	t.Run("RejectedByIntakeNamesTheLine", func(t *testing.T) {
		_, out := ediRequest(t, a, http.MethodPost, "/api/v1/edi/x12", sales, edi850(t, 2, "CASE-12", "5"))
		if !strings.Contains(out, `"status":"rejected"`) || !strings.Contains(out, "PO1 1 (VP CASE-12): 5 EA: quantity must be a multiple of 12") {
			t.Fatalf("report %s", out)
		}
	})
	t.Run("NotX12", func(t *testing.T) {
		resp, out := ediRequest(t, a, http.MethodPost, "/api/v1/edi/x12", sales, "hello")
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(out, "no readable X12 interchange") {
			t.Fatalf("status %d: %s", resp.StatusCode, out)
		}
	})
	t.Run("ErrForbiddenForCSR", func(t *testing.T) {
		resp, _ := ediRequest(t, a, http.MethodPost, "/api/v1/edi/x12", csr, edi850(t, 3, "SKU-1", "5"))
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
}

func TestEDIPage(t *testing.T) {
	a := testapp.New(t, web.Config{}, seedCatalogue)
	t.Run("OpsReads", func(t *testing.T) {
		c := a.Client(t)
		c.SignIn("ops@demo.test")
		resp, page := c.Get("/integrations/edi")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
		if testapp.Doc(t, page).Find(`[data-testid="edi-upload"]`).Length() != 0 {
			t.Errorf("ops sees the upload form")
		}
		if resp, _ := c.PostForm("/integrations/edi/partners", nil); resp.StatusCode != http.StatusForbidden {
			t.Errorf("ops saved a partner: %d", resp.StatusCode)
		}
	})
	t.Run("ErrForbiddenForCSR", func(t *testing.T) {
		c := a.Client(t)
		c.SignIn("csr@demo.test")
		if resp, _ := c.Get("/integrations/edi"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("status %d", resp.StatusCode)
		}
	})
	t.Run("PartnerForm", func(t *testing.T) {
		c := a.Client(t)
		c.SignIn("admin@demo.test")
		c.Get("/integrations/edi/partners/new")
		resp, page := c.PostForm("/integrations/edi/partners", map[string][]string{"customer_account": {"C999"}, "sender_qualifier": {"ZZ"}, "sender_id": {"X"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "C999 is not a known customer account") {
			t.Fatalf("status %d", resp.StatusCode)
		}
		resp, _ = c.PostForm("/integrations/edi/partners", map[string][]string{"customer_account": {"C100"}, "sender_qualifier": {"ZZ"}, "sender_id": {"X"},
			"qualifier_order": {"BP, UP"}, "uom_conversions": {"CA=pack, BX=12"}, "send_855": {"1"}, "active": {"1"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %d", resp.StatusCode)
		}
		_, page = c.Get("/integrations/edi")
		row := testapp.Doc(t, page).Find(`[data-testid="edi-partner-row"]`).Text()
		if !strings.Contains(row, "ZZ:X") || !strings.Contains(row, "BP → UP") || !strings.Contains(row, "997, 855") || strings.Contains(row, "856") {
			t.Errorf("partner row %q", row)
		}
	})
}

// TestEDIAssignUnknownSender: an interchange from an unknown sender is kept
// with an exception; an administrator assigns it to a customer on the EDI
// page and it is imported.
func TestEDIAssignUnknownSender(t *testing.T) {
	a := testapp.New(t, web.Config{}, seedCatalogue)
	_, sales := newToken(t, a.DB, domain.RoleSales)
	_, out := ediRequest(t, a, http.MethodPost, "/api/v1/edi/x12", sales, edi850(t, 41, "SKU-1", "5"))
	if !strings.Contains(out, `"status":"unknown_sender"`) {
		t.Fatalf("report %s", out)
	}
	c := a.Client(t)
	c.SignIn("admin@demo.test")
	_, page := c.Get("/integrations/edi")
	form := testapp.Doc(t, page).Find(`[data-testid="edi-exception"] form`)
	action, ok := form.Attr("action")
	if !ok || !strings.Contains(form.Text(), "ZZ:C100EDI") {
		t.Fatalf("no assign form: %q", form.Text())
	}
	resp, page := c.PostForm(action, map[string][]string{"customer_account": {"NOPE"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "customer account NOPE is not known") {
		t.Fatalf("unknown account: %d", resp.StatusCode)
	}
	resp, page = c.PostForm(action, map[string][]string{"customer_account": {"C100"}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	doc := testapp.Doc(t, page)
	if n := doc.Find(`[data-testid="edi-report-order"]`).Length(); n != 1 {
		t.Fatalf("%d orders in the report", n)
	}
	if n := doc.Find(`[data-testid="edi-exception"]`).Length(); n != 0 {
		t.Errorf("%d exceptions still open", n)
	}
}
