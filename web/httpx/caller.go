package httpx

import (
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/oms/oms/domain"
	"github.com/oms/oms/store"
)

const localAPIToken = "httpx.apitoken"

// SetAPIToken records the bearer token that authenticated the request.
func SetAPIToken(c *fiber.Ctx, t store.APIToken) { c.Locals(localAPIToken, &t) }

// APIToken returns the bearer token of the request, or nil when it came
// with a session (or nothing).
func APIToken(c *fiber.Ctx) *store.APIToken {
	t, _ := c.Locals(localAPIToken).(*store.APIToken)
	return t
}

// Caller is who makes a request: an integration by its bearer token, or a
// signed-in person.
type Caller struct {
	Actor string      // named in events and audit records
	Role  domain.Role // what the caller may do
	// Scope keeps one caller's idempotency keys apart from another's.
	Scope string
}

// CurrentCaller returns the request's caller: its bearer token, else its
// signed-in user. ok is false for anonymous requests.
func CurrentCaller(c *fiber.Ctx) (Caller, bool) {
	if t := APIToken(c); t != nil {
		return Caller{Actor: t.Actor(), Role: t.Role, Scope: "token:" + strconv.FormatInt(t.ID, 10)}, true
	}
	if u := CurrentUser(c); u != nil {
		return Caller{Actor: u.Email, Role: u.Role, Scope: "user:" + strconv.FormatInt(u.ID, 10)}, true
	}
	return Caller{}, false
}
