package store_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/oms/oms/demo"
	"github.com/oms/oms/domain"
	"github.com/oms/oms/store"
)

var seedNow = time.Date(2025, 6, 2, 15, 30, 0, 0, time.UTC)

// seeded returns a database seeded with n demo orders.
func seeded(tb testing.TB, n int) (*store.DB, store.SeedSummary) {
	tb.Helper()
	db := newDB(tb)
	sum, err := db.Seed(context.Background(), demo.Config{Seed: demo.DefaultSeed, Orders: n, Now: seedNow}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return db, sum
}

// count runs a counting query on the read pool.
func count(tb testing.TB, db *store.DB, query string, args ...any) int {
	tb.Helper()
	var n int
	err := db.View(context.Background(), func(tx *sql.Tx) error {
		return tx.QueryRowContext(context.Background(), query, args...).Scan(&n)
	})
	if err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestSeed(t *testing.T) {
	db, sum := seeded(t, 500)
	t.Logf("%+v", sum)
	tests := []struct {
		name  string
		query string
		want  int
	}{
		{"Invariant1", `SELECT count(*) FROM order_lines
			WHERE quantity <> qty_cancelled + qty_backordered + qty_allocated + qty_released + qty_shipped`, 0},
		{"Invariant2", `SELECT count(*) FROM inventory i
			LEFT JOIN (SELECT g.location_id, gl.item_id, sum(gl.quantity) q FROM fulfilment_group_lines gl
				JOIN fulfilment_groups g ON g.id = gl.group_id WHERE g.status IN ('planned', 'released')
				GROUP BY g.location_id, gl.item_id) a ON a.location_id = i.location_id AND a.item_id = i.item_id
			WHERE i.allocated <> coalesce(a.q, 0)`, 0},
		{"Invariant2NoMissingRows", `SELECT count(*) FROM fulfilment_group_lines gl JOIN fulfilment_groups g ON g.id = gl.group_id
			LEFT JOIN inventory i ON i.item_id = gl.item_id AND i.location_id = g.location_id
			WHERE g.status IN ('planned', 'released') AND i.item_id IS NULL`, 0},
		{"NoOversell", `SELECT count(*) FROM inventory i JOIN locations l ON l.id = i.location_id
			WHERE l.type IN ('dc', '3pl') AND i.on_hand - i.allocated - i.safety_stock < 0`, 0},
		{"LineBucketsMatchGroups", `SELECT count(*) FROM order_lines ol LEFT JOIN (
				SELECT gl.order_line_id,
					sum(CASE WHEN g.status = 'planned' THEN gl.quantity ELSE 0 END) a,
					sum(CASE WHEN g.status = 'released' THEN gl.quantity ELSE 0 END) r,
					sum(CASE WHEN g.status = 'shipped' THEN gl.quantity ELSE 0 END) s
				FROM fulfilment_group_lines gl JOIN fulfilment_groups g ON g.id = gl.group_id GROUP BY gl.order_line_id
			) x ON x.order_line_id = ol.id
			WHERE ol.qty_allocated <> coalesce(x.a, 0) OR ol.qty_released <> coalesce(x.r, 0) OR ol.qty_shipped <> coalesce(x.s, 0)`, 0},
		{"Invariant5", `SELECT count(*) FROM fulfilment_groups g JOIN holds h ON h.order_id = g.order_id
			WHERE h.released_at IS NULL AND g.status IN ('released', 'shipped') AND g.released_at > h.placed_at`, 0},
		{"HasHoldMatchesOpenHolds", `SELECT count(*) FROM orders o
			WHERE o.has_hold <> EXISTS (SELECT 1 FROM holds h WHERE h.order_id = o.id AND h.released_at IS NULL)`, 0},
		{"OpenHoldsHaveOpenExceptions", `SELECT count(*) FROM holds h WHERE h.released_at IS NULL
			AND NOT EXISTS (SELECT 1 FROM exceptions e WHERE e.hold_id = h.id AND e.status <> 'resolved')`, 0},
		{"ShippedGroupsHaveCarrier", `SELECT count(*) FROM fulfilment_groups
			WHERE status = 'shipped' AND (carrier = '' OR shipped_at IS NULL)`, 0},
		{"EveryOrderHasEvents", `SELECT count(*) FROM orders o WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.order_id = o.id)`, 0},
		{"EventsNotInFuture", `SELECT count(*) FROM events WHERE at > ?`, 0},
		{"Orders", `SELECT count(*) FROM orders`, 500},
		{"Locations", `SELECT count(*) FROM locations`, 9},
		{"Items", `SELECT count(*) FROM items`, 1500},
		{"Customers", `SELECT count(*) FROM customers`, 300},
		{"OrderNumberSequence", `SELECT value FROM sequences WHERE name = 'order_number'`, 100500},
		{"NoUsers", `SELECT count(*) FROM users`, 0},
		// A released group's message waits for the ERP/WMS (the demo's
		// simulator), so that it ships; the first tries are spread out.
		{"ReleasedGroupsPending", `SELECT count(*) FROM fulfilment_groups g WHERE g.status = 'released' AND (SELECT count(*) FROM outbox o
			WHERE o.group_id = g.id AND o.topic = 'group.released' AND o.status = 'pending') <> 1`, 0},
		{"ReleaseMessagesSpread", `SELECT count(*) > 1 FROM (SELECT DISTINCT next_attempt_at FROM outbox
			WHERE topic = 'group.released' AND status = 'pending')`, 1},
		{"ReleaseMessagesOfAnOrderDueTogether", `SELECT count(*) FROM (SELECT o.order_id FROM outbox o
			JOIN fulfilment_groups g ON g.id = o.group_id WHERE g.status = 'released' AND o.status = 'pending'
			GROUP BY o.order_id HAVING count(DISTINCT o.next_attempt_at) > 1)`, 0},
		{"OutboxCarriesNoWireFormat", `SELECT count(*) FROM outbox WHERE payload <> ''`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var args []any
			if tt.name == "EventsNotInFuture" {
				args = append(args, store.FormatTime(seedNow.Add(time.Second)))
			}
			if got := count(t, db, tt.query, args...); got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
		})
	}
	t.Run("LineStatusesKnown", func(t *testing.T) {
		if got := count(t, db, `SELECT count(*) FROM order_lines WHERE status NOT IN
			('cancelled','shipped','partially_shipped','released','allocated','partially_allocated','backordered')`); got != 0 {
			t.Errorf("%d lines with an unexpected status", got)
		}
	})
}

func TestSeedRefusesNonEmpty(t *testing.T) {
	db, _ := seeded(t, 10)
	empty, err := db.IsEmpty(context.Background())
	if err != nil || empty {
		t.Fatalf("IsEmpty = %v, %v after seeding", empty, err)
	}
	_, err = db.Seed(context.Background(), demo.Config{Seed: 1, Orders: 10, Now: seedNow}, nil)
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != domain.ECONFLICT {
		t.Fatalf("second seed: %v, want ECONFLICT", err)
	}
}

func TestIsEmpty(t *testing.T) {
	db := newDB(t)
	empty, err := db.IsEmpty(context.Background())
	if err != nil || !empty {
		t.Fatalf("IsEmpty = %v, %v on a new database", empty, err)
	}
}

// BenchmarkSeed measures seeding the default demo, or OMS_SEED_ORDERS
// orders when set (for example 1000000), and reports seconds per seed and
// the file size. A benchmark, not a timed test: `go test -run '^$' -bench
// Seed -benchtime 1x ./store/`.
func BenchmarkSeed(b *testing.B) {
	n := demo.DefaultOrders
	if s := os.Getenv("OMS_SEED_ORDERS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			b.Fatal(err)
		}
	}
	var size int64
	for b.Loop() {
		b.StopTimer()
		db := newDB(b)
		b.StartTimer()
		start := time.Now()
		sum, err := db.Seed(context.Background(), demo.Config{Seed: demo.DefaultSeed, Orders: n, Now: seedNow}, func(done int) {
			if done%100000 == 0 {
				b.Logf("%d orders after %v", done, time.Since(start).Round(time.Second))
			}
		})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		size = 0
		for _, suffix := range []string{"", "-wal"} {
			if fi, err := os.Stat(db.Path() + suffix); err == nil {
				size += fi.Size()
			}
		}
		b.Logf("seeded %d orders in %v: %d lines, %d groups, %d events", sum.Orders, sum.Duration.Round(time.Millisecond), sum.Lines, sum.Groups, sum.Events)
		b.StartTimer()
	}
	b.ReportMetric(float64(n), "orders")
	b.ReportMetric(float64(size)/1e6, "MB")
}
