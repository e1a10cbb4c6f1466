package sourcing

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestRank(t *testing.T) {
	all := stock{}.add(100, dallasDC, 10).add(100, renoDC, 10).add(100, atlantaDC, 10)
	tests := []struct {
		name  string
		rank  string
		ship  ShipTo
		want  int64
		trace string
	}{
		{"Distance", RankDistance, ShipTo{PostalCode: "75201"}, dallasDC, "Dallas DC: 1"},
		{"DistanceGivenCoords", RankDistance, ShipTo{Lat: 39.5, Lon: -119.7, HasCoords: true}, renoDC, "coordinates from the address"},
		{"Cost", RankCost, ShipTo{PostalCode: "75201"}, renoDC, "Reno DC: $7.00 per shipment"},
		{"Priority", RankPriority, ShipTo{PostalCode: "75201"}, renoDC, "Reno DC: priority 10"},
		{"DistanceWithoutCoordsUsesPriority", RankDistance, ShipTo{PostalCode: "ABCDE"}, renoDC, "Ranking by location priority instead of distance"},
		{"TieTraceNamesWinner", RankDistance, ShipTo{PostalCode: "ABCDE"}, renoDC, "Dallas DC: distance unknown, has 10 of 10 units — skipped, Reno DC ships as many and ranks ahead by priority"},
		{"ForeignAddress", RankDistance, ShipTo{PostalCode: "75201", Country: "CA"}, renoDC, "distance unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := b2bOrder(line(1, 100, 10))
			o.ShipTo = tt.ship
			p := splitPolicy(3)
			p.Rank = tt.rank
			r := Plan(o, snap(all), ruleWith(p))
			wantGroups(t, r, tt.want)
			wantTrace(t, r, tt.trace)
		})
	}
}

func TestRankTieBreakByID(t *testing.T) {
	s := Snapshot{
		Locations: []Location{
			{ID: 20, Name: "Twin B", Type: TypeDC, Serves: ServesBoth, Lat: 33, Lon: -97, Active: true},
			{ID: 10, Name: "Twin A", Type: TypeDC, Serves: ServesBoth, Lat: 33, Lon: -97, Active: true},
		},
		Available: stock{}.add(100, 10, 5).add(100, 20, 5),
	}
	for _, rank := range []string{RankDistance, RankCost, RankPriority} {
		t.Run(rank, func(t *testing.T) {
			p := splitPolicy(2)
			p.Rank = rank
			wantGroups(t, Plan(b2bOrder(line(1, 100, 5)), s, ruleWith(p)), 10)
		})
	}
}

func TestFewestShipmentsFirst(t *testing.T) {
	s := snap(stock{}.add(100, dallasDC, 9).add(100, renoDC, 10))
	r := Plan(b2bOrder(line(1, 100, 10)), s, ruleWith(splitPolicy(3)))
	wantGroups(t, r, renoDC)
	wantTrace(t, r, "Reno DC: 1,3", "has 10 of 10 units — chosen", "Dallas DC: 1", "has 9 of 10 units — skipped, other locations ship more of the order")
	checkInvariants(t, b2bOrder(line(1, 100, 10)), s, r)
}

func TestShipComplete(t *testing.T) {
	split := stock{}.add(100, dallasDC, 5).add(101, renoDC, 5)
	oneHasAll := stock{}.add(100, dallasDC, 5).add(100, renoDC, 5).add(101, renoDC, 5)
	tests := []struct {
		name       string
		stock      stock
		orderFlag  bool
		policyFlag bool
		rest       string
		groups     []int64
		backorder  int64
		cancel     int64
		trace      string
	}{
		{"OrderFlagOneLocationHasAll", oneHasAll, true, false, RestBackorder, []int64{renoDC}, 0, 0, "Order is ship complete"},
		{"OrderFlagNoneHasAll", split, true, false, RestBackorder, nil, 10, 0, "has 5 of 10 units — skipped, cannot ship everything"},
		{"PolicyFlagOneLocationHasAll", oneHasAll, false, true, RestBackorder, []int64{renoDC}, 0, 0, "Rule ships complete"},
		{"PolicyFlagNoneHasAllCancel", split, false, true, RestCancel, nil, 0, 10, "5 units cancelled — ship complete and no single location has everything"},
		{"WithoutFlagSplits", split, false, false, RestBackorder, []int64{dallasDC, renoDC}, 0, 0, "Up to 3 shipments allowed."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := b2bOrder(line(1, 100, 5), line(2, 101, 5))
			o.ShipComplete = tt.orderFlag
			p := splitPolicy(3)
			p.ShipComplete = tt.policyFlag
			p.Rest = tt.rest
			s := snap(tt.stock)
			r := Plan(o, s, ruleWith(p))
			wantGroups(t, r, tt.groups...)
			if sumQty(r.Backorders) != tt.backorder || sumQty(r.Cancels) != tt.cancel {
				t.Errorf("backordered %d cancelled %d, want %d and %d", sumQty(r.Backorders), sumQty(r.Cancels), tt.backorder, tt.cancel)
			}
			wantTrace(t, r, tt.trace)
			checkInvariants(t, o, s, r)
		})
	}
}

