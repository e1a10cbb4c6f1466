package e2e

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/oms/oms/internal/testapp"
	"github.com/oms/oms/web"
)

func TestAPITokensPage(t *testing.T) {
	a := testapp.New(t, web.Config{})
	base := a.Serve(t)
	ctx := testapp.Browser(t)
	if err := chromedp.Do(ctx,
		testapp.SignInActions(base, "admin@demo.test"),
		chromedp.Navigate(base+"/admin/users"),
		chromedp.Click(`nav.tabs a[href="/admin/tokens"]`),
		chromedp.WaitVisible(`#new-token input[name=name]`),
	); err != nil {
		t.Fatal(err)
	}
	testapp.Screenshot(t, ctx, "tokens-empty")
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(`#new-token input[name=name]`, "Shopify storefront"),
		chromedp.Submit(`#new-token input[name=name]`),
		chromedp.WaitVisible(`[data-testid="token-secret"]`),
	); err != nil {
		t.Fatal(err)
	}
	secret := testapp.Run(t, ctx, chromedp.Evaluate[string](`document.querySelector('[data-testid="token-secret"]').value`))
	if !strings.HasPrefix(secret, "oms_") {
		t.Fatalf("secret %q", secret)
	}
	testapp.Screenshot(t, ctx, "tokens-created")
	// Revoking asks first: dismissed, the token stays; accepted, it goes.
	d := answerDialogs(ctx, false)
	if err := chromedp.Do(ctx, chromedp.Click(`[data-testid="token-row"] button`)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, `true`, "the dialog")
	if q := d.last(); !strings.Contains(q, "Revoke the token of Shopify storefront?") {
		t.Fatalf("revoke asked %q", q)
	}
	if row := testapp.Run(t, ctx, chromedp.Text(`[data-testid="token-row"]`)); strings.Contains(row, "Revoked") {
		t.Fatalf("revoked although the question was dismissed: %q", row)
	}
	d.set(true)
	if err := chromedp.Do(ctx,
		chromedp.Click(`[data-testid="token-row"] button`),
		chromedp.WaitVisible(`.alert-ok`),
	); err != nil {
		t.Fatal(err)
	}
	row := testapp.Run(t, ctx, chromedp.Text(`[data-testid="token-row"]`))
	if !strings.Contains(row, "Revoked") {
		t.Fatalf("row after revoke: %q", row)
	}
	testapp.Screenshot(t, ctx, "tokens-revoked")
}

// dialogs answers the browser's confirm dialogs and remembers what they
// asked.
type dialogs struct {
	mu        sync.Mutex
	accept    bool
	questions []string
}

func (d *dialogs) set(accept bool) { d.mu.Lock(); d.accept = accept; d.mu.Unlock() }

func (d *dialogs) last() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.questions) == 0 {
		return ""
	}
	return d.questions[len(d.questions)-1]
}

// answerDialogs starts answering ctx's dialogs, accepting them or not.
func answerDialogs(ctx context.Context, accept bool) *dialogs {
	d := &dialogs{accept: accept}
	events := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range events {
			if err != nil {
				return
			}
			d.mu.Lock()
			d.questions = append(d.questions, ev.Message)
			ok := d.accept
			d.mu.Unlock()
			go chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				_, err := cdp.Call(ctx, tg, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: ok})
				return err
			}))
		}
	}()
	return d
}

// TestAdminChangesAUser changes a user's role and disables the user from
// the users page: it asks first, says what changed, and lists the change
// with who made it.
func TestAdminChangesAUser(t *testing.T) {
	a := testapp.New(t, web.Config{})
	base := a.Serve(t)
	ctx := testapp.Browser(t)
	answerDialogs(ctx, true)
	if err := chromedp.Do(ctx,
		testapp.SignInActions(base, "admin@demo.test"),
		chromedp.Navigate(base+"/admin/users"),
		chromedp.WaitVisible(`[data-testid="users"]`),
		chromedp.Evaluate[chromedp.Void](`(() => {
			const row = [...document.querySelectorAll('[data-testid="user-row"]')].find(r => r.textContent.includes('csr@demo.test'));
			row.setAttribute('id', 'csr-row');
		})()`),
		chromedp.SetValue(`#csr-row select`, "ops"),
		chromedp.Click(`#csr-row [data-testid="user-active"]`),
		chromedp.Click(`#csr-row [data-testid="user-save"]`),
		chromedp.WaitVisible(`.alert-ok`),
	); err != nil {
		t.Fatal(err)
	}
	flash := testapp.Run(t, ctx, chromedp.Text(`.alert-ok`))
	change := testapp.Run(t, ctx, chromedp.Text(`[data-testid="user-change"]`))
	if !strings.Contains(flash, "role Customer service → Operations, disabled") || !strings.Contains(change, "by admin@demo.test") {
		t.Fatalf("flash %q, change %q", flash, change)
	}
	testapp.Screenshot(t, ctx, "admin-user-changed")
}
