// Package wire builds the JSON shapes integrators see of an order from
// the store's domain values: the order of the JSON API (GET and POST
// /api/v1/orders and the answers of order actions), and the address, line
// and group-line shapes the outbound messages of package dispatch share
// with it, so that one order line reads the same wherever it appears. The
// store defines no wire format; the API handlers and the dispatcher build
// theirs here.
package wire

import (
	"encoding/json"
	"time"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/store"
)

// Order is an order as the JSON API shows it: the answer of
// GET /api/v1/orders/{number} and the 201 answer of POST /api/v1/orders,
// byte for byte the same shape. Field names are the API's contract; change
// them only with a new API version. Every field is always present: null or
// [] when empty.
type Order struct {
	Number        string      `json:"number"`
	Status        string      `json:"status"`
	StatusLabel   string      `json:"status_label"`
	StatusAnswer  string      `json:"status_answer"`
	Channel       string      `json:"channel"`
	Customer      CustomerRef `json:"customer"`
	CustomerPO    string      `json:"customer_po"`
	ShipTo        Address     `json:"ship_to"`
	RequestedDate *string     `json:"requested_date"`
	ShipMethod    string      `json:"ship_method"`
	TotalCents    int64       `json:"total_cents"`
	HasHold       bool        `json:"has_hold"`
	HasBackorder  bool        `json:"has_backorder"`
	Version       int64       `json:"version"`
	CreatedAt     *string     `json:"created_at"`
	UpdatedAt     *string     `json:"updated_at"`
	Units         Buckets     `json:"units"`
	LineCount     int         `json:"line_count"`
	Lines         []Line      `json:"lines"`
	Groups        []Group     `json:"groups"`
	Holds         []Hold      `json:"holds"`
	Exceptions    []Exception `json:"exceptions"`
	Backorders    []Backorder `json:"backorders"`
	Trace         []string    `json:"trace"`
	Events        []Event     `json:"events"`
}

// Address is a ship-to address in the API.
type Address struct {
	Name       string `json:"name"`
	Line1      string `json:"line1"`
	Line2      string `json:"line2"`
	City       string `json:"city"`
	Region     string `json:"region"`
	PostalCode string `json:"postal_code"`
	Country    string `json:"country"`
}

// CustomerRef names the customer an order is for.
type CustomerRef struct {
	Account string `json:"account"`
	Name    string `json:"name"`
}

// Buckets are where units are (invariant 1: ordered = cancelled +
// backordered + allocated + released + shipped, once sourced).
type Buckets struct {
	Ordered     int64 `json:"ordered"`
	Allocated   int64 `json:"allocated"`
	Released    int64 `json:"released"`
	Shipped     int64 `json:"shipped"`
	Backordered int64 `json:"backordered"`
	Cancelled   int64 `json:"cancelled"`
}

// Line is one order line with its buckets inline.
type Line struct {
	LineNo         int    `json:"line_no"`
	SKU            string `json:"sku"`
	Description    string `json:"description"`
	UnitPriceCents int64  `json:"unit_price_cents"`
	Buckets
	Status string `json:"status"`
}

// Group is a fulfilment group: one shipment from one location, with
// the lines it ships.
type Group struct {
	Seq            int         `json:"seq"`
	LocationCode   string      `json:"location_code"`
	LocationName   string      `json:"location_name"`
	Dropship       bool        `json:"dropship"`
	Status         string      `json:"status"`
	Carrier        string      `json:"carrier"`
	Service        string      `json:"service"`
	TrackingNumber string      `json:"tracking_number"`
	TrackingURL    *string     `json:"tracking_url"`
	LineCount      int         `json:"line_count"`
	Units          int64       `json:"units"`
	Lines          []GroupLine `json:"lines"`
	ReleasedAt     *string     `json:"released_at"`
	ShippedAt      *string     `json:"shipped_at"`
	CancelledAt    *string     `json:"cancelled_at"`
}

// GroupLine is the quantity of one order line a group ships.
type GroupLine struct {
	LineNo   int    `json:"line_no"`
	SKU      string `json:"sku"`
	Quantity int64  `json:"quantity"`
}

// Hold is a hold on the order, open or released.
type Hold struct {
	ID         int64   `json:"id"`
	Reason     string  `json:"reason"`
	Note       string  `json:"note"`
	Open       bool    `json:"open"`
	PlacedBy   string  `json:"placed_by"`
	PlacedAt   *string `json:"placed_at"`
	ReleasedBy *string `json:"released_by"`
	ReleasedAt *string `json:"released_at"`
}

// Exception is an exception raised on the order; LineNo is null when it
// concerns the whole order.
type Exception struct {
	Kind     string  `json:"kind"`
	Severity string  `json:"severity"`
	Summary  string  `json:"summary"`
	Status   string  `json:"status"`
	LineNo   *int    `json:"line_no"`
	SLADueAt *string `json:"sla_due_at"`
}

// Backorder is a backordered line with the earliest open inbound supply
// of its item, if any.
type Backorder struct {
	LineNo       int     `json:"line_no"`
	SKU          string  `json:"sku"`
	Quantity     int64   `json:"quantity"`
	ExpectedDate *string `json:"expected_date"`
	SupplyPO     *string `json:"supply_po"`
}

