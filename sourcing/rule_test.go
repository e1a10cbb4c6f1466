package sourcing

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/oms/oms/domain"
)

func validRule() Rule {
	return Rule{ID: 1, Version: 1, Name: "B2B nearest DC", Position: 10, Status: StatusActive,
		Policy: Policy{Eligible: Eligibility{Types: []string{TypeDC}}, Rank: RankDistance, MaxSplits: 3, Rest: RestBackorder}}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(*Rule)
		field  string
		substr string
	}{
		{"OK", func(*Rule) {}, "", ""},
		{"ErrName", func(r *Rule) { r.Name = "  " }, "name", "name is required"},
		{"ErrNameLong", func(r *Rule) { r.Name = strings.Repeat("x", 101) }, "name", "at most 100"},
		{"ErrPosition", func(r *Rule) { r.Position = -1 }, "position", "zero or more"},
		{"ErrStatus", func(r *Rule) { r.Status = "live" }, "status", "draft, active or inactive"},
		{"ErrChannel", func(r *Rule) { r.Conditions.Channels = []string{"web", "fax"} }, "conditions.channels", `unknown channel "fax"`},
		{"ErrCustomerType", func(r *Rule) { r.Conditions.CustomerTypes = []string{"b2g"} }, "conditions.customer_types", "b2b or b2c"},
		{"ErrRegion", func(r *Rule) { r.Conditions.Regions = []string{"TX", "Texas"} }, "conditions.regions", `unknown region "Texas"`},
		{"ErrMinValue", func(r *Rule) { r.Conditions.MinOrderValueCents = -1 }, "conditions.min_order_value_cents", "negative"},
		{"ErrMaxBelowMin", func(r *Rule) {
			r.Conditions.MinOrderValueCents, r.Conditions.MaxOrderValueCents = 5000, 100
		}, "conditions.max_order_value_cents", "at least the minimum"},
		{"ErrHazmatBoth", func(r *Rule) {
			r.Conditions.ItemFlags = FlagConditions{RequireHazmat: true, ExcludeHazmat: true}
		}, "conditions.item_flags", "both require and exclude"},
		{"ErrShipMethod", func(r *Rule) { r.Conditions.ShipMethods = []string{""} }, "conditions.ship_methods", "blank"},
		{"ErrUnknownShipMethod", func(r *Rule) { r.Conditions.ShipMethods = []string{"NEXT_DAY"} }, "conditions.ship_methods", `unknown ship method "NEXT_DAY"`},
		{"ErrVendorType", func(r *Rule) { r.Policy.Eligible.Types = []string{TypeVendor} }, "policy.eligible.types", "turn on dropship"},
		{"ErrType", func(r *Rule) { r.Policy.Eligible.Types = []string{"warehouse"} }, "policy.eligible.types", "dc, 3pl or store"},
		{"ErrLocationID", func(r *Rule) { r.Policy.Eligible.LocationIDs = []int64{0} }, "policy.eligible.location_ids", "positive"},
		{"ErrServes", func(r *Rule) { r.Policy.Eligible.Serves = "both" }, "policy.eligible.serves", "b2b, b2c or match"},
		{"ErrFallback", func(r *Rule) { r.Policy.FallbackTypes = []string{"vendor"} }, "policy.fallback_types", "dc, 3pl or store"},
		{"ErrRank", func(r *Rule) { r.Policy.Rank = "" }, "policy.rank", "distance, cost or priority"},
		{"ErrMaxSplitsZero", func(r *Rule) { r.Policy.MaxSplits = 0 }, "policy.max_splits", "max splits must be between 1 and 10"},
		{"ErrMaxSplitsHigh", func(r *Rule) { r.Policy.MaxSplits = 11 }, "policy.max_splits", "max splits must be between 1 and 10"},
		{"ErrThreshold", func(r *Rule) { r.Policy.NoSplitBelowCents = -5 }, "policy.no_split_below_cents", "negative"},
		{"ErrRest", func(r *Rule) { r.Policy.Rest = "hold" }, "policy.rest", "backorder, cancel or exception"},
		{"OKRegionNames", func(r *Rule) { r.Conditions.Regions = []string{"south", "West", "ca", "PR"} }, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := validRule()
			tt.edit(&r)
			err := Validate(r)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate = %v (%v), want nil", err, domain.ErrorFields(err))
				}
				return
			}
			if domain.ErrorCode(err) != domain.EINVALID {
				t.Fatalf("Validate code = %q, want %q", domain.ErrorCode(err), domain.EINVALID)
			}
			fields := domain.ErrorFields(err)
			if len(fields) != 1 {
				t.Errorf("fields = %v, want only %q", fields, tt.field)
			}
			if msg := fields[tt.field]; !strings.Contains(msg, tt.substr) {
				t.Errorf("fields[%q] = %q, want it to contain %q", tt.field, msg, tt.substr)
			}
		})
	}
}

