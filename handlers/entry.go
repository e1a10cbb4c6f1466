package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/oms/oms/csvimport"
	"github.com/oms/oms/domain"
	"github.com/oms/oms/intake"
	"github.com/oms/oms/store"
	"github.com/oms/oms/views"
	"github.com/oms/oms/web/httpx"
)

// Entry is inside sales' phone-order entry screen: typeahead lookups,
// drafts saved as the rep types, and submit through the intake pipeline.
type Entry struct {
	DB *store.DB
}

const maxDraftsShown = 8

// New shows the entry screen: empty, or the draft named by ?draft=.
func (h *Entry) New(c *fiber.Ctx) error {
	u := httpx.CurrentUser(c)
	f := views.EntryFields{DraftID: store.NewDraftID(), ShipMethod: "GROUND"}
	var saved time.Time
	if id, err := strconv.ParseInt(c.Query("draft"), 10, 64); err == nil {
		d, err := h.DB.Draft(c.UserContext(), u.ID, id)
		if err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(d.Form), &f); err != nil {
			return fmt.Errorf("draft %d: %w", id, err)
		}
		f.DraftID, saved = d.ID, d.UpdatedAt
	}
	if len(f.Lines) == 0 || !f.Lines[len(f.Lines)-1].Blank() {
		f.Lines = append(f.Lines, views.EntryLine{})
	}
	p, err := h.props(c.UserContext(), f)
	if err != nil {
		return err
	}
	p.Now = saved
	p.CSRF = httpx.CSRFToken(c)
	if p.Drafts, err = h.drafts(c.UserContext(), u.ID, f.DraftID); err != nil {
		return err
	}
	ch, err := httpx.Chrome(c, "entry")
	if err != nil {
		return err
	}
	return httpx.Render(c, fiber.StatusOK, views.EntryPage(ch, p))
}

// Form re-renders the form for what was typed: after a customer or ship-to
// is picked, prices, ship-tos, credit and distances change together.
func (h *Entry) Form(c *fiber.Ctx) error {
	f, _ := readEntryFields(c)
	if len(f.Lines) == 0 || !f.Lines[len(f.Lines)-1].Blank() {
		f.Lines = append(f.Lines, views.EntryLine{})
	}
	p, err := h.props(c.UserContext(), f)
	if err != nil {
		return err
	}
	p.CSRF = httpx.CSRFToken(c)
	return h.renderForm(c, fiber.StatusOK, p)
}

// Create submits the order through the intake pipeline as a phone order,
// deleting its draft in the same transaction. Problems come back on the
// form with 422 and every value kept; success goes to the order's page.
func (h *Entry) Create(c *fiber.Ctx) error {
	u := httpx.CurrentUser(c)
	f, typed := readEntryFields(c)
	f.Lines = compactLines(f.Lines)
	req, errs := entryRequest(f)
	if typed > intake.MaxLines {
		if errs == nil {
			errs = map[string]string{}
		}
		errs["lines"] = intake.LineCountProblem(typed)
	}
	msg := ""
	if len(errs) == 0 {
		captured, err := h.DB.CaptureDraft(c.UserContext(), req, store.Submitter{Actor: u.Email, Role: u.Role}, u.ID, f.DraftID)
		switch domain.ErrorCode(err) {
		case "":
			if err := httpx.SetFlash(c, capturedMessage(captured)); err != nil {
				return err
			}
			return httpx.Redirect(c, "/orders/"+captured.Number)
		case domain.EINVALID:
			errs, msg = domain.ErrorFields(err), domain.ErrorMessage(err)
		default:
			return err
		}
	} else {
		// Show intake's problems with the typing ones, not one round after.
		out, err := h.DB.ValidateOrder(c.UserContext(), req, store.Submitter{Actor: u.Email, Role: u.Role})
		if err != nil {
			return err
		}
		for k, v := range out.Errors {
			if _, ok := errs[k]; !ok {
				errs[k] = v
			}
		}
		msg = domain.ErrorMessage(intake.Outcome{Errors: errs}.Err())
	}
	if errs == nil {
		errs = map[string]string{}
	}
	if len(errs) > 0 {
		// The error's own message names fields as the API does
		// ("lines[2].quantity"); a person gets the list below instead.
		msg = problemsHeadline(len(errs))
	}
	f.Lines = append(f.Lines, views.EntryLine{})
	p, err := h.props(c.UserContext(), f)
	if err != nil {
		return err
	}
	p.CSRF, p.Errors, p.Error = httpx.CSRFToken(c), errs, msg
	if !httpx.IsHTMX(c) {
		if p.Drafts, err = h.drafts(c.UserContext(), u.ID, f.DraftID); err != nil {
			return err
		}
		ch, err := httpx.Chrome(c, "entry")
		if err != nil {
			return err
		}
		return httpx.Render(c, fiber.StatusUnprocessableEntity, views.EntryPage(ch, p))
	}
	return h.renderForm(c, fiber.StatusUnprocessableEntity, p)
}

