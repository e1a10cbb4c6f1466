package domain

import (
	"strconv"
	"strings"
)

// Money formats cents as dollars the way people read them, with thousands
// separators: 1234567 → "$12,345.67", -5 → "-$0.05". Every screen, event
// and message uses it, so an amount reads the same everywhere.
func Money(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	c := strconv.FormatInt(cents%100, 10)
	if len(c) == 1 {
		c = "0" + c
	}
	return sign + "$" + Thousands(cents/100) + "." + c
}

// Thousands formats n with comma separators: 1350 → "1,350".
func Thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
