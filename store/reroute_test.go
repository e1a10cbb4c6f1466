package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/sourcing"
	"github.com/oms/oms/store"
)

var opsActor = store.OrderAction{Actor: "ops@example.com", Role: domain.RoleOps}

func act(number string, version int64, reason string) store.OrderAction {
	a := opsActor
	a.Number, a.Version, a.Reason = number, version, reason
	return a
}

var wmsActor = store.OrderAction{Actor: "wms"}

// rerouteNetwork is the test network with three items stocked at both DCs
// (B dropship-eligible from V-ACME) and one sourced order of all three.
func rerouteNetwork(tb testing.TB) (*network, string) {
	tb.Helper()
	n := newNetwork(tb)
	n.item(tb, "A", false, map[string]int64{"DAL": 30, "HBG": 30, "3PL-MEM": 10})
	n.item(tb, "B", true, map[string]int64{"DAL": 20, "HBG": 20})
	n.item(tb, "C", false, map[string]int64{"DAL": 10, "HBG": 5})
	num := n.order(tb, "SO-R1", false, map[string]int64{"A": 12, "B": 10, "C": 8})
	if _, err := n.db.SourceOrder(tb.Context(), num, "test"); err != nil {
		tb.Fatal(err)
	}
	return n, num
}

func TestChangePlan(t *testing.T) {
	ctx := t.Context()
	t.Run("SplitAndConsolidate", func(t *testing.T) {
		n, num := rerouteNetwork(t)
		al, err := n.db.OrderAllocation(ctx, num)
		if err != nil {
			t.Fatal(err)
		}
		seq := al.Current.Groups[0].Seq
		moves := []sourcing.Move{{LineNo: 1, From: seq, To: "HBG", Quantity: 5}}
		_, pv, err := n.db.PreviewPlanChange(ctx, num, al.Order.Version, moves)
		if err != nil {
			t.Fatal(err)
		}
		o, done, err := n.db.ChangePlan(ctx, act(num, al.Order.Version, "customer asked"), store.PlanChange{Moves: moves})
		if err != nil {
			t.Fatal(err)
		}
		checkInvariants(t, n.db)
		if o.Version != al.Order.Version+1 || !slices.EqualFunc(pv.Groups, done.Groups, func(a, b sourcing.PreviewGroup) bool {
			return a.Seq == b.Seq && a.LocationID == b.LocationID && a.Units == b.Units
		}) {
			t.Fatalf("version %d; preview %+v, done %+v", o.Version, pv.Groups, done.Groups)
		}
		matchesPreview(t, n.db, num, done)
		// Consolidate everything back at Dallas, where it started.
		al, _ = n.db.OrderAllocation(ctx, num)
		want := map[int]map[string]int64{}
		for _, l := range al.Current.Order.Lines {
			want[l.LineNo] = map[string]int64{"DAL": l.Quantity}
		}
		moves, err = sourcing.MovesTo(al.Current, want)
		if err != nil {
			t.Fatal(err)
		}
		_, done, err = n.db.ChangePlan(ctx, act(num, al.Order.Version, ""), store.PlanChange{Moves: moves})
		if err != nil {
			t.Fatal(err)
		}
		matchesPreview(t, n.db, num, done)
		if done.After.Shipments != 1 || done.Groups[0].LocationCode != "DAL" {
			t.Fatalf("after consolidating: %+v", done.Groups)
		}
		// Harrisburg has 5 of C, not 8: consolidating there is refused.
		al, _ = n.db.OrderAllocation(ctx, num)
		for no := range want {
			want[no] = map[string]int64{"HBG": want[no]["DAL"]}
		}
		moves, _ = sourcing.MovesTo(al.Current, want)
		_, _, err = n.db.ChangePlan(ctx, act(num, al.Order.Version, ""), store.PlanChange{Moves: moves})
		if !strings.Contains(domain.ErrorMessage(err), "has only 5 units of C") {
			t.Fatalf("refusal %v", err)
		}
		checkInvariants(t, n.db)
	})
	t.Run("OverrideNeedsReason", func(t *testing.T) {
		n, num := rerouteNetwork(t)
		al, _ := n.db.OrderAllocation(ctx, num)
		moves := []sourcing.Move{{LineNo: 1, From: al.Current.Groups[0].Seq, To: "3PL-MEM", Quantity: 2}}
		_, pv, err := n.db.PreviewPlanChange(ctx, num, al.Order.Version, moves)
		if err != nil || len(pv.Breaks) == 0 {
			t.Fatalf("a B2B order from the B2C 3PL should break the rule: %v %v", pv.Breaks, err)
		}
		_, _, err = n.db.ChangePlan(ctx, act(num, al.Order.Version, ""), store.PlanChange{Moves: moves})
		if domain.ErrorFields(err)["override"] == "" {
			t.Fatalf("without override: %v", err)
		}
		_, _, err = n.db.ChangePlan(ctx, act(num, al.Order.Version, ""), store.PlanChange{Moves: moves, Override: true})
		if domain.ErrorFields(err)["reason"] == "" {
			t.Fatalf("override without reason: %v", err)
		}
		if _, _, err = n.db.ChangePlan(ctx, act(num, al.Order.Version, "dock closed in Dallas"), store.PlanChange{Moves: moves, Override: true}); err != nil {
			t.Fatal(err)
		}
		var kind, summary string
		n.db.View(ctx, func(tx *sql.Tx) error {
			return tx.QueryRow(`SELECT kind, summary FROM events ORDER BY id DESC LIMIT 1`).Scan(&kind, &summary)
		})
		if kind != "plan.overridden" || !strings.Contains(summary, "Reason: dock closed in Dallas") {
			t.Fatalf("event %s %q", kind, summary)
		}
		checkInvariants(t, n.db)
	})
	t.Run("ErrForbiddenCSRUnlessAllowed", func(t *testing.T) {
		n, num := rerouteNetwork(t)
		al, _ := n.db.OrderAllocation(ctx, num)
		csr := store.OrderAction{Number: num, Version: al.Order.Version, Actor: "csr@example.com", Role: domain.RoleCSR}
		moves := []sourcing.Move{{LineNo: 1, From: al.Current.Groups[0].Seq, To: "", Quantity: 1}}
		if _, _, err := n.db.ChangePlan(ctx, csr, store.PlanChange{Moves: moves}); domain.ErrorCode(err) != domain.EFORBIDDEN {
			t.Fatalf("csr: %v", err)
		}
		if err := n.db.SetSetting(ctx, store.SettingCSRMayReroute, "true", "admin@example.com", domain.RoleAdmin); err != nil {
			t.Fatal(err)
		}
		if _, _, err := n.db.ChangePlan(ctx, csr, store.PlanChange{Moves: moves}); err != nil {
			t.Fatalf("csr allowed: %v", err)
		}
	})
}

