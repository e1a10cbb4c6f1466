package handlers_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/internal/testapp"
	"github.com/oms/oms/web"
	"github.com/oms/oms/wire"
)

// orderBody is a valid order for C100 from the fixtures.
const orderBody = `{"customer_account": "C100", "po_number": "PO-1",
	"ship_to": {"name": "Dock 4", "line1": "1 Main St", "city": "Dallas", "region": "TX", "postal_code": "75201"},
	"lines": [{"sku": "SKU-1", "quantity": 5}, {"sku": "CASE-12", "quantity": 24}]}`

func postOrder(tb testing.TB, a *testapp.App, token, key, body string) (*http.Response, string) {
	tb.Helper()
	req := httptest.NewRequest(http.MethodPost, "/api/v1/orders", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	return a.Client(tb).Do(req)
}

type apiError struct {
	Error  string            `json:"error"`
	Fields map[string]string `json:"fields"`
}

func decodeError(tb testing.TB, body string) apiError {
	tb.Helper()
	var e apiError
	if err := json.Unmarshal([]byte(body), &e); err != nil || e.Error == "" {
		tb.Fatalf("not a JSON error: %q (%v)", body, err)
	}
	return e
}

func TestCreateOrderAPI(t *testing.T) {
	a := testapp.New(t, web.Config{}, seedCatalogue)
	_, sales := newToken(t, a.DB, domain.RoleSales)

	t.Run("OK", func(t *testing.T) {
		resp, body := postOrder(t, a, sales, "ok-1", orderBody)
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		var o wire.Order
		if err := json.Unmarshal([]byte(body), &o); err != nil {
			t.Fatal(err)
		}
		if o.Number == "" || o.Status != "allocated" || len(o.Lines) != 2 || len(o.Groups) != 1 || len(o.Trace) == 0 {
			t.Fatalf("%+v", o)
		}
		if l := o.Lines[1]; l.SKU != "CASE-12" || l.Allocated != 24 || l.Ordered != 24 {
			t.Fatalf("line %+v", l)
		}
		if g := o.Groups[0]; g.LocationCode != "DAL" || g.LineCount != 2 || g.Units != 29 || len(g.Lines) != 2 || g.Lines[1].Quantity != 24 {
			t.Fatalf("group %+v", g)
		}
		if o.Channel != "api" || len(o.Events) == 0 || o.Events[len(o.Events)-1].Actor != "api:Test sales" {
			t.Fatalf("%+v", o)
		}
	})

	t.Run("SameKeySameBodyReplays", func(t *testing.T) {
		before := countRows(t, a.DB, `SELECT count(*) FROM orders`)
		r1, b1 := postOrder(t, a, sales, "replay-1", orderBody)
		// The same order re-encoded (other spacing) is the same request.
		r2, b2 := postOrder(t, a, sales, "replay-1", strings.Join(strings.Fields(orderBody), " "))
		if r1.StatusCode != http.StatusCreated || r2.StatusCode != r1.StatusCode || b1 != b2 {
			t.Fatalf("first %d %s\nretry %d %s", r1.StatusCode, b1, r2.StatusCode, b2)
		}
		if r2.Header.Get("Idempotent-Replayed") != "true" || r1.Header.Get("Idempotent-Replayed") != "" {
			t.Fatal("Idempotent-Replayed header wrong")
		}
		if n := countRows(t, a.DB, `SELECT count(*) FROM orders`); n != before+1 {
			t.Fatalf("%d orders created, want 1", n-before)
		}
	})

	t.Run("SameKeyDifferentBody", func(t *testing.T) {
		postOrder(t, a, sales, "diff-1", orderBody)
		resp, body := postOrder(t, a, sales, "diff-1", strings.Replace(orderBody, `"quantity": 5`, `"quantity": 6`, 1))
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(decodeError(t, body).Error, `Idempotency-Key "diff-1" was used with a different request`) {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
	})

	t.Run("KeysAreScopedPerToken", func(t *testing.T) {
		_, other := newToken(t, a.DB, domain.RoleOps)
		r1, b1 := postOrder(t, a, sales, "shared-key", orderBody)
		r2, b2 := postOrder(t, a, other, "shared-key", orderBody)
		if r1.StatusCode != 201 || r2.StatusCode != 201 || b1 == b2 {
			t.Fatalf("%d %d: two tokens' keys collided", r1.StatusCode, r2.StatusCode)
		}
	})

	t.Run("ConcurrentRetriesCreateOneOrder", func(t *testing.T) {
		before := countRows(t, a.DB, `SELECT count(*) FROM orders`)
		const n = 20
		bodies := make([]string, n)
		statuses := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp, body := postOrder(t, a, sales, "race-1", orderBody)
				statuses[i], bodies[i] = resp.StatusCode, body
			}()
		}
		wg.Wait()
		for i := range n {
			if statuses[i] != http.StatusCreated || bodies[i] != bodies[0] {
				t.Fatalf("response %d: %d %s\nwant 201 %s", i, statuses[i], bodies[i], bodies[0])
			}
		}
		if got := countRows(t, a.DB, `SELECT count(*) FROM orders`) - before; got != 1 {
			t.Fatalf("%d orders for one key, want 1", got)
		}
		if got := countRows(t, a.DB, `SELECT count(*) FROM idempotency_keys WHERE key = 'race-1'`); got != 1 {
			t.Fatalf("%d key records", got)
		}
	})

	t.Run("MissingKey", func(t *testing.T) {
		resp, body := postOrder(t, a, sales, "", orderBody)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(decodeError(t, body).Error, "Idempotency-Key header is required") {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
	})
}

func TestCreateOrderAPIAuth(t *testing.T) {
	a := testapp.New(t, web.Config{}, seedCatalogue)
	_, csr := newToken(t, a.DB, domain.RoleCSR)
	revoked, revokedSecret := newToken(t, a.DB, domain.RoleSales)
	if _, err := a.DB.RevokeToken(t.Context(), revoked.ID); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		token string
		want  int
	}{
		{"ErrNoToken", "", http.StatusUnauthorized},
		{"ErrUnknownToken", "oms_not-a-token", http.StatusUnauthorized},
		{"ErrRevokedToken", revokedSecret, http.StatusUnauthorized},
		{"ErrCSRToken", csr, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := postOrder(t, a, tt.token, "auth-"+tt.name, orderBody)
			if resp.StatusCode != tt.want {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.want, body)
			}
			decodeError(t, body)
			if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
				t.Fatalf("content type %q", resp.Header.Get("Content-Type"))
			}
		})
	}
	if n := countRows(t, a.DB, `SELECT count(*) FROM orders`); n != 0 {
		t.Fatalf("%d orders written by refused requests", n)
	}

	t.Run("NoSessionForBearer", func(t *testing.T) {
		_, sales := newToken(t, a.DB, domain.RoleSales)
		before := countRows(t, a.DB, `SELECT count(*) FROM sessions`)
		resp, _ := postOrder(t, a, sales, "no-session", orderBody)
		if resp.StatusCode != http.StatusCreated || resp.Header.Get("Set-Cookie") != "" {
			t.Fatalf("status %d cookie %q", resp.StatusCode, resp.Header.Get("Set-Cookie"))
		}
		if countRows(t, a.DB, `SELECT count(*) FROM sessions`) != before {
			t.Fatal("a bearer request started a session")
		}
	})

	t.Run("SessionNeedsCSRF", func(t *testing.T) {
		c := a.Client(t)
		c.SignIn("sales@demo.test")
		send := func(csrf string) *http.Response {
			req := httptest.NewRequest(http.MethodPost, "/api/v1/orders", strings.NewReader(strings.Replace(orderBody, "PO-1", "PO-SESSION", 1)))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Idempotency-Key", "session-1")
			if csrf != "" {
				req.Header.Set("X-CSRF-Token", csrf)
			}
			resp, _ := c.Do(req)
			return resp
		}
		if resp := send(""); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("without CSRF header: %d, want 403", resp.StatusCode)
		}
		if resp := send(c.CSRF); resp.StatusCode != http.StatusCreated {
			t.Fatalf("with CSRF header: %d, want 201", resp.StatusCode)
		}
	})
}

