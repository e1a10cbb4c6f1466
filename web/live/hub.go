// Package live is the live-update hub: it learns of committed changes by
// polling the store and tells the browsers that are listening, as small
// named server-sent events, what changed. The browsers then fetch the
// parts of their pages that show it; no HTML goes through the stream.
//
// Event names:
//
//	order-SO-100123   that order changed (any event on its timeline)
//	dashboard         orders or exceptions changed (home page counts)
//	exceptions        an exception was raised, claimed, assigned or resolved
//	exception-new     an exception was raised (the operations alert)
//	refresh           more changed than the hub lists one by one: refresh all
//	mark              ends each message; its id is how far the browser is
//
// Polling the database, rather than a hook in the store, sees every
// writer: the web app, the API, the simulator, a CSV import, another
// process on the same database.
package live

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/oms/oms/store"
)

// Names of the events that are not about one order.
const (
	EventDashboard    = "dashboard"
	EventExceptions   = "exceptions"
	EventExceptionNew = "exception-new"
	EventRefresh      = "refresh"
	// EventMark ends every message; its id is the mark the browser has
	// caught up to.
	EventMark = "mark"
)

// OrderEvent is the name of the event that says the order changed.
func OrderEvent(number string) string { return "order-" + number }

// Source is what the hub reads from the store.
type Source interface {
	ChangeMark(ctx context.Context) (store.ChangeMark, error)
	OrdersChangedBetween(ctx context.Context, after, upTo int64, limit int) ([]string, bool, error)
}

// Errors of Subscribe.
var (
	ErrClosed = errors.New("live updates are shutting down")
	ErrFull   = errors.New("too many live update streams")
)

