// Package x12 reads and writes ANSI X12 interchanges: the envelope
// (ISA/IEA, GS/GE, ST/SE), its delimiters and its control numbers. It knows
// no HTTP and no SQL; the OMS maps transaction sets to and from its domain
// values elsewhere.
//
// The reader streams: it holds one transaction set at a time, so memory
// stays flat however large the file. Delimiters are taken from every ISA,
// so one file may hold interchanges with different delimiters.
package x12

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

// Delimiters are the separators of one interchange.
type Delimiters struct {
	Element    byte
	Component  byte   // 0 when the ISA names none
	Repetition byte   // 0 before version 00402 or when ISA11 is a code
	Segment    string // one byte, a UTF-8 rune (U+2026), or "\n"
	// Suffix is written after every segment terminator ("\n", "\r\n" or
	// ""); the reader ignores line breaks between segments.
	Suffix string
}

// DefaultDelimiters are the common ones: * > ^ and ~ with a line break.
var DefaultDelimiters = Delimiters{Element: '*', Component: '>', Repetition: '^', Segment: "~", Suffix: "\n"}

// Segment is one segment: Elems[0] is its ID, Elems[1] its first element.
type Segment struct {
	Elems []string
	// Pos is the position within its transaction set (ST is 1), 0 outside.
	Pos int
	// Index is the segment's number in the file (the first is 1) and
	// Offset its byte offset.
	Index  int
	Offset int64
}

// ID is the segment's identifier (BEG, PO1, ...).
func (s Segment) ID() string {
	if len(s.Elems) == 0 {
		return ""
	}
	return s.Elems[0]
}

// El returns element i (1-based), or "" when the segment is shorter.
func (s Segment) El(i int) string {
	if i <= 0 || i >= len(s.Elems) {
		return ""
	}
	return s.Elems[i]
}

// Interchange is one ISA..IEA envelope as read, with every error found in it.
type Interchange struct {
	Delims       Delimiters
	CRLF         bool     // segments were separated by CR LF
	ISA          []string // ISA01..ISA16 as read (index 0 is "ISA")
	SenderQual   string
	SenderID     string
	ReceiverQual string
	ReceiverID   string
	Date, Time   string
	Version      string // ISA12
	Control      string // ISA13
	AckRequested bool   // ISA14 = 1
	Usage        string // ISA15: P or T
	Groups       []*Group
	Errors       []Error
	// Start and End are the byte offsets of the interchange in the file
	// (End is past its last byte), so that its raw text can be kept.
	Start, End int64
	closed     bool
	gsCount    int
}

// OK reports whether the interchange envelope has no error.
func (ic *Interchange) OK() bool { return !hasRejecting(ic.Errors) }

// Group is one GS..GE functional group as read.
type Group struct {
	FunctionalID string // GS01
	AppSender    string // GS02
	AppReceiver  string // GS03
	Date, Time   string
	Control      string // GS06
	Agency       string // GS07
	Version      string // GS08
	Sets         []*SetAck
	Errors       []Error
	Included     int // GE01 as a number, -1 when there is no GE
	Interchange  *Interchange
	closed       bool
}

// SetAck is what is known of one transaction set after reading it: what a
// 997 acknowledges. The mapping adds its own segment errors with AddError.
type SetAck struct {
	ID      string // ST01
	Control string // ST02
	Errors  []Error
}

// Verdict is the 997 code of a set: A accepted, E accepted with errors, R rejected.
func (s *SetAck) Verdict() string {
	switch {
	case hasRejecting(s.Errors):
		return "R"
	case len(s.Errors) > 0:
		return "E"
	}
	return "A"
}

// Transaction is one ST..SE transaction set handed to the caller of Read.
// Its segments are valid only during the callback.
type Transaction struct {
	Interchange *Interchange
	Group       *Group
	Ack         *SetAck
	Segments    []Segment // ST through SE
}

// ID is the set's identifier (ST01), Control its control number (ST02).
func (t *Transaction) ID() string      { return t.Ack.ID }
func (t *Transaction) Control() string { return t.Ack.Control }

// AddError records an error found in the set (a mapping error, say); it
// is acknowledged in the group's 997.
func (t *Transaction) AddError(e Error) { t.Ack.Errors = append(t.Ack.Errors, e) }

