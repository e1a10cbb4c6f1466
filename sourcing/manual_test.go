package sourcing

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oms/oms/domain"
)

// current is an order of 10 of item 100 (line 1) and 4 of item 200 (line
// 2, dropship-eligible from Acme), planned at Dallas as shipment 1, with 2
// more units of line 2 backordered.
func current() Current {
	l2 := line(2, 200, 6)
	l2.Flags = ItemFlags{DropshipEligible: true, DropshipVendorID: acme}
	return Current{
		Order:       b2bOrder(line(1, 100, 10), l2),
		Backordered: map[int64]int64{2: 2},
		Groups: []LiveGroup{{Seq: 1, LocationID: dallasDC, LocationCode: "DAL", Status: GroupPlanned, Lines: []GroupLine{
			{LineID: 1, ItemID: 100, SKU: "SKU-100", Quantity: 10}, {LineID: 2, ItemID: 200, SKU: "SKU-200", Quantity: 4}}}},
		MaxSeq: 1,
	}
}

var now = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC) // a Tuesday

func TestPreviewChange(t *testing.T) {
	s := snap(stock{}.add(100, renoDC, 6).add(100, atlantaDC, 20).add(200, renoDC, 1).add(100, chicago3P, 5))
	rules := ruleWith(Policy{Eligible: Eligibility{Types: []string{TypeDC}}, Rank: RankDistance, MaxSplits: 2, Dropship: true, Rest: RestBackorder})
	tests := []struct {
		name      string
		cur       func() Current
		moves     []Move
		shipments int
		cost      int64
		breaks    string // substring of a break, "" for none
		problem   string // substring of the refusal, "" for none
	}{
		{"Split", current, []Move{{LineNo: 1, From: 1, To: "RNO", Quantity: 4}}, 2, 1600, "", ""},
		{"MoveGroup", current, []Move{{LineNo: 1, From: 1, To: "ATL", Quantity: 10}, {LineNo: 2, From: 1, To: "ATL", Quantity: 4}}, 0, 0, "", "has only 0 units of SKU-200"},
		{"BackorderAndBack", current, []Move{{LineNo: 1, From: 1, To: "", Quantity: 3}}, 1, 900, "", ""},
		{"Dropship", current, []Move{{LineNo: 2, From: 0, To: "ACME", Quantity: 2}}, 2, 900, "", ""},
		{"NotItsVendor", current, []Move{{LineNo: 1, From: 1, To: "ACME", Quantity: 2}}, 0, 0, "", "not the item's dropship vendor"},
		{"Oversell", current, []Move{{LineNo: 1, From: 1, To: "RNO", Quantity: 7}}, 0, 0, "", "has only 6 units of SKU-100"},
		{"Inactive", current, []Move{{LineNo: 1, From: 1, To: "OLD", Quantity: 1}}, 0, 0, "", "inactive"},
		{"TooMany", current, []Move{{LineNo: 1, From: 1, To: "RNO", Quantity: 11}}, 0, 0, "", "has 10 units of SKU-100, not 11"},
		{"SplitLimit", current, []Move{{LineNo: 1, From: 1, To: "RNO", Quantity: 1}, {LineNo: 1, From: 1, To: "ATL", Quantity: 1}}, 3, 2400, "at most 2 shipments", ""},
		{"NotEligible", current, []Move{{LineNo: 1, From: 1, To: "CHI", Quantity: 1}}, 2, 1400, "a 3PL; the rule ships from DC", ""},
		{"WillCall", func() Current { c := current(); c.Order.ShipMethod = "WILLCALL"; return c }, []Move{{LineNo: 1, From: 1, To: "RNO", Quantity: 1}}, 2, 1600, "picked up at one location", ""},
		{"FreedUnitsMoveBack", current, []Move{{LineNo: 1, From: 1, To: "RNO", Quantity: 6}, {LineNo: 1, From: 2, To: "DAL", Quantity: 6}}, 1, 900, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pv, err := PreviewChange(tt.cur(), s, rules, tt.moves, now)
			if tt.problem != "" {
				if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(domain.ErrorMessage(err), tt.problem) {
					t.Fatalf("got %v, want a refusal with %q", err, tt.problem)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if pv.After.Shipments != tt.shipments || pv.After.CostCents != tt.cost {
				t.Errorf("after %+v, want %d shipments costing %d", pv.After, tt.shipments, tt.cost)
			}
			got := strings.Join(pv.Breaks, " | ")
			if (tt.breaks == "") != (got == "") || !strings.Contains(got, tt.breaks) {
				t.Errorf("breaks %q, want %q", got, tt.breaks)
			}
			var planned, bo int64
			for _, g := range pv.Groups {
				planned += g.Units
				if g.ShipDate.IsZero() {
					t.Errorf("shipment %d has no ship date", g.Seq)
				}
			}
			bo = pv.After.Backordered
			if planned+bo != 16 {
				t.Errorf("planned %d + backordered %d, want the 16 open units", planned, bo)
			}
		})
	}
}

func TestPreviewChangeRecall(t *testing.T) {
	c := current()
	c.Groups[0].Status = GroupReleased
	s := snap(stock{}.add(100, renoDC, 10))
	pv, err := PreviewChange(c, s, ruleWith(splitPolicy(3)), []Move{{LineNo: 1, From: 1, To: "RNO", Quantity: 10}, {LineNo: 2, From: 0, To: "RNO", Quantity: 0}}, now)
	if domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("zero quantity: %v", err)
	}
	pv, err = PreviewChange(c, s, ruleWith(splitPolicy(3)), []Move{{LineNo: 1, From: 1, To: "RNO", Quantity: 10}}, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(pv.Now) != 0 || len(pv.Recalls[1]) != 1 || !pv.Groups[0].Recall {
		t.Fatalf("now %v recalls %v groups %+v: a move out of a released shipment waits for a recall", pv.Now, pv.Recalls, pv.Groups)
	}
	c.Groups[0].RecallRequested = true
	if _, err := PreviewChange(c, s, nil, []Move{{LineNo: 1, From: 1, To: "RNO", Quantity: 1}}, now); !strings.Contains(domain.ErrorMessage(err), "already has a recall") {
		t.Fatalf("second recall: %v", err)
	}
}

func TestMovesTo(t *testing.T) {
	c := current()
	t.Run("SplitThenConsolidate", func(t *testing.T) {
		moves, err := MovesTo(c, map[int]map[string]int64{1: {"DAL": 6, "RNO": 4}})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(moves, []Move{{LineNo: 1, From: 1, To: "RNO", Quantity: 4}}) {
			t.Fatalf("split moves %v", moves)
		}
		s := snap(stock{}.add(100, renoDC, 10))
		pv, err := PreviewChange(c, s, nil, moves, now)
		if err != nil {
			t.Fatal(err)
		}
		split := c
		split.Groups = nil
		for _, g := range pv.Groups {
			lg := LiveGroup{Seq: g.Seq, LocationID: g.LocationID, LocationCode: g.LocationCode, Status: g.Status}
			for _, pl := range g.Lines {
				lg.Lines = append(lg.Lines, GroupLine{LineID: int64(pl.LineNo), SKU: pl.SKU, Quantity: pl.Quantity})
			}
			split.Groups = append(split.Groups, lg)
		}
		back, err := MovesTo(split, map[int]map[string]int64{1: {"dal": 10}})
		if err != nil || !slices.Equal(back, []Move{{LineNo: 1, From: 2, To: "DAL", Quantity: 4}}) {
			t.Fatalf("consolidating moves %v %v", back, err)
		}
	})
	t.Run("FromBackorderFirst", func(t *testing.T) {
		moves, err := MovesTo(c, map[int]map[string]int64{2: {"DAL": 2, "ACME": 4}})
		if err != nil {
			t.Fatal(err)
		}
		want := []Move{{LineNo: 2, From: 0, To: "ACME", Quantity: 2}, {LineNo: 2, From: 1, To: "ACME", Quantity: 2}}
		if !slices.Equal(moves, want) {
			t.Fatalf("moves %v, want %v", moves, want)
		}
	})
	t.Run("ErrInvalidTotal", func(t *testing.T) {
		_, err := MovesTo(c, map[int]map[string]int64{1: {"DAL": 6, "RNO": 5}})
		if domain.ErrorFields(err)["lines[1]"] == "" {
			t.Fatalf("a line adding up to 11 of 10: %v", err)
		}
	})
}

func TestShipDate(t *testing.T) {
	dal := Location{Type: TypeDC, CutoffTime: "15:00", Timezone: "America/Chicago"}
	tests := []struct {
		name string
		loc  Location
		now  time.Time
		want string
	}{
		{"BeforeCutoff", dal, time.Date(2026, 12, 1, 20, 0, 0, 0, time.UTC), "2026-12-01"},
		{"AfterCutoff", dal, time.Date(2026, 12, 1, 22, 0, 0, 0, time.UTC), "2026-12-02"},
		{"FridayEvening", dal, time.Date(2026, 12, 4, 23, 0, 0, 0, time.UTC), "2026-12-07"},
		{"Vendor", Location{Type: TypeVendor}, time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC), "2026-12-07"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ShipDate(tt.loc, tt.now).Format("2006-01-02"); got != tt.want {
				t.Fatalf("ship date %s, want %s", got, tt.want)
			}
		})
	}
}

