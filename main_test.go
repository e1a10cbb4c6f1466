package main

import (
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseRetention(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     time.Duration
		wantErr  string
	}{
		{"OK", "168h", 7 * 24 * time.Hour, ""},
		{"OKDefaultSpelling", "168h0m0s", 7 * 24 * time.Hour, ""},
		{"ErrZero", "0", 0, "must be more than 0"},
		{"ErrNegative", "-24h", 0, "must be more than 0"},
		{"ErrDays", "7d", 0, "not a Go duration"},
		{"ErrEmpty", "", 0, "not a Go duration"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseRetention(tc.in)
			if tc.wantErr == "" {
				if err != nil || got != tc.want {
					t.Fatalf("got %s, err %v", got, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "OMS_IDEMPOTENCY_RETENTION") {
				t.Fatalf("got %s, err %v", got, err)
			}
		})
	}
}

// TestServeRefusesRetention checks the wiring of the flag and the variable.
// The listen address is invalid, so that serve returns at once whichever
// check stops it.
func TestServeRefusesRetention(t *testing.T) {
	for _, tc := range []struct {
		name, env string
		args      []string
		wantErr   string
	}{
		{"ErrEnvZero", "0", nil, "must be more than 0"},
		{"ErrFlagNegative", "", []string{"--idempotency-retention", "-1h"}, "must be more than 0"},
		{"ErrEnvNotADuration", "7d", nil, "not a Go duration"},
		{"FlagOverridesEnv", "0", []string{"--idempotency-retention", "72h"}, "invalid port"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("OMS_IDEMPOTENCY_RETENTION", tc.env)
			args := append([]string{"--addr", "localhost:-1", "--db", filepath.Join(t.TempDir(), "oms.db")}, tc.args...)
			err := serve(args, slog.New(slog.DiscardHandler))
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err %v, want %q", err, tc.wantErr)
			}
		})
	}
}

// TestServeRefusesSessionTimeouts: a session timeout that is not a
// positive Go duration stops the server at start, naming the variable.
func TestServeRefusesSessionTimeouts(t *testing.T) {
	for _, tc := range []struct {
		name, variable, value, wantErr string
	}{
		{"ErrIdleNotADuration", "OMS_SESSION_IDLE", "30", `OMS_SESSION_IDLE="30" is not a Go duration`},
		{"ErrIdleZero", "OMS_SESSION_IDLE", "0s", `OMS_SESSION_IDLE="0s" must be more than 0`},
		{"ErrMaxNegative", "OMS_SESSION_MAX", "-1h", `OMS_SESSION_MAX="-1h" must be more than 0`},
		{"OK", "OMS_SESSION_MAX", "8h", "invalid port"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(tc.variable, tc.value)
			err := serve([]string{"--addr", "localhost:-1", "--db", filepath.Join(t.TempDir(), "oms.db")}, slog.New(slog.DiscardHandler))
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err %v, want %q", err, tc.wantErr)
			}
		})
	}
}
