package handlers_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/oms/oms/internal/testapp"
	"github.com/oms/oms/web"
)

func getItems(tb testing.TB, a *testapp.App, token string) int {
	tb.Helper()
	req := httptest.NewRequest(http.MethodGet, "/api/v1/items?q=SKU", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, _ := a.Client(tb).Do(req)
	return resp.StatusCode
}

func TestAPITokensPage(t *testing.T) {
	a := testapp.New(t, web.Config{}, seedCatalogue)
	c := a.Client(t)
	c.SignIn("admin@demo.test")
	c.Get("/admin/tokens")

	resp, body := c.PostForm("/admin/tokens", url.Values{"name": {"Shopify storefront"}, "role": {"sales"}})
	if resp.StatusCode != http.StatusCreated || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("status %d cache %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	secret, _ := testapp.Doc(t, body).Find(`[data-testid="token-secret"]`).Attr("value")
	if !strings.HasPrefix(secret, "oms_") {
		t.Fatalf("no secret shown: %q", secret)
	}

	t.Run("ShownOnce", func(t *testing.T) {
		_, body := c.Get("/admin/tokens")
		if strings.Contains(body, secret) {
			t.Fatal("the secret is shown again")
		}
		d := testapp.Doc(t, body)
		if d.Find(`[data-testid="token-row"]`).Length() != 1 || !strings.Contains(d.Find(`[data-testid="tokens"]`).Text(), "Shopify storefront") {
			t.Fatal("token not listed")
		}
	})
	t.Run("LastUsedShown", func(t *testing.T) {
		if s := getItems(t, a, secret); s != http.StatusOK {
			t.Fatalf("token does not work: %d", s)
		}
		_, body := c.Get("/admin/tokens")
		if got := testapp.Doc(t, body).Find(`[data-testid="token-last-used"]`).Text(); strings.Contains(got, "never") {
			t.Fatalf("last used %q", got)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		resp, body := c.PostForm("/admin/tokens", url.Values{"name": {""}, "role": {"sales"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || testapp.Doc(t, body).Find(`[data-testid="error-name"]`).Length() != 1 {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
	t.Run("RevokeStopsToken", func(t *testing.T) {
		toks, err := a.DB.Tokens(t.Context())
		if err != nil || len(toks) != 1 {
			t.Fatalf("%v %v", toks, err)
		}
		resp, _ := c.PostForm("/admin/tokens/"+itoa(toks[0].ID)+"/revoke", nil)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("revoke status %d", resp.StatusCode)
		}
		if s := getItems(t, a, secret); s != http.StatusUnauthorized {
			t.Fatalf("revoked token: %d, want 401", s)
		}
	})
	t.Run("ErrForbiddenForOtherRoles", func(t *testing.T) {
		ops := a.Client(t)
		ops.SignIn("ops@demo.test")
		if resp, _ := ops.Get("/admin/tokens"); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("ops sees tokens: %d", resp.StatusCode)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