func TestDemoRulesValid(t *testing.T) {
	for _, r := range append(DemoRules(), DefaultRule()) {
		t.Run(r.Name, func(t *testing.T) {
			if err := Validate(r); err != nil {
				t.Errorf("Validate = %v %v", err, domain.ErrorFields(err))
			}
		})
	}
}

// TestRuleJSON checks that conditions and policy survive the round trip
// through the JSON text columns of sourcing_rules.
func TestRuleJSON(t *testing.T) {
	for _, r := range DemoRules() {
		t.Run(r.Name, func(t *testing.T) {
			cj, err := json.Marshal(r.Conditions)
			if err != nil {
				t.Fatal(err)
			}
			pj, err := json.Marshal(r.Policy)
			if err != nil {
				t.Fatal(err)
			}
			var c Conditions
			var p Policy
			if err := json.Unmarshal(cj, &c); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(pj, &p); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(c, r.Conditions) || !reflect.DeepEqual(p, r.Policy) {
				t.Errorf("round trip changed the rule:\n%s\n%s", cj, pj)
			}
		})
	}
}

func TestRuleSelection(t *testing.T) {
	hazmat := line(1, 100, 1)
	hazmat.Flags.Hazmat = true
	dropLine := line(1, 100, 1)
	dropLine.Flags = ItemFlags{DropshipEligible: true, DropshipVendorID: acme}

	tests := []struct {
		name  string
		cond  Conditions
		edit  func(*Order)
		match bool
		trace string
	}{
		{"NoConditions", Conditions{}, nil, true, "no conditions, matches every order"},
		{"ChannelMatch", Conditions{Channels: []string{"web", "phone"}}, nil, true, "channel phone"},
		{"ChannelMiss", Conditions{Channels: []string{"edi"}}, nil, false, "channel is phone, rule wants edi"},
		{"CustomerTypeMatch", Conditions{CustomerTypes: []string{"B2B"}}, nil, true, "customer type B2B"},
		{"CustomerTypeMiss", Conditions{CustomerTypes: []string{"b2c"}}, nil, false, "customer type is B2B, rule wants B2C"},
		{"RegionState", Conditions{Regions: []string{"tx"}}, nil, true, "ship-to region TX"},
		{"RegionCensus", Conditions{Regions: []string{"south"}}, nil, true, "ship-to region TX"},
		{"RegionMiss", Conditions{Regions: []string{"west"}}, nil, false, "ship-to region is TX"},
		{"RegionFromZIP", Conditions{Regions: []string{"CA"}}, func(o *Order) {
			o.ShipTo = ShipTo{PostalCode: "90012"}
		}, true, "ship-to region CA"},
		{"MinValueMatch", Conditions{MinOrderValueCents: 100000}, nil, true, "order value at least $1,000.00"},
		{"MinValueMiss", Conditions{MinOrderValueCents: 100001}, nil, false, "under the minimum"},
		{"MaxValueMatch", Conditions{MaxOrderValueCents: 100000}, nil, true, "order value at most"},
		{"MaxValueMiss", Conditions{MaxOrderValueCents: 99999}, nil, false, "over the maximum"},
		{"RequireHazmatMatch", Conditions{ItemFlags: FlagConditions{RequireHazmat: true}}, func(o *Order) { o.Lines = []Line{hazmat} }, true, "order has hazmat items"},
		{"RequireHazmatMiss", Conditions{ItemFlags: FlagConditions{RequireHazmat: true}}, nil, false, "order has no hazmat items"},
		{"ExcludeHazmatMatch", Conditions{ItemFlags: FlagConditions{ExcludeHazmat: true}}, nil, true, "no hazmat items"},
		{"ExcludeHazmatMiss", Conditions{ItemFlags: FlagConditions{ExcludeHazmat: true}}, func(o *Order) { o.Lines = []Line{hazmat} }, false, "order has hazmat items"},
		{"DropshipMatch", Conditions{ItemFlags: FlagConditions{AnyDropshipEligible: true}}, func(o *Order) { o.Lines = []Line{dropLine} }, true, "dropship-eligible"},
		{"DropshipMiss", Conditions{ItemFlags: FlagConditions{AnyDropshipEligible: true}}, nil, false, "no dropship-eligible items"},
		{"ShipMethodMatch", Conditions{ShipMethods: []string{"Ground"}}, nil, true, "ship method ground"},
		{"ShipMethodMiss", Conditions{ShipMethods: []string{"next-day"}}, nil, false, "ship method is ground"},
		{"AllMustHold", Conditions{Channels: []string{"phone"}, CustomerTypes: []string{"b2c"}}, nil, false, "customer type is B2B"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := b2bOrder(line(1, 100, 1))
			if tt.edit != nil {
				tt.edit(&o)
			}
			rules := []Rule{{ID: 5, Version: 3, Name: "Under test", Position: 1, Status: StatusActive, Conditions: tt.cond, Policy: splitPolicy(2)}}
			r := Plan(o, snap(stock{}), rules)
			if got := r.RuleID == 5 && !r.DefaultRule; got != tt.match {
				t.Errorf("matched = %v, want %v", got, tt.match)
			}
			wantTrace(t, r, tt.trace)
			if tt.match {
				wantTrace(t, r, `Rule "Under test" (v3) matched: `)
			} else {
				wantTrace(t, r, `Rule "Under test" (v3) passed over: `, "No rule matched; using the default")
			}
		})
	}
}

