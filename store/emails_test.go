package store_test

import (
	"database/sql"
	"strings"
	"testing"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/store"
)

// TestCaptureBackorderEmail: a new order that goes to backorder queues
// the customer's backorder e-mail, says so when the customer has no
// address, and queues none once an admin turns the setting off.
func TestCaptureBackorderEmail(t *testing.T) {
	by := store.Submitter{Actor: "api:test", Role: domain.RoleSales}
	n := newNetwork(t)
	n.item(t, "SKU-1", false, map[string]int64{"DAL": 50})
	ctx := t.Context()
	emails := func() int {
		return count(t, n.db, `SELECT count(*) FROM outbox WHERE destination = 'email' AND topic = ?`, store.TopicBackorderEmail)
	}
	t.Run("NoAddress", func(t *testing.T) {
		c, err := n.db.CaptureOrder(ctx, captureRequest("PO-1", 60), by)
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != domain.StatusPartiallyAllocated && c.Status != domain.StatusBackordered {
			t.Fatalf("status %s: the order did not backorder", c.Status)
		}
		if emails() != 0 || count(t, n.db, `SELECT count(*) FROM events WHERE order_id = ? AND kind = 'customer.email'
			AND summary LIKE 'No backorder e-mail: customer C100 has no e-mail address%'`, c.OrderID) != 1 {
			t.Fatal("no event saying the customer has no address, or an e-mail queued")
		}
		// Customer service is told to call instead.
		_, err = n.db.NotifyBackorder(ctx, store.OrderAction{Number: c.Number, Version: 1, Actor: "csr@demo.test", Role: domain.RoleCSR})
		if domain.ErrorCode(err) != domain.ECONFLICT || !strings.Contains(domain.ErrorMessage(err), "has no e-mail address") || emails() != 0 {
			t.Fatalf("manual notice without an address: %v", err)
		}
	})
	if err := n.db.Update(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO customer_contacts (customer_id, name, email, role) VALUES (?, 'Dana Ortiz', 'dana@c100.example', 'Purchasing')`, n.customer)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	t.Run("ToTheContact", func(t *testing.T) {
		if _, err := n.db.CaptureOrder(ctx, captureRequest("PO-2", 20), by); err != nil {
			t.Fatal(err)
		}
		if emails() != 1 {
			t.Fatalf("%d backorder e-mails queued, want 1", emails())
		}
		to, ok, err := n.db.EmailRecipient(ctx, n.customer)
		if err != nil || !ok || to.Email != "dana@c100.example" || to.Name != "Dana Ortiz" {
			t.Fatalf("recipient %+v %v %v", to, ok, err)
		}
	})
	t.Run("SettingOff", func(t *testing.T) {
		if err := n.db.SetSetting(ctx, store.SettingBackorderEmails, "off", "admin@demo.test", domain.RoleAdmin); err != nil {
			t.Fatal(err)
		}
		if _, err := n.db.CaptureOrder(ctx, captureRequest("PO-3", 20), by); err != nil {
			t.Fatal(err)
		}
		if emails() != 1 {
			t.Fatalf("%d backorder e-mails queued with the setting off, want 1 (the earlier one)", emails())
		}
	})
}
