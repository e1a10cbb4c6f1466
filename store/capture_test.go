package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/intake"
	"github.com/oms/oms/internal/fixtures"
	"github.com/oms/oms/store"
)

func captureRequest(po string, qty int64) intake.Request {
	return intake.Request{Channel: "api", CustomerAccount: "C100", PONumber: po,
		ShipTo: intake.Address{Name: "Dock 4", Line1: "1 Main St", City: "Dallas", Region: "TX", PostalCode: "75201"},
		Lines:  []intake.LineRequest{{SKU: "SKU-1", Quantity: qty}}}
}

func TestCaptureOrder(t *testing.T) {
	by := store.Submitter{Actor: "api:test", Role: domain.RoleSales}
	t.Run("OK", func(t *testing.T) {
		n := newNetwork(t)
		n.item(t, "SKU-1", false, map[string]int64{"DAL": 50})
		c, err := n.db.CaptureOrder(t.Context(), captureRequest("PO-1", 10), by)
		if err != nil {
			t.Fatal(err)
		}
		if c.Number != "SO-100001" || c.Status != domain.StatusAllocated || len(c.Plan.Groups) != 1 {
			t.Fatalf("%+v", c)
		}
		if count(t, n.db, `SELECT count(*) FROM outbox WHERE topic = 'order.accepted'`) != 1 ||
			count(t, n.db, `SELECT count(*) FROM events WHERE order_id = ?`, c.OrderID) < 2 ||
			count(t, n.db, `SELECT count(*) FROM sourcing_traces WHERE order_id = ?`, c.OrderID) != 1 {
			t.Fatal("missing outbox message, events or trace")
		}
		checkInvariants(t, n.db)
	})
	t.Run("ErrInvalidWritesNothing", func(t *testing.T) {
		n := newNetwork(t)
		n.item(t, "SKU-1", false, map[string]int64{"DAL": 50})
		req := captureRequest("PO-1", 10)
		req.Lines = append(req.Lines, intake.LineRequest{SKU: "NOPE", Quantity: 1})
		_, err := n.db.CaptureOrder(t.Context(), req, by)
		if domain.ErrorCode(err) != domain.EINVALID || domain.ErrorFields(err)["lines[1].sku"] == "" {
			t.Fatalf("err %v fields %v", err, domain.ErrorFields(err))
		}
		for _, table := range []string{"orders", "order_lines", "events", "outbox", "fulfilment_groups"} {
			if c := count(t, n.db, `SELECT count(*) FROM `+table); c != 0 {
				t.Fatalf("%s has %d rows after a rejected order", table, c)
			}
		}
	})
	t.Run("DuplicatePOHold", func(t *testing.T) {
		n := newNetwork(t)
		n.item(t, "SKU-1", false, map[string]int64{"DAL": 50})
		if _, err := n.db.CaptureOrder(t.Context(), captureRequest("PO-7", 1), by); err != nil {
			t.Fatal(err)
		}
		c, err := n.db.CaptureOrder(t.Context(), captureRequest("PO-7", 1), by)
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != domain.StatusOnHold || len(c.Holds) != 1 || c.Holds[0].Reason != "duplicate_po" {
			t.Fatalf("%+v", c)
		}
		if count(t, n.db, `SELECT count(*) FROM exceptions WHERE order_id = ? AND kind = 'hold_duplicate_po'`, c.OrderID) != 1 {
			t.Fatal("no exception for the hold")
		}
		checkInvariants(t, n.db)
	})
	t.Run("ConcurrentCapturesNoOversell", func(t *testing.T) {
		n := newNetwork(t)
		n.item(t, "SKU-1", false, map[string]int64{"DAL": 7})
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := n.db.CaptureOrder(context.Background(), captureRequest(fmt.Sprintf("PO-%d", i), 1), by); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		checkInvariants(t, n.db)
		if a := count(t, n.db, `SELECT sum(qty_allocated) FROM order_lines`); a != 7 {
			t.Fatalf("allocated %d, want 7", a)
		}
	})
}

// TestCaptureAfterFixtures checks that orders inserted with captured-style
// numbers (fixtures.Standard's SO-100001...) move the order-number
// sequence, so the next capture takes a fresh number instead of a 409.
func TestCaptureAfterFixtures(t *testing.T) {
	db := newDB(t)
	std := fixtures.New(t, db).Standard()
	req := intake.Request{Channel: "api", CustomerAccount: std.AcmeAccount, PONumber: "PO-AFTER-FIXTURES",
		ShipTo: intake.Address{Name: "Dock 4", Line1: "1 Main St", City: "Dallas", Region: "TX", PostalCode: "75201"},
		Lines:  []intake.LineRequest{{SKU: std.SKU, Quantity: 1}}}
	c, err := db.CaptureOrder(t.Context(), req, store.Submitter{Actor: "api:test", Role: domain.RoleSales})
	if err != nil {
		t.Fatalf("capture after fixtures: %v", err)
	}
	if c.Number <= std.Big {
		t.Fatalf("captured %s, want a number after the fixtures' last (%s)", c.Number, std.Big)
	}
	if _, err := db.CaptureOrder(t.Context(), req, store.Submitter{Actor: "api:test", Role: domain.RoleSales}); err != nil {
		t.Fatalf("second capture: %v", err)
	}
}
