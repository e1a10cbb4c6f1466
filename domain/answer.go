package domain

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Address is a postal address on an order or a ship-to.
type Address struct {
	Name       string
	Line1      string
	Line2      string
	City       string
	Region     string
	PostalCode string
	Country    string
}

// Order is the header of one order as customer service reads it.
type Order struct {
	ID              int64
	Number          string
	Channel         string
	CustomerID      int64
	CustomerAccount string
	CustomerName    string
	CustomerPO      string
	ShipTo          Address
	RequestedDate   string // YYYY-MM-DD or ""
	ShipMethod      string
	Priority        int
	ShipComplete    bool
	Status          OrderStatus
	TotalCents      int64
	HasHold         bool
	HasBackorder    bool
	Version         int64
	CreatedBy       string
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// OrderLine is one line with its quantity buckets.
type OrderLine struct {
	ID             int64
	LineNo         int
	SKU            string
	Description    string
	UnitPriceCents int64
	Buckets
	Status OrderStatus
}

// LineTotals sums an order's lines: how many lines are in which state and
// the units in each bucket. It is what the status answer counts with, so
// that an order of 1,000 lines needs no line list to be answered.
type LineTotals struct {
	Lines            int // every line
	LiveLines        int // lines not cancelled in full
	ShippedLines     int // lines shipped in full
	PartShippedLines int // lines shipped in part
	BackorderLines   int // lines with units backordered
	Units            Buckets
}

// FulfilmentGroup is one shipment from one location.
type FulfilmentGroup struct {
	ID             int64
	Seq            int
	LocationCode   string
	LocationName   string
	Dropship       bool
	Status         string // planned, released, shipped, cancelled
	Carrier        string
	Service        string
	TrackingNumber string
	Lines          int
	Units          int64
	CreatedAt      time.Time
	ReleasedAt     time.Time
	ShippedAt      time.Time
	CancelledAt    time.Time
	// RecallRequested is true while the WMS is asked to give a released
	// group back (a manual move out of it waits for the answer).
	RecallRequested bool
}

// TrackingURL is the carrier's public tracking page for the group's
// tracking number (a PRO number for LTL freight), or "" for carriers the
// OMS knows no page of.
func (g FulfilmentGroup) TrackingURL() string {
	return TrackingURL(g.Carrier, g.TrackingNumber)
}

// TrackingURL is the public tracking page of a parcel carrier for a
// tracking number, or of an LTL freight carrier for a PRO number; "" when
// the carrier has none the OMS knows.
func TrackingURL(carrier, tracking string) string {
	if tracking == "" {
		return ""
	}
	t := url.QueryEscape(tracking)
	switch strings.ToUpper(strings.TrimSpace(carrier)) {
	case "UPS":
		return "https://www.ups.com/track?loc=en_US&tracknum=" + t
	case "FEDEX":
		return "https://www.fedex.com/fedextrack/?trknbr=" + t
	case "USPS":
		return "https://tools.usps.com/go/TrackConfirmAction?tLabels=" + t
	case "OLD DOMINION", "ODFL":
		return "https://www.odfl.com/us/en/tools/trace-track-ltl-freight/trace.html?proNumbers=" + t
	case "ESTES":
		return "https://www.estes-express.com/myestes/shipment-tracking/?type=PRO&query=" + t
	case "XPO":
		return "https://www.xpo.com/track/?pro=" + t
	case "SAIA":
		return "https://www.saia.com/track/details;pro=" + t
	}
	return ""
}

// IsLTL reports whether carrier is an LTL freight carrier, whose tracking
// number is a PRO number.
func IsLTL(carrier string) bool {
	switch strings.ToUpper(strings.TrimSpace(carrier)) {
	case "OLD DOMINION", "ODFL", "ESTES", "XPO", "SAIA":
		return true
	}
	return false
}

// IsPickup reports whether carrier stands for the customer collecting the
// goods (will call) rather than a carrier.
func IsPickup(carrier string) bool {
	switch strings.ToUpper(strings.TrimSpace(carrier)) {
	case "WILL CALL", "WILLCALL":
		return true
	}
	return false
}

// CarrierText is how the group travels, in words: "UPS Ground", or
// "Customer pickup" for will call.
func (g FulfilmentGroup) CarrierText() string {
	if IsPickup(g.Carrier) {
		return "Customer pickup"
	}
	if strings.EqualFold(strings.TrimSpace(g.Service), strings.TrimSpace(g.Carrier)) {
		return strings.TrimSpace(g.Carrier) // "LTL" with service "LTL": say it once
	}
	return strings.TrimSpace(g.Carrier + " " + g.Service)
}

// GroupStatusLabel is a fulfilment group's status in words.
func GroupStatusLabel(s string) string {
	switch s {
	case "planned":
		return "Planned"
	case "released":
		return "Released to warehouse"
	case "shipped":
		return "Shipped"
	case "cancelled":
		return "Cancelled"
	}
	return s
}

// Hold is a hold on an order; ReleasedAt is zero while it is open.
type Hold struct {
	ID          int64
	Reason      string
	Note        string
	PlacedBy    string
	PlacedAt    time.Time
	ReleasedBy  string
	ReleasedAt  time.Time
	ReleaseNote string
}

// Open reports whether the hold still stops the order.
func (h Hold) Open() bool { return h.ReleasedAt.IsZero() }

// HoldReasonLabel is a hold reason in words.
func HoldReasonLabel(reason string) string {
	switch reason {
	case "credit":
		return "Credit"
	case "address":
		return "Address"
	case "price":
		return "Price"
	case "duplicate_po":
		return "Duplicate PO"
	case "fraud":
		return "Fraud review"
	case "manual":
		return "Manual"
	case "edi_review":
		return "EDI review"
	}
	return reason
}

// OrderException is an exception raised on an order.
type OrderException struct {
	ID        int64
	Kind      string
	Severity  string
	Summary   string
	Status    string // open, in_progress, resolved
	LineNo    int    // 0: the whole order
	SLADueAt  time.Time
	CreatedAt time.Time
}

// Event is one entry of an order's timeline: a change (with before and
// after), a message in or out, or a note.
type Event struct {
	ID      int64
	Kind    string
	Actor   string
	At      time.Time
	Summary string
	Before  string
	After   string
}

// EventKindNote is the kind of an internal note written by a person.
const EventKindNote = "note"

// MaxNoteLength is the longest internal note, in characters.
const MaxNoteLength = 2000

// Backorder is a line's backordered units and when stock is expected.
type Backorder struct {
	LineNo       int
	SKU          string
	Quantity     int64
	ExpectedDate string // YYYY-MM-DD of the earliest open inbound supply, or ""
	SupplyPO     string // the purchase order bringing it
}

// AnswerFacts is what the one-sentence status answer is built from.
type AnswerFacts struct {
	Status     OrderStatus
	CreatedAt  time.Time
	Totals     LineTotals
	Groups     []FulfilmentGroup
	Backorders []Backorder // every backordered line, earliest line first
	OpenHolds  []Hold
	// RequestedDate is the customer's requested date (YYYY-MM-DD or "");
	// with Now it says when a backorder has made the order late.
	RequestedDate string
	Now           time.Time
}

// maxListed is how many backordered SKUs or shipments a sentence names
// before it summarises the rest; a CSR reads it aloud.
const maxListed = 3

// StatusAnswer says in one plain sentence where the order stands, the
// sentence a CSR reads to a customer on the phone: what shipped, from
// where, when and with which tracking number; what is backordered and when
// it is expected; what is held and why.
func StatusAnswer(f AnswerFacts) string {
	var parts []string
	t := f.Totals
	switch f.Status {
	case StatusDraft:
		return "Draft: this order has not been submitted yet."
	case StatusCancelled:
		return "Cancelled: nothing on this order will ship."
	case StatusOpen:
		return fmt.Sprintf("Received %s and not yet assigned to a warehouse.", day(f.CreatedAt, f.Now))
	}
	if len(f.OpenHolds) > 0 && t.Units.Shipped == 0 {
		// Held before anything shipped: the hold is the answer; what is
		// reserved or backordered meanwhile follows it.
		parts = append(parts, holdPhrase(f.OpenHolds, "nothing ships", f.Now))
		if locs := groupLocations(f.Groups, "planned", "released"); len(locs) > 0 {
			parts = append(parts, "stock is reserved at "+joinAnd(locs))
		}
		if len(f.Backorders) > 0 {
			parts = append(parts, backorderPhrase(f.Backorders, f.Now))
		}
		if late := lateBy(f); late != "" && len(f.Backorders) > 0 {
			parts = append(parts, late)
		}
		return capitalise(strings.Join(parts, "; ")) + "."
	}

	shipped := groupsIn(f.Groups, "shipped")
	switch {
	case t.Units.Shipped > 0 && t.ShippedLines == t.LiveLines:
		s := "All " + count(t.LiveLines, "line") + " shipped"
		switch t.LiveLines {
		case 1:
			s = "Shipped"
		case 2:
			s = "Both lines shipped"
		}
		if f.Status == StatusClosed {
			s += " and invoiced"
		}
		parts = append(parts, s+shipmentPhrase(shipped, f.Now))
	case t.Units.Shipped > 0:
		lines := plural(t.LiveLines, "line")
		s := fmt.Sprintf("%d of %d %s shipped", t.ShippedLines, t.LiveLines, lines)
		switch {
		case t.ShippedLines == 0:
			s = fmt.Sprintf("%d of %d %s shipped in part", t.PartShippedLines, t.LiveLines, lines)
		case t.PartShippedLines > 0:
			s = fmt.Sprintf("%d of %d %s shipped in full and %d in part", t.ShippedLines, t.LiveLines, lines, t.PartShippedLines)
		}
		parts = append(parts, s+shipmentPhrase(shipped, f.Now))
	}
	released := groupsIn(f.Groups, "released")
	if len(released) > 0 {
		parts = append(parts, releasedPhrase(released, t.Units.Shipped > 0, f.Now))
	}
	if t.Units.Allocated > 0 {
		// Units planned at locations and not released yet, beside any
		// released elsewhere: every unit of the order is in the sentence.
		parts = append(parts, allocatedPhrase(f, t.Units.Shipped > 0 || len(released) > 0))
	}
	if len(f.Backorders) > 0 {
		parts = append(parts, backorderPhrase(f.Backorders, f.Now))
		if late := lateBy(f); late != "" {
			parts = append(parts, late)
		}
	}
	if open := t.Units.Open(); open > 0 && t.Units.Shipped == 0 && len(parts) == 0 {
		parts = append(parts, fmt.Sprintf("%s not yet assigned to a warehouse", count64(open, "unit")))
	}
	if len(f.OpenHolds) > 0 {
		parts = append(parts, holdPhrase(f.OpenHolds, "nothing more ships", f.Now))
	}
	if t.Units.Cancelled > 0 && f.Status != StatusClosed {
		parts = append(parts, count64(t.Units.Cancelled, "unit")+" cancelled")
	}
	if len(parts) == 0 {
		return f.Status.Label() + "."
	}
	return capitalise(strings.Join(parts, "; ")) + "."
}

// groupLocations names, once each, the locations of groups in the statuses.
func groupLocations(groups []FulfilmentGroup, statuses ...string) []string {
	var out []string
	for _, g := range groups {
		for _, st := range statuses {
			if g.Status == st {
				out = appendOnce(out, g.LocationName)
			}
		}
	}
	return out
}

func groupsIn(groups []FulfilmentGroup, status string) []FulfilmentGroup {
	var out []FulfilmentGroup
	for _, g := range groups {
		if g.Status == status {
			out = append(out, g)
		}
	}
	return out
}

// shipmentPhrase is " from Dallas DC on Nov 24 via UPS 1Z…" for one
// shipment, " in 2 shipments: …, …" for several.
func shipmentPhrase(shipped []FulfilmentGroup, now time.Time) string {
	switch len(shipped) {
	case 0:
		return ""
	case 1:
		return " " + oneShipment(shipped[0], now)
	}
	var each []string
	for i, g := range shipped {
		if i == maxListed {
			each = append(each, fmt.Sprintf("and %d more", len(shipped)-maxListed))
			break
		}
		each = append(each, oneShipment(g, now))
	}
	return fmt.Sprintf(" in %d shipments: %s", len(shipped), strings.Join(each, ", "))
}

func oneShipment(g FulfilmentGroup, now time.Time) string {
	s := "from " + g.LocationName
	if !g.ShippedAt.IsZero() {
		s += " on " + day(g.ShippedAt, now)
	}
	switch {
	case IsPickup(g.Carrier):
		s += ", picked up by the customer"
	case g.Carrier != "":
		s += " via " + g.Carrier
		if g.TrackingNumber != "" {
			s += " " + g.TrackingNumber
		}
	}
	return s
}

func releasedPhrase(released []FulfilmentGroup, more bool, now time.Time) string {
	var locs []string
	var units int64
	for _, g := range released {
		locs = appendOnce(locs, g.LocationName)
		units += g.Units
	}
	what := "released"
	if more {
		what = count64(units, "more unit") + " released"
	}
	s := what + " to " + joinAnd(locs)
	if len(released) == 1 && !released[0].ReleasedAt.IsZero() {
		s += " on " + day(released[0].ReleasedAt, now)
	}
	return s + " and not shipped yet"
}

func allocatedPhrase(f AnswerFacts, more bool) string {
	var locs []string
	for _, g := range groupsIn(f.Groups, "planned") {
		locs = appendOnce(locs, g.LocationName)
	}
	u := f.Totals.Units
	s := "allocated"
	switch {
	case more:
		s = count64(u.Allocated, "more unit") + " allocated"
	case u.Allocated < u.Ordered-u.Cancelled:
		s = count64(u.Allocated, "unit") + " allocated"
	}
	if len(locs) > 0 {
		s += " at " + joinAnd(locs)
	}
	return s + ", waiting to be released to the warehouse"
}

// lateBy says that the requested date has passed, when it has (the day
// after it began, in UTC); "" otherwise.
func lateBy(f AnswerFacts) string {
	req, err := time.Parse("2006-01-02", f.RequestedDate)
	if err != nil || f.Now.IsZero() || f.Now.UTC().Before(req.AddDate(0, 0, 1)) {
		return ""
	}
	return "past the requested date of " + day(req, f.Now)
}

func backorderPhrase(bos []Backorder, now time.Time) string {
	var each []string
	for i, b := range bos {
		if i == maxListed {
			each = append(each, fmt.Sprintf("and %d more %s backordered", len(bos)-maxListed, plural(len(bos)-maxListed, "line")))
			break
		}
		s := count64(b.Quantity, "unit") + " of " + b.SKU + " backordered"
		if b.ExpectedDate != "" {
			s += ", expected " + dateWords(b.ExpectedDate, now)
			if b.SupplyPO != "" {
				s += " (PO " + b.SupplyPO + ")"
			}
		} else {
			s += ", no date yet"
		}
		each = append(each, s)
	}
	return strings.Join(each, "; ")
}

func holdPhrase(holds []Hold, consequence string, now time.Time) string {
	var reasons []string
	since := holds[0].PlacedAt
	for _, h := range holds {
		reasons = appendOnce(reasons, strings.ToLower(HoldReasonLabel(h.Reason)))
		if h.PlacedAt.Before(since) {
			since = h.PlacedAt
		}
	}
	s := "on " + joinAnd(reasons) + " hold"
	if !since.IsZero() {
		s += " since " + day(since, now)
	}
	return s + ": " + consequence + " until it is released"
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

func joinAnd(list []string) string {
	switch len(list) {
	case 0:
		return ""
	case 1:
		return list[0]
	}
	return strings.Join(list[:len(list)-1], ", ") + " and " + list[len(list)-1]
}

// day is a date as a CSR reads it aloud: "Nov 24", with the year when it
// is not now's year ("Dec 30, 2025" in January), or when now is unknown.
func day(t, now time.Time) string {
	if !now.IsZero() && t.Year() == now.UTC().Year() {
		return t.Format("Jan 2")
	}
	return t.Format("Jan 2, 2006")
}

func dateWords(ymd string, now time.Time) string {
	t, err := time.Parse("2006-01-02", ymd)
	if err != nil {
		return ymd
	}
	return day(t, now)
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

func count(n int, word string) string { return fmt.Sprintf("%d %s", n, plural(n, word)) }

func count64(n int64, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// OrderHit is one order in search results: the summary and what the short
// what's-happening hint needs.
type OrderHit struct {
	OrderSummary
	HoldReason    string    // an open hold's reason, "" when none
	LastCarrier   string    // carrier of the latest shipment
	LastShippedAt time.Time // when the latest shipment left; zero when none
}

// Hint says in a few words what is happening with the order, for a row of
// search results; now is today, for the dates.
func (h OrderHit) Hint(now time.Time) string {
	switch {
	case h.HasHold && h.HoldReason != "":
		return HoldReasonLabel(h.HoldReason) + " hold"
	case h.Status == StatusShipped || h.Status == StatusClosed || h.Status == StatusPartiallyShipped:
		s := "Shipped"
		if h.Status == StatusPartiallyShipped {
			s = "Part shipped"
		}
		if !h.LastShippedAt.IsZero() {
			s += " " + day(h.LastShippedAt, now)
		}
		switch {
		case IsPickup(h.LastCarrier):
			s += ", picked up"
		case h.LastCarrier != "":
			s += " via " + h.LastCarrier
		}
		if h.HasBackorder {
			s += ", rest backordered"
		}
		return s
	case h.Status == StatusBackordered || h.HasBackorder:
		return "Waiting for stock"
	case h.Status == StatusReleased:
		return "At the warehouse"
	case h.Status == StatusAllocated || h.Status == StatusPartiallyAllocated:
		return "Allocated, not released"
	case h.Status == StatusOpen:
		return "Not yet sourced"
	case h.Status == StatusCancelled:
		return "Cancelled"
	case h.Status == StatusDraft:
		return "Not submitted"
	}
	return h.Status.Label()
}

// GroupLine is the quantity of one order line in a fulfilment group.
type GroupLine struct {
	LineNo   int
	SKU      string
	Quantity int64
}
