package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/oms/oms/domain"
)

// APIOrder is an order as the JSON API shows it: the answer of
// GET /api/v1/orders/{number} and the 201 answer of POST /api/v1/orders,
// byte for byte the same shape. Field names are the API's contract; change
// them only with a new API version. Every field is always present: null or
// [] when empty.
type APIOrder struct {
	Number        string         `json:"number"`
	Status        string         `json:"status"`
	StatusLabel   string         `json:"status_label"`
	StatusAnswer  string         `json:"status_answer"`
	Channel       string         `json:"channel"`
	Customer      APICustomerRef `json:"customer"`
	CustomerPO    string         `json:"customer_po"`
	ShipTo        APIAddress     `json:"ship_to"`
	RequestedDate *string        `json:"requested_date"`
	ShipMethod    string         `json:"ship_method"`
	TotalCents    int64          `json:"total_cents"`
	HasHold       bool           `json:"has_hold"`
	HasBackorder  bool           `json:"has_backorder"`
	Version       int64          `json:"version"`
	CreatedAt     *string        `json:"created_at"`
	UpdatedAt     *string        `json:"updated_at"`
	Units         APIBuckets     `json:"units"`
	LineCount     int            `json:"line_count"`
	Lines         []APILine      `json:"lines"`
	Groups        []APIGroup     `json:"groups"`
	Holds         []APIHold      `json:"holds"`
	Exceptions    []APIException `json:"exceptions"`
	Backorders    []APIBackorder `json:"backorders"`
	Trace         []string       `json:"trace"`
	Events        []APIEvent     `json:"events"`
}

// APIAddress is a ship-to address in the API.
type APIAddress struct {
	Name       string `json:"name"`
	Line1      string `json:"line1"`
	Line2      string `json:"line2"`
	City       string `json:"city"`
	Region     string `json:"region"`
	PostalCode string `json:"postal_code"`
	Country    string `json:"country"`
}

// APICustomerRef names the customer an order is for.
type APICustomerRef struct {
	Account string `json:"account"`
	Name    string `json:"name"`
}

// APIBuckets are where units are (invariant 1: ordered = cancelled +
// backordered + allocated + released + shipped, once sourced).
type APIBuckets struct {
	Ordered     int64 `json:"ordered"`
	Allocated   int64 `json:"allocated"`
	Released    int64 `json:"released"`
	Shipped     int64 `json:"shipped"`
	Backordered int64 `json:"backordered"`
	Cancelled   int64 `json:"cancelled"`
}

// APILine is one order line with its buckets inline.
type APILine struct {
	LineNo         int    `json:"line_no"`
	SKU            string `json:"sku"`
	Description    string `json:"description"`
	UnitPriceCents int64  `json:"unit_price_cents"`
	APIBuckets
	Status string `json:"status"`
}

// APIGroup is a fulfilment group: one shipment from one location, with
// the lines it ships.
type APIGroup struct {
	Seq            int            `json:"seq"`
	LocationCode   string         `json:"location_code"`
	LocationName   string         `json:"location_name"`
	Dropship       bool           `json:"dropship"`
	Status         string         `json:"status"`
	Carrier        string         `json:"carrier"`
	Service        string         `json:"service"`
	TrackingNumber string         `json:"tracking_number"`
	TrackingURL    *string        `json:"tracking_url"`
	LineCount      int            `json:"line_count"`
	Units          int64          `json:"units"`
	Lines          []APIGroupLine `json:"lines"`
	ReleasedAt     *string        `json:"released_at"`
	ShippedAt      *string        `json:"shipped_at"`
	CancelledAt    *string        `json:"cancelled_at"`
}

// APIGroupLine is the quantity of one order line a group ships.
type APIGroupLine struct {
	LineNo   int    `json:"line_no"`
	SKU      string `json:"sku"`
	Quantity int64  `json:"quantity"`
}