func TestCreateOrderAPIBadInput(t *testing.T) {
	a := testapp.New(t, web.Config{}, seedCatalogue)
	_, sales := newToken(t, a.DB, domain.RoleSales)
	withLine := func(line string) string {
		return strings.Replace(orderBody, `{"sku": "SKU-1", "quantity": 5}`, line, 1)
	}
	var manyLines strings.Builder
	manyLines.WriteString(`{"customer_account": "C100", "po_number": "PO-BIG", "ship_to_code": "MAIN", "lines": [`)
	for i := range 10_000 {
		if i > 0 {
			manyLines.WriteByte(',')
		}
		manyLines.WriteString(`{"sku": "SKU-1", "quantity": 1}`)
	}
	manyLines.WriteString(`]}`)

	tests := []struct {
		name      string
		body      string
		status    int
		field     string // expected key in fields, when status is 422
		inMessage string
	}{
		{"ErrMalformed", "{\"customer_account\": \"C100\",\n  \"lines\": [}", 400, "", "line 2, column 13"},
		{"ErrTruncated", `{"customer_account": "C100"`, 400, "", "ends early"},
		{"ErrTrailingData", orderBody + `{}`, 400, "", "more after the order object"},
		{"ErrNotUTF8", "{\"customer_account\": \"C\xff100\"}", 400, "", "not valid UTF-8"},
		{"ErrEmpty", "", 400, "", "empty"},
		{"ErrNotAnObject", `[1, 2]`, 422, "body", ""},
		{"ErrUnknownTopField", strings.Replace(orderBody, `"po_number"`, `"colour": "red", "po_number"`, 1), 422, "colour", ""},
		{"ErrUnknownLineField", withLine(`{"sku": "SKU-1", "qty": 5}`), 422, "lines[0].qty", ""},
		{"ErrUnknownAddressField", strings.Replace(orderBody, `"city"`, `"town": "x", "city"`, 1), 422, "ship_to.town", ""},
		{"ErrWrongTypeLine", strings.Replace(orderBody, `"quantity": 24`, `"quantity": "24"`, 1), 422, "lines[1].quantity", "whole number"},
		{"ErrFractionalQuantity", withLine(`{"sku": "SKU-1", "quantity": 1.5}`), 422, "lines[0].quantity", "whole number, not 1.5"},
		{"ErrAbsurdQuantity", withLine(`{"sku": "SKU-1", "quantity": 1e30}`), 422, "lines[0].quantity", ""},
		{"ErrWrongTypeTop", strings.Replace(orderBody, `"po_number": "PO-1"`, `"po_number": 17`, 1), 422, "po_number", "text"},
		{"ErrZeroQuantity", withLine(`{"sku": "SKU-1", "quantity": 0}`), 422, "lines[0].quantity", "at least 1"},
		{"ErrNegativeQuantity", withLine(`{"sku": "SKU-1", "quantity": -5}`), 422, "lines[0].quantity", "at least 1"},
		{"ErrHugeQuantity", withLine(`{"sku": "SKU-1", "quantity": 999999999999}`), 422, "lines[0].quantity", "at most"},
		{"ErrCasePack", strings.Replace(orderBody, `"quantity": 24`, `"quantity": 10`, 1), 422, "lines[1].quantity", "multiple of 12 (case pack)"},
		{"ErrNegativePrice", withLine(`{"sku": "SKU-1", "quantity": 1, "unit_price_cents": -1}`), 422, "lines[0].unit_price_cents", ""},
		{"ErrBidiOverrideInPO", strings.Replace(orderBody, `"PO-1"`, `"PO-\u202e1"`, 1), 422, "po_number", "U+202E"},
		{"ErrZeroWidthInShipToName", strings.Replace(orderBody, `"Dock 4"`, `"Dock\u200b4"`, 1), 422, "ship_to.name", "zero-width"},
		{"ErrTenThousandLines", manyLines.String(), 422, "lines", "at most 2000"},
		{"ErrTooLarge", `{"note": "` + strings.Repeat("x", 3<<20) + `"}`, 413, "", "at most 2097152 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := postOrder(t, a, sales, "bad-"+tt.name, tt.body)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %.300s", resp.StatusCode, tt.status, body)
			}
			e := decodeError(t, body)
			if tt.field != "" && e.Fields[tt.field] == "" {
				t.Fatalf("no message for %s: %+v", tt.field, e)
			}
			if !strings.Contains(e.Error+fmt.Sprint(e.Fields), tt.inMessage) {
				t.Fatalf("%q not in %+v", tt.inMessage, e)
			}
		})
	}
	for _, table := range []string{"orders", "order_lines", "events", "outbox", "idempotency_keys"} {
		if n := countRows(t, a.DB, `SELECT count(*) FROM `+table); n != 0 {
			t.Fatalf("%s has %d rows after rejected requests", table, n)
		}
	}
}

