package loadgen

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oms/oms/store"
)

// orderLine and orderBody are the body of POST /api/v1/orders.
type orderLine struct {
	SKU      string `json:"sku"`
	Quantity int64  `json:"quantity"`
}

type orderBody struct {
	CustomerAccount string      `json:"customer_account"`
	PONumber        string      `json:"po_number"`
	ShipToCode      string      `json:"ship_to_code"`
	ShipMethod      string      `json:"ship_method"`
	Lines           []orderLine `json:"lines"`
}

// IntakeReport is the outcome of Intake.
type IntakeReport struct {
	Elapsed   time.Duration
	Customers int
	Items     int
	Orders    *Stats // 201 answers
	Held      int    // of which the order went on hold (credit, duplicate PO, ...)
	LoadStart string
	LoadEnd   string
}

// OrdersPerSecond is the rate of accepted orders.
func (r IntakeReport) OrdersPerSecond() float64 {
	return float64(len(r.Orders.Times)) / r.Elapsed.Seconds()
}

// Print writes the report.
func (r IntakeReport) Print(w io.Writer) {
	fmt.Fprintf(w, "intake: %d customers, %d items; load average %s at start, %s at end\n", r.Customers, r.Items, r.LoadStart, r.LoadEnd)
	printTable(w, r.Elapsed, []*Stats{r.Orders})
	fmt.Fprintf(w, "orders/s %.1f  p50 %.2f ms  p99 %.2f ms  errors %d  held %d  (%.1f s, load average %s)\n",
		r.OrdersPerSecond(), ms(r.Orders.Percentile(50)), ms(r.Orders.Percentile(99)), r.Orders.ErrorCount(), r.Held,
		r.Elapsed.Seconds(), r.LoadEnd)
}

// Intake posts orders of cfg.Lines lines (distinct active items, the
// smallest quantity their pack size and minimum allow) for active business
// customers in good credit standing, spread so that each stays within its
// credit while it can, each with a fresh Idempotency-Key and PO number,
// from cfg.Clients clients for cfg.Duration. Customers and items come from
// the lookup API, so the orders pass validation as a real integration's
// would.
func Intake(ctx context.Context, cfg Config) (IntakeReport, error) {
	rep := IntakeReport{Orders: &Stats{Kind: "POST /api/v1/orders"}}
	client := newClient(cfg.Clients)
	api := apiClient{c: client, base: cfg.baseURL(), token: cfg.Token}
	customers, err := api.orderingCustomers(ctx)
	if err != nil {
		return rep, err
	}
	items, err := api.orderableItems(ctx)
	if err != nil {
		return rep, err
	}
	if len(items) < cfg.Lines {
		return rep, fmt.Errorf("the items API found %d orderable items; %d lines need as many", len(items), cfg.Lines)
	}
	rep.Customers, rep.Items = len(customers), len(items)
	run := strconv.FormatInt(time.Now().Unix(), 36)
	var held atomic.Int64
	rep.LoadStart = LoadAverage()
	start := time.Now()
	credit := newCreditBudget(customers)
	stats := runIntake(ctx, cfg, func(ctx context.Context, worker, n int, r *rand.Rand, s *Stats) {
		var lines []orderLine
		var value int64
		for _, k := range r.Perm(len(items))[:cfg.Lines] {
			it := items[k]
			qty := it.PackQty * ((max(it.MinQty, 1) + it.PackQty - 1) / it.PackQty)
			lines = append(lines, orderLine{SKU: it.SKU, Quantity: qty})
			value += qty * it.ListPriceCents
		}
		c := customers[credit.pick(r, value)]
		body := orderBody{CustomerAccount: c.Account, PONumber: fmt.Sprintf("LG-%s-%d-%d", run, worker, n),
			ShipToCode: shipTo(c), ShipMethod: "GROUND", Lines: lines}
		b, _ := json.Marshal(body)
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, api.base+"/api/v1/orders", bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+cfg.Token)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", newKey())
		t := time.Now()
		status, resp, _, err := do(client, req)
		switch {
		case ctx.Err() != nil:
			// cut off by an interrupt: not counted
		case err != nil:
			s.fail("transport", err.Error())
		case status != http.StatusCreated:
			s.fail(strconv.Itoa(status), snippet(resp))
		default:
			s.Times = append(s.Times, time.Since(t))
			if bytes.Contains(resp, []byte(`"has_hold":true`)) {
				held.Add(1)
			}
		}
	})
	rep.Elapsed = time.Since(start)
	rep.LoadEnd = LoadAverage()
	rep.Orders = stats
	rep.Held = int(held.Load())
	return rep, nil
}

