package demo

import (
	"fmt"
	"github.com/oms/oms/geo"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/oms/oms/domain"
)

// orderNumberBase is the number before the first order: SO-100001.
const orderNumberBase = 100000

var (
	salesReps = []string{"sales@demo.test", "dana.whitfield@demo.test", "marco.ruiz@demo.test"}
	csrs      = []string{"csr@demo.test", "jordan.reyes@demo.test", "keisha.brooks@demo.test"}
	opsUsers  = []string{"ops@demo.test", "priya.shah@demo.test"}
	csrNotes  = []string{
		"Customer called asking for ETA",
		"Customer asked for tracking number, sent by e-mail",
		"Buyer confirmed dock hours 7am-3pm, liftgate needed",
		"Customer asked to hold delivery until Monday",
		"Called receiving to confirm ship-to address",
		"Customer requested copy of invoice",
		"Sales rep asked to expedite, job site start date moved up",
		"Customer asked about substitute for backordered item",
	}
)

// qtyAt is a quantity that moves at a time.
type qtyAt struct {
	at  time.Time
	qty int64
}

// wline is an order line while its life is simulated.
type wline struct {
	item    int
	qty     int64
	price   int64
	cancels []qtyAt
}

// wgroup is a fulfilment group while its life is simulated; never means
// it has not happened (and will not before Now).
type wgroup struct {
	loc                                   int
	dropship, fromAvail                   bool
	created, released, shipped, cancelled time.Time
	lines                                 []gline
	carrier, service, tracking            string
}

// gline is an order line's quantity in a group.
type gline struct {
	line int
	qty  int64
}

// holdPlan is a hold with its outcome.
type holdPlan struct {
	reason, note, placedBy  string
	placed, released        time.Time
	releasedBy, releaseNote string
}

// sim is one order's simulated life, from which its state at any moment
// follows.
type sim struct {
	g        *Generator
	draft    bool
	sourced  time.Time
	invoiced time.Time
	lines    []wline
	groups   []wgroup
	holds    []holdPlan
}

// bucketsAt returns every line's quantities at t. Quantity neither
// cancelled nor in a group is backordered once the order is sourced, and
// unsourced (open) before.
func (s *sim) bucketsAt(t time.Time) []domain.Buckets {
	out := make([]domain.Buckets, len(s.lines))
	for i, l := range s.lines {
		out[i].Ordered = l.qty
		for _, c := range l.cancels {
			if !c.at.After(t) {
				out[i].Cancelled += c.qty
			}
		}
	}
	for _, gr := range s.groups {
		if gr.created.After(t) || !gr.cancelled.After(t) {
			continue
		}
		for _, gl := range gr.lines {
			b := &out[gl.line]
			switch {
			case !gr.shipped.After(t):
				b.Shipped += gl.qty
			case !gr.released.After(t):
				b.Released += gl.qty
			default:
				b.Allocated += gl.qty
			}
		}
	}
	if !s.sourced.After(t) {
		for i := range out {
			out[i].Backordered = out[i].Open()
		}
	}
	return out
}

// openHoldsAt counts holds placed and not released at t.
func (s *sim) openHoldsAt(t time.Time) int {
	n := 0
	for _, h := range s.holds {
		if !h.placed.After(t) && h.released.After(t) {
			n++
		}
	}
	return n
}

// statusAt derives the order status at t.
func (s *sim) statusAt(t time.Time) domain.OrderStatus {
	return domain.DeriveOrderStatus(domain.OrderFacts{
		Draft: s.draft, Invoiced: !s.invoiced.After(t), OpenHolds: s.openHoldsAt(t), Lines: s.bucketsAt(t)})
}

// event is a timeline entry before it is known which change it makes.
type event struct {
	at                   time.Time
	kind, actor, summary string
	change               bool
}

