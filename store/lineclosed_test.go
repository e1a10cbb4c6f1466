package store_test

import (
	"database/sql"
	"fmt"
	"slices"
	"testing"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/store"
)

// lineClosedMessages lists "order/line" of the line.closed outbox rows to
// the ERP, oldest first.
func lineClosedMessages(tb testing.TB, db *store.DB) []string {
	tb.Helper()
	var out []string
	err := db.View(tb.Context(), func(tx *sql.Tx) error {
		rows, err := tx.Query(`SELECT o.number, l.line_no FROM outbox m JOIN orders o ON o.id = m.order_id
			JOIN order_lines l ON l.id = m.line_id WHERE m.topic = 'line.closed' AND m.destination = 'erp' ORDER BY m.id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var num string
			var line int
			rows.Scan(&num, &line)
			out = append(out, fmt.Sprintf("%s/%d", num, line))
		}
		return rows.Err()
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func TestLineClosed(t *testing.T) {
	n := newNetwork(t)
	n.item(t, "A", false, map[string]int64{"DAL": 20})
	n.item(t, "B", false, map[string]int64{"DAL": 20})
	ctx := t.Context()
	t.Run("ShippedThenInvoiced", func(t *testing.T) {
		num := releasedOrder(t, n, "SO-LC1", "A", 3)
		if _, err := n.db.ConfirmShipment(ctx, store.ShipmentConfirmation{MessageID: "lc-s1", Order: num, Group: 1,
			Shipment: store.Shipment{Carrier: "UPS", Tracking: "1ZLC1"}}); err != nil {
			t.Fatal(err)
		}
		if got := lineClosedMessages(t, n.db); len(got) != 0 {
			t.Fatalf("closed before the invoice: %v", got)
		}
		if _, err := n.db.ApplyInvoice(ctx, store.Invoice{MessageID: "lc-i1", Number: "INV-LC1", Order: num}); err != nil {
			t.Fatal(err)
		}
		if got := lineClosedMessages(t, n.db); !slices.Equal(got, []string{"SO-LC1/1"}) {
			t.Fatalf("after the invoice: %v", got)
		}
	})
	t.Run("CancelledShort", func(t *testing.T) {
		num := n.order(t, "SO-LC2", false, map[string]int64{"A": 2, "B": 4})
		if _, err := n.db.SourceOrder(ctx, num, "test"); err != nil {
			t.Fatal(err)
		}
		a := store.OrderAction{Number: num, Version: orderVersion(t, n.db, num), Actor: "ops@example.com", Role: domain.RoleOps, Reason: "not needed"}
		if _, err := n.db.CancelLine(ctx, a, 2); err != nil {
			t.Fatal(err)
		}
		if got := lineClosedMessages(t, n.db); !slices.Equal(got, []string{"SO-LC1/1", "SO-LC2/2"}) {
			t.Fatalf("after cancelling line 2: %v", got)
		}
	})
	t.Run("Rendered", func(t *testing.T) {
		got, err := n.db.ClaimOutbox(ctx, []string{"erp"}, 100, 0)
		if err != nil {
			t.Fatal(err)
		}
		var lines []int
		for _, e := range got {
			if e.Topic == "line.closed" {
				if e.Line == nil {
					t.Fatalf("line.closed %s names no line", e.MessageID)
				}
				lines = append(lines, e.Line.LineNo)
			}
		}
		if !slices.Equal(lines, []int{1, 2}) {
			t.Fatalf("claimed line.closed for lines %v", lines)
		}
	})
}
