package handlers

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/oms/oms/domain"
	"github.com/oms/oms/store"
)

// apiChangedOrder is one order in GET /api/v1/orders?updated_since=.
type apiChangedOrder struct {
	Number          string  `json:"number"`
	Version         int64   `json:"version"`
	Status          string  `json:"status"`
	CustomerAccount string  `json:"customer_account"`
	CustomerName    string  `json:"customer_name"`
	CustomerPO      string  `json:"customer_po"`
	Channel         string  `json:"channel"`
	TotalCents      int64   `json:"total_cents"`
	HasHold         bool    `json:"has_hold"`
	HasBackorder    bool    `json:"has_backorder"`
	CreatedAt       *string `json:"created_at"`
	UpdatedAt       *string `json:"updated_at"`
	LastEventID     string  `json:"last_event_id"`
}

type apiChangedOrders struct {
	Orders     []apiChangedOrder `json:"orders"`
	NextCursor string            `json:"next_cursor"`
	HasMore    bool              `json:"has_more"`
}

// changesCursor is the opaque cursor of the changed-orders list: the last
// event id seen and the updated_since the listing started with, so that
// later pages need only the cursor.
type changesCursor struct {
	after int64
	since time.Time
}

func (k changesCursor) String() string {
	s := strconv.FormatInt(k.after, 10) + "|"
	if !k.since.IsZero() {
		s += k.since.UTC().Format(time.RFC3339Nano)
	}
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

func parseChangesCursor(s string) (changesCursor, bool) {
	var k changesCursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return k, false
	}
	after, since, ok := strings.Cut(string(b), "|")
	if !ok {
		return k, false
	}
	if k.after, err = strconv.ParseInt(after, 10, 64); err != nil || k.after < 0 {
		return k, false
	}
	if since != "" {
		if k.since, err = time.Parse(time.RFC3339Nano, since); err != nil {
			return k, false
		}
	}
	return k, true
}

// isChangesQuery reports whether GET /api/v1/orders asks for the changed
// orders (updated_since or cursor) rather than the search.
func isChangesQuery(c *fiber.Ctx) bool {
	return c.Query("updated_since") != "" || c.Query("cursor") != ""
}

// OrdersChanged is GET /api/v1/orders?updated_since=<RFC 3339>&cursor=&limit=:
// the orders changed at or after the time, each once, oldest change first,
// paged by an opaque cursor. An order that changes again while a consumer
// pages comes again on a later page, so nothing is missed.
func (h *API) OrdersChanged(c *fiber.Ctx) error {
	var k changesCursor
	if s := c.Query("cursor"); s != "" {
		var ok bool
		if k, ok = parseChangesCursor(s); !ok {
			return domain.Invalid("cursor must be a next_cursor this API returned.", map[string]string{"cursor": "is not a cursor"})
		}
	} else {
		t, err := time.Parse(time.RFC3339Nano, c.Query("updated_since"))
		if err != nil {
			return domain.Invalid("updated_since must be a time in RFC 3339, such as 2026-12-01T03:00:00Z.",
				map[string]string{"updated_since": "is not an RFC 3339 time"})
		}
		k.since = t
	}
	limit, err := strconv.Atoi(c.Query("limit", "100"))
	if err != nil || limit < 1 || limit > store.MaxOrderChangesPage {
		return domain.Invalid("limit must be from 1 to 1000.", map[string]string{"limit": "From 1 to 1000."})
	}
	orders, err := h.DB.OrdersChanged(c.UserContext(), store.OrderChangesQuery{Since: k.since, After: k.after, Limit: limit + 1})
	if err != nil {
		return err
	}
	page := apiChangedOrders{Orders: []apiChangedOrder{}, HasMore: len(orders) > limit}
	if page.HasMore {
		orders = orders[:limit]
	}
	for _, o := range orders {
		page.Orders = append(page.Orders, apiChangedOrder{Number: o.Number, Version: o.Version, Status: string(o.Status),
			CustomerAccount: o.CustomerAccount, CustomerName: o.CustomerName, CustomerPO: o.CustomerPO, Channel: o.Channel,
			TotalCents: o.TotalCents, HasHold: o.HasHold, HasBackorder: o.HasBackorder, CreatedAt: apiTime(o.CreatedAt),
			UpdatedAt: apiTime(o.UpdatedAt), LastEventID: strconv.FormatInt(o.LastEventID, 10)})
		k.after = o.LastEventID
	}
	page.NextCursor = k.String()
	return c.JSON(page)
}
