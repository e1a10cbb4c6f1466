package handlers

import (
	_ "embed"

	"github.com/gofiber/fiber/v2"
)

// openAPISpec is the OpenAPI 3 document of the JSON API, kept beside the
// handlers it describes.
//
//go:embed openapi.json
var openAPISpec []byte

// OpenAPI answers GET /api/v1/openapi.json; it needs no sign-in.
func OpenAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return c.Send(openAPISpec)
}