// matchesPreview checks that the order's groups are the preview's.
func matchesPreview(tb testing.TB, db *store.DB, number string, pv sourcing.Preview) {
	tb.Helper()
	al, err := db.OrderAllocation(tb.Context(), number)
	if err != nil {
		tb.Fatal(err)
	}
	var got, want []string
	for _, g := range al.Current.Groups {
		got = append(got, fmt.Sprintf("%d@%s:%d", g.Seq, g.LocationCode, g.Units()))
	}
	for _, g := range pv.Groups {
		if g.Recall {
			return // the recall's moves wait for the warehouse
		}
		want = append(want, fmt.Sprintf("%d@%s:%d", g.Seq, g.LocationCode, g.Units))
	}
	if !slices.Equal(got, want) {
		tb.Fatalf("groups %v, preview said %v", got, want)
	}
}

func TestRecall(t *testing.T) {
	ctx := t.Context()
	setup := func(t *testing.T) (*network, string, int) {
		n, num := rerouteNetwork(t)
		al, _ := n.db.OrderAllocation(ctx, num)
		seq := al.Current.Groups[0].Seq
		if _, err := n.db.ReleaseGroup(ctx, act(num, al.Order.Version, ""), seq); err != nil {
			t.Fatal(err)
		}
		al, _ = n.db.OrderAllocation(ctx, num)
		if _, _, err := n.db.ChangePlan(ctx, act(num, al.Order.Version, ""), store.PlanChange{Moves: []sourcing.Move{{LineNo: 1, From: seq, To: "HBG", Quantity: 4}}}); err != nil {
			t.Fatal(err)
		}
		checkInvariants(t, n.db)
		al, _ = n.db.OrderAllocation(ctx, num)
		if len(al.Recalls) != 1 || al.Recalls[0].RequestedAt == "" || al.Current.Groups[0].Status != "released" {
			t.Fatalf("recalls %+v groups %+v", al.Recalls, al.Current.Groups)
		}
		var topic string
		n.db.View(ctx, func(tx *sql.Tx) error {
			return tx.QueryRow(`SELECT topic FROM outbox WHERE destination = 'wms' ORDER BY id DESC LIMIT 1`).Scan(&topic)
		})
		if topic != "group.recall_requested" {
			t.Fatalf("outbox topic %q", topic)
		}
		return n, num, seq
	}
	t.Run("Confirmed", func(t *testing.T) {
		n, num, seq := setup(t)
		if _, err := n.db.ConfirmRecall(ctx, withNumber(wmsActor, num), seq); err != nil {
			t.Fatal(err)
		}
		checkInvariants(t, n.db)
		al, _ := n.db.OrderAllocation(ctx, num)
		var hbg int64
		for _, g := range al.Current.Groups {
			if g.Status != "planned" {
				t.Fatalf("shipment %d is %s after the recall", g.Seq, g.Status)
			}
			if g.LocationCode == "HBG" {
				hbg += g.Units()
			}
		}
		if hbg != 4 || len(al.Recalls) != 0 {
			t.Fatalf("HBG has %d units, recalls %+v", hbg, al.Recalls)
		}
		if _, err := n.db.ConfirmRecall(ctx, withNumber(wmsActor, num), seq); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("second confirmation: %v", err)
		}
	})
	t.Run("RefusedAlreadyShipped", func(t *testing.T) {
		n, num, seq := setup(t)
		if _, err := n.db.RefuseRecall(ctx, withNumber(wmsActor, num), seq, "left the dock at 14:02"); err != nil {
			t.Fatal(err)
		}
		checkInvariants(t, n.db)
		al, _ := n.db.OrderAllocation(ctx, num)
		if len(al.Recalls) != 1 || al.Recalls[0].RefusedAt == "" || !strings.Contains(al.Recalls[0].Note, "14:02") || al.Current.Groups[0].Status != "released" {
			t.Fatalf("recalls %+v groups %+v", al.Recalls, al.Current.Groups)
		}
		if _, err := n.db.ShipGroup(ctx, withNumber(wmsActor, num), seq, store.Shipment{Carrier: "UPS", Tracking: "1Z1"}); err != nil {
			t.Fatal(err)
		}
		checkInvariants(t, n.db)
	})
	t.Run("ShippedBeforeTheAnswer", func(t *testing.T) {
		n, num, seq := setup(t)
		if _, err := n.db.ShipGroup(ctx, withNumber(wmsActor, num), seq, store.Shipment{Carrier: "UPS", Tracking: "1Z2"}); err != nil {
			t.Fatal(err)
		}
		if _, err := n.db.ConfirmRecall(ctx, withNumber(wmsActor, num), seq); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("confirming the recall of a shipped shipment: %v", err)
		}
		checkInvariants(t, n.db)
	})
}

