package sourcing

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/geo"
)

// Group statuses a manual change works with (fulfilment_groups.status).
const (
	GroupPlanned  = "planned"
	GroupReleased = "released"
)

// Current is an order's fulfilment as a person changing it by hand sees it:
// the order (each line's Quantity is its open quantity: ordered less
// cancelled and shipped), the backordered units per line, and the planned
// and released groups.
type Current struct {
	Order       Order
	Backordered map[int64]int64 // by line ID
	Groups      []LiveGroup     // planned and released, by Seq
	// ShippedAt lists the locations of groups already shipped, which
	// ship-complete and will-call checks count.
	ShippedAt []int64
	// MaxSeq is the highest group number the order has used, so that a
	// preview numbers new shipments as the change will.
	MaxSeq int
}

// LiveGroup is a planned or released fulfilment group.
type LiveGroup struct {
	Seq             int         `json:"seq"`
	LocationID      int64       `json:"location_id"`
	LocationCode    string      `json:"location_code"`
	Dropship        bool        `json:"dropship"`
	Status          string      `json:"status"` // GroupPlanned or GroupReleased
	RecallRequested bool        `json:"recall_requested"`
	Lines           []GroupLine `json:"lines"`
}

// Units is how many units the group ships.
func (g LiveGroup) Units() int64 {
	var n int64
	for _, l := range g.Lines {
		n += l.Quantity
	}
	return n
}

// Move takes Quantity units of order line LineNo out of a shipment (From,
// its number; 0 for the line's backordered units) and plans them at a
// location (To, its code; "" returns them to backorder). Moving part of a
// line is a split; moving every line of a shipment moves the shipment.
type Move struct {
	LineNo   int    `json:"line_no"`
	From     int    `json:"from_shipment"`
	To       string `json:"to"`
	Quantity int64  `json:"quantity"`
}

// Outcome is what a plan costs the business: shipments still to ship, their
// estimated cost and the units left backordered.
type Outcome struct {
	Shipments   int   `json:"shipments"`
	CostCents   int64 `json:"cost_cents"`
	Backordered int64 `json:"backordered"`
}

// PreviewGroup is one shipment of the plan after a change.
type PreviewGroup struct {
	Seq          int           `json:"seq"`
	LocationID   int64         `json:"location_id"`
	LocationCode string        `json:"location_code"`
	LocationName string        `json:"location_name"`
	Dropship     bool          `json:"dropship"`
	Status       string        `json:"status"`
	New          bool          `json:"new"`     // created by the change
	Changed      bool          `json:"changed"` // its lines change
	Gained       bool          `json:"gained"`  // units move into it
	Recall       bool          `json:"recall"`  // released: units leave it only once the WMS confirms a recall
	Units        int64         `json:"units"`
	Lines        []PreviewLine `json:"lines"`
	ShipDate     time.Time     `json:"ship_date"` // estimated
}

// PreviewLine is the quantity of one order line in a shipment.
type PreviewLine struct {
	LineNo   int    `json:"line_no"`
	SKU      string `json:"sku"`
	Quantity int64  `json:"quantity"`
}

// Preview is what a manual change would do, computed without reserving
// anything: the plan before and after, shipments, cost, ship dates, the
// released shipments that must be recalled first and the rules it breaks.
type Preview struct {
	Before Outcome        `json:"before"`
	After  Outcome        `json:"after"`
	Groups []PreviewGroup `json:"groups"`
	// Now are the moves that take effect when the change is confirmed;
	// Recalls are the moves that wait for the WMS to give a released
	// shipment back, by shipment number.
	Now     []Move         `json:"now"`
	Recalls map[int][]Move `json:"recalls"`
	// Breaks are the rules the change breaks that the plan before did not:
	// allowed only as a flagged override with a reason.
	Breaks   []string `json:"breaks"`
	RuleName string   `json:"rule_name"`
	// Steps say each move in words.
	Steps []string `json:"steps"`
}

