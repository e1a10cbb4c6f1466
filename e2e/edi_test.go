package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/oms/oms/internal/fixtures"
	"github.com/oms/oms/internal/testapp"
	"github.com/oms/oms/store"
	"github.com/oms/oms/web"
	"github.com/oms/oms/x12"
)

// TestEDIUpload: an administrator uploads an 850 under Integrations → EDI,
// sees the set become an order with its 997, opens the order and finds the
// raw interchange linked from it.
func TestEDIUpload(t *testing.T) {
	const sku = "GLOVE-NL"
	a := testapp.New(t, web.Config{}, func(db *store.DB) {
		b := fixtures.New(t, db)
		b.Location(fixtures.Location{Code: "DAL", Name: "Dallas DC"})
		b.Item(fixtures.Item{SKU: sku, Description: "Nitrile gloves, large", PriceCents: 8450})
		b.Customer(fixtures.Customer{Account: "C10042", Name: "Acme Industrial Supply", CreditLimitCents: 5_000_000,
			ShipTos: []fixtures.ShipTo{{Code: "FTW", Name: "Acme Fort Worth Yard", Line1: "9 Rail Rd", City: "Fort Worth", Region: "TX", PostalCode: "76102"}}})
		if _, err := db.SaveTradingPartner(context.Background(), store.TradingPartner{Name: "Acme EDI", CustomerAccount: "C10042",
			ISAQualifier: "ZZ", ISAID: "ACMEBUY", QualifierOrder: []string{"BP", "UP", "VP"}, Send855: true, Send856: true, Active: true}); err != nil {
			t.Fatal(err)
		}
	})
	base := a.Serve(t)
	day := time.Now().UTC().AddDate(0, 0, 3).Format("20060102")
	doc, err := x12.Encode(x12.Envelope{SenderQual: "ZZ", SenderID: "ACMEBUY", ReceiverQual: "ZZ", ReceiverID: "OMS", Control: 321, Time: time.Now(),
		Delims: x12.Delimiters{Element: '*', Component: '>', Segment: "~", Suffix: "\n"}},
		[]x12.OutGroup{{FunctionalID: "PO", AppSender: "ACMEBUY", AppReceiver: "OMS", Control: 321, Sets: []x12.OutSet{{ID: "850", Control: "0001",
			Segments: [][]string{
				{"BEG", "00", "SA", "EDI-PO-777", "", day},
				{"DTM", "002", day},
				{"N1", "ST", "Acme Fort Worth Yard", "92", "FTW"},
				{"PO1", "1", "2", "EA", "", "", "VP", sku},
				{"PID", "F", "", "", "", "Nitrile gloves"},
				{"CTT", "1", "2"},
			}}}}})
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "acme-850.x12")
	if err := os.WriteFile(file, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := testapp.Browser(t)
	if err := chromedp.Do(ctx,
		testapp.SignInActions(base, "admin@demo.test"),
		chromedp.Click(`nav.mainnav a[href="/integrations"]`),
		chromedp.Click(`main a[href="/integrations/edi"]`),
		chromedp.WaitVisible(`[data-testid="edi-upload"] input[type=file]`),
	); err != nil {
		t.Fatal(err)
	}
	testapp.Screenshot(t, ctx, "edi-empty")
	if err := chromedp.Do(ctx,
		chromedp.SetUploadFiles(`[data-testid="edi-upload"] input[type=file]`, []string{file}),
		chromedp.Submit(`[data-testid="edi-upload"] input[type=file]`),
		chromedp.WaitVisible(`[data-testid="edi-report-order"]`),
	); err != nil {
		t.Fatal(err)
	}
	testapp.Screenshot(t, ctx, "edi-uploaded")
	report := testapp.Run(t, ctx, chromedp.Text(`[data-testid="edi-report"]`))
	for _, want := range []string{"EDI-PO-777", "997 sent"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q: %s", want, report)
		}
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(`[data-testid="edi-report-order"]`),
		chromedp.WaitVisible(`[data-testid="order-edi"]`),
	); err != nil {
		t.Fatal(err)
	}
	testapp.Screenshot(t, ctx, "edi-order")
	if po := testapp.Run(t, ctx, chromedp.Text(`[data-testid="order-po"]`)); po != "EDI-PO-777" {
		t.Errorf("order PO %q", po)
	}
	if link := testapp.Run(t, ctx, chromedp.Text(`[data-testid="order-edi"]`)); !strings.Contains(link, "850 in 000000321") {
		t.Errorf("EDI link %q", link)
	}
}
