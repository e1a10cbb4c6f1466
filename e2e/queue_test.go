package e2e

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/oms/oms/internal/fixtures"
	"github.com/oms/oms/internal/testapp"
	"github.com/oms/oms/store"
	"github.com/oms/oms/web"
)

// TestOpsClearsACreditHold is the morning queue: ops claims the credit
// hold, releases it with a reason from the queue, and sees the order move
// on, with the decision on its timeline.
func TestOpsClearsACreditHold(t *testing.T) {
	var s fixtures.Standard
	a := testapp.New(t, web.Config{}, func(db *store.DB) {
		s = fixtures.New(t, db).Standard()
		err := db.Update(context.Background(), func(tx *sql.Tx) error {
			_, err := tx.Exec(`UPDATE exceptions SET kind = 'hold_credit', hold_id = (SELECT h.id FROM holds h WHERE h.order_id = exceptions.order_id)
				WHERE order_id = (SELECT id FROM orders WHERE number = ?)`, s.OnHold)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	})
	base := a.Serve(t)
	ctx := testapp.Browser(t)
	if err := chromedp.Do(ctx, testapp.SignInActions(base, "ops@demo.test")); err != nil {
		t.Fatal(err)
	}
	row := `[data-testid="exception-row"][data-order="` + s.OnHold + `"]`
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(`[data-testid="exception-counts"]`),
		chromedp.Click(`a[href="/exceptions"]`),
		chromedp.WaitVisible(row),
		chromedp.Click(row+` [data-testid="claim"]`),
		chromedp.WaitVisible(row+` [data-testid="owner"]`),
	)
	if err != nil {
		t.Fatalf("claim: %v", err)
	}
	if owner := testapp.Run(t, ctx, chromedp.Text(row+` [data-testid="owner"]`)); owner != "Olivia Chen" {
		t.Fatalf("owner after claim %q", owner)
	}
	testapp.Screenshot(t, ctx, "queue-claimed")
	err = chromedp.Do(ctx,
		chromedp.Click(row+` [data-testid="resolve"] summary`),
		chromedp.WaitVisible(row+` [data-testid="release-hold-form"] textarea`),
		chromedp.SendKeys(row+` [data-testid="release-hold-form"] textarea`, "Payment of $9,900 received by wire"),
	)
	if err != nil {
		t.Fatalf("open the release form: %v", err)
	}
	testapp.Screenshot(t, ctx, "queue-release-form")
	if err := chromedp.Do(ctx, chromedp.Click(row+` [data-testid="release-hold"]`)); err != nil {
		t.Fatalf("release: %v", err)
	}
	// The claim's flash may still be showing: wait for the release's.
	waitFor(t, ctx, `[...document.querySelectorAll('.alert-ok')].some(e => e.textContent.includes('hold released'))`, "the release's flash")
	flash := testapp.Run(t, ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('.alert-ok')].map(e => e.textContent).join(' | ')`))
	if !strings.Contains(flash, s.OnHold+" hold released. It is now backordered.") {
		t.Fatalf("flash %q", flash)
	}
	if n := testapp.Run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('`+row+`').length`)); n != 0 {
		t.Fatal("the released hold is still in the queue")
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"/orders/"+s.OnHold),
		chromedp.WaitVisible(`[data-testid="timeline-event"]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	if status := testapp.Run(t, ctx, chromedp.Text(`.orderhead .badge`)); status != "Backordered" {
		t.Fatalf("order status %q after release, want Backordered", status)
	}
	timeline := testapp.Run(t, ctx, chromedp.Text(`#timeline`))
	if !strings.Contains(timeline, "Credit hold released. Reason: Payment of $9,900 received by wire") || !strings.Contains(timeline, "ops@demo.test") {
		t.Fatalf("timeline: %s", timeline)
	}
	testapp.Screenshot(t, ctx, "order-after-release")
}