func TestAllocationMatrix(t *testing.T) {
	c := current()
	c.Groups = append(c.Groups, LiveGroup{Seq: 2, LocationID: renoDC, LocationCode: "RNO", Status: GroupReleased, RecallRequested: true,
		Lines: []GroupLine{{LineID: 1, ItemID: 100, SKU: "SKU-100", Quantity: 3}}})
	s := snap(stock{}.add(100, dallasDC, 7).add(100, atlantaDC, 2))
	m := AllocationMatrix(c, s, ruleWith(Policy{Eligible: Eligibility{Types: []string{TypeDC}}, Rank: RankDistance, MaxSplits: 2, Dropship: true}))
	var codes []string
	for _, col := range m.Columns {
		codes = append(codes, col.Location.Code)
	}
	// Eligible DCs nearest Dallas first, then the ones the rule would not
	// use, then the vendor; the inactive DC is left out.
	if want := []string{"DAL", "ATL", "RNO", "CHI", "EWR", "ACME"}; !slices.Equal(codes, want) {
		t.Fatalf("columns %v, want %v", codes, want)
	}
	if m.Columns[3].Tier >= 0 || !strings.Contains(m.Columns[3].Why, "3PL") {
		t.Fatalf("CHI: tier %d %q", m.Columns[3].Tier, m.Columns[3].Why)
	}
	row := m.Rows[0]
	if row.Cells[0].Planned != 10 || row.Cells[0].Available != 7 || row.Cells[2].Released != 3 || !row.Cells[2].Recall {
		t.Fatalf("line 1 cells %+v", row.Cells)
	}
	if !row.Cells[5].Blocked || m.Rows[1].Cells[5].Blocked || m.Rows[1].Cells[5].Available != -1 {
		t.Fatalf("vendor cells: line 1 %+v, line 2 %+v", row.Cells[5], m.Rows[1].Cells[5])
	}
}