// APIHold is a hold on the order, open or released.
type APIHold struct {
	ID         int64   `json:"id"`
	Reason     string  `json:"reason"`
	Note       string  `json:"note"`
	Open       bool    `json:"open"`
	PlacedBy   string  `json:"placed_by"`
	PlacedAt   *string `json:"placed_at"`
	ReleasedBy *string `json:"released_by"`
	ReleasedAt *string `json:"released_at"`
}

// APIException is an exception raised on the order; LineNo is null when it
// concerns the whole order.
type APIException struct {
	Kind     string  `json:"kind"`
	Severity string  `json:"severity"`
	Summary  string  `json:"summary"`
	Status   string  `json:"status"`
	LineNo   *int    `json:"line_no"`
	SLADueAt *string `json:"sla_due_at"`
}

// APIBackorder is a backordered line with the earliest open inbound supply
// of its item, if any.
type APIBackorder struct {
	LineNo       int     `json:"line_no"`
	SKU          string  `json:"sku"`
	Quantity     int64   `json:"quantity"`
	ExpectedDate *string `json:"expected_date"`
	SupplyPO     *string `json:"supply_po"`
}

// APIEvent is one entry of the order's timeline, newest first.
type APIEvent struct {
	Kind    string  `json:"kind"`
	Actor   string  `json:"actor"`
	At      *string `json:"at"`
	Summary string  `json:"summary"`
	Before  string  `json:"before"`
	After   string  `json:"after"`
}

// APIOrderByNumber returns the order as the API shows it, with every line,
// in one read transaction. Returns ENOTFOUND.
func (db *DB) APIOrderByNumber(ctx context.Context, number string) (APIOrder, error) {
	var out APIOrder
	err := db.View(ctx, func(tx *sql.Tx) error {
		o, err := orderByNumber(ctx, tx, number)
		if err != nil {
			return err
		}
		out, err = apiOrder(ctx, tx, o, db.Now())
		return err
	})
	return out, err
}

// apiOrder reads the detail of o with every line, however many pages they
// take, and the lines of each group.
func apiOrder(ctx context.Context, tx *sql.Tx, o domain.Order, now time.Time) (APIOrder, error) {
	lq := LineQuery{PerPage: MaxLinesPerPage}
	d, err := orderDetail(ctx, tx, o, lq, "", now)
	if err != nil {
		return APIOrder{}, err
	}
	for lq.Page = 2; lq.Page <= d.Lines.Pages; lq.Page++ {
		p, err := orderLines(ctx, tx, o.ID, lq)
		if err != nil {
			return APIOrder{}, err
		}
		d.Lines.Lines = append(d.Lines.Lines, p.Lines...)
	}
	gl, err := groupLines(ctx, tx, o.ID)
	if err != nil {
		return APIOrder{}, err
	}
	return newAPIOrder(d, gl), nil
}

// groupLines reads the lines of every group of an order in one query,
// keyed by group id.
func groupLines(ctx context.Context, tx *sql.Tx, orderID int64) (map[int64][]APIGroupLine, error) {
	rows, err := tx.QueryContext(ctx, `SELECT gl.group_id, l.line_no, l.sku, gl.quantity
		FROM fulfilment_groups g
		JOIN fulfilment_group_lines gl ON gl.group_id = g.id
		JOIN order_lines l ON l.id = gl.order_line_id
		WHERE g.order_id = ? ORDER BY g.seq, l.line_no`, orderID)
	if err != nil {
		return nil, fmt.Errorf("read group lines: %w", err)
	}
	defer rows.Close()
	out := map[int64][]APIGroupLine{}
	for rows.Next() {
		var id int64
		var l APIGroupLine
		if err := rows.Scan(&id, &l.LineNo, &l.SKU, &l.Quantity); err != nil {
			return nil, err
		}
		out[id] = append(out[id], l)
	}
	return out, rows.Err()
}

