package handlers_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/oms/oms/internal/testapp"
)

func TestInventorySearch(t *testing.T) {
	a := newOpsApp(t)
	c := a.Client(t)
	c.SignIn("csr@demo.test")
	tests := []struct {
		name, path string
		want       []string
	}{
		{"BySKU", "/inventory?q=bolt", []string{"BOLT-10"}},
		{"ByDescription", "/inventory?q=stainless", []string{"NUT-20"}},
		{"All", "/inventory", []string{"BOLT-10", "NUT-20"}},
		{"None", "/inventory?q=widget", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := c.Get(tt.path)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			var got []string
			testapp.Doc(t, body).Find(`[data-testid="item-row"] td:first-child`).Each(func(_ int, s *goquery.Selection) {
				got = append(got, strings.TrimSpace(s.Text()))
			})
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Fatalf("rows %v, want %v", got, tt.want)
			}
		})
	}
	t.Run("HTMXGetsResultsOnly", func(t *testing.T) {
		resp, body := c.HTMX(http.MethodGet, "/inventory?q=nut", nil)
		if resp.StatusCode != http.StatusOK || strings.Contains(body, "<html") || !strings.Contains(body, "NUT-20") {
			t.Fatalf("status %d body %.200s", resp.StatusCode, body)
		}
	})
}

func TestItemPage(t *testing.T) {
	a := newOpsApp(t)
	c := a.Client(t)
	c.SignIn("sales@demo.test")
	t.Run("NearestFirst", func(t *testing.T) {
		// From Harrisburg, PA, the Harrisburg DC comes first.
		resp, body := c.Get("/inventory/items/BOLT-10?zip=17101")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
		d := testapp.Doc(t, body)
		rows := d.Find(`[data-testid="availability-row"]`)
		if rows.Length() != 3 {
			t.Fatalf("%d availability rows, want 3 own locations", rows.Length())
		}
		first, _ := rows.First().Attr("data-location")
		if first != "HBG" {
			t.Fatalf("first location %s", first)
		}
		// Dallas: 120 on hand, 5 allocated to SO-1, 10 safety stock.
		dal := d.Find(`[data-testid="availability-row"][data-location="DAL"] [data-testid="available"]`).Text()
		if dal != "105" {
			t.Fatalf("Dallas available %q", dal)
		}
		if d.Find(`[data-testid="inbound-row"]`).Length() != 1 || !strings.Contains(body, "PO-4471") {
			t.Fatal("inbound PO missing")
		}
	})
	t.Run("UnknownZIP", func(t *testing.T) {
		_, body := c.Get("/inventory/items/BOLT-10?zip=00000x")
		if testapp.Doc(t, body).Find(`[data-testid="zip-error"]`).Length() != 1 {
			t.Fatal("no ZIP error")
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		resp, _ := c.Get("/inventory/items/NOPE-1")
		if resp.StatusCode != http.StatusNotFound {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
}

func TestShortItems(t *testing.T) {
	a := newOpsApp(t)
	c := a.Client(t)
	c.SignIn("csr@demo.test")
	_, body := c.Get("/inventory/short?location=DAL")
	d := testapp.Doc(t, body)
	if n := d.Find(`[data-testid="short-row"]`).Length(); n != 1 || !strings.Contains(d.Find(`[data-testid="short-row"]`).Text(), "NUT-20") {
		t.Fatalf("%d short rows", n)
	}
	_, body = c.Get("/inventory/short?location=HBG")
	if testapp.Doc(t, body).Find(`[data-testid="no-short"]`).Length() != 1 {
		t.Fatal("HBG should have nothing short")
	}
	if resp, _ := c.Get("/inventory/short?location=NOWHERE"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown location: %d", resp.StatusCode)
	}
}

func TestItemAPI(t *testing.T) {
	a := newOpsApp(t)
	c := a.Client(t)
	c.SignIn("csr@demo.test")
	t.Run("OK", func(t *testing.T) {
		resp, body := c.Get("/api/v1/items/BOLT-10")
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			t.Fatalf("status %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		var got struct {
			SKU          string `json:"sku"`
			PackQty      int64  `json:"pack_qty"`
			ListPrice    int64  `json:"list_price_cents"`
			Availability []struct {
				Location                                  string
				LocationName                              string `json:"location_name"`
				OnHand, Allocated, SafetyStock, Available int64
			} `json:"availability"`
			Inbound []struct {
				PONumber     string `json:"po_number"`
				Location     string `json:"location"`
				Quantity     int64  `json:"quantity"`
				ExpectedDate string `json:"expected_date"`
			} `json:"inbound"`
		}
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatal(err)
		}
		if got.SKU != "BOLT-10" || got.PackQty != 10 || got.ListPrice != 1250 || len(got.Availability) != 3 {
			t.Fatalf("%+v", got)
		}
		if !strings.Contains(body, `"location":"DAL","location_name":"Dallas DC","on_hand":120,"allocated":5,"safety_stock":10,"available":105`) {
			t.Fatalf("Dallas availability not in %s", body)
		}
		if len(got.Inbound) != 1 || got.Inbound[0].PONumber != "PO-4471" || got.Inbound[0].ExpectedDate != "2026-12-03" {
			t.Fatalf("inbound %+v", got.Inbound)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		resp, body := c.Get("/api/v1/items/NOPE-1")
		var e map[string]any
		json.Unmarshal([]byte(body), &e)
		if resp.StatusCode != http.StatusNotFound || e["error"] == nil {
			t.Fatalf("status %d body %s", resp.StatusCode, body)
		}
	})
	t.Run("ErrUnauthorized", func(t *testing.T) {
		resp, _ := a.Client(t).Get("/api/v1/items/BOLT-10")
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
}
