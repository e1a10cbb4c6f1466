package web

import (
	"errors"
	"log/slog"
	"net"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/oms/oms/domain"
	"github.com/oms/oms/views"
	"github.com/oms/oms/web/httpx"
	"github.com/valyala/fasthttp"
)

// statusByCode is the one table from error codes to HTTP status.
var statusByCode = map[string]int{
	domain.ENOTFOUND:     fiber.StatusNotFound,
	domain.EINVALID:      fiber.StatusUnprocessableEntity,
	domain.ECONFLICT:     fiber.StatusConflict,
	domain.EFORBIDDEN:    fiber.StatusForbidden,
	domain.EUNAUTHORIZED: fiber.StatusUnauthorized,
	domain.ETOOMANY:      fiber.StatusTooManyRequests,
	domain.ETOOLARGE:     fiber.StatusRequestEntityTooLarge,
	domain.EINTERNAL:     fiber.StatusInternalServerError,
}

// StatusFor returns the HTTP status for an error's code.
func StatusFor(err error) int {
	if s, ok := statusByCode[domain.ErrorCode(err)]; ok {
		return s
	}
	return fiber.StatusInternalServerError
}

// errorHandler turns a handler's error into a friendly page, an htmx alert
// fragment or a JSON body. Only internal errors are logged with detail.
func errorHandler(log *slog.Logger, tls bool) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		// fasthttp's refusals (413, 431, 400) come here without passing
		// any middleware.
		setSecurityHeaders(c, tls)
		status := StatusFor(err)
		msg := domain.ErrorMessage(err)
		var fe *fiber.Error
		if errors.As(err, &fe) {
			status = fe.Code
			msg = fiberMessage(fe)
		}
		if status >= 500 {
			log.Error("request failed", "request_id", c.Locals(localRequestID), "method", c.Method(), "path", c.Path(), "err", err)
		}
		switch {
		case strings.HasPrefix(c.Path(), "/api/"):
			body := fiber.Map{"error": msg}
			if f := domain.ErrorFields(err); len(f) > 0 {
				body["fields"] = f
			}
			return c.Status(status).JSON(body)
		case httpx.IsHTMX(c):
			c.Set("HX-Retarget", "#alerts")
			c.Set("HX-Reswap", "innerHTML")
			return httpx.Render(c, status, views.Alert("error", msg))
		}
		ch := views.Chrome{User: httpx.CurrentUser(c), CSRF: httpx.CSRFToken(c)}
		return httpx.Render(c, status, views.ErrorPage(ch, status, headingFor(status), msg))
	}
}

// errUnreadable stands for fasthttp's reasons a request could not be
// parsed, whose text quotes the request.
var errUnreadable = errors.New("The request could not be read: its headers or body are malformed.")

// plainServerErrors replaces the errors fasthttp reports for requests it
// could not parse (broken headers, a broken chunked body) by
// errUnreadable before fiber turns them into a 400 with the error's text
// as its message; the errors fiber maps to other statuses (431, 413, 408,
// 405, 502) pass unchanged.
func plainServerErrors(next func(*fasthttp.RequestCtx, error)) func(*fasthttp.RequestCtx, error) {
	return func(fctx *fasthttp.RequestCtx, err error) {
		var small *fasthttp.ErrSmallBuffer
		var netErr net.Error
		switch {
		case errors.As(err, &small), errors.As(err, &netErr), errors.Is(err, fasthttp.ErrBodyTooLarge),
			errors.Is(err, fasthttp.ErrGetOnly), strings.Contains(err.Error(), "timeout"):
		default:
			err = errUnreadable
		}
		next(fctx, err)
	}
}

func fiberMessage(fe *fiber.Error) string {
	switch fe.Code {
	case fiber.StatusNotFound:
		return "There is no page at this address. It may have moved, or the link may be mistyped."
	case fiber.StatusRequestEntityTooLarge:
		return "The request is too large."
	case fiber.StatusRequestHeaderFieldsTooLarge:
		return "The request's headers are too large."
	case fiber.StatusMethodNotAllowed:
		return "That action is not available here."
	}
	if fe.Code >= 500 {
		return "Something went wrong on our side. The error has been logged."
	}
	return fe.Message
}

func headingFor(status int) string {
	switch status {
	case fiber.StatusNotFound:
		return "Page not found"
	case fiber.StatusForbidden:
		return "You do not have access to this"
	case fiber.StatusUnauthorized:
		return "Please sign in"
	case fiber.StatusConflict:
		return "Someone else changed this"
	case fiber.StatusUnprocessableEntity:
		return "Please check what you entered"
	case fiber.StatusRequestEntityTooLarge:
		return "Too large"
	case fiber.StatusTooManyRequests:
		return "Too many requests"
	}
	if status >= 500 {
		return "Something went wrong"
	}
	return "Request not completed"
}