// order generates the next order.
func (g *Generator) order() Order {
	r := g.rng
	now := g.now
	created := g.createdAt(g.done)
	age := now.Sub(created)
	b2c := chance(r, 0.3)
	var cust *Customer
	if b2c {
		cust = &g.m.Customers[g.nB2B+r.IntN(len(g.m.Customers)-g.nB2B)]
	} else {
		cust = &g.m.Customers[g.b2bWeights.pick(r)]
	}
	st := cust.ShipTos[0]
	if len(cust.ShipTos) > 1 && chance(r, 0.5) {
		st = cust.ShipTos[r.IntN(len(cust.ShipTos))]
	}
	o := Order{
		ID: int64(g.done + 1), Number: fmt.Sprintf("SO-%d", orderNumberBase+g.done+1),
		CustomerID: cust.ID, ShipToID: st.ID,
		ShipName: st.Name, ShipLine1: st.Line1, ShipLine2: st.Line2, ShipCity: st.City, ShipRegion: st.Region,
		ShipPostalCode: st.PostalCode, ShipLatitude: st.Latitude, ShipLongitude: st.Longitude,
		ShipComplete: cust.ShipComplete, CreatedAt: created, Priority: 5,
	}
	o.Channel = g.channel(cust)
	o.CustomerPO = g.customerPO(cust, o.Channel)

	// Lines.
	s := &sim{g: g}
	nLines := 1
	switch x := r.Float64(); {
	case b2c:
		nLines = 1 + int(3*math.Pow(r.Float64(), 2))
	case x < 0.0012:
		nLines = 200 + r.IntN(61)
	case x < 0.08:
		nLines = 20 + r.IntN(41)
	default:
		nLines = 1 + int(8*math.Pow(r.Float64(), 1.6))
	}
	used := make(map[int]bool, nLines)
	var weight int64
	for len(s.lines) < nLines {
		i := g.itemWeights.pick(r)
		it := &g.m.Items[i]
		if used[i] || (it.Discontinued && age < 30*24*time.Hour) {
			continue
		}
		used[i] = true
		packs := int64(1)
		if b2c {
			if chance(r, 0.2) {
				packs += int64(r.IntN(2))
			}
		} else {
			packs += int64(12 * math.Pow(r.Float64(), 2.5))
		}
		q := max(packs*it.PackQty, it.MinQty)
		s.lines = append(s.lines, wline{item: i, qty: q, price: g.price(cust.PriceLevel, i)})
		weight += q * it.WeightGrams
	}

	// Ship method, priority and requested date.
	switch x := r.IntN(100); {
	case b2c && x < 75, !b2c && x < 62:
		o.ShipMethod = "GROUND"
	case b2c && x < 93, !b2c && x < 74:
		o.ShipMethod = "2DAY"
	case b2c, !b2c && x < 80:
		o.ShipMethod = "NEXTDAY"
	case x < 88:
		o.ShipMethod = "WILLCALL"
	default:
		o.ShipMethod = "LTL"
	}
	if !b2c && (nLines >= 20 || weight > 150000) && o.ShipMethod != "WILLCALL" {
		o.ShipMethod = "LTL"
	}
	switch o.ShipMethod {
	case "NEXTDAY":
		o.Priority = 2
	case "2DAY":
		o.Priority = 3
	}
	if chance(r, 0.03) {
		o.Priority = 1
	}
	o.RequestedDate = created.Add(time.Duration(2+r.IntN(9)) * 24 * time.Hour).Truncate(24 * time.Hour)
	if o.ShipMethod == "NEXTDAY" {
		o.RequestedDate = created.Add(24 * time.Hour).Truncate(24 * time.Hour)
	}

	var ev []event
	actor, summary := g.intake(&o, cust)
	o.CreatedBy = actor
	ev = append(ev, event{created, "order.created", actor, summary, true})

	// Drafts: keyed but not submitted; their quantities wait as backorders
	// because every line's buckets must add up (invariant 1).
	if age < 4*24*time.Hour && (o.Channel == "phone" || o.Channel == "web") && chance(r, 0.04) {
		s.draft = true
		s.sourced = created
		s.invoiced = g.never
		ev[0].summary = "Draft saved by " + actor
		return g.finish(&o, cust, s, ev)
	}

	validated := created.Add(between(r, 20*time.Second, 4*time.Minute))
	s.sourced = validated.Add(between(r, time.Minute, 12*time.Minute))
	if !s.sourced.Before(now) {
		validated = created.Add(age / 3)
		s.sourced = created.Add(2 * age / 3)
	}
	validatedAt := len(ev)
	ev = append(ev, event{validated, "order.validated", "system",
		fmt.Sprintf("Validated: %d %s, prices from %s, credit OK", nLines, plural(nLines, "line"), cust.PriceLevel), false})
	if o.Channel == "edi" {
		ev = append(ev, event{validated.Add(time.Second), "message.out", "edi", "997 functional acknowledgement sent", false})
	}

	// Holds, placed at validation.
	cancelAt := g.never
	cancelWhy := ""
	if h, ok := g.hold(cust, &o, s, b2c, age, validated); ok {
		ev[validatedAt].summary = fmt.Sprintf("Validated: %d %s, prices from %s; %s", nLines, plural(nLines, "line"), cust.PriceLevel,
			strings.ToLower(holdLabel(h.reason))+" placed")
		s.holds = append(s.holds, h)
		ev = append(ev, event{h.placed, "hold.placed", h.placedBy, holdLabel(h.reason) + ": " + h.note, true})
		if h.released.Before(g.never) {
			if strings.HasPrefix(h.releaseNote, "Cancel") {
				cancelAt, cancelWhy = h.released, h.releaseNote
			}
			ev = append(ev, event{h.released, "hold.released", h.releasedBy, holdLabel(h.reason) + " released: " + h.releaseNote, true})
		}
	}
	holdEnd := s.sourced
	holdOpen := false
	for _, h := range s.holds {
		if h.released.After(holdEnd) {
			holdEnd = h.released
		}
		if !h.released.Before(g.never) {
			holdOpen = true
		}
	}
	release := holdEnd.Add(between(r, 10*time.Minute, 4*time.Hour))
	if holdOpen {
		release = g.never
	}
	live := holdOpen || release.Add(36*time.Hour).After(now)

	// Sourcing.
	cand := g.rank(b2c, st.Latitude, st.Longitude)
	primary := map[int]*wgroup{}
	var order []int
	addTo := func(loc int, line int, qty int64, dropship, fromAvail bool) {
		gr := primary[loc]
		if gr == nil {
			gr = &wgroup{loc: loc, dropship: dropship, fromAvail: fromAvail}
			primary[loc] = gr
			order = append(order, loc)
		}
		gr.lines = append(gr.lines, gline{line, qty})
	}
	shortQty := make([]int64, len(s.lines))
	maxSplit := 3
	if b2c {
		maxSplit = 2
	}
	// A will-call customer picks up at one branch: nothing is split or
	// dropshipped, as the sourcing engine plans it.
	willCall := o.ShipMethod == "WILLCALL"
	if willCall {
		maxSplit = 1
	}
	for li := range s.lines {
		l := &s.lines[li]
		it := &g.m.Items[l.item]
		rem := l.qty
		vendor := -1
		if it.DropshipEligible && !willCall {
			vendor = g.vendors[it.DropshipVendorID]
		}
		switch {
		case vendor >= 0 && chance(r, 0.3):
			addTo(vendor, li, rem, true, false)
			rem = 0
		case live:
			for _, loc := range cand[:min(maxSplit, len(cand))] {
				take := min(rem, g.avail[l.item][loc]/it.PackQty*it.PackQty)
				if take > 0 {
					g.avail[l.item][loc] -= take
					addTo(loc, li, take, false, true)
					rem -= take
				}
				if rem == 0 {
					break
				}
			}
			if rem > 0 && vendor >= 0 {
				addTo(vendor, li, rem, true, false)
				rem = 0
			}
		default:
			short := int64(0)
			if g.short[l.item] && chance(r, 0.5) {
				short = rem
			} else if chance(r, 0.05) && rem > it.PackQty {
				short = it.PackQty * (1 + r.Int64N(rem/it.PackQty-1))
			}
			rem -= short
			if rem > 0 {
				if len(cand) > 1 && !willCall && rem >= 2*it.PackQty && chance(r, 0.12) {
					half := rem / it.PackQty / 2 * it.PackQty
					addTo(cand[1], li, half, false, false)
					rem -= half
				}
				addTo(cand[0], li, rem, false, false)
			}
			rem = short
		}
		shortQty[li] = rem
	}
	anyShort := false
	for li, q := range shortQty {
		if q == 0 {
			continue
		}
		if cust.BackorderPolicy == "ship_available_cancel_rest" {
			s.lines[li].cancels = append(s.lines[li].cancels, qtyAt{s.sourced, q})
			continue
		}
		anyShort = true
	}
	// Backorders are filled when a purchase order arrives.
	fillAt := g.never
	if anyShort {
		fillAt = s.sourced.Add(between(r, 2*24*time.Hour, 20*24*time.Hour))
		for li, q := range shortQty {
			if q > 0 && g.short[s.lines[li].item] {
				// Short everywhere: wait for a purchase order from overseas.
				fillAt = s.sourced.Add(between(r, 5*24*time.Hour, 35*24*time.Hour))
				break
			}
		}
		if holdEnd.After(fillAt) {
			fillAt = holdEnd.Add(time.Hour)
		}
	}
	if o.ShipComplete && anyShort && release.Before(g.never) {
		release = fillAt.Add(between(r, 30*time.Minute, 4*time.Hour))
	}
	for k, loc := range order {
		gr := primary[loc]
		gr.created = s.sourced
		gr.released, gr.shipped, gr.cancelled = g.never, g.never, g.never
		if release.Before(g.never) {
			gr.released = release.Add(time.Duration(k) * between(r, time.Minute, 15*time.Minute))
			gr.shipped = gr.released.Add(g.shipDelay(o.ShipMethod, gr.dropship))
		}
		s.groups = append(s.groups, *gr)
	}
	if anyShort && fillAt.Before(now) {
		gr := wgroup{loc: cand[0], created: fillAt, cancelled: g.never, released: g.never, shipped: g.never}
		if !holdOpen {
			gr.released = fillAt.Add(between(r, 30*time.Minute, 4*time.Hour))
			gr.shipped = gr.released.Add(g.shipDelay(o.ShipMethod, false))
		}
		for li, q := range shortQty {
			if q > 0 && cust.BackorderPolicy == "allow" {
				gr.lines = append(gr.lines, gline{li, q})
			}
		}
		s.groups = append(s.groups, gr)
	}

	// Cancellation at the customer's request, unless everything left.
	if cancelAt.Equal(g.never) && chance(r, 0.025) {
		cancelAt = created.Add(between(r, 10*time.Minute, 30*time.Hour))
		cancelWhy = "Cancelled at customer request"
	}
	if cancelAt.Before(now) {
		g.cancel(s, cancelAt)
	} else {
		cancelAt = g.never
	}

	// Invoice once everything not cancelled has shipped.
	s.invoiced = g.never
	last, allShipped := time.Time{}, true
	final := s.bucketsAt(g.never.Add(-time.Hour))
	for _, b := range final {
		if b.Shipped != b.Ordered-b.Cancelled {
			allShipped = false
		}
	}
	for _, gr := range s.groups {
		if gr.cancelled.Before(g.never) {
			continue
		}
		if gr.shipped.After(last) {
			last = gr.shipped
		}
	}
	if allShipped && !last.IsZero() && last.Before(g.never) {
		s.invoiced = last.Add(between(r, 2*time.Hour, 60*time.Hour))
	}

	// Carriers and the timeline of sourcing and fulfilment.
	locCodes := make([]string, 0, len(order))
	for _, loc := range order {
		locCodes = append(locCodes, g.m.Locations[loc].Code)
	}
	sum := fmt.Sprintf("Sourced: %d %s", len(order), plural(len(order), "group"))
	if len(order) > 0 {
		sum += ", " + joinAnd(locCodes)
	}
	if n := countPositive(shortQty); n > 0 {
		if cust.BackorderPolicy == "allow" {
			sum += fmt.Sprintf("; %d %s backordered", n, plural(n, "line"))
		} else {
			sum += fmt.Sprintf("; %d short %s cancelled (ship available, cancel rest)", n, plural(n, "line"))
		}
	}
	ev = append(ev, event{s.sourced, "order.sourced", "system", sum, true})
	o.Trace, o.TraceAt = g.trace(&o, cust, cand, order, shortQty), s.sourced
	ev = append(ev, event{s.sourced.Add(between(r, 5*time.Second, 2*time.Minute)), "message.in", "erp", "ERP accepted order " + o.Number, false})
	if o.Channel == "edi" {
		ev = append(ev, event{s.sourced.Add(time.Minute), "message.out", "edi", "855 purchase order acknowledgement sent", false})
	} else if o.Channel == "web" || o.Channel == "marketplace" {
		ev = append(ev, event{s.sourced.Add(30 * time.Second), "message.out", "system", "Order confirmation e-mailed to " + cust.Email, false})
	}
	for k := range s.groups {
		gr := &s.groups[k]
		loc := g.m.Locations[gr.loc]
		if k == len(order) {
			ev = append(ev, event{gr.created, "order.sourced", "system",
				fmt.Sprintf("Backorder allocated at %s after purchase order receipt", loc.Code), true})
		}
		if gr.released.Before(g.never) {
			gr.carrier, gr.service = g.carrier(o.ShipMethod, b2c, gr.dropship)
			what := "released to WMS at " + loc.Code
			if gr.dropship {
				what = "sent to vendor " + loc.Code + " as a dropship PO"
			}
			ev = append(ev, event{gr.released, "group.released", "system", fmt.Sprintf("Group %d %s", k+1, what), true})
		}
		if gr.shipped.Before(g.never) && !gr.shipped.After(gr.cancelled) {
			gr.tracking = g.tracking(gr.carrier)
			how := gr.carrier + " " + gr.service
			if gr.tracking != "" {
				how += ", tracking " + gr.tracking
			}
			actor := "wms:" + loc.Code
			if gr.dropship {
				actor = "vendor:" + loc.Code
			}
			ev = append(ev, event{gr.shipped, "group.shipped", actor, fmt.Sprintf("Group %d shipped from %s via %s", k+1, loc.Code, how), true})
			if o.Channel == "edi" {
				ev = append(ev, event{gr.shipped.Add(2 * time.Minute), "message.out", "edi", "856 ship notice sent for group " + fmt.Sprint(k+1), false})
			} else if b2c {
				ev = append(ev, event{gr.shipped.Add(time.Minute), "message.out", "system", "Shipment e-mail sent to " + cust.Email, false})
			}
		}
	}
	if cancelAt.Before(g.never) {
		ev = append(ev, event{cancelAt, "order.cancelled", pick(r, csrs), cancelWhy, true})
	}
	if s.invoiced.Before(g.never) {
		g.invoice++
		ev = append(ev, event{s.invoiced, "order.invoiced", "erp", fmt.Sprintf("Invoice INV-%d posted by ERP", g.invoice), true})
	}
	if chance(r, 0.1) {
		at := created.Add(between(r, time.Hour, 10*24*time.Hour))
		ev = append(ev, event{at, "note", pick(r, csrs), pick(r, csrNotes), false})
	}
	return g.finish(&o, cust, s, ev)
}

