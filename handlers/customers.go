package handlers

import (
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/oms/oms/store"
	"github.com/oms/oms/views"
	"github.com/oms/oms/web/httpx"
)

// Customers is the customer page of customer service.
type Customers struct {
	DB *store.DB
}

// Show is GET /customers/{account}?page=: the customer with credit,
// ship-tos, contacts, a page of orders and recent activity.
func (h *Customers) Show(c *fiber.Ctx) error {
	page, _ := strconv.Atoi(c.Query("page"))
	p, err := h.DB.CustomerByAccount(c.UserContext(), c.Params("account"), page)
	if err != nil {
		return err
	}
	ch, err := httpx.Chrome(c, "orders")
	if err != nil {
		return err
	}
	return httpx.Render(c, fiber.StatusOK, views.CustomerPage(ch, views.CustomerProps{
		Customer: p.Customer, Orders: p.Orders, Page: p.Page, Pages: p.Pages, Total: p.Total, Activity: p.Activity, Now: h.DB.Now(),
	}))
}