// runIntake runs step on cfg.Clients workers as run does, each with its
// own random source and order counter.
func runIntake(ctx context.Context, cfg Config, step func(ctx context.Context, worker, n int, r *rand.Rand, s *Stats)) *Stats {
	counters := make([]int, cfg.Clients)
	rngs := make([]*rand.Rand, cfg.Clients)
	for i := range rngs {
		rngs[i] = rand.New(rand.NewPCG(cfg.Seed, uint64(i)))
	}
	out := run(ctx, cfg, func(ctx context.Context, worker int, stats func(string) *Stats) {
		counters[worker]++
		step(ctx, worker, counters[worker], rngs[worker], stats("orders"))
	})
	if len(out) == 0 {
		return &Stats{Kind: "orders"}
	}
	return out[0]
}

// shipTo returns the customer's default ship-to code, else its first.
func shipTo(c store.CustomerMatch) string {
	for _, s := range c.ShipTos {
		if s.Default {
			return s.Code
		}
	}
	return c.ShipTos[0].Code
}

// apiClient reads the lookup API with a bearer token or a session.
type apiClient struct {
	c     *http.Client
	base  string
	token string
}

// getJSON GETs path and decodes the JSON answer into v.
func (a apiClient) getJSON(ctx context.Context, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.base+path, nil)
	if err != nil {
		return err
	}
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	status, body, _, err := do(a.c, req)
	if err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	if status != http.StatusOK {
		return fmt.Errorf("GET %s: %d %s", path, status, snippet(body))
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	return nil
}

// orderingCustomers returns active business customers in good standing
// with a ship-to and credit left, found by account prefix (C1 to C9).
func (a apiClient) orderingCustomers(ctx context.Context) ([]store.CustomerMatch, error) {
	seen := map[string]bool{}
	var out []store.CustomerMatch
	for d := 1; d <= 9; d++ {
		var res struct{ Customers []store.CustomerMatch }
		if err := a.getJSON(ctx, "/api/v1/customers?limit=100&q="+url.QueryEscape("C"+strconv.Itoa(d)), &res); err != nil {
			return nil, err
		}
		for _, c := range res.Customers {
			used := c.OpenARCents + c.OpenOrdersCents
			if seen[c.Account] || c.Type != "b2b" || !c.Active || c.CreditStatus != "ok" || len(c.ShipTos) == 0 || used >= c.CreditLimitCents {
				continue
			}
			seen[c.Account] = true
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the customers API found no active business customer in good standing (accounts C1… to C9…)")
	}
	return out, nil
}

// orderableItems returns active, current items, those in stock if there
// are enough of them, found by SKU part ("-1" to "-9"): the cheaper half.
func (a apiClient) orderableItems(ctx context.Context) ([]store.ItemMatch, error) {
	seen := map[string]bool{}
	var all, stocked []store.ItemMatch
	for d := 1; d <= 9; d++ {
		var res struct{ Items []store.ItemMatch }
		if err := a.getJSON(ctx, "/api/v1/items?limit=100&q="+url.QueryEscape("-"+strconv.Itoa(d)), &res); err != nil {
			return nil, err
		}
		for _, it := range res.Items {
			if seen[it.SKU] || !it.Active || it.Discontinued || it.PackQty < 1 {
				continue
			}
			seen[it.SKU] = true
			all = append(all, it)
			if it.Available > 0 {
				stocked = append(stocked, it)
			}
		}
	}
	if len(stocked) >= 50 {
		all = stocked
	}
	// The cheaper half (by the value of the smallest quantity allowed), so
	// that the customers' credit lasts a run of tens of thousands of
	// orders.
	minValue := func(it store.ItemMatch) int64 {
		return it.PackQty * ((max(it.MinQty, 1) + it.PackQty - 1) / it.PackQty) * it.ListPriceCents
	}
	slices.SortFunc(all, func(a, b store.ItemMatch) int { return cmp.Compare(minValue(a), minValue(b)) })
	return all[:max(min(len(all), 20), len(all)/2)], nil
}

// creditBudget spreads orders over the customers that still have credit
// for them, so that orders are sourced and allocated rather than put on
// credit hold; once every customer's credit is spent, orders go to any
// customer (and the report counts them as held).
type creditBudget struct {
	mu   sync.Mutex
	free []int64 // cents each customer may still order
}

func newCreditBudget(customers []store.CustomerMatch) *creditBudget {
	b := &creditBudget{free: make([]int64, len(customers))}
	for i, c := range customers {
		// Prices vary by price level; keep a tenth in reserve.
		b.free[i] = (c.CreditLimitCents - c.OpenARCents - c.OpenOrdersCents) * 9 / 10
	}
	return b
}

// pick returns a customer with credit for value, charging it, or any
// customer when none has enough left.
func (b *creditBudget) pick(r *rand.Rand, value int64) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	start := r.IntN(len(b.free))
	for k := range b.free {
		i := (start + k) % len(b.free)
		if b.free[i] >= value {
			b.free[i] -= value
			return i
		}
	}
	return start
}