// PreviewChange applies moves, in order, to a copy of the current plan and
// says what the result would be. snap holds available to promise without
// this order's own reservations; units a move takes out of a planned
// shipment become available to later moves at once, units in a released
// shipment only once the WMS confirms the recall. It is pure: the same
// inputs give the same Preview, and nothing is reserved.
//
// It returns an EINVALID *domain.Error whose Fields are keyed "moves[i]"
// when a move cannot be made at all: an unknown line, shipment or location,
// more units than are there, an inactive location, a vendor that is not
// the item's dropship vendor, or more than the location has available.
func PreviewChange(cur Current, snap Snapshot, rules []Rule, moves []Move, now time.Time) (Preview, error) {
	w := newWorking(cur, snap)
	pv := Preview{Recalls: map[int][]Move{}}
	if len(moves) == 0 {
		return pv, domain.Invalid("Nothing to change: the plan is as it was.", map[string]string{"moves": "are empty"})
	}
	fields := map[string]string{}
	for i, m := range moves {
		step, recall, err := w.apply(m)
		if err != "" {
			fields[fmt.Sprintf("moves[%d]", i)] = err
			continue
		}
		pv.Steps = append(pv.Steps, step)
		if recall {
			pv.Recalls[m.From] = append(pv.Recalls[m.From], m)
		} else {
			pv.Now = append(pv.Now, m)
		}
	}
	if len(fields) > 0 {
		msg := "The change cannot be made."
		if len(fields) == 1 {
			for _, v := range fields {
				msg = v
			}
		}
		return pv, domain.Invalid(msg, fields)
	}
	before := newWorking(cur, snap)
	pv.Before, pv.After = before.outcome(), w.outcome()
	pv.Groups = w.previewGroups(before, now)
	rule, _, _ := selectRule(cur.Order, resolveShipTo(cur.Order.ShipTo).state, rules)
	pv.RuleName = rule.Name
	had := map[string]bool{}
	for _, b := range before.breaks(rule) {
		had[b] = true
	}
	for _, b := range w.breaks(rule) {
		if !had[b] {
			pv.Breaks = append(pv.Breaks, b)
		}
	}
	return pv, nil
}

// working is a plan being changed.
type working struct {
	cur     Current
	locs    map[int64]Location
	codes   map[string]int64 // upper-case code -> ID
	lines   map[int]Line     // by line number
	lineNo  map[int64]int    // by line ID
	bo      map[int64]int64  // backordered by line ID
	groups  []*workGroup
	avail   map[[2]int64]int64 // (item, location) -> available to promise now
	vendor  map[[2]int64]int64 // (item, vendor) -> units moved there by this change
	snap    Snapshot
	nextSeq int
}

type workGroup struct {
	LiveGroup
	new, changed, gained, recall bool
}

func newWorking(cur Current, snap Snapshot) *working {
	w := &working{cur: cur, locs: map[int64]Location{}, codes: map[string]int64{}, lines: map[int]Line{},
		bo: maps.Clone(cur.Backordered), avail: map[[2]int64]int64{}, vendor: map[[2]int64]int64{}, snap: snap, nextSeq: cur.MaxSeq}
	if w.bo == nil {
		w.bo = map[int64]int64{}
	}
	for _, l := range snap.Locations {
		w.locs[l.ID] = l
		w.codes[strings.ToUpper(l.Code)] = l.ID
	}
	w.lineNo = map[int64]int{}
	for _, l := range cur.Order.Lines {
		w.lines[l.LineNo] = l
		w.lineNo[l.LineID] = l.LineNo
	}
	for _, g := range cur.Groups {
		c := g
		c.Lines = slices.Clone(g.Lines)
		w.groups = append(w.groups, &workGroup{LiveGroup: c})
	}
	return w
}

func (w *working) available(item, loc int64) int64 {
	k := [2]int64{item, loc}
	if q, ok := w.avail[k]; ok {
		return q
	}
	return max(w.snap.Available[item][loc], 0)
}