// Accepted reports whether the envelope of the set is sound so far.
func (t *Transaction) Accepted() bool {
	return !hasRejecting(t.Ack.Errors) && !hasRejecting(t.Group.Errors)
}

// Limits keep one bad file from taking unbounded memory.
const (
	// MaxSegmentBytes is the longest segment the reader accepts.
	MaxSegmentBytes = 1 << 20
	// MaxSetSegments is the most segments one transaction set may hold.
	MaxSetSegments = 500_000
)

// Result is what Read found in a file: every interchange with its groups
// and sets, and the errors outside any interchange.
type Result struct {
	Interchanges []*Interchange
	Errors       []Error // data outside any interchange, unreadable ISAs
	Segments     int
	Bytes        int64
}

// OK reports whether the file, every interchange, group and set in it, has
// no rejecting error.
func (r *Result) OK() bool {
	if hasRejecting(r.Errors) {
		return false
	}
	for _, ic := range r.Interchanges {
		if !ic.OK() {
			return false
		}
		for _, g := range ic.Groups {
			if g.Verdict() != "A" && g.Verdict() != "E" {
				return false
			}
			for _, s := range g.Sets {
				if s.Verdict() == "R" {
					return false
				}
			}
		}
	}
	return true
}

// AllErrors lists every error of the file, envelope and sets, in file order
// of their containers.
func (r *Result) AllErrors() []Error {
	out := append([]Error(nil), r.Errors...)
	for _, ic := range r.Interchanges {
		out = append(out, ic.Errors...)
		for _, g := range ic.Groups {
			out = append(out, g.Errors...)
			for _, s := range g.Sets {
				out = append(out, s.Errors...)
			}
		}
	}
	return out
}

// Read reads every interchange of r, calling fn for each transaction set
// (also for sets whose envelope is in error: see Transaction.Accepted). An
// error returned by fn stops the reading and is returned. Envelope errors
// are not returned: they are in the Result.
func Read(r io.Reader, fn func(*Transaction) error) (*Result, error) {
	d := decoder{sc: scanner{r: r, buf: make([]byte, 64<<10)}, fn: fn, res: &Result{}}
	err := d.run()
	d.res.Bytes = d.sc.offset + int64(d.sc.start)
	return d.res, err
}

// ReadAll reads data and keeps nothing but the envelope result; it is Read
// with a callback that does nothing.
func ReadAll(data []byte) *Result {
	res, _ := Read(bytes.NewReader(data), func(*Transaction) error { return nil })
	return res
}

// scanner is a growable window over the input.
type scanner struct {
	r          io.Reader
	buf        []byte
	start, end int
	offset     int64 // file offset of buf[0]
	eof        bool
	err        error
}