func TestCreateOrderAPIStoresTextAsText(t *testing.T) {
	a := testapp.New(t, web.Config{}, seedCatalogue)
	_, sales := newToken(t, a.DB, domain.RoleSales)
	po := `PO'); DROP TABLE orders;--`
	name := `<img src=x onerror=alert(1)>`
	note := `<script>alert("x")</script> OR 1=1`
	body, _ := json.Marshal(map[string]any{
		"customer_account": "C100", "po_number": po, "note": note,
		"ship_to": map[string]string{"name": name, "line1": "1 Main St", "city": "Dallas", "region": "TX", "postal_code": "75201"},
		"lines":   []map[string]any{{"sku": "SKU-1", "quantity": 1}},
	})
	resp, out := postOrder(t, a, sales, "text-1", string(body))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("status %d: %s", resp.StatusCode, out)
	}
	var o wire.Order
	if err := json.Unmarshal([]byte(out), &o); err != nil {
		t.Fatal(err)
	}
	if o.CustomerPO != po || o.ShipTo.Name != name {
		t.Fatalf("po %q name %q", o.CustomerPO, o.ShipTo.Name)
	}
	if strings.Contains(out, "<script>") || strings.Contains(out, "<img") {
		t.Fatal("raw HTML in the JSON body; it should be escaped as \\u003c")
	}
	if countRows(t, a.DB, `SELECT count(*) FROM orders WHERE customer_po = ? AND ship_name = ?`, po, name) != 1 ||
		countRows(t, a.DB, `SELECT count(*) FROM events WHERE kind = 'note' AND summary = ?`, note) != 1 {
		t.Fatal("text not stored as given")
	}
}