// apply makes one move; it returns the move in words, whether it waits for
// a recall, or why it cannot be made.
func (w *working) apply(m Move) (step string, recall bool, problem string) {
	l, ok := w.lines[m.LineNo]
	switch {
	case !ok:
		return "", false, fmt.Sprintf("Line %d has nothing open to move (unknown, shipped or cancelled).", m.LineNo)
	case m.Quantity <= 0:
		return "", false, fmt.Sprintf("Line %d: enter a quantity above zero.", m.LineNo)
	}
	// Where the units come from.
	var src *workGroup
	var srcName string
	if m.From == 0 {
		if w.bo[l.LineID] < m.Quantity {
			return "", false, fmt.Sprintf("%s has %s backordered, not %s.", lineName(l), units(w.bo[l.LineID]), units(m.Quantity))
		}
		srcName = "backorder"
	} else {
		src = w.group(m.From)
		if src == nil {
			return "", false, fmt.Sprintf("Shipment %d is not planned or released (it may have shipped, been cancelled or been emptied).", m.From)
		}
		if src.RecallRequested {
			return "", false, fmt.Sprintf("Shipment %d already has a recall waiting for the warehouse; move its units once the warehouse answers.", m.From)
		}
		if have := src.qty(l.LineID); have < m.Quantity {
			return "", false, fmt.Sprintf("Shipment %d has %s of %s, not %s.", m.From, units(have), lineName(l), units(m.Quantity))
		}
		recall = src.Status == GroupReleased
		srcName = fmt.Sprintf("shipment %d (%s)", m.From, w.locs[src.LocationID].Code)
	}
	// Where they go.
	var dst Location
	if m.To != "" {
		id, ok := w.codes[strings.ToUpper(strings.TrimSpace(m.To))]
		if !ok {
			return "", false, fmt.Sprintf("There is no location %q.", m.To)
		}
		dst = w.locs[id]
		if !dst.Active {
			return "", false, fmt.Sprintf("%s is inactive and cannot ship.", locName(dst))
		}
		if src != nil && src.LocationID == dst.ID {
			return "", false, fmt.Sprintf("Shipment %d already ships %s from %s.", m.From, lineName(l), locName(dst))
		}
		if dst.Type == TypeVendor {
			if !l.Flags.DropshipEligible || l.Flags.DropshipVendorID != dst.ID {
				return "", false, fmt.Sprintf("%s cannot be dropshipped from %s: it is not the item's dropship vendor.", lineName(l), locName(dst))
			}
			k := [2]int64{l.ItemID, dst.ID}
			if q, capped := w.snap.Available[l.ItemID][dst.ID]; capped && q-w.vendor[k] < m.Quantity {
				return "", false, fmt.Sprintf("%s has only %s of %s to dropship.", locName(dst), units(max(q-w.vendor[k], 0)), lineName(l))
			}
			w.vendor[k] += m.Quantity
		} else if a := w.available(l.ItemID, dst.ID); a < m.Quantity {
			return "", false, fmt.Sprintf("%s has only %s of %s available to promise, not %s.", locName(dst), units(a), lineName(l), units(m.Quantity))
		}
	}
	// Take, then put.
	if src == nil {
		w.bo[l.LineID] -= m.Quantity
	} else {
		src.take(l.LineID, m.Quantity)
		src.changed = true
		src.recall = src.recall || recall
		if !recall && !src.Dropship {
			w.avail[[2]int64{l.ItemID, src.LocationID}] = w.available(l.ItemID, src.LocationID) + m.Quantity
		}
	}
	if m.To == "" {
		w.bo[l.LineID] += m.Quantity
		return fmt.Sprintf("%s of %s from %s back to backorder.", (units(m.Quantity)), lineName(l), srcName), recall, ""
	}
	if dst.Type != TypeVendor {
		w.avail[[2]int64{l.ItemID, dst.ID}] = w.available(l.ItemID, dst.ID) - m.Quantity
	}
	g := w.openGroupAt(dst)
	g.put(l, m.Quantity)
	g.changed, g.gained = true, true
	verb := "to"
	if dst.Type == TypeVendor {
		verb = "dropshipped from"
	}
	return fmt.Sprintf("%s of %s from %s %s %s (shipment %d).", (units(m.Quantity)), lineName(l), srcName, verb, locName(dst), g.Seq), recall, ""
}

