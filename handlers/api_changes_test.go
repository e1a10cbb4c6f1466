package handlers_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/internal/testapp"
	"github.com/oms/oms/web"
)

func TestOrdersUpdatedSince(t *testing.T) {
	a := testapp.New(t, web.Config{}, seedCatalogue)
	_, ops := newToken(t, a.DB, domain.RoleOps)
	do := func(method, path, body string, header ...string) (int, string) {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+ops)
		req.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, out := a.Client(t).Do(req)
		return resp.StatusCode, out
	}
	start := time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)
	var numbers []string
	for _, po := range []string{"PO-U1", "PO-U2", "PO-U3"} {
		status, body := do(http.MethodPost, "/api/v1/orders", `{"customer_account": "C100", "po_number": "`+po+`",
			"ship_to_code": "MAIN", "lines": [{"sku": "SKU-1", "quantity": 2}]}`, "Idempotency-Key", po)
		if status != 201 {
			t.Fatalf("order: %d %s", status, body)
		}
		var o struct{ Number string }
		json.Unmarshal([]byte(body), &o)
		numbers = append(numbers, o.Number)
	}
	type page struct {
		Orders []struct {
			Number      string  `json:"number"`
			Version     int64   `json:"version"`
			Status      string  `json:"status"`
			UpdatedAt   *string `json:"updated_at"`
			LastEventID string  `json:"last_event_id"`
		} `json:"orders"`
		NextCursor string `json:"next_cursor"`
		HasMore    bool   `json:"has_more"`
	}
	get := func(t *testing.T, query string) page {
		t.Helper()
		status, body := do(http.MethodGet, "/api/v1/orders?"+query, "")
		var p page
		if status != 200 || json.Unmarshal([]byte(body), &p) != nil {
			t.Fatalf("%s: %d %s", query, status, body)
		}
		return p
	}
	t.Run("OK", func(t *testing.T) {
		p := get(t, "limit=2&updated_since="+url.QueryEscape(start))
		if len(p.Orders) != 2 || !p.HasMore || p.Orders[0].Number != numbers[0] || p.Orders[0].Version == 0 || p.Orders[0].UpdatedAt == nil {
			t.Fatalf("first page %+v", p)
		}
		// The first order changes while we page: it comes again after the third.
		if status, body := do(http.MethodPost, "/api/v1/orders/"+numbers[0]+"/cancel", `{"reason": "customer asked"}`,
			"If-Match", `"`+itoa(p.Orders[0].Version)+`"`); status != 200 {
			t.Fatalf("cancel: %d %s", status, body)
		}
		var rest []string
		cursor := p.NextCursor
		for {
			p := get(t, "limit=1&cursor="+url.QueryEscape(cursor))
			for _, o := range p.Orders {
				rest = append(rest, o.Number+":"+o.Status)
			}
			cursor = p.NextCursor
			if !p.HasMore {
				break
			}
		}
		if want := numbers[2] + ":allocated," + numbers[0] + ":cancelled"; strings.Join(rest, ",") != want {
			t.Fatalf("rest %v, want %s", rest, want)
		}
		// Nothing changed since: an empty page that keeps the cursor.
		if p := get(t, "cursor="+url.QueryEscape(cursor)); len(p.Orders) != 0 || p.HasMore || p.NextCursor != cursor {
			t.Fatalf("after the end %+v", p)
		}
	})
	t.Run("MatchesOpenAPI", func(t *testing.T) {
		schemas := openAPISchemaKeys(t, a)
		_, body := do(http.MethodGet, "/api/v1/orders?limit=1&updated_since="+url.QueryEscape(start), "")
		page := decodeObject(t, body)
		for _, check := range []struct {
			schema string
			object map[string]json.RawMessage
		}{{"ChangedOrderPage", page}, {"ChangedOrder", decodeObject(t, string(decodeArray(t, page["orders"])[0]))}} {
			want := schemas[check.schema]
			if len(want) != len(check.object) {
				t.Errorf("%s: %d fields, the OpenAPI file has %d", check.schema, len(check.object), len(want))
			}
			for k := range check.object {
				if _, ok := want[k]; !ok {
					t.Errorf("%s: field %s is not in the OpenAPI file", check.schema, k)
				}
			}
		}
	})
	t.Run("Future", func(t *testing.T) {
		if p := get(t, "updated_since="+url.QueryEscape(time.Now().Add(time.Hour).UTC().Format(time.RFC3339))); len(p.Orders) != 0 {
			t.Fatalf("orders changed in the future: %+v", p)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, q := range []string{"updated_since=yesterday", "cursor=%21%21", "updated_since=2026-01-01T00:00:00Z&limit=5000"} {
			if status, body := do(http.MethodGet, "/api/v1/orders?"+q, ""); status != 422 || !strings.Contains(body, `"fields"`) {
				t.Errorf("%s: %d %s", q, status, body)
			}
		}
	})
}

func TestEventsFeedInventory(t *testing.T) {
	a := testapp.New(t, web.Config{}, seedCatalogue)
	_, ops := newToken(t, a.DB, domain.RoleOps)
	do := func(method, path, body string) (int, string) {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+ops)
		req.Header.Set("Content-Type", "application/json")
		resp, out := a.Client(t).Do(req)
		return resp.StatusCode, out
	}
	if status, body := do(http.MethodPost, "/api/v1/inbound/inventory-deltas", `{"message_id": "inv-1", "rows": [
		{"sku": "SKU-1", "location": "DAL", "quantity": 5, "kind": "receipt"}]}`); status != 200 {
		t.Fatalf("receipt: %d %s", status, body)
	}
	status, body := do(http.MethodGet, "/api/v1/events", "")
	var p struct {
		Events []struct {
			ID        string `json:"id"`
			Order     string `json:"order"`
			Kind      string `json:"kind"`
			Inventory []struct {
				SKU       string `json:"sku"`
				Location  string `json:"location"`
				Quantity  int64  `json:"quantity"`
				OnHand    int64  `json:"on_hand"`
				Available int64  `json:"available"`
			} `json:"inventory"`
		} `json:"events"`
	}
	if status != 200 || json.Unmarshal([]byte(body), &p) != nil || len(p.Events) == 0 {
		t.Fatalf("%d %s", status, body)
	}
	e := p.Events[len(p.Events)-1]
	if e.Kind != "inventory.receipt" || e.Order != "" || len(e.Inventory) != 1 {
		t.Fatalf("receipt event %+v in %s", e, body)
	}
	if st := e.Inventory[0]; st.SKU != "SKU-1" || st.Location != "DAL" || st.Quantity != 5 || st.OnHand < 5 || st.Available > st.OnHand {
		t.Fatalf("receipt %+v in %s", st, body)
	}
	if len(p.Events) > 1 && !strings.Contains(body, `"inventory":[]`) {
		t.Fatalf("order events without inventory []: %s", body)
	}
}
