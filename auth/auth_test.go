package auth

import (
	"context"
	"testing"
	"time"
)

func TestPassword(t *testing.T) {
	h, err := HashPassword("demo1234")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		encoded  string
		password string
		ok       bool
		wantErr  bool
	}{
		{"OK", h, "demo1234", true, false},
		{"WrongPassword", h, "demo12345", false, false},
		{"Empty", h, "", false, false},
		{"ErrMalformed", "$bcrypt$xyz", "demo1234", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := CheckPassword(tt.encoded, tt.password)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v", err)
			}
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
		})
	}
	t.Run("SaltDiffers", func(t *testing.T) {
		h2, _ := HashPassword("demo1234")
		if h2 == h {
			t.Fatal("two hashes of one password are equal")
		}
	})
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	l := SignInLimit{Window: 15 * time.Minute, PerAccount: 3}
	ago := func(m int) time.Time { return now.Add(-time.Duration(m) * time.Minute) }
	tests := []struct {
		name     string
		failures []time.Time
		want     time.Duration
	}{
		{"UnderLimit", []time.Time{ago(5), ago(1)}, 0},
		{"AtLimit", []time.Time{ago(10), ago(5), ago(1)}, 5 * time.Minute},
		{"OverLimit", []time.Time{ago(14), ago(10), ago(5), ago(1)}, 5 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := l.RetryAfter(now, tt.failures, l.PerAccount); got != tt.want {
				t.Fatalf("RetryAfter = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestHashGate(t *testing.T) {
	g := NewHashGate(2, 50*time.Millisecond)
	ctx := context.Background()
	leave1, ok1 := g.Enter(ctx)
	leave2, ok2 := g.Enter(ctx)
	if !ok1 || !ok2 {
		t.Fatal("the first two turns were refused")
	}
	start := time.Now()
	if _, ok := g.Enter(ctx); ok {
		t.Fatal("a third hash ran beside two")
	}
	if waited := time.Since(start); waited < 50*time.Millisecond {
		t.Fatalf("refused after %v, before the wait", waited)
	}
	go func() {
		time.Sleep(10 * time.Millisecond)
		leave1()
	}()
	leave3, ok := g.Enter(ctx)
	if !ok {
		t.Fatal("no turn after one ended")
	}
	leave2()
	leave3()
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	for range 2 {
		if _, ok := g.Enter(cancelled); !ok {
			t.Fatal("a free turn was refused")
		}
	}
	if _, ok := g.Enter(cancelled); ok {
		t.Fatal("a full gate let a cancelled attempt in")
	}
}
