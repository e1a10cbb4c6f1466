package sourcing

import (
	"slices"
	"strings"
)

// Shadow says that a rule can never match: an earlier rule takes every
// order it would.
type Shadow struct {
	RuleID int64
	By     Rule // the earlier rule that takes its orders
}

// Shadowed finds the rules, in position order, that can never match
// because an earlier rule's conditions take every order theirs would (an
// earlier catch-all takes everything). An active or inactive rule is
// shadowed by earlier active rules; a draft, which the simulator tries as
// if active, by earlier active rules and drafts. Inactive rules shadow
// nothing. The check is conservative: it reports a rule only when the
// earlier rule's conditions are, field by field, at least as wide.
func Shadowed(rules []Rule) map[int64]Shadow {
	out := map[int64]Shadow{}
	for i, r := range rules {
		for _, e := range rules[:i] {
			if e.Status == StatusInactive || (e.Status == StatusDraft && r.Status != StatusDraft) {
				continue
			}
			if Covers(e.Conditions, r.Conditions) {
				out[r.ID] = Shadow{RuleID: r.ID, By: e}
				break
			}
		}
	}
	return out
}

// CatchAll reports whether conditions match every order.
func (c Conditions) CatchAll() bool { return Covers(c, Conditions{}) }

// Covers reports whether every order matching b also matches a: each of
// a's conditions is unset or at least as wide as b's.
func Covers(a, b Conditions) bool {
	return coversList(a.Channels, b.Channels) && coversList(a.CustomerTypes, b.CustomerTypes) &&
		coversList(a.Regions, b.Regions) && coversList(a.ShipMethods, b.ShipMethods) &&
		(a.MinOrderValueCents == 0 || b.MinOrderValueCents >= a.MinOrderValueCents) &&
		(a.MaxOrderValueCents == 0 || (b.MaxOrderValueCents != 0 && b.MaxOrderValueCents <= a.MaxOrderValueCents)) &&
		(!a.ItemFlags.RequireHazmat || b.ItemFlags.RequireHazmat) &&
		(!a.ItemFlags.ExcludeHazmat || b.ItemFlags.ExcludeHazmat) &&
		(!a.ItemFlags.AnyDropshipEligible || b.ItemFlags.AnyDropshipEligible)
}

// coversList: an empty list matches anything; otherwise b must name only
// values a names (and name some, or b would match anything).
func coversList(a, b []string) bool {
	if len(a) == 0 {
		return true
	}
	if len(b) == 0 {
		return false
	}
	for _, v := range b {
		if !slices.ContainsFunc(a, func(x string) bool { return strings.EqualFold(x, v) }) {
			return false
		}
	}
	return true
}
