package domain_test

import (
	"testing"
	"time"

	"github.com/oms/oms/domain"
)

func TestStatusAnswer(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 11, d, 15, 0, 0, 0, time.UTC) }
	dal := domain.FulfilmentGroup{LocationName: "Dallas DC", Status: "shipped", Carrier: "UPS", TrackingNumber: "1Z999AA10123456784", ShippedAt: day(24)}
	reno := domain.FulfilmentGroup{LocationName: "Reno 3PL", Status: "shipped", Carrier: "FedEx", TrackingNumber: "771234567890", ShippedAt: day(25)}
	bo := domain.Backorder{LineNo: 3, SKU: "SKU-1042", Quantity: 4, ExpectedDate: "2026-12-02", SupplyPO: "5512"}
	credit := domain.Hold{Reason: "credit", PlacedAt: day(20)}
	tests := []struct {
		name string
		f    domain.AnswerFacts
		want string
	}{
		{"Draft", domain.AnswerFacts{Status: domain.StatusDraft}, "Draft: this order has not been submitted yet."},
		{"Open", domain.AnswerFacts{Status: domain.StatusOpen, CreatedAt: day(20)}, "Received Nov 20 and not yet assigned to a warehouse."},
		{"OnHold", domain.AnswerFacts{Status: domain.StatusOnHold, OpenHolds: []domain.Hold{credit},
			Totals: domain.LineTotals{Lines: 1, LiveLines: 1, Units: domain.Buckets{Ordered: 12, Backordered: 12}}},
			"On credit hold since Nov 20: nothing ships until it is released."},
		{"TwoHoldsStockReserved", domain.AnswerFacts{Status: domain.StatusOnHold, OpenHolds: []domain.Hold{{Reason: "address", PlacedAt: day(21)}, credit},
			Groups: []domain.FulfilmentGroup{{LocationName: "Chicago DC", Status: "planned"}},
			Totals: domain.LineTotals{Lines: 1, LiveLines: 1, Units: domain.Buckets{Ordered: 1, Allocated: 1}}},
			"On address and credit hold since Nov 20: nothing ships until it is released; stock is reserved at Chicago DC."},
		{"OnHoldBackordered", domain.AnswerFacts{Status: domain.StatusOnHold, OpenHolds: []domain.Hold{credit}, Backorders: []domain.Backorder{bo},
			Totals: domain.LineTotals{Lines: 1, LiveLines: 1, Units: domain.Buckets{Ordered: 4, Backordered: 4}}},
			"On credit hold since Nov 20: nothing ships until it is released; 4 units of SKU-1042 backordered, expected Dec 2 (PO 5512)."},
		{"Backordered", domain.AnswerFacts{Status: domain.StatusBackordered, Backorders: []domain.Backorder{bo, {SKU: "SKU-4410", Quantity: 1}},
			Totals: domain.LineTotals{Lines: 2, LiveLines: 2, BackorderLines: 2, Units: domain.Buckets{Ordered: 5, Backordered: 5}}},
			"4 units of SKU-1042 backordered, expected Dec 2 (PO 5512); 1 unit of SKU-4410 backordered, no date yet."},
		{"PartiallyAllocated", domain.AnswerFacts{Status: domain.StatusPartiallyAllocated, Backorders: []domain.Backorder{bo},
			Groups: []domain.FulfilmentGroup{{LocationName: "Dallas DC", Status: "planned"}},
			Totals: domain.LineTotals{Lines: 2, LiveLines: 2, BackorderLines: 1, Units: domain.Buckets{Ordered: 10, Allocated: 6, Backordered: 4}}},
			"6 units allocated at Dallas DC, waiting to be released to the warehouse; 4 units of SKU-1042 backordered, expected Dec 2 (PO 5512)."},
		{"Allocated", domain.AnswerFacts{Status: domain.StatusAllocated, Groups: []domain.FulfilmentGroup{{LocationName: "Dallas DC", Status: "planned"}},
			Totals: domain.LineTotals{Lines: 2, LiveLines: 2, Units: domain.Buckets{Ordered: 3, Allocated: 3}}},
			"Allocated at Dallas DC, waiting to be released to the warehouse."},
		{"Released", domain.AnswerFacts{Status: domain.StatusReleased,
			Groups: []domain.FulfilmentGroup{{LocationName: "Reno 3PL", Status: "released", ReleasedAt: day(23), Units: 3}},
			Totals: domain.LineTotals{Lines: 1, LiveLines: 1, Units: domain.Buckets{Ordered: 3, Released: 3}}},
			"Released to Reno 3PL on Nov 23 and not shipped yet."},
		{"PartiallyShipped", domain.AnswerFacts{Status: domain.StatusPartiallyShipped, Groups: []domain.FulfilmentGroup{dal}, Backorders: []domain.Backorder{bo},
			Totals: domain.LineTotals{Lines: 3, LiveLines: 3, ShippedLines: 2, BackorderLines: 1, Units: domain.Buckets{Ordered: 20, Shipped: 16, Backordered: 4}}},
			"2 of 3 lines shipped from Dallas DC on Nov 24 via UPS 1Z999AA10123456784; 4 units of SKU-1042 backordered, expected Dec 2 (PO 5512)."},
		{"PartiallyShippedRestReleased", domain.AnswerFacts{Status: domain.StatusPartiallyShipped,
			Groups: []domain.FulfilmentGroup{dal, {LocationName: "Reno 3PL", Status: "released", Units: 5}},
			Totals: domain.LineTotals{Lines: 2, LiveLines: 2, ShippedLines: 1, Units: domain.Buckets{Ordered: 7, Shipped: 2, Released: 5}}},
			"1 of 2 lines shipped from Dallas DC on Nov 24 via UPS 1Z999AA10123456784; 5 more units released to Reno 3PL and not shipped yet."},
		{"PartLineShippedWithHold", domain.AnswerFacts{Status: domain.StatusPartiallyShipped, Groups: []domain.FulfilmentGroup{dal},
			OpenHolds: []domain.Hold{{Reason: "manual", PlacedAt: day(25)}},
			Totals:    domain.LineTotals{Lines: 1, LiveLines: 1, PartShippedLines: 1, Units: domain.Buckets{Ordered: 10, Shipped: 4, Allocated: 6}}},
			"1 of 1 line shipped in part from Dallas DC on Nov 24 via UPS 1Z999AA10123456784; 6 more units allocated, waiting to be released to the warehouse; on manual hold since Nov 25: nothing more ships until it is released."},
		{"ShippedOneShipment", domain.AnswerFacts{Status: domain.StatusShipped, Groups: []domain.FulfilmentGroup{dal},
			Totals: domain.LineTotals{Lines: 3, LiveLines: 3, ShippedLines: 3, Units: domain.Buckets{Ordered: 9, Shipped: 9}}},
			"All 3 lines shipped from Dallas DC on Nov 24 via UPS 1Z999AA10123456784."},
		{"ShippedTwoShipmentsSomeCancelled", domain.AnswerFacts{Status: domain.StatusShipped, Groups: []domain.FulfilmentGroup{dal, reno},
			Totals: domain.LineTotals{Lines: 3, LiveLines: 2, ShippedLines: 2, Units: domain.Buckets{Ordered: 9, Shipped: 7, Cancelled: 2}}},
			"Both lines shipped in 2 shipments: from Dallas DC on Nov 24 via UPS 1Z999AA10123456784, from Reno 3PL on Nov 25 via FedEx 771234567890; 2 units cancelled."},
		{"ShippedLTL", domain.AnswerFacts{Status: domain.StatusShipped,
			Groups: []domain.FulfilmentGroup{{LocationName: "Dallas DC", Status: "shipped", Carrier: "Estes", TrackingNumber: "0123456789", ShippedAt: day(19)}},
			Totals: domain.LineTotals{Lines: 1, LiveLines: 1, ShippedLines: 1, Units: domain.Buckets{Ordered: 400, Shipped: 400}}},
			"Shipped from Dallas DC on Nov 19 via Estes 0123456789."},
		{"Closed", domain.AnswerFacts{Status: domain.StatusClosed, Groups: []domain.FulfilmentGroup{reno},
			Totals: domain.LineTotals{Lines: 2, LiveLines: 2, ShippedLines: 2, Units: domain.Buckets{Ordered: 7, Shipped: 7}}},
			"Both lines shipped and invoiced from Reno 3PL on Nov 25 via FedEx 771234567890."},
		{"Cancelled", domain.AnswerFacts{Status: domain.StatusCancelled}, "Cancelled: nothing on this order will ship."},
		// Every unit is in the sentence: released at two locations and
		// planned at two more, not released yet (an order of 5 shipments).
		{"ReleasedAndPlannedElsewhere", domain.AnswerFacts{Status: domain.StatusPartiallyShipped,
			Groups: []domain.FulfilmentGroup{dal, {LocationName: "Reno 3PL", Status: "released", Units: 2}, {LocationName: "Harrisburg DC", Status: "released", Units: 3},
				{LocationName: "Chicago DC", Status: "planned", Units: 4}, {LocationName: "Atlanta DC", Status: "planned", Units: 1}},
			Totals: domain.LineTotals{Lines: 5, LiveLines: 5, ShippedLines: 1, Units: domain.Buckets{Ordered: 11, Shipped: 1, Released: 5, Allocated: 5}}},
			"1 of 5 lines shipped from Dallas DC on Nov 24 via UPS 1Z999AA10123456784; 5 more units released to Reno 3PL and Harrisburg DC and not shipped yet; 5 more units allocated at Chicago DC and Atlanta DC, waiting to be released to the warehouse."},
		{"BackorderedPastRequestedDate", domain.AnswerFacts{Status: domain.StatusBackordered, Backorders: []domain.Backorder{bo},
			RequestedDate: "2026-11-28", Now: day(30),
			Totals: domain.LineTotals{Lines: 1, LiveLines: 1, BackorderLines: 1, Units: domain.Buckets{Ordered: 4, Backordered: 4}}},
			"4 units of SKU-1042 backordered, expected Dec 2 (PO 5512); past the requested date of Nov 28."},
		{"BackorderedOnRequestedDate", domain.AnswerFacts{Status: domain.StatusBackordered, Backorders: []domain.Backorder{bo},
			RequestedDate: "2026-11-30", Now: day(30),
			Totals: domain.LineTotals{Lines: 1, LiveLines: 1, BackorderLines: 1, Units: domain.Buckets{Ordered: 4, Backordered: 4}}},
			"4 units of SKU-1042 backordered, expected Dec 2 (PO 5512)."},
		{"PickedUp", domain.AnswerFacts{Status: domain.StatusShipped,
			Groups: []domain.FulfilmentGroup{{LocationName: "Dallas DC", Status: "shipped", Carrier: "WILL CALL", Service: "Customer pickup", ShippedAt: day(19)}},
			Totals: domain.LineTotals{Lines: 1, LiveLines: 1, ShippedLines: 1, Units: domain.Buckets{Ordered: 4, Shipped: 4}}},
			"Shipped from Dallas DC on Nov 19, picked up by the customer."},
		// Dates of another year than today's carry the year; a CSR reading
		// "Nov 24" aloud in January would mean the wrong one.
		{"ShippedLastYear", domain.AnswerFacts{Status: domain.StatusShipped, Groups: []domain.FulfilmentGroup{dal},
			Totals: domain.LineTotals{Lines: 1, LiveLines: 1, ShippedLines: 1, Units: domain.Buckets{Ordered: 4, Shipped: 4}},
			Now:    time.Date(2027, 1, 6, 9, 0, 0, 0, time.UTC)},
			"Shipped from Dallas DC on Nov 24, 2026 via UPS 1Z999AA10123456784."},
		{"ExpectedNextYear", domain.AnswerFacts{Status: domain.StatusBackordered, Backorders: []domain.Backorder{{SKU: "SKU-1042", Quantity: 4, ExpectedDate: "2027-01-08"}},
			Totals: domain.LineTotals{Lines: 1, LiveLines: 1, Units: domain.Buckets{Ordered: 4, Backordered: 4}}},
			"4 units of SKU-1042 backordered, expected Jan 8, 2027."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.f.Now.IsZero() {
				tt.f.Now = day(30)
			}
			if got := domain.StatusAnswer(tt.f); got != tt.want {
				t.Fatalf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestTrackingURL(t *testing.T) {
	tests := []struct{ carrier, tracking, want string }{
		{"UPS", "1Z999AA10123456784", "https://www.ups.com/track?loc=en_US&tracknum=1Z999AA10123456784"},
		{"FedEx", "771234567890", "https://www.fedex.com/fedextrack/?trknbr=771234567890"},
		{"USPS", "9400111899223197428490", "https://tools.usps.com/go/TrackConfirmAction?tLabels=9400111899223197428490"},
		{"Estes", "0123456789", "https://www.estes-express.com/myestes/shipment-tracking/?type=PRO&query=0123456789"},
		{"WILL CALL", "", ""},
		{"Unknown Freight", "123", ""},
		{"UPS", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.carrier, func(t *testing.T) {
			if got := domain.TrackingURL(tt.carrier, tt.tracking); got != tt.want {
				t.Fatalf("got %q", got)
			}
		})
	}
}

func TestCarrierTextSaysACarrierOnce(t *testing.T) {
	for _, c := range []struct {
		g    domain.FulfilmentGroup
		want string
	}{
		{domain.FulfilmentGroup{Carrier: "LTL", Service: "LTL"}, "LTL"},
		{domain.FulfilmentGroup{Carrier: "UPS", Service: "Ground"}, "UPS Ground"},
		{domain.FulfilmentGroup{Carrier: "FedEx"}, "FedEx"},
	} {
		if got := c.g.CarrierText(); got != c.want {
			t.Errorf("%q %q: %q, want %q", c.g.Carrier, c.g.Service, got, c.want)
		}
	}
}

func TestOrderHitHint(t *testing.T) {
	shipped := domain.OrderHit{LastCarrier: "UPS", LastShippedAt: time.Date(2026, 12, 30, 15, 0, 0, 0, time.UTC)}
	shipped.Status = domain.StatusShipped
	tests := []struct {
		name string
		now  time.Time
		want string
	}{
		{"ThisYear", time.Date(2026, 12, 31, 9, 0, 0, 0, time.UTC), "Shipped Dec 30 via UPS"},
		{"LastYear", time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC), "Shipped Dec 30, 2026 via UPS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := shipped.Hint(tt.now); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