// cancel cancels everything not shipped at t: groups already created are
// cancelled, later ones never happen, and each line's rest is cancelled.
func (g *Generator) cancel(s *sim, t time.Time) {
	kept := s.groups[:0]
	for _, gr := range s.groups {
		switch {
		case !gr.shipped.After(t):
		case !gr.created.After(t):
			gr.cancelled = t
			if gr.released.After(t) {
				gr.released = g.never
			}
			gr.shipped = g.never
		default:
			continue
		}
		kept = append(kept, gr)
	}
	s.groups = kept
	b := s.bucketsAt(t)
	for i := range s.lines {
		if q := b[i].Ordered - b[i].Cancelled - b[i].Shipped; q > 0 {
			s.lines[i].cancels = append(s.lines[i].cancels, qtyAt{t, q})
		}
	}
}

// finish turns a simulated order into its state at Now.
func (g *Generator) finish(o *Order, cust *Customer, s *sim, ev []event) Order {
	r := g.rng
	now := g.now
	b := s.bucketsAt(now)
	for i, l := range s.lines {
		g.lineID++
		it := &g.m.Items[l.item]
		ln := Line{ID: g.lineID, OrderID: o.ID, LineNo: i + 1, ItemID: it.ID, SKU: it.SKU, Description: it.Description,
			Quantity: l.qty, UnitPriceCents: l.price, Cancelled: b[i].Cancelled, Backordered: b[i].Backordered,
			Allocated: b[i].Allocated, Released: b[i].Released, Shipped: b[i].Shipped, Status: domain.LineStatus(b[i])}
		o.TotalCents += (l.qty - b[i].Cancelled) * l.price
		if ln.Backordered > 0 {
			o.HasBackorder = true
			if !s.draft {
				g.backordered[l.item][g.nearestOwn(o, cust)] += ln.Backordered
			}
		}
		o.Lines = append(o.Lines, ln)
	}
	o.Status = s.statusAt(now)
	o.HasHold = s.openHoldsAt(now) > 0
	for k, gr := range s.groups {
		if gr.created.After(now) {
			continue
		}
		g.groupID++
		loc := g.m.Locations[gr.loc]
		out := Group{ID: g.groupID, OrderID: o.ID, Seq: k + 1, LocationID: loc.ID, Dropship: gr.dropship,
			CreatedAt: gr.created, Status: GroupPlanned}
		live := true
		switch {
		case !gr.cancelled.After(now):
			out.Status, out.CancelledAt, live = GroupCancelled, gr.cancelled, false
		case !gr.shipped.After(now):
			out.Status, out.ShippedAt, live = GroupShipped, gr.shipped, false
			out.TrackingNumber = gr.tracking
		case !gr.released.After(now):
			out.Status = GroupReleased
		}
		if !gr.released.After(now) {
			out.ReleasedAt = gr.released
			out.Carrier, out.Service = gr.carrier, gr.service
		}
		for _, gl := range gr.lines {
			item := s.lines[gl.line].item
			out.Lines = append(out.Lines, GroupLine{GroupID: out.ID, OrderLineID: o.Lines[gl.line].ID,
				ItemID: g.m.Items[item].ID, Quantity: gl.qty})
			if live {
				g.alloc[item][gr.loc] += gl.qty
			} else if gr.fromAvail {
				g.avail[item][gr.loc] += gl.qty
			}
		}
		o.Groups = append(o.Groups, out)
	}
	for _, h := range s.holds {
		if h.placed.After(now) {
			continue
		}
		g.holdID++
		hold := Hold{ID: g.holdID, OrderID: o.ID, Reason: h.reason, Note: h.note, PlacedBy: h.placedBy, PlacedAt: h.placed}
		exc := Exception{Kind: "hold_" + h.reason, OrderID: o.ID, HoldID: hold.ID, Severity: holdSeverity(h.reason),
			Summary: holdLabel(h.reason) + " on " + o.Number + ": " + h.note, SLADueAt: h.placed.Add(holdSLA(h.reason)),
			Status: "open", CreatedAt: h.placed}
		if !h.released.After(now) {
			hold.ReleasedBy, hold.ReleasedAt, hold.ReleaseNote = h.releasedBy, h.released, h.releaseNote
			exc.Status, exc.ResolvedAt, exc.ResolvedBy, exc.ResolutionNote = "resolved", h.released, h.releasedBy, h.releaseNote
		} else if chance(r, 0.25) {
			exc.Status = "in_progress"
		}
		o.Holds = append(o.Holds, hold)
		o.Exceptions = append(o.Exceptions, exc)
	}
	// Backorders older than a week need someone to look at them.
	if o.HasBackorder && !s.draft && now.Sub(s.sourced) > 7*24*time.Hour {
		for _, l := range o.Lines {
			if l.Backordered > 0 {
				o.Exceptions = append(o.Exceptions, Exception{Kind: "backorder_aging", OrderID: o.ID, OrderLineID: l.ID,
					Severity: "medium", Summary: fmt.Sprintf("%s line %d: %d x %s backordered for %d days", o.Number, l.LineNo,
						l.Backordered, l.SKU, int(now.Sub(s.sourced).Hours()/24)),
					SLADueAt: s.sourced.Add(10 * 24 * time.Hour), Status: "open", CreatedAt: s.sourced.Add(7 * 24 * time.Hour)})
				break
			}
		}
	}
	// Timeline: what happened by Now, in order, with the status change.
	sort.SliceStable(ev, func(i, j int) bool { return ev[i].at.Before(ev[j].at) })
	var prev time.Time
	for _, e := range ev {
		if e.at.After(now) {
			continue
		}
		out := Event{OrderID: o.ID, Kind: e.kind, Actor: e.actor, At: e.at, Summary: e.summary}
		if e.change {
			if e.kind != "order.created" {
				out.Before = string(s.statusAt(e.at.Add(-time.Millisecond)))
			}
			out.After = string(s.statusAt(e.at))
			if e.kind == "order.created" && !s.draft {
				out.After = string(domain.StatusOpen)
			}
		}
		if !out.At.After(prev) {
			out.At = prev.Add(time.Millisecond)
		}
		prev = out.At
		o.Events = append(o.Events, out)
	}
	o.UpdatedAt = prev
	g.outbox(o)
	return *o
}

