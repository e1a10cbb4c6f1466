package handlers

import (
	"bytes"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/oms/oms/domain"
	"github.com/oms/oms/store"
	"github.com/oms/oms/web/httpx"
)

// OrderActions reaches the store's actions on an order from a screen (the
// order page, the exception queue, the backorder board: plain forms or
// htmx) and from the JSON API. Each route builds one store.OrderAction and
// calls one store method, so every path has the same version check, role
// check and event.
type OrderActions struct {
	DB *store.DB
}

// orderAction is the store call an action route makes.
type orderAction func(c *fiber.Ctx, a store.OrderAction) (domain.Order, error)

// action builds the OrderAction of a request: the order from the path,
// the caller, the version and the reason given.
func action(c *fiber.Ctx, version int64, reason string) (store.OrderAction, error) {
	caller, ok := httpx.CurrentCaller(c)
	if !ok {
		return store.OrderAction{}, domain.Errorf(domain.EUNAUTHORIZED, "Sign in first.")
	}
	return store.OrderAction{Number: c.Params("number"), Version: version, Actor: caller.Actor, Role: caller.Role, Reason: reason}, nil
}

// lineNo is the line of a line action: from the path, or from the form
// where a screen lets the person pick the line.
func lineNo(c *fiber.Ctx) (int, error) {
	s := c.Params("line")
	if s == "" {
		s = c.FormValue("line")
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 1 {
		return 0, domain.Invalid(fmt.Sprintf("There is no line %q.", s), map[string]string{"line": "pick a line"})
	}
	return n, nil
}

// lineName names the line of a screen action for the flash.
func lineName(c *fiber.Ctx) string {
	if s := c.Params("line"); s != "" {
		return "line " + s
	}
	return "line " + c.FormValue("line")
}

// Screen actions --------------------------------------------------------------

// form runs an action posted from a screen: the form carries version
// (the order's version the person saw), reason, and return (the page to
// go back to, e.g. the queue with its filters). On success the person goes
// back there with a flash saying what was done; on an error the error
// handler shows the message (an alert for htmx).
func (h *OrderActions) form(c *fiber.Ctx, done string, run orderAction) error {
	version, _ := strconv.ParseInt(c.FormValue("version"), 10, 64)
	a, err := action(c, version, c.FormValue("reason"))
	if err != nil {
		return err
	}
	o, err := run(c, a)
	if err != nil {
		return err
	}
	if err := httpx.SetFlash(c, fmt.Sprintf("%s %s. It is now %s.", o.Number, done, strings.ToLower(o.Status.Label()))); err != nil {
		return err
	}
	return httpx.Redirect(c, returnTo(c.FormValue("return"), "/orders/"+url.PathEscape(o.Number)+"#actions"))
}

// returnTo is where a form goes back to: a path of this site, else def.
func returnTo(path, def string) string {
	if strings.HasPrefix(path, "/") && !strings.HasPrefix(path, "//") && !strings.ContainsAny(path, "\\\r\n") {
		return path
	}
	return def
}

// ReleaseHold is POST /orders/{number}/holds/{id}/release.
func (h *OrderActions) ReleaseHold(c *fiber.Ctx) error {
	return h.form(c, "hold released", h.releaseHold)
}

func (h *OrderActions) releaseHold(c *fiber.Ctx, a store.OrderAction) (domain.Order, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return domain.Order{}, domain.Errorf(domain.ENOTFOUND, "There is no hold %q.", c.Params("id"))
	}
	return h.DB.ReleaseHold(c.UserContext(), a, id)
}

// Cancel is POST /orders/{number}/cancel: cancel the order, or close the
// rest of one that has shipped in part.
func (h *OrderActions) Cancel(c *fiber.Ctx) error { return h.form(c, "cancelled", h.cancel) }

func (h *OrderActions) cancel(c *fiber.Ctx, a store.OrderAction) (domain.Order, error) {
	return h.DB.CancelOrder(c.UserContext(), a)
}

// CancelLine is POST /orders/{number}/lines/{line}/cancel.
func (h *OrderActions) CancelLine(c *fiber.Ctx) error {
	return h.form(c, lineName(c)+" closed", h.cancelLine)
}

func (h *OrderActions) cancelLine(c *fiber.Ctx, a store.OrderAction) (domain.Order, error) {
	n, err := lineNo(c)
	if err != nil {
		return domain.Order{}, err
	}
	return h.DB.CancelLine(c.UserContext(), a, n)
}

// Substitute is POST /orders/{number}/lines/{line}/substitute (sku).
func (h *OrderActions) Substitute(c *fiber.Ctx) error {
	sku := c.FormValue("sku")
	return h.form(c, lineName(c)+" substituted", func(c *fiber.Ctx, a store.OrderAction) (domain.Order, error) {
		return h.substitute(c, a, sku)
	})
}

func (h *OrderActions) substitute(c *fiber.Ctx, a store.OrderAction, sku string) (domain.Order, error) {
	n, err := lineNo(c)
	if err != nil {
		return domain.Order{}, err
	}
	if strings.TrimSpace(sku) == "" {
		return domain.Order{}, domain.Invalid("Pick the substitute.", map[string]string{"sku": "is required"})
	}
	return h.DB.SubstituteLine(c.UserContext(), a, n, sku)
}

// Allocate is POST /orders/{number}/lines/{line}/allocate (location).
func (h *OrderActions) Allocate(c *fiber.Ctx) error {
	return h.form(c, lineName(c)+" allocated", func(c *fiber.Ctx, a store.OrderAction) (domain.Order, error) {
		n, err := lineNo(c)
		if err != nil {
			return domain.Order{}, err
		}
		return h.DB.AllocateLine(c.UserContext(), a, n, c.FormValue("location"))
	})
}

