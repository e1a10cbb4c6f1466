package dispatch_test

import (
	"database/sql"
	"encoding/json"
	"testing"
	"time"

	"github.com/oms/oms/dispatch"
	"github.com/oms/oms/domain"
	"github.com/oms/oms/internal/fixtures"
	"github.com/oms/oms/store"
)

// TestRenderActionMessages checks that an action's outbox row holds only
// references and the plain reason, and that the dispatcher renders the
// message from the domain values: the line it is about, the reason.
func TestRenderActionMessages(t *testing.T) {
	db := openDB(t)
	std := fixtures.New(t, db).Standard()
	ctx := t.Context()
	ops := func(number, reason string) store.OrderAction {
		return store.OrderAction{Number: number, Actor: "ops@demo.test", Role: domain.RoleOps, Reason: reason}
	}
	o, err := db.OrderDetail(ctx, std.Allocated, store.LineQuery{}, "")
	if err != nil {
		t.Fatal(err)
	}
	a := ops(std.Allocated, "Customer no longer needs it")
	a.Version = o.Order.Version
	if _, err := db.CancelLine(ctx, a, 1); err != nil {
		t.Fatal(err)
	}
	var payloads []string
	db.View(ctx, func(tx *sql.Tx) error {
		rows, err := tx.Query(`SELECT payload FROM outbox WHERE topic LIKE '%cancelled'`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p string
			rows.Scan(&p)
			payloads = append(payloads, p)
		}
		return rows.Err()
	})
	if len(payloads) == 0 {
		t.Fatal("no cancellation message queued")
	}
	for _, p := range payloads {
		if p != a.Reason {
			t.Fatalf("outbox row holds %q, want only the reason", p)
		}
	}
	entries, err := db.ClaimOutbox(ctx, []string{"erp", "wms"}, 100, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	var got *dispatch.Message
	for _, e := range entries {
		body, err := dispatch.Render(e)
		if err != nil {
			t.Fatal(err)
		}
		var m dispatch.Message
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatal(err)
		}
		if m.Topic == "order.line_cancelled" {
			got = &m
		}
	}
	if got == nil {
		t.Fatalf("no order.line_cancelled among %d messages", len(entries))
	}
	if got.Detail != a.Reason || got.Line == nil || got.Line.LineNo != 1 || got.Line.Cancelled == 0 ||
		got.Order == nil || got.Order.Number != std.Allocated {
		t.Fatalf("message %+v line %+v", got, got.Line)
	}
}
