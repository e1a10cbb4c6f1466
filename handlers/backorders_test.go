package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

func TestBackorderBoard(t *testing.T) {
	a, s := queueApp(t)
	ops := a.Client(t)
	ops.SignIn("ops@demo.test")
	_, body := ops.Get("/backorders?sku=SKU-1042")
	doc, _ := goquery.NewDocumentFromReader(strings.NewReader(body))
	row := doc.Find(`[data-testid="backorder-row"][data-order="` + s.PartlyShipped + `"]`)
	if row.Length() != 1 || !strings.Contains(row.Find(`[data-testid="promise"]`).Text(), "PO 5512, due Dec 2, 2026") {
		t.Fatalf("board row for %s: %q", s.PartlyShipped, row.Text())
	}

	t.Run("ErrForbiddenCSRReceipt", func(t *testing.T) {
		csr := a.Client(t)
		csr.SignIn("csr@demo.test")
		if resp, _ := csr.Get("/backorders"); resp.StatusCode != http.StatusOK {
			t.Fatalf("csr reads the board: %d", resp.StatusCode)
		}
		if resp, _ := csr.PostForm("/receipts", url.Values{"sku": {"SKU-1042"}, "location": {"DAL"}, "quantity": {"10"}}); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("csr receipt: %d", resp.StatusCode)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		resp, body := ops.PostForm("/receipts", url.Values{"sku": {"NOPE-1"}, "location": {"DAL"}, "quantity": {"10"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "is not a known item") {
			t.Fatalf("unknown SKU: %d", resp.StatusCode)
		}
	})
	t.Run("ReceiptFillsTheBackorder", func(t *testing.T) {
		before := stateOf(t, a.DB, s.PartlyShipped)
		resp, _ := ops.PostForm("/receipts", url.Values{"sku": {"SKU-1042"}, "location": {"DAL"}, "quantity": {"10"},
			"reference": {"5512"}, "return": {"/backorders?sku=SKU-1042"}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/backorders?sku=SKU-1042" {
			t.Fatalf("receipt: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		_, body := ops.Get("/backorders?sku=SKU-1042")
		if !strings.Contains(body, "Received 10 x SKU-1042 at DAL. 4 units allocated to 1 backordered line on 1 order.") {
			t.Fatal("no notice of what the receipt filled")
		}
		if strings.Contains(body, `data-order="`+s.PartlyShipped+`"`) {
			t.Fatal("the filled backorder is still on the board")
		}
		after := stateOf(t, a.DB, s.PartlyShipped)
		if after.version <= before.version || after.events <= before.events {
			t.Fatalf("the order did not move on: %+v -> %+v", before, after)
		}
		_, body = ops.Get("/orders/" + s.PartlyShipped)
		if !strings.Contains(body, "Stock arrived: 4 x SKU-1042 from DAL") {
			t.Fatal("the automatic release is not on the timeline")
		}
	})
}