func TestSplitLimits(t *testing.T) {
	three := stock{}.add(100, dallasDC, 10).add(101, atlantaDC, 10).add(102, renoDC, 10)
	partial := stock{}.add(100, dallasDC, 6).add(100, renoDC, 4)
	tests := []struct {
		name      string
		stock     stock
		lines     []Line
		maxSplits int
		whole     bool
		groups    []int64
		backorder int64
		trace     string
	}{
		{"OneShipment", three, []Line{line(1, 100, 10), line(2, 101, 10), line(3, 102, 10)}, 1, false, []int64{dallasDC}, 20, "split limit of 1 shipments reached"},
		{"TwoShipments", three, []Line{line(1, 100, 10), line(2, 101, 10), line(3, 102, 10)}, 2, false, []int64{dallasDC, atlantaDC}, 10, "Reno DC: 1,3"},
		{"ThreeShipments", three, []Line{line(1, 100, 10), line(2, 101, 10), line(3, 102, 10)}, 3, false, []int64{dallasDC, atlantaDC, renoDC}, 0, "ships 10 units as shipment 3"},
		{"LineSplitAcrossLocations", partial, []Line{line(1, 100, 10)}, 2, false, []int64{dallasDC, renoDC}, 0, "ships 4 units as shipment 2"},
		{"KeepLinesWholeNoneHasLine", partial, []Line{line(1, 100, 10)}, 2, true, nil, 10, "no location has the whole line"},
		{"KeepLinesWholeOneHasLine", partial.add(100, atlantaDC, 10), []Line{line(1, 100, 10)}, 2, true, []int64{atlantaDC}, 0, "Atlanta DC: 7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := b2bOrder(tt.lines...)
			p := splitPolicy(tt.maxSplits)
			p.KeepLinesWhole = tt.whole
			s := snap(tt.stock)
			r := Plan(o, s, ruleWith(p))
			wantGroups(t, r, tt.groups...)
			if got := sumQty(r.Backorders); got != tt.backorder {
				t.Errorf("backordered %d, want %d", got, tt.backorder)
			}
			wantTrace(t, r, tt.trace)
			checkInvariants(t, o, s, r)
		})
	}
}

func TestNoSplitBelowThreshold(t *testing.T) {
	split := stock{}.add(100, dallasDC, 5).add(101, renoDC, 5)
	tests := []struct {
		name   string
		value  int64
		stock  stock
		groups []int64
		trace  string
	}{
		{"UnderThresholdWaits", 4999, split, nil, "Order value $49.99 is under $50.00: not splitting"},
		{"UnderThresholdOneLocation", 4000, split.add(100, renoDC, 5), []int64{renoDC}, "Reno DC: 1,3"},
		{"AtThresholdSplits", 5000, stock{}.add(100, dallasDC, 5).add(101, renoDC, 5), []int64{dallasDC, renoDC}, "Up to 3 shipments allowed."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := b2bOrder(line(1, 100, 5), line(2, 101, 5))
			o.ValueCents = tt.value
			p := splitPolicy(3)
			p.NoSplitBelowCents = 5000
			s := snap(tt.stock)
			r := Plan(o, s, ruleWith(p))
			wantGroups(t, r, tt.groups...)
			wantTrace(t, r, tt.trace)
			checkInvariants(t, o, s, r)
		})
	}
}

func dropLine(id, item, qty, vendor int64) Line {
	l := line(id, item, qty)
	l.Flags = ItemFlags{DropshipEligible: true, DropshipVendorID: vendor}
	return l
}

