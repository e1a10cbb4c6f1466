package handlers

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/oms/oms/domain"
	"github.com/oms/oms/store"
	"github.com/oms/oms/views"
	"github.com/oms/oms/web/httpx"
)

// BackordersPerPage is how many lines one page of the board shows.
const BackordersPerPage = 50

// Backorders is the backorder board and the receipt form.
type Backorders struct {
	DB *store.DB
}

func backorderFilters(c *fiber.Ctx) views.BackorderFilters {
	page, _ := strconv.Atoi(c.Query("page"))
	return views.BackorderFilters{SKU: strings.TrimSpace(c.Query("sku")), Customer: strings.TrimSpace(c.Query("customer")),
		Order: strings.TrimSpace(c.Query("order")), Sort: c.Query("sort"), Page: max(page, 1)}
}

// List is GET /backorders.
func (h *Backorders) List(c *fiber.Ctx) error {
	return h.list(c, fiber.StatusOK, views.ReceiptForm{})
}

func (h *Backorders) list(c *fiber.Ctx, status int, receipt views.ReceiptForm) error {
	ctx := c.UserContext()
	f := backorderFilters(c)
	if status != fiber.StatusOK {
		f = backorderFiltersFromReturn(c.FormValue("return"))
	}
	rows, total, err := h.DB.Backorders(ctx, store.BackorderQuery{SKU: f.SKU, Customer: f.Customer, Order: f.Order, Sort: f.Sort,
		Limit: BackordersPerPage, Offset: (f.Page - 1) * BackordersPerPage})
	if err != nil {
		return err
	}
	locs, err := h.DB.Locations(ctx)
	if err != nil {
		return err
	}
	var own []store.Location
	for _, l := range locs {
		if l.Type != "vendor" && l.Active {
			own = append(own, l)
		}
	}
	ch, err := httpx.Chrome(c, "backorders")
	if err != nil {
		return err
	}
	u := httpx.CurrentUser(c)
	p := views.BackordersProps{Filters: f, Rows: rows, Total: total, Pages: (total + BackordersPerPage - 1) / BackordersPerPage,
		Now: h.DB.Now(), CanWork: canWork(c), Role: u.Role, Locations: own, Receipt: receipt, CSRF: ch.CSRF}
	return httpx.Render(c, status, views.BackordersPage(ch, p))
}

// backorderFiltersFromReturn reads the board's filters back from the
// return path a form carried.
func backorderFiltersFromReturn(path string) views.BackorderFilters {
	args := fiber.AcquireArgs()
	defer fiber.ReleaseArgs(args)
	if _, q, ok := strings.Cut(path, "?"); ok {
		args.Parse(q)
	}
	page, _ := strconv.Atoi(string(args.Peek("page")))
	return views.BackorderFilters{SKU: string(args.Peek("sku")), Customer: string(args.Peek("customer")),
		Order: string(args.Peek("order")), Sort: string(args.Peek("sort")), Page: max(page, 1)}
}

// Receive is POST /receipts: stock arrived at a location. Backorders of
// the item are allocated in the same transaction; the flash says how many.
// A bad SKU, location or quantity comes back on the form with 422.
func (h *Backorders) Receive(c *fiber.Ctx) error {
	u := httpx.CurrentUser(c)
	form := views.ReceiptForm{SKU: c.FormValue("sku"), Location: c.FormValue("location"), Quantity: c.FormValue("quantity"),
		Reference: c.FormValue("reference")}
	qty, err := strconv.ParseInt(strings.TrimSpace(form.Quantity), 10, 64)
	if err != nil {
		form.Errors = map[string]string{"quantity": "enter a whole number of units"}
		return h.list(c, fiber.StatusUnprocessableEntity, form)
	}
	res, err := h.DB.ReceiveStock(c.UserContext(), store.Receipt{SKU: form.SKU, Location: form.Location, Quantity: qty,
		Reference: form.Reference, Actor: u.Email, Role: u.Role})
	if domain.ErrorCode(err) == domain.EINVALID {
		form.Errors = domain.ErrorFields(err)
		return h.list(c, fiber.StatusUnprocessableEntity, form)
	} else if err != nil {
		return err
	}
	msg := fmt.Sprintf("Received %s x %s at %s.", domain.Thousands(qty), strings.ToUpper(strings.TrimSpace(form.SKU)), form.Location)
	if res.Lines > 0 {
		msg += fmt.Sprintf(" %s allocated to %s on %s.", count(int(res.Units), "unit"), count(res.Lines, "backordered line"), count(res.Orders, "order"))
	} else {
		msg += " No backorder could take it."
	}
	if err := httpx.SetFlash(c, msg); err != nil {
		return err
	}
	return httpx.Redirect(c, returnTo(c.FormValue("return"), "/backorders"))
}