// Config tunes a hub; zero fields take the defaults.
type Config struct {
	Interval   time.Duration // how often the store is polled (300 ms)
	BroadEvery time.Duration // the broad events (dashboard, exceptions) at most this often (2 s)
	MaxStreams int           // subscribers at once (500)
	Buffer     int           // messages queued per subscriber before it is dropped (16)
	MaxOrders  int           // events per poll listed order by order; more send refresh (2,000)
	Logger     *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.Interval <= 0 {
		c.Interval = 300 * time.Millisecond
	}
	if c.BroadEvery <= 0 {
		c.BroadEvery = 2 * time.Second
	}
	if c.MaxStreams <= 0 {
		c.MaxStreams = 500
	}
	if c.Buffer <= 0 {
		c.Buffer = 16
	}
	if c.MaxOrders <= 0 {
		c.MaxOrders = 2000
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// Message is what one poll found, encoded once as server-sent events for
// every subscriber. Mark is what the hub has read up to. ID, the id the
// browser keeps and sends back when it reconnects, is Mark too, except
// while a broad event is held back (BroadEvery): then it is the mark from
// before the change that raised it, so that a browser reconnecting before
// the held event goes out catches up on it rather than losing it.
type Message struct {
	Mark  store.ChangeMark
	ID    store.ChangeMark
	Names []string
	Data  []byte // the encoded events, ending with the id
}

// Subscription is one listener. C delivers messages in order and is
// closed when the hub drops the listener (too slow), or shuts down.
type Subscription struct {
	C <-chan *Message
	// Since is the mark the first message on C starts from: a listener
	// that knew an older mark catches up from it to Since itself.
	Since store.ChangeMark

	c chan *Message
}

// Hub polls the store while anyone listens and fans out what changed.
type Hub struct {
	src Source
	cfg Config

	mu        sync.Mutex
	subs      map[*Subscription]struct{}
	mark      store.ChangeMark
	running   bool
	closed    bool
	lastBroad map[string]time.Time
	pending   map[string]bool  // broad events held back by BroadEvery
	heldFrom  store.ChangeMark // with pending: the mark before the first change held
	stopped   chan struct{}    // closed when the poller returns
}

// New makes a hub over src; it polls only while someone listens.
func New(src Source, cfg Config) *Hub {
	return &Hub{src: src, cfg: cfg.withDefaults(), subs: map[*Subscription]struct{}{},
		lastBroad: map[string]time.Time{}, pending: map[string]bool{}}
}

// Subscribe adds a listener. The first listener starts the poller, which
// then reads the mark the listener starts from. Returns ErrClosed after
// Close and ErrFull at MaxStreams.
func (h *Hub) Subscribe(ctx context.Context) (*Subscription, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, ErrClosed
	}
	if len(h.subs) >= h.cfg.MaxStreams {
		return nil, ErrFull
	}
	if !h.running {
		m, err := h.src.ChangeMark(ctx)
		if err != nil {
			return nil, err
		}
		h.mark, h.running, h.stopped = m, true, make(chan struct{})
		go h.poll(h.stopped)
	}
	c := make(chan *Message, h.cfg.Buffer)
	s := &Subscription{C: c, c: c, Since: h.mark}
	h.subs[s] = struct{}{}
	return s, nil
}

// Unsubscribe removes a listener; its channel is closed.
func (h *Hub) Unsubscribe(s *Subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.drop(s)
}

func (h *Hub) drop(s *Subscription) {
	if _, ok := h.subs[s]; ok {
		delete(h.subs, s)
		close(s.c)
	}
}

// Streams is how many listeners there are.
func (h *Hub) Streams() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

// Close ends every subscription (so that open streams end and a graceful
// shutdown is not held up by them), refuses new ones, and waits for the
// poller to return.
func (h *Hub) Close() {
	h.mu.Lock()
	h.closed = true
	for s := range h.subs {
		h.drop(s)
	}
	stopped := h.stopped
	h.mu.Unlock()
	if stopped != nil {
		<-stopped
	}
}

// poll reads the store every Interval until nobody listens or the hub
// closes.
func (h *Hub) poll(stopped chan struct{}) {
	defer close(stopped)
	t := time.NewTicker(h.cfg.Interval)
	defer t.Stop()
	for range t.C {
		h.mu.Lock()
		if h.closed || len(h.subs) == 0 {
			h.running = false
			h.mu.Unlock()
			return
		}
		from := h.mark
		h.mu.Unlock()
		if err := h.tick(from); err != nil {
			h.cfg.Logger.Warn("live updates: poll", "err", err)
		}
	}
}

// tick reads what changed since from and sends it to every listener.
func (h *Hub) tick(from store.ChangeMark) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	to, err := h.src.ChangeMark(ctx)
	if err != nil {
		return err
	}
	var names []string
	if to != from {
		if names, err = Changes(ctx, h.src, from, to, h.cfg.MaxOrders); err != nil {
			return err
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	now := time.Now()
	var out []string
	for _, n := range names {
		if n == EventDashboard || n == EventExceptions {
			if len(h.pending) == 0 {
				h.heldFrom = from
			}
			h.pending[n] = true
			continue
		}
		out = append(out, n)
	}
	for _, n := range []string{EventDashboard, EventExceptions} {
		if h.pending[n] && now.Sub(h.lastBroad[n]) >= h.cfg.BroadEvery {
			out = append(out, n)
			delete(h.pending, n)
			h.lastBroad[n] = now
		}
	}
	h.mark = to
	if len(out) == 0 {
		return nil
	}
	id := to
	if len(h.pending) > 0 {
		id = h.heldFrom
	}
	h.fanOut(&Message{Mark: to, ID: id, Names: out, Data: Encode(id, out)})
	return nil
}

// fanOut queues m for every listener; one whose queue is full is dropped
// (its stream ends and the browser reconnects and catches up), so a slow
// listener never holds up the others. h.mu is held.
func (h *Hub) fanOut(m *Message) {
	for s := range h.subs {
		select {
		case s.c <- m:
		default:
			h.drop(s)
		}
	}
}

// Changes names the events that tell a listener at mark from what changed
// up to mark to: the changed orders (or refresh when there are more than
// maxOrders events between), dashboard, exceptions and exception-new.
func Changes(ctx context.Context, src Source, from, to store.ChangeMark, maxOrders int) ([]string, error) {
	if from.Event > to.Event || from.Exception > to.Exception || from.ExceptionRevision > to.ExceptionRevision {
		// A mark from another database (or one restored from a backup):
		// nothing can be said about what changed.
		return []string{EventRefresh}, nil
	}
	var names []string
	if to.Event > from.Event {
		orders, complete, err := src.OrdersChangedBetween(ctx, from.Event, to.Event, maxOrders)
		if err != nil {
			return nil, err
		}
		if !complete {
			return []string{EventRefresh}, nil
		}
		for _, n := range orders {
			if validName(n) {
				names = append(names, OrderEvent(n))
			}
		}
		names = append(names, EventDashboard)
	}
	if to.Exception > from.Exception {
		names = append(names, EventExceptionNew)
	}
	if to.ExceptionRevision > from.ExceptionRevision {
		if to.Event == from.Event {
			names = append(names, EventDashboard)
		}
		names = append(names, EventExceptions)
	}
	return names, nil
}

// validName keeps order numbers that are safe as an event name and in an
// htmx trigger: letters, digits, '-', '_' and '.'.
func validName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// Encode writes names as server-sent events, one per name, and then a
// mark event carrying the mark as its id: a browser that reconnects sends
// the id back (Last-Event-ID) only once it has seen every event before it.
func Encode(mark store.ChangeMark, names []string) []byte {
	var b strings.Builder
	id := FormatMark(mark)
	for _, n := range names {
		b.WriteString("event: " + n + "\ndata: " + id + "\n\n")
	}
	b.WriteString("id: " + id + "\nevent: " + EventMark + "\ndata: " + id + "\n\n")
	return []byte(b.String())
}

// FormatMark writes a mark as "event.exception.revision".
func FormatMark(m store.ChangeMark) string {
	return strconv.FormatInt(m.Event, 10) + "." + strconv.FormatInt(m.Exception, 10) + "." + strconv.FormatInt(m.ExceptionRevision, 10)
}

// ParseMark reads FormatMark's form.
func ParseMark(s string) (store.ChangeMark, error) {
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return store.ChangeMark{}, fmt.Errorf("mark %q is not event.exception.revision", s)
	}
	var v [3]int64
	for i, p := range parts {
		n, err := strconv.ParseInt(p, 10, 64)
		if err != nil || n < 0 {
			return store.ChangeMark{}, fmt.Errorf("mark %q is not event.exception.revision", s)
		}
		v[i] = n
	}
	return store.ChangeMark{Event: v[0], Exception: v[1], ExceptionRevision: v[2]}, nil
}
