package notify_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/notify"
	"github.com/oms/oms/store"
)

func entry(topic string) store.OutboxEntry {
	return store.OutboxEntry{MessageID: "m-1", Topic: topic, Destination: "email",
		Order: domain.Order{ID: 7, Number: "SO-100001", CustomerAccount: "C10042", CustomerName: "Acme Industrial Supply", CustomerPO: "PO-88412",
			ShipTo: domain.Address{Name: "Acme - Main warehouse", Line1: "100 Commerce St", City: "Dallas", Region: "TX", PostalCode: "75201"}},
		Lines: []domain.OrderLine{
			{LineNo: 1, SKU: "SKU-2001", Description: "Nitrile gloves, large", Buckets: domain.Buckets{Ordered: 10, Shipped: 10}},
			{LineNo: 2, SKU: "SKU-1042", Description: "Hex bolt 1/2 in", Buckets: domain.Buckets{Ordered: 8, Shipped: 4, Backordered: 4}},
			{LineNo: 3, SKU: "SKU-3300", Description: "Stretch wrap", Buckets: domain.Buckets{Ordered: 3, Released: 3}},
		},
		Backorders: []domain.Backorder{{LineNo: 2, SKU: "SKU-1042", Quantity: 4, ExpectedDate: "2026-12-02"}},
	}
}

func TestRenderShipment(t *testing.T) {
	e := entry(store.TopicShipmentEmail)
	e.Group = &domain.FulfilmentGroup{ID: 3, Seq: 1, LocationCode: "DAL", LocationName: "Dallas DC", Status: "shipped", Carrier: "UPS",
		Service: "Ground", TrackingNumber: "1Z999AA10123456784", ShippedAt: time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)}
	e.GroupLines = []domain.GroupLine{{LineNo: 1, SKU: "SKU-2001", Quantity: 10}, {LineNo: 2, SKU: "SKU-1042", Quantity: 4}}
	m, err := notify.Render(e, store.Recipient{Name: "Dana Ortiz", Email: "dana@acme.example"})
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "Order SO-100001 has shipped (your PO PO-88412)" || m.Kind != "shipment" {
		t.Errorf("subject %q kind %q", m.Subject, m.Kind)
	}
	for _, want := range []string{
		"Hello Dana Ortiz,",
		"Part of your order SO-100001 (your PO PO-88412) left Dallas DC on Dec 1, 2026.",
		"Carrier:         UPS Ground",
		"Tracking number: 1Z999AA10123456784",
		"Track it:        https://www.ups.com/track?loc=en_US&tracknum=1Z999AA10123456784",
		"    10 x SKU-2001  Nitrile gloves, large\n",
		"     4 x SKU-1042  Hex bolt 1/2 in (on backorder, expected Dec 2, 2026)",
		"     3 x SKU-3300  Stretch wrap (being prepared)",
		"  100 Commerce St\n  Dallas, TX 75201\n",
	} {
		if !strings.Contains(m.Body, want) {
			t.Errorf("body lacks %q:\n%s", want, m.Body)
		}
	}
	if !strings.HasPrefix(m.Why, "shipment 1 shipped via UPS Ground, tracking 1Z999AA10123456784") {
		t.Errorf("why %q", m.Why)
	}
}

func TestRenderShipmentCompletesOrder(t *testing.T) {
	e := entry(store.TopicShipmentEmail)
	e.Lines, e.Backorders = e.Lines[:1], nil
	e.Group = &domain.FulfilmentGroup{ID: 3, Seq: 2, LocationName: "Dallas DC", Carrier: "Acme Freight", TrackingNumber: "PRO-1"}
	e.GroupLines = []domain.GroupLine{{LineNo: 1, SKU: "SKU-2001", Quantity: 10}}
	m, err := notify.Render(e, store.Recipient{Email: "orders@acme.example"})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Hello Acme Industrial Supply,", "Your order SO-100001", "This completes your order."} {
		if !strings.Contains(m.Body, want) {
			t.Errorf("body lacks %q:\n%s", want, m.Body)
		}
	}
	if strings.Contains(m.Body, "Track it") || strings.Contains(m.Body, "Still to come") {
		t.Errorf("body:\n%s", m.Body)
	}
}

func TestRenderShipmentRestOfOrder(t *testing.T) {
	e := entry(store.TopicShipmentEmail)
	e.Lines, e.Backorders = e.Lines[:1], nil
	e.Group = &domain.FulfilmentGroup{ID: 4, Seq: 2, LocationName: "Dallas DC", Carrier: "LTL", Service: "LTL", TrackingNumber: "9442251908"}
	e.GroupLines = []domain.GroupLine{{LineNo: 1, SKU: "SKU-2001", Quantity: 4}}
	m, err := notify.Render(e, store.Recipient{Email: "orders@acme.example"})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"The rest of your order SO-100001", "Carrier:         LTL\n", "This completes your order."} {
		if !strings.Contains(m.Body, want) {
			t.Errorf("body lacks %q:\n%s", want, m.Body)
		}
	}
}

func TestRenderBackorder(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		m, err := notify.Render(entry(store.TopicBackorderEmail), store.Recipient{Name: "Dana Ortiz", Email: "dana@acme.example"})
		if err != nil {
			t.Fatal(err)
		}
		if m.Subject != "Order SO-100001: an item is on backorder" {
			t.Errorf("subject %q", m.Subject)
		}
		for _, want := range []string{"     4 x SKU-1042  Hex bolt 1/2 in (expected Dec 2, 2026)", "Shipping now:\n       3 x SKU-3300"} {
			if !strings.Contains(m.Body, want) {
				t.Errorf("body lacks %q:\n%s", want, m.Body)
			}
		}
	})
	t.Run("NothingBackordered", func(t *testing.T) {
		e := entry(store.TopicBackorderEmail)
		e.Lines = e.Lines[:1]
		_, err := notify.Render(e, store.Recipient{Email: "dana@acme.example"})
		var nothing notify.ErrNothingToSay
		if !errors.As(err, &nothing) {
			t.Errorf("err = %v, want ErrNothingToSay", err)
		}
	})
	t.Run("UnknownTopic", func(t *testing.T) {
		if _, err := notify.Render(entry("customer.other"), store.Recipient{Email: "a@b.example"}); err == nil {
			t.Error("no error for a topic without a template")
		}
	})
}

func TestMessageHeaders(t *testing.T) {
	m := notify.Email{To: store.Recipient{Name: "Dana Ortiz", Email: "dana@acme.example"}, Subject: "Order SO-1\r\nBcc: x@evil.example", Body: "Hello\nthere\n"}
	raw, err := notify.Message("Orders <orders@oms.example>", m, "m-1", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	s := string(raw)
	if strings.Contains(s, "\r\nBcc:") {
		t.Errorf("a line break in the subject made a header:\n%s", s)
	}
	for _, want := range []string{"From: \"Orders\" <orders@oms.example>\r\n", "To: \"Dana Ortiz\" <dana@acme.example>\r\n",
		"Message-ID: <m-1@oms.example>\r\n", "Hello\r\nthere\r\n"} {
		if !strings.Contains(s, want) {
			t.Errorf("message lacks %q:\n%s", want, s)
		}
	}
}
