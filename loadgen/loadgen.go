// Package loadgen drives a running OMS over HTTP from its own process, the
// way integrations and customer service reach it: Intake posts orders to
// the JSON API from many clients, Search runs every kind of customer
// service search and the order page from a few. Both read real customers,
// items and orders from the API first, and report throughput and latency
// percentiles with the load average beside them.
package loadgen

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

// Config says which server to drive and how hard.
type Config struct {
	// Addr is the server: host:port, or a URL with its scheme.
	Addr string
	// Token is an API bearer token; Intake needs the sales, ops or admin
	// role.
	Token string
	// Email and Password sign Search in as a person (the search page and
	// the order page need a session).
	Email, Password string
	Clients         int
	Duration        time.Duration
	// Requests, when above 0, has each client send this many requests
	// instead of running for Duration.
	Requests int
	// Lines is the number of lines of each posted order.
	Lines int
	// Seed makes the choice of customers, items and keys repeatable.
	Seed uint64
}

// baseURL returns the server's URL without a trailing slash.
func (c Config) baseURL() string {
	a := strings.TrimRight(c.Addr, "/")
	if !strings.Contains(a, "://") {
		a = "http://" + a
	}
	return a
}

// newClient returns an HTTP client that keeps one connection per load
// client open and does not follow redirects (an exact search hit answers
// with one, and it is the answer being measured).
func newClient(clients int) *http.Client {
	return &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns:        clients * 2,
			MaxIdleConnsPerHost: clients * 2,
			IdleConnTimeout:     time.Minute,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Stats are the timings and outcomes of one kind of request.
type Stats struct {
	Kind    string
	Times   []time.Duration // of the requests that succeeded
	Errors  map[string]int  // by status or error, e.g. "422" or "timeout"
	Misses  int             // succeeded but did not find what the key names
	Example string          // the first error's text, for the report
}

func (s *Stats) fail(what, example string) {
	if s.Errors == nil {
		s.Errors = map[string]int{}
	}
	s.Errors[what]++
	if s.Example == "" {
		s.Example = example
	}
}

func (s *Stats) merge(o *Stats) {
	s.Times = append(s.Times, o.Times...)
	for k, n := range o.Errors {
		if s.Errors == nil {
			s.Errors = map[string]int{}
		}
		s.Errors[k] += n
	}
	s.Misses += o.Misses
	if s.Example == "" {
		s.Example = o.Example
	}
}

// ErrorCount is the number of failed requests.
func (s *Stats) ErrorCount() int {
	n := 0
	for _, c := range s.Errors {
		n += c
	}
	return n
}

// Percentile returns the p-th percentile (0-100) of the successful
// requests' times, or 0 without any.
func (s *Stats) Percentile(p float64) time.Duration {
	if len(s.Times) == 0 {
		return 0
	}
	t := slices.Clone(s.Times)
	slices.Sort(t)
	return t[min(len(t)-1, int(float64(len(t))*p/100))]
}

// LoadAverage returns the system's load averages over 1, 5 and 15 minutes
// as /proc/loadavg gives them, or "unknown" where there is none.
func LoadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// run starts cfg.Clients goroutines that each call step until
// cfg.Duration is over (a request under way then is finished and counted,
// so that the slowest requests are not left out), or cfg.Requests times
// when that is set, or until ctx ends; it merges their stats by kind in
// first-seen order.
func run(ctx context.Context, cfg Config, step func(ctx context.Context, client int, stats func(kind string) *Stats)) []*Stats {
	clients := cfg.Clients
	deadline := time.Now().Add(cfg.Duration)
	more := func(n int) bool {
		if cfg.Requests > 0 {
			return n < cfg.Requests
		}
		return time.Now().Before(deadline)
	}
	var mu sync.Mutex
	var order []string
	all := map[string]*Stats{}
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() {
			mine := map[string]*Stats{}
			var kinds []string
			get := func(kind string) *Stats {
				s := mine[kind]
				if s == nil {
					s = &Stats{Kind: kind}
					mine[kind] = s
					kinds = append(kinds, kind)
				}
				return s
			}
			for n := 0; ctx.Err() == nil && more(n); n++ {
				step(ctx, i, get)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, k := range kinds {
				if all[k] == nil {
					all[k] = &Stats{Kind: k}
					order = append(order, k)
				}
				all[k].merge(mine[k])
			}
		})
	}
	wg.Wait()
	out := make([]*Stats, 0, len(order))
	for _, k := range order {
		out = append(out, all[k])
	}
	return out
}

// do sends req and returns the status and body. A request cut off by an
// interrupt returns ctx's error, which callers do not count.
func do(c *http.Client, req *http.Request) (int, []byte, http.Header, error) {
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, body, resp.Header, err
}

// newKey returns a random Idempotency-Key.
func newKey() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// snippet shortens a response body for an error report.
func snippet(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// printTable writes one row per kind: requests, rate, percentiles, errors.
func printTable(w io.Writer, elapsed time.Duration, stats []*Stats) {
	fmt.Fprintf(w, "%-20s %8s %9s %9s %9s %9s %9s %7s %7s\n", "kind", "requests", "per_s", "p50_ms", "p95_ms", "p99_ms", "max_ms", "errors", "misses")
	for _, s := range stats {
		fmt.Fprintf(w, "%-20s %8d %9.1f %9.2f %9.2f %9.2f %9.2f %7d %7d\n", s.Kind, len(s.Times),
			float64(len(s.Times))/elapsed.Seconds(), ms(s.Percentile(50)), ms(s.Percentile(95)), ms(s.Percentile(99)),
			ms(s.Percentile(100)), s.ErrorCount(), s.Misses)
	}
	for _, s := range stats {
		if n := s.ErrorCount(); n > 0 {
			keys := make([]string, 0, len(s.Errors))
			for k := range s.Errors {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			var parts []string
			for _, k := range keys {
				parts = append(parts, fmt.Sprintf("%s ×%d", k, s.Errors[k]))
			}
			fmt.Fprintf(w, "%s errors: %s; first: %s\n", s.Kind, strings.Join(parts, ", "), s.Example)
		}
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
