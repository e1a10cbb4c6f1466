package store_test

import (
	"strings"
	"testing"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/sourcing"
	"github.com/oms/oms/store"
)

// TestEditActiveRuleIsADraft edits an active rule: the active version keeps
// sourcing until the change is activated; the simulator tries the change;
// discarding drops it.
func TestEditActiveRuleIsADraft(t *testing.T) {
	n := newNetwork(t)
	n.item(t, "SKU-1", false, map[string]int64{"DAL": 40, "HBG": 40})
	ctx := t.Context()
	rules, err := n.db.Rules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var b2b store.RuleMeta
	for _, r := range rules {
		if r.Status == sourcing.StatusActive && len(r.Conditions.CustomerTypes) == 1 && r.Conditions.CustomerTypes[0] == "b2b" {
			b2b = r
		}
	}
	if b2b.ID == 0 {
		t.Fatal("no active B2B rule in the demo rules")
	}
	edit := b2b.Rule
	edit.Policy.Eligible = sourcing.Eligibility{LocationCodes: []string{"HBG"}}
	saved, pending, err := n.db.SaveRule(ctx, edit, b2b.Version, "ops")
	if err != nil || !pending || saved.Version != b2b.Version {
		t.Fatalf("save: pending %v version %d (was %d) err %v", pending, saved.Version, b2b.Version, err)
	}
	got, err := n.db.Rule(ctx, b2b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != b2b.Version || len(got.Policy.Eligible.LocationCodes) != 0 || got.Pending == nil || got.Pending.Summary == "" {
		t.Fatalf("live rule changed or no draft change: %+v pending %+v", got.Rule, got.Pending)
	}

	t.Run("SimulatorTriesTheChange", func(t *testing.T) {
		sim, err := n.db.SimulateTyped(ctx, store.SimOrder{ShipToZIP: "75201", CustomerType: "b2b", Channel: "phone",
			Lines: []store.SimLine{{SKU: "SKU-1", Quantity: 3}}})
		if err != nil {
			t.Fatal(err)
		}
		if sim.Active.Groups[0].LocationCode != "DAL" || sim.Draft.Groups[0].LocationCode != "HBG" {
			t.Fatalf("active %+v draft %+v", sim.Active.Groups, sim.Draft.Groups)
		}
	})
	t.Run("Discard", func(t *testing.T) {
		if err := n.db.DiscardPending(ctx, b2b.ID); err != nil {
			t.Fatal(err)
		}
		if err := n.db.DiscardPending(ctx, b2b.ID); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("second discard: %v", err)
		}
	})
	t.Run("Activate", func(t *testing.T) {
		if _, _, err := n.db.SaveRule(ctx, edit, b2b.Version, "ops"); err != nil {
			t.Fatal(err)
		}
		r, err := n.db.SetRuleStatus(ctx, b2b.ID, sourcing.StatusActive, b2b.Version, "ops2")
		if err != nil {
			t.Fatal(err)
		}
		got, err := n.db.Rule(ctx, b2b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.Version != b2b.Version+1 || got.Pending != nil || len(got.Policy.Eligible.LocationCodes) != 1 || got.Position != b2b.Position {
			t.Fatalf("after activate: %+v pending %+v", got.Rule, got.Pending)
		}
	})
}

// TestSimulatorSaysADraftIsNeverReached saves a draft behind a catch-all.
func TestSimulatorSaysADraftIsNeverReached(t *testing.T) {
	n := newNetwork(t)
	n.item(t, "SKU-1", false, map[string]int64{"DAL": 40})
	ctx := t.Context()
	all := sourcing.Rule{Name: "Everything from DAL", Position: 1, Status: sourcing.StatusActive,
		Policy: sourcing.Policy{Eligible: sourcing.Eligibility{LocationCodes: []string{"DAL"}}, Rank: sourcing.RankDistance, MaxSplits: 1, Rest: sourcing.RestBackorder}}
	if _, _, err := n.db.SaveRule(ctx, all, 0, "ops"); err != nil {
		t.Fatal(err)
	}
	late := all
	late.Name, late.Position, late.Status = "B2B late", 0, sourcing.StatusDraft
	late.Conditions.CustomerTypes = []string{"b2b"}
	if _, _, err := n.db.SaveRule(ctx, late, 0, "ops"); err != nil {
		t.Fatal(err)
	}
	sim, err := n.db.SimulateTyped(ctx, store.SimOrder{ShipToZIP: "75201", CustomerType: "b2b", Channel: "phone",
		Lines: []store.SimLine{{SKU: "SKU-1", Quantity: 3}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(sim.Unreached) != 1 || sim.Unreached[0] != `Draft "B2B late" is never reached: "Everything from DAL" above it takes every order it would match.` {
		t.Fatalf("unreached %q", sim.Unreached)
	}
}

// TestInsertRuleBefore places a new rule in front of another: the rules
// keep their order around it.
func TestInsertRuleBefore(t *testing.T) {
	n := newNetwork(t)
	ctx := t.Context()
	before, err := n.db.Rules(ctx)
	if err != nil || len(before) < 2 {
		t.Fatalf("%d rules, %v", len(before), err)
	}
	r := sourcing.Rule{Name: "Over $500", Status: sourcing.StatusDraft, Conditions: sourcing.Conditions{MinOrderValueCents: 50000},
		Policy: sourcing.Policy{Eligible: sourcing.Eligibility{Types: []string{sourcing.TypeDC}}, Rank: sourcing.RankDistance, MaxSplits: 1, Rest: sourcing.RestBackorder}}
	if _, err := n.db.InsertRuleBefore(ctx, r, before[1].ID, "ops"); err != nil {
		t.Fatal(err)
	}
	after, err := n.db.Rules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range after {
		names = append(names, r.Name)
	}
	want := append([]string{before[0].Name, "Over $500"}, func() (out []string) {
		for _, r := range before[1:] {
			out = append(out, r.Name)
		}
		return out
	}()...)
	if strings.Join(names, "|") != strings.Join(want, "|") {
		t.Fatalf("order %q, want %q", names, want)
	}
	if _, err := n.db.InsertRuleBefore(ctx, r, 999, "ops"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("before an unknown rule: %v", err)
	}
}
