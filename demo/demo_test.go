package demo_test

import (
	"github.com/oms/oms/geo"
	"reflect"
	"regexp"
	"testing"
	"time"

	"github.com/oms/oms/demo"
	"github.com/oms/oms/domain"
)

var now = time.Date(2025, 6, 2, 15, 30, 0, 0, time.UTC)

// generate builds a data set of n orders with the default seed.
func generate(tb testing.TB, n int) *demo.Dataset {
	tb.Helper()
	return demo.Generate(demo.Config{Seed: demo.DefaultSeed, Orders: n, Now: now})
}

func TestDeterministic(t *testing.T) {
	tests := []struct {
		name string
		a, b demo.Config
		same bool
	}{
		{"SameSeed", demo.Config{Seed: 7, Orders: 300, Now: now}, demo.Config{Seed: 7, Orders: 300, Now: now}, true},
		{"OtherSeed", demo.Config{Seed: 7, Orders: 300, Now: now}, demo.Config{Seed: 8, Orders: 300, Now: now}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := demo.Generate(tt.a), demo.Generate(tt.b)
			if got := reflect.DeepEqual(a, b); got != tt.same {
				t.Errorf("equal = %v, want %v", got, tt.same)
			}
		})
	}
	t.Run("BatchSizeDoesNotMatter", func(t *testing.T) {
		cfg := demo.Config{Seed: 3, Orders: 250, Now: now}
		whole := demo.Generate(cfg)
		g := demo.NewGenerator(cfg)
		var orders []demo.Order
		for b := g.Next(7); len(b) > 0; b = g.Next(7) {
			orders = append(orders, b...)
		}
		if !reflect.DeepEqual(whole.Orders, orders) || !reflect.DeepEqual(whole.Stock, *g.Stock()) {
			t.Error("streaming in batches of 7 differs from Generate")
		}
	})
}

func TestDefaultDemo(t *testing.T) {
	ds := generate(t, demo.DefaultOrders)
	statuses := map[domain.OrderStatus]int{}
	channels := map[string]int{}
	alloc := map[[2]int64]int64{}
	var lines, bigOrders, hugeOrders int
	var last time.Time
	for _, o := range ds.Orders {
		statuses[o.Status]++
		channels[o.Channel]++
		lines += len(o.Lines)
		if len(o.Lines) >= 20 {
			bigOrders++
		}
		if len(o.Lines) >= 200 {
			hugeOrders++
		}
		if o.CreatedAt.Before(last) || !o.CreatedAt.Before(now) || o.CreatedAt.Before(now.AddDate(0, 0, -demo.HistoryDays)) {
			t.Fatalf("%s created at %v, previous %v", o.Number, o.CreatedAt, last)
		}
		last = o.CreatedAt
		var facts domain.OrderFacts
		facts.Draft = o.Status == domain.StatusDraft
		for _, l := range o.Lines {
			b := l.Buckets()
			if !b.Balanced() {
				t.Fatalf("%s line %d: %+v breaks invariant 1", o.Number, l.LineNo, b)
			}
			if l.Status != domain.LineStatus(b) {
				t.Fatalf("%s line %d: status %s, derived %s", o.Number, l.LineNo, l.Status, domain.LineStatus(b))
			}
			facts.Lines = append(facts.Lines, b)
		}
		for _, h := range o.Holds {
			if h.ReleasedAt.IsZero() {
				facts.OpenHolds++
			}
		}
		for _, e := range o.Events {
			if e.Kind == "order.invoiced" {
				facts.Invoiced = true
			}
		}
		if got := domain.DeriveOrderStatus(facts); got != o.Status {
			t.Fatalf("%s: status %s, derived %s", o.Number, o.Status, got)
		}
		for i := 1; i < len(o.Events); i++ {
			if !o.Events[i].At.After(o.Events[i-1].At) {
				t.Fatalf("%s: events out of order", o.Number)
			}
		}
		for _, g := range o.Groups {
			if g.Status == demo.GroupPlanned || g.Status == demo.GroupReleased {
				for _, gl := range g.Lines {
					alloc[[2]int64{gl.ItemID, g.LocationID}] += gl.Quantity
				}
			}
		}
	}
	t.Logf("statuses %v channels %v lines %d", statuses, channels, lines)
	// "open" cannot be stored: the order_lines CHECK puts every unit in a
	// bucket, so an unsourced line does not exist at rest.
	for _, s := range domain.OrderStatuses {
		if s == domain.StatusOpen {
			continue
		}
		if statuses[s] == 0 {
			t.Errorf("no order is %s", s)
		}
	}
	for _, c := range []string{"web", "edi", "phone", "api", "csv", "marketplace", "punchout"} {
		if channels[c] == 0 {
			t.Errorf("no order from channel %s", c)
		}
	}
	if bigOrders < 100 || hugeOrders < 1 {
		t.Errorf("%d orders of 20+ lines and %d of 200+", bigOrders, hugeOrders)
	}
	for _, in := range ds.Inventory {
		if in.Allocated != alloc[[2]int64{in.ItemID, in.LocationID}] {
			t.Fatalf("inventory %d@%d allocated %d, groups hold %d", in.ItemID, in.LocationID, in.Allocated, alloc[[2]int64{in.ItemID, in.LocationID}])
		}
		delete(alloc, [2]int64{in.ItemID, in.LocationID})
	}
	for k, q := range alloc {
		if q > 0 {
			t.Errorf("no inventory row for item %d at location %d holding %d", k[0], k[1], q)
		}
	}
}

