package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/oms/oms/domain"
	"github.com/oms/oms/store"
	"github.com/oms/oms/web/httpx"
)

// bearer authenticates /api/ requests that carry Authorization: Bearer
// <token>. Such a request carries no cookie credentials, so it gets no
// session and the CSRF check does not apply to it: a browser never adds the
// header on its own. A bad token is refused here, whatever session cookie
// comes with it. Requests without the header go on to the session.
func bearer(db *store.DB) fiber.Handler {
	return func(c *fiber.Ctx) error {
		h := c.Get(fiber.HeaderAuthorization)
		if h == "" || !strings.HasPrefix(c.Path(), "/api/") {
			return c.Next()
		}
		scheme, secret, _ := strings.Cut(h, " ")
		secret = strings.TrimSpace(secret)
		if !strings.EqualFold(scheme, "Bearer") || secret == "" {
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="oms"`)
			return domain.Errorf(domain.EUNAUTHORIZED, "The Authorization header must be \"Bearer <token>\".")
		}
		t, err := db.AuthenticateToken(c.UserContext(), secret)
		if err != nil {
			if domain.ErrorCode(err) == domain.EUNAUTHORIZED {
				c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="oms", error="invalid_token"`)
			}
			return err
		}
		httpx.SetAPIToken(c, t)
		return c.Next()
	}
}
