package handlers

import (
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/oms/oms/domain"
	"github.com/oms/oms/store"
	"github.com/oms/oms/views"
	"github.com/oms/oms/web/httpx"
)

// OrdersPerPage is how many orders one page of search results shows.
const OrdersPerPage = 50

// customersShown is how many matching customers the results page lists.
const customersShown = 10

// Orders is customer service's search and order page.
type Orders struct {
	DB *store.DB
}

// filtersFrom reads the search form from the query string.
func filtersFrom(c *fiber.Ctx) views.OrderFilters {
	page, _ := strconv.Atoi(c.Query("page"))
	return views.OrderFilters{
		Q: c.Query("q"), Status: c.Query("status"), Channel: c.Query("channel"), Location: c.Query("location"),
		From: c.Query("from"), To: c.Query("to"), HasHold: c.Query("hold") != "", HasBackorder: c.Query("backorder") != "",
		Sort: c.Query("sort", store.SortNewest), Page: max(page, 1),
	}
}

func orderQuery(f views.OrderFilters, perPage int) store.OrderQuery {
	return store.OrderQuery{
		Q: f.Q, Status: domain.OrderStatus(f.Status), Channel: f.Channel, Location: f.Location, From: f.From, To: f.To,
		HasHold: f.HasHold, HasBackorder: f.HasBackorder, Sort: f.Sort, Limit: perPage, Offset: (f.Page - 1) * perPage,
	}
}

// List is GET /orders: the unified search. A text that names one order
// exactly (number, PO or tracking number) goes straight to it; htmx
// requests get the results region only.
func (h *Orders) List(c *fiber.Ctx) error {
	ctx := c.UserContext()
	f := filtersFrom(c)
	if f.Q != "" && f.Page == 1 {
		number, err := h.DB.ExactOrder(ctx, f.Q)
		if err != nil {
			return err
		}
		if number != "" {
			target := "/orders/" + url.PathEscape(number)
			if httpx.IsHTMX(c) {
				c.Set("HX-Redirect", target)
				return c.SendStatus(fiber.StatusNoContent)
			}
			return c.Redirect(target, fiber.StatusSeeOther)
		}
	}
	res := views.OrderResultsProps{Filters: f, PerPage: OrdersPerPage, Now: h.DB.Now()}
	found, err := h.DB.SearchOrders(ctx, orderQuery(f, OrdersPerPage))
	searched := err == nil
	switch domain.ErrorCode(err) {
	case "":
		res.Orders, res.Total, res.AtCap = found.Orders, found.Total, found.AtCap
		res.Filtered, res.FilteredAtCap = found.Filtered, found.FilteredAtCap
	case domain.EINVALID:
		res.Error = domain.ErrorMessage(err)
	default:
		return err
	}
	if f.Q != "" && f.Page == 1 {
		// The customers the search matched, best first, as the orders
		// were found; matched again only when the filters were refused.
		if searched {
			res.Customers, err = h.DB.CustomerSummaries(ctx, found.Customers[:min(len(found.Customers), customersShown)])
			res.MoreCustomers = len(found.Customers) > customersShown
		} else {
			res.Customers, err = h.DB.SearchCustomers(ctx, f.Q, customersShown)
		}
		if err != nil {
			return err
		}
	}
	if httpx.IsHTMX(c) {
		// The address bar gets the search without empty fields, so that
		// the URL a CSR shares or bookmarks stays short.
		push := "/orders"
		if v := f.Values().Encode(); v != "" {
			push += "?" + v
		}
		c.Set("HX-Push-Url", push)
		return httpx.Render(c, fiber.StatusOK, views.OrderResults(res))
	}
	p := views.OrdersProps{Filters: f, Results: res}
	for _, s := range domain.OrderStatuses {
		p.Statuses = append(p.Statuses, views.Option{Value: string(s), Label: s.Label()})
	}
	for _, ch := range domain.Channels {
		p.Channels = append(p.Channels, views.Option{Value: ch, Label: domain.ChannelLabel(ch)})
	}
	locs, err := h.DB.Locations(ctx)
	if err != nil {
		return err
	}
	for _, l := range locs {
		p.Locations = append(p.Locations, views.Option{Value: l.Code, Label: l.Name})
	}
	p.Sorts = []views.Option{
		{Value: store.SortNewest, Label: "Newest first"}, {Value: store.SortOldest, Label: "Oldest first"},
		{Value: store.SortValueHigh, Label: "Highest value"}, {Value: store.SortValueLow, Label: "Lowest value"},
	}
	ch, err := httpx.Chrome(c, "orders")
	if err != nil {
		return err
	}
	return httpx.Render(c, fiber.StatusOK, views.OrdersPage(ch, p))
}

