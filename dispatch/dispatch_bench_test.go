package dispatch_test

import (
	"context"
	"database/sql"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	"github.com/oms/oms/dispatch"
	"github.com/oms/oms/internal/fixtures"
)

// BenchmarkDispatch sends 2,000 messages of 500 orders (four each, so each
// order's go one after the other) to a local receiver per iteration and
// reports messages per second (target: at least 2,000).
func BenchmarkDispatch(b *testing.B) {
	const orders, perOrder = 500, 4
	db := openDB(b)
	fx := fixtures.New(b, db)
	fx.Standard()
	plannedOrders(b, fx, orders)
	ctx := context.Background()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	defer srv.Close()
	d := dispatch.New(db, dispatch.Config{Endpoints: map[string]dispatch.Endpoint{"wms": {URL: srv.URL, Secret: "s"}}, Workers: 32, Batch: 500})
	var sent int
	var wall, cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		if err := db.Update(ctx, func(tx *sql.Tx) error {
			for range perOrder {
				if _, err := tx.Exec(`INSERT INTO outbox (message_id, topic, destination, order_id, group_id, payload, next_attempt_at, created_at)
					SELECT lower(hex(randomblob(16))), 'group.released', 'wms', g.order_id, g.id, '', '2000-01-01T00:00:00.000Z', '2000-01-01T00:00:00.000Z'
					FROM fulfilment_groups g JOIN orders o ON o.id = g.order_id WHERE o.number LIKE 'SO-2%'`); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start, c0 := time.Now(), processCPU()
		n, err := d.Drain(ctx)
		if err != nil {
			b.Fatal(err)
		}
		sent += n
		wall += time.Since(start)
		cpu += processCPU() - c0
	}
	b.ReportMetric(float64(sent)/wall.Seconds(), "msgs/s")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(sent), "cpu-ns/msg")
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
