package domain_test

import (
	"testing"

	"github.com/oms/oms/domain"
)

func TestMoney(t *testing.T) {
	for _, tc := range []struct {
		cents int64
		want  string
	}{
		{0, "$0.00"}, {5, "$0.05"}, {99, "$0.99"}, {100, "$1.00"}, {106180, "$1,061.80"},
		{123456789, "$1,234,567.89"}, {-5, "-$0.05"}, {-106180, "-$1,061.80"},
	} {
		if got := domain.Money(tc.cents); got != tc.want {
			t.Errorf("Money(%d) = %q, want %q", tc.cents, got, tc.want)
		}
	}
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1350: "1,350", -1234567: "-1,234,567"} {
		if got := domain.Thousands(n); got != want {
			t.Errorf("Thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
