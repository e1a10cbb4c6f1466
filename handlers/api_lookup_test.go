package handlers_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/internal/testapp"
	"github.com/oms/oms/store"
	"github.com/oms/oms/web"
)

func TestLookupAPI(t *testing.T) {
	a := testapp.New(t, web.Config{}, seedCatalogue)
	_, csr := newToken(t, a.DB, domain.RoleCSR)
	get := func(tb testing.TB, path, token string) (int, string) {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, body := a.Client(tb).Do(req)
		return resp.StatusCode, body
	}
	t.Run("Items", func(t *testing.T) {
		status, body := get(t, "/api/v1/items?q=case", csr)
		var out struct{ Items []store.ItemMatch }
		if err := json.Unmarshal([]byte(body), &out); status != 200 || err != nil || len(out.Items) != 1 {
			t.Fatalf("%d %s", status, body)
		}
		it := out.Items[0]
		if it.SKU != "CASE-12" || len(it.Stock) != 1 || it.Stock[0].OnHand != 1200 || it.Stock[0].SafetyStock != 5 || it.Stock[0].Available != 1195 {
			t.Fatalf("%+v", it)
		}
	})
	t.Run("CustomersByPhone", func(t *testing.T) {
		status, body := get(t, "/api/v1/customers?q=972-555-0200", csr)
		var out struct{ Customers []store.CustomerMatch }
		if err := json.Unmarshal([]byte(body), &out); status != 200 || err != nil || len(out.Customers) != 1 || out.Customers[0].Account != "C200" {
			t.Fatalf("%d %s", status, body)
		}
	})
	t.Run("CustomersCreditStatus", func(t *testing.T) {
		_, body := get(t, "/api/v1/customers?q=C300", csr)
		var out struct{ Customers []store.CustomerMatch }
		json.Unmarshal([]byte(body), &out)
		if len(out.Customers) != 1 || out.Customers[0].CreditStatus != "hold" || len(out.Customers[0].ShipTos) != 1 {
			t.Fatalf("%s", body)
		}
	})
	t.Run("WildcardsAreText", func(t *testing.T) {
		_, body := get(t, "/api/v1/items?q=%25", csr)
		if body != `{"items":[]}` {
			t.Fatalf("%% matched: %s", body)
		}
	})
	t.Run("ErrNoQuery", func(t *testing.T) {
		if status, _ := get(t, "/api/v1/items", csr); status != http.StatusUnprocessableEntity {
			t.Fatalf("%d", status)
		}
	})
	t.Run("ErrUnauthorized", func(t *testing.T) {
		if status, _ := get(t, "/api/v1/customers?q=C1", ""); status != http.StatusUnauthorized {
			t.Fatalf("%d", status)
		}
	})
	t.Run("SessionWorks", func(t *testing.T) {
		c := a.Client(t)
		c.SignIn("csr@demo.test")
		if resp, _ := c.Get("/api/v1/items?q=SKU-1"); resp.StatusCode != 200 {
			t.Fatalf("%d", resp.StatusCode)
		}
	})
	t.Run("OpenAPINeedsNoAuth", func(t *testing.T) {
		status, body := get(t, "/api/v1/openapi.json", "")
		var spec map[string]any
		if status != 200 || json.Unmarshal([]byte(body), &spec) != nil || spec["openapi"] != "3.0.3" {
			t.Fatalf("%d", status)
		}
	})
}
