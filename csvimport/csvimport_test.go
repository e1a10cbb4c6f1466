package csvimport_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/oms/oms/csvimport"
	"github.com/oms/oms/domain"
)

// header is a file of the first format, before price_override_reason: such
// files stay valid.
const header = "customer_account,po_number,ship_to_code,ship_name,ship_line1,ship_line2,ship_city,ship_region,ship_postal_code,ship_country,requested_date,ship_method,ship_complete,sku,quantity,unit_price\n"

func TestParse(t *testing.T) {
	t.Run("GroupsByAccountAndPO", func(t *testing.T) {
		b, err := csvimport.Parse([]byte(header +
			`c100,PO-1,,"Acme, Dock 4",1 Main St,,Dallas,TX,75201,US,,GROUND,yes,FST-1,25,` + "\n" +
			`C100,PO-2,MAIN,,,,,,,,,,,FST-1,5,"1,234.50"` + "\n" +
			`C100,PO-1,,,,,,,,,,,,ELC-2,1,12` + "\n"))
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Orders) != 2 || b.Rows != 3 {
			t.Fatalf("%d orders, %d rows", len(b.Orders), b.Rows)
		}
		o := b.Orders[0]
		if o.Account != "C100" || len(o.Request.Lines) != 2 || o.Rows[0] != 2 || o.Rows[1] != 4 || len(o.Errors) != 0 {
			t.Fatalf("%+v", o)
		}
		if o.Request.ShipTo.Name != "Acme, Dock 4" || !o.Request.ShipComplete || o.Request.Channel != "csv" {
			t.Fatalf("quoted comma or ship_complete lost: %+v", o.Request)
		}
		if p := b.Orders[1].Request.Lines[0].UnitPriceCents; p == nil || *p != 123450 {
			t.Fatalf("price %v", p)
		}
	})
	t.Run("BadNumberRejectsOrderWithRowAndColumn", func(t *testing.T) {
		b, err := csvimport.Parse([]byte(header + "C100,PO-1,,,,,,,,,,,,FST-1,25,\nC100,PO-1,,,,,,,,,,,,FST-2,ten,\nC100,PO-1,,,,,,,,,,,,FST-3,1,1.234\n"))
		if err != nil {
			t.Fatal(err)
		}
		errs := b.Orders[0].Errors
		if len(errs) != 2 || errs[0].String() != `row 3, quantity: "ten" is not a whole number` || errs[1].Row != 4 || errs[1].Column != "unit_price" {
			t.Fatalf("%v", errs)
		}
	})
	t.Run("BlankQuantityIsRequired", func(t *testing.T) {
		b, _ := csvimport.Parse([]byte(header + "C100,PO-1,,,,,,,,,,,,FST-1, ,\n"))
		if errs := b.Orders[0].Errors; len(errs) != 1 || errs[0].String() != "row 2, quantity: is required" {
			t.Fatalf("%v", errs)
		}
	})
	t.Run("OrderColumnsMustAgree", func(t *testing.T) {
		b, _ := csvimport.Parse([]byte(header + "C100,PO-1,,,,,Dallas,,,,,,,FST-1,25,\nC100,PO-1,,,,,Austin,,,,,,,FST-2,1,\n"))
		if errs := b.Orders[0].Errors; len(errs) != 1 || errs[0].Row != 3 || errs[0].Column != "ship_city" {
			t.Fatalf("%v", errs)
		}
	})
	bad := []struct {
		name, data, want string
	}{
		{"Empty", "", "empty"},
		{"OnlyHeader", header, "no rows"},
		{"NotUTF8", header + "C100,PO-1,,Caf\xe9,,,,,,,,,,FST-1,1,\n", "not UTF-8 text (first bad byte on line 2)"},
		{"MissingColumn", "customer_account,po_number,sku\nC100,PO-1,FST-1\n", "missing column quantity"},
		{"UnknownColumn", "customer_account,po_number,sku,quantity,colour\nC100,PO-1,FST-1,1,red\n", `unknown column "colour"`},
		{"BrokenQuotes", header + "C100,\"PO-1,,,\n", "not valid CSV"},
	}
	for _, tt := range bad {
		t.Run("Err"+tt.name, func(t *testing.T) {
			_, err := csvimport.Parse([]byte(tt.data))
			if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(domain.ErrorMessage(err), tt.want) {
				t.Fatalf("err %v, want %q", err, tt.want)
			}
		})
	}
	t.Run("ByteOrderMark", func(t *testing.T) {
		if _, err := csvimport.Parse([]byte("\xef\xbb\xbf" + header + "C100,PO-1,,,,,,,,,,,,FST-1,1,\n")); err != nil {
			t.Fatal(err)
		}
	})
}

// TestParsePriceOverride reads the optional price_override_reason column: by
// name in any position, per line, and absent from older files.
func TestParsePriceOverride(t *testing.T) {
	type line struct {
		price  int64 // -1: none
		reason string
	}
	tests := []struct {
		name string
		data string
		want []line
	}{
		{"TemplateOrder", strings.Join(csvimport.Columns, ",") + "\n" +
			"C100,PO-1,MAIN,,,,,,,,,,,ELC-2,2,80.00, Matched competitor quote \n" +
			"C100,PO-1,MAIN,,,,,,,,,,,ELC-3,2,,\n",
			[]line{{8000, "Matched competitor quote"}, {-1, ""}}},
		{"AnyOrder", "price_override_reason,sku,quantity,unit_price,po_number,customer_account\n" +
			`"Quote 7781, valid to Dec 31",ELC-2,2,$80,PO-1,C100` + "\n" +
			"Clearance,ELC-3,1,5,PO-1,C100\n",
			[]line{{8000, "Quote 7781, valid to Dec 31"}, {500, "Clearance"}}},
		{"ReasonWithoutPrice", "customer_account,po_number,sku,quantity,price_override_reason\nC100,PO-1,ELC-2,2,Matched quote\n",
			[]line{{-1, "Matched quote"}}},
		{"OlderFileWithoutTheColumn", header + "C100,PO-1,MAIN,,,,,,,,,,,ELC-2,2,80\n",
			[]line{{8000, ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := csvimport.Parse([]byte(tt.data))
			if err != nil {
				t.Fatal(err)
			}
			if len(b.Orders) != 1 || len(b.Orders[0].Errors) != 0 {
				t.Fatalf("%+v", b.Orders)
			}
			var got []line
			for _, l := range b.Orders[0].Request.Lines {
				g := line{-1, l.PriceOverrideReason}
				if l.UnitPriceCents != nil {
					g.price = *l.UnitPriceCents
				}
				got = append(got, g)
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("lines %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseDollars(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"12", 1200, true}, {"12.5", 1250, true}, {"$1,234.56", 123456, true}, {".99", 99, true}, {"0", 0, true},
		{"12.345", 0, false}, {"-1", 0, false}, {"abc", 0, false}, {"", 0, false}, {".", 0, false},
	}
	for _, tt := range tests {
		got, err := csvimport.ParseDollars(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseDollars(%q) = %d, %v", tt.in, got, err)
		}
	}
}
