package dispatch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/oms/oms/store"
)

// Endpoint is where one destination's messages go, and the secret they
// are signed with.
type Endpoint struct {
	URL    string
	Secret string
}

// Config is the dispatcher's configuration; zero fields get defaults.
type Config struct {
	// Endpoints by destination (erp, wms, vendor, webhook); each webhook
	// subscription in the store is a destination too. Messages for a
	// destination without an endpoint wait in the outbox. Destination edi
	// is never sent here: the EDI sender owns it.
	Endpoints   map[string]Endpoint
	MaxAttempts int           // tries before a dead letter; default 8
	BaseDelay   time.Duration // first retry delay; default 2s
	MaxDelay    time.Duration // longest retry delay; default 10m
	Workers     int           // messages in flight at once; default 16
	Batch       int           // messages claimed at once; default 256
	// Loops is how many claim-send-record loops run at once, so that one
	// sends while another reads or writes the database; default 2. The
	// per-order order holds across loops: a message waits while an
	// earlier one of its order is claimed elsewhere.
	Loops   int
	Lease   time.Duration // a claimed message is taken again after this; default 1m
	Poll    time.Duration // wait when the outbox is empty; default 250ms
	Timeout time.Duration // per request; default 10s
	Client  *http.Client
	Logger  *slog.Logger
	Now     func() time.Time
}

// NotSent are destinations this dispatcher never sends, whatever the
// configuration: another sender owns them.
var NotSent = []string{"edi", "email"}

func (c Config) withDefaults() Config {
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 8
	}
	if c.BaseDelay <= 0 {
		c.BaseDelay = 2 * time.Second
	}
	if c.MaxDelay <= 0 {
		c.MaxDelay = 10 * time.Minute
	}
	if c.Workers <= 0 {
		c.Workers = 16
	}
	if c.Batch <= 0 {
		c.Batch = 256
	}
	if c.Loops <= 0 {
		c.Loops = 2
	}
	if c.Lease <= 0 {
		c.Lease = time.Minute
	}
	if c.Poll <= 0 {
		c.Poll = 250 * time.Millisecond
	}
	if c.Timeout <= 0 {
		c.Timeout = 10 * time.Second
	}
	if c.Client == nil {
		c.Client = &http.Client{Timeout: c.Timeout, Transport: &http.Transport{
			MaxIdleConns: c.Workers * 2, MaxIdleConnsPerHost: c.Workers, IdleConnTimeout: 90 * time.Second}}
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// Dispatcher sends the outbox.
type Dispatcher struct {
	db    *store.DB
	cfg   Config
	dests []string
}

// New returns a dispatcher for the configured endpoints.
func New(db *store.DB, cfg Config) *Dispatcher {
	cfg = cfg.withDefaults()
	d := &Dispatcher{db: db, cfg: cfg}
	for dest, ep := range cfg.Endpoints {
		if ep.URL != "" && !slices.Contains(NotSent, dest) {
			d.dests = append(d.dests, dest)
		}
	}
	slices.Sort(d.dests)
	return d
}

// Destinations are the destinations this dispatcher sends.
func (d *Dispatcher) Destinations() []string { return d.dests }

// Run sends until ctx ends. It runs also without configured endpoints:
// an admin may add a webhook subscription at any time.
func (d *Dispatcher) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for range d.cfg.Loops {
		wg.Go(func() { d.loop(ctx) })
	}
	wg.Wait()
}