// Event is one entry of the order's timeline, newest first.
type Event struct {
	Kind    string  `json:"kind"`
	Actor   string  `json:"actor"`
	At      *string `json:"at"`
	Summary string  `json:"summary"`
	Before  string  `json:"before"`
	After   string  `json:"after"`
}

// NewOrder builds the API shape of an order from the store's full order.
func NewOrder(d store.FullOrder) Order {
	o := d.Order
	out := Order{
		Number: o.Number, Status: string(o.Status), StatusLabel: o.Status.Label(), StatusAnswer: d.Answer,
		Channel: o.Channel, Customer: CustomerRef{Account: o.CustomerAccount, Name: o.CustomerName},
		CustomerPO: o.CustomerPO, RequestedDate: String(o.RequestedDate), ShipMethod: o.ShipMethod,
		ShipTo:     NewAddress(o.ShipTo),
		TotalCents: o.TotalCents, HasHold: o.HasHold, HasBackorder: o.HasBackorder, Version: o.Version,
		CreatedAt: Time(o.CreatedAt), UpdatedAt: Time(o.UpdatedAt),
		Units: newBuckets(d.Totals.Units), LineCount: d.Totals.Lines,
		Lines: []Line{}, Groups: []Group{}, Holds: []Hold{}, Exceptions: []Exception{},
		Backorders: []Backorder{}, Trace: []string{}, Events: []Event{},
	}
	for _, l := range d.Lines.Lines {
		out.Lines = append(out.Lines, NewLine(l))
	}
	for _, g := range d.Groups {
		lines := NewGroupLines(d.GroupLines[g.ID])
		out.Groups = append(out.Groups, Group{Seq: g.Seq, LocationCode: g.LocationCode, LocationName: g.LocationName,
			Dropship: g.Dropship, Status: g.Status, Carrier: g.Carrier, Service: g.Service, TrackingNumber: g.TrackingNumber,
			TrackingURL: String(g.TrackingURL()), LineCount: g.Lines, Units: g.Units, Lines: lines,
			ReleasedAt: Time(g.ReleasedAt), ShippedAt: Time(g.ShippedAt), CancelledAt: Time(g.CancelledAt)})
	}
	for _, x := range d.Holds {
		out.Holds = append(out.Holds, Hold{ID: x.ID, Reason: x.Reason, Note: x.Note, Open: x.Open(), PlacedBy: x.PlacedBy,
			PlacedAt: Time(x.PlacedAt), ReleasedBy: String(x.ReleasedBy), ReleasedAt: Time(x.ReleasedAt)})
	}
	for _, x := range d.Exceptions {
		e := Exception{Kind: x.Kind, Severity: x.Severity, Summary: x.Summary, Status: x.Status, SLADueAt: Time(x.SLADueAt)}
		if x.LineNo > 0 {
			n := x.LineNo
			e.LineNo = &n
		}
		out.Exceptions = append(out.Exceptions, e)
	}
	for _, b := range d.Backorders {
		out.Backorders = append(out.Backorders, Backorder{LineNo: b.LineNo, SKU: b.SKU, Quantity: b.Quantity,
			ExpectedDate: String(b.ExpectedDate), SupplyPO: String(b.SupplyPO)})
	}
	out.Trace = append(out.Trace, d.Trace...)
	for _, e := range d.Events {
		out.Events = append(out.Events, Event{Kind: e.Kind, Actor: e.Actor, At: Time(e.At), Summary: e.Summary,
			Before: e.Before, After: e.After})
	}
	return out
}

// OrderJSON is the API's JSON of an order: the body of a capture's answer,
// which the store records under its idempotency key.
func OrderJSON(d store.FullOrder) ([]byte, error) { return json.Marshal(NewOrder(d)) }

// NewAddress is a ship-to address as integrators see it.
func NewAddress(a domain.Address) Address {
	return Address{Name: a.Name, Line1: a.Line1, Line2: a.Line2, City: a.City, Region: a.Region, PostalCode: a.PostalCode, Country: a.Country}
}

// NewLine is an order line with its buckets as integrators see it.
func NewLine(l domain.OrderLine) Line {
	return Line{LineNo: l.LineNo, SKU: l.SKU, Description: l.Description, UnitPriceCents: l.UnitPriceCents,
		Buckets: newBuckets(l.Buckets), Status: string(l.Status)}
}

// NewGroupLines are the lines of a group; [] when it has none.
func NewGroupLines(lines []domain.GroupLine) []GroupLine {
	out := make([]GroupLine, 0, len(lines))
	for _, l := range lines {
		out = append(out, GroupLine{LineNo: l.LineNo, SKU: l.SKU, Quantity: l.Quantity})
	}
	return out
}

func newBuckets(b domain.Buckets) Buckets {
	return Buckets{Ordered: b.Ordered, Allocated: b.Allocated, Released: b.Released, Shipped: b.Shipped,
		Backordered: b.Backordered, Cancelled: b.Cancelled}
}

// Time is a time in RFC 3339 UTC, or null when zero.
func Time(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

// String is s, or null when empty.
func String(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
