package handlers

import (
	"github.com/gofiber/fiber/v2"
	"github.com/oms/oms/domain"
	"github.com/oms/oms/store"
)

// LookupAPI answers the JSON searches an integration needs before it sends
// an order: items with availability, and customers with credit and ship-tos.
type LookupAPI struct {
	DB *store.DB
}

// lookupQuery reads q and limit, refusing a missing or overlong q.
func lookupQuery(c *fiber.Ctx) (string, int, error) {
	q := c.Query("q")
	if q == "" {
		return "", 0, domain.Invalid("Add ?q= with what to search for.", map[string]string{"q": "is required"})
	}
	if len(q) > 100 {
		return "", 0, domain.Invalid("The search text is too long.", map[string]string{"q": "must be at most 100 characters"})
	}
	return q, c.QueryInt("limit", 20), nil
}

// Items answers GET /api/v1/items?q=: items by SKU or description, each with
// on hand, allocated, safety stock and available per location.
func (h *LookupAPI) Items(c *fiber.Ctx) error {
	q, limit, err := lookupQuery(c)
	if err != nil {
		return err
	}
	items, err := h.DB.LookupItems(c.UserContext(), q, limit)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": items})
}

// Customers answers GET /api/v1/customers?q=: customers by account, name,
// e-mail or phone, with credit status and ship-tos.
func (h *LookupAPI) Customers(c *fiber.Ctx) error {
	q, limit, err := lookupQuery(c)
	if err != nil {
		return err
	}
	customers, err := h.DB.LookupCustomers(c.UserContext(), q, limit)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"customers": customers})
}