func withNumber(a store.OrderAction, number string) store.OrderAction {
	a.Number = number
	return a
}

// TestChangePlanProperty applies random sequences of moves, splits,
// consolidations, dropships, backorders, releases, recalls (confirmed or
// refused) and shipments to a few orders, and checks the invariants and
// that each applied change is what its preview said, after every step.
func TestChangePlanProperty(t *testing.T) {
	ctx := t.Context()
	applied := map[string]int{}
	defer func() {
		t.Logf("steps: %v", applied)
		if applied["move"] == 0 || applied["consolidate"] == 0 || applied["recall confirmed"]+applied["recall refused"] == 0 {
			t.Errorf("the random walk missed a kind of step: %v", applied)
		}
	}()
	for seed := range uint64(3) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			n, first := rerouteNetwork(t)
			orders := []string{first,
				n.order(t, "SO-R2", false, map[string]int64{"A": 20, "C": 2}),
				n.order(t, "SO-R3", false, map[string]int64{"B": 15})}
			for _, num := range orders[1:] {
				if _, err := n.db.SourceOrder(ctx, num, "test"); err != nil {
					t.Fatal(err)
				}
			}
			codes := []string{"DAL", "HBG", "3PL-MEM", "V-ACME", ""}
			r := rand.New(rand.NewPCG(seed, 11))
			for step := range 100 {
				num := orders[r.IntN(len(orders))]
				al, err := n.db.OrderAllocation(ctx, num)
				if err != nil {
					t.Fatal(err)
				}
				cur := al.Current
				what, err := randomStep(ctx, n.db, r, al, codes)
				switch domain.ErrorCode(err) {
				case "":
					applied[what]++
				case domain.EINVALID, domain.ECONFLICT:
					applied[what+" refused"]++
				default:
					t.Fatalf("step %d %s on %s: %v\nplan %+v", step, what, num, err, cur)
				}
				checkInvariants(t, n.db)
			}
		})
	}
}

