package sourcing

import "testing"

// TestWillCall: a will-call order is picked up at one location; the engine
// never spreads it over several locations or a dropship vendor.
func TestWillCall(t *testing.T) {
	// Dallas has 4 of 10, Reno 10, and the item is dropship-eligible: an
	// ordinary order would ship from Reno or split; a will-call one comes
	// only from the pickup location.
	s := snap(stock{}.add(100, dallasDC, 4).add(100, renoDC, 10).add(200, dallasDC, 5))
	dropLine := line(2, 200, 8)
	dropLine.Flags = ItemFlags{DropshipEligible: true, DropshipVendorID: acme}
	pol := splitPolicy(3)
	pol.Dropship = true
	t.Run("NearestEligible", func(t *testing.T) {
		o := b2bOrder(line(1, 100, 10), dropLine)
		o.ShipMethod = "willcall"
		r := Plan(o, s, ruleWith(pol))
		checkInvariants(t, o, s, r)
		wantGroups(t, r, dallasDC)
		if got := sumQty(r.Backorders); got != 9 {
			t.Fatalf("backordered %d, want 9 (6 of line 1, 3 of line 2)", got)
		}
		wantTrace(t, r, "Will-call: the customer picks up at Dallas DC")
	})
	t.Run("PickupLocation", func(t *testing.T) {
		o := b2bOrder(line(1, 100, 10))
		o.ShipMethod = ShipMethodWillCall
		o.PickupLocationID = renoDC
		r := Plan(o, s, ruleWith(pol))
		wantGroups(t, r, renoDC)
		wantTrace(t, r, "picks up at Reno DC")
	})
	t.Run("OrdinaryOrderStillSplits", func(t *testing.T) {
		o := b2bOrder(line(1, 100, 10), dropLine)
		r := Plan(o, s, ruleWith(pol))
		if len(r.Groups) < 2 {
			t.Fatalf("groups %v: an ordinary order should split or dropship here", groupIDs(r))
		}
	})
}
