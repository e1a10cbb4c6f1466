package domain

import (
	"fmt"
	"unicode/utf8"
)

// TextProblem says what is wrong with v as a text field of an order (PO
// number, note, names, address lines) that holds at most max characters,
// or returns "" when nothing is. It is the one rule every channel applies
// (API, entry screen, CSV, EDI): the text must be valid UTF-8, not too
// long, and free of characters that change how it reads without being
// seen: control characters (C0 but tab and newline, DEL, C1), bidi
// embeddings, overrides, isolates and marks, zero-width characters and
// a byte-order mark. The message follows the field's name ("po_number
// must not ...").
func TextProblem(v string, max int) string {
	if !utf8.ValidString(v) {
		return "is not valid UTF-8 text"
	}
	if n := utf8.RuneCountInString(v); n > max {
		return fmt.Sprintf("must be at most %d characters", max)
	}
	pos := 0
	for _, r := range v {
		pos++
		if isControl(r) {
			return fmt.Sprintf("must not contain control characters (U+%04X at character %d)", r, pos)
		}
		if name := invisibleName(r); name != "" {
			return fmt.Sprintf("must not contain invisible characters that change how text reads (%s, U+%04X, at character %d)", name, r, pos)
		}
	}
	return ""
}

// isControl reports C0 controls other than tab and newline, DEL and the
// C1 controls.
func isControl(r rune) bool {
	return r < 0x20 && r != '\n' && r != '\t' || r >= 0x7f && r <= 0x9f
}

// invisibleName names a format character that reorders or hides text, or
// returns "".
func invisibleName(r rune) string {
	switch {
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return "a bidirectional override or isolate"
	case r == 0x200e || r == 0x200f || r == 0x061c:
		return "a bidirectional mark"
	case r >= 0x200b && r <= 0x200d, r == 0x2060:
		return "a zero-width character"
	case r == 0xfeff:
		return "a byte-order mark"
	}
	return ""
}

// ExcerptLength is how many characters of a value an error message quotes.
const ExcerptLength = 40

// Excerpt returns v for quoting in a message for people: as it is when
// it is at most ExcerptLength characters, else its first ExcerptLength
// characters and "…", so that a refused 4 MB cell does not come back as a
// 4 MB message (or a stored report line).
func Excerpt(v string) string {
	n := 0
	for i := range v {
		if n == ExcerptLength {
			return v[:i] + "…"
		}
		n++
	}
	return v
}
