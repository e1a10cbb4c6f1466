package sourcing

import (
	"math"
	"strconv"
	"strings"
)

// thousands writes n with comma separators ("1,350"), as people read
// distances and quantities in the trace.
func thousands(n int64) string { return string(appendThousands(nil, n)) }

// appendThousands is thousands for hot paths: a 50-location trace is
// written on every plan, so it appends to a reused buffer.
func appendThousands(b []byte, n int64) []byte {
	if n < 0 {
		b = append(b, '-')
		n = -n
	}
	var tmp [24]byte
	digits := strconv.AppendInt(tmp[:0], n, 10)
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, c)
	}
	return b
}

func appendMiles(b []byte, d float64) []byte {
	return append(appendThousands(b, int64(math.Round(d))), " mi"...)
}

func appendUnits(b []byte, n int64) []byte {
	b = appendThousands(b, n)
	if n == 1 {
		return append(b, " unit"...)
	}
	return append(b, " units"...)
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
