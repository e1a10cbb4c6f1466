package handlers_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/internal/testapp"
	"github.com/oms/oms/web"
)

func TestWebhooksAPI(t *testing.T) {
	a := testapp.New(t, web.Config{}, seedCatalogue)
	_, admin := newToken(t, a.DB, domain.RoleAdmin)
	_, ops := newToken(t, a.DB, domain.RoleOps)
	do := func(method, path, token, body string) (int, string) {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, out := a.Client(t).Do(req)
		return resp.StatusCode, out
	}
	const good = `{"name": "Storefront", "url": "https://hooks.example.com/oms", "secret": "0123456789abcdef", "topics": ["group.shipped", "line.closed"]}`
	t.Run("ErrForbidden", func(t *testing.T) {
		if status, _ := do(http.MethodPost, "/api/v1/webhooks", ops, good); status != http.StatusForbidden {
			t.Fatalf("ops: %d", status)
		}
		if status, _ := do(http.MethodGet, "/api/v1/webhooks", ops, ""); status != http.StatusForbidden {
			t.Fatalf("ops list: %d", status)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		status, body := do(http.MethodPost, "/api/v1/webhooks", admin, `{"name": "", "url": "ftp://x", "secret": "short", "topics": ["order.nope"]}`)
		var e struct{ Fields map[string]string }
		json.Unmarshal([]byte(body), &e)
		if status != 422 || e.Fields["name"] == "" || e.Fields["url"] == "" || e.Fields["secret"] == "" || !strings.Contains(e.Fields["topics"], "order.nope") {
			t.Fatalf("%d %s", status, body)
		}
	})
	t.Run("OK", func(t *testing.T) {
		status, body := do(http.MethodPost, "/api/v1/webhooks", admin, good)
		var w struct {
			ID     int64    `json:"id"`
			Topics []string `json:"topics"`
		}
		if status != 201 || json.Unmarshal([]byte(body), &w) != nil || w.ID == 0 || len(w.Topics) != 2 || strings.Contains(body, "0123456789abcdef") {
			t.Fatalf("create: %d %s", status, body)
		}
		status, body = do(http.MethodGet, "/api/v1/webhooks", admin, "")
		if status != 200 || !strings.Contains(body, `"Storefront"`) || strings.Contains(body, "0123456789abcdef") {
			t.Fatalf("list: %d %s", status, body)
		}
		if status, body := do(http.MethodDelete, "/api/v1/webhooks/"+itoa(w.ID), admin, ""); status != 204 {
			t.Fatalf("delete: %d %s", status, body)
		}
		if status, _ := do(http.MethodDelete, "/api/v1/webhooks/"+itoa(w.ID), admin, ""); status != 404 {
			t.Fatalf("delete again: %d", status)
		}
	})
}

func TestIntegrationsWebhooks(t *testing.T) {
	a := testapp.New(t, web.Config{}, seedCatalogue)
	admin := a.Client(t)
	admin.SignIn("admin@demo.test")
	resp, body := admin.Get("/integrations")
	doc := testapp.Doc(t, body)
	if resp.StatusCode != 200 || doc.Find(`[data-testid="no-webhooks"]`).Length() != 1 || doc.Find(`[data-testid="webhook-form"]`).Length() != 1 {
		t.Fatalf("%d: %s", resp.StatusCode, body)
	}
	form := url.Values{"name": {"Acme storefront"}, "url": {"https://hooks.example.com/oms"}, "secret": {"a-secret-of-16-chars"},
		"topics": {"group.shipped", "line.closed"}}
	if resp, body := admin.PostForm("/integrations/webhooks", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add: %d %s", resp.StatusCode, body)
	}
	_, body = admin.Get("/integrations")
	doc = testapp.Doc(t, body)
	row := doc.Find(`[data-testid="webhook-row"]`)
	if row.Length() != 1 || !strings.Contains(row.Text(), "group.shipped, line.closed") || strings.Contains(body, "a-secret-of-16-chars") {
		t.Fatalf("webhook list: %s", body)
	}
	card := doc.Find(`[data-testid^="endpoint-webhook:"]`)
	if card.Length() != 1 || !strings.Contains(card.Text(), "Webhook: Acme storefront") {
		t.Fatalf("webhook card: %s", body)
	}
	t.Run("ErrInvalid", func(t *testing.T) {
		bad := url.Values{"name": {"x"}, "url": {"not a url"}, "secret": {"short"}}
		if resp, body := admin.PostForm("/integrations/webhooks", bad); resp.StatusCode != 422 || !strings.Contains(body, "url must be") {
			t.Fatalf("bad form: %d %s", resp.StatusCode, body)
		}
	})
	t.Run("OpsReadsOnly", func(t *testing.T) {
		c := a.Client(t)
		c.SignIn("ops@demo.test")
		_, body := c.Get("/integrations")
		doc := testapp.Doc(t, body)
		if doc.Find(`[data-testid="webhook-row"]`).Length() != 1 || doc.Find(`[data-testid="webhook-form"]`).Length() != 0 {
			t.Fatalf("ops view: %s", body)
		}
		if resp, _ := c.PostForm("/integrations/webhooks", form); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("ops add: %d", resp.StatusCode)
		}
	})
	t.Run("Remove", func(t *testing.T) {
		id, _ := doc.Find(`[data-testid="webhook-row"] form`).Attr("action")
		if resp, body := admin.PostForm(id, nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("remove: %d %s", resp.StatusCode, body)
		}
		_, body := admin.Get("/integrations")
		if !strings.Contains(body, `data-testid="no-webhooks"`) {
			t.Fatalf("after remove: %s", body)
		}
	})
}