func lineQuery(c *fiber.Ctx) store.LineQuery {
	page, _ := strconv.Atoi(c.Query("lines_page"))
	return store.LineQuery{Search: c.Query("lines_q"), Page: page}
}

func linesProps(number string, t domain.LineTotals, p store.LinePage) views.LinesProps {
	return views.LinesProps{Number: number, Lines: p.Lines, Search: p.Search, Page: p.Page, Pages: p.Pages,
		Matches: p.Matches, Total: t.Lines}
}

// Show is GET /orders/{number}: the order page.
func (h *Orders) Show(c *fiber.Ctx) error {
	return h.show(c, fiber.StatusOK, views.NoteForm{})
}

func (h *Orders) show(c *fiber.Ctx, status int, note views.NoteForm) error {
	number := c.Params("number")
	kind := c.Query("kind")
	d, err := h.DB.OrderDetail(c.UserContext(), number, lineQuery(c), kind)
	if err != nil {
		return err
	}
	ch, err := httpx.Chrome(c, "orders")
	if err != nil {
		return err
	}
	note.Number, note.CSRF = d.Order.Number, ch.CSRF
	p := views.OrderProps{
		Order: d.Order, Answer: d.Answer, Totals: d.Totals, Lines: linesProps(d.Order.Number, d.Totals, d.Lines),
		Groups: d.Groups, Holds: d.Holds, Exceptions: d.Exceptions, Trace: d.Trace,
		Timeline: views.TimelineProps{Number: d.Order.Number, Events: d.Events, Kinds: d.EventKinds, Kind: kind},
		Note:     note, CanNote: canNote(c), Now: h.DB.Now(),
	}
	if d.Order.Channel == "edi" {
		if p.EDI, err = h.DB.OrderInterchanges(c.UserContext(), d.Order.Number); err != nil {
			return err
		}
	}
	if p.Actions, err = h.actions(c, d, ch.CSRF); err != nil {
		return err
	}
	for _, pl := range d.Plans {
		p.Plans = append(p.Plans, views.PlanView{At: pl.At, Sentences: pl.Sentences, Shipments: pl.Shipments, Newest: pl.Newest})
	}
	if p.Allocation, err = allocationPanel(c, h.DB, d.Order.Number); err != nil {
		return err
	}
	if p.Emails, err = h.DB.CustomerEmails(c.UserContext(), store.EmailQuery{OrderID: d.Order.ID, Limit: 20}); err != nil {
		return err
	}
	return httpx.Render(c, status, views.OrderPage(ch, p))
}

// actions is the order page's actions panel for the signed-in role, or
// nil for a role that acts on no order.
func (h *Orders) actions(c *fiber.Ctx, d store.OrderDetail, csrf string) (*views.OrderActionsProps, error) {
	u := httpx.CurrentUser(c)
	if u == nil || !domain.RoleIn(u.Role, domain.RoleCSR, domain.RoleSales, domain.RoleOps) {
		return nil, nil
	}
	auth, err := h.DB.HoldReleaseAuthority(c.UserContext())
	if err != nil {
		return nil, err
	}
	p := &views.OrderActionsProps{Target: views.ActionTarget{Number: d.Order.Number, Version: d.Order.Version, CSRF: csrf},
		Role: u.Role, Status: d.Order.Status, MayRelease: map[string]bool{}, Lines: d.Lines.Lines, Backorders: d.Backorders,
		ShipTo: d.Order.ShipTo}
	for _, hold := range d.Holds {
		if hold.Open() {
			p.Holds = append(p.Holds, hold)
		}
	}
	for reason, roles := range auth {
		p.MayRelease[reason] = domain.RoleIn(u.Role, roles...)
	}
	return p, nil
}

