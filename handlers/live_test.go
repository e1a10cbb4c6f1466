package handlers_test

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/internal/testapp"
	"github.com/oms/oms/store"
	"github.com/oms/oms/web"
	"github.com/oms/oms/web/live"
)

// signInHTTP signs in through the real sign-in form over HTTP and returns
// a client that keeps the session cookie.
func signInHTTP(t *testing.T, base, email string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	resp, err := c.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindSubmatch(b)
	if m == nil {
		t.Fatal("no CSRF field on the sign-in page")
	}
	resp, err = c.PostForm(base+"/login", url.Values{"email": {email}, "password": {testapp.Password}, "_csrf": {string(m[1])}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Request.URL.Path != "/" {
		t.Fatalf("sign-in ended at %s", resp.Request.URL)
	}
	return c
}

// openStream GETs /live and returns the event names as they arrive.
func openStream(t *testing.T, c *http.Client, target string, header ...string) (<-chan string, *http.Response) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	sc := *c
	sc.Timeout = 0
	resp, err := sc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	names := make(chan string, 100)
	go func() {
		defer close(names)
		defer resp.Body.Close()
		s := bufio.NewScanner(resp.Body)
		for s.Scan() {
			if n, ok := strings.CutPrefix(s.Text(), "event: "); ok {
				names <- n
			}
		}
	}()
	return names, resp
}

// waitForEvent reads names until want arrives, failing after 15 s.
func waitForEvent(t *testing.T, names <-chan string, want string) {
	t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		select {
		case n, ok := <-names:
			if !ok {
				t.Fatalf("the stream ended before %q", want)
			}
			if n == want {
				return
			}
		case <-deadline:
			t.Fatalf("no %q event within 15 s", want)
		}
	}
}

func TestLiveStream(t *testing.T) {
	a := testapp.New(t, web.Config{}, seedCatalogue)
	_, sales := newToken(t, a.DB, domain.RoleSales)
	_, ops := newToken(t, a.DB, domain.RoleOps)
	base := a.Serve(t)
	api := func(path, token, body string, header ...string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	status, body := api("/api/v1/orders", sales, `{"customer_account": "C100", "po_number": "PO-LIVE-1", "ship_to_code": "MAIN",
		"lines": [{"sku": "SKU-1", "quantity": 10}]}`, "Idempotency-Key", "live-1")
	if status != 201 {
		t.Fatalf("order: %d %s", status, body)
	}
	var order struct{ Number string }
	json.Unmarshal([]byte(body), &order)
	if n, err := a.DB.ReleasePlannedGroups(t.Context(), 10); err != nil || n != 1 {
		t.Fatalf("release: %d %v", n, err)
	}
	csr := signInHTTP(t, base, "csr@demo.test")

	t.Run("ErrNotSignedIn", func(t *testing.T) {
		// Neither a visitor nor an integration's token listens; neither
		// gets a session (nor a cookie) for asking.
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		for _, token := range []string{"", ops} {
			req, _ := http.NewRequest(http.MethodGet, base+"/live", nil)
			if token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
				t.Fatalf("token %q: %d %s", token, resp.StatusCode, resp.Header.Get("Location"))
			}
			if sc := resp.Header.Get("Set-Cookie"); strings.Contains(sc, "oms_session") {
				t.Fatalf("a stream request without a session set a session cookie: %s", sc)
			}
		}
	})
	t.Run("ErrBadMark", func(t *testing.T) {
		resp, err := csr.Get(base + "/live?after=1.2")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnprocessableEntity && resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("bad mark: %d", resp.StatusCode)
		}
	})

	mark, err := a.DB.ChangeMark(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Run("ShipmentConfirmationNamesTheOrder", func(t *testing.T) {
		names, resp := openStream(t, csr, base+"/live?after="+live.FormatMark(mark))
		if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || !strings.HasPrefix(ct, "text/event-stream") {
			t.Fatalf("%d %s", resp.StatusCode, ct)
		}
		status, body := api("/api/v1/inbound/shipments", ops, `{"message_id": "live-ship-1", "order": "`+order.Number+`", "group": 1,
			"carrier": "UPS", "tracking_number": "1ZLIVE", "shipped_at": "2026-11-21T10:00:00Z"}`)
		if status != 200 {
			t.Fatalf("shipment: %d %s", status, body)
		}
		waitForEvent(t, names, live.OrderEvent(order.Number))
		waitForEvent(t, names, live.EventDashboard)
	})
	t.Run("CatchUpFromAnOldMark", func(t *testing.T) {
		// A browser that was away (the server restarting) comes back with
		// the last id it saw and hears at once what changed since.
		names, _ := openStream(t, csr, base+"/live", "Last-Event-ID", live.FormatMark(mark))
		waitForEvent(t, names, live.OrderEvent(order.Number))
	})
	t.Run("NoSessionWrite", func(t *testing.T) {
		// A session last seen two minutes ago: a page view touches it, the
		// stream and the refreshes it sets off do not (they are not the
		// person's doing, and must not keep an idle session alive).
		seen := func() string {
			t.Helper()
			var at string
			if err := a.DB.View(t.Context(), func(tx *sql.Tx) error {
				return tx.QueryRowContext(t.Context(), `SELECT group_concat(last_seen_at) FROM sessions`).Scan(&at)
			}); err != nil {
				t.Fatal(err)
			}
			return at
		}
		age := func() {
			t.Helper()
			if err := a.DB.Update(t.Context(), func(tx *sql.Tx) error {
				_, err := tx.Exec(`UPDATE sessions SET last_seen_at = ?`, store.FormatTime(time.Now().Add(-2*time.Minute)))
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		age()
		before, sessions := seen(), countRows(t, a.DB, `SELECT count(*) FROM sessions`)
		openStream(t, csr, base+"/live")
		req, _ := http.NewRequest(http.MethodGet, base+"/orders/"+order.Number, nil)
		req.Header.Set("HX-Request", "true")
		req.Header.Set(web.LiveHeader, "1")
		resp, err := csr.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if after := seen(); after != before || countRows(t, a.DB, `SELECT count(*) FROM sessions`) != sessions {
			t.Fatalf("the stream or a live refresh wrote the session: %s -> %s", before, after)
		}
		resp, err = csr.Get(base + "/orders/" + order.Number)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if seen() == before {
			t.Fatal("a page view did not touch the session (the test proves nothing)")
		}
	})
	t.Run("ShutdownEndsStreams", func(t *testing.T) {
		names, _ := openStream(t, csr, base+"/live")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := a.App.ShutdownWithContext(ctx); err != nil {
			t.Fatalf("shutdown with a stream open: %v", err)
		}
		for range names {
		}
	})
}