// Drain sends until nothing is due, with every loop; it returns how many
// messages it tried.
func (d *Dispatcher) Drain(ctx context.Context) (int, error) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var total int
	var errs []error
	for range d.cfg.Loops {
		wg.Go(func() {
			for {
				n, err := d.RunOnce(ctx)
				mu.Lock()
				total += n
				if err != nil {
					errs = append(errs, err)
				}
				mu.Unlock()
				if n == 0 || err != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	return total, errors.Join(errs...)
}

func (d *Dispatcher) loop(ctx context.Context) {
	Poll(ctx, d.cfg.Poll, d.cfg.Logger, "dispatch outbox", d.RunOnce)
}

// Poll runs once until ctx ends: again at once while it finds work, after
// wait when it finds none or fails (logging the failure as what). The
// outbox's senders (this dispatcher, the customer e-mail sender) share it.
func Poll(ctx context.Context, wait time.Duration, log *slog.Logger, what string, once func(context.Context) (int, error)) {
	for {
		n, err := once(ctx)
		if err != nil && ctx.Err() == nil {
			log.Warn(what, "err", err)
		}
		if n > 0 && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// RunOnce claims one batch, sends it and records the results; it returns
// how many messages it tried.
func (d *Dispatcher) RunOnce(ctx context.Context) (int, error) {
	endpoints, dests, err := d.endpoints(ctx)
	if err != nil {
		return 0, err
	}
	entries, err := d.db.ClaimOutbox(ctx, dests, d.cfg.Batch, d.cfg.Lease)
	if err != nil || len(entries) == 0 {
		return 0, err
	}
	// Chains: the messages of one order and destination, in order.
	var chains [][]store.OutboxEntry
	index := map[string]int{}
	for _, e := range entries {
		k := e.Key()
		i, ok := index[k]
		if !ok {
			i = len(chains)
			index[k] = i
			chains = append(chains, nil)
		}
		chains[i] = append(chains[i], e)
	}
	work := make(chan []store.OutboxEntry)
	var mu sync.Mutex
	results := make([]store.DeliveryResult, 0, len(entries))
	var wg sync.WaitGroup
	for range min(d.cfg.Workers, len(chains)) {
		wg.Go(func() {
			for chain := range work {
				rs := d.sendChain(ctx, endpoints[chain[0].Destination], chain)
				mu.Lock()
				results = append(results, rs...)
				mu.Unlock()
			}
		})
	}
	for _, c := range chains {
		work <- c
	}
	close(work)
	wg.Wait()
	// Recorded even when ctx ended, so that what was delivered is known.
	if err := d.db.RecordDeliveries(context.WithoutCancel(ctx), results); err != nil {
		return len(entries), err
	}
	return len(entries), nil
}

// endpoints are the configured endpoints and one per webhook
// subscription (destination "webhook:<id>", its URL and secret), read
// each round so that a subscription added or removed takes effect at once.
func (d *Dispatcher) endpoints(ctx context.Context) (map[string]Endpoint, []string, error) {
	subs, err := d.db.Webhooks(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("read webhook subscriptions: %w", err)
	}
	if len(subs) == 0 {
		return d.cfg.Endpoints, d.dests, nil
	}
	eps := make(map[string]Endpoint, len(d.cfg.Endpoints)+len(subs))
	for k, v := range d.cfg.Endpoints {
		eps[k] = v
	}
	dests := slices.Clone(d.dests)
	for _, w := range subs {
		dest := store.WebhookDestination(w.ID)
		eps[dest] = Endpoint{URL: w.URL, Secret: w.Secret}
		dests = append(dests, dest)
	}
	return eps, dests, nil
}

// sendChain sends one order's messages one after the other; after a
// failure the rest wait for the next round.
func (d *Dispatcher) sendChain(ctx context.Context, ep Endpoint, chain []store.OutboxEntry) []store.DeliveryResult {
	out := make([]store.DeliveryResult, 0, len(chain))
	for i, e := range chain {
		r := d.send(ctx, ep, e)
		out = append(out, r)
		if !r.Delivered {
			for _, rest := range chain[i+1:] {
				out = append(out, store.DeliveryResult{ID: rest.ID, NotTried: true})
			}
			break
		}
	}
	return out
}

// send makes one attempt and decides what follows a failure.
func (d *Dispatcher) send(ctx context.Context, ep Endpoint, e store.OutboxEntry) store.DeliveryResult {
	r := store.DeliveryResult{ID: e.ID}
	body, err := Render(e)
	if err != nil {
		r.Error = "cannot render the message: " + err.Error()
		return r // nothing to retry: a dead letter
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(body))
	if err != nil {
		r.Error = "bad endpoint URL: " + err.Error()
		return r
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", e.MessageID)
	req.Header.Set("OMS-Message-Id", e.MessageID)
	req.Header.Set("OMS-Topic", e.Topic)
	req.Header.Set(SignatureHeader, Sign(ep.Secret, d.cfg.Now(), body))
	resp, err := d.cfg.Client.Do(req)
	attempt := e.Attempts + 1
	if err != nil {
		r.Error = fmt.Sprintf("no response from %s: %v", ep.URL, err)
	} else {
		reply, _ := io.ReadAll(io.LimitReader(resp.Body, 1000))
		resp.Body.Close()
		r.Status = resp.StatusCode
		if resp.StatusCode >= 200 && resp.StatusCode < 300 {
			r.Delivered = true
			return r
		}
		r.Error = fmt.Sprintf("HTTP %d %s: %s", resp.StatusCode, http.StatusText(resp.StatusCode), bytes.TrimSpace(reply))
		if permanent(resp.StatusCode) {
			return r // the receiver refuses the message itself: a dead letter now
		}
	}
	if attempt < d.cfg.MaxAttempts {
		r.RetryAt = d.cfg.Now().Add(Backoff(attempt, d.cfg.BaseDelay, d.cfg.MaxDelay))
	}
	return r
}

// permanent reports whether a status means the same message will never be
// accepted: a client error other than timeouts, conflicts in flight and
// rate limits.
func permanent(status int) bool {
	switch status {
	case http.StatusRequestTimeout, http.StatusConflict, http.StatusTooEarly, http.StatusTooManyRequests:
		return false
	}
	return status >= 400 && status < 500
}
