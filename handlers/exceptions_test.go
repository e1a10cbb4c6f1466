package handlers_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/oms/oms/internal/fixtures"
	"github.com/oms/oms/internal/testapp"
	"github.com/oms/oms/store"
	"github.com/oms/oms/web"
)

// queueApp is the standard world with the credit hold of s.OnHold linked
// to its exception, as capture links them.
func queueApp(t *testing.T) (*testapp.App, fixtures.Standard) {
	t.Helper()
	var s fixtures.Standard
	a := testapp.New(t, web.Config{}, func(db *store.DB) {
		s = fixtures.New(t, db).Standard()
		err := db.Update(context.Background(), func(tx *sql.Tx) error {
			_, err := tx.Exec(`UPDATE exceptions SET kind = 'hold_credit', hold_id = (SELECT h.id FROM holds h WHERE h.order_id = exceptions.order_id)
				WHERE order_id = (SELECT id FROM orders WHERE number = ?)`, s.OnHold)
			if err != nil {
				return err
			}
			_, err = tx.Exec(`INSERT INTO exceptions (kind, order_id, severity, summary, sla_due_at, created_at)
				SELECT 'erp_sync', id, 'medium', 'ERP did not acknowledge the order', '2026-11-21T10:00:00.000Z', '2026-11-20T10:00:00.000Z'
				FROM orders WHERE number = ?`, s.Released)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	})
	return a, s
}

type orderState struct {
	status  string
	version int64
	events  int
	hold    bool
}

func stateOf(t *testing.T, db *store.DB, number string) orderState {
	t.Helper()
	var s orderState
	err := db.View(context.Background(), func(tx *sql.Tx) error {
		return tx.QueryRow(`SELECT status, version, has_hold, (SELECT count(*) FROM events WHERE order_id = orders.id) FROM orders WHERE number = ?`, number).
			Scan(&s.status, &s.version, &s.hold, &s.events)
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func holdID(t *testing.T, db *store.DB, number string) int64 {
	t.Helper()
	var id int64
	db.View(context.Background(), func(tx *sql.Tx) error {
		return tx.QueryRow(`SELECT h.id FROM holds h JOIN orders o ON o.id = h.order_id WHERE o.number = ?`, number).Scan(&id)
	})
	return id
}

func TestExceptionQueue(t *testing.T) {
	t.Run("CSRReadsButMayNotReleaseCredit", func(t *testing.T) {
		a, s := queueApp(t)
		c := a.Client(t)
		c.SignIn("csr@demo.test")
		resp, body := c.Get("/exceptions")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("csr reads the queue: %d", resp.StatusCode)
		}
		doc, _ := goquery.NewDocumentFromReader(strings.NewReader(body))
		if doc.Find(`[data-testid="exception-row"][data-order="`+s.OnHold+`"]`).Length() != 1 {
			t.Fatal("the credit hold is not in the queue")
		}
		if doc.Find(`[data-testid="claim"], [data-testid="resolve"]`).Length() != 0 {
			t.Fatal("customer service sees queue actions")
		}
		before := stateOf(t, a.DB, s.OnHold)
		path := "/orders/" + s.OnHold + "/holds/" + strconv.FormatInt(holdID(t, a.DB, s.OnHold), 10) + "/release"
		resp, body = c.PostForm(path, url.Values{"version": {strconv.FormatInt(before.version, 10)}, "reason": {"customer says paid"}})
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "may not release a Credit hold") {
			t.Fatalf("csr release of a credit hold: %d", resp.StatusCode)
		}
		if after := stateOf(t, a.DB, s.OnHold); after != before {
			t.Fatalf("a refused release changed the order: %+v -> %+v", before, after)
		}
		resp, _ = c.PostForm("/exceptions/claim", url.Values{"ids": {"1"}})
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("csr claim: %d", resp.StatusCode)
		}
	})
	t.Run("OpsClaimsReleasesAndTheOrderMovesOn", func(t *testing.T) {
		a, s := queueApp(t)
		c := a.Client(t)
		c.SignIn("ops@demo.test")
		_, body := c.Get("/exceptions?kind=hold_credit")
		doc, _ := goquery.NewDocumentFromReader(strings.NewReader(body))
		row := doc.Find(`[data-testid="exception-row"][data-order="` + s.OnHold + `"]`)
		id, _ := row.Find(`input[type="checkbox"][name="ids"]`).Attr("value")
		resp, _ := c.PostForm("/exceptions/claim", url.Values{"ids": {id}, "return": {"/exceptions?kind=hold_credit"}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/exceptions?kind=hold_credit" {
			t.Fatalf("claim: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		_, body = c.Get("/exceptions?owner=me")
		doc, _ = goquery.NewDocumentFromReader(strings.NewReader(body))
		row = doc.Find(`[data-testid="exception-row"][data-order="` + s.OnHold + `"]`)
		if got := strings.TrimSpace(row.Find(`[data-testid="owner"]`).Text()); got != "Olivia Chen" {
			t.Fatalf("owner after claim %q", got)
		}
		form := row.Find(`[data-testid="release-hold-form"]`)
		action, _ := form.Attr("action")
		version, _ := form.Find(`input[name="version"]`).Attr("value")
		ret, _ := form.Find(`input[name="return"]`).Attr("value")
		before := stateOf(t, a.DB, s.OnHold)
		resp, _ = c.PostForm(action, url.Values{"version": {version}, "return": {ret}, "reason": {""}})
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("release without a reason: %d", resp.StatusCode)
		}
		resp, _ = c.PostForm(action, url.Values{"version": {version}, "return": {ret}, "reason": {"Payment of $9,900 received"}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != ret {
			t.Fatalf("release: %d to %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		after := stateOf(t, a.DB, s.OnHold)
		if after.hold || after.status == "on_hold" || after.version != before.version+1 {
			t.Fatalf("after release: %+v", after)
		}
		_, body = c.Get("/orders/" + s.OnHold)
		if !strings.Contains(body, "Credit hold released. Reason: Payment of $9,900 received") {
			t.Fatal("the release is not on the order's timeline")
		}
		// The same form again carries a stale version.
		resp, body = c.PostForm(action, url.Values{"version": {version}, "reason": {"again"}})
		if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "ops@demo.test") {
			t.Fatalf("stale release: %d", resp.StatusCode)
		}
	})
	t.Run("BulkAssign", func(t *testing.T) {
		a, _ := queueApp(t)
		c := a.Client(t)
		c.SignIn("admin@demo.test")
		_, body := c.Get("/exceptions")
		doc, _ := goquery.NewDocumentFromReader(strings.NewReader(body))
		form := url.Values{"action": {"assign"}}
		doc.Find(`[data-testid="exception-row"] input[type="checkbox"][name="ids"]`).Each(func(_ int, s *goquery.Selection) {
			v, _ := s.Attr("value")
			form.Add("ids", v)
		})
		var opsID string
		doc.Find(`#bulk select[name="owner"] option`).Each(func(_ int, s *goquery.Selection) {
			if s.Text() == "Olivia Chen" {
				opsID, _ = s.Attr("value")
			}
		})
		form.Set("owner", opsID)
		if len(form["ids"]) < 2 || opsID == "" {
			t.Fatalf("ids %v owner %q", form["ids"], opsID)
		}
		resp, _ := c.PostForm("/exceptions/bulk", form)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("bulk assign: %d", resp.StatusCode)
		}
		_, total, err := a.DB.Exceptions(t.Context(), store.ExceptionQuery{Owner: opsID, Limit: 100})
		if err != nil || total != len(form["ids"]) {
			t.Fatalf("assigned %d of %d (%v)", total, len(form["ids"]), err)
		}
	})
}

func TestOrderActionAPI(t *testing.T) {
	a, s := queueApp(t)
	c := a.Client(t)
	c.SignIn("ops@demo.test")
	c.Get("/")
	post := func(path, ifMatch, body string) (*http.Response, map[string]any) {
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-CSRF-Token", c.CSRF)
		if ifMatch != "" {
			req.Header.Set("If-Match", ifMatch)
		}
		resp, b := c.Do(req)
		var out map[string]any
		json.Unmarshal([]byte(b), &out)
		return resp, out
	}
	st := stateOf(t, a.DB, s.OnHold)
	path := "/api/v1/orders/" + s.OnHold + "/holds/" + strconv.FormatInt(holdID(t, a.DB, s.OnHold), 10) + "/release"
	if resp, _ := post(path, "", `{"reason": "paid"}`); resp.StatusCode != http.StatusPreconditionRequired {
		t.Fatalf("without If-Match: %d", resp.StatusCode)
	}
	if resp, out := post(path, `"`+strconv.FormatInt(st.version+5, 10)+`"`, `{"reason": "paid"}`); resp.StatusCode != http.StatusPreconditionFailed || out["error"] == nil {
		t.Fatalf("stale If-Match: %d %v", resp.StatusCode, out)
	}
	if resp, _ := post(path, `"`+strconv.FormatInt(st.version, 10)+`"`, `{"reason": "paid", "extra": 1}`); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("unknown field: %d", resp.StatusCode)
	}
	resp, out := post(path, `"`+strconv.FormatInt(st.version, 10)+`"`, `{"reason": "paid"}`)
	if resp.StatusCode != http.StatusOK || out["has_hold"] != false || resp.Header.Get("ETag") != `"`+strconv.FormatInt(st.version+1, 10)+`"` {
		t.Fatalf("release: %d %v etag %s", resp.StatusCode, out["has_hold"], resp.Header.Get("ETag"))
	}
	resp, out = post("/api/v1/orders/"+s.OnHold+"/lines/1/cancel", resp.Header.Get("ETag"), `{"reason": "customer cancelled"}`)
	if resp.StatusCode != http.StatusOK || out["status"] != "cancelled" {
		t.Fatalf("cancel line: %d %v", resp.StatusCode, out)
	}
	csr := a.Client(t)
	csr.SignIn("csr@demo.test")
	csr.Get("/")
	req := httptest.NewRequest(http.MethodPost, "/api/v1/orders/"+s.Backordered+"/lines/1/substitute", strings.NewReader(`{"sku": "SKU-5000"}`))
	req.Header.Set("X-CSRF-Token", csr.CSRF)
	req.Header.Set("If-Match", strconv.FormatInt(stateOf(t, a.DB, s.Backordered).version, 10))
	if resp, body := csr.Do(req); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "not a substitute") {
		t.Fatalf("substitute that is not one: %d %s", resp.StatusCode, body)
	}
}

func TestCreditBadgeAgreesWithAvailableCredit(t *testing.T) {
	a := testapp.New(t, web.Config{}, func(db *store.DB) {
		fixtures.New(t, db).Customer(fixtures.Customer{Account: "C20001", Name: "Overdrawn Supply", CreditLimitCents: 100_000, OpenARCents: 150_000})
	})
	c := a.Client(t)
	c.SignIn("csr@demo.test")
	for _, path := range []string{"/customers/C20001", "/orders?q=Overdrawn"} {
		_, body := c.Get(path)
		doc, _ := goquery.NewDocumentFromReader(strings.NewReader(body))
		if got := doc.Find(`[data-testid="credit-badge"]`).First().Text(); got != "Over credit limit" {
			t.Errorf("%s: badge %q", path, got)
		}
	}
}
