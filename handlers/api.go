package handlers

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/oms/oms/domain"
	"github.com/oms/oms/store"
)

// API serves the JSON API under /api/v1. Field names are snake_case and
// shapes are stable: a field is always present (null or [] when empty).
type API struct {
	DB *store.DB
}

// apiTime is a time in RFC 3339 UTC, or null when zero.
func apiTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

// apiOrderSummary is one order in a list.
type apiOrderSummary struct {
	Number          string  `json:"number"`
	CustomerAccount string  `json:"customer_account"`
	CustomerName    string  `json:"customer_name"`
	CustomerPO      string  `json:"customer_po"`
	ShipName        string  `json:"ship_name"`
	Channel         string  `json:"channel"`
	Status          string  `json:"status"`
	TotalCents      int64   `json:"total_cents"`
	HasHold         bool    `json:"has_hold"`
	HasBackorder    bool    `json:"has_backorder"`
	CreatedAt       *string `json:"created_at"`
	Hint            string  `json:"hint"`
}

type apiOrderList struct {
	Orders        []apiOrderSummary `json:"orders"`
	Total         int               `json:"total"`
	TotalIsCapped bool              `json:"total_is_capped"`
	Limit         int               `json:"limit"`
	Offset        int               `json:"offset"`
}

// Orders is GET /api/v1/orders?q=&status=&channel=&location=&from=&to=
// &has_hold=&has_backorder=&sort=&limit=&offset=: the unified search.
func (h *API) Orders(c *fiber.Ctx) error {
	limit, _ := strconv.Atoi(c.Query("limit", "50"))
	offset, _ := strconv.Atoi(c.Query("offset", "0"))
	if limit < 1 || limit > 200 {
		return domain.Invalid("limit must be from 1 to 200.", map[string]string{"limit": "From 1 to 200."})
	}
	if offset < 0 {
		return domain.Invalid("offset must not be negative.", map[string]string{"offset": "0 or more."})
	}
	q := store.OrderQuery{
		Q: c.Query("q"), Status: domain.OrderStatus(c.Query("status")), Channel: c.Query("channel"),
		Location: c.Query("location"), From: c.Query("from"), To: c.Query("to"),
		HasHold: c.QueryBool("has_hold"), HasBackorder: c.QueryBool("has_backorder"),
		Sort: c.Query("sort"), Limit: limit, Offset: offset,
	}
	res, err := h.DB.SearchOrders(c.UserContext(), q)
	if err != nil {
		return err
	}
	out := apiOrderList{Orders: []apiOrderSummary{}, Total: res.Total, TotalIsCapped: res.AtCap, Limit: limit, Offset: offset}
	for _, o := range res.Orders {
		out.Orders = append(out.Orders, apiOrderSummary{
			Number: o.Number, CustomerAccount: o.CustomerAccount, CustomerName: o.CustomerName, CustomerPO: o.CustomerPO,
			ShipName: o.ShipName, Channel: o.Channel, Status: string(o.Status), TotalCents: o.TotalCents,
			HasHold: o.HasHold, HasBackorder: o.HasBackorder, CreatedAt: apiTime(o.CreatedAt), Hint: o.Hint(),
		})
	}
	return c.JSON(out)
}

type apiAddress struct {
	Name       string `json:"name"`
	Line1      string `json:"line1"`
	Line2      string `json:"line2"`
	City       string `json:"city"`
	Region     string `json:"region"`
	PostalCode string `json:"postal_code"`
	Country    string `json:"country"`
}

type apiCustomerRef struct {
	Account string `json:"account"`
	Name    string `json:"name"`
}

type apiBuckets struct {
	Ordered     int64 `json:"ordered"`
	Allocated   int64 `json:"allocated"`
	Released    int64 `json:"released"`
	Shipped     int64 `json:"shipped"`
	Backordered int64 `json:"backordered"`
	Cancelled   int64 `json:"cancelled"`
}

func bucketsJSON(b domain.Buckets) apiBuckets {
	return apiBuckets{Ordered: b.Ordered, Allocated: b.Allocated, Released: b.Released, Shipped: b.Shipped,
		Backordered: b.Backordered, Cancelled: b.Cancelled}
}

type apiLine struct {
	LineNo         int    `json:"line_no"`
	SKU            string `json:"sku"`
	Description    string `json:"description"`
	UnitPriceCents int64  `json:"unit_price_cents"`
	apiBuckets
	Status string `json:"status"`
}

type apiGroup struct {
	Seq            int     `json:"seq"`
	LocationCode   string  `json:"location_code"`
	LocationName   string  `json:"location_name"`
	Dropship       bool    `json:"dropship"`
	Status         string  `json:"status"`
	Carrier        string  `json:"carrier"`
	Service        string  `json:"service"`
	TrackingNumber string  `json:"tracking_number"`
	TrackingURL    *string `json:"tracking_url"`
	Lines          int     `json:"lines"`
	Units          int64   `json:"units"`
	ReleasedAt     *string `json:"released_at"`
	ShippedAt      *string `json:"shipped_at"`
	CancelledAt    *string `json:"cancelled_at"`
}

type apiHold struct {
	Reason     string  `json:"reason"`
	Note       string  `json:"note"`
	Open       bool    `json:"open"`
	PlacedBy   string  `json:"placed_by"`
	PlacedAt   *string `json:"placed_at"`
	ReleasedBy *string `json:"released_by"`
	ReleasedAt *string `json:"released_at"`
}

type apiException struct {
	Kind     string  `json:"kind"`
	Severity string  `json:"severity"`
	Summary  string  `json:"summary"`
	Status   string  `json:"status"`
	LineNo   *int    `json:"line_no"`
	SLADueAt *string `json:"sla_due_at"`
}

