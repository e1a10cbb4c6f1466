package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"time"
)

// Generator streams a data set: Master first, then orders in batches with
// Next, and Stock last. Orders come out in creation order with increasing
// numbers; memory stays flat however many orders are asked for.
type Generator struct {
	cfg        Config
	rng        *rand.Rand
	now, start time.Time
	never      time.Time
	m          Master
	done       int

	nB2B        int
	edi         map[int64]bool
	itemWeights weighted
	b2bWeights  weighted
	slots       weighted

	// Per location index: own locations (DCs and the 3PL) ranked by the
	// generator when sourcing; vendors by item.
	own     []int
	b2cOwn  []int
	vendors map[int64]int

	// Per [item index][location index].
	onHand, safety, avail, alloc [][]int64
	backordered                  [][]int64
	short                        []bool

	lineID, groupID, holdID int64
	lastPO                  map[int64]string
	poSeq                   map[int64]int64
	interchange             int64
	invoice                 int64
}

// NewGenerator prepares a generator for cfg. A zero Orders means
// DefaultOrders; a zero Now means the current time.
func NewGenerator(cfg Config) *Generator {
	if cfg.Orders < 0 {
		cfg.Orders = 0
	}
	if cfg.Now.IsZero() {
		cfg.Now = time.Now()
	}
	now := cfg.Now.UTC().Truncate(time.Millisecond)
	g := &Generator{
		cfg: cfg, rng: newRand(cfg.Seed), now: now,
		start:  now.Add(-HistoryDays * 24 * time.Hour),
		never:  now.Add(100 * 365 * 24 * time.Hour),
		edi:    map[int64]bool{},
		lastPO: map[int64]string{}, poSeq: map[int64]int64{},
		vendors:     map[int64]int{},
		interchange: 1000 + int64(cfg.Seed%1000)*100,
		invoice:     700000,
	}
	g.genMaster()
	g.genSlots()
	return g
}

// Master returns the reference data: locations, catalogue, customers.
func (g *Generator) Master() *Master { return &g.m }

// Now is the moment the data set describes.
func (g *Generator) Now() time.Time { return g.now }

// Next returns up to n more orders, none when all are generated.
func (g *Generator) Next(n int) []Order {
	var out []Order
	for len(out) < n && g.done < g.cfg.Orders {
		out = append(out, g.order())
		g.done++
	}
	return out
}

// genMaster builds locations, items, customers and starting stock.
func (g *Generator) genMaster() {
	r := g.rng
	vendorIDs := map[string]int64{}
	for i, l := range network {
		l.ID = int64(i + 1)
		g.m.Locations = append(g.m.Locations, l)
		switch l.Type {
		case "vendor":
			vendorIDs[l.Code] = l.ID
			g.vendors[l.ID] = i
		default:
			g.own = append(g.own, i)
			if l.Serves != "b2b" {
				g.b2cOwn = append(g.b2cOwn, i)
			}
		}
	}
	g.genItems(1500, vendorIDs)
	// Popularity: a long tail, in a random order of the catalogue.
	w := make([]float64, len(g.m.Items))
	for rank, i := range r.Perm(len(w)) {
		w[i] = 1 / math.Pow(float64(rank+8), 0.9)
		if g.m.Items[i].Discontinued {
			w[i] /= 4
		}
	}
	g.itemWeights = newWeighted(w)
	g.nB2B = 220
	g.genCustomers(g.nB2B, 80)
	bw := make([]float64, g.nB2B)
	for rank, i := range r.Perm(g.nB2B) {
		bw[i] = 1 / math.Pow(float64(rank+3), 0.8)
	}
	g.b2bWeights = newWeighted(bw)
	g.genStock()
}

// genStock sets on-hand and safety stock per (item, location): most items
// plentiful at some DCs and thin at others, about 5% short everywhere. Stock
// scales with the daily order volume.
func (g *Generator) genStock() {
	r := g.rng
	scale := max(0.2, float64(g.cfg.Orders)/DefaultOrders)
	nl := len(g.m.Locations)
	n := len(g.m.Items)
	g.onHand, g.safety, g.avail, g.alloc, g.backordered = grid(n, nl), grid(n, nl), grid(n, nl), grid(n, nl), grid(n, nl)
	g.short = make([]bool, n)
	total := g.itemWeights[n-1]
	for i := range g.m.Items {
		it := &g.m.Items[i]
		share := (g.itemWeights[i] - prevCum(g.itemWeights, i)) / total
		g.short[i] = chance(r, 0.05)
		for _, li := range g.own {
			var packs float64
			switch x := r.Float64(); {
			case g.short[i]:
				if chance(r, 0.2) {
					packs = float64(r.IntN(2))
				}
			case g.m.Locations[li].Type == "3pl" && x < 0.5:
				packs = 0
			case x < 0.6:
				packs = 10 + share*float64(DefaultOrders)*scale*(2+8*r.Float64())
			case x < 0.9:
				packs = float64(r.IntN(8))
			}
			g.onHand[i][li] = int64(packs) * it.PackQty
			if g.onHand[i][li] > 0 && chance(r, 0.3) {
				g.safety[i][li] = it.PackQty * int64(1+r.IntN(4))
			}
			g.avail[i][li] = max(0, g.onHand[i][li]-g.safety[i][li])
		}
		if it.DropshipEligible {
			vi := g.vendors[it.DropshipVendorID]
			g.onHand[i][vi] = it.PackQty * int64(500+r.IntN(5000))
		}
	}
}

