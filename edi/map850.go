// Package edi connects the X12 codec to the OMS: it maps received 850s to
// order requests for the one intake pipeline, answers each functional
// group with a 997, renders the 855 and 856 from the store's domain values,
// and moves files through each trading partner's inbox and outbox folders.
package edi

import (
	"fmt"
	"strings"
	"time"

	"github.com/oms/oms/x12"
)

// PO is a purchase order (850) as received: the fields the OMS uses, in
// the partner's own words.
type PO struct {
	Purpose  string // BEG01: 00 original, 05 replace, ...
	Type     string // BEG02: SA, NE, DS, ...
	Number   string // BEG03
	Release  string // BEG04
	Date     string // BEG05, CCYYMMDD (YYMMDD before 4010)
	Refs     []Ref
	Dates    []Ref // DTM qualifier and date
	ShipTo   Party
	BillTo   Party
	Lines    []Line
	CTTCount string
	CTTHash  string
}

// Ref is a qualifier and a value (REF, DTM).
type Ref struct {
	Qualifier string
	Value     string
}

// Party is an N1 loop with its N2, N3 and N4.
type Party struct {
	Code        string // N101: ST, BT, ...
	Name        string
	Name2       string
	IDQualifier string
	ID          string
	Line1       string
	Line2       string
	City        string
	Region      string
	Postal      string
	Country     string
}

// Line is one PO1 line as received, with its PID description.
type Line struct {
	Index       int    // 0-based position among the PO1s
	Pos         int    // segment position in the set
	LineID      string // PO101, possibly blank or repeated
	Quantity    string
	UOM         string
	Price       string
	Basis       string
	IDs         []x12.ProductID
	Description string
}

// requestedDateQualifiers are the DTM qualifiers that name when the buyer
// wants the goods, most telling first.
var requestedDateQualifiers = []string{"002", "010", "037", "038", "074", "068"}

// Map850 reads the purchase order of an 850 set and records on the set
// every error a 997 reports: a missing BEG or PO1, a PO number missing, a
// quantity or price that is not a number, a CTT count that does not add up
// (a warning). ok is false when the set cannot make an order.
func Map850(t *x12.Transaction) (PO, bool) {
	var po PO
	var party *Party
	inDetail := false
	var line *Line
	begSeen := false
	for _, s := range t.Segments {
		switch s.ID() {
		case "BEG":
			begSeen = true
			po.Purpose, po.Type, po.Number, po.Release, po.Date = s.El(1), s.El(2), strings.TrimSpace(s.El(3)), s.El(4), s.El(5)
			if po.Number == "" {
				t.AddError(x12.Error{SegmentCode: "8", Code: "1", Segment: "BEG", Position: s.Pos, Element: 3, ElementRef: "324",
					Index: s.Index, Offset: s.Offset, Msg: "BEG03 (purchase order number) is missing"})
			}
			if po.Date != "" && !validDate(po.Date) {
				t.AddError(x12.Error{SegmentCode: "8", Code: "8", Segment: "BEG", Position: s.Pos, Element: 5, ElementRef: "373",
					Index: s.Index, Offset: s.Offset, Data: po.Date, Msg: fmt.Sprintf("BEG05 %q is not a date (CCYYMMDD)", po.Date)})
			}
		case "REF":
			if !inDetail && party == nil {
				po.Refs = append(po.Refs, Ref{s.El(1), s.El(2)})
			}
		case "DTM":
			if !inDetail {
				po.Dates = append(po.Dates, Ref{s.El(1), s.El(2)})
			}
		case "N1":
			if inDetail {
				party = nil
				continue
			}
			switch s.El(1) {
			case "ST":
				party = &po.ShipTo
			case "BT":
				party = &po.BillTo
			default:
				party = &Party{}
			}
			*party = Party{Code: s.El(1), Name: s.El(2), IDQualifier: s.El(3), ID: strings.TrimSpace(s.El(4))}
		case "N2":
			if party != nil {
				party.Name2 = s.El(1)
			}
		case "N3":
			if party != nil {
				party.Line1, party.Line2 = s.El(1), s.El(2)
			}
		case "N4":
			if party != nil {
				party.City, party.Region, party.Postal, party.Country = s.El(1), s.El(2), s.El(3), s.El(4)
			}
		case "PO1":
			inDetail, party = true, nil
			l := Line{Index: len(po.Lines), Pos: s.Pos, LineID: s.El(1), Quantity: s.El(2), UOM: s.El(3), Price: s.El(4), Basis: s.El(5)}
			for i := 6; i+1 < len(s.Elems); i += 2 {
				if q, id := strings.TrimSpace(s.El(i)), strings.TrimSpace(s.El(i+1)); q != "" && id != "" {
					l.IDs = append(l.IDs, x12.ProductID{Qualifier: q, ID: id})
				}
			}
			if _, ok := x12.ParseCents(l.Quantity); !ok {
				t.AddError(x12.Error{SegmentCode: "8", Code: "6", Segment: "PO1", Position: s.Pos, Element: 2, ElementRef: "330",
					Index: s.Index, Offset: s.Offset, Data: l.Quantity, Msg: fmt.Sprintf("PO102 quantity %q is not a number", l.Quantity)})
			}
			if l.Price != "" {
				if _, ok := x12.ParseCents(l.Price); !ok {
					t.AddError(x12.Error{SegmentCode: "8", Code: "6", Segment: "PO1", Position: s.Pos, Element: 4, ElementRef: "212",
						Index: s.Index, Offset: s.Offset, Data: l.Price, Msg: fmt.Sprintf("PO104 unit price %q is not a number", l.Price)})
				}
			}
			if len(l.IDs) == 0 {
				t.AddError(x12.Error{SegmentCode: "8", Code: "1", Segment: "PO1", Position: s.Pos, Element: 7, ElementRef: "234",
					Index: s.Index, Offset: s.Offset, Msg: "PO1 has no product ID (PO106/PO107)"})
			}
			po.Lines = append(po.Lines, l)
			line = &po.Lines[len(po.Lines)-1]
		case "PID":
			if line != nil && line.Description == "" {
				line.Description = strings.TrimSpace(s.El(5))
			}
		case "CTT":
			inDetail, line = false, nil
			po.CTTCount, po.CTTHash = s.El(1), s.El(2)
			checkCTT(t, s, po)
		}
	}
	pos := 2
	if len(t.Segments) > 1 {
		pos = t.Segments[1].Pos
	}
	if !begSeen {
		t.AddError(x12.Error{SegmentCode: "3", Segment: "BEG", Position: pos, Msg: "the 850 has no BEG segment"})
	}
	if len(po.Lines) == 0 {
		t.AddError(x12.Error{SegmentCode: "3", Segment: "PO1", Position: pos, Msg: "the 850 has no PO1 line"})
	}
	return po, t.Ack.Verdict() != "R"
}