// renderForm answers htmx with the form and, out of band, the side panel
// whose customer, credit and totals follow it.
func (h *Entry) renderForm(c *fiber.Ctx, status int, p views.EntryProps) error {
	u := httpx.CurrentUser(c)
	var err error
	if p.Drafts, err = h.drafts(c.UserContext(), u.ID, p.Form.DraftID); err != nil {
		return err
	}
	return httpx.Render(c, status, views.EntryFormSwap(p))
}

// problemsHeadline is the line above the entry screen's list of problems.
func problemsHeadline(n int) string {
	if n == 1 {
		return "The order was not accepted: fix the problem below and submit again."
	}
	return fmt.Sprintf("The order was not accepted: fix the %d problems below and submit again.", n)
}

func capturedMessage(c store.Captured) string {
	msg := fmt.Sprintf("Order %s captured: %s.", c.Number, strings.ToLower(c.Status.Label()))
	for _, h := range c.Holds {
		msg += " " + domain.HoldReasonLabel(h.Reason) + " hold: " + h.Note
	}
	return msg
}

// SaveDraft stores the form as the user's draft; the answer updates the
// save status, the duplicate-PO warning and the drafts panel.
func (h *Entry) SaveDraft(c *fiber.Ctx) error {
	u := httpx.CurrentUser(c)
	f, _ := readEntryFields(c)
	f.Lines = compactLines(f.Lines)
	body, err := json.Marshal(f)
	if err != nil {
		return err
	}
	problem := ""
	if err := h.DB.SaveDraft(c.UserContext(), u.ID, f.DraftID, f.CustomerAccount, string(body)); err != nil {
		code := domain.ErrorCode(err)
		if code != domain.ENOTFOUND && code != domain.EINVALID {
			return err
		}
		problem = "Not saved: " + domain.ErrorMessage(err)
	}
	dup, err := h.DB.DuplicatePO(c.UserContext(), f.CustomerAccount, f.PONumber)
	if err != nil {
		return err
	}
	drafts, err := h.drafts(c.UserContext(), u.ID, f.DraftID)
	if err != nil {
		return err
	}
	panel := views.DraftsPanel{CSRF: httpx.CSRFToken(c), Editing: f.DraftID, Drafts: drafts}
	return httpx.Render(c, fiber.StatusOK, views.EntrySaved(h.DB.Now().Local(), dup, f.PONumber, panel, problem))
}

// DeleteDraft deletes one of the user's own drafts (admin too deletes
// only their own: drafts are private). The form posts the draft open on
// the screen as editing. Deleting that one starts a new order: htmx is
// sent to a fresh screen, since autosave would otherwise bring the draft
// back. Deleting another, htmx gets the drafts panel without it; a plain
// form goes back to the draft it was on.
func (h *Entry) DeleteDraft(c *fiber.Ctx) error {
	u := httpx.CurrentUser(c)
	ctx := c.UserContext()
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return domain.Errorf(domain.ENOTFOUND, "No such draft.")
	}
	editing, _ := strconv.ParseInt(c.FormValue("editing"), 10, 64)
	if err := h.DB.DeleteDraft(ctx, u.ID, id); err != nil {
		return err
	}
	if id == editing {
		if err := httpx.SetFlash(c, "Draft deleted. Started a new order."); err != nil {
			return err
		}
		return httpx.Redirect(c, "/orders/new")
	}
	if !httpx.IsHTMX(c) {
		back := "/orders/new"
		_, err := h.DB.Draft(ctx, u.ID, editing)
		switch domain.ErrorCode(err) {
		case "":
			back = fmt.Sprintf("/orders/new?draft=%d", editing)
		case domain.ENOTFOUND:
		default:
			return err
		}
		if err := httpx.SetFlash(c, "Draft deleted."); err != nil {
			return err
		}
		return c.Redirect(back, fiber.StatusSeeOther)
	}
	drafts, err := h.drafts(ctx, u.ID, editing)
	if err != nil {
		return err
	}
	return httpx.Render(c, fiber.StatusOK, views.EntryDrafts(views.DraftsPanel{CSRF: httpx.CSRFToken(c), Editing: editing, Drafts: drafts, Notice: "Draft deleted."}, false))
}