// newAPIOrder builds the API shape of an order from its detail and the
// lines of its groups (keyed by group id).
func newAPIOrder(d OrderDetail, groupLines map[int64][]APIGroupLine) APIOrder {
	o := d.Order
	out := APIOrder{
		Number: o.Number, Status: string(o.Status), StatusLabel: o.Status.Label(), StatusAnswer: d.Answer,
		Channel: o.Channel, Customer: APICustomerRef{Account: o.CustomerAccount, Name: o.CustomerName},
		CustomerPO: o.CustomerPO, RequestedDate: apiString(o.RequestedDate), ShipMethod: o.ShipMethod,
		ShipTo: APIAddress{Name: o.ShipTo.Name, Line1: o.ShipTo.Line1, Line2: o.ShipTo.Line2, City: o.ShipTo.City,
			Region: o.ShipTo.Region, PostalCode: o.ShipTo.PostalCode, Country: o.ShipTo.Country},
		TotalCents: o.TotalCents, HasHold: o.HasHold, HasBackorder: o.HasBackorder, Version: o.Version,
		CreatedAt: apiTime(o.CreatedAt), UpdatedAt: apiTime(o.UpdatedAt),
		Units: apiBuckets(d.Totals.Units), LineCount: d.Totals.Lines,
		Lines: []APILine{}, Groups: []APIGroup{}, Holds: []APIHold{}, Exceptions: []APIException{},
		Backorders: []APIBackorder{}, Trace: []string{}, Events: []APIEvent{},
	}
	for _, l := range d.Lines.Lines {
		out.Lines = append(out.Lines, APILine{LineNo: l.LineNo, SKU: l.SKU, Description: l.Description,
			UnitPriceCents: l.UnitPriceCents, APIBuckets: apiBuckets(l.Buckets), Status: string(l.Status)})
	}
	for _, g := range d.Groups {
		lines := groupLines[g.ID]
		if lines == nil {
			lines = []APIGroupLine{}
		}
		out.Groups = append(out.Groups, APIGroup{Seq: g.Seq, LocationCode: g.LocationCode, LocationName: g.LocationName,
			Dropship: g.Dropship, Status: g.Status, Carrier: g.Carrier, Service: g.Service, TrackingNumber: g.TrackingNumber,
			TrackingURL: apiString(g.TrackingURL()), LineCount: g.Lines, Units: g.Units, Lines: lines,
			ReleasedAt: apiTime(g.ReleasedAt), ShippedAt: apiTime(g.ShippedAt), CancelledAt: apiTime(g.CancelledAt)})
	}
	for _, x := range d.Holds {
		out.Holds = append(out.Holds, APIHold{ID: x.ID, Reason: x.Reason, Note: x.Note, Open: x.Open(), PlacedBy: x.PlacedBy,
			PlacedAt: apiTime(x.PlacedAt), ReleasedBy: apiString(x.ReleasedBy), ReleasedAt: apiTime(x.ReleasedAt)})
	}
	for _, x := range d.Exceptions {
		e := APIException{Kind: x.Kind, Severity: x.Severity, Summary: x.Summary, Status: x.Status, SLADueAt: apiTime(x.SLADueAt)}
		if x.LineNo > 0 {
			n := x.LineNo
			e.LineNo = &n
		}
		out.Exceptions = append(out.Exceptions, e)
	}
	for _, b := range d.Backorders {
		out.Backorders = append(out.Backorders, APIBackorder{LineNo: b.LineNo, SKU: b.SKU, Quantity: b.Quantity,
			ExpectedDate: apiString(b.ExpectedDate), SupplyPO: apiString(b.SupplyPO)})
	}
	out.Trace = append(out.Trace, d.Trace...)
	for _, e := range d.Events {
		out.Events = append(out.Events, APIEvent{Kind: e.Kind, Actor: e.Actor, At: apiTime(e.At), Summary: e.Summary,
			Before: e.Before, After: e.After})
	}
	return out
}

func apiBuckets(b domain.Buckets) APIBuckets {
	return APIBuckets{Ordered: b.Ordered, Allocated: b.Allocated, Released: b.Released, Shipped: b.Shipped,
		Backordered: b.Backordered, Cancelled: b.Cancelled}
}

// apiTime is a time in RFC 3339 UTC, or null when zero.
func apiTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

// apiString is s, or null when empty.
func apiString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