// outbox writes the messages of an order: of the last two days, order
// acceptance to the ERP and released groups to the WMS or vendor,
// delivered but for the newest. A group released but not yet shipped,
// however old, has its release message pending, handed to the ERP/WMS
// (the simulator of serve --demo) when the demo starts, so that it ships
// and is invoiced like a new one; their first tries are spread over
// releaseSpread so that the demo's first minute is no flood.
func (g *Generator) outbox(o *Order) {
	r := g.rng
	now := g.now
	if o.Status == domain.StatusDraft {
		return
	}
	recent := now.Sub(o.CreatedAt) <= 48*time.Hour
	add := func(topic, dest string, groupID int64, at time.Time) *OutboxMessage {
		m := OutboxMessage{MessageID: fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", r.Uint32(), r.IntN(1<<16), 0x4000|r.IntN(1<<12),
			0x8000|r.IntN(1<<14), r.Int64N(1<<48)), Topic: topic, Destination: dest, OrderID: o.ID, GroupID: groupID,
			Status: "delivered", Attempts: 1, NextAttemptAt: at, CreatedAt: at, DeliveredAt: at.Add(between(r, 50*time.Millisecond, 3*time.Second))}
		switch {
		case now.Sub(at) < 3*time.Minute:
			m.Status, m.Attempts, m.DeliveredAt = "pending", 0, time.Time{}
		case chance(r, 0.02):
			m.Status, m.Attempts, m.DeliveredAt = "pending", 3, time.Time{}
			m.LastError = "HTTP 503 Service Unavailable from " + dest
			m.NextAttemptAt = now.Add(between(r, time.Minute, 10*time.Minute))
		}
		o.Outbox = append(o.Outbox, m)
		return &o.Outbox[len(o.Outbox)-1]
	}
	if recent {
		add("order.accepted", "erp", 0, o.CreatedAt.Add(time.Second))
	}
	for _, gr := range o.Groups {
		if gr.ReleasedAt.IsZero() {
			continue
		}
		dest := "wms"
		if gr.Dropship {
			dest = "vendor"
		}
		var m *OutboxMessage
		switch {
		case recent:
			m = add("group.released", dest, gr.ID, gr.ReleasedAt)
		case gr.Status == GroupReleased:
			o.Outbox = append(o.Outbox, OutboxMessage{MessageID: fmt.Sprintf("demo-group-released-%d", gr.ID), Topic: "group.released",
				Destination: dest, OrderID: o.ID, GroupID: gr.ID})
			m = &o.Outbox[len(o.Outbox)-1]
		default:
			continue
		}
		if gr.Status == GroupReleased {
			m.Status, m.Attempts, m.DeliveredAt, m.LastError = "pending", 0, time.Time{}, ""
			// Spread by order: one order's messages go out in the order
			// written, so they are due together.
			m.CreatedAt, m.NextAttemptAt = now, now.Add(releaseSpread*time.Duration(o.ID*7919%1000)/1000)
		}
	}
}

