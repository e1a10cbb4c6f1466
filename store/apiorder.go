package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/oms/oms/domain"
)

// APIOrder is an order as the JSON API shows it: the 201 answer of
// POST /api/v1/orders, and the shape for any endpoint that returns one
// order. Field names are the API's contract; change them only with a new
// API version.
type APIOrder struct {
	Number          string          `json:"number"`
	Status          string          `json:"status"`
	StatusLabel     string          `json:"status_label"`
	Channel         string          `json:"channel"`
	CustomerAccount string          `json:"customer_account"`
	CustomerName    string          `json:"customer_name"`
	PONumber        string          `json:"po_number"`
	ShipTo          APIAddress      `json:"ship_to"`
	RequestedDate   string          `json:"requested_date"`
	ShipMethod      string          `json:"ship_method"`
	ShipComplete    bool            `json:"ship_complete"`
	TotalCents      int64           `json:"total_cents"`
	Version         int64           `json:"version"`
	CreatedBy       string          `json:"created_by"`
	CreatedAt       string          `json:"created_at"`
	Lines           []APIOrderLine  `json:"lines"`
	Holds           []APIOrderHold  `json:"holds"`
	Groups          []APIOrderGroup `json:"groups"`
	Trace           []string        `json:"trace"`
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

// APIOrderLine is one line with its quantity buckets (invariant 1:
// quantity = cancelled + backordered + allocated + released + shipped).
type APIOrderLine struct {
	LineNo         int64          `json:"line_no"`
	SKU            string         `json:"sku"`
	Description    string         `json:"description"`
	Quantity       int64          `json:"quantity"`
	UnitPriceCents int64          `json:"unit_price_cents"`
	Status         string         `json:"status"`
	Quantities     APILineBuckets `json:"quantities"`
}

// APILineBuckets are where a line's units are.
type APILineBuckets struct {
	Cancelled   int64 `json:"cancelled"`
	Backordered int64 `json:"backordered"`
	Allocated   int64 `json:"allocated"`
	Released    int64 `json:"released"`
	Shipped     int64 `json:"shipped"`
}

// APIOrderHold is a hold on the order, open or released.
type APIOrderHold struct {
	Reason     string `json:"reason"`
	Note       string `json:"note"`
	PlacedBy   string `json:"placed_by"`
	PlacedAt   string `json:"placed_at"`
	ReleasedBy string `json:"released_by,omitempty"`
	ReleasedAt string `json:"released_at,omitempty"`
}

// APIOrderGroup is a fulfilment group: one shipment from one location.
type APIOrderGroup struct {
	Seq            int64               `json:"seq"`
	Location       string              `json:"location"`
	LocationName   string              `json:"location_name"`
	Dropship       bool                `json:"dropship"`
	Status         string              `json:"status"`
	Carrier        string              `json:"carrier,omitempty"`
	TrackingNumber string              `json:"tracking_number,omitempty"`
	Lines          []APIOrderGroupLine `json:"lines"`
}

// APIOrderGroupLine is the quantity of one order line in a group.
type APIOrderGroupLine struct {
	LineNo   int64  `json:"line_no"`
	SKU      string `json:"sku"`
	Quantity int64  `json:"quantity"`
}

// APIOrderByNumber returns the order as the API shows it. Returns ENOTFOUND.
func (db *DB) APIOrderByNumber(ctx context.Context, number string) (APIOrder, error) {
	var o APIOrder
	err := db.View(ctx, func(tx *sql.Tx) error {
		id, err := orderIDByNumber(ctx, tx, number)
		if err != nil {
			return err
		}
		o, err = loadAPIOrder(ctx, tx, id)
		return err
	})
	return o, err
}

// loadAPIOrder reads the order inside the caller's transaction, so that the
// write transaction that captured an order can answer with it.
func loadAPIOrder(ctx context.Context, q querier, orderID int64) (APIOrder, error) {
	var o APIOrder
	err := q.QueryRowContext(ctx, `SELECT o.number, o.status, o.channel, c.account, c.name, o.customer_po,
			o.ship_name, o.ship_line1, o.ship_line2, o.ship_city, o.ship_region, o.ship_postal_code, o.ship_country,
			o.requested_date, o.ship_method, o.ship_complete, o.total_cents, o.version, o.created_by, o.created_at
		FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = ?`, orderID).
		Scan(&o.Number, &o.Status, &o.Channel, &o.CustomerAccount, &o.CustomerName, &o.PONumber,
			&o.ShipTo.Name, &o.ShipTo.Line1, &o.ShipTo.Line2, &o.ShipTo.City, &o.ShipTo.Region, &o.ShipTo.PostalCode, &o.ShipTo.Country,
			&o.RequestedDate, &o.ShipMethod, &o.ShipComplete, &o.TotalCents, &o.Version, &o.CreatedBy, &o.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return o, domain.Errorf(domain.ENOTFOUND, "No such order.")
	} else if err != nil {
		return o, err
	}
	o.StatusLabel = domain.OrderStatus(o.Status).Label()
	o.Lines, o.Holds, o.Groups, o.Trace = []APIOrderLine{}, []APIOrderHold{}, []APIOrderGroup{}, []string{}

	rows, err := q.QueryContext(ctx, `SELECT line_no, sku, description, quantity, unit_price_cents, status,
			qty_cancelled, qty_backordered, qty_allocated, qty_released, qty_shipped
		FROM order_lines WHERE order_id = ? ORDER BY line_no`, orderID)
	if err != nil {
		return o, err
	}
	for rows.Next() {
		var l APIOrderLine
		b := &l.Quantities
		if err := rows.Scan(&l.LineNo, &l.SKU, &l.Description, &l.Quantity, &l.UnitPriceCents, &l.Status,
			&b.Cancelled, &b.Backordered, &b.Allocated, &b.Released, &b.Shipped); err != nil {
			rows.Close()
			return o, err
		}
		o.Lines = append(o.Lines, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return o, err
	}

	rows, err = q.QueryContext(ctx, `SELECT reason, note, placed_by, placed_at, coalesce(released_by, ''), coalesce(released_at, '')
		FROM holds WHERE order_id = ? ORDER BY id`, orderID)
	if err != nil {
		return o, err
	}
	for rows.Next() {
		var h APIOrderHold
		if err := rows.Scan(&h.Reason, &h.Note, &h.PlacedBy, &h.PlacedAt, &h.ReleasedBy, &h.ReleasedAt); err != nil {
			rows.Close()
			return o, err
		}
		o.Holds = append(o.Holds, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return o, err
	}

	// One query for groups and their lines, ordered so that each group's
	// lines follow it.
	rows, err = q.QueryContext(ctx, `SELECT g.seq, loc.code, loc.name, g.dropship, g.status, g.carrier, g.tracking_number,
			l.line_no, l.sku, gl.quantity
		FROM fulfilment_groups g
		JOIN locations loc ON loc.id = g.location_id
		JOIN fulfilment_group_lines gl ON gl.group_id = g.id
		JOIN order_lines l ON l.id = gl.order_line_id
		WHERE g.order_id = ? ORDER BY g.seq, l.line_no`, orderID)
	if err != nil {
		return o, err
	}
	for rows.Next() {
		var g APIOrderGroup
		var gl APIOrderGroupLine
		if err := rows.Scan(&g.Seq, &g.Location, &g.LocationName, &g.Dropship, &g.Status, &g.Carrier, &g.TrackingNumber,
			&gl.LineNo, &gl.SKU, &gl.Quantity); err != nil {
			rows.Close()
			return o, err
		}
		if n := len(o.Groups); n == 0 || o.Groups[n-1].Seq != g.Seq {
			o.Groups = append(o.Groups, g)
		}
		last := &o.Groups[len(o.Groups)-1]
		last.Lines = append(last.Lines, gl)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return o, err
	}

	// The latest sourcing decision explains where the order ships from now.
	var trace string
	err = q.QueryRowContext(ctx, `SELECT trace FROM sourcing_traces WHERE order_id = ? ORDER BY id DESC LIMIT 1`, orderID).Scan(&trace)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return o, err
	default:
		if err := json.Unmarshal([]byte(trace), &o.Trace); err != nil {
			return o, err
		}
		if o.Trace == nil {
			o.Trace = []string{}
		}
	}
	return o, nil
}