func (w *working) group(seq int) *workGroup {
	for _, g := range w.groups {
		if g.Seq == seq && len(g.Lines) > 0 {
			return g
		}
	}
	return nil
}

// openGroupAt is the planned group at loc that a move adds to: an existing
// one without a recall pending, else a new one.
func (w *working) openGroupAt(loc Location) *workGroup {
	for _, g := range w.groups {
		if g.LocationID == loc.ID && g.Status == GroupPlanned && !g.RecallRequested && !g.recall {
			return g
		}
	}
	w.nextSeq++
	g := &workGroup{LiveGroup: LiveGroup{Seq: w.nextSeq, LocationID: loc.ID, LocationCode: loc.Code, Dropship: loc.Type == TypeVendor, Status: GroupPlanned}, new: true}
	w.groups = append(w.groups, g)
	return g
}

func (g *workGroup) qty(lineID int64) int64 {
	for _, l := range g.Lines {
		if l.LineID == lineID {
			return l.Quantity
		}
	}
	return 0
}

func (g *workGroup) take(lineID, qty int64) {
	for i := range g.Lines {
		if g.Lines[i].LineID == lineID {
			g.Lines[i].Quantity -= qty
			if g.Lines[i].Quantity == 0 {
				g.Lines = slices.Delete(g.Lines, i, i+1)
			}
			return
		}
	}
}

func (g *workGroup) put(l Line, qty int64) {
	for i := range g.Lines {
		if g.Lines[i].LineID == l.LineID {
			g.Lines[i].Quantity += qty
			return
		}
	}
	g.Lines = append(g.Lines, GroupLine{LineID: l.LineID, ItemID: l.ItemID, SKU: l.SKU, Quantity: qty})
}

// live lists the groups that still ship something.
func (w *working) live() []*workGroup {
	var out []*workGroup
	for _, g := range w.groups {
		if len(g.Lines) > 0 {
			out = append(out, g)
		}
	}
	return out
}

func (w *working) outcome() Outcome {
	var o Outcome
	for _, g := range w.live() {
		o.Shipments++
		o.CostCents += w.locs[g.LocationID].CostPerShipmentCents
	}
	for _, q := range w.bo {
		o.Backordered += q
	}
	return o
}

func (w *working) previewGroups(before *working, now time.Time) []PreviewGroup {
	var out []PreviewGroup
	for _, g := range w.live() {
		l := w.locs[g.LocationID]
		pg := PreviewGroup{Seq: g.Seq, LocationID: l.ID, LocationCode: l.Code, LocationName: l.Name, Dropship: g.Dropship,
			Status: g.Status, New: g.new, Changed: g.changed, Gained: g.gained, Recall: g.recall, Units: g.Units(), ShipDate: ShipDate(l, now)}
		for _, gl := range g.Lines {
			pg.Lines = append(pg.Lines, PreviewLine{LineNo: w.lineNo[gl.LineID], SKU: gl.SKU, Quantity: gl.Quantity})
		}
		slices.SortFunc(pg.Lines, func(a, b PreviewLine) int { return cmp.Compare(a.LineNo, b.LineNo) })
		out = append(out, pg)
	}
	return out
}

