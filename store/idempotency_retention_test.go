package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/store"
	"github.com/oms/oms/wire"
)

func TestDeleteExpiredIdempotencyKeys(t *testing.T) {
	const retention = 7 * 24 * time.Hour
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

	t.Run("OK", func(t *testing.T) {
		// More expired keys than one batch deletes, so the purge must
		// commit several batches to finish.
		ages := []struct {
			name    string
			age     time.Duration
			keys    int
			deleted bool
		}{
			{"LongExpired", 30 * 24 * time.Hour, 2345, true},
			{"JustExpired", retention + time.Millisecond, 3, true},
			{"AtRetention", retention, 2, false},
			{"Recent", time.Hour, 4, false},
		}
		db := newDB(t)
		db.Now = func() time.Time { return now }
		err := db.Update(t.Context(), func(tx *sql.Tx) error {
			for _, a := range ages {
				for i := range a.keys {
					if _, err := tx.Exec(`INSERT INTO idempotency_keys (scope, key, request_hash, status, body, created_at)
						VALUES ('token:1', ?, 'h', 201, ?, ?)`, fmt.Sprint(a.name, "-", i), []byte("{}"), store.FormatTime(now.Add(-a.age))); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		n, err := db.DeleteExpiredIdempotencyKeys(t.Context(), retention)
		if err != nil {
			t.Fatal(err)
		}
		var want int64
		for _, a := range ages {
			left := count(t, db, `SELECT count(*) FROM idempotency_keys WHERE key LIKE ?`, a.name+"-%")
			if a.deleted {
				want += int64(a.keys)
				if left != 0 {
					t.Errorf("%s: %d of %d keys left", a.name, left, a.keys)
				}
			} else if left != a.keys {
				t.Errorf("%s: %d of %d keys kept", a.name, left, a.keys)
			}
		}
		if n != want {
			t.Fatalf("deleted %d, want %d", n, want)
		}
		if n, err := db.DeleteExpiredIdempotencyKeys(t.Context(), retention); n != 0 || err != nil {
			t.Fatalf("second purge deleted %d, err %v", n, err)
		}
	})

	t.Run("RetryInsideRetentionReplays", func(t *testing.T) {
		n := newNetwork(t)
		n.item(t, "SKU-1", false, map[string]int64{"DAL": 50})
		clock := now
		n.db.Now = func() time.Time { return clock }
		by := store.Submitter{Actor: "api:test", Role: domain.RoleSales}
		oldKey := store.IdempotencyKey{Scope: "token:1", Key: "old", RequestHash: "h-old"}
		newKey := store.IdempotencyKey{Scope: "token:1", Key: "new", RequestHash: "h-new"}
		capture := func(k store.IdempotencyKey, po string) store.APIResponse {
			t.Helper()
			r, err := n.db.CaptureOrderOnce(t.Context(), k, captureRequest(po, 1), by, wire.OrderJSON)
			if err != nil {
				t.Fatal(err)
			}
			return r
		}

		capture(oldKey, "PO-OLD")
		clock = now.Add(6 * 24 * time.Hour)
		first := capture(newKey, "PO-NEW")
		clock = now.Add(retention + time.Minute)
		if d, err := n.db.DeleteExpiredIdempotencyKeys(t.Context(), retention); d != 1 || err != nil {
			t.Fatalf("deleted %d, err %v; want the old key only", d, err)
		}

		retry := capture(newKey, "PO-NEW")
		if !retry.Replayed || !bytes.Equal(retry.Body, first.Body) {
			t.Fatalf("retry inside the retention not replayed: %+v", retry)
		}
		if c := count(t, n.db, `SELECT count(*) FROM orders`); c != 2 {
			t.Fatalf("%d orders, want 2", c)
		}
		// Past the retention the key is forgotten: the same request is a
		// new order, which is why integrators must not retry that late.
		if late := capture(oldKey, "PO-OLD"); late.Replayed {
			t.Fatal("expired key replayed")
		}
		if c := count(t, n.db, `SELECT count(*) FROM orders`); c != 3 {
			t.Fatalf("%d orders, want 3", c)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		db := newDB(t)
		for _, r := range []time.Duration{0, -time.Hour} {
			if _, err := db.DeleteExpiredIdempotencyKeys(t.Context(), r); domain.ErrorCode(err) != domain.EINVALID {
				t.Errorf("retention %s: err %v", r, err)
			}
		}
	})

	t.Run("Canceled", func(t *testing.T) {
		db := newDB(t)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if _, err := db.DeleteExpiredIdempotencyKeys(ctx, retention); !errors.Is(err, context.Canceled) {
			t.Fatalf("err %v", err)
		}
	})
}
