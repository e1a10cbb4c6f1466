package store_test

import (
	"database/sql"
	"strings"
	"sync"
	"testing"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/store"
)

// plannedOrder makes an order with one planned shipment and returns its
// number and version.
func plannedOrder(tb testing.TB, n *network, number string) (string, int64) {
	tb.Helper()
	num := n.order(tb, number, false, map[string]int64{"A": 2})
	if _, err := n.db.SourceOrder(tb.Context(), num, "test"); err != nil {
		tb.Fatal(err)
	}
	return num, orderVersion(tb, n.db, num)
}

func orderVersion(tb testing.TB, db *store.DB, number string) int64 {
	tb.Helper()
	var v int64
	db.View(tb.Context(), func(tx *sql.Tx) error {
		return tx.QueryRow(`SELECT version FROM orders WHERE number = ?`, number).Scan(&v)
	})
	return v
}

func TestOrderAction(t *testing.T) {
	n := newNetwork(t)
	n.item(t, "A", false, map[string]int64{"DAL": 10})
	ctx := t.Context()

	t.Run("OK", func(t *testing.T) {
		num, v := plannedOrder(t, n, "SO-OK")
		o, err := n.db.ReleaseGroup(ctx, store.OrderAction{Number: num, Version: v, Actor: "ops@example.com", Role: domain.RoleOps, Reason: "customer called"}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if o.Version != v+1 || o.Status != domain.StatusReleased {
			t.Fatalf("version %d status %s, want %d released", o.Version, o.Status, v+1)
		}
		var actor, summary, before, after string
		n.db.View(ctx, func(tx *sql.Tx) error {
			return tx.QueryRow(`SELECT actor, summary, before, after FROM events WHERE order_id = ? ORDER BY id DESC LIMIT 1`, o.ID).
				Scan(&actor, &summary, &before, &after)
		})
		if actor != "ops@example.com" || !strings.Contains(summary, "Reason: customer called") || before != "allocated" || after != "released" {
			t.Fatalf("event %q %q %q -> %q", actor, summary, before, after)
		}
		checkInvariants(t, n.db)
	})
	t.Run("ErrConflict", func(t *testing.T) {
		num, v := plannedOrder(t, n, "SO-STALE")
		if _, err := n.db.CancelGroup(ctx, store.OrderAction{Number: num, Version: v, Actor: "a@example.com", Role: domain.RoleOps}, 1); err != nil {
			t.Fatal(err)
		}
		_, err := n.db.CancelBackorder(ctx, store.OrderAction{Number: num, Version: v, Actor: "b@example.com", Role: domain.RoleOps}, 1, 1)
		if domain.ErrorCode(err) != domain.ECONFLICT || !strings.Contains(domain.ErrorMessage(err), "a@example.com") {
			t.Fatalf("stale version: %v", err)
		}
		if got := orderVersion(t, n.db, num); got != v+1 {
			t.Fatalf("version %d after a refused action, want %d", got, v+1)
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		num, v := plannedOrder(t, n, "SO-CSR")
		_, err := n.db.ReleaseGroup(ctx, store.OrderAction{Number: num, Version: v, Actor: "csr@example.com", Role: domain.RoleCSR}, 1)
		if domain.ErrorCode(err) != domain.EFORBIDDEN {
			t.Fatalf("csr release: %v", err)
		}
		if got := orderVersion(t, n.db, num); got != v {
			t.Fatalf("version moved to %d on a refused action", got)
		}
	})
	t.Run("ErrInvalidNoVersion", func(t *testing.T) {
		num, _ := plannedOrder(t, n, "SO-NOVERSION")
		_, err := n.db.ReleaseGroup(ctx, store.OrderAction{Number: num, Actor: "ops@example.com", Role: domain.RoleOps}, 1)
		if domain.ErrorCode(err) != domain.EINVALID {
			t.Fatalf("no version: %v", err)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		num, v := plannedOrder(t, n, "SO-NOGROUP")
		_, err := n.db.ReleaseGroup(ctx, store.OrderAction{Number: num, Version: v, Actor: "ops@example.com", Role: domain.RoleOps}, 9)
		if domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("no shipment 9: %v", err)
		}
	})
}

// TestOrderActionRace: people acting on the same version of one order at
// once; exactly one wins, every other gets a conflict (invariant 6).
func TestOrderActionRace(t *testing.T) {
	n := newNetwork(t)
	n.item(t, "A", false, map[string]int64{"DAL": 10})
	num, v := plannedOrder(t, n, "SO-RACE")
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[string]int{}
	start := make(chan struct{})
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			a := store.OrderAction{Number: num, Version: v, Actor: "ops@example.com", Role: domain.RoleOps}
			var err error
			if i%2 == 0 {
				_, err = n.db.ReleaseGroup(t.Context(), a, 1)
			} else {
				_, err = n.db.CancelGroup(t.Context(), a, 1)
			}
			mu.Lock()
			codes[domain.ErrorCode(err)]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	if codes[""] != 1 || codes[domain.ECONFLICT] != 19 {
		t.Fatalf("outcomes %v, want one success and 19 conflicts", codes)
	}
	checkInvariants(t, n.db)
}
