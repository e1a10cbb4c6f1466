// Package erpsim is a small ERP, WMS and dropship vendor for demos and
// tests: it receives the OMS's outbound messages (checking their
// signatures), ships released groups after a delay with carrier tracking
// numbers (sometimes short), receives stock for backordered items,
// invoices shipped groups, and fails a share of the calls it receives so
// that retries show. It talks back through the OMS's inbound API.
package erpsim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/oms/oms/dispatch"
)

// Config is the simulator's configuration; zero fields get defaults.
type Config struct {
	OMS          string        // the OMS's base URL, e.g. http://localhost:8080
	Token        string        // bearer token for the OMS's inbound API (ops role)
	Secret       string        // the secret the OMS signs its messages with
	ShipDelay    time.Duration // from release to shipment; default 20s
	InvoiceDelay time.Duration // from shipment to invoice; default 30s
	ReceiptDelay time.Duration // from a backorder to stock arriving; default 45s
	FailRate     float64       // share of received calls answered 503; default 0.1
	PartialRate  float64       // share of shipments that ship short; default 0.15
	Logger       *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.ShipDelay <= 0 {
		c.ShipDelay = 20 * time.Second
	}
	if c.InvoiceDelay <= 0 {
		c.InvoiceDelay = 30 * time.Second
	}
	if c.ReceiptDelay <= 0 {
		c.ReceiptDelay = 45 * time.Second
	}
	if c.FailRate < 0 {
		c.FailRate = 0
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// Sim is a running simulator.
type Sim struct {
	cfg    Config
	client *http.Client

	mu   sync.Mutex
	seen recent // message ids received (at most once)
	seq  int

	ctx  context.Context
	jobs sync.WaitGroup
}

// New returns a simulator; Serve starts it.
func New(cfg Config) *Sim {
	return &Sim{cfg: cfg.withDefaults(), client: &http.Client{Timeout: 15 * time.Second}, seen: newRecent(maxSeen)}
}

// Serve answers the OMS's messages on ln until ctx ends, then waits for
// the calls it has started.
func (s *Sim) Serve(ctx context.Context, ln net.Listener) error {
	s.ctx = ctx
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Shutdown(context.Background())
	}()
	err := srv.Serve(ln)
	s.jobs.Wait()
	if err == http.ErrServerClosed {
		return nil
	}
	return err
}

// ServeHTTP receives one message at any path (/erp, /wms, /vendor).
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST messages here", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err != nil {
		http.Error(w, "cannot read the body", http.StatusBadRequest)
		return
	}
	if err := dispatch.Verify(s.cfg.Secret, r.Header.Get(dispatch.SignatureHeader), body, time.Now(), 5*time.Minute); err != nil {
		http.Error(w, "bad signature: "+err.Error(), http.StatusUnauthorized)
		return
	}
	if rand.Float64() < s.cfg.FailRate {
		http.Error(w, "simulated outage: the ERP is busy, try again", http.StatusServiceUnavailable)
		return
	}
	var m dispatch.Message
	if err := json.Unmarshal(body, &m); err != nil {
		http.Error(w, "not a message: "+err.Error(), http.StatusBadRequest)
		return
	}
	key := r.Header.Get("Idempotency-Key")
	if key == "" {
		key = m.ID
	}
	s.mu.Lock()
	dup := !s.seen.add(key)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if dup {
		io.WriteString(w, `{"status":"duplicate"}`)
		return
	}
	s.handle(m)
	io.WriteString(w, `{"status":"accepted"}`)
}

// maxSeen is how many message ids the simulator remembers. The OMS
// retries a message for hours at most (store.MaxOutboxAttempts with a
// doubling backoff), far fewer than this many messages later at demo
// rates, so a forgotten id is one no retry will bring again.
const maxSeen = 100_000

// recent is a set of the last n keys added: the oldest is forgotten when a
// new one comes, so memory stays bounded however long the simulator runs.
type recent struct {
	keys map[string]struct{}
	ring []string // insertion order, a circular buffer of len n
	next int      // where the next key goes in ring
}

func newRecent(n int) recent {
	return recent{keys: map[string]struct{}{}, ring: make([]string, n)}
}

// add records k and reports whether it was new.
func (r *recent) add(k string) bool {
	if _, ok := r.keys[k]; ok {
		return false
	}
	if old := r.ring[r.next]; old != "" {
		delete(r.keys, old)
	}
	r.ring[r.next] = k
	r.next = (r.next + 1) % len(r.ring)
	r.keys[k] = struct{}{}
	return true
}

func (r *recent) len() int { return len(r.keys) }

// handle schedules what the ERP, WMS or vendor does with a message.
func (s *Sim) handle(m dispatch.Message) {
	switch {
	case m.Topic == "group.released" && m.Order != nil && m.Group != nil:
		s.after(jitter(s.cfg.ShipDelay), func() { s.ship(m) })
	case m.Topic == "group.shipped" && m.Order != nil && m.Group != nil:
		s.after(jitter(s.cfg.InvoiceDelay), func() { s.invoice(m) })
	case m.Topic == "order.accepted" && m.Order != nil && len(m.Order.Backorders) > 0:
		s.after(jitter(s.cfg.ReceiptDelay/3), func() { s.order(m) })
	}
}

func (s *Sim) after(d time.Duration, fn func()) {
	s.jobs.Add(1)
	go func() {
		defer s.jobs.Done()
		select {
		case <-s.ctx.Done():
		case <-time.After(d):
			fn()
		}
	}()
}