func TestDropship(t *testing.T) {
	inactiveVendor := testLocations()
	for i := range inactiveVendor {
		if inactiveVendor[i].ID == acme {
			inactiveVendor[i].Active = false
		}
	}
	tests := []struct {
		name      string
		lines     []Line
		stock     stock
		locs      []Location
		dropship  bool
		complete  bool
		want      map[int64]map[int64]int64
		backorder int64
		trace     string
	}{
		{"OutOfStockEverywhere", []Line{dropLine(1, 100, 10, acme)}, stock{}, nil, true, false,
			map[int64]map[int64]int64{acme: {1: 10}}, 0, "SKU-100: 10 units dropshipped from Acme Supply — no own location could ship them."},
		{"DropshipOff", []Line{dropLine(1, 100, 10, acme)}, stock{}, nil, false, false,
			map[int64]map[int64]int64{}, 10, "SKU-100: 10 units backordered — no location has stock"},
		{"OwnStockFirst", []Line{dropLine(1, 100, 10, acme)}, stock{}.add(100, dallasDC, 10), nil, true, false,
			map[int64]map[int64]int64{dallasDC: {1: 10}}, 0, "Dallas DC: 1"},
		{"RestOfPartialStock", []Line{dropLine(1, 100, 10, acme)}, stock{}.add(100, dallasDC, 4), nil, true, false,
			map[int64]map[int64]int64{dallasDC: {1: 4}, acme: {1: 6}}, 0, "6 units dropshipped"},
		{"VendorCappedBySnapshot", []Line{dropLine(1, 100, 10, acme)}, stock{}.add(100, acme, 3), nil, true, false,
			map[int64]map[int64]int64{acme: {1: 3}}, 7, "7 units backordered"},
		{"VendorInactive", []Line{dropLine(1, 100, 10, acme)}, stock{}, inactiveVendor, true, false,
			map[int64]map[int64]int64{}, 10, "dropship vendor Acme Supply is inactive"},
		{"VendorNotAVendor", []Line{dropLine(1, 100, 10, dallasDC)}, stock{}, nil, true, false,
			map[int64]map[int64]int64{}, 10, "dropship vendor Dallas DC is not a vendor location"},
		{"VendorUnknown", []Line{dropLine(1, 100, 10, 77)}, stock{}, nil, true, false,
			map[int64]map[int64]int64{}, 10, "dropship vendor #77 is not in the snapshot"},
		{"NotEligible", []Line{line(1, 100, 10)}, stock{}, nil, true, false,
			map[int64]map[int64]int64{}, 10, "no location has stock"},
		{"ShipCompleteWholeOrderFromVendor", []Line{dropLine(1, 100, 2, acme), dropLine(2, 101, 3, acme)}, stock{}.add(100, dallasDC, 2), nil, true, true,
			map[int64]map[int64]int64{acme: {1: 2, 2: 3}}, 0, "Whole order dropshipped from Acme Supply"},
		{"ShipCompleteMixedWaits", []Line{dropLine(1, 100, 2, acme), line(2, 101, 3)}, stock{}, nil, true, true,
			map[int64]map[int64]int64{}, 5, "ship complete and no single location has everything"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := b2bOrder(tt.lines...)
			o.ShipComplete = tt.complete
			p := splitPolicy(3)
			p.Dropship = tt.dropship
			s := snap(tt.stock)
			if tt.locs != nil {
				s.Locations = tt.locs
			}
			r := Plan(o, s, ruleWith(p))
			if got := planned(r); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("planned %v, want %v\n%s", got, tt.want, strings.Join(r.Trace, "\n"))
			}
			if got := sumQty(r.Backorders); got != tt.backorder {
				t.Errorf("backordered %d, want %d", got, tt.backorder)
			}
			wantTrace(t, r, tt.trace)
			checkInvariants(t, o, s, r)
		})
	}
}

func TestRest(t *testing.T) {
	discontinued := line(1, 100, 10)
	discontinued.Flags.Discontinued = true
	tests := []struct {
		name   string
		rest   string
		line   Line
		bucket func(Result) []LineQty
		reason string
		trace  string
	}{
		{"Backorder", RestBackorder, line(1, 100, 10), func(r Result) []LineQty { return r.Backorders }, "not enough stock", "SKU-100: 6 units backordered — not enough stock"},
		{"Cancel", RestCancel, line(1, 100, 10), func(r Result) []LineQty { return r.Cancels }, "not enough stock", "SKU-100: 6 units cancelled — not enough stock"},
		{"Exception", RestException, line(1, 100, 10), func(r Result) []LineQty { return r.Exceptions }, "not enough stock", "6 units sent to the exception queue"},
		{"DiscontinuedNeverBackordered", RestBackorder, discontinued, func(r Result) []LineQty { return r.Exceptions }, "discontinued item cannot be backordered", "sent to the exception queue — discontinued"},
		{"DiscontinuedCancel", RestCancel, discontinued, func(r Result) []LineQty { return r.Cancels }, "not enough stock", "6 units cancelled"},
		{"MissingRestMeansBackorder", "", line(1, 100, 10), func(r Result) []LineQty { return r.Backorders }, "not enough stock", "backordered"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := b2bOrder(tt.line)
			p := splitPolicy(3)
			p.Rest = tt.rest
			s := snap(stock{}.add(100, dallasDC, 4))
			r := Plan(o, s, ruleWith(p))
			got := tt.bucket(r)
			if len(got) != 1 || got[0].Quantity != 6 || got[0].LineID != 1 || !strings.Contains(got[0].Reason, tt.reason) {
				t.Errorf("bucket = %+v, want line 1 with 6 units and reason %q", got, tt.reason)
			}
			if n := len(r.Backorders) + len(r.Cancels) + len(r.Exceptions); n != 1 {
				t.Errorf("%d rest entries, want 1", n)
			}
			wantTrace(t, r, tt.trace)
			checkInvariants(t, o, s, r)
		})
	}
}

