package sourcing

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/geo"
)

// MaxSplitsLimit is the largest Policy.MaxSplits a rule may set; more
// shipments than this for one order is a sign of a broken rule, not a plan.
const MaxSplitsLimit = 10

var (
	channels      = []string{ChannelWeb, ChannelEDI, ChannelPhone, ChannelAPI, ChannelCSV, ChannelMarketplace, ChannelPunchout}
	customerTypes = []string{CustomerB2B, CustomerB2C}
	ownTypes      = []string{TypeDC, Type3PL, TypeStore}
	servesValues  = []string{"", ServesB2B, ServesB2C, ServesMatch}
	ranks         = []string{RankDistance, RankCost, RankPriority}
	rests         = []string{RestBackorder, RestCancel, RestException}
	statuses      = []string{StatusDraft, StatusActive, StatusInactive}
	regionNames   = []string{geo.RegionNortheast, geo.RegionMidwest, geo.RegionSouth, geo.RegionWest}
)

// Validate checks a rule before it is saved. It returns nil or a
// domain.EINVALID *domain.Error whose Fields map the JSON path of each bad
// input ("policy.max_splits") to a message for the rule editor.
func Validate(r Rule) error {
	f := map[string]string{}
	name := strings.TrimSpace(r.Name)
	switch {
	case name == "":
		f["name"] = "name is required"
	case len(name) > 100:
		f["name"] = "name must be at most 100 characters"
	}
	if r.Position < 0 {
		f["position"] = "position must be zero or more"
	}
	if !slices.Contains(statuses, r.Status) {
		f["status"] = "status must be draft, active or inactive"
	}

	c := r.Conditions
	if bad := unknown(c.Channels, channels); bad != "" {
		f["conditions.channels"] = fmt.Sprintf("unknown channel %q; use %s", bad, strings.Join(channels, ", "))
	}
	if bad := unknown(c.CustomerTypes, customerTypes); bad != "" {
		f["conditions.customer_types"] = fmt.Sprintf("unknown customer type %q; use b2b or b2c", bad)
	}
	for _, reg := range c.Regions {
		if geo.StateRegion(reg) == "" && !slices.Contains(regionNames, strings.ToLower(reg)) && !territory(reg) {
			f["conditions.regions"] = fmt.Sprintf("unknown region %q; use a US state code such as TX or a census region (northeast, midwest, south, west)", reg)
			break
		}
	}
	if c.MinOrderValueCents < 0 {
		f["conditions.min_order_value_cents"] = "minimum order value cannot be negative"
	}
	if c.MaxOrderValueCents < 0 {
		f["conditions.max_order_value_cents"] = "maximum order value cannot be negative"
	} else if c.MaxOrderValueCents > 0 && c.MaxOrderValueCents < c.MinOrderValueCents {
		f["conditions.max_order_value_cents"] = "maximum order value must be at least the minimum"
	}
	if c.ItemFlags.RequireHazmat && c.ItemFlags.ExcludeHazmat {
		f["conditions.item_flags"] = "a rule cannot both require and exclude hazmat items"
	}
	for _, m := range c.ShipMethods {
		if strings.TrimSpace(m) == "" {
			f["conditions.ship_methods"] = "ship methods cannot be blank"
			break
		}
		if !slices.Contains(domain.ShipMethods, m) {
			// A code orders never carry would save a rule that never matches.
			f["conditions.ship_methods"] = fmt.Sprintf("unknown ship method %q; use %s", m, strings.Join(domain.ShipMethods, ", "))
			break
		}
	}

	p := r.Policy
	if slices.Contains(p.Eligible.Types, TypeVendor) {
		f["policy.eligible.types"] = "vendors ship only dropship lines; turn on dropship instead of listing the vendor type"
	} else if bad := unknown(p.Eligible.Types, ownTypes); bad != "" {
		f["policy.eligible.types"] = fmt.Sprintf("unknown location type %q; use dc, 3pl or store", bad)
	}
	for _, id := range p.Eligible.LocationIDs {
		if id <= 0 {
			f["policy.eligible.location_ids"] = "location IDs must be positive"
			break
		}
	}
	if !slices.Contains(servesValues, p.Eligible.Serves) {
		f["policy.eligible.serves"] = "serves must be empty (any), b2b, b2c or match"
	}
	if bad := unknown(p.FallbackTypes, ownTypes); bad != "" {
		f["policy.fallback_types"] = fmt.Sprintf("unknown fallback location type %q; use dc, 3pl or store", bad)
	}
	if !slices.Contains(ranks, p.Rank) {
		f["policy.rank"] = "rank must be distance, cost or priority"
	}
	if p.MaxSplits < 1 || p.MaxSplits > MaxSplitsLimit {
		f["policy.max_splits"] = fmt.Sprintf("max splits must be between 1 and %d", MaxSplitsLimit)
	}
	if p.NoSplitBelowCents < 0 {
		f["policy.no_split_below_cents"] = "no-split threshold cannot be negative"
	}
	if !slices.Contains(rests, p.Rest) {
		f["policy.rest"] = "rest must be backorder, cancel or exception"
	}
	if len(f) > 0 {
		return domain.Invalid("The sourcing rule has errors.", f)
	}
	return nil
}

