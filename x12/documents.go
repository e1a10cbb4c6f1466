package x12

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Ack997 is the body of the 997 that acknowledges a group as read (with
// the errors the mapping added): AK1, then AK2/AK3/AK4/AK5 per set, then
// AK9.
func Ack997(g *Group) OutSet {
	var segs [][]string
	ak1 := []string{"AK1", g.FunctionalID, g.Control}
	if strings.HasPrefix(g.Version, "005") {
		ak1 = append(ak1, g.Version)
	}
	segs = append(segs, ak1)
	for _, s := range g.Sets {
		segs = append(segs, Seg("AK2", s.ID, s.Control))
		var codes []string
		for _, e := range s.Errors {
			if e.SegmentCode == "" {
				codes = appendCode(codes, e.Code)
				continue
			}
			codes = appendCode(codes, "5")
			segs = append(segs, Seg("AK3", e.Segment, strconv.Itoa(e.Position), "", e.SegmentCode))
			if e.Element > 0 {
				pos := strconv.Itoa(e.Element)
				if e.Component > 0 {
					pos += ":" + strconv.Itoa(e.Component)
				}
				segs = append(segs, Seg("AK4", pos, e.ElementRef, e.Code, Clean(Delimiters{}, e.Data, 99)))
			}
		}
		segs = append(segs, append([]string{"AK5", s.Verdict()}, first(codes, 5)...))
	}
	var codes []string
	for _, e := range g.Errors {
		codes = appendCode(codes, e.Code)
	}
	included := g.Included
	if included < 0 {
		included = len(g.Sets)
		if hasRejecting(g.Errors) {
			included = 0
		}
	}
	ak9 := []string{"AK9", g.Verdict(), strconv.Itoa(included), strconv.Itoa(len(g.Sets)), strconv.Itoa(g.Accepted())}
	segs = append(segs, append(ak9, first(codes, 5)...))
	return OutSet{ID: "997", Segments: segs}
}

// TA1 acknowledges an interchange envelope: accepted, or rejected with
// the first note code of its errors.
func TA1(ic *Interchange) []string {
	status, note := "A", "000"
	for _, e := range ic.Errors {
		if !e.Warning && len(e.Code) == 3 {
			status, note = "R", e.Code
			break
		}
	}
	ctrl := ic.Control
	if !allDigits(ctrl) || len(ctrl) != 9 {
		ctrl = "000000000"
	}
	return []string{"TA1", ctrl, ic.Date, ic.Time, status, note}
}

func appendCode(codes []string, c string) []string {
	for _, x := range codes {
		if x == c {
			return codes
		}
	}
	return append(codes, c)
}

func first(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// ProductID is a qualifier and an ID (UP 012345678905, BP A-1001, ...).
type ProductID struct {
	Qualifier string
	ID        string
}

// POAck is a purchase order acknowledgment (855).
type POAck struct {
	Purpose     string // BAK01: 00 original
	Type        string // BAK02: AD no change, AC with changes, RJ rejected
	PONumber    string
	PODate      string // CCYYMMDD
	OrderNumber string // ours, in BAK08 and REF*VN
	Date        time.Time
	Lines       []POAckLine
}

// POAckLine echoes one PO1 line with its status.
type POAckLine struct {
	LineID   string // PO101 as received (may be empty)
	Quantity string
	UOM      string
	Price    string
	Basis    string
	IDs      []ProductID
	Acks     []LineAck
}

// LineAck is one ACK segment: IA accepted, IB backordered, IC accepted with
// changes, IQ quantity changed, IP price changed, IR rejected.
type LineAck struct {
	Status   string
	Quantity int64
	UOM      string
	// DateQualifier and Date: 068 current schedule ship, for example.
	DateQualifier string
	Date          string // CCYYMMDD
}

// Set builds the 855's segments.
func (a POAck) Set(control string) OutSet {
	purpose := a.Purpose
	if purpose == "" {
		purpose = "00"
	}
	segs := [][]string{Seg("BAK", purpose, a.Type, a.PONumber, a.PODate, "", "", "", a.OrderNumber, a.Date.UTC().Format("20060102"))}
	if a.OrderNumber != "" {
		segs = append(segs, Seg("REF", "VN", a.OrderNumber))
	}
	var hash int64
	for _, l := range a.Lines {
		po1 := []string{"PO1", l.LineID, l.Quantity, l.UOM, l.Price, l.Basis}
		for _, id := range l.IDs {
			po1 = append(po1, id.Qualifier, id.ID)
		}
		segs = append(segs, Seg(po1[0], po1[1:]...))
		if q, err := strconv.ParseInt(l.Quantity, 10, 64); err == nil {
			hash += q
		}
		for _, k := range l.Acks {
			segs = append(segs, Seg("ACK", k.Status, strconv.FormatInt(k.Quantity, 10), k.UOM, k.DateQualifier, k.Date))
		}
	}
	segs = append(segs, Seg("CTT", strconv.Itoa(len(a.Lines)), strconv.FormatInt(hash, 10)))
	return OutSet{ID: "855", Control: control, Segments: segs}
}

// Party is an N1 loop: entity code (ST, SF, BT), name, ID pair, address.
type Party struct {
	Code, Name           string
	IDQualifier, ID      string
	Line1, Line2         string
	City, Region, Postal string
	Country              string
}

func (p Party) segments() [][]string {
	if p.Code == "" {
		return nil
	}
	out := [][]string{Seg("N1", p.Code, p.Name, p.IDQualifier, p.ID)}
	if p.Line1 != "" {
		out = append(out, Seg("N3", p.Line1, p.Line2))
	}
	if p.City != "" || p.Postal != "" {
		out = append(out, Seg("N4", p.City, p.Region, p.Postal, p.Country))
	}
	return out
}

// ShipNotice is an advance ship notice (856) for one shipment of one order.
type ShipNotice struct {
	ShipmentID  string // BSN02
	Date        time.Time
	ShipDate    time.Time
	Carrier     string // TD503 (SCAC or name)
	Service     string
	Tracking    string
	ShipFrom    Party
	ShipTo      Party
	PONumber    string
	PODate      string
	OrderNumber string
	Items       []ShipItem
}

// ShipItem is one item level: the PO line, its IDs and the quantity shipped.
type ShipItem struct {
	LineID  string
	IDs     []ProductID
	Shipped int64
	Ordered int64
	UOM     string
}

// Set builds the 856's segments: shipment, order and item levels.
func (n ShipNotice) Set(control string) OutSet {
	segs := [][]string{Seg("BSN", "00", n.ShipmentID, n.Date.UTC().Format("20060102"), n.Date.UTC().Format("1504"), "0001")}
	segs = append(segs, Seg("HL", "1", "", "S"))
	segs = append(segs, Seg("TD5", "", "2", n.Carrier, "", n.Service))
	if n.Tracking != "" {
		segs = append(segs, Seg("REF", "CN", n.Tracking))
	}
	if !n.ShipDate.IsZero() {
		segs = append(segs, Seg("DTM", "011", n.ShipDate.UTC().Format("20060102")))
	}
	segs = append(segs, n.ShipTo.segments()...)
	segs = append(segs, n.ShipFrom.segments()...)
	segs = append(segs, Seg("HL", "2", "1", "O"))
	segs = append(segs, Seg("PRF", n.PONumber, "", "", n.PODate))
	if n.OrderNumber != "" {
		segs = append(segs, Seg("REF", "VN", n.OrderNumber))
	}
	hl := 2
	for _, it := range n.Items {
		hl++
		segs = append(segs, Seg("HL", strconv.Itoa(hl), "2", "I"))
		lin := []string{"LIN", it.LineID}
		for _, id := range it.IDs {
			lin = append(lin, id.Qualifier, id.ID)
		}
		segs = append(segs, Seg(lin[0], lin[1:]...))
		ordered := ""
		if it.Ordered > 0 {
			ordered = strconv.FormatInt(it.Ordered, 10)
		}
		segs = append(segs, Seg("SN1", "", strconv.FormatInt(it.Shipped, 10), it.UOM, "", ordered, it.UOM))
	}
	segs = append(segs, Seg("CTT", strconv.Itoa(hl)))
	return OutSet{ID: "856", Control: control, Segments: segs}
}

// Invoice is an invoice (810); the OMS sends it only when the ERP asks.
type Invoice struct {
	Number     string
	Date       time.Time
	PONumber   string
	PODate     string
	BillTo     Party
	Lines      []InvoiceLine
	TotalCents int64
}

// InvoiceLine is one IT1 line.
type InvoiceLine struct {
	LineID         string
	Quantity       int64
	UOM            string
	UnitPriceCents int64
	IDs            []ProductID
}

// Set builds the 810's segments; TDS carries the total with two implied
// decimals.
func (inv Invoice) Set(control string) OutSet {
	segs := [][]string{Seg("BIG", inv.Date.UTC().Format("20060102"), inv.Number, inv.PODate, inv.PONumber)}
	segs = append(segs, inv.BillTo.segments()...)
	for _, l := range inv.Lines {
		it1 := []string{"IT1", l.LineID, strconv.FormatInt(l.Quantity, 10), l.UOM, Decimal(l.UnitPriceCents), ""}
		for _, id := range l.IDs {
			it1 = append(it1, id.Qualifier, id.ID)
		}
		segs = append(segs, Seg(it1[0], it1[1:]...))
	}
	segs = append(segs, Seg("TDS", strconv.FormatInt(inv.TotalCents, 10)))
	segs = append(segs, Seg("CTT", strconv.Itoa(len(inv.Lines))))
	return OutSet{ID: "810", Control: control, Segments: segs}
}

// Decimal writes cents as an X12 decimal: 1250 is "12.5", 1200 is "12".
func Decimal(cents int64) string {
	neg := cents < 0
	if neg {
		cents = -cents
	}
	s := strconv.FormatInt(cents/100, 10)
	if c := cents % 100; c != 0 {
		s += strings.TrimRight(fmt.Sprintf(".%02d", c), "0")
	}
	if neg {
		s = "-" + s
	}
	return s
}

// ParseCents reads an X12 decimal (R type: "12.5", ".99", "-3") as cents,
// rounding half away from zero beyond two decimals.
func ParseCents(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	neg := false
	if s[0] == '-' {
		neg, s = true, s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" && frac == "" || (whole != "" && !allDigits(whole)) || (frac != "" && !allDigits(frac)) || len(whole) > 12 {
		return 0, false
	}
	var w int64
	if whole != "" {
		w, _ = strconv.ParseInt(whole, 10, 64)
	}
	c := w * 100
	for i := 0; i < 2; i++ {
		if i < len(frac) {
			c += int64(frac[i]-'0') * []int64{10, 1}[i]
		}
	}
	if len(frac) > 2 && frac[2] >= '5' {
		c++
	}
	if neg {
		c = -c
	}
	return c, true
}
