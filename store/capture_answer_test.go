package store_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/intake"
	"github.com/oms/oms/sourcing"
	"github.com/oms/oms/store"
	"github.com/oms/oms/wire"
)

// TestCaptureAnswerIsTheStoredOrder checks that the answer a capture
// builds from what it wrote (the 201 body of POST /api/v1/orders) is byte
// for byte the order as it is read back afterwards (GET), over random
// orders that cover every path of the capture: splits, dropship,
// backorders with and without inbound supply, cancelled and exception
// rests, holds of every kind, notes, B2B and B2C.
func TestCaptureAnswerIsTheStoredOrder(t *testing.T) {
	n := newNetwork(t)
	ctx := t.Context()
	n.item(t, "PLENTY", false, map[string]int64{"DAL": 100000, "HBG": 100000, "3PL-MEM": 100000})
	n.item(t, "SPLIT", false, map[string]int64{"DAL": 30, "HBG": 30})
	n.item(t, "EAST", false, map[string]int64{"HBG": 500})
	n.item(t, "NONE", false, nil)
	n.item(t, "DROP", true, map[string]int64{"DAL": 5})
	n.item(t, "SHORT", false, map[string]int64{"DAL": 3})
	n.inbound(t, "NONE", "DAL", "PO-IN-1", 100, "2026-12-15")
	// Orders from the web cancel what cannot ship; files send it to a person.
	for i, rest := range []string{sourcing.RestCancel, sourcing.RestException} {
		channel := []string{"web", "csv"}[i]
		r := sourcing.Rule{Name: "Test " + rest, Position: i + 1, Status: sourcing.StatusActive,
			Conditions: sourcing.Conditions{Channels: []string{channel}},
			Policy:     sourcing.Policy{Eligible: sourcing.Eligibility{Types: []string{sourcing.TypeDC}}, Rank: sourcing.RankDistance, MaxSplits: 2, Rest: rest}}
		if _, _, err := n.db.SaveRule(ctx, r, 0, "test"); err != nil {
			t.Fatal(err)
		}
	}
	skus := []string{"PLENTY", "SPLIT", "EAST", "NONE", "DROP", "SHORT"}
	zips := []struct{ city, region, zip string }{{"Dallas", "TX", "75201"}, {"Philadelphia", "PA", "19103"}, {"Seattle", "WA", "98101"}}
	rng := rand.New(rand.NewPCG(5, 1))
	for i := range 120 {
		z := zips[rng.IntN(len(zips))]
		req := intake.Request{Channel: []string{"api", "phone", "web", "csv"}[rng.IntN(4)], CustomerAccount: []string{"C100", "C200"}[rng.IntN(2)],
			PONumber:     fmt.Sprintf("PO-%d", rng.IntN(60)), // repeats: duplicate-PO holds
			ShipTo:       intake.Address{Name: "Dock <4>", Line1: "1 Main St", City: z.city, Region: z.region, PostalCode: z.zip},
			ShipComplete: rng.IntN(4) == 0, RequestedDate: []string{"", "2026-12-24"}[rng.IntN(2)]}
		if rng.IntN(3) == 0 {
			req.Note = "Call before delivery"
		}
		for range 1 + rng.IntN(5) {
			l := intake.LineRequest{SKU: skus[rng.IntN(len(skus))], Quantity: int64(1 + rng.IntN(40))}
			if rng.IntN(8) == 0 {
				p := int64(900) // off the list: a price hold, or an override by sales
				l.UnitPriceCents = &p
				l.PriceOverrideReason = "Matched a competitor's quote"
			}
			req.Lines = append(req.Lines, l)
		}
		k := store.IdempotencyKey{Scope: "token:1", Key: fmt.Sprint("k", i), RequestHash: fmt.Sprint("h", i)}
		by := store.Submitter{Actor: "api:test", Role: domain.RoleCSR}
		if rng.IntN(2) == 0 {
			by = store.Submitter{Actor: "sales@test", Role: domain.RoleSales}
		}
		resp, err := n.db.CaptureOrderOnce(ctx, k, req, by, wire.OrderJSON)
		if domain.ErrorCode(err) == domain.EINVALID {
			continue // a line repeated the same SKU, or similar
		}
		if err != nil {
			t.Fatal(err)
		}
		var posted wire.Order
		if err := json.Unmarshal(resp.Body, &posted); err != nil {
			t.Fatal(err)
		}
		got, err := n.db.FullOrderByNumber(ctx, posted.Number)
		if err != nil {
			t.Fatal(err)
		}
		stored, _ := wire.OrderJSON(got)
		if string(stored) != string(resp.Body) {
			t.Fatalf("order %d (%+v): the answer differs from the stored order\nanswer %s\nstored %s", i, req, resp.Body, stored)
		}
	}
	checkInvariants(t, n.db)
	// The random orders must have reached every path, or the test proves little.
	for what, q := range map[string]string{
		"split":               `SELECT count(*) FROM orders o WHERE (SELECT count(*) FROM fulfilment_groups g WHERE g.order_id = o.id) > 1`,
		"dropship":            `SELECT count(*) FROM fulfilment_groups WHERE dropship = 1`,
		"backorder":           `SELECT count(*) FROM order_lines WHERE qty_backordered > 0`,
		"cancel":              `SELECT count(*) FROM order_lines WHERE qty_cancelled > 0`,
		"sourcing exception":  `SELECT count(*) FROM exceptions WHERE kind = 'sourcing'`,
		"duplicate-PO hold":   `SELECT count(*) FROM holds WHERE reason = 'duplicate_po'`,
		"price hold":          `SELECT count(*) FROM holds WHERE reason = 'price'`,
		"note":                `SELECT count(*) FROM events WHERE kind = 'note'`,
		"price override":      `SELECT count(*) FROM events WHERE kind = 'price.override' AND summary LIKE '%instead of $10.00 ("Matched a competitor''s quote")%'`,
		"inbound expectation": `SELECT count(*) FROM order_lines l JOIN inbound_supply s ON s.item_id = l.item_id WHERE l.qty_backordered > 0`,
	} {
		if count(t, n.db, q) == 0 {
			t.Errorf("no order reached the %s path", what)
		}
	}
}