func TestFallback(t *testing.T) {
	tests := []struct {
		name   string
		stock  stock
		groups []int64
		trace  string
	}{
		{"ThirdPartyHasAll", stock{}.add(100, chicago3P, 10).add(100, dallasDC, 10), []int64{chicago3P}, "Chicago 3PL: 8"},
		{"ThirdPartyHasNone", stock{}.add(100, dallasDC, 10), []int64{dallasDC}, "3PL locations can ship 0 of 10 units; adding fallback DC locations."},
		{"FewestShipmentsBeatThirdParty", stock{}.add(100, chicago3P, 5).add(100, dallasDC, 10), []int64{dallasDC}, "Dallas DC: fallback, 1"},
		{"ThirdPartyThenDC", stock{}.add(100, chicago3P, 6).add(100, renoDC, 4), []int64{chicago3P, renoDC}, "ships 4 units as shipment 2"},
		{"FallbackDoesNotHelp", stock{}.add(100, chicago3P, 6), []int64{chicago3P}, "Fallback locations do not improve the plan."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := b2bOrder(line(1, 100, 10))
			o.CustomerType = CustomerB2C
			s := snap(tt.stock)
			r := Plan(o, s, DemoRules())
			wantGroups(t, r, tt.groups...)
			wantTrace(t, r, tt.trace, "Atlanta DC: serves B2B only — not eligible")
			checkInvariants(t, o, s, r)
		})
	}
}

func TestEligibility(t *testing.T) {
	s := snap(stock{}.add(100, dallasDC, 10).add(100, renoDC, 10).add(100, newarkST, 10).add(100, closedDC, 10))
	tests := []struct {
		name   string
		elig   Eligibility
		groups []int64
		trace  []string
	}{
		{"ByType", Eligibility{Types: []string{TypeDC}}, []int64{dallasDC}, []string{
			"Newark Store: a store; rule ships from DC — not eligible", "Old Memphis DC: inactive — not eligible"}},
		{"ByID", Eligibility{LocationIDs: []int64{renoDC}}, []int64{renoDC}, []string{"Dallas DC: not in the rule's location list — not eligible"}},
		{"ByCode", Eligibility{LocationCodes: []string{"ewr"}}, []int64{newarkST}, []string{"Newark Store: 1,3"}},
		{"ServesMatch", Eligibility{Serves: ServesMatch}, []int64{dallasDC}, []string{"Chicago 3PL: serves B2C only — not eligible"}},
		{"InactiveNeverEligible", Eligibility{LocationIDs: []int64{closedDC}}, nil, []string{"Old Memphis DC: inactive — not eligible", "No location is eligible under this rule."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := splitPolicy(1)
			p.Eligible = tt.elig
			o := b2bOrder(line(1, 100, 10))
			r := Plan(o, s, ruleWith(p))
			wantGroups(t, r, tt.groups...)
			wantTrace(t, r, tt.trace...)
			checkInvariants(t, o, s, r)
		})
	}
}