// Stock returns inventory with allocations from the generated groups,
// inbound supply for what is short, and the last order number. Call it
// after the last batch.
func (g *Generator) Stock() *Stock {
	r := g.rng
	s := &Stock{LastOrderNumber: orderNumberBase + int64(g.done)}
	for i, it := range g.m.Items {
		for li, l := range g.m.Locations {
			if l.Type == "vendor" && (!it.DropshipEligible || l.ID != it.DropshipVendorID) {
				continue
			}
			onHand := g.onHand[i][li]
			// No oversell: stock received against backorders shows in on hand.
			onHand = max(onHand, g.alloc[i][li]+g.safety[i][li])
			s.Inventory = append(s.Inventory, Inventory{ItemID: it.ID, LocationID: l.ID, OnHand: onHand,
				Allocated: g.alloc[i][li], SafetyStock: g.safety[i][li],
				OnHandAsOf: g.now.Add(-between(r, 5*time.Minute, 90*time.Minute))})
		}
	}
	// Purchase orders: per DC, the short and backordered items, a few
	// lines per PO number.
	po := int64(70000 + r.IntN(1000))
	for _, li := range g.own {
		var lines []int
		for i := range g.m.Items {
			if g.backordered[i][li] > 0 || (g.short[i] && chance(r, 0.5)) || (g.onHand[i][li] == 0 && chance(r, 0.15)) {
				lines = append(lines, i)
			}
		}
		for k := 0; k < len(lines); {
			po++
			n := 3 + r.IntN(12)
			expected := g.now.Add(time.Duration(2+r.IntN(29)) * 24 * time.Hour)
			created := g.now.Add(-time.Duration(1+r.IntN(20)) * 24 * time.Hour)
			for ; n > 0 && k < len(lines); n, k = n-1, k+1 {
				i := lines[k]
				it := g.m.Items[i]
				q := g.backordered[i][li]*3/2 + it.PackQty*int64(20+r.IntN(200))
				q = (q + it.PackQty - 1) / it.PackQty * it.PackQty
				s.Supply = append(s.Supply, InboundSupply{ItemID: it.ID, LocationID: g.m.Locations[li].ID,
					PONumber: fmt.Sprintf("PO-%d", po), Quantity: q, ExpectedDate: expected, CreatedAt: created})
			}
		}
	}
	return s
}

// genSlots weights every hour of the history window: business hours in
// US Central time on weekdays, quieter evenings and weekends.
func (g *Generator) genSlots() {
	n := HistoryDays * 24
	w := make([]float64, n)
	for h := range n {
		t := g.start.Add(time.Duration(h) * time.Hour)
		local := t.Add(-6 * time.Hour)
		hw := 0.06
		switch hr := local.Hour(); {
		case hr >= 7 && hr < 18:
			hw = 1
		case hr >= 18 && hr < 23:
			hw = 0.35
		}
		switch local.Weekday() {
		case time.Saturday:
			hw *= 0.25
		case time.Sunday:
			hw *= 0.15
		}
		w[h] = hw
	}
	g.slots = newWeighted(w)
}

// createdAt spreads order i over the history: increasing with i, and
// denser in business hours.
func (g *Generator) createdAt(i int) time.Time {
	u := (float64(i) + g.rng.Float64()) / float64(max(1, g.cfg.Orders))
	x := u * g.slots[len(g.slots)-1]
	h := sort.SearchFloat64s(g.slots, x)
	if h >= len(g.slots) {
		h = len(g.slots) - 1
	}
	lo := prevCum(g.slots, h)
	frac := (x - lo) / (g.slots[h] - lo)
	t := g.start.Add(time.Duration(h)*time.Hour + time.Duration(frac*float64(time.Hour))).Truncate(time.Millisecond)
	if !t.Before(g.now) {
		t = g.now.Add(-time.Second)
	}
	return t
}

// prevCum is the cumulative weight before index i.
func prevCum(c weighted, i int) float64 {
	if i == 0 {
		return 0
	}
	return c[i-1]
}

// grid allocates an n x m table.
func grid(n, m int) [][]int64 {
	flat := make([]int64, n*m)
	out := make([][]int64, n)
	for i := range out {
		out[i] = flat[i*m : (i+1)*m]
	}
	return out
}
