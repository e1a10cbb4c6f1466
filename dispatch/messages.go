// Package dispatch sends the outbox to the ERP, the WMS, dropship vendors
// and webhook receivers: it renders each message's wire payload from the
// store's domain values, signs it with HMAC-SHA256, posts it with the
// message id as idempotency key, retries with exponential backoff and
// jitter, keeps each order's messages in order, and turns a message that
// keeps failing into a dead letter.
package dispatch

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/store"
)

// Message is the JSON body of every outbound message. Fields are always
// present: null for a missing object, [] for an empty list.
type Message struct {
	ID        string `json:"id"`
	Topic     string `json:"topic"`
	CreatedAt string `json:"created_at"`
	// Order is the order as it is when the message is sent.
	Order *Order `json:"order"`
	// Group is the fulfilment group the message is about, if any.
	Group *Group `json:"group"`
	// PurchaseOrder is set for a dropship group released to its vendor.
	PurchaseOrder *PurchaseOrder `json:"purchase_order"`
	// Detail is a plain detail of the change (a cancellation's reason).
	Detail string `json:"detail"`
	// Line is the order line a line.closed message is about, null for
	// other topics.
	Line *Line `json:"line"`
}

// Order is an order in an outbound message.
type Order struct {
	Number          string      `json:"number"`
	Version         int64       `json:"version"`
	Status          string      `json:"status"`
	Channel         string      `json:"channel"`
	CustomerAccount string      `json:"customer_account"`
	CustomerName    string      `json:"customer_name"`
	CustomerPO      string      `json:"customer_po"`
	ShipTo          Address     `json:"ship_to"`
	ShipMethod      string      `json:"ship_method"`
	RequestedDate   *string     `json:"requested_date"`
	TotalCents      int64       `json:"total_cents"`
	Lines           []Line      `json:"lines"`
	Backorders      []Backorder `json:"backorders"`
}

// Address is a ship-to address.
type Address struct {
	Name       string `json:"name"`
	Line1      string `json:"line1"`
	Line2      string `json:"line2"`
	City       string `json:"city"`
	Region     string `json:"region"`
	PostalCode string `json:"postal_code"`
	Country    string `json:"country"`
}

// Line is an order line with its quantity buckets.
type Line struct {
	LineNo         int    `json:"line_no"`
	SKU            string `json:"sku"`
	Description    string `json:"description"`
	UnitPriceCents int64  `json:"unit_price_cents"`
	Ordered        int64  `json:"ordered"`
	Allocated      int64  `json:"allocated"`
	Released       int64  `json:"released"`
	Shipped        int64  `json:"shipped"`
	Backordered    int64  `json:"backordered"`
	Cancelled      int64  `json:"cancelled"`
	Status         string `json:"status"`
}

// Backorder is units of a line waiting for stock.
type Backorder struct {
	LineNo       int     `json:"line_no"`
	SKU          string  `json:"sku"`
	Quantity     int64   `json:"quantity"`
	ExpectedDate *string `json:"expected_date"`
}

// Group is a fulfilment group: one shipment from one location.
type Group struct {
	Seq            int         `json:"seq"`
	Location       string      `json:"location"`
	LocationName   string      `json:"location_name"`
	Dropship       bool        `json:"dropship"`
	Status         string      `json:"status"`
	Carrier        string      `json:"carrier"`
	Service        string      `json:"service"`
	TrackingNumber string      `json:"tracking_number"`
	ReleasedAt     *string     `json:"released_at"`
	ShippedAt      *string     `json:"shipped_at"`
	Lines          []GroupLine `json:"lines"`
}

// GroupLine is the quantity of one order line in a group.
type GroupLine struct {
	LineNo   int    `json:"line_no"`
	SKU      string `json:"sku"`
	Quantity int64  `json:"quantity"`
}

