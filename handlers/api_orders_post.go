package handlers

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/oms/oms/domain"
	"github.com/oms/oms/intake"
	"github.com/oms/oms/store"
	"github.com/oms/oms/web/httpx"
	"github.com/oms/oms/wire"
)

// MaxOrderBody is the largest order body POST /api/v1/orders reads: a full
// order of intake.MaxLines lines is well under it.
const MaxOrderBody = 2 << 20

// OrderCaptureAPI takes orders over the JSON API into the one intake
// pipeline.
type OrderCaptureAPI struct {
	DB *store.DB
}

// Create answers POST /api/v1/orders. The Idempotency-Key header is
// required: the first request with a key captures the order and answers 201
// with it; a retry with the same key and body gets that answer again, byte
// for byte (with Idempotent-Replayed: true); the same key with another body
// gets 422. Bodies must be UTF-8 JSON objects with only known fields.
func (h *OrderCaptureAPI) Create(c *fiber.Ctx) error {
	caller, ok := httpx.CurrentCaller(c)
	if !ok {
		return domain.Errorf(domain.EUNAUTHORIZED, "Sign in or send a bearer token.")
	}
	key := c.Get("Idempotency-Key")
	if err := checkIdempotencyKey(key); err != nil {
		return err
	}
	if len(c.Body()) > MaxOrderBody {
		return domain.Errorf(domain.ETOOLARGE, "The order is %d bytes; at most %d bytes (2 MiB) are accepted.", len(c.Body()), MaxOrderBody)
	}
	if ct := c.Get(fiber.HeaderContentType); ct != "" && !isJSON(ct) {
		return fiber.NewError(fiber.StatusUnsupportedMediaType, "Send the order as JSON with Content-Type: application/json.")
	}
	req, err := DecodeOrderRequest(c.Body())
	if err != nil {
		return err
	}
	resp, err := h.DB.CaptureOrderOnce(c.UserContext(), store.IdempotencyKey{
		Scope: caller.Scope, Key: key, RequestHash: requestHash(req),
	}, req, store.Submitter{Actor: caller.Actor, Role: caller.Role}, wire.OrderJSON)
	if err != nil {
		return err
	}
	if resp.Replayed {
		c.Set("Idempotent-Replayed", "true")
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Status(resp.Status).Send(resp.Body)
}

// isJSON reports whether a Content-Type names JSON (application/json, or
// a +json type); a multipart body whose boundary says "json" is not.
func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == fiber.MIMEApplicationJSON || strings.HasSuffix(mt, "+json"))
}

func checkIdempotencyKey(key string) error {
	switch {
	case key == "":
		return fiber.NewError(fiber.StatusBadRequest, "The Idempotency-Key header is required: send a new unique value (a UUID, say) with each order, and the same value when you retry it.")
	case len(key) > store.MaxIdempotencyKeyLength:
		return fiber.NewError(fiber.StatusBadRequest, fmt.Sprintf("The Idempotency-Key header must be at most %d characters.", store.MaxIdempotencyKeyLength))
	case strings.ContainsFunc(key, func(r rune) bool { return r < 0x21 || r > 0x7e }):
		return fiber.NewError(fiber.StatusBadRequest, "The Idempotency-Key header must be printable ASCII without spaces.")
	}
	return nil
}

