package handlers_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/internal/testapp"
	"github.com/oms/oms/web"
)

func TestInboundAPI(t *testing.T) {
	a := testapp.New(t, web.Config{}, seedCatalogue)
	_, sales := newToken(t, a.DB, domain.RoleSales)
	_, ops := newToken(t, a.DB, domain.RoleOps)
	post := func(tb testing.TB, path, token, body string, header ...string) (int, string) {
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, out := a.Client(tb).Do(req)
		return resp.StatusCode, out
	}
	status, body := post(t, "/api/v1/orders", sales, `{"customer_account": "C100", "po_number": "PO-IN-1", "ship_to_code": "MAIN",
		"lines": [{"sku": "SKU-1", "quantity": 10}]}`, "Idempotency-Key", "in-1")
	if status != 201 {
		t.Fatalf("order: %d %s", status, body)
	}
	var order struct{ Number string }
	json.Unmarshal([]byte(body), &order)
	if n, err := a.DB.ReleasePlannedGroups(t.Context(), 10); err != nil || n != 1 {
		t.Fatalf("release: %d %v", n, err)
	}

	t.Run("ErrForbidden", func(t *testing.T) {
		if status, _ := post(t, "/api/v1/inbound/inventory-deltas", sales, `{"message_id": "x", "rows": []}`); status != 403 {
			t.Fatalf("sales token: %d", status)
		}
	})
	t.Run("BadRowsNamed", func(t *testing.T) {
		status, body := post(t, "/api/v1/inbound/inventory-snapshots", ops, `{"message_id": "snap-bad", "location": "DAL",
			"as_of": "2026-11-20T10:00:00Z", "rows": [{"sku": "SKU-1", "on_hand": 5}, {"sku": "NOPE", "on_hand": 1}, {"sku": "CASE-12", "on_hand": -4}]}`)
		var e struct {
			Error  string
			Fields map[string]string
		}
		json.Unmarshal([]byte(body), &e)
		if status != 422 || e.Fields["rows[1].sku"] == "" || e.Fields["rows[2].on_hand"] == "" || !strings.Contains(e.Error, "nothing was applied") {
			t.Fatalf("%d %s", status, body)
		}
		if n := countRows(t, a.DB, `SELECT on_hand FROM inventory i JOIN items it ON it.id = i.item_id WHERE it.sku = 'SKU-1'`); n != 1000 {
			t.Fatalf("on hand %d after a refused snapshot", n)
		}
	})
	t.Run("ErrUnknownField", func(t *testing.T) {
		status, body := post(t, "/api/v1/inbound/invoices", ops, `{"message_id": "i", "invoice": "X"}`)
		if status != 422 || !strings.Contains(body, "invoice") {
			t.Fatalf("%d %s", status, body)
		}
	})
	t.Run("ShipPartlyThenInvoice", func(t *testing.T) {
		ship := `{"message_id": "wms-1", "order": "` + order.Number + `", "group": 1, "carrier": "UPS", "tracking_number": "1Z999",
			"shipped_at": "2026-11-21T10:00:00Z", "lines": [{"line_no": 1, "quantity": 6}]}`
		status, body := post(t, "/api/v1/inbound/shipments", ops, ship)
		if status != 200 || !strings.Contains(body, `"status":"applied"`) {
			t.Fatalf("%d %s", status, body)
		}
		status, body = post(t, "/api/v1/inbound/shipments", ops, ship)
		if status != 200 || !strings.Contains(body, `"status":"duplicate"`) {
			t.Fatalf("again: %d %s", status, body)
		}
		status, body = post(t, "/api/v1/inbound/invoices", ops, `{"message_id": "erp-inv-1", "invoice_number": "INV-1", "order": "`+order.Number+`",
			"amount_cents": 6000}`)
		if status != 200 {
			t.Fatalf("invoice: %d %s", status, body)
		}
		resp, body := func() (*http.Response, string) {
			req := httptest.NewRequest(http.MethodGet, "/api/v1/orders/"+order.Number, nil)
			req.Header.Set("Authorization", "Bearer "+ops)
			return a.Client(t).Do(req)
		}()
		var o struct {
			Status string
			Units  struct{ Shipped, Backordered int64 }
		}
		json.Unmarshal([]byte(body), &o)
		if resp.StatusCode != 200 || o.Status != "partially_shipped" || o.Units.Shipped != 6 || o.Units.Backordered != 4 {
			t.Fatalf("order after partial shipment and invoice: %s", body)
		}
	})
	t.Run("ReceiptAndSupply", func(t *testing.T) {
		status, body := post(t, "/api/v1/inbound/supply", ops, `{"message_id": "po-1", "rows": [{"po_number": "PO-77", "sku": "SKU-1",
			"location": "DAL", "quantity": 50, "expected_date": "2026-12-10"}]}`)
		if status != 200 {
			t.Fatalf("supply: %d %s", status, body)
		}
		status, body = post(t, "/api/v1/inbound/inventory-deltas", ops, `{"message_id": "rcv-1", "rows": [{"sku": "SKU-1", "location": "DAL",
			"quantity": 50, "kind": "receipt", "po_number": "PO-77"}]}`)
		if status != 200 {
			t.Fatalf("receipt: %d %s", status, body)
		}
		if n := countRows(t, a.DB, `SELECT count(*) FROM inbound_supply WHERE po_number = 'PO-77' AND status = 'received'`); n != 1 {
			t.Fatalf("supply not received")
		}
	})
}

func TestEventsFeed(t *testing.T) {
	a := testapp.New(t, web.Config{}, seedCatalogue)
	_, sales := newToken(t, a.DB, domain.RoleSales)
	get := func(path string) (int, string) {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Authorization", "Bearer "+sales)
		resp, body := a.Client(t).Do(req)
		return resp.StatusCode, body
	}
	req := httptest.NewRequest(http.MethodPost, "/api/v1/orders", strings.NewReader(`{"customer_account": "C100", "po_number": "PO-EV-1",
		"ship_to_code": "MAIN", "lines": [{"sku": "SKU-1", "quantity": 3}]}`))
	req.Header.Set("Authorization", "Bearer "+sales)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", "ev-1")
	if resp, body := a.Client(t).Do(req); resp.StatusCode != 201 {
		t.Fatalf("order: %s", body)
	}
	type page struct {
		Events []struct {
			ID, Order, Kind string
			OrderVersion    *int64  `json:"order_version"`
			StatusAfter     *string `json:"status_after"`
		}
		NextCursor string `json:"next_cursor"`
		HasMore    bool   `json:"has_more"`
	}
	var all []string
	cursor := ""
	for {
		status, body := get("/api/v1/events?limit=1&after=" + cursor)
		var p page
		if status != 200 || json.Unmarshal([]byte(body), &p) != nil {
			t.Fatalf("%d %s", status, body)
		}
		for _, e := range p.Events {
			all = append(all, e.Kind)
			if e.OrderVersion == nil {
				t.Fatalf("event without the order's version: %s", body)
			}
		}
		cursor = p.NextCursor
		if !p.HasMore {
			break
		}
	}
	if len(all) < 2 || all[0] != "order.created" {
		t.Fatalf("feed %v", all)
	}
	if status, _ := get("/api/v1/events?after=x"); status != 422 {
		t.Fatalf("bad cursor: %d", status)
	}
}