// PurchaseOrder asks a dropship vendor to ship a group to the customer.
type PurchaseOrder struct {
	Number string      `json:"number"` // the order number and group, e.g. SO-100001-2
	Vendor string      `json:"vendor"`
	ShipTo Address     `json:"ship_to"`
	Lines  []GroupLine `json:"lines"`
}

func wireTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

// Render builds the wire body of one outbox message from its domain values.
func Render(e store.OutboxEntry) ([]byte, error) {
	m := Message{ID: e.MessageID, Topic: e.Topic, CreatedAt: e.CreatedAt.UTC().Format(time.RFC3339Nano), Detail: e.Detail}
	if e.Order.ID != 0 {
		m.Order = renderOrder(e.Order, e.Lines, e.Backorders)
	}
	if e.LineNo != 0 && m.Order != nil {
		for i := range m.Order.Lines {
			if m.Order.Lines[i].LineNo == e.LineNo {
				l := m.Order.Lines[i]
				m.Line = &l
			}
		}
		if m.Line == nil {
			return nil, fmt.Errorf("message %s: order %s has no line %d", e.MessageID, e.Order.Number, e.LineNo)
		}
	}
	if e.Group != nil {
		if e.Group.Seq == 0 {
			return nil, fmt.Errorf("message %s: its fulfilment group no longer exists", e.MessageID)
		}
		m.Group = renderGroup(*e.Group, e.GroupLines)
		if e.Destination == "vendor" && m.Order != nil {
			m.PurchaseOrder = &PurchaseOrder{Number: fmt.Sprintf("%s-%d", e.Order.Number, e.Group.Seq), Vendor: e.Group.LocationCode,
				ShipTo: m.Order.ShipTo, Lines: m.Group.Lines}
		}
	}
	return json.Marshal(m)
}

func renderOrder(o domain.Order, lines []domain.OrderLine, bos []domain.Backorder) *Order {
	out := &Order{Number: o.Number, Version: o.Version, Status: string(o.Status), Channel: o.Channel,
		CustomerAccount: o.CustomerAccount, CustomerName: o.CustomerName, CustomerPO: o.CustomerPO,
		ShipTo: Address{Name: o.ShipTo.Name, Line1: o.ShipTo.Line1, Line2: o.ShipTo.Line2, City: o.ShipTo.City,
			Region: o.ShipTo.Region, PostalCode: o.ShipTo.PostalCode, Country: o.ShipTo.Country},
		ShipMethod: o.ShipMethod, TotalCents: o.TotalCents, Lines: []Line{}, Backorders: []Backorder{}}
	if o.RequestedDate != "" {
		d := o.RequestedDate
		out.RequestedDate = &d
	}
	for _, l := range lines {
		out.Lines = append(out.Lines, Line{LineNo: l.LineNo, SKU: l.SKU, Description: l.Description, UnitPriceCents: l.UnitPriceCents,
			Ordered: l.Ordered, Allocated: l.Allocated, Released: l.Released, Shipped: l.Shipped, Backordered: l.Backordered,
			Cancelled: l.Cancelled, Status: string(l.Status)})
	}
	for _, b := range bos {
		wb := Backorder{LineNo: b.LineNo, SKU: b.SKU, Quantity: b.Quantity}
		if b.ExpectedDate != "" {
			d := b.ExpectedDate
			wb.ExpectedDate = &d
		}
		out.Backorders = append(out.Backorders, wb)
	}
	return out
}

func renderGroup(g domain.FulfilmentGroup, lines []domain.GroupLine) *Group {
	out := &Group{Seq: g.Seq, Location: g.LocationCode, LocationName: g.LocationName, Dropship: g.Dropship, Status: g.Status,
		Carrier: g.Carrier, Service: g.Service, TrackingNumber: g.TrackingNumber, ReleasedAt: wireTime(g.ReleasedAt),
		ShippedAt: wireTime(g.ShippedAt), Lines: []GroupLine{}}
	for _, l := range lines {
		out.Lines = append(out.Lines, GroupLine{LineNo: l.LineNo, SKU: l.SKU, Quantity: l.Quantity})
	}
	return out
}
