package handlers_test

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/intake"
	"github.com/oms/oms/internal/testapp"
	"github.com/oms/oms/web"
)

// TestCreateOrderAPIAnswersAsGet checks the requirement "POST
// /api/v1/orders answers 201 with the order as GET /api/v1/orders/{number}
// shows it": one shape, every line, the same values.
func TestCreateOrderAPIAnswersAsGet(t *testing.T) {
	a := testapp.New(t, web.Config{}, seedCatalogue)
	_, sales := newToken(t, a.DB, domain.RoleSales)
	_, csr := newToken(t, a.DB, domain.RoleCSR)
	schemas := openAPISchemaKeys(t, a)

	for _, tc := range []struct {
		name  string
		body  string
		lines int
	}{
		{name: "TwoLines", body: orderBody, lines: 2},
		{name: "MaxLines", body: maxLinesOrder(t), lines: intake.MaxLines},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, posted := postOrder(t, a, sales, "shape-"+tc.name, tc.body)
			if resp.StatusCode != http.StatusCreated {
				t.Fatalf("POST status %d: %s", resp.StatusCode, posted)
			}
			post := decodeObject(t, posted)
			var number string
			if err := json.Unmarshal(post["number"], &number); err != nil || number == "" {
				t.Fatalf("no number in %s", posted)
			}
			req := httptest.NewRequest(http.MethodGet, "/api/v1/orders/"+number, nil)
			req.Header.Set("Authorization", "Bearer "+csr)
			resp, got := a.Client(t).Do(req)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET status %d: %s", resp.StatusCode, got)
			}
			get := decodeObject(t, got)

			sameKeys(t, "order", post, get)
			postLines, getLines := decodeArray(t, post["lines"]), decodeArray(t, get["lines"])
			if len(postLines) != tc.lines || len(getLines) != tc.lines {
				t.Fatalf("lines: POST %d, GET %d, want %d", len(postLines), len(getLines), tc.lines)
			}
			sameKeys(t, "lines[0]", decodeObject(t, string(postLines[0])), decodeObject(t, string(getLines[0])))
			postGroups, getGroups := decodeArray(t, post["groups"]), decodeArray(t, get["groups"])
			if len(postGroups) == 0 || len(getGroups) == 0 {
				t.Fatalf("no groups: POST %d, GET %d", len(postGroups), len(getGroups))
			}
			sameKeys(t, "groups[0]", decodeObject(t, string(postGroups[0])), decodeObject(t, string(getGroups[0])))
			for _, k := range []string{"number", "status", "lines", "groups", "trace"} {
				if string(post[k]) != string(get[k]) {
					t.Errorf("%s differs:\nPOST %.300s\nGET  %.300s", k, post[k], get[k])
				}
			}
			// The published schema lists exactly the fields the API sends.
			sameKeys(t, "Order schema", schemas["Order"], get)
			sameKeys(t, "OrderLine schema", schemas["OrderLine"], decodeObject(t, string(getLines[0])))
			sameKeys(t, "FulfilmentGroup schema", schemas["FulfilmentGroup"], decodeObject(t, string(getGroups[0])))
			if posted != got {
				t.Error("POST and GET bodies differ")
			}
		})
	}
}

// maxLinesOrder is an order of intake.MaxLines lines, far more than one
// page of lines, so that a reply with only the first page fails.
func maxLinesOrder(tb testing.TB) string {
	tb.Helper()
	lines := make([]map[string]any, intake.MaxLines)
	for i := range lines {
		lines[i] = map[string]any{"sku": benchSKUs[i%len(benchSKUs)], "quantity": 1 + i%3}
	}
	b, err := json.Marshal(map[string]any{
		"customer_account": "C100", "po_number": "PO-MAX",
		"ship_to": map[string]string{"name": "Dock 4", "line1": "1 Main St", "city": "Dallas", "region": "TX", "postal_code": "75201"},
		"lines":   lines,
	})
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// openAPISchemaKeys returns the property names of each schema of the
// published OpenAPI document.
func openAPISchemaKeys(tb testing.TB, a *testapp.App) map[string]map[string]json.RawMessage {
	tb.Helper()
	resp, body := a.Client(tb).Get("/api/v1/openapi.json")
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("openapi.json: status %d", resp.StatusCode)
	}
	var spec struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]json.RawMessage `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal([]byte(body), &spec); err != nil {
		tb.Fatal(err)
	}
	out := map[string]map[string]json.RawMessage{}
	for name, s := range spec.Components.Schemas {
		out[name] = s.Properties
	}
	return out
}

func decodeObject(tb testing.TB, body string) map[string]json.RawMessage {
	tb.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		tb.Fatalf("not a JSON object: %.300s (%v)", body, err)
	}
	return m
}

func decodeArray(tb testing.TB, raw json.RawMessage) []json.RawMessage {
	tb.Helper()
	var a []json.RawMessage
	if err := json.Unmarshal(raw, &a); err != nil {
		tb.Fatalf("not a JSON array: %.300s (%v)", raw, err)
	}
	return a
}

func sameKeys(tb testing.TB, what string, post, get map[string]json.RawMessage) {
	tb.Helper()
	pk, gk := slices.Sorted(maps.Keys(post)), slices.Sorted(maps.Keys(get))
	if !slices.Equal(pk, gk) {
		tb.Errorf("%s keys differ:\nPOST %s\nGET  %s", what, strings.Join(pk, ","), strings.Join(gk, ","))
	}
}
