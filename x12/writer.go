package x12

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Envelope is the interchange header of a document the OMS sends.
type Envelope struct {
	SenderQual, SenderID     string
	ReceiverQual, ReceiverID string
	Control                  int64 // ISA13, 1 to 999999999
	Time                     time.Time
	Version                  string // ISA12; "00401" when empty
	Test                     bool   // ISA15 T instead of P
	Delims                   Delimiters
}

// OutGroup is a functional group to write; the writer adds GS/GE and the
// ST/SE of each set with their counts.
type OutGroup struct {
	FunctionalID string // GS01: FA, PR, SH, IN
	AppSender    string
	AppReceiver  string
	Control      int64  // GS06
	Version      string // GS08; "004010" when empty
	Sets         []OutSet
}

// OutSet is a transaction set's body: the segments between ST and SE.
type OutSet struct {
	ID       string // ST01
	Control  string // ST02
	Segments [][]string
}

// Seg builds a segment from its ID and elements, dropping trailing empty
// elements as the standard asks.
func Seg(id string, elems ...string) []string {
	n := len(elems)
	for n > 0 && elems[n-1] == "" {
		n--
	}
	return append([]string{id}, elems[:n]...)
}

// Encode writes one interchange: ISA, the groups with their sets, and IEA,
// with every count and control number filled in. It refuses data that
// holds a delimiter, since X12 has no escape.
func Encode(env Envelope, groups []OutGroup, extra ...[]string) ([]byte, error) {
	d := env.Delims
	if d.Element == 0 {
		d = DefaultDelimiters
	}
	if env.Version == "" {
		env.Version = "00401"
	}
	rep := "U"
	if env.Version >= "00402" && d.Repetition != 0 {
		rep = string(d.Repetition)
	}
	comp := d.Component
	if comp == 0 {
		comp = '>'
	}
	usage := "P"
	if env.Test {
		usage = "T"
	}
	w := &segWriter{d: d}
	t := env.Time.UTC()
	if env.Control < 1 || env.Control > 999_999_999 {
		return nil, fmt.Errorf("x12: interchange control number %d is not 1 to 999999999", env.Control)
	}
	w.raw([]string{"ISA", "00", pad("", 10), "00", pad("", 10), pad(env.SenderQual, 2), pad(env.SenderID, 15),
		pad(env.ReceiverQual, 2), pad(env.ReceiverID, 15), t.Format("060102"), t.Format("1504"), rep, env.Version,
		fmt.Sprintf("%09d", env.Control), "0", usage, string(comp)})
	for _, seg := range extra {
		w.seg(seg)
	}
	for _, g := range groups {
		v := g.Version
		if v == "" {
			v = "004010"
		}
		gc := strconv.FormatInt(g.Control, 10)
		w.seg([]string{"GS", g.FunctionalID, g.AppSender, g.AppReceiver, t.Format("20060102"), t.Format("1504"), gc, "X", v})
		for _, s := range g.Sets {
			w.seg([]string{"ST", s.ID, s.Control})
			for _, seg := range s.Segments {
				w.seg(seg)
			}
			w.seg([]string{"SE", strconv.Itoa(len(s.Segments) + 2), s.Control})
		}
		w.seg([]string{"GE", strconv.Itoa(len(g.Sets)), gc})
	}
	w.seg([]string{"IEA", strconv.Itoa(len(groups)), fmt.Sprintf("%09d", env.Control)})
	if w.err != nil {
		return nil, w.err
	}
	return w.buf.Bytes(), nil
}

// EncodeSegments writes segments as they are, with the delimiters given;
// it is the low-level half of Encode, used to write back what was read.
func EncodeSegments(d Delimiters, segs [][]string) ([]byte, error) {
	w := &segWriter{d: d}
	for _, s := range segs {
		if len(s) > 0 && s[0] == "ISA" {
			w.raw(s)
			continue
		}
		w.seg(s)
	}
	return w.buf.Bytes(), w.err
}

type segWriter struct {
	d   Delimiters
	buf bytes.Buffer
	err error
}

// raw writes a segment without checking its data (the ISA, whose last
// element is the component separator itself).
func (w *segWriter) raw(s []string) {
	for i, e := range s {
		if i > 0 {
			w.buf.WriteByte(w.d.Element)
		}
		w.buf.WriteString(e)
	}
	w.buf.WriteString(w.d.Segment)
	w.buf.WriteString(w.d.Suffix)
}

func (w *segWriter) seg(s []string) {
	if w.err != nil {
		return
	}
	for i, e := range s {
		if bad := w.delimiterIn(e); bad != "" {
			w.err = fmt.Errorf("x12: %s%02d %q contains the %s", s[0], i, e, bad)
			return
		}
	}
	w.raw(s)
}

func (w *segWriter) delimiterIn(e string) string {
	switch {
	case strings.IndexByte(e, w.d.Element) >= 0:
		return "element separator"
	case strings.Contains(e, w.d.Segment):
		return "segment terminator"
	case w.d.Repetition != 0 && strings.IndexByte(e, w.d.Repetition) >= 0:
		return "repetition separator"
	case strings.ContainsAny(e, "\r\n"):
		return "a line break"
	}
	return ""
}

// Clean makes text safe to send: delimiters and control characters become
// spaces, runs of blanks one blank, and the result is cut to max runes.
func Clean(d Delimiters, s string, max int) string {
	if d.Element == 0 {
		d = DefaultDelimiters
	}
	var b strings.Builder
	space := false
	n := 0
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == rune(d.Element) || r == rune(d.Component) || (d.Repetition != 0 && r == rune(d.Repetition)) ||
			strings.ContainsRune(d.Segment, r) {
			r = ' '
		}
		if r == ' ' {
			if space || b.Len() == 0 {
				continue
			}
			space = true
		} else {
			space = false
		}
		if max > 0 && n >= max {
			break
		}
		b.WriteRune(r)
		n++
	}
	return strings.TrimRight(b.String(), " ")
}

func pad(s string, n int) string {
	if len(s) >= n {
		return s[:n]
	}
	return s + strings.Repeat(" ", n-len(s))
}
