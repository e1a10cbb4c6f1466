package handlers

import (
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/oms/oms/domain"
	"github.com/oms/oms/store"
)

// apiEvent is one change of the feed GET /api/v1/events.
type apiEvent struct {
	ID           string  `json:"id"`
	Order        string  `json:"order"`
	OrderVersion *int64  `json:"order_version"`
	Kind         string  `json:"kind"`
	Actor        string  `json:"actor"`
	At           *string `json:"at"`
	Summary      string  `json:"summary"`
	StatusBefore *string `json:"status_before"`
	StatusAfter  *string `json:"status_after"`
	// Inventory is what an inventory event changed (order ""): one item
	// for a receipt, adjustment or shipment, up to 1,000 for a count; []
	// for an order event.
	Inventory []apiStockChange `json:"inventory"`
}

// apiStockChange is on hand of an item at a location changing by
// quantity, with on hand and available to promise after the change.
type apiStockChange struct {
	SKU       string `json:"sku"`
	Location  string `json:"location"`
	Quantity  int64  `json:"quantity"`
	OnHand    int64  `json:"on_hand"`
	Available int64  `json:"available"`
}

type apiEventPage struct {
	Events     []apiEvent `json:"events"`
	NextCursor string     `json:"next_cursor"`
	HasMore    bool       `json:"has_more"`
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Events is GET /api/v1/events?after={cursor}&limit=: every order and
// inventory event in commit order after the cursor ("" or 0 for the start). Reading from the
// start and keeping each order's last status_after rebuilds every order's
// status.
func (h *API) Events(c *fiber.Ctx) error {
	var after int64
	if s := c.Query("after"); s != "" {
		var err error
		if after, err = strconv.ParseInt(s, 10, 64); err != nil || after < 0 {
			return domain.Invalid("after must be a cursor from next_cursor (or empty for the start).", map[string]string{"after": "is not a cursor"})
		}
	}
	limit, err := strconv.Atoi(c.Query("limit", "500"))
	if err != nil || limit < 1 || limit > store.MaxFeedPage {
		return domain.Invalid("limit must be from 1 to 1000.", map[string]string{"limit": "From 1 to 1000."})
	}
	events, err := h.DB.EventsAfter(c.UserContext(), after, limit+1)
	if err != nil {
		return err
	}
	page := apiEventPage{Events: []apiEvent{}, NextCursor: strconv.FormatInt(after, 10), HasMore: len(events) > limit}
	if page.HasMore {
		events = events[:limit]
	}
	for _, e := range events {
		ev := apiEvent{ID: strconv.FormatInt(e.ID, 10), Order: e.OrderNumber, Kind: e.Kind, Actor: e.Actor, At: apiTime(e.At),
			Summary: e.Summary, StatusBefore: optional(e.Before), StatusAfter: optional(e.After)}
		ev.Inventory = make([]apiStockChange, len(e.Stock))
		for i, st := range e.Stock {
			ev.Inventory[i] = apiStockChange{SKU: st.SKU, Location: st.Location, Quantity: st.Quantity, OnHand: st.OnHand, Available: st.Available}
		}
		if e.OrderVersion > 0 {
			v := e.OrderVersion
			ev.OrderVersion = &v
		}
		page.Events = append(page.Events, ev)
		page.NextCursor = ev.ID
	}
	return c.JSON(page)
}
