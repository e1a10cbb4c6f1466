package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/internal/fixtures"
	"github.com/oms/oms/store"
)

func standardDB(tb testing.TB) (*store.DB, fixtures.Standard) {
	tb.Helper()
	db := newDB(tb)
	return db, fixtures.New(tb, db).Standard()
}

func numbers(r store.OrderResults) []string {
	var out []string
	for _, o := range r.Orders {
		out = append(out, o.Number)
	}
	return out
}

func TestSearchOrders(t *testing.T) {
	db, s := standardDB(t)
	ctx := context.Background()
	tests := []struct {
		name string
		q    store.OrderQuery
		want []string // must be among the results
		not  []string // must not be
	}{
		{"OrderNumber", store.OrderQuery{Q: s.OnHold}, []string{s.OnHold}, []string{s.Shipped}},
		{"OrderNumberLowerCase", store.OrderQuery{Q: strings.ToLower(s.OnHold)}, []string{s.OnHold}, nil},
		{"OrderNumberPrefix", store.OrderQuery{Q: "SO-10000"}, []string{s.OnHold, s.Big}, nil},
		{"PO", store.OrderQuery{Q: s.PartlyShippedPO}, []string{s.PartlyShipped}, []string{s.OnHold}},
		{"POPrefix", store.OrderQuery{Q: "4500012"}, []string{s.OnHold}, nil},
		{"Tracking", store.OrderQuery{Q: s.ShippedTracking}, []string{s.Shipped}, []string{s.PartlyShipped}},
		{"SKU", store.OrderQuery{Q: "sku-1042"}, []string{s.PartlyShipped, s.Big}, []string{s.Shipped}},
		{"Account", store.OrderQuery{Q: s.AcmeAccount}, []string{s.PartlyShipped, s.Shipped}, []string{s.OnHold}},
		{"CustomerName", store.OrderQuery{Q: "acme indus"}, []string{s.PartlyShipped}, []string{s.Backordered}},
		{"CustomerNameTypo", store.OrderQuery{Q: "Acme Industral"}, []string{s.PartlyShipped, s.Shipped}, []string{s.Backordered}},
		{"CustomerNameLettersSwapped", store.OrderQuery{Q: "acme indsutrial suppyl"}, []string{s.PartlyShipped, s.Shipped}, []string{s.Backordered}},
		{"CustomerFullNameWithCo", store.OrderQuery{Q: "Acme Industrial Supply Co."}, []string{s.PartlyShipped, s.Shipped}, []string{s.Backordered}},
		{"CustomerFullNameWithInc", store.OrderQuery{Q: "ACME Industrial-Supply, Inc."}, []string{s.PartlyShipped, s.Shipped}, []string{s.Backordered}},
		{"ShipToNameThreeWords", store.OrderQuery{Q: "acme fort worth"}, []string{s.PartlyShipped}, []string{s.Shipped}},
		{"ShipToNameUnfinished", store.OrderQuery{Q: "fort wor"}, []string{s.PartlyShipped}, []string{s.Shipped}},
		{"ShipToNameUnfinishedFiltered", store.OrderQuery{Q: "fort wor", HasBackorder: true}, []string{s.PartlyShipped}, []string{s.Shipped}},
		{"ShipToName", store.OrderQuery{Q: "fort worth"}, []string{s.PartlyShipped}, []string{s.Shipped}},
		{"Email", store.OrderQuery{Q: s.JaneEmail}, []string{s.Backordered, s.Cancelled}, []string{s.Shipped}},
		{"ContactEmail", store.OrderQuery{Q: strings.ToUpper(s.AcmeContactEmail)}, []string{s.Shipped}, []string{s.Backordered}},
		{"Phone", store.OrderQuery{Q: "214-555-0142"}, []string{s.Shipped}, []string{s.Backordered}},
		{"PhoneWithCountryCode", store.OrderQuery{Q: "+1 214 555 0177"}, []string{s.Shipped}, nil},
		{"StatusFilter", store.OrderQuery{Q: s.AcmeAccount, Status: domain.StatusShipped}, []string{s.Shipped, s.LTL}, []string{s.PartlyShipped}},
		{"HoldFilter", store.OrderQuery{HasHold: true}, []string{s.OnHold}, []string{s.Shipped}},
		{"BackorderFilter", store.OrderQuery{HasBackorder: true}, []string{s.PartlyShipped}, []string{s.Shipped}},
		{"ChannelFilter", store.OrderQuery{Channel: "edi"}, []string{s.PartlyShipped, s.LTL}, []string{s.Shipped}},
		{"LocationFilter", store.OrderQuery{Location: "RNO"}, []string{s.Shipped, s.Released}, []string{s.PartlyShipped}},
		{"DateRange", store.OrderQuery{From: "2026-11-20", To: "2026-11-21"}, []string{s.PartlyShipped, s.OnHold}, []string{s.Released, s.Shipped}},
		{"NoMatch", store.OrderQuery{Q: "zzzz-nothing"}, nil, []string{s.Shipped}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := db.SearchOrders(ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]bool{}
			for _, n := range numbers(r) {
				got[n] = true
			}
			for _, w := range tt.want {
				if !got[w] {
					t.Errorf("%s missing from %v", w, numbers(r))
				}
			}
			for _, n := range tt.not {
				if got[n] {
					t.Errorf("%s should not match, got %v", n, numbers(r))
				}
			}
			if r.Total < len(r.Orders) {
				t.Errorf("total %d < %d rows", r.Total, len(r.Orders))
			}
		})
	}
	t.Run("ErrInvalid", func(t *testing.T) {
		_, err := db.SearchOrders(ctx, store.OrderQuery{From: "yesterday"})
		if domain.ErrorCode(err) != domain.EINVALID {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("SortValue", func(t *testing.T) {
		r, err := db.SearchOrders(ctx, store.OrderQuery{Q: s.AcmeAccount, Sort: store.SortValueHigh})
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i < len(r.Orders); i++ {
			if r.Orders[i].TotalCents > r.Orders[i-1].TotalCents {
				t.Fatalf("not sorted by value: %v", numbers(r))
			}
		}
	})
	t.Run("Hint", func(t *testing.T) {
		r, _ := db.SearchOrders(ctx, store.OrderQuery{Q: s.Shipped})
		if len(r.Orders) != 1 || r.Orders[0].Hint(fixtures.StandardBase) != "Shipped Nov 17 via FedEx" {
			t.Fatalf("hint %q", r.Orders[0].Hint(fixtures.StandardBase))
		}
		r, _ = db.SearchOrders(ctx, store.OrderQuery{Q: s.OnHold})
		if r.Orders[0].Hint(fixtures.StandardBase) != "Credit hold" {
			t.Fatalf("hint %q", r.Orders[0].Hint(fixtures.StandardBase))
		}
	})
}

func TestExactOrder(t *testing.T) {
	db, s := standardDB(t)
	tests := []struct{ name, q, want string }{
		{"Number", strings.ToLower(s.Released), s.Released},
		{"PO", s.PartlyShippedPO, s.PartlyShipped},
		{"Tracking", s.PartlyShippedTracking, s.PartlyShipped},
		{"LTLTracking", s.LTLTracking, s.LTL},
		{"Name", "Acme", ""},
		{"Empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.ExactOrder(context.Background(), tt.q)
			if err != nil || got != tt.want {
				t.Fatalf("ExactOrder(%q) = %q, %v; want %q", tt.q, got, err, tt.want)
			}
		})
	}
}

func TestSearchCustomers(t *testing.T) {
	db, s := standardDB(t)
	tests := []struct{ name, q, want string }{
		{"Account", strings.ToLower(s.AcmeAccount), s.AcmeAccount},
		{"Name", "northw", "C10077"},
		{"NameTypo", "Acme Industral", s.AcmeAccount},
		{"NameTypoLastWord", "northwnd trad", "C10077"},
		{"FullNameOtherLegalForm", "Acme Industrial Supply, Inc.", s.AcmeAccount},
		{"Email", s.JaneEmail, s.JaneAccount},
		{"ContactEmail", s.AcmeContactEmail, s.AcmeAccount},
		{"Phone", "2145550142", s.AcmeAccount},
		{"ContactPhone", "(214) 555-0190", s.AcmeAccount},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.SearchCustomers(context.Background(), tt.q, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].Account != tt.want {
				t.Fatalf("got %+v, want %s", got, tt.want)
			}
		})
	}
}