func jitter(d time.Duration) time.Duration {
	return d/2 + time.Duration(rand.Int64N(int64(d)+1))
}

func (s *Sim) next() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	return s.seq
}

// ship confirms a released group, sometimes a unit or more short.
func (s *Sim) ship(m dispatch.Message) {
	carrier, tracking := trackingNumber(m.Order.ShipMethod)
	body := map[string]any{"message_id": "sim-ship-" + m.ID, "order": m.Order.Number, "group": m.Group.Seq,
		"carrier": carrier, "service": m.Order.ShipMethod, "tracking_number": tracking,
		"shipped_at": time.Now().UTC().Format(time.RFC3339)}
	if rand.Float64() < s.cfg.PartialRate {
		var lines []map[string]any
		short := false
		for _, l := range m.Group.Lines {
			q := l.Quantity
			if !short && q > 1 {
				q, short = q/2, true
			}
			lines = append(lines, map[string]any{"line_no": l.LineNo, "quantity": q})
		}
		if short {
			body["lines"] = lines
		}
	}
	s.post("/api/v1/inbound/shipments", body)
}

// invoice bills a shipped group at the order's prices.
func (s *Sim) invoice(m dispatch.Message) {
	price := map[int]int64{}
	for _, l := range m.Order.Lines {
		price[l.LineNo] = l.UnitPriceCents
	}
	var amount int64
	for _, l := range m.Group.Lines {
		amount += l.Quantity * price[l.LineNo]
	}
	s.post("/api/v1/inbound/invoices", map[string]any{"message_id": "sim-invoice-" + m.ID,
		"invoice_number": fmt.Sprintf("INV-%s-%d", m.Order.Number, m.Group.Seq), "order": m.Order.Number,
		"groups": []int{m.Group.Seq}, "amount_cents": amount, "invoiced_at": time.Now().UTC().Format(time.RFC3339)})
}

// order buys what an accepted order backordered: a purchase order to the
// item's first location, received a while later.
func (s *Sim) order(m dispatch.Message) {
	for _, b := range m.Order.Backorders {
		loc := s.locationOf(b.SKU)
		if loc == "" {
			continue
		}
		po := fmt.Sprintf("PO-SIM-%d-%d", time.Now().Unix()%100000, s.next())
		qty := b.Quantity * 3
		expected := time.Now().Add(s.cfg.ReceiptDelay).UTC().Format("2006-01-02")
		if !s.post("/api/v1/inbound/supply", map[string]any{"message_id": "sim-po-" + po, "rows": []map[string]any{
			{"po_number": po, "sku": b.SKU, "location": loc, "quantity": qty, "expected_date": expected}}}) {
			continue
		}
		s.after(jitter(s.cfg.ReceiptDelay), func() {
			s.post("/api/v1/inbound/inventory-deltas", map[string]any{"message_id": "sim-receipt-" + po, "rows": []map[string]any{
				{"sku": b.SKU, "location": loc, "quantity": qty, "kind": "receipt", "po_number": po,
					"occurred_at": time.Now().UTC().Format(time.RFC3339)}}})
		})
	}
}

// locationOf asks the OMS where an item is stocked and picks the first.
func (s *Sim) locationOf(sku string) string {
	req, _ := http.NewRequestWithContext(s.ctx, http.MethodGet, s.cfg.OMS+"/api/v1/items/"+url.PathEscape(sku), nil)
	req.Header.Set("Authorization", "Bearer "+s.cfg.Token)
	resp, err := s.client.Do(req)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	var item struct {
		Availability []struct {
			Location string `json:"location"`
		} `json:"availability"`
	}
	if json.NewDecoder(resp.Body).Decode(&item) != nil || len(item.Availability) == 0 {
		return ""
	}
	return item.Availability[0].Location
}

// post sends one message to the OMS, retrying (with the same message id)
// while it is unreachable or answers 5xx. It reports whether it was taken.
func (s *Sim) post(path string, body any) bool {
	b, _ := json.Marshal(body)
	wait := time.Second
	for try := 1; try <= 12; try++ {
		req, _ := http.NewRequestWithContext(s.ctx, http.MethodPost, s.cfg.OMS+path, bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+s.cfg.Token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := s.client.Do(req)
		if err == nil {
			reply, _ := io.ReadAll(io.LimitReader(resp.Body, 2000))
			resp.Body.Close()
			switch {
			case resp.StatusCode < 300:
				return true
			case resp.StatusCode < 500:
				s.cfg.Logger.Info("erpsim: the OMS refused a message", "path", path, "status", resp.StatusCode, "reply", string(reply))
				return false
			}
		}
		select {
		case <-s.ctx.Done():
			return false
		case <-time.After(wait):
		}
		wait = min(wait*2, time.Minute)
	}
	s.cfg.Logger.Warn("erpsim: gave up sending", "path", path)
	return false
}

// trackingNumber makes a carrier and a tracking number of the carrier's
// shape for a ship method.
func trackingNumber(method string) (carrier, number string) {
	digits := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('0' + rand.IntN(10))
		}
		return string(b)
	}
	switch method {
	case "LTL":
		return "LTL", digits(10)
	case "2DAY", "NEXTDAY":
		return "FedEx", digits(12)
	}
	if rand.IntN(4) == 0 {
		return "USPS", "9400" + digits(18)
	}
	const alnum = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
	b := []byte("1Z")
	for range 16 {
		b = append(b, alnum[rand.IntN(len(alnum))])
	}
	return "UPS", string(b)
}
