package sourcing

import (
	"slices"
	"testing"
	"time"
)

// benchCase is a random case whose rule always matches and always splits,
// so the benchmark measures the greedy set cover, not an early exit.
func benchCase(nLines int) (Order, Snapshot, []Rule) {
	o, s, _ := randomCase(2026, nLines, 50)
	o.ShipComplete = false
	o.CustomerType = CustomerB2B
	o.ValueCents = 1_000_000
	o.ShipTo = ShipTo{PostalCode: "75201"}
	rules := []Rule{{ID: 1, Version: 1, Name: "Bench", Position: 1, Status: StatusActive,
		Policy: Policy{Eligible: Eligibility{Types: []string{TypeDC, Type3PL, TypeStore}}, Rank: RankDistance,
			MaxSplits: MaxSplitsLimit, Dropship: true, Rest: RestBackorder}}}
	return o, s, append(rules, DemoRules()...)
}

func BenchmarkPlan10Lines50Locations(b *testing.B) {
	o, s, rules := benchCase(10)
	b.ReportAllocs()
	for b.Loop() {
		Plan(o, s, rules)
	}
}

func BenchmarkPlan1000Lines(b *testing.B) {
	o, s, rules := benchCase(1000)
	b.ReportAllocs()
	for b.Loop() {
		Plan(o, s, rules)
	}
}

// BenchmarkPlanP99 times every call and reports the 99th percentile, the
// figure the latency targets are set in (10 lines over 50 locations
// ≤ 200 µs, 1,000 lines ≤ 20 ms at p99).
func BenchmarkPlanP99(b *testing.B) {
	for _, bc := range []struct {
		name   string
		lines  int
		target time.Duration
	}{{"10Lines50Locations", 10, 200 * time.Microsecond}, {"1000Lines50Locations", 1000, 20 * time.Millisecond}} {
		b.Run(bc.name, func(b *testing.B) {
			o, s, rules := benchCase(bc.lines)
			var d []time.Duration
			for b.Loop() {
				start := time.Now()
				Plan(o, s, rules)
				d = append(d, time.Since(start))
			}
			slices.Sort(d)
			p99 := d[min(len(d)-1, len(d)*99/100)]
			b.ReportMetric(float64(p99.Nanoseconds()), "p99-ns")
			if p99 > bc.target {
				b.Logf("p99 %v is over the %v target", p99, bc.target)
			}
		})
	}
}
