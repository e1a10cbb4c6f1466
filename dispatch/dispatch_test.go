package dispatch_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/oms/oms/dispatch"
	"github.com/oms/oms/internal/fixtures"
	"github.com/oms/oms/store"
)

func openDB(tb testing.TB) *store.DB {
	tb.Helper()
	db, err := store.Open(filepath.Join(tb.TempDir(), "oms.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return db
}

// plannedOrders adds n orders with one planned group at DAL each.
func plannedOrders(tb testing.TB, b *fixtures.Builder, n int) {
	tb.Helper()
	for i := range n {
		b.Order(fixtures.Order{Number: fmt.Sprintf("SO-%06d", 200000+i), Account: "C10042", PO: fmt.Sprintf("PO-%d", i),
			Lines:  []fixtures.Line{{SKU: "SKU-2001", Allocated: 2}},
			Groups: []fixtures.Group{{Location: "DAL", Status: "planned"}}})
	}
}

// releaseAll stocks SKU-2001 at DAL for the n planned orders of
// plannedOrders and releases them.
func releaseAll(tb testing.TB, db *store.DB, n int) {
	tb.Helper()
	if err := db.Update(tb.Context(), func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO inventory (item_id, location_id, on_hand, allocated, on_hand_as_of)
			SELECT i.id, l.id, 100, ?, '2026-01-01T00:00:00.000Z' FROM items i, locations l WHERE i.sku = 'SKU-2001' AND l.code = 'DAL'`, 2*n)
		return err
	}); err != nil {
		tb.Fatal(err)
	}
	if _, err := db.ReleasePlannedGroups(tb.Context(), 100); err != nil {
		tb.Fatal(err)
	}
}

func pending(tb testing.TB, db *store.DB) (pending, dead int) {
	tb.Helper()
	db.View(context.Background(), func(tx *sql.Tx) error {
		return tx.QueryRow(`SELECT coalesce(sum(status = 'pending'), 0), coalesce(sum(status = 'dead'), 0) FROM outbox
			WHERE destination IN ('wms', 'erp')`).Scan(&pending, &dead)
	})
	return
}

// receiver records what it was sent, checking signatures; it fails the
// first `fail` requests with 503.
type receiver struct {
	mu      sync.Mutex
	fail    int
	refuse  string // a topic answered 422
	byOrder map[string][]string
	seen    map[string]int
	badSig  int
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := dispatch.Verify("s3cret", req.Header.Get(dispatch.SignatureHeader), body, time.Now(), time.Minute); err != nil {
		r.badSig++
		http.Error(w, err.Error(), 401)
		return
	}
	if r.fail > 0 {
		r.fail--
		http.Error(w, "try later", 503)
		return
	}
	var m dispatch.Message
	json.Unmarshal(body, &m)
	if m.Topic == r.refuse {
		http.Error(w, "unknown group", 422)
		return
	}
	key := req.Header.Get("Idempotency-Key")
	r.seen[key]++
	if r.seen[key] == 1 && m.Order != nil {
		r.byOrder[m.Order.Number] = append(r.byOrder[m.Order.Number], m.Topic)
	}
	w.WriteHeader(204)
}

func TestDispatch(t *testing.T) {
	db := openDB(t)
	b := fixtures.New(t, db)
	b.Standard()
	plannedOrders(t, b, 30)
	ctx := t.Context()
	releaseAll(t, db, 30)
	// A second message of one order: the released group is cancelled.
	if _, err := db.CancelGroup(ctx, store.OrderAction{Number: "SO-200003", Actor: "system"}, 1); err != nil {
		t.Fatal(err)
	}
	// A message the ERP refuses: the shipment of the released order.
	if _, err := db.ShipGroup(ctx, store.OrderAction{Number: "SO-200005", Actor: "system"}, 1, store.Shipment{Carrier: "UPS", Tracking: "1Z5"}); err != nil {
		t.Fatal(err)
	}
	rcv := &receiver{fail: 5, refuse: "group.shipped", byOrder: map[string][]string{}, seen: map[string]int{}}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	d := dispatch.New(db, dispatch.Config{Endpoints: map[string]dispatch.Endpoint{
		"wms": {URL: srv.URL + "/wms", Secret: "s3cret"}, "erp": {URL: srv.URL + "/erp", Secret: "s3cret"}, "edi": {URL: srv.URL, Secret: "x"}},
		BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, Workers: 4, Batch: 7})
	for range 200 {
		if _, err := d.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		if p, _ := pending(t, db); p == 0 {
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	p, dead := pending(t, db)
	if p != 0 || dead != 1 {
		t.Fatalf("%d pending, %d dead; want 0 and 1", p, dead)
	}
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	if rcv.badSig != 0 {
		t.Fatalf("%d bad signatures", rcv.badSig)
	}
	if got := rcv.byOrder["SO-200003"]; len(got) != 2 || got[0] != "group.released" || got[1] != "group.cancelled" {
		t.Fatalf("SO-200003 got %v, want released then cancelled", got)
	}
	if len(rcv.byOrder) < 31 {
		t.Fatalf("messages for %d orders, want 31", len(rcv.byOrder))
	}
	var exceptions int
	db.View(ctx, func(tx *sql.Tx) error {
		return tx.QueryRow(`SELECT count(*) FROM exceptions WHERE kind = 'sync_failure'`).Scan(&exceptions)
	})
	if exceptions != 1 {
		t.Fatalf("%d sync exceptions, want 1 for the dead letter", exceptions)
	}
}

func TestBackoff(t *testing.T) {
	for attempt, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 10: time.Minute} {
		for range 50 {
			got := dispatch.Backoff(attempt, time.Second, time.Minute)
			if got < want/2 || got > want {
				t.Fatalf("attempt %d: %s, want within [%s, %s]", attempt, got, want/2, want)
			}
		}
	}
}

func TestVerify(t *testing.T) {
	now := time.Now()
	body := []byte(`{"id":"1"}`)
	h := dispatch.Sign("k", now, body)
	if err := dispatch.Verify("k", h, body, now, time.Minute); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"OtherBody":   dispatch.Verify("k", h, []byte(`{}`), now, time.Minute),
		"OtherSecret": dispatch.Verify("j", h, body, now, time.Minute),
		"Old":         dispatch.Verify("k", h, body, now.Add(time.Hour), time.Minute),
		"Garbage":     dispatch.Verify("k", "v1=00", body, now, time.Minute),
	} {
		if err == nil {
			t.Errorf("%s: verified", name)
		}
	}
}

// TestEndpointDown: while the WMS is unreachable messages wait (tried
// again, never dead); when it is back they all arrive, each order's in the
// order they were written.
func TestEndpointDown(t *testing.T) {
	db := openDB(t)
	b := fixtures.New(t, db)
	b.Standard()
	plannedOrders(t, b, 12)
	ctx := t.Context()
	releaseAll(t, db, 12)
	// A second message of some orders, written while the WMS is down.
	for i := 0; i < 12; i += 3 {
		if _, err := db.CancelGroup(ctx, store.OrderAction{Number: fmt.Sprintf("SO-%06d", 200000+i), Actor: "system"}, 1); err != nil {
			t.Fatal(err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens: the WMS is down
	d := dispatch.New(db, dispatch.Config{Endpoints: map[string]dispatch.Endpoint{"wms": {URL: "http://" + addr + "/wms", Secret: "s3cret"}},
		BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond, MaxAttempts: 1000, Workers: 4, Batch: 5})
	for range 30 {
		if _, err := d.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(3 * time.Millisecond)
	}
	p, dead := pending(t, db)
	var tried int
	db.View(ctx, func(tx *sql.Tx) error {
		return tx.QueryRow(`SELECT count(*) FROM outbox WHERE destination = 'wms' AND attempts > 1`).Scan(&tried)
	})
	if p < 16 || dead != 0 || tried == 0 {
		t.Fatalf("while down: %d pending, %d dead, %d tried more than once; want all 16 waiting and retried", p, dead, tried)
	}

	rcv := &receiver{byOrder: map[string][]string{}, seen: map[string]int{}}
	ln, err = net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("the port was taken meanwhile: %v", err)
	}
	srv := httptest.NewUnstartedServer(rcv)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	defer srv.Close()
	for range 200 {
		if _, err := d.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		if p, _ := pending(t, db); p == 0 {
			break
		}
		time.Sleep(3 * time.Millisecond)
	}
	if p, dead := pending(t, db); p != 0 || dead != 0 {
		t.Fatalf("after the WMS came back: %d pending, %d dead", p, dead)
	}
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	for i := range 12 {
		number := fmt.Sprintf("SO-%06d", 200000+i)
		want := []string{"group.released"}
		if i%3 == 0 {
			want = append(want, "group.cancelled")
		}
		if got := rcv.byOrder[number]; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s got %v, want %v", number, got, want)
		}
	}
}

// TestLastSuccessIsTheLatestDelivery: a message delivered after newer
// ones (it was retried, or was due later) is the destination's last
// success on Integrations.
func TestLastSuccessIsTheLatestDelivery(t *testing.T) {
	db := openDB(t)
	b := fixtures.New(t, db)
	b.Standard()
	plannedOrders(t, b, 2)
	releaseAll(t, db, 2)
	ctx := t.Context()
	entries, err := db.ClaimOutbox(ctx, []string{"wms"}, 10, time.Minute)
	if err != nil || len(entries) < 2 {
		t.Fatalf("claimed %d, %v", len(entries), err)
	}
	t0 := time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)
	for i, e := range []store.OutboxEntry{entries[len(entries)-1], entries[0]} { // the newest first
		db.Now = func() time.Time { return t0.Add(time.Duration(i) * time.Minute) }
		if err := db.RecordDeliveries(ctx, []store.DeliveryResult{{ID: e.ID, Delivered: true, Status: 204}}); err != nil {
			t.Fatal(err)
		}
	}
	st, err := db.OutboxOverview(ctx, []string{"wms"})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st {
		if s.Destination == "wms" && !s.LastDelivered.Equal(t0.Add(time.Minute)) {
			t.Fatalf("last success %s, want %s", s.LastDelivered, t0.Add(time.Minute))
		}
	}
}
