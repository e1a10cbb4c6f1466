package sourcing

import (
	"cmp"
	"fmt"
	"github.com/oms/oms/domain"
	"slices"
	"strconv"
	"strings"

	"github.com/oms/oms/geo"
)

// Plan decides where each unit of the order ships from.
//
// It takes the first active rule (by Position, then ID) whose conditions
// match, or DefaultRule, and then:
//
//   - Ship complete (the order's flag, the rule's, or an order worth less
//     than Policy.NoSplitBelowCents): the best-ranked eligible location that
//     has every unit ships the whole order; failing that, a dropship vendor
//     that can ship every line; failing that, the whole order follows
//     Policy.Rest. Ship complete is strict because customers ask for it to
//     avoid partial deliveries, and a person can still split by hand.
//   - Otherwise, greedy set cover up to Policy.MaxSplits shipments: take the
//     location that can ship the most remaining units (ties: Policy.Rank,
//     then location ID), repeat. This favours fewest shipments first, then
//     distance, cost or priority. A line may be split across locations unless
//     Policy.KeepLinesWhole.
//   - Policy.FallbackTypes: the eligible set is tried alone first; only if it
//     cannot ship everything is the plan made again over eligible plus
//     fallback locations (eligible ones win ties), and the better plan kept.
//   - Policy.Dropship: units of dropship-eligible lines that own locations
//     could not ship go to the item's vendor. Vendor-type locations count as
//     unlimited stock unless the snapshot has an entry for (item, vendor),
//     which then caps it. Dropship groups do not count towards MaxSplits:
//     they ship only what no own location could.
//   - The rest follows Policy.Rest per line, except that a discontinued item
//     is never backordered (no supply is coming): it goes to the exception
//     queue instead.
//
// Plan never plans more at a location than the snapshot's available
// quantity, summed over lines of the same item. It does not validate the
// rule; a stored rule with missing fields gets safe defaults (rank by
// distance, no split, backorder). The same inputs always give the same
// Result, trace included.
func Plan(o Order, snap Snapshot, rules []Rule) Result {
	var res Result
	shipTo := resolveShipTo(o.ShipTo)
	rule, isDefault, trace := selectRule(o, shipTo.state, rules)
	res.RuleID, res.RuleVersion, res.RuleName, res.DefaultRule = rule.ID, rule.Version, rule.Name, isDefault
	res.Trace = trace
	res.Trace = append(res.Trace, shipTo.sentence)

	p := newPlanner(o, snap, normalise(rule.Policy), shipTo)
	p.run(&res)
	return res
}

func normalise(p Policy) Policy {
	if !slices.Contains(ranks, p.Rank) {
		p.Rank = RankDistance
	}
	if p.MaxSplits < 1 {
		p.MaxSplits = 1
	}
	if !slices.Contains(rests, p.Rest) {
		p.Rest = RestBackorder
	}
	return p
}

type shipTo struct {
	lat, lon float64
	ok       bool
	state    string
	sentence string
}

// resolveShipTo finds the ship-to coordinates: given ones first, else the
// ZIP centroid for US addresses. It also fills the state from the ZIP when
// the address has none, so region conditions still work.
func resolveShipTo(st ShipTo) shipTo {
	label := strings.TrimSpace(strings.Join(nonEmpty(st.PostalCode, strings.TrimSpace(strings.Join(nonEmpty(st.City, st.Region), ", "))), " "))
	if label == "" {
		label = "(no address)"
	}
	out := shipTo{state: strings.ToUpper(strings.TrimSpace(st.Region))}
	if st.HasCoords {
		out.lat, out.lon, out.ok = st.Lat, st.Lon, true
		out.sentence = fmt.Sprintf("Ship-to %s: coordinates from the address (%.4f, %.4f).", label, st.Lat, st.Lon)
		return out
	}
	country := strings.ToUpper(strings.TrimSpace(st.Country))
	if country == "" || country == "US" || country == "USA" {
		if pt, ok := geo.LookupZIP(st.PostalCode); ok {
			out.lat, out.lon, out.ok = pt.Lat, pt.Lon, true
			if out.state == "" {
				out.state = pt.State
			}
			if pt.Approx {
				out.sentence = fmt.Sprintf("Ship-to %s: ZIP not in the centroid table, using the centroid of its 3-digit prefix.", label)
			} else {
				out.sentence = fmt.Sprintf("Ship-to %s: coordinates from the ZIP centroid table.", label)
			}
			return out
		}
	}
	out.sentence = fmt.Sprintf("Ship-to %s: no coordinates (unknown postal code or not in the US); distances unknown.", label)
	return out
}

