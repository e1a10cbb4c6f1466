package web

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/oms/oms/domain"
	"github.com/oms/oms/store"
	"github.com/oms/oms/web/httpx"
)

const localRequestID = "request_id"

// requestLog gives each request an id (or keeps the caller's X-Request-Id)
// and logs method, path, status, latency and user when it ends.
func requestLog(log *slog.Logger) fiber.Handler {
	return func(c *fiber.Ctx) error {
		start := time.Now()
		id := c.Get("X-Request-Id")
		if id == "" || len(id) > 64 {
			b := make([]byte, 8)
			rand.Read(b)
			id = hex.EncodeToString(b)
		}
		c.Locals(localRequestID, id)
		c.Set("X-Request-Id", id)
		err := c.Next()
		if err != nil {
			// Let the error handler write the response now so that the
			// logged status is the one sent.
			if herr := c.App().ErrorHandler(c, err); herr != nil {
				c.Status(fiber.StatusInternalServerError)
			}
		}
		user := ""
		if caller, ok := httpx.CurrentCaller(c); ok {
			user = caller.Actor
		}
		log.Info("request", "request_id", id, "method", c.Method(), "path", c.Path(),
			"status", c.Response().StatusCode(), "latency_ms", float64(time.Since(start).Microseconds())/1000, "user", user)
		return nil
	}
}

// securityHeaders sets the headers every response carries. Scripts come
// only from /static: htmx is configured (htmx-config meta) not to eval or
// inject inline styles, so no 'unsafe-inline' is needed. The error handler
// sets them too, for answers made before any middleware ran.
func securityHeaders(tls bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		setSecurityHeaders(c, tls)
		return c.Next()
	}
}

var contentSecurityPolicy = strings.Join([]string{
	"default-src 'self'",
	"script-src 'self'",
	"style-src 'self'",
	"img-src 'self' data:",
	"connect-src 'self'",
	"form-action 'self'",
	"frame-ancestors 'none'",
	"base-uri 'none'",
	"object-src 'none'",
}, "; ")

func setSecurityHeaders(c *fiber.Ctx, tls bool) {
	h := &c.Response().Header
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	if tls {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
}

// oneContentLength refuses a request with more than one Content-Length
// header. fasthttp believes the last; a proxy in front may believe the
// first, and the two then disagree on where this request ends and the
// next begins (request smuggling). The connection is closed, since its
// framing cannot be trusted.
func oneContentLength(c *fiber.Ctx) error {
	n := 0
	for line := range bytes.SplitSeq(c.Request().Header.RawHeaders(), []byte("\n")) {
		if name, _, ok := bytes.Cut(line, []byte(":")); ok && bytes.EqualFold(bytes.TrimSpace(name), []byte(fiber.HeaderContentLength)) {
			n++
		}
	}
	if n > 1 {
		c.Context().SetConnectionClose()
		return fiber.NewError(fiber.StatusBadRequest, "The request has more than one Content-Length header.")
	}
	return c.Next()
}

// sessions loads the session and user of every request; requests that a
// bearer token authenticated get none (and start none).
func sessions(st *httpx.SessionStore) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if httpx.APIToken(c) != nil {
			return c.Next()
		}
		// An API call without a session cookie gets no session: starting
		// one would write a row for every anonymous request.
		if strings.HasPrefix(c.Path(), "/api/") && c.Cookies(httpx.CookieName) == "" {
			return c.Next()
		}
		load := httpx.LoadSession
		if c.Path() == "/live" || c.Get(LiveHeader) == "1" {
			load = httpx.LoadSessionQuietly
		}
		if err := load(c, st); err != nil {
			return err
		}
		return c.Next()
	}
}

// LiveHeader marks the requests the live updates make (app.js sets it):
// they are not the person's doing, so they do not keep a session alive.
const LiveHeader = "OMS-Live"

// changeMark reads how far the committed changes go before a page reads
// its data, so that the page's live updates start from there and miss
// nothing committed in between. Only full pages listen.
func changeMark(db *store.DB) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if c.Method() != fiber.MethodGet || httpx.IsHTMX(c) || strings.HasPrefix(c.Path(), "/api/") || c.Path() == "/live" {
			return c.Next()
		}
		m, err := db.ChangeMark(c.UserContext())
		if err != nil {
			return err
		}
		httpx.SetChangeMark(c, m)
		return c.Next()
	}
}

// csrf refuses a state-changing request whose X-CSRF-Token header or _csrf
// field of the form body does not match the session's token. It runs before any handler,
// so a refused request changes nothing. A request authenticated by a bearer
// token carries no cookie credentials, so there is nothing to forge; a
// session calling the API still needs the header.
func csrf(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	if httpx.APIToken(c) != nil {
		return c.Next()
	}
	if strings.HasPrefix(c.Path(), "/api/") && httpx.CurrentUser(c) == nil {
		return c.Next() // requireUser answers 401: there is no one to forge for
	}
	want := httpx.CSRFToken(c)
	got := c.Get("X-CSRF-Token")
	if got == "" {
		got = formToken(c)
	}
	if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return domain.Errorf(domain.EFORBIDDEN, "This form has expired or did not come from this site. Reload the page and try again.")
	}
	return c.Next()
}

// formToken reads the _csrf field of the posted body, URL-encoded or
// multipart, and never the query string: a token in a URL ends up in logs,
// history and Referer headers.
func formToken(c *fiber.Ctx) string {
	if v := c.Request().PostArgs().Peek("_csrf"); len(v) > 0 {
		return string(v)
	}
	if f, err := c.MultipartForm(); err == nil && len(f.Value["_csrf"]) > 0 {
		return f.Value["_csrf"][0]
	}
	return ""
}

// requireUser sends visitors who are not signed in to the sign-in page
// (htmx requests get a redirect header, API requests a 401).
func requireUser(c *fiber.Ctx) error {
	if _, ok := httpx.CurrentCaller(c); ok {
		return c.Next()
	}
	if strings.HasPrefix(c.Path(), "/api/") {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="oms"`)
		return domain.Errorf(domain.EUNAUTHORIZED, "Sign in or send a bearer token.")
	}
	target := "/login?next=" + url.QueryEscape(c.OriginalURL())
	if httpx.IsHTMX(c) {
		c.Set("HX-Redirect", target)
		return c.SendStatus(fiber.StatusUnauthorized)
	}
	return c.Redirect(target, fiber.StatusSeeOther)
}

// allow lets only the given roles (and admin) through, for people and API
// tokens alike; the server enforces roles on every action, whatever the
// screens show.
func allow(roles ...domain.Role) fiber.Handler {
	return func(c *fiber.Ctx) error {
		caller, ok := httpx.CurrentCaller(c)
		if !ok || !domain.RoleIn(caller.Role, roles...) {
			return domain.Errorf(domain.EFORBIDDEN, "Your role does not allow this. Ask an administrator if you need access.")
		}
		return c.Next()
	}
}