// Customers answers the customer typeahead.
func (h *Entry) Customers(c *fiber.Ctx) error {
	q := strings.TrimSpace(c.Query("customer_q"))
	matches, err := h.DB.EntryCustomers(c.UserContext(), q)
	if err != nil {
		return err
	}
	return httpx.Render(c, fiber.StatusOK, views.CustomerOptions(q, matches))
}

// Items answers a line's SKU typeahead: SKU prefix, description words or
// the customer's part number, priced for the customer, with stock nearest
// the ship-to first.
func (h *Entry) Items(c *fiber.Ctx) error {
	q := strings.TrimSpace(c.Query("sku"))
	postal := c.Query("postal")
	if postal == "" {
		postal = c.Query("ship_postal_code")
	}
	items, err := h.DB.EntryItems(c.UserContext(), q, c.Query("customer_account"), postal)
	if err != nil {
		return err
	}
	return httpx.Render(c, fiber.StatusOK, views.ItemOptions(q, items))
}

// props loads what the screen shows for the form: the customer with its
// ship-tos and credit, the items of the lines, and a duplicate PO.
func (h *Entry) props(ctx context.Context, f views.EntryFields) (views.EntryProps, error) {
	p := views.EntryProps{Form: f, Errors: map[string]string{}}
	if f.CustomerAccount != "" {
		cust, err := h.DB.CustomerForEntry(ctx, f.CustomerAccount)
		switch domain.ErrorCode(err) {
		case "":
			p.Customer = &cust
		case domain.ENOTFOUND:
		default:
			return p, err
		}
	}
	if c := p.Customer; c != nil {
		// A code that is not this customer's (the customer changed) falls
		// back to its default ship-to.
		known := false
		for _, s := range c.ShipTos {
			if s.Code == p.Form.ShipToCode {
				p.ShipTo, known = s.Address, true
			}
		}
		switch {
		case len(c.ShipTos) == 0:
			p.Form.ShipToCode = views.NewShipTo
		case !known && p.Form.ShipToCode != views.NewShipTo:
			p.Form.ShipToCode, p.ShipTo = c.ShipTos[0].Code, c.ShipTos[0].Address
		}
	}
	if p.Form.ShipToCode == views.NewShipTo {
		p.ShipTo = p.Form.ShipTo
	}
	skus := make([]string, 0, len(f.Lines))
	for _, l := range f.Lines {
		skus = append(skus, l.SKU)
	}
	var err error
	if p.Items, err = h.DB.ItemsForEntry(ctx, skus, f.CustomerAccount, p.ShipTo.PostalCode); err != nil {
		return p, err
	}
	if p.Customer != nil {
		if p.DuplicatePO, err = h.DB.DuplicatePO(ctx, p.Customer.Account, f.PONumber); err != nil {
			return p, err
		}
	}
	return p, nil
}

// drafts lists the user's drafts for the panel, marking the current one.
func (h *Entry) drafts(ctx context.Context, userID, current int64) ([]views.DraftSummary, error) {
	ds, err := h.DB.Drafts(ctx, userID, maxDraftsShown)
	if err != nil {
		return nil, err
	}
	out := make([]views.DraftSummary, 0, len(ds))
	for _, d := range ds {
		var f views.EntryFields
		json.Unmarshal([]byte(d.Form), &f) // a draft the screen cannot read still lists
		s := views.DraftSummary{ID: d.ID, PO: f.PONumber, Lines: len(compactLines(f.Lines)), Saved: d.UpdatedAt, Current: d.ID == current}
		if d.CustomerAccount != "" {
			s.Customer = d.CustomerName + " (" + d.CustomerAccount + ")"
		}
		out = append(out, s)
	}
	return out, nil
}

