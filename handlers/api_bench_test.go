package handlers_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/internal/testapp"
	"github.com/oms/oms/store"
	"github.com/oms/oms/web"
)

// benchClients is how many integrations send orders at once.
const benchClients = 16

// benchOrder is a 5-line order with a PO and key of its own, from one of
// the benchmark customers.
func benchOrder(i int64) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"customer_account": %q, "po_number": "BENCH-%d", "ship_to_code": "MAIN", "lines": [`, benchAccount(i), i)
	for j, sku := range benchSKUs {
		if j > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"sku": %q, "quantity": %d}`, sku, j+1)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

// BenchmarkAPIIntake posts 5-line orders over HTTP (a real listener on
// 127.0.0.1, net/http clients, 16 at once) through the whole pipeline:
// token, strict decoding, validation, sourcing and allocation, events,
// outbox and idempotency record. It reports orders/s, and beside it the
// rate of inserting the same rows (orders + lines) with plain SQL and no
// logic, and the ratio of the two.
func BenchmarkAPIIntake(b *testing.B) {
	a := testapp.New(b, web.Config{}, seedCatalogue)
	_, token := newToken(b, a.DB, domain.RoleSales)
	base := a.Serve(b)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: benchClients, MaxConnsPerHost: benchClients}, Timeout: 30 * time.Second}
	var seq atomic.Int64
	post := func() error {
		i := seq.Add(1)
		req, err := http.NewRequest(http.MethodPost, base+"/api/v1/orders", bytes.NewReader(benchOrder(i)))
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", fmt.Sprintf("bench-%d", i))
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusCreated {
			return fmt.Errorf("status %d: %s", resp.StatusCode, body)
		}
		return nil
	}
	// Warm the connections, the token's last-used time and the caches.
	for range benchClients {
		if err := post(); err != nil {
			b.Fatal(err)
		}
	}

	b.ResetTimer()
	start, cpuStart := time.Now(), processCPU()
	if err := runConcurrently(b.N, post); err != nil {
		b.Fatal(err)
	}
	apiRate := float64(b.N) / time.Since(start).Seconds()
	cpuPerOrder := (processCPU() - cpuStart).Seconds() / float64(b.N)
	b.StopTimer()

	sqlRate := plainInsertRate(b, a.DB, b.N)
	b.ReportMetric(apiRate, "orders/s")
	b.ReportMetric(sqlRate, "sql_orders/s")
	b.ReportMetric(apiRate/sqlRate, "api/sql")
	// The machine is shared: CPU time per order (server and clients, both
	// in this process) says what the pipeline costs whatever else runs.
	b.ReportMetric(cpuPerOrder*1e6, "cpu_µs/order")
}

// processCPU is the CPU time this process has used, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// runConcurrently calls fn n times from benchClients goroutines and returns
// the first error.
func runConcurrently(n int, fn func() error) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	var first error
	var once sync.Once
	for range benchClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				if err := fn(); err != nil {
					once.Do(func() { first = err })
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}

// plainInsertRate inserts n orders of 5 lines with plain SQL, one write
// transaction each from benchClients goroutines, with no validation,
// sourcing, events or outbox: the floor the pipeline is compared with.
func plainInsertRate(b *testing.B, db *store.DB, n int) float64 {
	ctx := context.Background()
	var customerID int64
	itemIDs := make([]int64, len(benchSKUs))
	err := db.View(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRow(`SELECT id FROM customers WHERE account = 'C100'`).Scan(&customerID); err != nil {
			return err
		}
		for i, sku := range benchSKUs {
			if err := tx.QueryRow(`SELECT id FROM items WHERE sku = ?`, sku).Scan(&itemIDs[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	var seq atomic.Int64
	start := time.Now()
	err = runConcurrently(n, func() error {
		i := seq.Add(1)
		now := store.FormatTime(time.Now())
		return db.Update(ctx, func(tx *sql.Tx) error {
			r, err := tx.Exec(`INSERT INTO orders (number, channel, customer_id, customer_po, ship_name, ship_line1, ship_city, ship_region,
					ship_postal_code, status, total_cents, created_by, created_at, updated_at)
				VALUES (?, 'api', ?, ?, 'Main dock', '1 Main St', 'Dallas', 'TX', '75201', 'allocated', 15000, 'bench', ?, ?)`,
				fmt.Sprintf("SQL-%d", i), customerID, fmt.Sprintf("SQL-PO-%d", i), now, now)
			if err != nil {
				return err
			}
			orderID, _ := r.LastInsertId()
			for j, item := range itemIDs {
				if _, err := tx.Exec(`INSERT INTO order_lines (order_id, line_no, item_id, sku, description, quantity, unit_price_cents,
						qty_allocated, status) VALUES (?, ?, ?, ?, ?, ?, 1000, ?, 'allocated')`,
					orderID, j+1, item, benchSKUs[j], "Item "+benchSKUs[j], j+1, j+1); err != nil {
					return err
				}
			}
			return nil
		})
	})
	if err != nil {
		b.Fatal(err)
	}
	return float64(n) / time.Since(start).Seconds()
}
