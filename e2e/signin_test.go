// Package e2e holds the browser tests: the real server in headless Chromium,
// driven by chromedp, for the flows people use.
package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/oms/oms/internal/testapp"
	"github.com/oms/oms/web"
)

func TestSignInEachRole(t *testing.T) {
	a := testapp.New(t, web.Config{})
	base := a.Serve(t)
	tests := []struct {
		email, role string
		admin       bool
	}{
		{"csr@demo.test", "Customer service", false},
		{"sales@demo.test", "Inside sales", false},
		{"ops@demo.test", "Operations", false},
		{"admin@demo.test", "Administrator", true},
	}
	for _, tt := range tests {
		t.Run(tt.role, func(t *testing.T) {
			ctx := testapp.Browser(t)
			if err := chromedp.Do(ctx, testapp.SignInActions(base, tt.email)); err != nil {
				t.Fatal(err)
			}
			role := testapp.Run(t, ctx, chromedp.Text(`[data-testid="current-role"]`))
			heading := testapp.Run(t, ctx, chromedp.Text(`h1`))
			nav := testapp.Run(t, ctx, chromedp.Text(`nav.mainnav`))
			tiles := testapp.Run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="status-count"]').length`))
			if role != tt.role || !strings.HasPrefix(heading, "Welcome") || tiles == 0 {
				t.Fatalf("role %q heading %q tiles %d", role, heading, tiles)
			}
			if strings.Contains(nav, "Admin") != tt.admin {
				t.Fatalf("Admin in nav = %v for %s", !tt.admin, tt.email)
			}
			testapp.Screenshot(t, ctx, "home-"+strings.SplitN(tt.email, "@", 2)[0])
			// The "/" key focuses the global search box.
			if err := chromedp.Do(ctx, chromedp.KeyEvent("/")); err != nil {
				t.Fatal(err)
			}
			focused := testapp.Run(t, ctx, chromedp.Evaluate[string](`document.activeElement && document.activeElement.id`))
			if focused != "global-search" {
				t.Fatalf("focused %q after /", focused)
			}
		})
	}
}
