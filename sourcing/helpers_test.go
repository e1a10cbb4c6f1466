package sourcing

import (
	"maps"
	"slices"
	"strings"
	"testing"
)

// The test network: Dallas ZIP 75201 is the usual ship-to.
const (
	dallasDC  = 1
	renoDC    = 2
	atlantaDC = 3
	chicago3P = 4
	newarkST  = 5
	closedDC  = 6
	acme      = 9
)

func testLocations() []Location {
	return []Location{
		{ID: dallasDC, Code: "DAL", Name: "Dallas DC", Type: TypeDC, Serves: ServesBoth, Lat: 32.90, Lon: -97.04, CostPerShipmentCents: 900, Priority: 50, Active: true},
		{ID: renoDC, Code: "RNO", Name: "Reno DC", Type: TypeDC, Serves: ServesBoth, Lat: 39.53, Lon: -119.81, CostPerShipmentCents: 700, Priority: 10, Active: true},
		{ID: atlantaDC, Code: "ATL", Name: "Atlanta DC", Type: TypeDC, Serves: ServesB2B, Lat: 33.75, Lon: -84.39, CostPerShipmentCents: 800, Priority: 20, Active: true},
		{ID: chicago3P, Code: "CHI", Name: "Chicago 3PL", Type: Type3PL, Serves: ServesB2C, Lat: 41.88, Lon: -87.63, CostPerShipmentCents: 500, Priority: 30, Active: true},
		{ID: newarkST, Code: "EWR", Name: "Newark Store", Type: TypeStore, Serves: ServesBoth, Lat: 40.73, Lon: -74.17, CostPerShipmentCents: 400, Priority: 40, Active: true},
		{ID: closedDC, Code: "OLD", Name: "Old Memphis DC", Type: TypeDC, Serves: ServesBoth, Lat: 35.15, Lon: -90.05, Priority: 1, Active: false},
		{ID: acme, Code: "ACME", Name: "Acme Supply", Type: TypeVendor, Serves: ServesBoth, Lat: 41.5, Lon: -81.7, Active: true},
	}
}

// stock is Snapshot.Available built up in tests.
type stock map[int64]map[int64]int64

// add returns a copy of s with item at loc set to qty, so that table cases
// can share a base stock without changing it.
func (s stock) add(item, loc, qty int64) stock {
	out := stock{}
	for it, byLoc := range s {
		out[it] = maps.Clone(byLoc)
	}
	if out[item] == nil {
		out[item] = map[int64]int64{}
	}
	out[item][loc] = qty
	return out
}

func snap(s stock) Snapshot { return Snapshot{Locations: testLocations(), Available: s} }

func line(id, item, qty int64) Line {
	return Line{LineID: id, LineNo: int(id), ItemID: item, SKU: "SKU-" + itoa(item), Quantity: qty}
}

func itoa(n int64) string { return thousands(n) }

func b2bOrder(lines ...Line) Order {
	return Order{
		Number: "SO-1", Channel: ChannelPhone, CustomerType: CustomerB2B,
		ShipTo:     ShipTo{PostalCode: "75201", City: "Dallas", Region: "TX", Country: "US"},
		ShipMethod: "ground", ValueCents: 100000, Lines: lines,
	}
}

// ruleWith returns an active catch-all rule with the given policy.
func ruleWith(p Policy) []Rule {
	return []Rule{{ID: 7, Version: 2, Name: "Test rule", Position: 1, Status: StatusActive, Policy: p}}
}

func splitPolicy(n int) Policy {
	return Policy{Rank: RankDistance, MaxSplits: n, Rest: RestBackorder}
}

// planned returns location ID -> line ID -> quantity.
func planned(r Result) map[int64]map[int64]int64 {
	out := map[int64]map[int64]int64{}
	for _, g := range r.Groups {
		if out[g.LocationID] == nil {
			out[g.LocationID] = map[int64]int64{}
		}
		for _, l := range g.Lines {
			out[g.LocationID][l.LineID] += l.Quantity
		}
	}
	return out
}

func groupIDs(r Result) []int64 {
	var ids []int64
	for _, g := range r.Groups {
		ids = append(ids, g.LocationID)
	}
	return ids
}

func sumQty(qs []LineQty) int64 {
	var n int64
	for _, q := range qs {
		n += q.Quantity
	}
	return n
}

func wantGroups(tb testing.TB, r Result, want ...int64) {
	tb.Helper()
	if got := groupIDs(r); !slices.Equal(got, want) {
		tb.Fatalf("groups at %v, want %v\ntrace:\n%s", got, want, strings.Join(r.Trace, "\n"))
	}
}

func wantTrace(tb testing.TB, r Result, substr ...string) {
	tb.Helper()
	for _, s := range substr {
		found := false
		for _, t := range r.Trace {
			if strings.Contains(t, s) {
				found = true
				break
			}
		}
		if !found {
			tb.Errorf("trace lacks %q\ntrace:\n%s", s, strings.Join(r.Trace, "\n"))
		}
	}
}

// checkInvariants verifies no oversell and that every line's quantity is
// fully accounted for.
func checkInvariants(tb testing.TB, o Order, s Snapshot, r Result) {
	tb.Helper()
	vendors := map[int64]bool{}
	for _, l := range s.Locations {
		if l.Type == TypeVendor {
			vendors[l.ID] = true
		}
	}
	used := map[[2]int64]int64{}
	perLine := map[int64]int64{}
	for _, g := range r.Groups {
		if g.Dropship != vendors[g.LocationID] {
			tb.Errorf("group at %d: dropship %v but vendor %v", g.LocationID, g.Dropship, vendors[g.LocationID])
		}
		for _, l := range g.Lines {
			if l.Quantity <= 0 {
				tb.Errorf("group at %d plans %d of line %d", g.LocationID, l.Quantity, l.LineID)
			}
			used[[2]int64{l.ItemID, g.LocationID}] += l.Quantity
			perLine[l.LineID] += l.Quantity
		}
	}
	for k, q := range used {
		avail, ok := s.Available[k[0]][k[1]]
		if vendors[k[1]] && !ok {
			continue // vendors are unlimited unless the snapshot says otherwise
		}
		if q > avail {
			tb.Errorf("oversell: item %d at location %d planned %d, available %d", k[0], k[1], q, avail)
		}
	}
	for _, bucket := range [][]LineQty{r.Backorders, r.Cancels, r.Exceptions} {
		for _, q := range bucket {
			perLine[q.LineID] += q.Quantity
		}
	}
	for _, l := range o.Lines {
		if want := max(l.Quantity, 0); perLine[l.LineID] != want {
			tb.Errorf("line %d: planned+backordered+cancelled+exception = %d, want %d", l.LineID, perLine[l.LineID], want)
		}
	}
}