// breaks lists, in words, the rules the plan breaks.
func (w *working) breaks(rule Rule) []string {
	pol := normalise(rule.Policy)
	o := w.cur.Order
	var out []string
	live := w.live()
	own, at := 0, map[int64]bool{}
	perLine := map[int64]int{}
	for _, g := range live {
		at[g.LocationID] = true
		l := w.locs[g.LocationID]
		for _, gl := range g.Lines {
			perLine[gl.LineID]++
		}
		if g.Dropship {
			if !pol.Dropship {
				out = append(out, fmt.Sprintf("Rule %q does not dropship, and shipment %d is dropshipped from %s.", rule.Name, g.Seq, locName(l)))
			}
			continue
		}
		own++
		if tier, why := pol.eligibility(l, o.CustomerType); tier < 0 {
			out = append(out, fmt.Sprintf("Rule %q does not ship from %s: %s.", rule.Name, locName(l), why))
		}
	}
	for _, id := range w.cur.ShippedAt {
		at[id] = true
	}
	if own > pol.MaxSplits {
		out = append(out, fmt.Sprintf("Rule %q allows at most %d shipments from own locations; this plan has %d.", rule.Name, pol.MaxSplits, own))
	}
	switch {
	case strings.EqualFold(o.ShipMethod, ShipMethodWillCall) && len(at) > 1:
		out = append(out, fmt.Sprintf("A will-call order is picked up at one location; this plan uses %d.", len(at)))
	case len(live)+len(w.cur.ShippedAt) > 1 && o.ShipComplete:
		out = append(out, "The order ships complete, and this plan splits it into several shipments.")
	case len(live)+len(w.cur.ShippedAt) > 1 && pol.ShipComplete:
		out = append(out, fmt.Sprintf("Rule %q ships complete, and this plan splits the order into several shipments.", rule.Name))
	case len(live)+len(w.cur.ShippedAt) > 1 && pol.NoSplitBelowCents > 0 && o.ValueCents < pol.NoSplitBelowCents:
		out = append(out, fmt.Sprintf("Rule %q does not split orders under %s, and this one (%s) is split.", rule.Name,
			domain.Money(pol.NoSplitBelowCents), domain.Money(o.ValueCents)))
	}
	if pol.KeepLinesWhole {
		for _, l := range o.Lines {
			if perLine[l.LineID] > 1 {
				out = append(out, fmt.Sprintf("Rule %q keeps lines whole, and %s is split across shipments.", rule.Name, lineName(l)))
			}
		}
	}
	return out
}

// eligibility says whether a rule may ship from an own location: 0 eligible,
// 1 only as a fallback, -1 not at all (with why).
func (p Policy) eligibility(l Location, customerType string) (int, string) {
	el := p.Eligible
	serves := el.Serves
	if serves == ServesMatch {
		serves = strings.ToLower(customerType)
	}
	switch {
	case l.Type == TypeVendor:
		return -1, "a vendor ships only dropship lines"
	case !l.Active:
		return -1, "inactive"
	case serves != "" && l.Serves != ServesBoth && !strings.EqualFold(l.Serves, serves):
		return -1, "serves " + strings.ToUpper(l.Serves) + " only"
	}
	typeOK := len(el.Types) == 0 || containsFold(el.Types, l.Type)
	listOK := (len(el.LocationIDs) == 0 && len(el.LocationCodes) == 0) || slices.Contains(el.LocationIDs, l.ID) || containsFold(el.LocationCodes, l.Code)
	switch {
	case typeOK && listOK:
		return 0, ""
	case containsFold(p.FallbackTypes, l.Type):
		return 1, ""
	case !typeOK:
		return -1, fmt.Sprintf("a %s; the rule ships from %s", typeLabel(l.Type), typeList(el.Types))
	}
	return -1, "not in the rule's location list"
}

// ShipDate estimates the day a shipment planned now leaves loc: today
// before the location's cutoff (its own time zone), else the next working
// day; vendors take two working days more. Weekends are skipped; holidays
// are not known.
func ShipDate(loc Location, now time.Time) time.Time {
	tz, err := time.LoadLocation(loc.Timezone)
	if loc.Timezone == "" || err != nil {
		tz = time.UTC
	}
	t := now.In(tz)
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	cutoff := 15 * 60
	if h, m, ok := strings.Cut(loc.CutoffTime, ":"); ok {
		hh, err1 := strconv.Atoi(h)
		mm, err2 := strconv.Atoi(m)
		if err1 == nil && err2 == nil {
			cutoff = hh*60 + mm
		}
	}
	if t.Hour()*60+t.Minute() >= cutoff {
		day = day.AddDate(0, 0, 1)
	}
	extra := 0
	if loc.Type == TypeVendor {
		extra = 2
	}
	for {
		for day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
			day = day.AddDate(0, 0, 1)
		}
		if extra == 0 {
			return day
		}
		extra--
		day = day.AddDate(0, 0, 1)
	}
}

