package sourcing

import (
	"fmt"
	"math/rand"
	"testing"
)

// randomCase builds a reproducible order, snapshot and rule set: locations
// scattered over the continental US with random types, audiences and
// stock, lines that repeat items, and a random valid rule ahead of the demo
// rules.
func randomCase(seed int64, nLines, nLocs int) (Order, Snapshot, []Rule) {
	rng := rand.New(rand.NewSource(seed))
	pick := func(xs []string) string { return xs[rng.Intn(len(xs))] }
	var s Snapshot
	s.Available = map[int64]map[int64]int64{}
	nItems := max(1, nLines*2/3)
	for i := range nLocs {
		typ := pick([]string{TypeDC, TypeDC, Type3PL, TypeStore, TypeVendor})
		s.Locations = append(s.Locations, Location{
			ID: int64(i + 1), Code: fmt.Sprintf("L%02d", i+1), Name: fmt.Sprintf("Location %d", i+1),
			Type: typ, Serves: pick([]string{ServesB2B, ServesB2C, ServesBoth, ServesBoth}),
			Lat: 25 + rng.Float64()*23, Lon: -123 + rng.Float64()*53,
			CostPerShipmentCents: int64(rng.Intn(2000)), Priority: rng.Intn(200), Active: rng.Intn(10) > 0,
		})
	}
	for it := 1; it <= nItems; it++ {
		for _, l := range s.Locations {
			if rng.Intn(3) == 0 {
				if s.Available[int64(it)] == nil {
					s.Available[int64(it)] = map[int64]int64{}
				}
				s.Available[int64(it)][l.ID] = int64(rng.Intn(40) - 3)
			}
		}
	}
	o := Order{
		Number: "SO-R", Channel: pick(channels), CustomerType: pick([]string{CustomerB2B, CustomerB2C}),
		ShipTo:       ShipTo{PostalCode: pick([]string{"10001", "75201", "90012", "60601", "98101", "33101", "00000"})},
		ShipComplete: rng.Intn(6) == 0, ValueCents: int64(rng.Intn(20000)),
	}
	for i := range nLines {
		l := Line{LineID: int64(i + 1), LineNo: i + 1, ItemID: int64(rng.Intn(nItems) + 1), SKU: fmt.Sprintf("SKU-%d", i), Quantity: int64(rng.Intn(30))}
		if rng.Intn(4) == 0 && nLocs > 0 {
			l.Flags.DropshipEligible = true
			l.Flags.DropshipVendorID = int64(rng.Intn(nLocs) + 1)
		}
		l.Flags.Hazmat = rng.Intn(20) == 0
		l.Flags.Discontinued = rng.Intn(20) == 0
		o.Lines = append(o.Lines, l)
	}
	r := Rule{ID: 99, Version: 1, Name: "Random", Position: 1, Status: StatusActive,
		Conditions: Conditions{CustomerTypes: []string{pick(customerTypes)}},
		Policy: Policy{
			Eligible:          Eligibility{Types: []string{pick(ownTypes)}, Serves: pick(servesValues)},
			FallbackTypes:     []string{pick(ownTypes)},
			Rank:              pick(ranks),
			ShipComplete:      rng.Intn(5) == 0,
			MaxSplits:         rng.Intn(MaxSplitsLimit) + 1,
			NoSplitBelowCents: int64(rng.Intn(3) * 5000),
			KeepLinesWhole:    rng.Intn(3) == 0,
			Dropship:          rng.Intn(2) == 0,
			Rest:              pick(rests),
		}}
	return o, s, append([]Rule{r}, DemoRules()...)
}

// TestPlanProperties plans random cases and checks the invariants that must
// hold whatever the inputs: no oversell, every unit accounted for exactly
// once, ship complete means at most one shipment, the split limit holds.
func TestPlanProperties(t *testing.T) {
	for seed := int64(1); seed <= 300; seed++ {
		nLines, nLocs := 1+int(seed%25), int(seed%51)
		o, s, rules := randomCase(seed, nLines, nLocs)
		r := Plan(o, s, rules)
		checkInvariants(t, o, s, r)
		own := 0
		for _, g := range r.Groups {
			if !g.Dropship {
				own++
			}
		}
		if o.ShipComplete && len(r.Groups) > 1 {
			t.Errorf("seed %d: ship-complete order planned in %d groups", seed, len(r.Groups))
		}
		if max := normalise(rulesFor(r, rules).Policy).MaxSplits; own > max {
			t.Errorf("seed %d: %d own shipments, rule allows %d", seed, own, max)
		}
		if t.Failed() {
			t.Fatalf("seed %d failed; trace:\n%v", seed, r.Trace)
		}
	}
}

func rulesFor(r Result, rules []Rule) Rule {
	for _, x := range rules {
		if x.ID == r.RuleID && !r.DefaultRule {
			return x
		}
	}
	return DefaultRule()
}