// releaseSpread is the time over which the pending release messages of
// the demo's released groups are first tried.
const releaseSpread = 10 * time.Minute

// rank orders the own locations that may ship to a point: B2B from every
// DC by distance; B2C from the 3PL first, then DCs that serve B2C.
func (g *Generator) rank(b2c bool, lat, lon float64) []int {
	var out []int
	if b2c {
		out = append(out, g.b2cOwn...)
	} else {
		for _, li := range g.own {
			if g.m.Locations[li].Serves != "b2c" {
				out = append(out, li)
			}
		}
	}
	d := func(li int) float64 {
		l := g.m.Locations[li]
		dist := geo.Distance(lat, lon, l.Latitude, l.Longitude)
		if l.Type == "3pl" {
			dist -= 1e6
		}
		return dist
	}
	sort.SliceStable(out, func(i, j int) bool { return d(out[i]) < d(out[j]) })
	return out
}

// nearestOwn is where an order's backorders are expected to be received.
func (g *Generator) nearestOwn(o *Order, cust *Customer) int {
	return g.rank(cust.Type == "b2c", o.ShipLatitude, o.ShipLongitude)[0]
}

// trace explains the sourcing decision in plain sentences, in the words of
// the engine's trace, under the demo rule that would have matched.
func (g *Generator) trace(o *Order, cust *Customer, cand, chosen []int, short []int64) []string {
	var out []string
	if cust.Type == "b2c" {
		out = append(out, `Rule "B2C from the 3PL, DCs as fallback" (v1) matched: customer type B2C.`)
	} else {
		out = append(out, `Rule "B2B nearest DC" (v1) matched: customer type B2B.`)
	}
	out = append(out, fmt.Sprintf("Ship-to %s %s, %s.", o.ShipPostalCode, o.ShipCity, o.ShipRegion))
	for _, li := range cand[:min(4, len(cand))] {
		l := g.m.Locations[li]
		used := false
		for _, c := range chosen {
			used = used || c == li
		}
		verdict := "not needed: nearer locations covered the order"
		if used {
			verdict = "chosen"
		}
		out = append(out, fmt.Sprintf("%s (%s): %s mi — %s.", l.Name, l.Code,
			thousands(int64(geo.Distance(o.ShipLatitude, o.ShipLongitude, l.Latitude, l.Longitude)+0.5)), verdict))
	}
	for _, li := range chosen {
		if g.m.Locations[li].Type == "vendor" {
			out = append(out, fmt.Sprintf("Dropship from %s (%s) for the vendor-direct items no own location had.", g.m.Locations[li].Name, g.m.Locations[li].Code))
		}
	}
	if n := countPositive(short); n > 0 {
		out = append(out, fmt.Sprintf("%d %s short at every eligible location: backordered.", n, plural(n, "line")))
	}
	return out
}