// requestHash identifies a request's content. It hashes the decoded
// request, so that a retry that re-encodes the same order (other spacing,
// other key order) is still the same request.
func requestHash(r intake.Request) string {
	b, _ := json.Marshal(r)
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// DecodeOrderRequest reads an order from a JSON body strictly: the body must
// be valid UTF-8 holding one JSON object, with no fields the API does not
// know and every value of its field's type. Malformed JSON is a 400 that
// says where it broke; unknown fields and wrong types are EINVALID with the
// field named as intake names it ("lines[2].quantity").
func DecodeOrderRequest(body []byte) (intake.Request, error) {
	var req intake.Request
	if len(bytes.TrimSpace(body)) == 0 {
		return req, fiber.NewError(fiber.StatusBadRequest, "The request body is empty; send the order as a JSON object.")
	}
	if !utf8.Valid(body) {
		off := invalidUTF8Offset(body)
		line, col := position(body, off)
		return req, fiber.NewError(fiber.StatusBadRequest, fmt.Sprintf("The body is not valid UTF-8: bad byte at line %d, column %d (byte %d).", line, col, off+1))
	}
	err := strictDecode(body, &req)
	if err == nil {
		return req, nil
	}
	var syn *json.SyntaxError
	switch {
	case errors.As(err, &syn):
		// Offset counts the bytes read, the offending one included.
		line, col := position(body, int(syn.Offset)-1)
		return req, fiber.NewError(fiber.StatusBadRequest, fmt.Sprintf("Malformed JSON at line %d, column %d (byte %d): %s.", line, col, syn.Offset, strings.TrimPrefix(syn.Error(), "json: ")))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return req, fiber.NewError(fiber.StatusBadRequest, fmt.Sprintf("Malformed JSON: the body ends early, at byte %d, before the object is complete.", len(body)))
	case errors.Is(err, errTrailingData):
		return req, fiber.NewError(fiber.StatusBadRequest, "Malformed JSON: there is more after the order object; send exactly one object.")
	}
	key, msg, ok := fieldError(body, err)
	if !ok {
		return req, fiber.NewError(fiber.StatusBadRequest, "Malformed JSON: "+strings.TrimPrefix(err.Error(), "json: ")+".")
	}
	return req, domain.Invalid(fmt.Sprintf("The order was not accepted: %s %s.", key, msg), map[string]string{key: msg})
}

var errTrailingData = errors.New("data after the JSON value")

// strictDecode decodes exactly one JSON value, refusing unknown fields.
func strictDecode(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errTrailingData
	}
	return nil
}

// fieldError names the field of an unknown-field or wrong-type error. The
// decoder gives paths without array indexes ("lines.quantity"), so the lines
// and the ship-to are decoded once more, one by one, to find which.
func fieldError(body []byte, err error) (key, msg string, ok bool) {
	prefix, m, ok := describeDecodeError(err)
	if !ok {
		return "", "", false
	}
	if prefix == "" {
		// The body is not an object at all.
		return "body", m, true
	}
	var parts struct {
		Lines  []json.RawMessage `json:"lines"`
		ShipTo json.RawMessage   `json:"ship_to"`
	}
	if json.Unmarshal(body, &parts) == nil {
		for i, raw := range parts.Lines {
			var l intake.LineRequest
			if lerr := strictDecode(raw, &l); lerr != nil {
				if p, m, ok := describeDecodeError(lerr); ok && p != "" {
					return fmt.Sprintf("lines[%d].%s", i, p), m, true
				}
			}
		}
		if len(parts.ShipTo) > 0 {
			var a intake.Address
			if aerr := strictDecode(parts.ShipTo, &a); aerr != nil {
				if p, m, ok := describeDecodeError(aerr); ok && p != "" {
					return "ship_to." + p, m, true
				}
			}
		}
	}
	return prefix, m, true
}

// describeDecodeError returns the dotted path and a message for people of
// an unknown-field or type error; ok is false for other errors.
func describeDecodeError(err error) (path, msg string, ok bool) {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return te.Field, "must be " + expectedKind(te), true
	}
	if name, found := strings.CutPrefix(err.Error(), `json: unknown field "`); found {
		return strings.TrimSuffix(name, `"`), "is not a field of an order (see /api/v1/openapi.json)", true
	}
	return "", "", false
}

func expectedKind(te *json.UnmarshalTypeError) string {
	switch te.Type.Kind() {
	case reflect.Int64, reflect.Int, reflect.Int32:
		if n, isNumber := strings.CutPrefix(te.Value, "number "); isNumber {
			if f, err := strconv.ParseFloat(n, 64); err == nil && f == math.Trunc(f) {
				return "a whole number small enough to be a quantity or price, not " + n
			}
			return "a whole number, not " + n
		}
		return "a whole number, not " + article(te.Value)
	case reflect.String:
		return "text, not " + article(te.Value)
	case reflect.Bool:
		return "true or false, not " + article(te.Value)
	case reflect.Slice:
		return "a list, not " + article(te.Value)
	case reflect.Struct:
		return "an object, not " + article(te.Value)
	}
	return "of another type, not " + article(te.Value)
}

func article(v string) string {
	switch {
	case v == "":
		return "that"
	case strings.ContainsRune("aeiou", rune(v[0])):
		return "an " + v
	}
	return "a " + v
}

// position turns a byte offset into a 1-based line and column.
func position(body []byte, off int) (line, col int) {
	off = min(max(off, 0), len(body))
	before := body[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = utf8.RuneCount(before[bytes.LastIndexByte(before, '\n')+1:]) + 1
	return line, col
}

func invalidUTF8Offset(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return len(b)
}