// readEntryFields reads the form as posted. Line fields repeat once per
// row, in row order. Every value is copied out of the request. It keeps
// every typed row up to intake.MaxLines of them (and blank rows while
// fewer than that are kept), and returns how many rows had anything typed
// on them, so that a longer order is refused with its count rather than
// cut short.
func readEntryFields(c *fiber.Ctx) (views.EntryFields, int) {
	id, _ := strconv.ParseInt(c.FormValue("draft_id"), 10, 64)
	f := views.EntryFields{
		DraftID:         id,
		CustomerAccount: strings.TrimSpace(c.FormValue("customer_account")),
		PONumber:        c.FormValue("po_number"),
		ShipToCode:      c.FormValue("ship_to_code"),
		RequestedDate:   c.FormValue("requested_date"),
		ShipMethod:      c.FormValue("ship_method"),
		ShipComplete:    c.FormValue("ship_complete") != "",
		Note:            c.FormValue("note"),
		ShipTo: intake.Address{
			Name: c.FormValue("ship_name"), Line1: c.FormValue("ship_line1"), Line2: c.FormValue("ship_line2"),
			City: c.FormValue("ship_city"), Region: c.FormValue("ship_region"), PostalCode: c.FormValue("ship_postal_code"),
			Country: c.FormValue("ship_country"),
		},
	}
	// The box shows a picked customer as "Name (ACCOUNT)". Text that does
	// not end so was typed over the pick, or typed without JavaScript (the
	// typeahead is then a plain box): it is what the rep means, never the
	// customer picked before.
	if q := strings.TrimSpace(c.FormValue("customer_q")); q != "" && !strings.HasSuffix(q, "("+f.CustomerAccount+")") {
		f.CustomerAccount = q
	}
	args := c.Request().PostArgs()
	multi := func(name string) []string {
		var out []string
		for _, v := range args.PeekMulti(name) {
			out = append(out, string(v))
		}
		return out
	}
	skus, qtys, prices, reasons := multi("sku"), multi("qty"), multi("price"), multi("reason")
	at := func(vs []string, i int) string {
		if i < len(vs) {
			return vs[i]
		}
		return ""
	}
	n := max(len(skus), len(qtys), len(prices), len(reasons))
	typed := 0
	for i := range n {
		l := views.EntryLine{SKU: strings.TrimSpace(at(skus, i)), Quantity: strings.TrimSpace(at(qtys, i)),
			UnitPrice: strings.TrimSpace(at(prices, i)), PriceReason: at(reasons, i)}
		if !l.Blank() {
			typed++
		}
		// Blank rows count towards the bound too, but never push a typed
		// line out.
		if len(f.Lines) < intake.MaxLines || !l.Blank() && typed <= intake.MaxLines {
			f.Lines = append(f.Lines, l)
		}
	}
	return f, typed
}

// compactLines drops the lines nothing was typed on.
func compactLines(ls []views.EntryLine) []views.EntryLine {
	out := make([]views.EntryLine, 0, len(ls))
	for _, l := range ls {
		if !l.Blank() {
			out = append(out, l)
		}
	}
	return out
}

// entryRequest turns the typed form into an intake request; text that is
// not a number where one is needed is an error under intake's field keys.
func entryRequest(f views.EntryFields) (intake.Request, map[string]string) {
	errs := map[string]string{}
	req := intake.Request{
		Channel: "phone", CustomerAccount: f.CustomerAccount, PONumber: f.PONumber, RequestedDate: f.RequestedDate,
		ShipMethod: f.ShipMethod, ShipComplete: f.ShipComplete, Note: f.Note,
	}
	if f.ShipToCode == views.NewShipTo {
		req.ShipTo = f.ShipTo
	} else {
		req.ShipToCode = f.ShipToCode
	}
	if f.CustomerAccount == "" {
		errs["customer_account"] = "is required: pick the customer"
	}
	for i, l := range f.Lines {
		line := intake.LineRequest{SKU: l.SKU, PriceOverrideReason: l.PriceReason}
		q, err := strconv.ParseInt(strings.ReplaceAll(l.Quantity, ",", ""), 10, 64)
		switch {
		case l.Quantity == "":
			errs[fmt.Sprintf("lines[%d].quantity", i)] = "is required"
		case err != nil:
			errs[fmt.Sprintf("lines[%d].quantity", i)] = fmt.Sprintf("%q is not a whole number", l.Quantity)
		default:
			line.Quantity = q
		}
		if l.UnitPrice != "" {
			cents, err := csvimport.ParseDollars(l.UnitPrice)
			if err != nil {
				errs[fmt.Sprintf("lines[%d].unit_price_cents", i)] = err.Error()
			} else {
				line.UnitPriceCents = &cents
			}
		}
		req.Lines = append(req.Lines, line)
	}
	if len(errs) > 0 {
		return req, errs
	}
	return req, nil
}