// thousands formats n with comma separators.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// channel picks how an order came in.
func (g *Generator) channel(cust *Customer) string {
	r := g.rng
	x := r.IntN(100)
	if cust.Type == "b2c" {
		if x < 70 {
			return "web"
		}
		return "marketplace"
	}
	if g.edi[cust.ID] && x < 85 {
		return "edi"
	}
	switch {
	case x < 38:
		return "phone"
	case x < 56:
		return "api"
	case x < 70:
		return "csv"
	case x < 88:
		return "web"
	case x < 95:
		return "punchout"
	}
	return "phone"
}

// customerPO makes the customer's purchase order number in the account's
// own style.
func (g *Generator) customerPO(cust *Customer, channel string) string {
	r := g.rng
	if cust.Type == "b2c" {
		if channel == "marketplace" {
			return fmt.Sprintf("11%d-%07d-%07d", r.IntN(10), r.IntN(10000000), r.IntN(10000000))
		}
		return ""
	}
	g.poSeq[cust.ID]++
	n := g.poSeq[cust.ID]
	var po string
	switch cust.ID % 4 {
	case 0:
		po = fmt.Sprintf("PO-%d", 200000+cust.ID*1000+n)
	case 1:
		po = fmt.Sprintf("45%08d", cust.ID*100000+n)
	case 2:
		po = fmt.Sprintf("%s-%05d", strings.ToUpper(cust.Name[:3]), 1000+n)
	default:
		po = fmt.Sprintf("PO%d", 880000+cust.ID*500+n)
	}
	g.lastPO[cust.ID] = po
	return po
}

