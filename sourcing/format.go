package sourcing

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// thousands writes n with comma separators ("1,350"), as people read
// distances and quantities in the trace.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func miles(d float64) string { return thousands(int64(math.Round(d))) + " mi" }

func money(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s$%s.%02d", sign, thousands(cents/100), cents%100)
}

func units(n int64) string {
	if n == 1 {
		return "1 unit"
	}
	return thousands(n) + " units"
}

func typeLabel(t string) string {
	switch t {
	case TypeDC, Type3PL:
		return strings.ToUpper(t)
	}
	return t
}

func typeList(types []string) string {
	out := make([]string, len(types))
	for i, t := range types {
		out[i] = typeLabel(t)
	}
	return strings.Join(out, " or ")
}

func locName(l Location) string {
	switch {
	case l.Name != "":
		return l.Name
	case l.Code != "":
		return l.Code
	}
	return "location #" + strconv.FormatInt(l.ID, 10)
}

func lineName(l Line) string {
	if l.SKU != "" {
		return l.SKU
	}
	return "Line " + strconv.Itoa(l.LineNo)
}