func randomStep(ctx context.Context, db *store.DB, r *rand.Rand, al store.Allocation, codes []string) (string, error) {
	cur, num, v := al.Current, al.Order.Number, al.Order.Version
	for _, rc := range al.Recalls {
		if rc.RefusedAt == "" && r.IntN(2) == 0 {
			if r.IntN(3) == 0 {
				_, err := db.RefuseRecall(ctx, withNumber(wmsActor, num), rc.Seq, "already shipped")
				return "recall refused", err
			}
			_, err := db.ConfirmRecall(ctx, withNumber(wmsActor, num), rc.Seq)
			return "recall confirmed", err
		}
	}
	change := func(what string, moves []sourcing.Move) (string, error) {
		_, pv, err := db.PreviewPlanChange(ctx, num, v, moves)
		if err != nil {
			return what, err
		}
		_, done, err := db.ChangePlan(ctx, act(num, v, "property test"), store.PlanChange{Moves: moves, Override: true})
		if err == nil && fmt.Sprint(pv.Groups) != fmt.Sprint(done.Groups) {
			return what, fmt.Errorf("applied %+v, previewed %+v", done.Groups, pv.Groups)
		}
		return what, err
	}
	switch k := r.IntN(10); {
	case k < 4: // move or split part of a line
		if len(cur.Order.Lines) == 0 {
			return "move", nil
		}
		l := cur.Order.Lines[r.IntN(len(cur.Order.Lines))]
		from, have := 0, cur.Backordered[l.LineID]
		if len(cur.Groups) > 0 && r.IntN(3) > 0 {
			g := cur.Groups[r.IntN(len(cur.Groups))]
			from, have = g.Seq, 0
			for _, gl := range g.Lines {
				if gl.LineID == l.LineID {
					have = gl.Quantity
				}
			}
		}
		qty := int64(1)
		if have > 1 {
			qty = 1 + r.Int64N(have)
		}
		return change("move", []sourcing.Move{{LineNo: l.LineNo, From: from, To: codes[r.IntN(len(codes))], Quantity: qty}})
	case k < 6: // consolidate every open unit at one location
		to := codes[r.IntN(len(codes)-1)]
		want := map[int]map[string]int64{}
		for _, l := range cur.Order.Lines {
			want[l.LineNo] = map[string]int64{to: l.Quantity}
		}
		moves, err := sourcing.MovesTo(cur, want)
		if err != nil || len(moves) == 0 {
			return "consolidate", err
		}
		return change("consolidate", moves)
	case k < 7: // move a whole shipment
		if len(cur.Groups) == 0 {
			return "move group", nil
		}
		g := cur.Groups[r.IntN(len(cur.Groups))]
		var moves []sourcing.Move
		to := codes[r.IntN(len(codes))]
		for _, gl := range g.Lines {
			no := 0
			for _, l := range cur.Order.Lines {
				if l.LineID == gl.LineID {
					no = l.LineNo
				}
			}
			moves = append(moves, sourcing.Move{LineNo: no, From: g.Seq, To: to, Quantity: gl.Quantity})
		}
		return change("move group", moves)
	case k < 9: // release a planned shipment
		for _, g := range cur.Groups {
			if g.Status == "planned" {
				_, err := db.ReleaseGroup(ctx, act(num, v, ""), g.Seq)
				return "release", err
			}
		}
		return "release", nil
	default: // the warehouse ships a released shipment
		for _, g := range cur.Groups {
			if g.Status == "released" {
				_, err := db.ShipGroup(ctx, withNumber(wmsActor, num), g.Seq, store.Shipment{Carrier: "UPS", Tracking: fmt.Sprint("1Z", r.Int())})
				return "ship", err
			}
		}
		return "ship", nil
	}
}

