package httpx

import (
	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v2"
	"github.com/oms/oms/store"
	"github.com/oms/oms/views"
	"github.com/oms/oms/web/live"
)

// IsHTMX reports whether the request came from htmx and wants a partial: a
// history restore wants the full page.
func IsHTMX(c *fiber.Ctx) bool {
	return c.Get("HX-Request") == "true" && c.Get("HX-History-Restore-Request") != "true"
}

// Render writes a templ component as HTML with the given status.
func Render(c *fiber.Ctx, status int, comp templ.Component) error {
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Vary("HX-Request")
	c.Status(status)
	return comp.Render(c.UserContext(), c.Response().BodyWriter())
}

// Chrome builds the layout's data for the current request: user, CSRF token,
// the active navigation entry, the flash and the search query.
func Chrome(c *fiber.Ctx, nav string) (views.Chrome, error) {
	flash, err := TakeFlash(c)
	if err != nil {
		return views.Chrome{}, err
	}
	ch := views.Chrome{
		User:  CurrentUser(c),
		CSRF:  CSRFToken(c),
		Nav:   nav,
		Flash: flash,
		Query: c.Query("q"),
	}
	if m, ok := c.Locals(localChangeMark).(store.ChangeMark); ok {
		ch.LiveMark, ch.AlertAfter = live.FormatMark(m), m.Exception
	}
	return ch, nil
}

const localChangeMark = "httpx.changemark"

// SetChangeMark records how far the committed changes went before the
// page's own reads: the page's live updates start from there.
func SetChangeMark(c *fiber.Ctx, m store.ChangeMark) { c.Locals(localChangeMark, m) }

// Redirect sends the browser to url after a successful POST: HX-Redirect for
// htmx, 303 See Other for a plain form.
func Redirect(c *fiber.Ctx, url string) error {
	if IsHTMX(c) {
		c.Set("HX-Redirect", url)
		return c.SendStatus(fiber.StatusNoContent)
	}
	return c.Redirect(url, fiber.StatusSeeOther)
}