// Dropship is POST /orders/{number}/lines/{line}/dropship.
func (h *OrderActions) Dropship(c *fiber.Ctx) error {
	return h.form(c, lineName(c)+" sent to the dropship vendor", func(c *fiber.Ctx, a store.OrderAction) (domain.Order, error) {
		n, err := lineNo(c)
		if err != nil {
			return domain.Order{}, err
		}
		return h.DB.DropshipLine(c.UserContext(), a, n)
	})
}

// Price is POST /orders/{number}/lines/{line}/price (unit_price in dollars).
func (h *OrderActions) Price(c *fiber.Ctx) error {
	return h.form(c, lineName(c)+" repriced", func(c *fiber.Ctx, a store.OrderAction) (domain.Order, error) {
		n, err := lineNo(c)
		if err != nil {
			return domain.Order{}, err
		}
		cents, err := ParseCents(c.FormValue("unit_price"))
		if err != nil || strings.TrimSpace(c.FormValue("unit_price")) == "" {
			return domain.Order{}, domain.Invalid("Enter the new unit price in dollars, such as 12.50.", map[string]string{"unit_price": "enter dollars, such as 12.50"})
		}
		return h.DB.OverridePrice(c.UserContext(), a, n, cents)
	})
}

// Address is POST /orders/{number}/address: correct the ship-to.
func (h *OrderActions) Address(c *fiber.Ctx) error {
	return h.form(c, "ship-to corrected", func(c *fiber.Ctx, a store.OrderAction) (domain.Order, error) {
		return h.DB.CorrectAddress(c.UserContext(), a, domain.Address{Name: c.FormValue("ship_name"), Line1: c.FormValue("ship_line1"),
			Line2: c.FormValue("ship_line2"), City: c.FormValue("ship_city"), Region: c.FormValue("ship_region"),
			PostalCode: c.FormValue("ship_postal_code"), Country: c.FormValue("ship_country")})
	})
}

// Notify is POST /orders/{number}/notify: tell the customer of the
// backorder.
func (h *OrderActions) Notify(c *fiber.Ctx) error {
	return h.form(c, "customer notified", func(c *fiber.Ctx, a store.OrderAction) (domain.Order, error) {
		return h.DB.NotifyBackorder(c.UserContext(), a)
	})
}

// JSON API ----------------------------------------------------------------------

// apiActionBody is the body of every action POST; fields an action does
// not use are ignored, unknown fields refused.
type apiActionBody struct {
	Reason string `json:"reason"`
	SKU    string `json:"sku"`
}

// api runs an action for the JSON API: the version comes from If-Match
// (428 without it), a stale version answers 412, and success answers 200
// with the order (the order shape) and its new version as ETag.
func (h *OrderActions) api(c *fiber.Ctx, run func(c *fiber.Ctx, a store.OrderAction, body apiActionBody) (domain.Order, error)) error {
	tag := strings.TrimSpace(c.Get(fiber.HeaderIfMatch))
	if tag == "" {
		return fiber.NewError(fiber.StatusPreconditionRequired, `The If-Match header is required: send the order's version (the "version" of GET /api/v1/orders/{number}, or its ETag).`)
	}
	version, err := strconv.ParseInt(strings.Trim(strings.TrimPrefix(tag, "W/"), `"`), 10, 64)
	if err != nil || version < 1 {
		return fiber.NewError(fiber.StatusBadRequest, `If-Match must be the order's version, such as "7".`)
	}
	var body apiActionBody
	if raw := c.Body(); len(bytes.TrimSpace(raw)) > 0 {
		if err := strictDecode(raw, &body); err != nil {
			return fiber.NewError(fiber.StatusBadRequest, "The body must be a JSON object with only the fields reason and sku: "+strings.TrimPrefix(err.Error(), "json: ")+".")
		}
	}
	a, err := action(c, version, body.Reason)
	if err != nil {
		return err
	}
	o, err := run(c, a, body)
	if err != nil {
		if domain.ErrorCode(err) == domain.ECONFLICT && domain.ErrorFields(err)["version"] != "" {
			return c.Status(fiber.StatusPreconditionFailed).JSON(fiber.Map{"error": domain.ErrorMessage(err), "fields": domain.ErrorFields(err)})
		}
		return err
	}
	out, err := apiOrder(c.UserContext(), h.DB, o.Number)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderETag, strconv.Quote(strconv.FormatInt(out.Version, 10)))
	return c.JSON(out)
}

// APIReleaseHold is POST /api/v1/orders/{number}/holds/{id}/release.
func (h *OrderActions) APIReleaseHold(c *fiber.Ctx) error {
	return h.api(c, func(c *fiber.Ctx, a store.OrderAction, _ apiActionBody) (domain.Order, error) {
		return h.releaseHold(c, a)
	})
}

// APICancel is POST /api/v1/orders/{number}/cancel.
func (h *OrderActions) APICancel(c *fiber.Ctx) error {
	return h.api(c, func(c *fiber.Ctx, a store.OrderAction, _ apiActionBody) (domain.Order, error) { return h.cancel(c, a) })
}

// APICancelLine is POST /api/v1/orders/{number}/lines/{line}/cancel.
func (h *OrderActions) APICancelLine(c *fiber.Ctx) error {
	return h.api(c, func(c *fiber.Ctx, a store.OrderAction, _ apiActionBody) (domain.Order, error) {
		return h.cancelLine(c, a)
	})
}

// APISubstitute is POST /api/v1/orders/{number}/lines/{line}/substitute.
func (h *OrderActions) APISubstitute(c *fiber.Ctx) error {
	return h.api(c, func(c *fiber.Ctx, a store.OrderAction, b apiActionBody) (domain.Order, error) {
		return h.substitute(c, a, b.SKU)
	})
}
