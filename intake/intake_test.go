package intake

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oms/oms/domain"
)

func facts() Facts {
	return Facts{
		Customer: &Customer{ID: 1, Account: "C100", Name: "Acme Supply", Type: "b2b", Active: true,
			CreditLimitCents: 1_000_000, OpenARCents: 200_000, PriceLevel: "LIST"},
		Items: map[string]Item{
			"BOLT-1": {ID: 1, SKU: "BOLT-1", Description: "Hex bolt", PackQty: 12, MinQty: 12, Active: true, PriceCents: 250},
			"NUT-1":  {ID: 2, SKU: "NUT-1", Description: "Hex nut", PackQty: 1, MinQty: 5, Active: true, PriceCents: 10},
			"OLD-1":  {ID: 3, SKU: "OLD-1", Description: "Old part", PackQty: 1, MinQty: 1, Active: true, Discontinued: true, Substitutes: []string{"NEW-1"}},
			"GONE-1": {ID: 4, SKU: "GONE-1", Description: "Gone", PackQty: 1, MinQty: 1, Active: false, PriceCents: 10},
		},
		Now: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC),
	}
}

func request() Request {
	return Request{
		Channel: "api", CustomerAccount: "c100", PONumber: "PO-1",
		ShipTo: Address{Name: "Dock 4", Line1: "1 Main St", City: "Dallas", Region: "tx", PostalCode: "75201"},
		Lines:  []LineRequest{{SKU: "bolt-1", Quantity: 24}, {SKU: "NUT-1", Quantity: 10}},
	}
}

func price(c int64) *int64 { return &c }