// TestSearchNewestMatchesUnion checks the newest-first search, whose union
// of key matches is gathered in Go, against the other sorts, whose union is
// one SQL statement: the same orders, the same count, newest first by id,
// and pages that neither repeat nor skip an order.
func TestSearchNewestMatchesUnion(t *testing.T) {
	db, s := standardDB(t)
	ctx := context.Background()
	keys := []string{s.OnHold, "SO-10000", s.PartlyShippedPO, s.ShippedTracking, "sku-1042", s.AcmeAccount, "acme indus",
		"Acme Industral", "Acme Industrial Supply Co.", "fort wor", "fort worth", s.JaneEmail, "214-555-0142", "acme", "nothing-matches"}
	for _, key := range keys {
		for _, filter := range []store.OrderQuery{{}, {HasBackorder: true}, {Status: domain.StatusShipped}} {
			q := filter
			q.Q, q.Sort, q.Limit = key, store.SortOldest, 200
			all, err := db.SearchOrders(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			want := map[int64]bool{}
			for _, o := range all.Orders {
				want[o.ID] = true
			}
			q.Sort, q.Limit = store.SortNewest, 2
			var got []int64
			for q.Offset = 0; q.Offset < len(want)+4; q.Offset += q.Limit {
				page, err := db.SearchOrders(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				if len(page.Orders) > 0 && (page.Total != all.Total || page.AtCap != all.AtCap) {
					t.Errorf("%q %+v: newest counts %d (at cap %v), oldest %d (%v)", key, filter, page.Total, page.AtCap, all.Total, all.AtCap)
				}
				for _, o := range page.Orders {
					got = append(got, o.ID)
				}
			}
			if len(got) != len(want) {
				t.Errorf("%q %+v: newest first gave %d orders, oldest first %d", key, filter, len(got), len(want))
			}
			for i, id := range got {
				if !want[id] || (i > 0 && got[i-1] <= id) {
					t.Errorf("%q %+v: newest first gave %v, not the same orders by id descending", key, filter, got)
					break
				}
			}
		}
	}
}