// noteRoles may write internal notes (admin may do everything); the route
// table allows the same roles.
var noteRoles = []domain.Role{domain.RoleCSR, domain.RoleSales, domain.RoleOps}

func canNote(c *fiber.Ctx) bool {
	u := httpx.CurrentUser(c)
	return u != nil && domain.RoleIn(u.Role, noteRoles...)
}

// Lines is GET /orders/{number}/lines: one page of lines for htmx (the
// full page with that page of lines otherwise).
func (h *Orders) Lines(c *fiber.Ctx) error {
	if !httpx.IsHTMX(c) {
		return h.Show(c)
	}
	d, err := h.linesOnly(c)
	if err != nil {
		return err
	}
	return httpx.Render(c, fiber.StatusOK, views.OrderLines(d))
}

func (h *Orders) linesOnly(c *fiber.Ctx) (views.LinesProps, error) {
	o, page, err := h.DB.OrderLines(c.UserContext(), c.Params("number"), lineQuery(c))
	if err != nil {
		return views.LinesProps{}, err
	}
	var total int
	if page.Search == "" {
		total = page.Matches
	} else {
		_, all, err := h.DB.OrderLines(c.UserContext(), o.Number, store.LineQuery{PerPage: 1})
		if err != nil {
			return views.LinesProps{}, err
		}
		total = all.Matches
	}
	return views.LinesProps{Number: o.Number, Lines: page.Lines, Search: page.Search, Page: page.Page, Pages: page.Pages,
		Matches: page.Matches, Total: total}, nil
}

// Timeline is GET /orders/{number}/timeline?kind=: the timeline filtered
// by kind for htmx (the full page otherwise).
func (h *Orders) Timeline(c *fiber.Ctx) error {
	if !httpx.IsHTMX(c) {
		return h.Show(c)
	}
	kind := c.Query("kind")
	o, events, kinds, err := h.DB.OrderTimeline(c.UserContext(), c.Params("number"), kind)
	if err != nil {
		return err
	}
	return httpx.Render(c, fiber.StatusOK, views.Timeline(views.TimelineProps{Number: o.Number, Events: events, Kinds: kinds, Kind: kind}))
}

// AddNote is POST /orders/{number}/notes: an internal note on the order.
// htmx gets the timeline with the note and a fresh form; a plain form is
// redirected to the order. An empty or too long note comes back on the
// form with 422.
func (h *Orders) AddNote(c *fiber.Ctx) error {
	number := c.Params("number")
	text := c.FormValue("note")
	_, err := h.DB.AddNote(c.UserContext(), number, httpx.Actor(c), text)
	if domain.ErrorCode(err) == domain.EINVALID {
		form := views.NoteForm{Number: number, CSRF: httpx.CSRFToken(c), Text: text, Error: domain.ErrorFields(err)["note"]}
		if httpx.IsHTMX(c) {
			c.Set("HX-Retarget", "#note-form")
			c.Set("HX-Reswap", "outerHTML")
			return httpx.Render(c, fiber.StatusUnprocessableEntity, views.NoteFormView(form))
		}
		return h.show(c, fiber.StatusUnprocessableEntity, form)
	} else if err != nil {
		return err
	}
	if !httpx.IsHTMX(c) {
		return c.Redirect("/orders/"+url.PathEscape(number)+"#timeline", fiber.StatusSeeOther)
	}
	o, events, kinds, err := h.DB.OrderTimeline(c.UserContext(), number, "")
	if err != nil {
		return err
	}
	return httpx.Render(c, fiber.StatusOK, views.NoteAdded(
		views.TimelineProps{Number: o.Number, Events: events, Kinds: kinds},
		views.NoteForm{Number: o.Number, CSRF: httpx.CSRFToken(c)}))
}