// checkCTT compares the CTT counts with the lines: a mismatch is a warning
// (accepted with errors), since partners often count otherwise.
func checkCTT(t *x12.Transaction, s x12.Segment, po PO) {
	if n := strings.TrimSpace(po.CTTCount); n != "" && n != fmt.Sprint(len(po.Lines)) {
		t.AddError(x12.Error{SegmentCode: "8", Code: "7", Segment: "CTT", Position: s.Pos, Element: 1, ElementRef: "354", Warning: true,
			Index: s.Index, Offset: s.Offset, Data: n, Msg: fmt.Sprintf("CTT01 says %s lines; the order has %d PO1 lines", n, len(po.Lines))})
	}
	if h := strings.TrimSpace(po.CTTHash); h != "" {
		var sum int64
		for _, l := range po.Lines {
			c, _ := x12.ParseCents(l.Quantity)
			sum += c
		}
		if want, ok := x12.ParseCents(h); !ok || want != sum {
			t.AddError(x12.Error{SegmentCode: "8", Code: "7", Segment: "CTT", Position: s.Pos, Element: 2, ElementRef: "347", Warning: true,
				Index: s.Index, Offset: s.Offset, Data: h, Msg: fmt.Sprintf("CTT02 hash total %s is not the sum of the PO1 quantities, %s", h, x12.Decimal(sum))})
		}
	}
}

func validDate(s string) bool {
	_, ok := parseDate(s)
	return ok
}

// parseDate reads an X12 date: CCYYMMDD, or YYMMDD in versions before
// 4010.
func parseDate(s string) (time.Time, bool) {
	layout := "20060102"
	if len(s) == 6 {
		layout = "060102"
	}
	t, err := time.Parse(layout, s)
	return t, err == nil
}

// RequestedDate is the date the buyer wants the goods (DTM 002 delivery
// requested, then 010 requested ship, ...) as YYYY-MM-DD, or "".
func (po PO) RequestedDate() (date, qualifier string) {
	for _, q := range requestedDateQualifiers {
		for _, d := range po.Dates {
			if t, ok := parseDate(d.Value); ok && d.Qualifier == q {
				return t.Format("2006-01-02"), q
			}
		}
	}
	return "", ""
}

// Describe says what a line asked for, as received: for a person reading a
// hold or the EDI log.
func (l Line) Describe() string {
	var ids []string
	for _, id := range l.IDs {
		ids = append(ids, id.Qualifier+" "+id.ID)
	}
	id := l.LineID
	if id == "" {
		id = fmt.Sprintf("#%d", l.Index+1)
	}
	s := fmt.Sprintf("PO1 %s (%s): %s %s", id, strings.Join(ids, ", "), l.Quantity, l.UOM)
	if l.Price != "" {
		s += " at " + l.Price
	}
	if l.Description != "" {
		s += " \"" + l.Description + "\""
	}
	return s
}
