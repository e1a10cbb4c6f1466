package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/oms/oms/internal/fixtures"
	"github.com/oms/oms/internal/testapp"
	"github.com/oms/oms/notify"
	"github.com/oms/oms/store"
	"github.com/oms/oms/web"
)

// TestCustomerEmailPages ships the standard released order, lets the
// sender keep its e-mail (no SMTP server), and reads it where people do:
// the list, the e-mail, and the order page's section.
func TestCustomerEmailPages(t *testing.T) {
	var s fixtures.Standard
	a := testapp.New(t, web.Config{}, func(db *store.DB) {
		b := fixtures.New(t, db)
		s = b.Standard()
		b.AddStock("SKU-3300", "RNO", 10, 3)
	})
	ctx := context.Background()
	if _, err := a.DB.ShipGroup(ctx, store.OrderAction{Number: s.Released, Actor: "system"}, 1,
		store.Shipment{Carrier: "FedEx", Tracking: "771234500001"}); err != nil {
		t.Fatal(err)
	}
	if _, err := notify.New(a.DB, notify.Config{}).RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	es, err := a.DB.CustomerEmails(ctx, store.EmailQuery{})
	if err != nil || len(es) != 1 {
		t.Fatalf("e-mails %v, %v", es, err)
	}
	t.Run("OpsList", func(t *testing.T) {
		c := a.Client(t)
		c.SignIn("ops@demo.test")
		resp, body := c.Get("/notifications")
		doc := testapp.Doc(t, body)
		rows := doc.Find(`[data-testid="email-row"]`)
		if resp.StatusCode != 200 || rows.Length() != 1 || !strings.Contains(rows.Text(), s.AcmeEmail) || !strings.Contains(rows.Text(), "Kept, not sent") {
			t.Fatalf("%d: %s", resp.StatusCode, body)
		}
		if mode := doc.Find(`[data-testid="email-mode"]`).Text(); !strings.Contains(mode, "No SMTP server is configured") {
			t.Errorf("mode %q", mode)
		}
		_, body = c.Get("/notifications?status=sent")
		if n := testapp.Doc(t, body).Find(`[data-testid="email-row"]`).Length(); n != 0 {
			t.Errorf("sent filter lists %d kept e-mails", n)
		}
		if resp, _ := c.Get("/notifications?status=bogus"); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("bad status: %d", resp.StatusCode)
		}
	})
	t.Run("CSRReadsTheEmailNotTheList", func(t *testing.T) {
		c := a.Client(t)
		c.SignIn("csr@demo.test")
		if resp, _ := c.Get("/notifications"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("csr list: %d", resp.StatusCode)
		}
		resp, body := c.Get(fmt.Sprintf("/notifications/%d", es[0].ID))
		doc := testapp.Doc(t, body)
		if resp.StatusCode != 200 || doc.Find(`[data-testid="email-to"]`).Text() != s.AcmeEmail ||
			!strings.Contains(doc.Find(`[data-testid="email-body"]`).Text(), "Tracking number: 771234500001") {
			t.Fatalf("%d: %s", resp.StatusCode, body)
		}
	})
	t.Run("OrderPageSection", func(t *testing.T) {
		c := a.Client(t)
		c.SignIn("csr@demo.test")
		_, body := c.Get("/orders/" + s.Released)
		doc := testapp.Doc(t, body)
		rows := doc.Find(`[data-testid="customer-emails"] [data-testid="customer-email"]`)
		if rows.Length() != 1 || !strings.Contains(rows.Text(), es[0].Subject) {
			t.Fatalf("order page section: %s", doc.Find(`[data-testid="customer-emails"]`).Text())
		}
		if href, _ := rows.Find("a").Attr("href"); href != fmt.Sprintf("/notifications/%d", es[0].ID) {
			t.Errorf("link %q", href)
		}
		if tl := doc.Find(`#timeline`).Text(); !strings.Contains(tl, "Shipment e-mail to "+s.AcmeEmail) || !strings.Contains(tl, "Customer e-mail") {
			t.Errorf("timeline lacks the e-mail event, or its label: %s", tl)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		c := a.Client(t)
		c.SignIn("ops@demo.test")
		if resp, _ := c.Get("/notifications/999999"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("missing e-mail: %d", resp.StatusCode)
		}
	})
	t.Run("AdminTurnsOffBackorderEmails", func(t *testing.T) {
		c := a.Client(t)
		c.SignIn("admin@demo.test")
		_, body := c.Get("/admin/settings")
		doc := testapp.Doc(t, body)
		if _, on := doc.Find(`[data-testid="backorder-emails"]`).Attr("checked"); !on {
			t.Fatalf("backorder e-mails not on by default: %s", body)
		}
		form := url.Values{"sla_hours": {"24"}, "backorder_emails_shown": {"1"}}
		doc.Find(`input[type=checkbox][name^="release_"]`).Each(func(_ int, in *goquery.Selection) {
			if _, checked := in.Attr("checked"); checked {
				name, _ := in.Attr("name")
				v, _ := in.Attr("value")
				form[name] = append(form[name], v)
			}
		})
		if resp, body := c.PostForm("/admin/settings", form); resp.StatusCode >= 400 {
			t.Fatalf("%d: %s", resp.StatusCode, body)
		}
		if on, _ := a.DB.BackorderEmailsAutomatic(ctx); on {
			t.Error("backorder e-mails still on")
		}
	})
}
