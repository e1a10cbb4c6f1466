package demo

import (
	"math/rand/v2"
	"sort"
	"time"
)

// pick returns a random element of xs.
func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// between returns a random duration in [lo, hi).
func between(r *rand.Rand, lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(r.Int64N(int64(hi-lo)))
}

// chance reports true with probability p.
func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

// weighted picks indexes in proportion to weights through a cumulative table.
type weighted []float64

// newWeighted builds the cumulative table of w.
func newWeighted(w []float64) weighted {
	c := make(weighted, len(w))
	s := 0.0
	for i, x := range w {
		s += x
		c[i] = s
	}
	return c
}

// pick returns an index with probability proportional to its weight.
func (c weighted) pick(r *rand.Rand) int { return c.at(r.Float64()) }

// at returns the index where the cumulative share u (0..1) falls.
func (c weighted) at(u float64) int {
	x := u * c[len(c)-1]
	i := sort.SearchFloat64s(c, x)
	if i >= len(c) {
		i = len(c) - 1
	}
	return i
}