func TestValidate(t *testing.T) {
	tests := []struct {
		name      string
		edit      func(*Request, *Facts)
		role      domain.Role
		wantField string // a field error expected, "" for accepted
		wantMsg   string
		wantHold  string
		wantNote  string // part of the hold's note
	}{
		{name: "OK", edit: func(*Request, *Facts) {}},
		{name: "ErrUnknownCustomer", edit: func(r *Request, f *Facts) { f.Customer = nil }, wantField: "customer_account", wantMsg: "not a known customer"},
		{name: "ErrInactiveCustomer", edit: func(r *Request, f *Facts) { f.Customer.Active = false }, wantField: "customer_account", wantMsg: "inactive"},
		{name: "ErrMissingPO", edit: func(r *Request, f *Facts) { r.PONumber = "" }, wantField: "po_number"},
		{name: "ErrShipToIncomplete", edit: func(r *Request, f *Facts) { r.ShipTo.City = "" }, wantField: "ship_to.city"},
		{name: "ErrPostalCode", edit: func(r *Request, f *Facts) { r.ShipTo.PostalCode = "7520" }, wantField: "ship_to.postal_code", wantMsg: "not a valid postal code"},
		{name: "ErrCanadianPostalCode", edit: func(r *Request, f *Facts) {
			r.ShipTo.Country = "CA"
			r.ShipTo.Region = "ON"
			r.ShipTo.PostalCode = "12345"
		}, wantField: "ship_to.postal_code"},
		{name: "CanadianPostalCode", edit: func(r *Request, f *Facts) {
			r.ShipTo.Country = "CA"
			r.ShipTo.Region = "ON"
			r.ShipTo.PostalCode = "K1A 0B1"
		}},
		{name: "ErrUnknownSKU", edit: func(r *Request, f *Facts) { r.Lines[1].SKU = "NOPE" }, wantField: "lines[1].sku", wantMsg: "NOPE is not a known SKU"},
		{name: "ErrDiscontinuedOffersSubstitute", edit: func(r *Request, f *Facts) { r.Lines[1].SKU = "OLD-1" }, wantField: "lines[1].sku", wantMsg: "order NEW-1 instead"},
		{name: "ErrInactiveSKU", edit: func(r *Request, f *Facts) { r.Lines[1].SKU = "GONE-1" }, wantField: "lines[1].sku", wantMsg: "inactive"},
		{name: "ErrPackMultiple", edit: func(r *Request, f *Facts) { r.Lines[0].Quantity = 30 }, wantField: "lines[0].quantity", wantMsg: "multiple of 12 (case pack); 30 would round up to 36"},
		{name: "ErrMinimum", edit: func(r *Request, f *Facts) { r.Lines[1].Quantity = 3 }, wantField: "lines[1].quantity", wantMsg: "at least 5"},
		{name: "ErrZeroQuantity", edit: func(r *Request, f *Facts) { r.Lines[1].Quantity = 0 }, wantField: "lines[1].quantity"},
		{name: "ErrNegativeQuantity", edit: func(r *Request, f *Facts) { r.Lines[1].Quantity = -5 }, wantField: "lines[1].quantity"},
		{name: "ErrAbsurdQuantity", edit: func(r *Request, f *Facts) { r.Lines[1].Quantity = 1 << 40 }, wantField: "lines[1].quantity"},
		{name: "ErrNoLines", edit: func(r *Request, f *Facts) { r.Lines = nil }, wantField: "lines"},
		{name: "ErrTooManyLines", edit: func(r *Request, f *Facts) { r.Lines = make([]LineRequest, MaxLines+1) }, wantField: "lines", wantMsg: "at most 2000"},
		{name: "ErrChannel", edit: func(r *Request, f *Facts) { r.Channel = "fax" }, wantField: "channel"},
		{name: "ErrShipMethod", edit: func(r *Request, f *Facts) { r.ShipMethod = "teleport" }, wantField: "ship_method"},
		{name: "ErrRequestedDate", edit: func(r *Request, f *Facts) { r.RequestedDate = "12/01/2026" }, wantField: "requested_date"},
		{name: "ErrControlCharacters", edit: func(r *Request, f *Facts) { r.PONumber = "PO\x00-1" }, wantField: "po_number"},
		{name: "ErrBidiOverrideInPO", edit: func(r *Request, f *Facts) { r.PONumber = "PO-\u202e1-OP" }, wantField: "po_number", wantMsg: "U+202E"},
		{name: "ErrBidiIsolateInNote", edit: func(r *Request, f *Facts) { r.Note = "call \u2066first\u2069" }, wantField: "note", wantMsg: "bidirectional"},
		{name: "ErrZeroWidthInShipToName", edit: func(r *Request, f *Facts) { r.ShipTo.Name = "Acme\u200b Dock" }, wantField: "ship_to.name", wantMsg: "zero-width"},
		{name: "ErrByteOrderMarkInAddress", edit: func(r *Request, f *Facts) { r.ShipTo.Line1 = "1 Main\ufeff St" }, wantField: "ship_to.line1", wantMsg: "byte-order mark"},
		{name: "ErrC1ControlInCity", edit: func(r *Request, f *Facts) { r.ShipTo.City = "Dal\u0085las" }, wantField: "ship_to.city", wantMsg: "control characters"},
		{name: "AccentsAndOtherScriptsAreText", edit: func(r *Request, f *Facts) { r.ShipTo.Name = "Café Müller — 東京 שלום" }},
		{name: "HTMLIsKeptAsText", edit: func(r *Request, f *Facts) { r.ShipTo.Name = "<script>alert(1)</script>" }},
		{name: "CreditHoldFlag", edit: func(r *Request, f *Facts) { f.Customer.CreditHold = true }, wantHold: "credit"},
		{name: "OverCreditLimit", edit: func(r *Request, f *Facts) { f.OpenOrdersCents = 799_950 }, wantHold: "credit"},
		{name: "DuplicatePO", edit: func(r *Request, f *Facts) { f.DuplicatePO = "SO-100001" }, wantHold: "duplicate_po"},
		{name: "PriceOffListHolds", edit: func(r *Request, f *Facts) { r.Lines[0].UnitPriceCents = price(200) }, role: domain.RoleCSR, wantHold: "price",
			wantNote: "Line 1: BOLT-1 at $2.00, price list says $2.50."},
		{name: "PriceOverrideWithoutAuthorityHolds", edit: func(r *Request, f *Facts) {
			r.Lines[1].UnitPriceCents = price(8)
			r.Lines[1].PriceOverrideReason = " matched competitor quote "
		}, role: domain.RoleOps, wantHold: "price",
			wantNote: `Line 2: NUT-1 at $0.08, price list says $0.10. Override reason "matched competitor quote" not applied: only inside sales and administrators may override a price.`},
		{name: "ErrPriceOverrideReasonTooLong", edit: func(r *Request, f *Facts) {
			r.Lines[0].UnitPriceCents = price(200)
			r.Lines[0].PriceOverrideReason = strings.Repeat("x", MaxTextLength+1)
		}, role: domain.RoleSales, wantField: "lines[0].price_override_reason", wantMsg: "at most 200 characters"},
		{name: "ErrPriceOverrideReasonControlCharacters", edit: func(r *Request, f *Facts) {
			r.Lines[0].UnitPriceCents = price(200)
			r.Lines[0].PriceOverrideReason = "quote\x1b[31m"
		}, role: domain.RoleSales, wantField: "lines[0].price_override_reason", wantMsg: "control characters"},
		{name: "PriceOverrideReasonWithoutPriceIgnored", edit: func(r *Request, f *Facts) { r.Lines[0].PriceOverrideReason = "matched competitor quote" },
			role: domain.RoleSales},
		{name: "PriceOverrideNeedsReason", edit: func(r *Request, f *Facts) { r.Lines[0].UnitPriceCents = price(200) }, role: domain.RoleSales,
			wantField: "lines[0].price_override_reason"},
		{name: "PriceOverrideBySales", edit: func(r *Request, f *Facts) {
			r.Lines[0].UnitPriceCents = price(200)
			r.Lines[0].PriceOverrideReason = "matched competitor quote"
		}, role: domain.RoleSales},
		{name: "ListPriceGiven", edit: func(r *Request, f *Facts) { r.Lines[0].UnitPriceCents = price(250) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, f := request(), facts()
			tt.edit(&r, &f)
			role := tt.role
			if role == "" {
				role = domain.RoleCSR
			}
			out := Validate(Normalise(r), f, role)
			if tt.wantField != "" {
				msg, ok := out.Errors[tt.wantField]
				if !ok {
					t.Fatalf("no error on %s; errors %v", tt.wantField, out.Errors)
				}
				if !strings.Contains(msg, tt.wantMsg) {
					t.Fatalf("%s: %q does not say %q", tt.wantField, msg, tt.wantMsg)
				}
				if out.Err() == nil || domain.ErrorCode(out.Err()) != domain.EINVALID {
					t.Fatal("Err() is not EINVALID")
				}
				return
			}
			if len(out.Errors) > 0 {
				t.Fatalf("unexpected errors %v", out.Errors)
			}
			var holds []string
			for _, h := range out.Holds {
				holds = append(holds, h.Reason)
			}
			if tt.wantHold == "" && len(holds) > 0 || tt.wantHold != "" && (len(holds) != 1 || holds[0] != tt.wantHold) {
				t.Fatalf("holds %v, want %q", holds, tt.wantHold)
			}
			if tt.wantNote != "" && out.Holds[0].Note != tt.wantNote {
				t.Fatalf("hold note %q, want %q", out.Holds[0].Note, tt.wantNote)
			}
		})
	}
}