func TestTrace(t *testing.T) {
	o := b2bOrder(line(1, 100, 40), line(2, 1042, 4))
	o.Lines[1].SKU = "SKU-1042"
	s := snap(stock{}.add(100, dallasDC, 40))
	r := Plan(o, s, DemoRules())
	wantTrace(t, r,
		`Rule "Hazmat from own DCs" (v1) passed over: order has no hazmat items.`,
		`Rule "B2B nearest DC" (v1) matched: customer type B2B.`,
		"Ship-to 75201 Dallas, TX: coordinates from the ZIP centroid table.",
		"Dallas DC: 16 mi, has 40 of 44 units — chosen",
		"Reno DC: 1,36",
		"has 0 of 44 units — skipped, no stock",
		"Chicago 3PL: serves B2C only — not eligible",
		"SKU-1042: 4 units backordered — no location has stock",
		"Plan: 40 of 44 units planned in 1 shipment, 4 units backordered.",
	)
	for _, line := range r.Trace {
		if strings.Contains(line, "Acme") {
			t.Errorf("vendors are listed only when used: %q", line)
		}
	}
}

func TestDeterminism(t *testing.T) {
	o, s, rules := randomCase(42, 40, 30)
	a := Plan(o, s, rules)
	b := Plan(o, s, rules)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same input planned twice gave different results")
	}
	// The snapshot's location order must not change the plan either.
	rev := s
	rev.Locations = slices.Clone(s.Locations)
	slices.Reverse(rev.Locations)
	c := Plan(o, rev, rules)
	if !reflect.DeepEqual(a.Groups, c.Groups) || !reflect.DeepEqual(a.Backorders, c.Backorders) {
		t.Errorf("reordering locations changed the plan:\n%v\n%v", a.Groups, c.Groups)
	}
}

func TestNoOversell(t *testing.T) {
	tests := []struct {
		name  string
		lines []Line
		stock stock
		want  map[int64]map[int64]int64
	}{
		{"TwoLinesOneItem", []Line{line(1, 100, 6), line(2, 100, 6)}, stock{}.add(100, dallasDC, 8),
			map[int64]map[int64]int64{dallasDC: {1: 6, 2: 2}}},
		{"TwoLinesOneItemTwoLocations", []Line{line(1, 100, 6), line(2, 100, 6)}, stock{}.add(100, dallasDC, 8).add(100, renoDC, 3),
			map[int64]map[int64]int64{dallasDC: {1: 6, 2: 2}, renoDC: {2: 3}}},
		{"NegativeAvailable", []Line{line(1, 100, 6)}, stock{}.add(100, dallasDC, -4).add(100, renoDC, 2),
			map[int64]map[int64]int64{renoDC: {1: 2}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := b2bOrder(tt.lines...)
			s := snap(tt.stock)
			r := Plan(o, s, ruleWith(splitPolicy(3)))
			if got := planned(r); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("planned %v, want %v", got, tt.want)
			}
			checkInvariants(t, o, s, r)
		})
	}
}

func TestEdgeCases(t *testing.T) {
	big, bigSnap, _ := randomCase(7, 1000, 50)
	tests := []struct {
		name  string
		order Order
		snap  Snapshot
		rule  []Rule
		trace string
	}{
		{"NoLocations", b2bOrder(line(1, 100, 5)), Snapshot{}, DemoRules(), "The inventory snapshot has no locations."},
		{"NilInventory", b2bOrder(line(1, 100, 5)), Snapshot{Locations: testLocations()}, DemoRules(), "no location has stock"},
		{"ZeroQuantity", b2bOrder(line(1, 100, 0)), snap(stock{}.add(100, dallasDC, 5)), DemoRules(), "Nothing left to source."},
		{"NegativeQuantity", b2bOrder(line(1, 100, -3)), snap(stock{}.add(100, dallasDC, 5)), DemoRules(), "Nothing left to source."},
		{"NoLines", b2bOrder(), snap(stock{}), DemoRules(), "Nothing left to source."},
		{"OnlyInactiveLocations", b2bOrder(line(1, 100, 5)), Snapshot{Locations: testLocations()[5:6], Available: stock{}.add(100, closedDC, 9)}, nil, "inactive — not eligible"},
		{"DuplicateLocation", b2bOrder(line(1, 100, 5)), Snapshot{Locations: append(testLocations(), testLocations()[0]), Available: stock{}.add(100, dallasDC, 5)}, nil, "Dallas DC: 16 mi, has 5 of 5 units — chosen"},
		{"ZeroedStoredRule", b2bOrder(line(1, 100, 5), line(2, 101, 5)), snap(stock{}.add(100, dallasDC, 5).add(101, renoDC, 5)),
			[]Rule{{ID: 3, Name: "Empty", Status: StatusActive}}, "Rule allows no split"},
		{"Lines1000Locations50", big, bigSnap, DemoRules(), "Plan: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Plan(tt.order, tt.snap, tt.rule)
			wantTrace(t, r, tt.trace)
			checkInvariants(t, tt.order, tt.snap, r)
		})
	}
}