// fill reads more input, keeping buf[start:end]; false when nothing more came.
func (s *scanner) fill() bool {
	if s.eof {
		return false
	}
	if s.start > 0 {
		n := copy(s.buf, s.buf[s.start:s.end])
		s.offset += int64(s.start)
		s.start, s.end = 0, n
	}
	if s.end == len(s.buf) {
		if len(s.buf) >= 2*MaxSegmentBytes {
			return false
		}
		nb := make([]byte, 2*len(s.buf))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	for tries := 0; tries < 100; tries++ {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if err != nil {
			s.eof = true
			if err != io.EOF {
				s.err = err
			}
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
	s.eof, s.err = true, io.ErrNoProgress
	return false
}

// ensure makes at least n bytes available when the input has them.
func (s *scanner) ensure(n int) {
	for s.end-s.start < n && s.fill() {
	}
}

func (s *scanner) pos() int64 { return s.offset + int64(s.start) }

type decoder struct {
	sc    scanner
	fn    func(*Transaction) error
	res   *Result
	ic    *Interchange
	grp   *Group
	tx    *Transaction
	term  []byte
	index int // segments read in the file
	// arena holds the element slices of the current set's segments.
	arena []string
	segs  []Segment
	// overflow is set when the current set passed MaxSetSegments;
	// dropped counts the segments it did not keep.
	overflow bool
	dropped  int
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// skipFiller skips line breaks, indentation and byte-order marks between
// segments; false at the end of the input.
func (d *decoder) skipFiller() bool {
	s := &d.sc
	for {
		for s.start < s.end {
			c := s.buf[s.start]
			switch {
			case isSpace(c) || c == 0:
				s.start++
			case c == 0xEF:
				if s.end-s.start < 3 && !s.eof {
					goto more
				}
				if s.end-s.start >= 3 && s.buf[s.start+1] == 0xBB && s.buf[s.start+2] == 0xBF {
					s.start += 3
					continue
				}
				return true
			default:
				return true
			}
		}
	more:
		if !s.fill() {
			return s.start < s.end
		}
	}
}

func (d *decoder) run() error {
	for {
		if !d.skipFiller() {
			break
		}
		s := &d.sc
		s.ensure(4)
		if s.end-s.start >= 4 && bytes.HasPrefix(s.buf[s.start:s.end], []byte("ISA")) && isDelimiter(s.buf[s.start+3]) {
			if err := d.readISA(); err != nil {
				return err
			}
			continue
		}
		if d.ic == nil || d.ic.closed {
			d.skipGarbage()
			continue
		}
		seg, ok := d.nextSegment()
		if !ok {
			break
		}
		if err := d.segment(seg); err != nil {
			return err
		}
	}
	if err := d.closeInterchange(Error{Code: "023", Msg: "the file ends before IEA (premature end of file)"}); err != nil {
		return err
	}
	if d.sc.err != nil {
		return d.sc.err
	}
	return nil
}

// isDelimiter reports whether c may be a delimiter: not a letter or digit.
func isDelimiter(c byte) bool {
	return !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == ' ')
}

// skipGarbage reports data outside any interchange and skips to the next
// line break or ISA.
func (d *decoder) skipGarbage() {
	s := &d.sc
	at := s.pos()
	skipped := 0
	for {
		buf := s.buf[s.start:s.end]
		i := bytes.Index(buf, []byte("ISA"))
		if i > 0 || (i == 0 && skipped > 0) {
			s.start += i
			skipped += i
			break
		}
		if i == 0 {
			// "ISA" with no delimiter after it: skip these bytes.
			s.start += 3
			skipped += 3
			continue
		}
		keep := min(len(buf), 2)
		s.start += len(buf) - keep
		skipped += len(buf) - keep
		if !s.fill() {
			skipped += s.end - s.start
			s.start = s.end
			break
		}
	}
	d.res.Errors = append(d.res.Errors, Error{Code: "024", Offset: at, Msg: fmt.Sprintf("%d bytes outside any interchange (no ISA before them) were skipped", skipped)})
}

// readISA reads an ISA segment, taking the delimiters from it.
func (d *decoder) readISA() error {
	if err := d.closeInterchange(Error{Code: "023", Msg: "a new ISA starts before IEA closed the interchange"}); err != nil {
		return err
	}
	s := &d.sc
	s.ensure(1024)
	start := s.pos()
	buf := s.buf[s.start:s.end]
	sep := buf[3]
	// Split on the element separator 16 times, dropping line breaks
	// inside the header (some senders wrap lines at a fixed width).
	elems := make([]string, 1, 17)
	elems[0] = "ISA"
	var cur []byte
	i := 4
	for len(elems) < 16 && i < len(buf) {
		c := buf[i]
		switch {
		case c == sep:
			elems = append(elems, string(cur))
			cur = cur[:0]
		case c == '\r' || c == '\n':
		default:
			cur = append(cur, c)
		}
		i++
		if i > 600 {
			break
		}
	}
	ic := &Interchange{Start: start}
	d.index++
	if len(elems) < 16 || i+1 >= len(buf) {
		// Not a readable header: skip the "ISA" and look for the next one.
		s.start += 3
		d.res.Errors = append(d.res.Errors, Error{Code: "024", Segment: "ISA", Index: d.index, Offset: start,
			Msg: "the ISA header is not readable: it does not have 16 elements"})
		return nil
	}
	// i is at ISA16, the component separator; the terminator follows.
	comp := buf[i]
	j := i + 1
	var term []byte
	crlf := false
	switch c := buf[j]; {
	case c == '\r' && j+1 < len(buf) && buf[j+1] == '\n':
		term, crlf = []byte{'\n'}, true
		j += 2
	case c == '\r' || c == '\n':
		term = []byte{c}
		j++
	case c >= 0x80:
		_, size := utf8.DecodeRune(buf[j:])
		term = append([]byte(nil), buf[j:j+size]...)
		j += size
	default:
		term = []byte{c}
		j++
	}
	elems = append(elems, string(comp))
	ic.ISA = elems
	if (comp == '\r' || comp == '\n') || (term[0] == '\n' || term[0] == '\r') && bytes.IndexByte([]byte("~'|"), comp) >= 0 && lineEndsWith(buf[j:], comp) {
		// "*T*~" and a line break: no ISA16 at all, and the byte taken
		// for it is the segment terminator.
		ic.Errors = append(ic.Errors, Error{Code: "026", Segment: "ISA", Element: 16, Index: d.index, Offset: start, Warning: true,
			Msg: fmt.Sprintf("ISA16 (component separator) is missing; %q is taken as the segment terminator", comp)})
		term = []byte{comp}
		comp = 0
		elems[16] = ""
	}
	ic.Delims = Delimiters{Element: sep, Component: comp, Segment: string(term)}
	ic.CRLF = crlf
	ic.SenderQual, ic.SenderID = trim(elems[5]), trim(elems[6])
	ic.ReceiverQual, ic.ReceiverID = trim(elems[7]), trim(elems[8])
	ic.Date, ic.Time = elems[9], elems[10]
	ic.Version, ic.Control = elems[12], elems[13]
	ic.AckRequested = elems[14] == "1"
	ic.Usage = elems[15]
	if len(elems[11]) == 1 && isDelimiter(elems[11][0]) && elems[12] >= "00402" {
		ic.Delims.Repetition = elems[11][0]
	}
	d.checkISA(ic, elems, start)
	s.start += j
	d.ic, d.grp, d.tx = ic, nil, nil
	d.term = term
	d.res.Interchanges = append(d.res.Interchanges, ic)
	d.res.Segments++
	return nil
}

// lineEndsWith reports whether the next non-empty line of b ends with c.
func lineEndsWith(b []byte, c byte) bool {
	b = bytes.TrimLeft(b, " \t\r\n")
	n := bytes.IndexByte(b, '\n')
	if n < 0 {
		return false
	}
	line := bytes.TrimRight(b[:n], " \t\r")
	return len(line) > 0 && line[len(line)-1] == c
}

var isaWidths = [17]int{0, 2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1}

func (d *decoder) checkISA(ic *Interchange, elems []string, at int64) {
	for k := 1; k <= 15; k++ {
		if n := utf8.RuneCountInString(elems[k]); n != isaWidths[k] {
			ic.Errors = append(ic.Errors, Error{Code: "027", Segment: "ISA", Element: k, Index: d.index, Offset: at, Warning: true, Data: elems[k],
				Msg: fmt.Sprintf("ISA%02d is %d characters wide; the standard says %d", k, n, isaWidths[k])})
		}
	}
	if !allDigits(ic.Control) || len(ic.Control) != 9 {
		ic.Errors = append(ic.Errors, Error{Code: "018", Segment: "ISA", Element: 13, Index: d.index, Offset: at, Data: ic.Control,
			Msg: fmt.Sprintf("ISA13 interchange control number %q is not 9 digits", ic.Control)})
	}
	dl := ic.Delims
	if dl.Segment == string(dl.Element) || (dl.Component != 0 && (dl.Component == dl.Element || dl.Segment == string(dl.Component))) {
		ic.Errors = append(ic.Errors, Error{Code: "026", Segment: "ISA", Element: 16, Index: d.index, Offset: at,
			Msg: "the element separator, component separator and segment terminator are not all different"})
	}
}

func trim(s string) string {
	// NBSP padding is seen as often as spaces.
	for len(s) > 0 && (s[len(s)-1] == ' ') {
		s = s[:len(s)-1]
	}
	for len(s) >= 2 && s[len(s)-2:] == "\u00a0" {
		s = s[:len(s)-2]
		for len(s) > 0 && s[len(s)-1] == ' ' {
			s = s[:len(s)-1]
		}
	}
	return s
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// nextSegment reads one segment up to the interchange's terminator.
func (d *decoder) nextSegment() (Segment, bool) {
	s := &d.sc
	term := d.term
	from := 0
	var raw []byte
	var at int64
	for {
		buf := s.buf[s.start:s.end]
		var i int
		if len(term) == 1 {
			i = bytes.IndexByte(buf[from:], term[0])
		} else {
			i = bytes.Index(buf[from:], term)
		}
		if i >= 0 {
			i += from
			at = s.pos()
			raw = buf[:i]
			s.start += i + len(term)
			break
		}
		if s.end-s.start > MaxSegmentBytes {
			at = s.pos()
			d.index++
			d.ic.Errors = append(d.ic.Errors, Error{Code: "024", Index: d.index, Offset: at,
				Msg: fmt.Sprintf("no segment terminator %q in %d bytes; the rest of the interchange was skipped", term, MaxSegmentBytes)})
			d.ic.closed = true
			s.start = s.end
			return Segment{}, false
		}
		from = max(0, len(buf)-len(term)+1)
		if !s.fill() {
			buf = s.buf[s.start:s.end]
			if len(buf) == 0 {
				return Segment{}, false
			}
			// The last segment has no terminator.
			at = s.pos()
			raw = buf
			s.start = s.end
			d.ic.Errors = append(d.ic.Errors, Error{Code: "023", Index: d.index + 1, Offset: at, Warning: true,
				Msg: "the last segment has no segment terminator"})
			break
		}
	}
	d.index++
	d.res.Segments++
	return d.split(raw, at), true
}

// split turns a segment's bytes into elements. Line breaks inside a
// segment are dropped unless they are the terminator.
func (d *decoder) split(raw []byte, at int64) Segment {
	if d.term[0] != '\n' && d.term[0] != '\r' {
		if bytes.IndexByte(raw, '\n') >= 0 || bytes.IndexByte(raw, '\r') >= 0 {
			raw = bytes.Map(func(r rune) rune {
				if r == '\n' || r == '\r' {
					return -1
				}
				return r
			}, raw)
		}
	} else {
		raw = bytes.TrimRight(raw, "\r")
	}
	// Trailing blanks after a terminator belong to the filler, not here;
	// leading ones were skipped already.
	str := string(raw)
	sep := d.ic.Delims.Element
	start := len(d.arena)
	p := 0
	for {
		k := indexByteString(str[p:], sep)
		if k < 0 {
			d.arena = append(d.arena, str[p:])
			break
		}
		d.arena = append(d.arena, str[p:p+k])
		p += k + 1
	}
	el := d.arena[start:len(d.arena):len(d.arena)]
	if len(el) > 0 {
		el[0] = trimID(el[0])
	}
	return Segment{Elems: el, Index: d.index, Offset: at}
}

func indexByteString(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

// trimID drops blanks around a segment ID (indentation, a space after ~).
func trimID(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

func num(s string) (int, bool) {
	for len(s) > 0 && s[0] == ' ' {
		s = s[1:]
	}
	for len(s) > 0 && s[len(s)-1] == ' ' {
		s = s[:len(s)-1]
	}
	if !allDigits(s) {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// sameControl compares control numbers as numbers when both are numeric.
func sameControl(a, b string) bool {
	x, ok1 := num(a)
	y, ok2 := num(b)
	if ok1 && ok2 {
		return x == y
	}
	return a == b
}

func (d *decoder) segment(seg Segment) error {
	ic := d.ic
	switch seg.ID() {
	case "IEA":
		if err := d.closeSet(Error{Code: "2", Msg: "IEA comes before SE: the transaction set has no trailer"}); err != nil {
			return err
		}
		d.closeGroup(Error{Code: "3", Msg: "IEA comes before GE: the functional group has no trailer"})
		if n, ok := num(seg.El(1)); !ok || n != ic.gsCount {
			ic.Errors = append(ic.Errors, Error{Code: "021", Segment: "IEA", Element: 1, Index: seg.Index, Offset: seg.Offset, Data: seg.El(1),
				Msg: fmt.Sprintf("IEA01 says %s functional groups; the interchange has %d", seg.El(1), ic.gsCount)})
		}
		if !sameControl(seg.El(2), ic.Control) {
			ic.Errors = append(ic.Errors, Error{Code: "001", Segment: "IEA", Element: 2, Index: seg.Index, Offset: seg.Offset, Data: seg.El(2),
				Msg: fmt.Sprintf("IEA02 %s does not match ISA13 %s", seg.El(2), ic.Control)})
		}
		ic.closed = true
		ic.End = d.sc.pos()
		d.arena = d.arena[:0]
		return nil
	case "GS":
		if err := d.closeSet(Error{Code: "2", Msg: "GS comes before SE: the transaction set has no trailer"}); err != nil {
			return err
		}
		d.closeGroup(Error{Code: "3", Msg: "a new GS comes before GE: the functional group has no trailer"})
		g := &Group{FunctionalID: seg.El(1), AppSender: seg.El(2), AppReceiver: seg.El(3), Date: seg.El(4), Time: seg.El(5),
			Control: seg.El(6), Agency: seg.El(7), Version: seg.El(8), Included: -1, Interchange: ic}
		if !allDigits(g.Control) {
			g.Errors = append(g.Errors, Error{Code: "6", Segment: "GS", Element: 6, Index: seg.Index, Offset: seg.Offset, Data: g.Control,
				Msg: fmt.Sprintf("GS06 group control number %q is not a number", g.Control)})
		}
		ic.Groups = append(ic.Groups, g)
		ic.gsCount++
		d.grp = g
		d.arena = d.arena[:0]
		return nil
	case "GE":
		if err := d.closeSet(Error{Code: "2", Msg: "GE comes before SE: the transaction set has no trailer"}); err != nil {
			return err
		}
		g := d.grp
		if g == nil {
			ic.Errors = append(ic.Errors, Error{Code: "024", Segment: "GE", Index: seg.Index, Offset: seg.Offset, Msg: "GE without a GS"})
			return nil
		}
		n, ok := num(seg.El(1))
		if ok {
			g.Included = n
		}
		if !ok || n != len(g.Sets) {
			g.Errors = append(g.Errors, Error{Code: "5", Segment: "GE", Element: 1, Index: seg.Index, Offset: seg.Offset, Data: seg.El(1),
				Msg: fmt.Sprintf("GE01 says %s transaction sets; the group has %d", seg.El(1), len(g.Sets))})
		}
		if !sameControl(seg.El(2), g.Control) {
			g.Errors = append(g.Errors, Error{Code: "4", Segment: "GE", Element: 2, Index: seg.Index, Offset: seg.Offset, Data: seg.El(2),
				Msg: fmt.Sprintf("GE02 %s does not match GS06 %s", seg.El(2), g.Control)})
		}
		g.closed = true
		d.grp = nil
		return nil
	case "ST":
		if err := d.closeSet(Error{Code: "2", Msg: "a new ST comes before SE: the transaction set has no trailer"}); err != nil {
			return err
		}
		if d.grp == nil {
			ic.Errors = append(ic.Errors, Error{Code: "024", Segment: "ST", Index: seg.Index, Offset: seg.Offset,
				Msg: fmt.Sprintf("transaction set %s %s is outside a functional group (no GS before it)", seg.El(1), seg.El(2))})
			// Read it anyway, in a group of its own, so its errors are kept.
			d.grp = &Group{Included: -1, Interchange: ic, Errors: []Error{{Code: "3", Segment: "ST", Index: seg.Index, Offset: seg.Offset, Msg: "no GS header"}}}
			ic.Groups = append(ic.Groups, d.grp)
		}
		ack := &SetAck{ID: seg.El(1), Control: seg.El(2)}
		d.grp.Sets = append(d.grp.Sets, ack)
		d.tx = &Transaction{Interchange: ic, Group: d.grp, Ack: ack, Segments: d.segs[:0]}
		d.overflow, d.dropped = false, 0
		if ack.ID == "" || !allDigits(ack.ID) {
			ack.Errors = append(ack.Errors, Error{Code: "6", Segment: "ST", Position: 1, Element: 1, Index: seg.Index, Offset: seg.Offset, Data: ack.ID,
				Msg: fmt.Sprintf("ST01 %q is not a transaction set identifier", ack.ID)})
		}
		if n := len(ack.Control); n < 4 || n > 9 {
			ack.Errors = append(ack.Errors, Error{Code: "7", Segment: "ST", Position: 1, Element: 2, Index: seg.Index, Offset: seg.Offset, Data: ack.Control,
				Msg: fmt.Sprintf("ST02 control number %q must be 4 to 9 characters", ack.Control)})
		}
		seg.Pos = 1
		d.tx.Segments = append(d.tx.Segments, seg)
		return nil
	case "SE":
		t := d.tx
		if t == nil {
			ic.Errors = append(ic.Errors, Error{Code: "024", Segment: "SE", Index: seg.Index, Offset: seg.Offset, Msg: "SE without an ST"})
			return nil
		}
		seg.Pos = len(t.Segments) + 1
		count := seg.Pos + d.dropped
		if n, ok := num(seg.El(1)); !ok || n != count {
			t.AddError(Error{Code: "4", Segment: "SE", Position: seg.Pos, Element: 1, Index: seg.Index, Offset: seg.Offset, Data: seg.El(1),
				Msg: fmt.Sprintf("SE01 says %s segments; the transaction set has %d", seg.El(1), count)})
		}
		if !sameControl(seg.El(2), t.Ack.Control) {
			t.AddError(Error{Code: "3", Segment: "SE", Position: seg.Pos, Element: 2, Index: seg.Index, Offset: seg.Offset, Data: seg.El(2),
				Msg: fmt.Sprintf("SE02 %s does not match ST02 %s", seg.El(2), t.Ack.Control)})
		}
		t.Segments = append(t.Segments, seg)
		return d.deliver()
	case "ISA":
		// Only reached for an ISA whose 4th byte is a letter or digit.
		ic.Errors = append(ic.Errors, Error{Code: "026", Segment: "ISA", Index: seg.Index, Offset: seg.Offset, Msg: "an ISA with an invalid element separator"})
		return nil
	}
	if d.tx == nil {
		// Interchange acknowledgments and the optional interchange
		// services segments sit in the envelope, outside any group.
		if d.grp == nil && (seg.ID() == "TA1" || seg.ID() == "TA3" || seg.ID() == "ISB" || seg.ID() == "ISE") {
			return nil
		}
		ic.Errors = append(ic.Errors, Error{Code: "024", Segment: seg.ID(), Index: seg.Index, Offset: seg.Offset,
			Msg: fmt.Sprintf("segment %s is outside a transaction set", seg.ID())})
		return nil
	}
	seg.Pos = len(d.tx.Segments) + 1
	if len(d.tx.Segments) >= MaxSetSegments {
		if !d.overflow {
			d.tx.AddError(Error{Code: "5", Segment: seg.ID(), Position: seg.Pos, Index: seg.Index, Offset: seg.Offset,
				Msg: fmt.Sprintf("the transaction set has more than %d segments", MaxSetSegments)})
			d.overflow = true
		}
		d.dropped++
		d.arena = d.arena[:len(d.arena)-len(seg.Elems)]
		return nil
	}
	if seg.ID() == "" || len(seg.ID()) > 3 || !isSegmentID(seg.ID()) {
		d.tx.AddError(Error{Code: "5", Segment: seg.ID(), Position: seg.Pos, Index: seg.Index, Offset: seg.Offset, Data: seg.ID(),
			Msg: fmt.Sprintf("%q is not a segment identifier", seg.ID())})
	}
	d.tx.Segments = append(d.tx.Segments, seg)
	return nil
}

func isSegmentID(s string) bool {
	if len(s) < 2 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// deliver hands the finished set to the callback and resets the buffers.
func (d *decoder) deliver() error {
	t := d.tx
	d.tx = nil
	err := d.fn(t)
	d.segs = t.Segments[:0]
	d.arena = d.arena[:0]
	if err != nil {
		return err
	}
	return nil
}

// closeSet ends an open set that has no SE, with e as its error.
func (d *decoder) closeSet(e Error) error {
	if d.tx == nil {
		return nil
	}
	e.Segment = "SE"
	e.Position = len(d.tx.Segments) + 1
	d.tx.AddError(e)
	return d.deliver()
}

// closeGroup ends an open group that has no GE, with e as its error.
func (d *decoder) closeGroup(e Error) {
	if d.grp == nil {
		return
	}
	e.Segment = "GE"
	d.grp.Errors = append(d.grp.Errors, e)
	d.grp.closed = true
	d.grp = nil
}

// closeInterchange ends an open interchange that has no IEA.
func (d *decoder) closeInterchange(e Error) error {
	if d.ic == nil || d.ic.closed {
		return nil
	}
	err := d.closeSet(Error{Code: "2", Msg: "the interchange ends before SE: the transaction set has no trailer"})
	d.closeGroup(Error{Code: "3", Msg: "the interchange ends before GE: the functional group has no trailer"})
	e.Segment = "IEA"
	d.ic.Errors = append(d.ic.Errors, e)
	d.ic.closed = true
	d.ic.End = d.sc.pos()
	return err
}