func TestRuleOrder(t *testing.T) {
	o := b2bOrder(line(1, 100, 1))
	rules := []Rule{
		{ID: 1, Version: 1, Name: "Late", Position: 30, Status: StatusActive, Policy: splitPolicy(1)},
		{ID: 2, Version: 1, Name: "Draft first", Position: 1, Status: StatusDraft, Policy: splitPolicy(1)},
		{ID: 3, Version: 1, Name: "Early", Position: 20, Status: StatusActive, Policy: splitPolicy(1)},
		{ID: 4, Version: 1, Name: "Inactive", Position: 2, Status: StatusInactive, Policy: splitPolicy(1)},
	}
	tests := []struct {
		name   string
		rules  []Rule
		wantID int64
		trace  string
	}{
		{"LowestPositionWins", rules, 3, `Rule "Early" (v1) matched`},
		{"SamePositionLowerID", []Rule{
			{ID: 9, Name: "Nine", Position: 5, Status: StatusActive, Policy: splitPolicy(1)},
			{ID: 8, Name: "Eight", Position: 5, Status: StatusActive, Policy: splitPolicy(1)},
		}, 8, `Rule "Eight"`},
		{"NoActiveRules", rules[1:2], 0, "No active rules; using the default"},
		{"NoRules", nil, 0, "No active rules; using the default"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Plan(o, snap(stock{}.add(100, dallasDC, 5)), tt.rules)
			if r.RuleID != tt.wantID {
				t.Errorf("RuleID = %d, want %d", r.RuleID, tt.wantID)
			}
			if (tt.wantID == 0) != r.DefaultRule {
				t.Errorf("DefaultRule = %v", r.DefaultRule)
			}
			wantTrace(t, r, tt.trace)
		})
	}
}

func TestDemoRules(t *testing.T) {
	hz := line(1, 100, 2)
	hz.Flags.Hazmat = true
	b2c := b2bOrder(line(1, 100, 2))
	b2c.CustomerType = CustomerB2C
	anon := b2bOrder(line(1, 100, 2))
	anon.CustomerType = ""
	tests := []struct {
		name  string
		order Order
		rule  string
	}{
		{"Hazmat", b2bOrder(hz), "Hazmat from own DCs"},
		{"B2B", b2bOrder(line(1, 100, 2)), "B2B nearest DC"},
		{"B2C", b2c, "B2C from the 3PL, DCs as fallback"},
		{"NoCustomerType", anon, "Default: nearest DC"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Plan(tt.order, snap(stock{}.add(100, dallasDC, 5)), DemoRules())
			if r.RuleName != tt.rule {
				t.Errorf("rule = %q, want %q", r.RuleName, tt.rule)
			}
		})
	}
}