// TestChangePlanRace: people changing one order from the same version at
// once; exactly one change lands, every other gets a conflict naming the
// fresh version, and no stock is corrupted (invariant 6).
func TestChangePlanRace(t *testing.T) {
	n, num := rerouteNetwork(t)
	al, _ := n.db.OrderAllocation(t.Context(), num)
	seq := al.Current.Groups[0].Seq
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[string]int{}
	start := make(chan struct{})
	for i := range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			to := []string{"HBG", ""}[i%2]
			_, _, err := n.db.ChangePlan(t.Context(), act(num, al.Order.Version, ""), store.PlanChange{Moves: []sourcing.Move{{LineNo: 1, From: seq, To: to, Quantity: 3}}})
			mu.Lock()
			codes[domain.ErrorCode(err)]++
			if domain.ErrorCode(err) == domain.ECONFLICT && domain.ErrorFields(err)["version"] == "" {
				t.Errorf("conflict without the fresh version: %v", err)
			}
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	if codes[""] != 1 || codes[domain.ECONFLICT] != 11 {
		t.Fatalf("outcomes %v, want one change and 11 conflicts", codes)
	}
	checkInvariants(t, n.db)
}

// TestWillCallPlans: a will-call order comes from the one location the
// customer picks up at, re-plans of its backorders included, and the order
// page names the plan each shipment was made under.
func TestWillCallPlans(t *testing.T) {
	ctx := t.Context()
	n := newNetwork(t)
	n.item(t, "A", true, map[string]int64{"DAL": 4, "HBG": 10})
	num := n.order(t, "SO-WC", false, map[string]int64{"A": 10})
	stock := func(code string, qty int64) {
		t.Helper()
		err := n.db.Update(ctx, func(tx *sql.Tx) error {
			_, err := tx.Exec(`UPDATE inventory SET on_hand = on_hand + ? WHERE item_id = ? AND location_id = ?`, qty, n.items["A"], n.locations[code])
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := n.db.Update(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`UPDATE orders SET ship_method = 'WILLCALL' WHERE number = ?`, num)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := n.db.SourceOrder(ctx, num, "test"); err != nil {
		t.Fatal(err)
	}
	stock("HBG", 20)
	if _, err := n.db.SourceOrder(ctx, num, "test"); err != nil {
		t.Fatal(err)
	}
	stock("DAL", 6)
	if _, err := n.db.SourceOrder(ctx, num, "test"); err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, n.db)
	d, err := n.db.OrderDetail(ctx, num, store.LineQuery{}, "")
	if err != nil {
		t.Fatal(err)
	}
	var at []string
	for _, g := range d.Groups {
		at = append(at, g.LocationCode)
	}
	if !slices.Equal(at, []string{"DAL", "DAL"}) {
		t.Fatalf("will-call shipments from %v, want both from DAL (no HBG, no vendor)", at)
	}
	if len(d.Plans) != 2 || !slices.Equal(d.Plans[0].Shipments, []int{2}) || !slices.Equal(d.Plans[1].Shipments, []int{1}) || !d.Plans[0].Newest {
		t.Fatalf("plans %+v, want shipment 2's then shipment 1's", d.Plans)
	}
	if !strings.Contains(strings.Join(d.Plans[1].Sentences, " "), "Will-call: the customer picks up at Dallas") {
		t.Fatalf("first plan: %v", d.Plans[1].Sentences)
	}
}