type apiBackorder struct {
	LineNo       int     `json:"line_no"`
	SKU          string  `json:"sku"`
	Quantity     int64   `json:"quantity"`
	ExpectedDate *string `json:"expected_date"`
	SupplyPO     *string `json:"supply_po"`
}

type apiEvent struct {
	Kind    string  `json:"kind"`
	Actor   string  `json:"actor"`
	At      *string `json:"at"`
	Summary string  `json:"summary"`
	Before  string  `json:"before"`
	After   string  `json:"after"`
}

type apiOrder struct {
	Number        string         `json:"number"`
	Status        string         `json:"status"`
	StatusLabel   string         `json:"status_label"`
	StatusAnswer  string         `json:"status_answer"`
	Channel       string         `json:"channel"`
	Customer      apiCustomerRef `json:"customer"`
	CustomerPO    string         `json:"customer_po"`
	ShipTo        apiAddress     `json:"ship_to"`
	RequestedDate *string        `json:"requested_date"`
	ShipMethod    string         `json:"ship_method"`
	TotalCents    int64          `json:"total_cents"`
	HasHold       bool           `json:"has_hold"`
	HasBackorder  bool           `json:"has_backorder"`
	Version       int64          `json:"version"`
	CreatedAt     *string        `json:"created_at"`
	UpdatedAt     *string        `json:"updated_at"`
	Units         apiBuckets     `json:"units"`
	LineCount     int            `json:"line_count"`
	Lines         []apiLine      `json:"lines"`
	Groups        []apiGroup     `json:"groups"`
	Holds         []apiHold      `json:"holds"`
	Exceptions    []apiException `json:"exceptions"`
	Backorders    []apiBackorder `json:"backorders"`
	Trace         []string       `json:"trace"`
	Events        []apiEvent     `json:"events"`
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Order is GET /api/v1/orders/{number}: the facts of the order page, with
// every line.
func (h *API) Order(c *fiber.Ctx) error {
	d, err := h.DB.OrderDetail(c.UserContext(), c.Params("number"), store.LineQuery{PerPage: store.MaxLinesPerPage}, "")
	if err != nil {
		return err
	}
	o := d.Order
	out := apiOrder{
		Number: o.Number, Status: string(o.Status), StatusLabel: o.Status.Label(), StatusAnswer: d.Answer,
		Channel: o.Channel, Customer: apiCustomerRef{Account: o.CustomerAccount, Name: o.CustomerName},
		CustomerPO: o.CustomerPO, RequestedDate: strPtr(o.RequestedDate), ShipMethod: o.ShipMethod,
		ShipTo: apiAddress{Name: o.ShipTo.Name, Line1: o.ShipTo.Line1, Line2: o.ShipTo.Line2, City: o.ShipTo.City,
			Region: o.ShipTo.Region, PostalCode: o.ShipTo.PostalCode, Country: o.ShipTo.Country},
		TotalCents: o.TotalCents, HasHold: o.HasHold, HasBackorder: o.HasBackorder, Version: o.Version,
		CreatedAt: apiTime(o.CreatedAt), UpdatedAt: apiTime(o.UpdatedAt),
		Units: bucketsJSON(d.Totals.Units), LineCount: d.Totals.Lines,
		Lines: []apiLine{}, Groups: []apiGroup{}, Holds: []apiHold{}, Exceptions: []apiException{},
		Backorders: []apiBackorder{}, Trace: []string{}, Events: []apiEvent{},
	}
	for _, l := range d.Lines.Lines {
		out.Lines = append(out.Lines, apiLine{LineNo: l.LineNo, SKU: l.SKU, Description: l.Description,
			UnitPriceCents: l.UnitPriceCents, apiBuckets: bucketsJSON(l.Buckets), Status: string(l.Status)})
	}
	for _, g := range d.Groups {
		out.Groups = append(out.Groups, apiGroup{Seq: g.Seq, LocationCode: g.LocationCode, LocationName: g.LocationName,
			Dropship: g.Dropship, Status: g.Status, Carrier: g.Carrier, Service: g.Service, TrackingNumber: g.TrackingNumber,
			TrackingURL: strPtr(g.TrackingURL()), Lines: g.Lines, Units: g.Units,
			ReleasedAt: apiTime(g.ReleasedAt), ShippedAt: apiTime(g.ShippedAt), CancelledAt: apiTime(g.CancelledAt)})
	}
	for _, x := range d.Holds {
		out.Holds = append(out.Holds, apiHold{Reason: x.Reason, Note: x.Note, Open: x.Open(), PlacedBy: x.PlacedBy,
			PlacedAt: apiTime(x.PlacedAt), ReleasedBy: strPtr(x.ReleasedBy), ReleasedAt: apiTime(x.ReleasedAt)})
	}
	for _, x := range d.Exceptions {
		e := apiException{Kind: x.Kind, Severity: x.Severity, Summary: x.Summary, Status: x.Status, SLADueAt: apiTime(x.SLADueAt)}
		if x.LineNo > 0 {
			n := x.LineNo
			e.LineNo = &n
		}
		out.Exceptions = append(out.Exceptions, e)
	}
	for _, b := range d.Backorders {
		out.Backorders = append(out.Backorders, apiBackorder{LineNo: b.LineNo, SKU: b.SKU, Quantity: b.Quantity,
			ExpectedDate: strPtr(b.ExpectedDate), SupplyPO: strPtr(b.SupplyPO)})
	}
	out.Trace = append(out.Trace, d.Trace...)
	for _, e := range d.Events {
		out.Events = append(out.Events, apiEvent{Kind: e.Kind, Actor: e.Actor, At: apiTime(e.At), Summary: e.Summary,
			Before: e.Before, After: e.After})
	}
	return c.JSON(out)
}
