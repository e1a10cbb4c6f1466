package handlers

import (
	"context"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/oms/oms/domain"
	"github.com/oms/oms/store"
	"github.com/oms/oms/wire"
)

// API serves the JSON API under /api/v1. Field names are snake_case and
// shapes are stable: a field is always present (null or [] when empty).
type API struct {
	DB *store.DB
}

// apiTime is a time in RFC 3339 UTC, or null when zero, as everywhere in
// the API (wire.Time).
func apiTime(t time.Time) *string { return wire.Time(t) }

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
// &has_hold=&has_backorder=&sort=&limit=&offset=: the unified search. With
// updated_since or cursor it lists changed orders instead (OrdersChanged).
func (h *API) Orders(c *fiber.Ctx) error {
	if isChangesQuery(c) {
		return h.OrdersChanged(c)
	}
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
	now := h.DB.Now()
	for _, o := range res.Orders {
		out.Orders = append(out.Orders, apiOrderSummary{
			Number: o.Number, CustomerAccount: o.CustomerAccount, CustomerName: o.CustomerName, CustomerPO: o.CustomerPO,
			ShipName: o.ShipName, Channel: o.Channel, Status: string(o.Status), TotalCents: o.TotalCents,
			HasHold: o.HasHold, HasBackorder: o.HasBackorder, CreatedAt: apiTime(o.CreatedAt), Hint: o.Hint(now),
		})
	}
	return c.JSON(out)
}

// apiOrder reads an order with every line and builds its API shape.
// Returns ENOTFOUND.
func apiOrder(ctx context.Context, db *store.DB, number string) (wire.Order, error) {
	o, err := db.FullOrderByNumber(ctx, number)
	if err != nil {
		return wire.Order{}, err
	}
	return wire.NewOrder(o), nil
}

// Order is GET /api/v1/orders/{number}: the order as wire.Order, the
// same shape POST /api/v1/orders answers with, with every line.
func (h *API) Order(c *fiber.Ctx) error {
	o, err := apiOrder(c.UserContext(), h.DB, c.Params("number"))
	if err != nil {
		return err
	}
	return c.JSON(o)
}
