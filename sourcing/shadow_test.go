package sourcing

import "testing"

func TestShadowed(t *testing.T) {
	catchAll := Rule{ID: 1, Name: "Everything", Status: StatusActive}
	b2b := Rule{ID: 2, Name: "B2B", Status: StatusActive, Conditions: Conditions{CustomerTypes: []string{CustomerB2B}}}
	b2bTX := Rule{ID: 3, Name: "B2B Texas", Status: StatusActive, Conditions: Conditions{CustomerTypes: []string{CustomerB2B}, Regions: []string{"TX"}}}
	over50 := Rule{ID: 4, Name: "Over $50", Status: StatusActive, Conditions: Conditions{MinOrderValueCents: 5000}}
	over100 := Rule{ID: 5, Name: "Over $100", Status: StatusDraft, Conditions: Conditions{MinOrderValueCents: 10000}}
	under := Rule{ID: 6, Name: "Under $20", Status: StatusActive, Conditions: Conditions{MaxOrderValueCents: 2000}}
	tests := []struct {
		name  string
		rules []Rule
		want  map[int64]int64 // shadowed rule -> by
	}{
		{"CatchAllFirst", []Rule{catchAll, b2b, over100}, map[int64]int64{2: 1, 5: 1}},
		{"NarrowerAfterWider", []Rule{b2b, b2bTX}, map[int64]int64{3: 2}},
		{"WiderAfterNarrower", []Rule{b2bTX, b2b}, map[int64]int64{}},
		{"ValueBounds", []Rule{over50, over100, under}, map[int64]int64{5: 4}},
		{"InactiveShadowsNothing", []Rule{{ID: 9, Status: StatusInactive}, b2b}, map[int64]int64{}},
		{"B2BAndB2CTogether", []Rule{b2b, {ID: 7, Status: StatusActive, Conditions: Conditions{CustomerTypes: []string{CustomerB2C}}}, over50}, map[int64]int64{4: 7}},
		{"B2BAndB2CTogetherNotWiderBeforeNarrower", []Rule{b2bTX, {ID: 7, Status: StatusActive, Conditions: Conditions{CustomerTypes: []string{CustomerB2C}}}, over50}, map[int64]int64{}},
		{"DraftShadowsOnlyDrafts", []Rule{{ID: 9, Status: StatusDraft}, b2b, over100}, map[int64]int64{5: 9}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Shadowed(tt.rules)
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for id, by := range tt.want {
				if got[id].By.ID != by {
					t.Fatalf("rule %d shadowed by %d, want %d", id, got[id].By.ID, by)
				}
			}
		})
	}
}
