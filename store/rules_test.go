package store_test

import (
	"slices"
	"testing"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/sourcing"
	"github.com/oms/oms/store"
)

func ruleNames(tb testing.TB, n *network) []string {
	tb.Helper()
	rules, err := n.db.Rules(tb.Context())
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, r := range rules {
		out = append(out, r.Name)
	}
	return out
}

func TestMoveRule(t *testing.T) {
	n := newNetwork(t)
	ctx := t.Context()
	rules, _ := n.db.Rules(ctx)
	third := rules[2]
	if err := n.db.MoveRule(ctx, third.ID, true, third.Version, "olivia"); err != nil {
		t.Fatal(err)
	}
	got := ruleNames(t, n)
	if got[1] != third.Name || got[2] != rules[1].Name {
		t.Fatalf("order after move up: %v", got)
	}
	versions, _ := n.db.RuleVersions(ctx, third.ID)
	if len(versions) != 2 || versions[0].ChangedBy != "olivia" || versions[0].Summary != "position 30 → 20" {
		t.Fatalf("versions %+v", versions)
	}
	t.Run("ErrConflict", func(t *testing.T) {
		err := n.db.MoveRule(ctx, third.ID, false, third.Version, "olivia")
		if domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("FirstUpIsNoop", func(t *testing.T) {
		first, _ := n.db.Rule(ctx, rules[0].ID)
		if err := n.db.MoveRule(ctx, first.ID, true, first.Version, "olivia"); err != nil {
			t.Fatal(err)
		}
		if again, _ := n.db.Rule(ctx, first.ID); again.Version != first.Version {
			t.Fatal("version changed on a no-op move")
		}
	})
}

func TestSetRuleStatus(t *testing.T) {
	n := newNetwork(t)
	ctx := t.Context()
	rules, _ := n.db.Rules(ctx)
	r, err := n.db.SetRuleStatus(ctx, rules[0].ID, sourcing.StatusInactive, rules[0].Version, "olivia")
	if err != nil || r.Status != sourcing.StatusInactive || r.Version != 2 {
		t.Fatalf("rule %+v err %v", r, err)
	}
	if _, err := n.db.SetRuleStatus(ctx, rules[0].ID, sourcing.StatusActive, 1, "olivia"); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("stale version: %v", err)
	}
	if _, err := n.db.SetRuleStatus(ctx, rules[0].ID, "paused", 2, "olivia"); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("bad status: %v", err)
	}
	if _, err := n.db.SetRuleStatus(ctx, 999, sourcing.StatusActive, 0, "olivia"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("unknown rule: %v", err)
	}
}

func TestRuleDiff(t *testing.T) {
	old := sourcing.DemoRules()[1]
	tests := []struct {
		name string
		edit func(r *sourcing.Rule)
		want string
	}{
		{"Nothing", func(r *sourcing.Rule) {}, ""},
		{"Status", func(r *sourcing.Rule) { r.Status = sourcing.StatusInactive }, "status active → inactive"},
		{"Money", func(r *sourcing.Rule) { r.Conditions.MinOrderValueCents = 4999 }, "conditions.min_order_value_cents: none → $49.99"},
		{"List", func(r *sourcing.Rule) { r.Conditions.Channels = []string{"web", "edi"} }, "conditions.channels: none → web, edi"},
		{"Flag", func(r *sourcing.Rule) { r.Policy.Dropship = false }, "policy.dropship: yes → no"},
		{"Two", func(r *sourcing.Rule) { r.Policy.MaxSplits = 1; r.Policy.Rank = sourcing.RankCost },
			"policy.max_splits: 3 → 1; policy.rank: distance → cost"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := old
			r.Conditions.Channels = slices.Clone(old.Conditions.Channels)
			tt.edit(&r)
			if got := store.RuleDiff(old, r); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}