func nonEmpty(parts ...string) []string {
	out := parts[:0:0]
	for _, s := range parts {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// planner holds one Plan call's working data in dense slices, because a
// 1,000-line order over 50 locations must plan in milliseconds.
type planner struct {
	order  Order
	policy Policy
	ship   shipTo
	snap   Snapshot

	lines  []Line // lines with something to source
	item   []int  // per line: index into the availability matrix
	nItems int
	total  int64

	locs  []Location
	dist  []float64
	avail []int64 // [location index * nItems + item index]; own locations only

	scratch []int64 // per item, reused by coverage
}

// candidate is an eligible location with its sort keys.
type candidate struct {
	loc    int
	tier   int // 0 eligible, 1 fallback
	k1, k2 float64
}

type take struct {
	line int
	qty  int64
}

type allocation struct {
	cand  int // index into the candidate set
	takes []take
	units int64
}

type attempt struct {
	set          []candidate
	groups       []allocation
	rem          []int64
	first        []int64 // units each candidate could ship in round one
	planned      int64
	splitLimited bool
}

func newPlanner(o Order, snap Snapshot, pol Policy, st shipTo) *planner {
	p := &planner{order: o, policy: pol, ship: st, snap: snap}
	itemIdx := make(map[int64]int, len(o.Lines))
	p.lines = make([]Line, 0, len(o.Lines))
	p.item = make([]int, 0, len(o.Lines))
	for _, l := range o.Lines {
		if l.Quantity <= 0 {
			continue
		}
		idx, ok := itemIdx[l.ItemID]
		if !ok {
			idx = len(itemIdx)
			itemIdx[l.ItemID] = idx
		}
		p.lines = append(p.lines, l)
		p.item = append(p.item, idx)
		p.total += l.Quantity
	}
	p.nItems = len(itemIdx)
	p.locs = uniqueLocations(snap.Locations)
	p.dist = make([]float64, len(p.locs))
	p.avail = make([]int64, len(p.locs)*p.nItems)
	p.scratch = make([]int64, p.nItems)
	if st.ok {
		for li := range p.locs {
			p.dist[li] = geo.Distance(st.lat, st.lon, p.locs[li].Lat, p.locs[li].Lon)
		}
	}
	for id, idx := range itemIdx {
		byLoc := snap.Available[id]
		if len(byLoc) == 0 {
			continue
		}
		for li := range p.locs {
			if p.locs[li].Type == TypeVendor {
				continue
			}
			if q := byLoc[p.locs[li].ID]; q > 0 {
				p.avail[li*p.nItems+idx] = q
			}
		}
	}
	return p
}

// uniqueLocations drops repeated location IDs (first wins). It shares the
// caller's slice when there are none, the normal case, to keep a plan's
// allocations low.
func uniqueLocations(locs []Location) []Location {
	ids := make([]int64, len(locs))
	for i := range locs {
		ids[i] = locs[i].ID
	}
	slices.Sort(ids)
	if len(slices.Compact(ids)) == len(locs) {
		return locs
	}
	out := make([]Location, 0, len(locs))
	seen := make(map[int64]bool, len(locs))
	for _, l := range locs {
		if !seen[l.ID] {
			seen[l.ID] = true
			out = append(out, l)
		}
	}
	return out
}

func (p *planner) run(res *Result) {
	if len(p.lines) == 0 {
		res.Trace = append(res.Trace, "Nothing left to source.")
		return
	}
	if len(p.locs) == 0 {
		res.Trace = append(res.Trace, "The inventory snapshot has no locations.")
	}

	shipComplete := true
	switch {
	case p.order.ShipComplete:
		res.Trace = append(res.Trace, "Order is ship complete: one location must ship everything.")
	case p.policy.ShipComplete:
		res.Trace = append(res.Trace, "Rule ships complete: one location must ship everything.")
	case p.policy.NoSplitBelowCents > 0 && p.order.ValueCents < p.policy.NoSplitBelowCents:
		res.Trace = append(res.Trace, fmt.Sprintf("Order value %s is under %s: not splitting, one location must ship everything.",
			domain.Money(p.order.ValueCents), domain.Money(p.policy.NoSplitBelowCents)))
	default:
		shipComplete = false
		if p.policy.MaxSplits == 1 {
			res.Trace = append(res.Trace, "Rule allows no split: the best single location ships what it can.")
		} else {
			res.Trace = append(res.Trace, fmt.Sprintf("Up to %d shipments allowed.", p.policy.MaxSplits))
		}
	}
	if p.policy.Rank == RankDistance && !p.ship.ok {
		res.Trace = append(res.Trace, "Ranking by location priority instead of distance: the ship-to has no coordinates.")
	}

	primary, all, ineligible := p.candidates()
	if strings.EqualFold(p.order.ShipMethod, ShipMethodWillCall) {
		primary = p.pickup(res, primary)
		all = primary
	}
	a := p.attempt(primary, shipComplete)
	if len(all) > len(primary) && !(a.planned == p.total) {
		label := typeList(p.policy.Eligible.Types)
		if label == "" {
			label = "Eligible"
		}
		res.Trace = append(res.Trace, fmt.Sprintf("%s locations can ship %s of %s; adding fallback %s locations.",
			label, thousands(a.planned), units(p.total), typeList(p.policy.FallbackTypes)))
		b := p.attempt(all, shipComplete)
		if b.planned > a.planned || (b.planned == a.planned && len(b.groups) < len(a.groups)) {
			a = b
		} else {
			res.Trace = append(res.Trace, "Fallback locations do not improve the plan.")
		}
	}

	p.traceLocations(res, a, shipComplete, ineligible)
	for _, g := range a.groups {
		l := p.locs[a.set[g.cand].loc]
		grp := Group{LocationID: l.ID, LocationCode: l.Code, LocationName: l.Name}
		for _, t := range g.takes {
			ln := p.lines[t.line]
			grp.Lines = append(grp.Lines, GroupLine{LineID: ln.LineID, ItemID: ln.ItemID, SKU: ln.SKU, Quantity: t.qty})
		}
		res.Groups = append(res.Groups, grp)
	}

	vendorWhy := make([]string, len(p.lines))
	if p.policy.Dropship {
		if shipComplete {
			if a.planned == 0 {
				p.dropshipComplete(res, a.rem)
			}
		} else {
			p.dropship(res, a.rem, vendorWhy)
		}
	}
	p.rest(res, a, shipComplete, vendorWhy)
	p.summary(res)
}

// pickup narrows a will-call order to the one location the customer picks
// up at: the order's pickup location, else the eligible one nearest the
// ship-to. A customer driving to one branch cannot collect units from
// another branch or from a vendor, so nothing is split or dropshipped; what
// the branch lacks follows Policy.Rest.
func (p *planner) pickup(res *Result, primary []candidate) []candidate {
	p.policy.Dropship = false
	p.policy.MaxSplits = 1
	if id := p.order.PickupLocationID; id != 0 {
		for li := range p.locs {
			if l := p.locs[li]; l.ID == id && l.Type != TypeVendor {
				res.Trace = append(res.Trace, fmt.Sprintf("Will-call: the customer picks up at %s, where the order's earlier shipments were planned; only it ships.", locName(l)))
				return []candidate{{loc: li}}
			}
		}
	}
	if len(primary) == 0 {
		res.Trace = append(res.Trace, "Will-call: no eligible location for the customer to pick up at.")
		return nil
	}
	best := primary[0]
	if p.ship.ok {
		for _, c := range primary {
			if p.dist[c.loc] < p.dist[best.loc] {
				best = c
			}
		}
	}
	res.Trace = append(res.Trace, fmt.Sprintf("Will-call: the customer picks up at %s, the eligible location nearest the ship-to; only it ships, nothing is split or dropshipped.", locName(p.locs[best.loc])))
	return []candidate{best}
}

// candidates splits the snapshot's locations into the eligible set, the
// eligible-plus-fallback set (both in rank order) and the sentences for
// the locations that may not ship at all.
func (p *planner) candidates() (primary, all []candidate, ineligible []string) {
	el := p.policy.Eligible
	serves := el.Serves
	if serves == ServesMatch {
		serves = strings.ToLower(p.order.CustomerType)
	}
	listed := len(el.LocationIDs) > 0 || len(el.LocationCodes) > 0
	primary = make([]candidate, 0, len(p.locs))
	all = make([]candidate, 0, len(p.locs))
	for li := range p.locs {
		l := &p.locs[li] // by pointer: Location is large and this runs per plan
		if l.Type == TypeVendor {
			continue
		}
		name := locName(*l)
		if !l.Active {
			ineligible = append(ineligible, name+": inactive — not eligible")
			continue
		}
		if serves != "" && l.Serves != ServesBoth && !strings.EqualFold(l.Serves, serves) {
			ineligible = append(ineligible, fmt.Sprintf("%s: serves %s only — not eligible", name, strings.ToUpper(l.Serves)))
			continue
		}
		c := candidate{loc: li}
		switch p.policy.Rank {
		case RankCost:
			c.k1, c.k2 = float64(l.CostPerShipmentCents), p.dist[li]
		case RankPriority:
			c.k1, c.k2 = float64(l.Priority), p.dist[li]
		default:
			if p.ship.ok {
				c.k1 = p.dist[li]
			} else {
				c.k1 = float64(l.Priority)
			}
		}
		typeOK := len(el.Types) == 0 || containsFold(el.Types, l.Type)
		listOK := !listed || slices.Contains(el.LocationIDs, l.ID) || containsFold(el.LocationCodes, l.Code)
		switch {
		case typeOK && listOK:
			primary = append(primary, c)
			all = append(all, c)
		case containsFold(p.policy.FallbackTypes, l.Type):
			c.tier = 1
			all = append(all, c)
		case !typeOK:
			ineligible = append(ineligible, fmt.Sprintf("%s: a %s; rule ships from %s — not eligible", name, typeLabel(l.Type), typeList(el.Types)))
		default:
			ineligible = append(ineligible, name+": not in the rule's location list — not eligible")
		}
	}
	p.sortCandidates(primary)
	p.sortCandidates(all)
	return primary, all, ineligible
}

func (p *planner) sortCandidates(cs []candidate) {
	slices.SortFunc(cs, func(a, b candidate) int {
		if c := cmp.Compare(a.tier, b.tier); c != 0 {
			return c
		}
		if c := cmp.Compare(a.k1, b.k1); c != 0 {
			return c
		}
		if c := cmp.Compare(a.k2, b.k2); c != 0 {
			return c
		}
		return cmp.Compare(p.locs[a.loc].ID, p.locs[b.loc].ID)
	})
}

// coverage returns how many of the remaining units location li can ship.
// With commit it also returns what it would take per line. The scratch
// slice counts units already promised per item within this location, so
// two lines of one item never share the same stock twice.
func (p *planner) coverage(li int, rem []int64, whole, commit bool) (int64, []take) {
	base := li * p.nItems
	var sum int64
	var takes []take
	for i, q := range rem {
		if q == 0 {
			continue
		}
		it := p.item[i]
		a := p.avail[base+it] - p.scratch[it]
		if a <= 0 {
			continue
		}
		t := min(q, a)
		if whole && t < q {
			continue
		}
		p.scratch[it] += t
		sum += t
		if commit {
			takes = append(takes, take{line: i, qty: t})
		}
	}
	for i, q := range rem {
		if q != 0 {
			p.scratch[p.item[i]] = 0
		}
	}
	return sum, takes
}

// attempt plans over one candidate set. Each location is used at most once,
// so availability never needs copying: what a location ships is computed
// from its untouched stock in one pass.
func (p *planner) attempt(set []candidate, shipComplete bool) attempt {
	a := attempt{set: set, rem: make([]int64, len(p.lines)), first: make([]int64, len(set))}
	for i, l := range p.lines {
		a.rem[i] = l.Quantity
	}
	if shipComplete {
		best := -1
		for ci, c := range set {
			a.first[ci], _ = p.coverage(c.loc, a.rem, false, false)
			if best < 0 && a.first[ci] == p.total {
				best = ci
			}
		}
		if best >= 0 {
			a.commit(p, best, false)
		}
		return a
	}
	used := make([]bool, len(set))
	remaining := p.total
	for round := 0; remaining > 0; round++ {
		best, bestCov := -1, int64(0)
		for ci, c := range set {
			if used[ci] {
				continue
			}
			cov, _ := p.coverage(c.loc, a.rem, p.policy.KeepLinesWhole, false)
			if round == 0 {
				a.first[ci] = cov
			}
			if cov > bestCov {
				best, bestCov = ci, cov
			}
		}
		if best < 0 {
			break
		}
		if len(a.groups) == p.policy.MaxSplits {
			a.splitLimited = true
			break
		}
		used[best] = true
		remaining -= a.commit(p, best, p.policy.KeepLinesWhole)
	}
	return a
}

func (a *attempt) commit(p *planner, ci int, whole bool) int64 {
	units, takes := p.coverage(a.set[ci].loc, a.rem, whole, true)
	for _, t := range takes {
		a.rem[t.line] -= t.qty
	}
	a.groups = append(a.groups, allocation{cand: ci, takes: takes, units: units})
	a.planned += units
	return units
}

// traceLocations writes one sentence per location: eligible ones in rank
// order with what they had and whether they were chosen, then the others
// with why they could not ship.
func (p *planner) traceLocations(res *Result, a attempt, shipComplete bool, ineligible []string) {
	if len(a.set) == 0 && len(p.locs) > 0 {
		res.Trace = append(res.Trace, "No location is eligible under this rule.")
	}
	shipment := make([]int, len(a.set))
	for gi, g := range a.groups {
		shipment[g.cand] = gi + 1
	}
	res.Trace = slices.Grow(res.Trace, len(a.set)+len(ineligible)+4)
	// All sentences go into one buffer and become substrings of one
	// string: one allocation instead of one per location.
	b := make([]byte, 0, 112*len(a.set))
	ends := make([]int, len(a.set))
	for ci, c := range a.set {
		l := p.locs[c.loc]
		b = append(b, locName(l)...)
		b = append(b, ": "...)
		if c.tier == 1 {
			b = append(b, "fallback, "...)
		}
		switch p.policy.Rank {
		case RankCost:
			b = append(b, domain.Money(l.CostPerShipmentCents)...)
			b = append(b, " per shipment, "...)
		case RankPriority:
			b = append(b, "priority "...)
			b = strconv.AppendInt(b, int64(l.Priority), 10)
			b = append(b, ", "...)
		}
		if p.ship.ok {
			b = appendMiles(b, p.dist[c.loc])
		} else {
			b = append(b, "distance unknown"...)
		}
		b = append(b, ", has "...)
		b = appendThousands(b, a.first[ci])
		b = append(b, " of "...)
		b = appendUnits(b, p.total)
		b = append(b, " — "...)
		switch {
		case shipment[ci] > 0:
			g := a.groups[shipment[ci]-1]
			b = append(b, "chosen"...)
			if len(a.groups) > 1 || g.units != a.first[ci] {
				b = append(b, ", ships "...)
				b = appendUnits(b, g.units)
				b = append(b, " as shipment "...)
				b = strconv.AppendInt(b, int64(shipment[ci]), 10)
			}
		case a.first[ci] == 0:
			b = append(b, "skipped, no stock"...)
		case shipComplete:
			b = append(b, "skipped, cannot ship everything"...)
		case a.splitLimited:
			b = append(b, "skipped, split limit of "...)
			b = strconv.AppendInt(b, int64(p.policy.MaxSplits), 10)
			b = append(b, " reached"...)
		case p.policy.KeepLinesWhole:
			b = append(b, "skipped, has no remaining line in full"...)
		case len(a.groups) > 0 && a.first[ci] >= a.first[a.groups[0].cand]:
			b = append(b, "skipped, "...)
			b = append(b, locName(p.locs[a.set[a.groups[0].cand].loc])...)
			b = append(b, " ships as many and ranks ahead by "...)
			if p.policy.Rank == RankDistance && !p.ship.ok {
				b = append(b, RankPriority...)
			} else {
				b = append(b, p.policy.Rank...)
			}
		default:
			b = append(b, "skipped, other locations ship more of the order"...)
		}
		ends[ci] = len(b)
	}
	all, start := string(b), 0
	for _, end := range ends {
		res.Trace = append(res.Trace, all[start:end])
		start = end
	}
	res.Trace = append(res.Trace, ineligible...)
}

// vendorFor returns the dropship vendor location of a line, or why there is
// none usable.
func (p *planner) vendorFor(l Line) (Location, string) {
	if !l.Flags.DropshipEligible || l.Flags.DropshipVendorID == 0 {
		return Location{}, "not dropship-eligible"
	}
	for _, v := range p.locs {
		if v.ID != l.Flags.DropshipVendorID {
			continue
		}
		switch {
		case v.Type != TypeVendor:
			return Location{}, fmt.Sprintf("dropship vendor %s is not a vendor location", locName(v))
		case !v.Active:
			return Location{}, fmt.Sprintf("dropship vendor %s is inactive", locName(v))
		}
		return v, ""
	}
	return Location{}, fmt.Sprintf("dropship vendor #%d is not in the snapshot", l.Flags.DropshipVendorID)
}

// vendorStock is what a vendor can still ship of an item: unlimited (-1)
// unless the snapshot lists the pair, because vendors rarely share stock
// figures and the vendor confirms or rejects the order itself.
func (p *planner) vendorStock(item, vendor int64, used map[[2]int64]int64) int64 {
	q, ok := p.snap.Available[item][vendor]
	if !ok {
		return -1
	}
	return max(0, q-used[[2]int64{item, vendor}])
}

// dropship sends what own locations could not ship to the lines' vendors,
// one group per vendor in order of first line.
func (p *planner) dropship(res *Result, rem []int64, why []string) {
	used := map[[2]int64]int64{}
	groupOf := map[int64]int{}
	for i, q := range rem {
		if q == 0 {
			continue
		}
		l := p.lines[i]
		v, reason := p.vendorFor(l)
		if reason != "" {
			if l.Flags.DropshipEligible {
				why[i] = reason
			}
			continue
		}
		t := q
		if s := p.vendorStock(l.ItemID, v.ID, used); s >= 0 {
			t = min(q, s)
		}
		if t == 0 {
			why[i] = fmt.Sprintf("dropship vendor %s has none", locName(v))
			continue
		}
		used[[2]int64{l.ItemID, v.ID}] += t
		rem[i] -= t
		gi, ok := groupOf[v.ID]
		if !ok {
			gi = len(res.Groups)
			groupOf[v.ID] = gi
			res.Groups = append(res.Groups, Group{LocationID: v.ID, LocationCode: v.Code, LocationName: v.Name, Dropship: true})
		}
		res.Groups[gi].Lines = append(res.Groups[gi].Lines, GroupLine{LineID: l.LineID, ItemID: l.ItemID, SKU: l.SKU, Quantity: t})
		res.Trace = append(res.Trace, fmt.Sprintf("%s: %s dropshipped from %s — no own location could ship them.", lineName(l), units(t), locName(v)))
	}
}

// dropshipComplete ships a ship-complete order from one vendor when every
// line can go dropship from that same vendor; otherwise it does nothing.
func (p *planner) dropshipComplete(res *Result, rem []int64) {
	var vendor Location
	used := map[[2]int64]int64{}
	for i, l := range p.lines {
		v, reason := p.vendorFor(l)
		if reason != "" || (vendor.ID != 0 && v.ID != vendor.ID) {
			return
		}
		vendor = v
		if s := p.vendorStock(l.ItemID, v.ID, used); s >= 0 && s < rem[i] {
			return
		}
		used[[2]int64{l.ItemID, v.ID}] += rem[i]
	}
	g := Group{LocationID: vendor.ID, LocationCode: vendor.Code, LocationName: vendor.Name, Dropship: true}
	for i, l := range p.lines {
		g.Lines = append(g.Lines, GroupLine{LineID: l.LineID, ItemID: l.ItemID, SKU: l.SKU, Quantity: rem[i]})
		rem[i] = 0
	}
	res.Groups = append(res.Groups, g)
	res.Trace = append(res.Trace, fmt.Sprintf("Whole order dropshipped from %s — no own location has everything.", locName(vendor)))
}

// rest sends every unit still unplanned to the policy's Rest bucket, with
// the reason it could not ship.
func (p *planner) rest(res *Result, a attempt, shipComplete bool, vendorWhy []string) {
	var inStock []bool
	for i, q := range a.rem {
		if q == 0 {
			continue
		}
		if inStock == nil {
			inStock = p.inStock(a.set)
		}
		l := p.lines[i]
		var reason string
		switch {
		case shipComplete:
			reason = "ship complete and no single location has everything"
		case !inStock[p.item[i]]:
			reason = "no location has stock"
		case a.splitLimited:
			reason = fmt.Sprintf("split limit of %d shipments reached", p.policy.MaxSplits)
		case p.policy.KeepLinesWhole:
			reason = "no location has the whole line"
		default:
			reason = "not enough stock"
		}
		if vendorWhy[i] != "" {
			reason += "; " + vendorWhy[i]
		}
		lq := LineQty{LineID: l.LineID, ItemID: l.ItemID, SKU: l.SKU, Quantity: q, Reason: reason}
		action := p.policy.Rest
		if action == RestBackorder && l.Flags.Discontinued {
			action = RestException
			lq.Reason = "discontinued item cannot be backordered; " + reason
		} else if action == RestBackorder && p.order.CancelRest {
			action = RestCancel
			lq.Reason = "the customer takes what is available and cancels the rest; " + reason
		}
		switch action {
		case RestCancel:
			res.Cancels = append(res.Cancels, lq)
			res.Trace = append(res.Trace, fmt.Sprintf("%s: %s cancelled — %s", lineName(l), units(q), lq.Reason))
		case RestException:
			res.Exceptions = append(res.Exceptions, lq)
			res.Trace = append(res.Trace, fmt.Sprintf("%s: %s sent to the exception queue — %s", lineName(l), units(q), lq.Reason))
		default:
			res.Backorders = append(res.Backorders, lq)
			res.Trace = append(res.Trace, fmt.Sprintf("%s: %s backordered — %s", lineName(l), units(q), lq.Reason))
		}
	}
}

// inStock reports per item whether any location in the set has any.
func (p *planner) inStock(set []candidate) []bool {
	out := make([]bool, p.nItems)
	for _, c := range set {
		base := c.loc * p.nItems
		for it := range out {
			if p.avail[base+it] > 0 {
				out[it] = true
			}
		}
	}
	return out
}

func (p *planner) summary(res *Result) {
	var own, drop int
	var planned int64
	for _, g := range res.Groups {
		if g.Dropship {
			drop++
		} else {
			own++
		}
		for _, l := range g.Lines {
			planned += l.Quantity
		}
	}
	parts := []string{fmt.Sprintf("%s of %s planned in %d shipment", thousands(planned), units(p.total), own)}
	if own != 1 {
		parts[0] += "s"
	}
	if drop > 0 {
		parts = append(parts, fmt.Sprintf("%d dropship", drop))
	}
	for _, b := range []struct {
		qs   []LineQty
		verb string
	}{{res.Backorders, "backordered"}, {res.Cancels, "cancelled"}, {res.Exceptions, "sent to exceptions"}} {
		var n int64
		for _, q := range b.qs {
			n += q.Quantity
		}
		if n > 0 {
			parts = append(parts, units(n)+" "+b.verb)
		}
	}
	res.Trace = append(res.Trace, "Plan: "+strings.Join(parts, ", ")+".")
}
