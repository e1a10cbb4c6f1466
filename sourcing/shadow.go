package sourcing

import (
	"slices"
	"strings"

	"github.com/oms/oms/domain"
)

// Shadow says that a rule can never match: an earlier rule, or earlier
// rules together, take every order it would.
type Shadow struct {
	RuleID int64
	By     Rule   // the (last) earlier rule that takes its orders
	ByAll  []Rule // every earlier rule needed, By last
}

// Shadowed finds the rules, in position order, that can never match
// because an earlier rule's conditions take every order theirs would (an
// earlier catch-all takes everything). An active or inactive rule is
// shadowed by earlier active rules; a draft, which the simulator tries as
// if active, by earlier active rules and drafts. Inactive rules shadow
// nothing. The check is conservative: it reports a rule only when the
// earlier rule's conditions are, field by field, at least as wide.
//
// Rules also shadow together when they differ in one list condition only
// and between them name every value of it: a B2B rule and a B2C rule
// take every order, whatever its customer type.
func Shadowed(rules []Rule) map[int64]Shadow {
	out := map[int64]Shadow{}
	for i, r := range rules {
		var earlier []Rule
		for _, e := range rules[:i] {
			if e.Status == StatusInactive || (e.Status == StatusDraft && r.Status != StatusDraft) {
				continue
			}
			earlier = append(earlier, e)
			if Covers(e.Conditions, r.Conditions) {
				out[r.ID] = Shadow{RuleID: r.ID, By: e, ByAll: []Rule{e}}
				break
			}
		}
		if _, ok := out[r.ID]; ok {
			continue
		}
		for _, d := range listDimensions {
			if by := coverTogether(earlier, r, d); len(by) > 0 {
				out[r.ID] = Shadow{RuleID: r.ID, By: by[len(by)-1], ByAll: by}
				break
			}
		}
	}
	return out
}

// listDimension is a list condition: how to read and clear it, and every
// value it can take.
type listDimension struct {
	get   func(*Conditions) *[]string
	every []string
}

var listDimensions = []listDimension{
	{func(c *Conditions) *[]string { return &c.CustomerTypes }, customerTypes},
	{func(c *Conditions) *[]string { return &c.Channels }, channels},
	{func(c *Conditions) *[]string { return &c.ShipMethods }, domain.ShipMethods},
}

// coverTogether returns the earlier rules that, each covering r but for
// dimension d, name between them every value of d that r can match; nil
// when they do not.
func coverTogether(earlier []Rule, r Rule, d listDimension) []Rule {
	rc := r.Conditions
	want := *d.get(&rc)
	if len(want) == 0 {
		want = d.every
	}
	*d.get(&rc) = nil
	var by []Rule
	seen := map[string]bool{}
	for _, e := range earlier {
		ec := e.Conditions
		vals := *d.get(&ec)
		*d.get(&ec) = nil
		if !Covers(ec, rc) {
			continue
		}
		by = append(by, e)
		for _, v := range vals {
			seen[strings.ToLower(v)] = true
		}
		all := true
		for _, v := range want {
			all = all && seen[strings.ToLower(v)]
		}
		if all {
			return by
		}
	}
	return nil
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
