package handlers

import (
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/oms/oms/domain"
	"github.com/oms/oms/store"
	"github.com/oms/oms/views"
	"github.com/oms/oms/web/httpx"
)

// AttentionPerPage is how many orders one page of "needs attention" shows.
const AttentionPerPage = 25

// Home is the start page of each role.
type Home struct {
	DB *store.DB
}

// Show renders the home page: counts by status, and the orders the role
// looks at first.
func (h *Home) Show(c *fiber.Ctx) error {
	ctx := c.UserContext()
	u := httpx.CurrentUser(c)
	counts, err := h.DB.OrderStatusCounts(ctx)
	if err != nil {
		return err
	}
	recent, err := h.DB.RecentOrders(ctx, 15)
	if err != nil {
		return err
	}
	p := views.HomeProps{Counts: counts, Recent: recent}
	if u.Role == domain.RoleOps || u.Role == domain.RoleAdmin {
		page, _ := strconv.Atoi(c.Query("attention_page"))
		p.AttentionPage, p.Now = max(page, 1), h.DB.Now()
		p.Attention, p.AttentionTotal, err = h.DB.NeedsAttention(ctx, AttentionPerPage, (p.AttentionPage-1)*AttentionPerPage)
		if err != nil {
			return err
		}
		p.AttentionPages = (p.AttentionTotal + AttentionPerPage - 1) / AttentionPerPage
		if p.Exceptions, err = h.DB.ExceptionCounts(ctx); err != nil {
			return err
		}
	}
	ch, err := httpx.Chrome(c, "home")
	if err != nil {
		return err
	}
	return httpx.Render(c, fiber.StatusOK, views.HomePage(ch, p))
}

// Health answers GET /healthz: 200 when the database answers, 503 when not.
type Health struct {
	DB *store.DB
}

// Show checks the database.
func (h *Health) Show(c *fiber.Ctx) error {
	if err := h.DB.Ping(c.UserContext()); err != nil {
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable", "database": "error"})
	}
	return c.JSON(fiber.Map{"status": "ok", "database": "ok"})
}
