package x12

import (
	"fmt"
	"strings"
)

// Error is one problem found in a file, with where it is. Code is the code
// the acknowledgment uses at that level: a TA1 note code (three digits) for
// the interchange envelope, an AK9 code for a group, an AK5 code for a set,
// an AK3 code for a segment (with Element 0) or an AK4 code for an element.
type Error struct {
	Code    string
	Segment string // segment ID
	// Position is the segment's position in its transaction set (ST is
	// 1); 0 for envelope segments.
	Position int
	Element  int // 1-based; 0 when the error is about the whole segment
	// Component is the 1-based component position within Element, 0 when
	// the element is not composite.
	Component int
	// ElementRef is the data element reference number, when known (AK403).
	ElementRef string
	Index      int   // the segment's number in the file (the first is 1)
	Offset     int64 // byte offset in the file
	Data       string
	// Warning errors are acknowledged (E) but do not reject.
	Warning bool
	// Segment-level errors carry a separate AK3 code and AK4 code.
	SegmentCode string
	Msg         string
}

// Error says what is wrong and where, for people and logs.
func (e Error) Error() string {
	var where []string
	if e.Index > 0 {
		where = append(where, fmt.Sprintf("segment %d of the file", e.Index))
	}
	if e.Segment != "" {
		s := e.Segment
		if e.Element > 0 {
			s += fmt.Sprintf("%02d", e.Element)
			if e.Component > 0 {
				s += fmt.Sprintf("-%d", e.Component)
			}
		}
		if e.Position > 0 {
			s += fmt.Sprintf(" (position %d in the set)", e.Position)
		}
		where = append(where, s)
	}
	if e.Offset > 0 {
		where = append(where, fmt.Sprintf("byte %d", e.Offset))
	}
	kind := "error"
	if e.Warning {
		kind = "warning"
	}
	if len(where) == 0 {
		return kind + ": " + e.Msg
	}
	return kind + " at " + strings.Join(where, ", ") + ": " + e.Msg
}

func hasRejecting(es []Error) bool {
	for _, e := range es {
		if !e.Warning {
			return true
		}
	}
	return false
}

// Verdict is the AK9 code of a group: A accepted, E accepted with errors,
// P partially accepted (some sets rejected), R rejected.
func (g *Group) Verdict() string {
	if hasRejecting(g.Errors) {
		return "R"
	}
	accepted, withErrors := 0, len(g.Errors) > 0
	for _, s := range g.Sets {
		switch s.Verdict() {
		case "A":
			accepted++
		case "E":
			accepted++
			withErrors = true
		}
	}
	switch {
	case len(g.Sets) > 0 && accepted == 0:
		return "R"
	case accepted < len(g.Sets):
		return "P"
	case withErrors:
		return "E"
	}
	return "A"
}

// Accepted counts the sets of the group that were accepted (A or E).
func (g *Group) Accepted() int {
	n := 0
	for _, s := range g.Sets {
		if s.Verdict() != "R" {
			n++
		}
	}
	return n
}