func TestMasterData(t *testing.T) {
	ds := generate(t, 10)
	count := func(f func(demo.Customer) bool) int {
		n := 0
		for _, c := range ds.Customers {
			if f(c) {
				n++
			}
		}
		return n
	}
	items := func(f func(demo.Item) bool) int {
		n := 0
		for _, it := range ds.Items {
			if f(it) {
				n++
			}
		}
		return n
	}
	phone := regexp.MustCompile(`^\(\d{3}\) 555-01\d\d$`)
	tests := []struct {
		name   string
		got    int
		lo, hi int
	}{
		{"Items", len(ds.Items), 1500, 1500},
		{"Dropship", items(func(it demo.Item) bool { return it.DropshipEligible }), 100, 250},
		{"Discontinued", items(func(it demo.Item) bool { return it.Discontinued }), 20, 80},
		{"Hazmat", items(func(it demo.Item) bool { return it.Hazmat }), 10, 300},
		{"Substitutes", len(ds.Substitutes), 50, 150},
		{"Prices", len(ds.Prices), 4500, 4500},
		{"B2B", count(func(c demo.Customer) bool { return c.Type == "b2b" }), 220, 220},
		{"B2C", count(func(c demo.Customer) bool { return c.Type == "b2c" }), 80, 80},
		{"CreditHold", count(func(c demo.Customer) bool { return c.CreditStatus == "hold" }), 4, 4},
		{"TradingPartners", len(ds.TradingPartners), 15, 15},
		{"Locations", len(ds.Locations), 9, 9},
		{"BadPhones", count(func(c demo.Customer) bool { return !phone.MatchString(c.Phone) }), 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got < tt.lo || tt.got > tt.hi {
				t.Errorf("got %d, want %d..%d", tt.got, tt.lo, tt.hi)
			}
		})
	}
}

func TestDistance(t *testing.T) {
	tests := []struct {
		name                   string
		lat1, lon1, lat2, lon2 float64
		lo, hi                 float64
	}{
		{"DallasAtlanta", 32.7767, -96.7970, 33.7490, -84.3880, 710, 730},
		{"Same", 40, -75, 40, -75, 0, 0.001},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d := geo.Distance(tt.lat1, tt.lon1, tt.lat2, tt.lon2); d < tt.lo || d > tt.hi {
				t.Errorf("got %.1f mi", d)
			}
		})
	}
}

// TestWillCallFromOneLocation: a will-call customer picks up at one
// branch, so no demo will-call order ships from two places or a vendor.
func TestWillCallFromOneLocation(t *testing.T) {
	ds := generate(t, demo.DefaultOrders)
	n := 0
	for _, o := range ds.Orders {
		if o.ShipMethod != "WILLCALL" {
			continue
		}
		n++
		at := map[int64]bool{}
		for _, g := range o.Groups {
			if g.Status != "cancelled" {
				at[g.LocationID] = true
			}
			if g.Dropship {
				t.Fatalf("%s: will-call order dropshipped", o.Number)
			}
		}
		if len(at) > 1 {
			t.Fatalf("%s: will-call order ships from %d locations", o.Number, len(at))
		}
	}
	if n == 0 {
		t.Fatal("no will-call orders in the demo")
	}
}
