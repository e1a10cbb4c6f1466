package handlers_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/internal/testapp"
	"github.com/oms/oms/web"
)

func TestInboundMasterDataAPI(t *testing.T) {
	a := testapp.New(t, web.Config{}, seedCatalogue)
	_, csr := newToken(t, a.DB, domain.RoleCSR)
	_, ops := newToken(t, a.DB, domain.RoleOps)
	post := func(tb testing.TB, path, token, body string) (int, string) {
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, out := a.Client(tb).Do(req)
		return resp.StatusCode, out
	}
	type errBody struct {
		Error  string
		Fields map[string]string
	}
	cases := []struct {
		name, path, token, body string
		status                  int
		fields                  []string // bad fields named in a 422
		want                    string   // in the body
	}{
		{"ErrForbidden", "/api/v1/inbound/items", csr, `{"message_id": "x", "rows": []}`, 403, nil, ""},
		{"ItemsOK", "/api/v1/inbound/items", ops, `{"message_id": "items-1", "rows": [{"sku": "NEW-1", "description": "Washer M8", "list_price_cents": 125, "pack_qty": 100},
			{"sku": "SKU-1", "discontinued": true}]}`, 200, nil, `"applied":2`},
		{"ItemsDuplicate", "/api/v1/inbound/items", ops, `{"message_id": "items-1", "rows": [{"sku": "SKU-1", "discontinued": false}]}`, 200, nil, `"status":"duplicate"`},
		{"ItemsBadRows", "/api/v1/inbound/items", ops, `{"message_id": "items-2", "rows": [{"sku": "SKU-1", "pack_qty": 6},
			{"sku": "NEW-2", "description": "Bad\u202ename"}, {"sku": "", "pack_qty": 0}]}`, 422,
			[]string{"rows[1].description", "rows[1].list_price_cents", "rows[2].sku", "rows[2].pack_qty"}, "nothing was applied"},
		{"ErrUnknownField", "/api/v1/inbound/items", ops, `{"message_id": "items-3", "rows": [{"sku": "SKU-1", "colour": "red"}]}`, 422, []string{"colour"}, ""},
		{"CustomersOK", "/api/v1/inbound/customers", ops, `{"message_id": "cust-1", "rows": [{"account": "C100", "credit_status": "hold", "open_ar_cents": 250000, "credit_limit_cents": 100000},
			{"account": "C777", "name": "Lakeside Hardware", "type": "b2b", "price_level": "wholesale"}]}`, 200, nil, `"applied":2`},
		{"CustomersBadRows", "/api/v1/inbound/customers", ops, `{"message_id": "cust-2", "rows": [{"account": "C100", "credit_status": "frozen"}, {"account": "C778"}]}`, 422,
			[]string{"rows[0].credit_status", "rows[1].name", "rows[1].type"}, ""},
		{"PriceListsOK", "/api/v1/inbound/price-lists", ops, `{"message_id": "pl-1", "rows": [{"price_level": "WHOLESALE", "sku": "SKU-1", "unit_price_cents": 990}]}`, 200, nil, `"applied":1`},
		{"PriceListsBadRows", "/api/v1/inbound/price-lists", ops, `{"message_id": "pl-2", "rows": [{"price_level": "WHOLESALE", "sku": "NOPE", "unit_price_cents": 1},
			{"price_level": "WHOLESALE", "sku": "SKU-1"}]}`, 422, []string{"rows[0].sku", "rows[1].unit_price_cents"}, ""},
		{"ErrNoMessageID", "/api/v1/inbound/price-lists", ops, `{"rows": []}`, 422, []string{"message_id"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := post(t, tc.path, tc.token, tc.body)
			if status != tc.status || !strings.Contains(body, tc.want) {
				t.Fatalf("%d %s", status, body)
			}
			if len(tc.fields) > 0 {
				var e errBody
				json.Unmarshal([]byte(body), &e)
				for _, f := range tc.fields {
					if e.Fields[f] == "" {
						t.Errorf("no error for %s: %s", f, body)
					}
				}
			}
		})
	}
	if n := countRows(t, a.DB, `SELECT pack_qty FROM items WHERE sku = 'SKU-1'`); n == 6 {
		t.Fatal("a refused batch changed SKU-1")
	}
	if n := countRows(t, a.DB, `SELECT count(*) FROM customers WHERE account = 'C100' AND credit_status = 'hold' AND open_ar_cents = 250000`); n != 1 {
		t.Fatal("C100 not on credit hold")
	}
	if n := countRows(t, a.DB, `SELECT unit_price_cents FROM price_list_entries p JOIN items i ON i.id = p.item_id WHERE i.sku = 'SKU-1' AND price_level = 'WHOLESALE'`); n != 990 {
		t.Fatalf("price %d", n)
	}
}
