package handlers_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/internal/testapp"
	"github.com/oms/oms/web"
)

// soakReaders is how many clients read orders back while the soak's
// integrations send them: readers hold snapshots that a checkpoint must
// wait for, as people reading order pages do.
const soakReaders = 2

// BenchmarkSoakIntake sends orders through POST /api/v1/orders without a
// pause for OMS_SOAK (a Go duration, such as 120s; the benchmark skips
// without it, so CI and make bench do not run it) while soakReaders
// clients read recent orders, and reports the largest size the WAL file
// reached (sampled every 50 ms), its size at the end and after two idle
// seconds, and the p99 of a capture's round trip. Run it with
// -benchtime 1x: b.N does not scale a fixed-length soak.
func BenchmarkSoakIntake(b *testing.B) {
	length, err := time.ParseDuration(os.Getenv("OMS_SOAK"))
	if err != nil || length <= 0 {
		b.Skip("set OMS_SOAK to a duration (such as 120s) to run the intake soak")
	}
	for range b.N {
		soakIntake(b, length)
	}
}

func soakIntake(b *testing.B, length time.Duration) {
	a := testapp.New(b, web.Config{}, seedCatalogue)
	_, writer := newToken(b, a.DB, domain.RoleSales)
	_, reader := newToken(b, a.DB, domain.RoleCSR)
	base := a.Serve(b)
	walPath := a.DB.Path() + "-wal"
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: benchClients + soakReaders, MaxConnsPerHost: benchClients + soakReaders}, Timeout: 30 * time.Second}

	var seq atomic.Int64
	var recent [64]atomic.Value // numbers of orders just captured, for the readers
	post := func() (time.Duration, error) {
		i := seq.Add(1)
		req, err := http.NewRequest(http.MethodPost, base+"/api/v1/orders", bytes.NewReader(benchOrder(i)))
		if err != nil {
			return 0, err
		}
		req.Header.Set("Authorization", "Bearer "+writer)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", fmt.Sprintf("soak-%d", i))
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		took := time.Since(start)
		if resp.StatusCode != http.StatusCreated {
			return 0, fmt.Errorf("status %d: %s", resp.StatusCode, body)
		}
		var o struct {
			Number string `json:"number"`
		}
		if json.Unmarshal(body, &o) == nil {
			recent[i%int64(len(recent))].Store(o.Number)
		}
		return took, nil
	}
	read := func(i int) error {
		number, _ := recent[i%len(recent)].Load().(string)
		if number == "" {
			return nil
		}
		req, err := http.NewRequest(http.MethodGet, base+"/api/v1/orders/"+number, nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+reader)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("read %s: status %d", number, resp.StatusCode)
		}
		return nil
	}

	var maxWAL atomic.Int64
	walSize := func() int64 {
		fi, err := os.Stat(walPath)
		if err != nil {
			return 0
		}
		return fi.Size()
	}
	done := make(chan struct{})
	var sampler sync.WaitGroup
	sampler.Add(1)
	go func() {
		defer sampler.Done()
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if s := walSize(); s > maxWAL.Load() {
					maxWAL.Store(s)
				}
			}
		}
	}()

	b.ResetTimer()
	deadline := time.Now().Add(length)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var latencies []time.Duration
	var failure error
	fail := func(err error) {
		mu.Lock()
		if failure == nil {
			failure = err
		}
		mu.Unlock()
	}
	for range benchClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for time.Now().Before(deadline) {
				took, err := post()
				if err != nil {
					fail(err)
					break
				}
				mine = append(mine, took)
			}
			mu.Lock()
			latencies = append(latencies, mine...)
			mu.Unlock()
		}()
	}
	for r := range soakReaders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := r; time.Now().Before(deadline); i += soakReaders {
				if err := read(i); err != nil {
					fail(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	endWAL := walSize()
	time.Sleep(2 * time.Second)
	idleWAL := walSize()
	close(done)
	sampler.Wait()
	if failure != nil {
		b.Fatal(failure)
	}
	if s := walSize(); s > maxWAL.Load() {
		maxWAL.Store(s)
	}
	slices.Sort(latencies)
	p := func(q float64) float64 {
		if len(latencies) == 0 {
			return 0
		}
		return float64(latencies[int(q*float64(len(latencies)-1))].Microseconds()) / 1000
	}
	dbInfo, _ := os.Stat(a.DB.Path())
	var dbSize int64
	if dbInfo != nil {
		dbSize = dbInfo.Size()
	}
	const mib = 1 << 20
	b.ReportMetric(float64(len(latencies))/length.Seconds(), "orders/s")
	b.ReportMetric(p(0.50), "p50-ms")
	b.ReportMetric(p(0.99), "p99-ms")
	b.ReportMetric(float64(maxWAL.Load())/mib, "max-wal-MiB")
	b.ReportMetric(float64(endWAL)/mib, "end-wal-MiB")
	b.ReportMetric(float64(idleWAL)/mib, "idle-wal-MiB")
	b.ReportMetric(float64(dbSize)/mib, "db-MiB")
}