func unknown(values, allowed []string) string {
	for _, v := range values {
		if !slices.Contains(allowed, strings.ToLower(v)) {
			return v
		}
	}
	return ""
}

// territory accepts the ZIP-table territories, which have no census region
// but can still be a rule's region.
func territory(code string) bool {
	switch strings.ToUpper(code) {
	case "PR", "VI", "GU", "AS", "MP":
		return true
	}
	return false
}

// DefaultRule is the rule Plan uses when no active rule matches: ship from
// the nearest DC, split up to the limit, backorder the rest. It is
// deliberately permissive so that an order is never left unplanned just
// because the rule set has a gap.
func DefaultRule() Rule {
	return Rule{
		Name:   "Default: nearest DC",
		Status: StatusActive,
		Policy: Policy{
			Eligible:  Eligibility{Types: []string{TypeDC}},
			Rank:      RankDistance,
			MaxSplits: MaxSplitsLimit,
			Rest:      RestBackorder,
		},
	}
}

// DemoRules returns the rules a fresh demo install starts with. Dropship,
// the $50 no-split threshold and "backorder the rest" are policy settings on
// each rule rather than rules of their own, because rules are chosen first
// match wins and these apply to every order:
//
//  1. Hazmat orders ship from own DCs only (3PLs are not certified), no dropship.
//  2. B2B ships from the own DC nearest the customer, up to 3 shipments.
//  3. B2C ships from the 3PL and falls back to DCs, up to 2 shipments.
//
// All three dropship what no own location has (except hazmat), never split
// an order under $50, and backorder the rest.
func DemoRules() []Rule {
	return []Rule{
		{
			ID: 1, Version: 1, Name: "Hazmat from own DCs", Position: 10, Status: StatusActive,
			Conditions: Conditions{ItemFlags: FlagConditions{RequireHazmat: true}},
			Policy: Policy{
				Eligible:          Eligibility{Types: []string{TypeDC}},
				Rank:              RankDistance,
				MaxSplits:         2,
				NoSplitBelowCents: 5000,
				Rest:              RestBackorder,
			},
		},
		{
			ID: 2, Version: 1, Name: "B2B nearest DC", Position: 20, Status: StatusActive,
			Conditions: Conditions{CustomerTypes: []string{CustomerB2B}},
			Policy: Policy{
				Eligible:          Eligibility{Types: []string{TypeDC}, Serves: ServesMatch},
				Rank:              RankDistance,
				MaxSplits:         3,
				NoSplitBelowCents: 5000,
				Dropship:          true,
				Rest:              RestBackorder,
			},
		},
		{
			ID: 3, Version: 1, Name: "B2C from the 3PL, DCs as fallback", Position: 30, Status: StatusActive,
			Conditions: Conditions{CustomerTypes: []string{CustomerB2C}},
			Policy: Policy{
				Eligible:          Eligibility{Types: []string{Type3PL}, Serves: ServesMatch},
				FallbackTypes:     []string{TypeDC},
				Rank:              RankDistance,
				MaxSplits:         2,
				NoSplitBelowCents: 5000,
				Dropship:          true,
				Rest:              RestBackorder,
			},
		},
	}
}