func TestCreateOrderAPIRefusesOtherMediaTypes(t *testing.T) {
	a := testapp.New(t, web.Config{}, seedCatalogue)
	_, sales := newToken(t, a.DB, domain.RoleSales)
	tests := []struct{ name, contentType, body string }{
		{"Multipart", "multipart/form-data; boundary=xyz", "--xyz\r\nContent-Disposition: form-data; name=\"order\"\r\n\r\n" + orderBody + "\r\n--xyz--\r\n"},
		{"MultipartBoundarySaysJSON", "multipart/form-data; boundary=json", "--json\r\nContent-Disposition: form-data; name=\"order\"\r\n\r\n" + orderBody + "\r\n--json--\r\n"},
		{"BrokenMultipart", "multipart/form-data; boundary=json", "--json\r\nzzz"},
		{"Form", "application/x-www-form-urlencoded", "order=x"},
		{"TextSaysJSON", "text/plain; note=json", orderBody},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/api/v1/orders", strings.NewReader(tt.body))
			req.Header.Set("Content-Type", tt.contentType)
			req.Header.Set("Authorization", "Bearer "+sales)
			req.Header.Set("Idempotency-Key", "media-"+tt.name)
			resp, body := a.Client(t).Do(req)
			if resp.StatusCode != http.StatusUnsupportedMediaType {
				t.Fatalf("status %d, want 415: %s", resp.StatusCode, body)
			}
			decodeError(t, body)
		})
	}
	if n := countRows(t, a.DB, `SELECT count(*) FROM orders`); n != 0 {
		t.Fatalf("%d orders captured from bodies that are not JSON", n)
	}
}
