package httpx

import (
	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v2"
	"github.com/oms/oms/views"
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
	return views.Chrome{
		User:  CurrentUser(c),
		CSRF:  CSRFToken(c),
		Nav:   nav,
		Flash: flash,
		Query: c.Query("q"),
	}, nil
}

// Redirect sends the browser to url after a successful POST: HX-Redirect for
// htmx, 303 See Other for a plain form.
func Redirect(c *fiber.Ctx, url string) error {
	if IsHTMX(c) {
		c.Set("HX-Redirect", url)
		return c.SendStatus(fiber.StatusNoContent)
	}
	return c.Redirect(url, fiber.StatusSeeOther)
}
