package live

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oms/oms/store"
)

// fakeStore is a Source whose events are order numbers, event i+1 being
// orders[i].
type fakeStore struct {
	mu     sync.Mutex
	orders []string
	exc    int64
	rev    int64
}

func (f *fakeStore) change(order string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.orders = append(f.orders, order)
}

func (f *fakeStore) raise() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.exc++
	f.rev++
}

func (f *fakeStore) ChangeMark(context.Context) (store.ChangeMark, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return store.ChangeMark{Event: int64(len(f.orders)), Exception: f.exc, ExceptionRevision: f.rev}, nil
}

func (f *fakeStore) OrdersChangedBetween(_ context.Context, after, upTo int64, limit int) ([]string, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if upTo-after > int64(limit) {
		return nil, false, nil
	}
	var out []string
	for _, n := range f.orders[after:upTo] {
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out, true, nil
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestChanges(t *testing.T) {
	src := &fakeStore{orders: []string{"SO-1", "SO-2", "SO-1", "bad name", "SO-3"}}
	ctx := context.Background()
	tests := []struct {
		name     string
		from, to store.ChangeMark
		max      int
		want     []string
	}{
		{"OrdersOnceEach", store.ChangeMark{}, store.ChangeMark{Event: 4}, 10, []string{"order-SO-1", "order-SO-2", "dashboard"}},
		{"UnsafeNameLeftOut", store.ChangeMark{Event: 3}, store.ChangeMark{Event: 5}, 10, []string{"order-SO-3", "dashboard"}},
		{"TooManyRefresh", store.ChangeMark{}, store.ChangeMark{Event: 5}, 2, []string{"refresh"}},
		{"ExceptionRaised", store.ChangeMark{Event: 5}, store.ChangeMark{Event: 5, Exception: 1, ExceptionRevision: 1}, 10,
			[]string{"exception-new", "dashboard", "exceptions"}},
		{"ExceptionClaimed", store.ChangeMark{Event: 5, Exception: 1, ExceptionRevision: 1}, store.ChangeMark{Event: 5, Exception: 1, ExceptionRevision: 2}, 10,
			[]string{"dashboard", "exceptions"}},
		{"MarkFromAnotherDatabase", store.ChangeMark{Event: 9}, store.ChangeMark{Event: 5}, 10, []string{"refresh"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Changes(ctx, src, tc.from, tc.to, tc.max)
			if err != nil || !slices.Equal(got, tc.want) {
				t.Fatalf("got %v %v, want %v", got, err, tc.want)
			}
		})
	}
}

func TestMarkRoundTrip(t *testing.T) {
	m := store.ChangeMark{Event: 45754, Exception: 565, ExceptionRevision: 602}
	got, err := ParseMark(FormatMark(m))
	if err != nil || got != m {
		t.Fatalf("%v %v", got, err)
	}
	for _, bad := range []string{"", "1.2", "1.2.x", "1.-2.3", "1.2.3.4"} {
		if _, err := ParseMark(bad); err == nil {
			t.Errorf("ParseMark(%q) took it", bad)
		}
	}
	enc := string(Encode(m, []string{"order-SO-1", "dashboard"}))
	want := "event: order-SO-1\ndata: 45754.565.602\n\nevent: dashboard\ndata: 45754.565.602\n\nid: 45754.565.602\nevent: mark\ndata: 45754.565.602\n\n"
	if enc != want {
		t.Fatalf("encoded %q", enc)
	}
}

// TestHubFanOut races writers, listeners that come and go, and listeners
// that read: each listener that stays sees every changed order, in order,
// each message bringing it further.
func TestHubFanOut(t *testing.T) {
	src := &fakeStore{}
	h := New(src, Config{Interval: time.Millisecond, BroadEvery: time.Millisecond, Buffer: 1000, Logger: quiet()})
	defer h.Close()
	ctx := context.Background()
	const listeners, changes = 8, 300
	subs := make([]*Subscription, listeners)
	for i := range subs {
		s, err := h.Subscribe(ctx)
		if err != nil {
			t.Fatal(err)
		}
		subs[i] = s
	}
	// Others come and go meanwhile.
	var churn sync.WaitGroup
	stopChurn := make(chan struct{})
	churn.Go(func() {
		for {
			select {
			case <-stopChurn:
				return
			default:
			}
			s, err := h.Subscribe(ctx)
			if err != nil {
				t.Error(err)
				return
			}
			h.Unsubscribe(s)
		}
	})
	var readers sync.WaitGroup
	got := make([][]string, listeners)
	for i, s := range subs {
		readers.Go(func() {
			var last int64 = -1
			for m := range s.C {
				// A broad event held back by BroadEvery goes out at the
				// mark it was held at when nothing changed since: the same
				// mark twice, never an older one.
				if m.Mark.Event < last {
					t.Errorf("listener %d: mark went back from %d to %d", i, last, m.Mark.Event)
				}
				last = m.Mark.Event
				for _, n := range m.Names {
					if strings.HasPrefix(n, "order-") {
						got[i] = append(got[i], n)
					}
				}
				if last == changes {
					return
				}
			}
			t.Errorf("listener %d: dropped at mark %d", i, last)
		})
	}
	for i := range changes {
		src.change(fmt.Sprintf("SO-%d", i+1))
		if i%50 == 0 {
			time.Sleep(2 * time.Millisecond)
		}
	}
	wait(t, &readers)
	close(stopChurn)
	churn.Wait()
	for i := range subs {
		if len(got[i]) != changes {
			t.Fatalf("listener %d saw %d of %d orders", i, len(got[i]), changes)
		}
		for j, n := range got[i] {
			if n != fmt.Sprintf("order-SO-%d", j+1) {
				t.Fatalf("listener %d: change %d is %s", i, j, n)
			}
		}
	}
}

// TestHubDropsSlowListener: a listener that does not read is dropped once
// its queue is full, while the others go on getting every message.
func TestHubDropsSlowListener(t *testing.T) {
	src := &fakeStore{}
	h := New(src, Config{Interval: time.Millisecond, Buffer: 2, Logger: quiet()})
	defer h.Close()
	ctx := context.Background()
	slow, err := h.Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fast, err := h.Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var readers sync.WaitGroup
	seen := 0
	readers.Go(func() {
		for m := range fast.C {
			if slices.Contains(m.Names, "order-SO-20") {
				return
			}
			seen++
		}
		t.Error("the fast listener was dropped")
	})
	for i := range 20 {
		src.change(fmt.Sprintf("SO-%d", i+1))
		time.Sleep(3 * time.Millisecond)
	}
	wait(t, &readers)
	// The slow listener's queue holds what it had room for, then ends.
	n := 0
	for range slow.C {
		n++
	}
	if n > 2 {
		t.Fatalf("the slow listener got %d messages queued, more than its buffer of 2", n)
	}
	if h.Streams() != 1 {
		t.Fatalf("%d listeners, want the fast one only", h.Streams())
	}
}

// TestHubLimitsAndClose: no more than MaxStreams listeners; Close ends
// every subscription and refuses new ones.
func TestHubLimitsAndClose(t *testing.T) {
	h := New(&fakeStore{}, Config{Interval: time.Millisecond, MaxStreams: 3, Logger: quiet()})
	ctx := context.Background()
	var subs []*Subscription
	for range 3 {
		s, err := h.Subscribe(ctx)
		if err != nil {
			t.Fatal(err)
		}
		subs = append(subs, s)
	}
	if _, err := h.Subscribe(ctx); !errors.Is(err, ErrFull) {
		t.Fatalf("fourth listener: %v, want ErrFull", err)
	}
	h.Unsubscribe(subs[0])
	h.Unsubscribe(subs[0]) // twice is harmless
	s, err := h.Subscribe(ctx)
	if err != nil {
		t.Fatalf("after one left: %v", err)
	}
	subs[0] = s
	h.Close()
	for i, s := range subs {
		if _, ok := <-s.C; ok {
			t.Fatalf("listener %d still open after Close", i)
		}
	}
	if _, err := h.Subscribe(ctx); !errors.Is(err, ErrClosed) {
		t.Fatalf("after Close: %v, want ErrClosed", err)
	}
}

// TestHubBroadEventsCoalesced: a burst of changes sends the dashboard
// event at most once per BroadEvery, and the last change of the burst is
// never held back for good.
func TestHubBroadEventsCoalesced(t *testing.T) {
	src := &fakeStore{}
	h := New(src, Config{Interval: time.Millisecond, BroadEvery: time.Hour, Logger: quiet()})
	defer h.Close()
	s, err := h.Subscribe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	dashboards := 0
	for i := range 10 {
		src.change(fmt.Sprintf("SO-%d", i+1))
		m := <-s.C
		for _, n := range m.Names {
			if n == EventDashboard {
				dashboards++
			}
		}
	}
	if dashboards != 1 {
		t.Fatalf("%d dashboard events in an hour's burst, want 1", dashboards)
	}
}

// TestHubHeldEventNotLostOnReconnect: while a broad event is held back,
// the id a browser keeps is the mark before the change that raised it, so
// that one reconnecting before the held event goes out hears of it in its
// catch-up; once it has gone out, the id is the mark again.
func TestHubHeldEventNotLostOnReconnect(t *testing.T) {
	src := &fakeStore{}
	h := New(src, Config{Interval: time.Millisecond, BroadEvery: 300 * time.Millisecond, Logger: quiet()})
	defer h.Close()
	s, err := h.Subscribe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	src.change("SO-1")
	if m := <-s.C; !slices.Contains(m.Names, EventDashboard) || m.ID != m.Mark {
		t.Fatalf("first change: %v, id %v at mark %v", m.Names, m.ID, m.Mark)
	}
	src.change("SO-2")
	m := <-s.C
	if slices.Contains(m.Names, EventDashboard) || m.ID.Event != 1 || m.Mark.Event != 2 || !strings.Contains(string(m.Data), "id: 1.0.0\n") {
		t.Fatalf("second change, dashboard held: %v, id %v at mark %v\n%s", m.Names, m.ID, m.Mark, m.Data)
	}
	// A browser reconnecting now, with that id, is told of the dashboard.
	names, err := Changes(context.Background(), src, m.ID, m.Mark, 100)
	if err != nil || !slices.Contains(names, EventDashboard) || !slices.Contains(names, OrderEvent("SO-2")) {
		t.Fatalf("catch-up from the held id: %v %v", names, err)
	}
	// The held event goes out on its own, with the mark as its id.
	m = <-s.C
	if !slices.Equal(m.Names, []string{EventDashboard}) || m.ID != m.Mark || m.Mark.Event != 2 {
		t.Fatalf("held event: %v, id %v at mark %v", m.Names, m.ID, m.Mark)
	}
}

// wait waits for wg, failing the test after 10 seconds.
func wait(t *testing.T, wg *sync.WaitGroup) {
	t.Helper()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("listeners did not get every change within 10 s")
	}
}
