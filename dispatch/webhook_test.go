package dispatch_test

import (
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/oms/oms/dispatch"
	"github.com/oms/oms/domain"
	"github.com/oms/oms/internal/fixtures"
	"github.com/oms/oms/store"
)

// hookReceiver is an integrator's webhook endpoint: it checks the
// signature with its secret, fails the first `fail` requests, and applies
// each message id once.
type hookReceiver struct {
	mu      sync.Mutex
	secret  string
	fail    int
	badSig  int
	applied map[string]int      // message id -> times answered 2xx
	byOrder map[string][]string // order -> topics applied, in order
}

func (r *hookReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := dispatch.Verify(r.secret, req.Header.Get(dispatch.SignatureHeader), body, time.Now(), time.Minute); err != nil {
		r.badSig++
		http.Error(w, err.Error(), 401)
		return
	}
	if r.fail > 0 {
		r.fail--
		http.Error(w, "busy", 503)
		return
	}
	var m dispatch.Message
	json.Unmarshal(body, &m)
	key := req.Header.Get("Idempotency-Key")
	if key != m.ID || req.Header.Get("OMS-Topic") != m.Topic {
		http.Error(w, "headers do not match the body", 400)
		return
	}
	r.applied[key]++
	if r.applied[key] == 1 && m.Order != nil {
		r.byOrder[m.Order.Number] = append(r.byOrder[m.Order.Number], m.Topic)
	}
	w.WriteHeader(200)
}

func webhookRows(tb testing.TB, db *store.DB) (n int) {
	tb.Helper()
	db.View(tb.Context(), func(tx *sql.Tx) error {
		return tx.QueryRow(`SELECT count(*) FROM outbox WHERE destination LIKE 'webhook:%'`).Scan(&n)
	})
	return n
}

// TestWebhooks subscribes two integrators to different topics and checks
// that each gets exactly its topics, signed with its own secret, in order
// per order, once each despite failures, and that nothing is queued for
// webhooks before a subscription exists.
func TestWebhooks(t *testing.T) {
	db := openDB(t)
	b := fixtures.New(t, db)
	b.Standard()
	plannedOrders(t, b, 6)
	ctx := t.Context()
	if err := db.Update(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO inventory (item_id, location_id, on_hand, allocated, on_hand_as_of)
			SELECT i.id, l.id, 100, 12, '2026-01-01T00:00:00.000Z' FROM items i, locations l WHERE i.sku = 'SKU-2001' AND l.code = 'DAL'`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// Released before any subscription: nothing for webhooks.
	if _, err := db.ReleasePlannedGroups(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if n := webhookRows(t, db); n != 0 {
		t.Fatalf("%d webhook rows without a subscription", n)
	}
	var early string
	db.View(ctx, func(tx *sql.Tx) error {
		return tx.QueryRow(`SELECT o.number FROM outbox m JOIN orders o ON o.id = m.order_id WHERE m.topic = 'group.released'`).Scan(&early)
	})
	shipping := &hookReceiver{secret: "shipping-secret-0001", fail: 4, applied: map[string]int{}, byOrder: map[string][]string{}}
	everything := &hookReceiver{secret: "all-topics-secret-02", applied: map[string]int{}, byOrder: map[string][]string{}}
	srvA, srvB := httptest.NewServer(shipping), httptest.NewServer(everything)
	defer srvA.Close()
	defer srvB.Close()
	if _, err := db.CreateWebhook(ctx, store.WebhookSubscription{Name: "Shipping", URL: srvA.URL, Secret: shipping.secret,
		Topics: []string{"group.released", "group.cancelled"}}, domain.RoleOps); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Fatalf("ops adds a webhook: %v", err)
	}
	if _, err := db.CreateWebhook(ctx, store.WebhookSubscription{Name: "Shipping", URL: srvA.URL, Secret: shipping.secret,
		Topics: []string{"group.released", "group.cancelled"}, CreatedBy: "admin@example.com"}, domain.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateWebhook(ctx, store.WebhookSubscription{Name: "All", URL: srvB.URL, Secret: everything.secret,
		Topics: []string{"*"}, CreatedBy: "admin@example.com"}, domain.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ReleasePlannedGroups(ctx, 100); err != nil {
		t.Fatal(err)
	}
	// One order hears more: its group is cancelled; another ships (only
	// "All" wants group.shipped).
	if _, err := db.CancelGroup(ctx, store.OrderAction{Number: "SO-200003", Actor: "system"}, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ShipGroup(ctx, store.OrderAction{Number: "SO-200004", Actor: "system"}, 1, store.Shipment{Carrier: "UPS", Tracking: "1Z4"}); err != nil {
		t.Fatal(err)
	}
	d := dispatch.New(db, dispatch.Config{BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, Workers: 4, Batch: 5})
	for range 300 {
		if _, err := d.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		var left int
		db.View(ctx, func(tx *sql.Tx) error {
			return tx.QueryRow(`SELECT count(*) FROM outbox WHERE destination LIKE 'webhook:%' AND status <> 'delivered'`).Scan(&left)
		})
		if left == 0 {
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	for name, r := range map[string]*hookReceiver{"Shipping": shipping, "All": everything} {
		r.mu.Lock()
		if r.badSig != 0 {
			t.Errorf("%s: %d bad signatures", name, r.badSig)
		}
		for id, n := range r.applied {
			if n != 1 {
				t.Errorf("%s: message %s answered %d times", name, id, n)
			}
		}
		if got := r.byOrder["SO-200003"]; len(got) != 2 || got[0] != "group.released" || got[1] != "group.cancelled" {
			t.Errorf("%s: SO-200003 got %v, want released then cancelled", name, got)
		}
		if _, ok := r.byOrder[early]; ok || early == "" {
			t.Errorf("%s: got %q, released before it subscribed", name, early)
		}
		r.mu.Unlock()
	}
	if got := shipping.byOrder["SO-200004"]; len(got) != 1 {
		t.Errorf("Shipping: SO-200004 got %v, want only group.released", got)
	}
	if got := everything.byOrder["SO-200004"]; len(got) != 2 || got[1] != "group.shipped" {
		t.Errorf("All: SO-200004 got %v, want released then shipped", got)
	}
	// Removing a subscription drops its messages; the other stays.
	subs, _ := db.Webhooks(ctx)
	before := webhookRows(t, db)
	if err := db.DeleteWebhook(ctx, subs[0].ID, "admin@example.com", domain.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	if after := webhookRows(t, db); after >= before || after == 0 {
		t.Fatalf("webhook rows %d -> %d after removing one", before, after)
	}
}

func TestRenderLineClosed(t *testing.T) {
	e := store.OutboxEntry{MessageID: "m1", Topic: "line.closed", Destination: "erp",
		Order: domain.Order{ID: 1, Number: "SO-1"},
		Lines: []domain.OrderLine{{ID: 11, LineNo: 1, SKU: "A"}, {ID: 12, LineNo: 2, SKU: "B"}}}
	e.Line = &e.Lines[1]
	body, err := dispatch.Render(e)
	if err != nil {
		t.Fatal(err)
	}
	var m dispatch.Message
	if err := json.Unmarshal(body, &m); err != nil || m.Line == nil || m.Line.SKU != "B" || m.Line.LineNo != 2 {
		t.Fatalf("line.closed body %s", body)
	}
}
