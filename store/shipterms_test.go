package store

import (
	"strings"
	"testing"
)

func TestPrefixExpanded(t *testing.T) {
	many := strings.Fields(strings.Repeat("w ", maxPrefixWords+1))
	tests := []struct {
		name  string
		whole []string
		terms []string
		want  string
	}{
		{"OneWord", nil, []string{"plumbing"}, `("plumbing")`},
		{"Words", []string{"Sterling", "Heating"}, []string{"plumbers", "plumbing"}, `"Sterling" AND "Heating" AND ("plumbers" OR "plumbing")`},
		{"Quote", []string{`a"b`}, []string{"c"}, `"a""b" AND ("c")`},
		{"NoWords", []string{"Sterling"}, nil, ""},
		{"TooMany", []string{"Sterling"}, many, `"Sterling" "p"*`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := prefixExpanded(tt.whole, tt.terms, `"Sterling" "p"*`); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}
