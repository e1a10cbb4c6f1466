package handlers_test

import (
	"database/sql"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/internal/testapp"
	"github.com/oms/oms/store"
)

// rerouteApp is the small network (newOpsApp) with SO-2 to SO-4 as copies
// of SO-1 (5 BOLT-10 to Dallas, planned at DAL), so that each subtest has
// an order of its own, and an operations manager signed in.
func rerouteApp(t *testing.T) (*testapp.App, *testapp.Client) {
	t.Helper()
	a := newOpsApp(t)
	ctx := t.Context()
	for _, number := range []string{"SO-2", "SO-3", "SO-4"} {
		err := a.DB.Update(ctx, func(tx *sql.Tx) error {
			r, err := tx.Exec(`INSERT INTO orders (number, channel, customer_id, ship_name, ship_line1, ship_city, ship_region, ship_postal_code,
					status, total_cents, created_by, created_at, updated_at)
				SELECT ?, channel, customer_id, ship_name, ship_line1, ship_city, ship_region, ship_postal_code,
					'backordered', total_cents, created_by, created_at, updated_at FROM orders WHERE number = 'SO-1'`, number)
			if err != nil {
				return err
			}
			id, _ := r.LastInsertId()
			_, err = tx.Exec(`INSERT INTO order_lines (order_id, line_no, item_id, sku, description, quantity, unit_price_cents, qty_backordered, status)
				SELECT ?, line_no, item_id, sku, description, quantity, unit_price_cents, quantity, 'backordered'
				FROM order_lines WHERE order_id = (SELECT id FROM orders WHERE number = 'SO-1')`, id)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.DB.SourceOrder(ctx, number, "setup"); err != nil {
			t.Fatal(err)
		}
	}
	c := a.Client(t)
	c.SignIn("ops@demo.test")
	return a, c
}

func version(t *testing.T, db *store.DB, number string) int64 {
	t.Helper()
	o, err := db.FullOrderByNumber(t.Context(), number)
	if err != nil {
		t.Fatal(err)
	}
	return o.Order.Version
}

// TestAllocation runs the allocation screen and API on one app: building
// an app creates and signs in users, which is slow by design (argon2id).
func TestAllocation(t *testing.T) {
	a, ops := rerouteApp(t)
	t.Run("PanelRoles", func(t *testing.T) { allocationPanelRoles(t, a, ops) })
	t.Run("Screen", func(t *testing.T) { allocationScreen(t, a, ops) })
	t.Run("API", func(t *testing.T) { allocationAPI(t, a, ops) })
	t.Run("Recall", func(t *testing.T) { recallAPI(t, a, ops) })
}

func allocationPanelRoles(t *testing.T, a *testapp.App, ops *testapp.Client) {
	_, body := ops.Get("/orders/SO-1")
	doc := testapp.Doc(t, body)
	if doc.Find(`[data-testid="csr-reroute-toggle"]`).Length() != 0 {
		t.Fatal("ops sees the admin's switch")
	}
	if doc.Find(`#allocation [data-testid="matrix-row"]`).Length() != 1 || doc.Find(`[data-testid="cell-1-DAL"]`).AttrOr("value", "") != "5" {
		t.Fatalf("ops sees no matrix with 5 at DAL")
	}
	csr := a.Client(t)
	csr.SignIn("csr@demo.test")
	if _, body := csr.Get("/orders/SO-1"); strings.Contains(body, `id="allocation"`) {
		t.Fatal("customer service sees the allocation panel without the setting")
	}
	resp, _ := csr.HTMX(http.MethodPost, "/orders/SO-1/allocation/preview", url.Values{"version": {"1"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("csr preview: %d", resp.StatusCode)
	}
	admin := a.Client(t)
	admin.SignIn("admin@demo.test")
	_, body = admin.Get("/orders/SO-1")
	if testapp.Doc(t, body).Find(`[data-testid="csr-reroute-toggle"]`).Length() != 1 {
		t.Fatal("the admin sees no switch for customer service")
	}
	if resp, _ := admin.PostForm("/admin/settings/reroute", url.Values{"allowed": {"true"}, "order": {"SO-1"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("admin setting: %d", resp.StatusCode)
	}
	if resp, _ := ops.PostForm("/admin/settings/reroute", url.Values{"allowed": {"false"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("ops changing the setting: %d", resp.StatusCode)
	}
	if _, body := csr.Get("/orders/SO-1"); !strings.Contains(body, `id="allocation"`) {
		t.Fatal("customer service does not see the panel once allowed")
	}
}

func allocationScreen(t *testing.T, a *testapp.App, c *testapp.Client) {
	v := strconv.FormatInt(version(t, a.DB, "SO-2"), 10)
	split := url.Values{"version": {v}, "q.1.DAL": {"3"}, "q.1.HBG": {"2"}, "bo.1": {"0"}}
	t.Run("PreviewReservesNothing", func(t *testing.T) {
		resp, body := c.HTMX(http.MethodPost, "/orders/SO-2/allocation/preview", split)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		doc := testapp.Doc(t, body)
		if got := strings.Join(strings.Fields(doc.Find(`[data-testid="preview-shipments"]`).Text()), " "); got != "1 → 2" {
			t.Fatalf("shipments %q", got)
		}
		if doc.Find(`[data-testid="preview-breaks"]`).Length() != 0 {
			t.Fatal("a split of a $62.50 order breaks no rule")
		}
		if version(t, a.DB, "SO-2") != mustInt(v) {
			t.Fatal("a preview changed the order")
		}
	})
	t.Run("ErrInvalidTotal", func(t *testing.T) {
		bad := url.Values{"version": {v}, "q.1.DAL": {"3"}, "q.1.HBG": {"3"}, "bo.1": {"0"}}
		resp, body := c.HTMX(http.MethodPost, "/orders/SO-2/allocation/preview", bad)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "add up to 6") {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
	t.Run("ConfirmThenConflict", func(t *testing.T) {
		_, body := c.HTMX(http.MethodPost, "/orders/SO-2/allocation/preview", split)
		moves := testapp.Doc(t, body).Find(`[data-testid="allocation-confirm-form"] input[name=moves]`).AttrOr("value", "")
		confirm := url.Values{"version": {v}, "moves": {moves}, "reason": {"HBG truck leaves first"}}
		resp, _ := c.HTMX(http.MethodPost, "/orders/SO-2/allocation", confirm)
		if resp.StatusCode != http.StatusNoContent || resp.Header.Get("HX-Redirect") == "" {
			t.Fatalf("confirm: status %d", resp.StatusCode)
		}
		// A colleague confirming the same preview a second later.
		resp, body = c.HTMX(http.MethodPost, "/orders/SO-2/allocation", confirm)
		doc := testapp.Doc(t, body)
		if resp.StatusCode != http.StatusConflict || !strings.Contains(doc.Find(`[data-testid="allocation-message"]`).Text(), "changed since you opened it") {
			t.Fatalf("second confirm: status %d", resp.StatusCode)
		}
		if doc.Find(`[data-testid="cell-1-HBG"]`).AttrOr("value", "") != "2" {
			t.Fatal("the conflict does not show the fresh plan")
		}
	})
}

func mustInt(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

func apiMoves(t *testing.T, c *testapp.Client, number, ifMatch, query, body string) (*http.Response, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/api/v1/orders/"+number+"/moves"+query, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", c.CSRF)
	if ifMatch != "" {
		req.Header.Set("If-Match", ifMatch)
	}
	resp, out := c.Do(req)
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("status %d, not JSON: %s", resp.StatusCode, out)
	}
	return resp, m
}

func allocationAPI(t *testing.T, a *testapp.App, c *testapp.Client) {
	v := version(t, a.DB, "SO-3")
	move := `{"moves": [{"line_no": 1, "from_shipment": 1, "to": "HBG", "quantity": 2}], "reason": "split"}`
	tests := []struct {
		name    string
		ifMatch string
		query   string
		body    string
		status  int
		applied bool
	}{
		{"ErrPreconditionRequired", "", "", move, http.StatusPreconditionRequired, false},
		{"ErrStale", `"99"`, "", move, http.StatusPreconditionFailed, false},
		{"ErrInvalidMove", strconv.FormatInt(v, 10), "", `{"moves": [{"line_no": 1, "from_shipment": 1, "to": "NOPE", "quantity": 2}]}`, http.StatusUnprocessableEntity, false},
		{"ErrUnknownField", strconv.FormatInt(v, 10), "", `{"moves": [], "force": true}`, http.StatusUnprocessableEntity, false},
		{"DryRun", strconv.FormatInt(v, 10), "?dry_run=1", move, http.StatusOK, false},
		{"OK", `"` + strconv.FormatInt(v, 10) + `"`, "", move, http.StatusOK, true},
		{"ErrStaleAfterChange", strconv.FormatInt(v, 10), "", move, http.StatusPreconditionFailed, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, m := apiMoves(t, c, "SO-3", tt.ifMatch, tt.query, tt.body)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %v", resp.StatusCode, tt.status, m)
			}
			if resp.StatusCode == http.StatusPreconditionFailed {
				if o, _ := m["order"].(map[string]any); o == nil || o["version"] == nil {
					t.Fatalf("412 without the fresh order: %v", m)
				}
			}
			if resp.StatusCode == http.StatusOK {
				if m["applied"] != tt.applied {
					t.Fatalf("applied %v", m["applied"])
				}
				pv := m["preview"].(map[string]any)
				if after := pv["after"].(map[string]any); after["shipments"] != float64(2) {
					t.Fatalf("after %v", after)
				}
			}
		})
	}
	if got := version(t, a.DB, "SO-3"); got != v+1 {
		t.Fatalf("version %d, want %d: only the one applied change moves it", got, v+1)
	}
	req := httptest.NewRequest(http.MethodGet, "/api/v1/orders/SO-3/allocation", nil)
	resp, body := c.Do(req)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"planned":2`) || resp.Header.Get("ETag") != strconv.Quote(strconv.FormatInt(v+1, 10)) {
		t.Fatalf("allocation: %d %s", resp.StatusCode, body)
	}
}

func recallAPI(t *testing.T, a *testapp.App, c *testapp.Client) {
	ctx := t.Context()
	v := version(t, a.DB, "SO-4")
	if _, err := a.DB.ReleaseGroup(ctx, store.OrderAction{Number: "SO-4", Version: v, Actor: "ops", Role: domain.RoleOps}, 1); err != nil {
		t.Fatal(err)
	}
	resp, m := apiMoves(t, c, "SO-4", strconv.FormatInt(v+1, 10), "", `{"moves": [{"line_no": 1, "from_shipment": 1, "to": "HBG", "quantity": 5}]}`)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("move out of a released shipment: %d %v", resp.StatusCode, m)
	}
	if _, body := c.Get("/orders/SO-4"); !strings.Contains(body, `data-testid="recall-requested"`) {
		t.Fatal("the order page does not show the recall")
	}
	post := func(path, body string) int {
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-CSRF-Token", c.CSRF)
		resp, _ := c.Do(req)
		return resp.StatusCode
	}
	if s := post("/api/v1/orders/SO-4/shipments/1/recall/confirm", ""); s != http.StatusOK {
		t.Fatalf("confirm: %d", s)
	}
	// Every unit left shipment 1, so it is gone: nothing to refuse.
	if s := post("/api/v1/orders/SO-4/shipments/1/recall/refuse", `{"note": "gone"}`); s != http.StatusNotFound {
		t.Fatalf("refusing a recall already confirmed: %d", s)
	}
	al, err := a.DB.OrderAllocation(ctx, "SO-4")
	if err != nil {
		t.Fatal(err)
	}
	if len(al.Current.Groups) != 1 || al.Current.Groups[0].LocationCode != "HBG" || al.Current.Groups[0].Status != "planned" {
		t.Fatalf("after the recall: %+v", al.Current.Groups)
	}
}
