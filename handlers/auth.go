// Package handlers holds one struct per area of the OMS, each with the
// dependencies it needs as fields and methods named for the action. Handlers
// return errors; web's error handler turns them into pages or alerts.
package handlers

import (
	"fmt"
	"math"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/oms/oms/auth"
	"github.com/oms/oms/store"
	"github.com/oms/oms/views"
	"github.com/oms/oms/web/httpx"
)

// Auth signs people in and out.
type Auth struct {
	DB    *store.DB
	Limit auth.SignInLimit
	// Hashes bounds how many passwords are checked at once.
	Hashes *auth.HashGate
	Demo   bool
}

// Form shows the sign-in form.
func (h *Auth) Form(c *fiber.Ctx) error {
	if httpx.CurrentUser(c) != nil {
		return c.Redirect("/", fiber.StatusSeeOther)
	}
	ch, err := httpx.Chrome(c, "")
	if err != nil {
		return err
	}
	return httpx.Render(c, fiber.StatusOK, views.LoginPage(ch, views.LoginProps{Next: safeNext(c.Query("next")), Demo: h.Demo}))
}

// Login checks the credentials and starts a new session.
func (h *Auth) Login(c *fiber.Ctx) error {
	email := strings.TrimSpace(c.FormValue("email"))
	password := c.FormValue("password")
	next := safeNext(c.FormValue("next"))
	res, err := h.DB.Authenticate(c.UserContext(), email, password, c.IP(), h.Limit, h.Hashes)
	if err != nil {
		return err
	}
	if !res.OK {
		msg := "That e-mail and password do not match. Check both and try again."
		status := fiber.StatusUnauthorized
		if res.RetryAfter > 0 {
			mins := int(math.Ceil(res.RetryAfter.Minutes()))
			msg = fmt.Sprintf("Too many failed sign-ins. Try again in %d minute%s, or ask an administrator to reset your password.", mins, plural(mins))
			if res.Busy {
				msg = "Many sign-ins are being checked right now. Try again in a moment."
			}
			status = fiber.StatusTooManyRequests
			c.Set(fiber.HeaderRetryAfter, fmt.Sprint(int(math.Ceil(res.RetryAfter.Seconds()))))
		}
		ch, err := httpx.Chrome(c, "")
		if err != nil {
			return err
		}
		return httpx.Render(c, status, views.LoginPage(ch, views.LoginProps{Email: email, Error: msg, Next: next, Demo: h.Demo}))
	}
	if err := httpx.SignIn(c, res.User); err != nil {
		return err
	}
	return c.Redirect(next, fiber.StatusSeeOther)
}

// Logout ends the session.
func (h *Auth) Logout(c *fiber.Ctx) error {
	if err := httpx.SignOut(c); err != nil {
		return err
	}
	return c.Redirect("/login", fiber.StatusSeeOther)
}

// safeNext keeps a post-sign-in destination only when it is a clean path
// on this site, so that the sign-in form cannot be used to send people
// elsewhere: it starts with one slash, and holds no backslash, control
// character or space (browsers drop tabs and newlines from URLs and read
// a backslash as a slash, so "/\t/evil.test" would leave the site).
func safeNext(next string) string {
	clean := strings.HasPrefix(next, "/") && !strings.HasPrefix(next, "//") && !strings.HasPrefix(next, "/login") &&
		!strings.ContainsFunc(next, func(r rune) bool { return r == '\\' || r <= ' ' || r == 0x7f || r >= 0x80 && r <= 0x9f })
	if !clean {
		return "/"
	}
	return next
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