// selectRule returns the first active rule by position (then ID) whose
// conditions match, or DefaultRule, and the trace sentences saying why.
func selectRule(o Order, state string, rules []Rule) (Rule, bool, []string) {
	active := make([]Rule, 0, len(rules))
	for _, r := range rules {
		if r.Status == StatusActive {
			active = append(active, r)
		}
	}
	sort.SliceStable(active, func(i, j int) bool {
		if active[i].Position != active[j].Position {
			return active[i].Position < active[j].Position
		}
		return active[i].ID < active[j].ID
	})
	var trace []string
	for _, r := range active {
		why, ok := matches(r.Conditions, o, state)
		if ok {
			return r, false, append(trace, fmt.Sprintf("Rule %q (v%d) matched: %s.", r.Name, r.Version, why))
		}
		trace = append(trace, fmt.Sprintf("Rule %q (v%d) passed over: %s.", r.Name, r.Version, why))
	}
	d := DefaultRule()
	if len(active) == 0 {
		return d, true, append(trace, "No active rules; using the default: nearest DC, splits allowed, rest backordered.")
	}
	return d, true, append(trace, "No rule matched; using the default: nearest DC, splits allowed, rest backordered.")
}

// matches reports whether the conditions hold for the order. The string is
// the reason: the conditions that held, or the first one that failed.
func matches(c Conditions, o Order, state string) (string, bool) {
	var held []string
	if len(c.Channels) > 0 {
		if !containsFold(c.Channels, o.Channel) {
			return fmt.Sprintf("channel is %s, rule wants %s", orNone(o.Channel), strings.Join(c.Channels, " or ")), false
		}
		held = append(held, "channel "+o.Channel)
	}
	if len(c.CustomerTypes) > 0 {
		if !containsFold(c.CustomerTypes, o.CustomerType) {
			return fmt.Sprintf("customer type is %s, rule wants %s", orNone(strings.ToUpper(o.CustomerType)), strings.ToUpper(strings.Join(c.CustomerTypes, " or "))), false
		}
		held = append(held, "customer type "+strings.ToUpper(o.CustomerType))
	}
	if len(c.Regions) > 0 {
		region := geo.StateRegion(state)
		ok := state != "" && (containsFold(c.Regions, state) || (region != "" && containsFold(c.Regions, region)))
		if !ok {
			return fmt.Sprintf("ship-to region is %s, rule wants %s", orNone(state), strings.Join(c.Regions, ", ")), false
		}
		held = append(held, "ship-to region "+state)
	}
	if c.MinOrderValueCents > 0 {
		if o.ValueCents < c.MinOrderValueCents {
			return fmt.Sprintf("order value %s is under the minimum %s", domain.Money(o.ValueCents), domain.Money(c.MinOrderValueCents)), false
		}
		held = append(held, "order value at least "+domain.Money(c.MinOrderValueCents))
	}
	if c.MaxOrderValueCents > 0 {
		if o.ValueCents > c.MaxOrderValueCents {
			return fmt.Sprintf("order value %s is over the maximum %s", domain.Money(o.ValueCents), domain.Money(c.MaxOrderValueCents)), false
		}
		held = append(held, "order value at most "+domain.Money(c.MaxOrderValueCents))
	}
	var hazmat, dropship bool
	for _, l := range o.Lines {
		hazmat = hazmat || l.Flags.Hazmat
		dropship = dropship || l.Flags.DropshipEligible
	}
	if c.ItemFlags.RequireHazmat {
		if !hazmat {
			return "order has no hazmat items", false
		}
		held = append(held, "order has hazmat items")
	}
	if c.ItemFlags.ExcludeHazmat {
		if hazmat {
			return "order has hazmat items", false
		}
		held = append(held, "no hazmat items")
	}
	if c.ItemFlags.AnyDropshipEligible {
		if !dropship {
			return "order has no dropship-eligible items", false
		}
		held = append(held, "order has dropship-eligible items")
	}
	if len(c.ShipMethods) > 0 {
		if !containsFold(c.ShipMethods, o.ShipMethod) {
			return fmt.Sprintf("ship method is %s, rule wants %s", orNone(o.ShipMethod), strings.Join(c.ShipMethods, " or ")), false
		}
		held = append(held, "ship method "+o.ShipMethod)
	}
	if len(held) == 0 {
		return "no conditions, matches every order", true
	}
	return strings.Join(held, ", "), true
}

func containsFold(list []string, v string) bool {
	for _, s := range list {
		if strings.EqualFold(strings.TrimSpace(s), strings.TrimSpace(v)) {
			return true
		}
	}
	return false
}

func orNone(s string) string {
	if s == "" {
		return "not set"
	}
	return s
}
