package store_test

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/store"
	"github.com/oms/oms/wire"
)

func TestCaptureOrderOnce(t *testing.T) {
	by := store.Submitter{Actor: "api:test", Role: domain.RoleSales}
	key := func(k, hash string) store.IdempotencyKey {
		return store.IdempotencyKey{Scope: "token:1", Key: k, RequestHash: hash}
	}
	t.Run("SameKeyReplays", func(t *testing.T) {
		n := newNetwork(t)
		n.item(t, "SKU-1", false, map[string]int64{"DAL": 50})
		r1, err := n.db.CaptureOrderOnce(t.Context(), key("k1", "h1"), captureRequest("PO-1", 2), by, wire.OrderJSON)
		if err != nil {
			t.Fatal(err)
		}
		r2, err := n.db.CaptureOrderOnce(t.Context(), key("k1", "h1"), captureRequest("PO-1", 2), by, wire.OrderJSON)
		if err != nil {
			t.Fatal(err)
		}
		if r1.Status != 201 || r1.Replayed || !r2.Replayed || r2.Status != 201 || !bytes.Equal(r1.Body, r2.Body) {
			t.Fatalf("first %+v\nretry %+v", r1, r2)
		}
		if c := count(t, n.db, `SELECT count(*) FROM orders`); c != 1 {
			t.Fatalf("%d orders", c)
		}
	})
	t.Run("ErrInvalidDifferentRequest", func(t *testing.T) {
		n := newNetwork(t)
		n.item(t, "SKU-1", false, map[string]int64{"DAL": 50})
		if _, err := n.db.CaptureOrderOnce(t.Context(), key("k1", "h1"), captureRequest("PO-1", 2), by, wire.OrderJSON); err != nil {
			t.Fatal(err)
		}
		_, err := n.db.CaptureOrderOnce(t.Context(), key("k1", "h2"), captureRequest("PO-1", 3), by, wire.OrderJSON)
		if domain.ErrorCode(err) != domain.EINVALID {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("RejectedOrderRecordsNoKey", func(t *testing.T) {
		n := newNetwork(t)
		n.item(t, "SKU-1", false, map[string]int64{"DAL": 50})
		_, err := n.db.CaptureOrderOnce(t.Context(), key("k1", "h1"), captureRequest("PO-1", 0), by, wire.OrderJSON)
		if domain.ErrorCode(err) != domain.EINVALID {
			t.Fatalf("err %v", err)
		}
		if c := count(t, n.db, `SELECT count(*) FROM idempotency_keys`); c != 0 {
			t.Fatalf("%d keys recorded for a rejected order", c)
		}
	})
	t.Run("ConcurrentSameKeyOneOrder", func(t *testing.T) {
		n := newNetwork(t)
		n.item(t, "SKU-1", false, map[string]int64{"DAL": 50})
		var wg sync.WaitGroup
		bodies := make([][]byte, 20)
		for i := range bodies {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := n.db.CaptureOrderOnce(context.Background(), key("race", "h"), captureRequest("PO-1", 1), by, wire.OrderJSON)
				if err != nil {
					t.Error(err)
				}
				bodies[i] = r.Body
			}()
		}
		wg.Wait()
		for i := range bodies {
			if !bytes.Equal(bodies[i], bodies[0]) {
				t.Fatalf("body %d differs", i)
			}
		}
		if c := count(t, n.db, `SELECT count(*) FROM orders`); c != 1 {
			t.Fatalf("%d orders for one key", c)
		}
	})
	t.Run("GroupCommitKeepsOrdersApart", func(t *testing.T) {
		// Valid and invalid captures racing into shared batches: every
		// valid one is captured whole, every invalid one leaves nothing.
		n := newNetwork(t)
		n.item(t, "SKU-1", false, map[string]int64{"DAL": 1000})
		var wg sync.WaitGroup
		for i := range 40 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				qty := int64(1)
				if i%2 == 1 {
					qty = -1
				}
				_, err := n.db.CaptureOrderOnce(context.Background(), key(fmt.Sprint("g", i), "h"), captureRequest(fmt.Sprint("PO-", i), qty), by, wire.OrderJSON)
				if (err == nil) != (qty > 0) {
					t.Errorf("order %d: err %v", i, err)
				}
			}()
		}
		wg.Wait()
		if c := count(t, n.db, `SELECT count(*) FROM orders`); c != 20 {
			t.Fatalf("%d orders, want 20", c)
		}
		if c := count(t, n.db, `SELECT count(*) FROM idempotency_keys`); c != 20 {
			t.Fatalf("%d keys, want 20", c)
		}
		checkInvariants(t, n.db)
	})
}

func TestAPITokens(t *testing.T) {
	db := newDB(t)
	ctx := t.Context()
	tok, secret, err := db.CreateToken(ctx, " Shop ", domain.RoleSales, 0)
	if err != nil {
		t.Fatal(err)
	}
	if tok.Name != "Shop" || len(secret) < 40 {
		t.Fatalf("%+v %q", tok, secret)
	}
	t.Run("OK", func(t *testing.T) {
		got, err := db.AuthenticateToken(ctx, secret)
		if err != nil || got.ID != tok.ID || got.LastUsedAt.IsZero() {
			t.Fatalf("%+v %v", got, err)
		}
		if c := count(t, db, `SELECT count(*) FROM api_tokens WHERE token_hash = ?`, secret); c != 0 {
			t.Fatal("secret stored in clear")
		}
	})
	t.Run("ErrUnauthorizedUnknown", func(t *testing.T) {
		if _, err := db.AuthenticateToken(ctx, secret+"x"); domain.ErrorCode(err) != domain.EUNAUTHORIZED {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		if _, _, err := db.CreateToken(ctx, "", "boss", 0); len(domain.ErrorFields(err)) != 2 {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("ErrUnauthorizedRevoked", func(t *testing.T) {
		if _, err := db.RevokeToken(ctx, tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AuthenticateToken(ctx, secret); domain.ErrorCode(err) != domain.EUNAUTHORIZED {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("DemoTokenOnce", func(t *testing.T) {
		for i, want := range []bool{true, false} {
			created, err := db.EnsureDemoToken(ctx, "Demo integration", "demo-token", domain.RoleSales)
			if err != nil || created != want {
				t.Fatalf("call %d: created %v err %v", i, created, err)
			}
		}
	})
}
