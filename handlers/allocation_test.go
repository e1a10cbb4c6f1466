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

	"github.com/oms/oms/domain"
	"github.com/oms/oms/internal/testapp"
	"github.com/oms/oms/store"
	"github.com/oms/oms/web"
)

// seedReroute makes two DCs, one item stocked at both and a B2B order of
// 10 of it shipping to Dallas, sourced (one planned shipment from DAL).
func seedReroute(tb testing.TB, db *store.DB) {
	tb.Helper()
	ctx := context.Background()
	const at = "2026-11-20T10:00:00.000Z"
	err := db.Update(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{
			`INSERT INTO locations (id, code, name, type, serves, city, region, postal_code, latitude, longitude, cost_per_shipment_cents)
				VALUES (1, 'DAL', 'Dallas DC', 'dc', 'both', 'Dallas', 'TX', '75201', 32.78, -96.80, 900),
				       (2, 'HBG', 'Harrisburg DC', 'dc', 'b2b', 'Harrisburg', 'PA', '17101', 40.26, -76.88, 800)`,
			`INSERT INTO items (id, sku, description, list_price_cents, updated_at) VALUES (1, 'BOLT-10', 'Hex bolt M10', 1250, '` + at + `')`,
			`INSERT INTO inventory (item_id, location_id, on_hand, on_hand_as_of) VALUES (1, 1, 40, '` + at + `'), (1, 2, 40, '` + at + `')`,
			`INSERT INTO customers (id, account, name, type, created_at) VALUES (1, 'C100', 'Lone Star Supply', 'b2b', '` + at + `')`,
			`INSERT INTO orders (id, number, channel, customer_id, ship_name, ship_line1, ship_city, ship_region, ship_postal_code,
				status, total_cents, created_by, created_at, updated_at)
				VALUES (1, 'SO-200001', 'phone', 1, 'Dock 4', '1 Main St', 'Dallas', 'TX', '75201', 'backordered', 12500, 'test', '` + at + `', '` + at + `')`,
			`INSERT INTO order_lines (order_id, line_no, item_id, sku, description, quantity, unit_price_cents, qty_backordered, status)
				VALUES (1, 1, 1, 'BOLT-10', 'Hex bolt M10', 10, 1250, 10, 'backordered')`,
		} {
			if _, err := tx.Exec(q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	if err := db.EnsureDemoRules(ctx, "setup"); err != nil {
		tb.Fatal(err)
	}
	if _, err := db.SourceOrder(ctx, "SO-200001", "setup"); err != nil {
		tb.Fatal(err)
	}
}

func rerouteApp(t *testing.T, email string) (*testapp.App, *testapp.Client) {
	t.Helper()
	a := testapp.New(t, web.Config{}, func(db *store.DB) { seedReroute(t, db) })
	c := a.Client(t)
	c.SignIn(email)
	return a, c
}

func version(t *testing.T, db *store.DB) int64 {
	t.Helper()
	o, err := db.APIOrderByNumber(t.Context(), "SO-200001")
	if err != nil {
		t.Fatal(err)
	}
	return o.Version
}

func TestAllocationPanelRoles(t *testing.T) {
	a, ops := rerouteApp(t, "ops@demo.test")
	_, body := ops.Get("/orders/SO-200001")
	doc := testapp.Doc(t, body)
	if doc.Find(`[data-testid="csr-reroute-toggle"]`).Length() != 0 {
		t.Fatal("ops sees the admin's switch")
	}
	if doc.Find(`#allocation [data-testid="matrix-row"]`).Length() != 1 || doc.Find(`[data-testid="cell-1-DAL"]`).AttrOr("value", "") != "10" {
		t.Fatalf("ops sees no matrix with 10 at DAL")
	}
	csr := a.Client(t)
	csr.SignIn("csr@demo.test")
	if _, body := csr.Get("/orders/SO-200001"); strings.Contains(body, `id="allocation"`) {
		t.Fatal("customer service sees the allocation panel without the setting")
	}
	resp, _ := csr.HTMX(http.MethodPost, "/orders/SO-200001/allocation/preview", url.Values{"version": {"1"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("csr preview: %d", resp.StatusCode)
	}
	admin := a.Client(t)
	admin.SignIn("admin@demo.test")
	_, body = admin.Get("/orders/SO-200001")
	if testapp.Doc(t, body).Find(`[data-testid="csr-reroute-toggle"]`).Length() != 1 {
		t.Fatal("the admin sees no switch for customer service")
	}
	if resp, _ := admin.PostForm("/admin/settings/reroute", url.Values{"allowed": {"true"}, "order": {"SO-200001"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("admin setting: %d", resp.StatusCode)
	}
	if resp, _ := ops.PostForm("/admin/settings/reroute", url.Values{"allowed": {"false"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("ops changing the setting: %d", resp.StatusCode)
	}
	if _, body := csr.Get("/orders/SO-200001"); !strings.Contains(body, `id="allocation"`) {
		t.Fatal("customer service does not see the panel once allowed")
	}
}

func TestAllocationScreen(t *testing.T) {
	a, c := rerouteApp(t, "ops@demo.test")
	v := strconv.FormatInt(version(t, a.DB), 10)
	split := url.Values{"version": {v}, "q.1.DAL": {"6"}, "q.1.HBG": {"4"}, "bo.1": {"0"}}
	t.Run("PreviewReservesNothing", func(t *testing.T) {
		resp, body := c.HTMX(http.MethodPost, "/orders/SO-200001/allocation/preview", split)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		doc := testapp.Doc(t, body)
		if got := strings.Join(strings.Fields(doc.Find(`[data-testid="preview-shipments"]`).Text()), " "); got != "1 → 2" {
			t.Fatalf("shipments %q", got)
		}
		if doc.Find(`[data-testid="preview-breaks"]`).Length() != 0 {
			t.Fatal("a split of a $125 order breaks no rule")
		}
		if version(t, a.DB) != mustInt(v) {
			t.Fatal("a preview changed the order")
		}
	})
	t.Run("ErrInvalidTotal", func(t *testing.T) {
		bad := url.Values{"version": {v}, "q.1.DAL": {"6"}, "q.1.HBG": {"6"}, "bo.1": {"0"}}
		resp, body := c.HTMX(http.MethodPost, "/orders/SO-200001/allocation/preview", bad)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "add up to 12") {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
	t.Run("ConfirmThenConflict", func(t *testing.T) {
		_, body := c.HTMX(http.MethodPost, "/orders/SO-200001/allocation/preview", split)
		moves := testapp.Doc(t, body).Find(`[data-testid="allocation-confirm-form"] input[name=moves]`).AttrOr("value", "")
		confirm := url.Values{"version": {v}, "moves": {moves}, "reason": {"HBG truck leaves first"}}
		resp, _ := c.HTMX(http.MethodPost, "/orders/SO-200001/allocation", confirm)
		if resp.StatusCode != http.StatusNoContent || resp.Header.Get("HX-Redirect") == "" {
			t.Fatalf("confirm: status %d", resp.StatusCode)
		}
		// A colleague confirming the same preview a second later.
		resp, body = c.HTMX(http.MethodPost, "/orders/SO-200001/allocation", confirm)
		doc := testapp.Doc(t, body)
		if resp.StatusCode != http.StatusConflict || !strings.Contains(doc.Find(`[data-testid="allocation-message"]`).Text(), "changed since you opened it") {
			t.Fatalf("second confirm: status %d", resp.StatusCode)
		}
		if doc.Find(`[data-testid="cell-1-HBG"]`).AttrOr("value", "") != "4" {
			t.Fatal("the conflict does not show the fresh plan")
		}
	})
}

func mustInt(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

func apiMoves(t *testing.T, c *testapp.Client, ifMatch, query, body string) (*http.Response, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/api/v1/orders/SO-200001/moves"+query, strings.NewReader(body))
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

func TestAllocationAPI(t *testing.T) {
	a, c := rerouteApp(t, "ops@demo.test")
	v := version(t, a.DB)
	move := `{"moves": [{"line_no": 1, "from_shipment": 1, "to": "HBG", "quantity": 4}], "reason": "split"}`
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
		{"ErrInvalidMove", strconv.FormatInt(v, 10), "", `{"moves": [{"line_no": 1, "from_shipment": 1, "to": "NOPE", "quantity": 4}]}`, http.StatusUnprocessableEntity, false},
		{"ErrUnknownField", strconv.FormatInt(v, 10), "", `{"moves": [], "force": true}`, http.StatusUnprocessableEntity, false},
		{"DryRun", strconv.FormatInt(v, 10), "?dry_run=1", move, http.StatusOK, false},
		{"OK", `"` + strconv.FormatInt(v, 10) + `"`, "", move, http.StatusOK, true},
		{"ErrStaleAfterChange", strconv.FormatInt(v, 10), "", move, http.StatusPreconditionFailed, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, m := apiMoves(t, c, tt.ifMatch, tt.query, tt.body)
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
	if got := version(t, a.DB); got != v+1 {
		t.Fatalf("version %d, want %d: only the one applied change moves it", got, v+1)
	}
	req := httptest.NewRequest(http.MethodGet, "/api/v1/orders/SO-200001/allocation", nil)
	resp, body := c.Do(req)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"planned":4`) || resp.Header.Get("ETag") != strconv.Quote(strconv.FormatInt(v+1, 10)) {
		t.Fatalf("allocation: %d %s", resp.StatusCode, body)
	}
}

func TestRecallAPI(t *testing.T) {
	a, c := rerouteApp(t, "ops@demo.test")
	ctx := t.Context()
	v := version(t, a.DB)
	if _, err := a.DB.ReleaseGroup(ctx, store.OrderAction{Number: "SO-200001", Version: v, Actor: "ops", Role: domain.RoleOps}, 1); err != nil {
		t.Fatal(err)
	}
	resp, m := apiMoves(t, c, strconv.FormatInt(v+1, 10), "", `{"moves": [{"line_no": 1, "from_shipment": 1, "to": "HBG", "quantity": 10}]}`)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("move out of a released shipment: %d %v", resp.StatusCode, m)
	}
	if _, body := c.Get("/orders/SO-200001"); !strings.Contains(body, `data-testid="recall-requested"`) {
		t.Fatal("the order page does not show the recall")
	}
	post := func(path, body string) int {
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-CSRF-Token", c.CSRF)
		resp, _ := c.Do(req)
		return resp.StatusCode
	}
	if s := post("/api/v1/orders/SO-200001/shipments/1/recall/confirm", ""); s != http.StatusOK {
		t.Fatalf("confirm: %d", s)
	}
	// Every unit left shipment 1, so it is gone: nothing to refuse.
	if s := post("/api/v1/orders/SO-200001/shipments/1/recall/refuse", `{"note": "gone"}`); s != http.StatusNotFound {
		t.Fatalf("refusing a recall already confirmed: %d", s)
	}
	al, err := a.DB.OrderAllocation(ctx, "SO-200001")
	if err != nil {
		t.Fatal(err)
	}
	if len(al.Current.Groups) != 1 || al.Current.Groups[0].LocationCode != "HBG" || al.Current.Groups[0].Status != "planned" {
		t.Fatalf("after the recall: %+v", al.Current.Groups)
	}
}