// intake returns who entered the order and the timeline's first sentence.
func (g *Generator) intake(o *Order, cust *Customer) (actor, summary string) {
	r := g.rng
	switch o.Channel {
	case "edi":
		g.interchange++
		return "edi", fmt.Sprintf("EDI 850 received, interchange %09d", g.interchange)
	case "phone":
		a := pick(r, salesReps)
		return a, "Phone order keyed by " + a
	case "api":
		return "api:" + cust.Account, fmt.Sprintf("API order received from %s integration", cust.Account)
	case "csv":
		a := pick(r, csrs)
		return a, fmt.Sprintf("CSV upload orders-%s.csv, row %d, by %s", o.CreatedAt.Format("20060102"), 2+r.IntN(40), a)
	case "marketplace":
		return "marketplace", "Marketplace order imported, ref " + o.CustomerPO
	case "punchout":
		return "punchout", "Punchout order (cXML OrderRequest) from " + cust.Name + " procurement"
	}
	return cust.Email, "Web order placed by " + cust.Email
}

// hold decides whether validation puts the order on hold, and when and how
// the hold ends.
func (g *Generator) hold(cust *Customer, o *Order, s *sim, b2c bool, age time.Duration, at time.Time) (holdPlan, bool) {
	r := g.rng
	h := holdPlan{placed: at, placedBy: "system", released: g.never}
	switch {
	case cust.CreditStatus == "hold" && age < 21*24*time.Hour:
		h.reason = "credit"
	case b2c && chance(r, 0.045):
		h.reason = pick(r, []string{"address", "address", "fraud", "manual"})
	case !b2c && chance(r, 0.09):
		h.reason = pick(r, []string{"credit", "credit", "credit", "duplicate_po", "address", "price", "price", "manual"})
		if o.Channel == "edi" && chance(r, 0.3) {
			h.reason = "edi_review"
		}
	default:
		return h, false
	}
	var dur time.Duration
	switch h.reason {
	case "credit":
		if cust.CreditStatus == "hold" {
			h.note = fmt.Sprintf("%s is on credit hold in the ERP (open AR %s).", cust.Account, domain.Money(cust.OpenARCents))
		} else {
			h.note = fmt.Sprintf("Credit review: this order against a limit of %s with %s open AR and other open orders.",
				domain.Money(cust.CreditLimitCents), domain.Money(cust.OpenARCents))
		}
		dur = between(r, 2*time.Hour, 6*24*time.Hour)
		h.releaseNote = "Payment received, approved by credit"
		if cust.CreditStatus == "hold" && age < 10*24*time.Hour {
			dur = 100 * 365 * 24 * time.Hour // the account stays on hold until AR is paid
		}
	case "duplicate_po":
		if po, ok := g.lastPO[cust.ID]; ok && o.CustomerPO != po {
			o.CustomerPO = po
		}
		h.note = "Customer PO " + o.CustomerPO + " already used on an earlier order"
		dur = between(r, 30*time.Minute, 8*time.Hour)
		h.releaseNote = "Customer confirmed a separate order"
		if chance(r, 0.4) {
			h.releaseNote = "Cancelled: duplicate of an earlier order"
		}
	case "address":
		h.note = "Ship-to address could not be validated"
		dur = between(r, time.Hour, 24*time.Hour)
		h.releaseNote = "Address confirmed with customer"
	case "price":
		s.lines[0].price = s.lines[0].price * 106 / 100
		h.note = fmt.Sprintf("Line 1 price differs from the %s price list by 6%%", cust.PriceLevel)
		dur = between(r, time.Hour, 24*time.Hour)
		h.releaseNote = "Price approved by sales"
	case "fraud":
		h.note = "Billing and shipping addresses far apart, new account"
		dur = between(r, time.Hour, 12*time.Hour)
		h.releaseNote = "Card verified with customer"
		if chance(r, 0.3) {
			h.releaseNote = "Cancelled: card verification failed"
		}
	case "manual":
		h.placedBy = pick(r, csrs)
		h.note = "Customer asked to hold shipment pending approval"
		dur = between(r, 2*time.Hour, 3*24*time.Hour)
		h.releaseNote = "Customer approved release"
	case "edi_review":
		h.note = "EDI 850 has an unknown buyer part number"
		dur = between(r, time.Hour, 12*time.Hour)
		h.releaseNote = "Part number mapped, order reviewed"
	}
	if end := at.Add(dur); end.Before(g.now) {
		h.released = end
		h.releasedBy = pick(r, opsUsers)
		if h.reason == "manual" || h.reason == "address" {
			h.releasedBy = pick(r, csrs)
		}
	}
	return h, true
}