// MatrixColumn is one location of an allocation matrix.
type MatrixColumn struct {
	Location Location
	Miles    float64 // distance from the ship-to
	HasMiles bool
	// Tier is 0 when the order's rule may ship from here, 1 as a fallback,
	// -1 when shipping from here breaks the rule (Why says how).
	Tier int
	Why  string
}

// MatrixCell is one line at one location.
type MatrixCell struct {
	// Available is available to promise without this order's own units;
	// -1 means the location can take any quantity (a vendor), and the
	// cell is Blocked when the line can never ship from here (a vendor
	// that is not the item's).
	Available int64
	Blocked   bool
	Planned   int64 // units of the line in planned shipments here
	Released  int64 // units in released shipments here
	Recall    bool  // a recall of a released shipment here is pending
}

// MatrixRow is one order line across the columns.
type MatrixRow struct {
	Line        Line // Quantity is the open quantity
	Backordered int64
	Cells       []MatrixCell // one per column
}

// Matrix is an order's lines by the locations that could ship them, with
// the current plan: what the allocation screen shows.
type Matrix struct {
	RuleName string
	Columns  []MatrixColumn
	Rows     []MatrixRow
}

// AllocationMatrix lays the current plan out as lines by locations: every
// active own location (those the order's rule may ship from first, nearest
// first), the dropship vendors of the order's lines, and any other
// location the order has units at.
func AllocationMatrix(cur Current, snap Snapshot, rules []Rule) Matrix {
	st := resolveShipTo(cur.Order.ShipTo)
	rule, _, _ := selectRule(cur.Order, st.state, rules)
	pol := normalise(rule.Policy)
	m := Matrix{RuleName: rule.Name}
	holds := map[int64]bool{}
	for _, g := range cur.Groups {
		holds[g.LocationID] = true
	}
	vendors := map[int64]bool{}
	for _, l := range cur.Order.Lines {
		if l.Flags.DropshipEligible {
			vendors[l.Flags.DropshipVendorID] = true
		}
	}
	for _, l := range uniqueLocations(snap.Locations) {
		if !(l.Active && l.Type != TypeVendor) && !vendors[l.ID] && !holds[l.ID] {
			continue
		}
		c := MatrixColumn{Location: l}
		if st.ok {
			c.Miles, c.HasMiles = geo.Distance(st.lat, st.lon, l.Lat, l.Lon), true
		}
		if l.Type == TypeVendor {
			if !pol.Dropship {
				c.Tier, c.Why = -1, "the rule does not dropship"
			}
		} else {
			c.Tier, c.Why = pol.eligibility(l, cur.Order.CustomerType)
		}
		m.Columns = append(m.Columns, c)
	}
	rank := func(c MatrixColumn) int {
		switch {
		case c.Location.Type == TypeVendor:
			return 3
		case c.Tier < 0:
			return 2
		}
		return c.Tier
	}
	slices.SortStableFunc(m.Columns, func(a, b MatrixColumn) int {
		if c := cmp.Compare(rank(a), rank(b)); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Miles, b.Miles); c != 0 {
			return c
		}
		return cmp.Compare(a.Location.ID, b.Location.ID)
	})
	type at struct{ line, loc int64 }
	held := map[at]*MatrixCell{}
	for _, g := range cur.Groups {
		for _, gl := range g.Lines {
			k := at{gl.LineID, g.LocationID}
			if held[k] == nil {
				held[k] = &MatrixCell{}
			}
			if g.Status == GroupReleased {
				held[k].Released += gl.Quantity
				held[k].Recall = held[k].Recall || g.RecallRequested
			} else {
				held[k].Planned += gl.Quantity
			}
		}
	}
	for _, l := range cur.Order.Lines {
		r := MatrixRow{Line: l, Backordered: cur.Backordered[l.LineID]}
		for _, c := range m.Columns {
			cell := MatrixCell{Available: max(snap.Available[l.ItemID][c.Location.ID], 0)}
			if c.Location.Type == TypeVendor {
				cell.Blocked = !l.Flags.DropshipEligible || l.Flags.DropshipVendorID != c.Location.ID
				if q, ok := snap.Available[l.ItemID][c.Location.ID]; !ok {
					cell.Available = -1
				} else {
					cell.Available = max(q, 0)
				}
			}
			if h := held[at{l.LineID, c.Location.ID}]; h != nil {
				cell.Planned, cell.Released, cell.Recall = h.Planned, h.Released, h.Recall
			}
			r.Cells = append(r.Cells, cell)
		}
		m.Rows = append(m.Rows, r)
	}
	return m
}