func TestValidateTotals(t *testing.T) {
	out := Validate(Normalise(request()), facts(), domain.RoleCSR)
	if out.TotalCents != 24*250+10*10 || len(out.Lines) != 2 || out.Lines[0].SKU != "BOLT-1" || out.ShipTo.Region != "TX" {
		t.Fatalf("%+v", out)
	}
}

// TestPriceHoldLines checks that a price hold names the lines it is about,
// so that a channel can point at them, and that one hold covers them all.
func TestPriceHoldLines(t *testing.T) {
	r := request()
	r.Lines = append(r.Lines, LineRequest{SKU: "NUT-1", Quantity: 5, UnitPriceCents: price(9)})
	r.Lines[0].UnitPriceCents = price(200)
	out := Validate(Normalise(r), facts(), domain.RoleOps)
	if len(out.Holds) != 1 || out.Holds[0].Reason != "price" || !slices.Equal(out.Holds[0].Lines, []int{0, 2}) {
		t.Fatalf("holds %+v", out.Holds)
	}
	if n := strings.Count(out.Holds[0].Note, "price list says"); n != 2 {
		t.Fatalf("note %q names %d lines, want 2", out.Holds[0].Note, n)
	}
}

func TestRoundUp(t *testing.T) {
	for _, c := range []struct{ q, pack, want int64 }{{30, 12, 36}, {24, 12, 24}, {1, 1, 1}, {7, 0, 7}} {
		if got := RoundUp(c.q, c.pack); got != c.want {
			t.Errorf("RoundUp(%d, %d) = %d, want %d", c.q, c.pack, got, c.want)
		}
	}
}