// shipDelay is how long a released group takes to leave.
func (g *Generator) shipDelay(method string, dropship bool) time.Duration {
	r := g.rng
	switch {
	case dropship:
		return between(r, 24*time.Hour, 96*time.Hour)
	case method == "NEXTDAY" || method == "2DAY":
		return between(r, 2*time.Hour, 10*time.Hour)
	case method == "LTL":
		return between(r, 12*time.Hour, 48*time.Hour)
	case method == "WILLCALL":
		return between(r, 4*time.Hour, 72*time.Hour)
	}
	return between(r, 3*time.Hour, 30*time.Hour)
}

// carrier chooses carrier and service for a ship method.
func (g *Generator) carrier(method string, b2c, dropship bool) (string, string) {
	r := g.rng
	if method == "LTL" && !dropship {
		return pick(r, []string{"Old Dominion", "Estes", "XPO", "Saia"}), "LTL Standard"
	}
	if method == "WILLCALL" && !dropship {
		return "WILL CALL", "Customer pickup"
	}
	c := "UPS"
	switch x := r.IntN(10); {
	case b2c && x < 3:
		c = "USPS"
	case x < 6:
		c = "FedEx"
	}
	services := map[string][3]string{
		"UPS":   {"Ground", "2nd Day Air", "Next Day Air"},
		"FedEx": {"Ground", "2Day", "Standard Overnight"},
		"USPS":  {"Ground Advantage", "Priority Mail", "Priority Mail Express"},
	}[c]
	switch method {
	case "2DAY":
		return c, services[1]
	case "NEXTDAY":
		return c, services[2]
	}
	return c, services[0]
}

// tracking makes a tracking number in the carrier's format.
func (g *Generator) tracking(carrier string) string {
	r := g.rng
	digits := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('0' + r.IntN(10))
		}
		return string(b)
	}
	switch carrier {
	case "UPS":
		const alnum = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
		b := []byte("1Z")
		for range 6 {
			b = append(b, alnum[r.IntN(len(alnum))])
		}
		return string(b) + pick(r, []string{"03", "02", "01"}) + digits(8)
	case "FedEx":
		return digits(12)
	case "USPS":
		return "9400" + digits(18)
	case "Old Dominion":
		return digits(11)
	case "WILL CALL":
		return ""
	}
	return digits(10)
}

// price is an item's unit price at a price level.
func (g *Generator) price(level string, item int) int64 {
	p := g.m.Items[item].ListPriceCents
	switch level {
	case PriceWholesale:
		return (p*85 + 50) / 100
	case PriceDistributor:
		return (p*75 + 50) / 100
	}
	return p
}

// holdLabel names a hold reason for people.
func holdLabel(reason string) string { return domain.HoldReasonLabel(reason) + " hold" }

// holdSeverity is how urgent an open hold of a reason is.
func holdSeverity(reason string) string {
	switch reason {
	case "fraud":
		return "critical"
	case "credit":
		return "high"
	case "manual":
		return "low"
	}
	return "medium"
}

// holdSLA is how soon a hold of a reason should be worked.
func holdSLA(reason string) time.Duration {
	switch reason {
	case "fraud":
		return 2 * time.Hour
	case "credit", "duplicate_po", "edi_review":
		return 8 * time.Hour
	case "manual":
		return 48 * time.Hour
	}
	return 24 * time.Hour
}

// plural adds an s to word unless n is 1.
func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// joinAnd joins words as "A, B and C".
func joinAnd(ws []string) string {
	if len(ws) <= 1 {
		return strings.Join(ws, "")
	}
	return strings.Join(ws[:len(ws)-1], ", ") + " and " + ws[len(ws)-1]
}

// countPositive counts the positive entries of xs.
func countPositive(xs []int64) int {
	n := 0
	for _, x := range xs {
		if x > 0 {
			n++
		}
	}
	return n
}