// MovesTo turns a wanted plan into moves: want gives, per line number, the
// units wanted at each location code (planned and released together) and,
// under the code "", backordered. Units leave the locations that lose
// them (a planned shipment before a released one, the newest first) and go
// to the locations that gain them, in code order. Lines not in want are
// left as they are. It returns an EINVALID error when a line's wanted
// units do not add up to its open quantity.
func MovesTo(cur Current, want map[int]map[string]int64) ([]Move, error) {
	fields := map[string]string{}
	var moves []Move
	for _, l := range cur.Order.Lines {
		w := map[string]int64{}
		wanted, ok := want[l.LineNo]
		if !ok {
			continue
		}
		for code, q := range wanted {
			w[strings.ToUpper(strings.TrimSpace(code))] += q
		}
		type source struct {
			seq  int
			code string
			qty  int64
		}
		have := map[string]int64{"": cur.Backordered[l.LineID]}
		var sources []source
		for _, g := range groupsByPreference(cur.Groups) {
			for _, gl := range g.Lines {
				if gl.LineID == l.LineID {
					code := strings.ToUpper(g.LocationCode)
					have[code] += gl.Quantity
					sources = append(sources, source{g.Seq, code, gl.Quantity})
				}
			}
		}
		var total int64
		for _, q := range w {
			if q < 0 {
				fields[fmt.Sprintf("lines[%d]", l.LineNo)] = fmt.Sprintf("%s: quantities cannot be negative.", lineName(l))
			}
			total += q
		}
		if total != l.Quantity {
			fields[fmt.Sprintf("lines[%d]", l.LineNo)] = fmt.Sprintf("%s: the quantities add up to %s; the line has %s open.",
				lineName(l), thousands(total), units(l.Quantity))
			continue
		}
		// Surplus per code: what must leave; deficit: what must arrive.
		surplus := map[string]int64{}
		var gains []string
		for code, q := range have {
			if d := q - w[code]; d > 0 {
				surplus[code] = d
			}
		}
		for code := range w {
			if w[code] > have[code] {
				gains = append(gains, code)
			}
		}
		slices.Sort(gains)
		for _, to := range gains {
			need := w[to] - have[to]
			// From backorder first (nothing to undo there), then shipments.
			if s := min(surplus[""], need); s > 0 {
				moves = append(moves, Move{LineNo: l.LineNo, From: 0, To: to, Quantity: s})
				surplus[""] -= s
				need -= s
			}
			for i := range sources {
				if need == 0 {
					break
				}
				src := &sources[i]
				s := min(surplus[src.code], src.qty, need)
				if s <= 0 {
					continue
				}
				moves = append(moves, Move{LineNo: l.LineNo, From: src.seq, To: to, Quantity: s})
				surplus[src.code] -= s
				src.qty -= s
				need -= s
			}
		}
	}
	if len(fields) > 0 {
		return nil, domain.Invalid("The quantities of a line must add up to what is open on it.", fields)
	}
	return moves, nil
}

// groupsByPreference orders groups as units should leave them: planned
// before released (which needs a recall), the newest first.
func groupsByPreference(gs []LiveGroup) []LiveGroup {
	out := slices.Clone(gs)
	slices.SortStableFunc(out, func(a, b LiveGroup) int {
		released := func(g LiveGroup) int {
			if g.Status == GroupReleased {
				return 1
			}
			return 0
		}
		if c := cmp.Compare(released(a), released(b)); c != 0 {
			return c
		}
		return cmp.Compare(b.Seq, a.Seq)
	})
	return out
}
