package handlers_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/oms/oms/internal/testapp"
	"github.com/oms/oms/store"
	"github.com/oms/oms/web"
)

func TestIntegrationsPage(t *testing.T) {
	a := testapp.New(t, web.Config{Endpoints: map[string]string{"wms": "https://wms.example/in"}}, seedCatalogue)
	ctx := t.Context()
	if _, err := a.DB.ApplyInventoryDeltas(ctx, store.InventoryDeltas{MessageID: "rcv-1", Rows: []store.StockDelta{
		{SKU: "SKU-1", Location: "DAL", Quantity: 5, Kind: "receipt"}}}); err != nil {
		t.Fatal(err)
	}
	t.Run("OpsReads", func(t *testing.T) {
		c := a.Client(t)
		c.SignIn("ops@demo.test")
		resp, body := c.Get("/integrations")
		doc := testapp.Doc(t, body)
		if resp.StatusCode != 200 || doc.Find(`[data-testid="endpoint-wms"]`).Length() != 1 || doc.Find(`[data-testid="inbound"]`).Length() != 1 {
			t.Fatalf("%d: %s", resp.StatusCode, body)
		}
	})
	t.Run("ErrForbiddenCSR", func(t *testing.T) {
		c := a.Client(t)
		c.SignIn("csr@demo.test")
		if resp, _ := c.Get("/integrations"); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("csr: %d", resp.StatusCode)
		}
	})
	t.Run("ErrForbiddenOpsRetry", func(t *testing.T) {
		c := a.Client(t)
		c.SignIn("ops@demo.test")
		c.Get("/integrations")
		if resp, _ := c.PostForm("/integrations/outbox/1/retry", url.Values{}); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("ops retry: %d", resp.StatusCode)
		}
	})
}
