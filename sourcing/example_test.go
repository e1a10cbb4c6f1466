package sourcing_test

import (
	"encoding/json"
	"fmt"

	"github.com/oms/oms/sourcing"
)

func ExamplePlan() {
	snap := sourcing.Snapshot{
		Locations: []sourcing.Location{
			{ID: 1, Code: "DAL", Name: "Dallas DC", Type: "dc", Serves: "both", Lat: 32.90, Lon: -97.04, Active: true},
			{ID: 2, Code: "RNO", Name: "Reno DC", Type: "dc", Serves: "both", Lat: 39.53, Lon: -119.81, Active: true},
			{ID: 3, Code: "CHI", Name: "Chicago 3PL", Type: "3pl", Serves: "b2c", Lat: 41.88, Lon: -87.63, Active: true},
		},
		// item ID -> location ID -> available to promise
		Available: map[int64]map[int64]int64{1041: {1: 40, 2: 40}},
	}
	order := sourcing.Order{
		Number: "SO-1001", Channel: "phone", CustomerType: "b2b", ValueCents: 129900,
		ShipTo: sourcing.ShipTo{PostalCode: "75201", City: "Dallas", Region: "TX", Country: "US"},
		Lines: []sourcing.Line{
			{LineID: 11, LineNo: 1, ItemID: 1041, SKU: "SKU-1041", Quantity: 40},
			{LineID: 12, LineNo: 2, ItemID: 1042, SKU: "SKU-1042", Quantity: 4},
		},
	}
	res := sourcing.Plan(order, snap, sourcing.DemoRules())
	for _, g := range res.Groups {
		fmt.Printf("ship from %s: %+v\n", g.LocationCode, g.Lines)
	}
	for _, line := range res.Trace {
		fmt.Println(line)
	}
	policy, _ := json.Marshal(sourcing.DemoRules()[1].Policy)
	fmt.Println(string(policy))
	// Output:
	// ship from DAL: [{LineID:11 ItemID:1041 SKU:SKU-1041 Quantity:40}]
	// Rule "Hazmat from own DCs" (v1) passed over: order has no hazmat items.
	// Rule "B2B nearest DC" (v1) matched: customer type B2B.
	// Ship-to 75201 Dallas, TX: coordinates from the ZIP centroid table.
	// Up to 3 shipments allowed.
	// Dallas DC: 16 mi, has 40 of 44 units — chosen
	// Reno DC: 1,361 mi, has 40 of 44 units — skipped, Dallas DC ships as many and ranks ahead by distance
	// Chicago 3PL: serves B2C only — not eligible
	// SKU-1042: 4 units backordered — no location has stock
	// Plan: 40 of 44 units planned in 1 shipment, 4 units backordered.
	// {"eligible":{"types":["dc"],"serves":"match"},"rank":"distance","ship_complete":false,"max_splits":3,"no_split_below_cents":5000,"dropship":true,"rest":"backorder"}
}
