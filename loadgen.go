package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/oms/oms/loadgen"
)

// runLoadgen is `oms loadgen`: it drives a running OMS over HTTP from this
// separate process and prints throughput, latency percentiles and the load
// average. It is part of the oms binary so that `make build` builds it and
// it shares the server's flag and environment conventions.
func runLoadgen(args []string) error {
	fs := flag.NewFlagSet("loadgen", flag.ExitOnError)
	mode := fs.String("mode", "intake", "intake: post orders to the JSON API; search: the search box and the order page; signin: a burst of wrong passwords at once")
	addr := fs.String("addr", env("OMS_ADDR", "localhost:8080"), "the server: host:port or URL (OMS_ADDR)")
	token := fs.String("token", os.Getenv("OMS_TOKEN"), "API token with the sales, ops or admin role, for intake (OMS_TOKEN)")
	email := fs.String("email", "csr@demo.test", "person to sign in as, for search; the account a sign-in burst tries (\"\": accounts that do not exist)")
	spread := fs.Bool("spread", false, "signin: each attempt from its own X-Forwarded-For address (the server must trust this process as a proxy, OMS_TRUSTED_PROXIES)")
	password := fs.String("password", os.Getenv("OMS_PASSWORD"), "their password, for search (OMS_PASSWORD)")
	clients := fs.Int("clients", 0, "concurrent clients (default 16 for intake, 4 for search, 200 attempts for signin)")
	duration := fs.Duration("duration", 30*time.Second, "how long to run")
	requests := fs.Int("requests", 0, "requests per client instead of --duration (0: run for --duration)")
	lines := fs.Int("lines", 5, "lines per order, for intake")
	samples := fs.Int("samples", 200, "orders whose keys search uses")
	seed := fs.Uint64("seed", 1, "random seed for the choice of customers, items and keys")
	fs.Parse(args)
	cfg := loadgen.Config{Addr: *addr, Token: *token, Email: *email, Password: *password, Clients: *clients,
		Duration: *duration, Requests: *requests, Lines: *lines, Seed: *seed}
	if *duration <= 0 || *lines < 1 || *clients < 0 || *samples < 1 || *requests < 0 {
		return fmt.Errorf("--duration, --lines and --samples must be positive, --clients and --requests at least 0")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	switch *mode {
	case "intake":
		if cfg.Token == "" {
			return fmt.Errorf("intake needs an API token (--token or OMS_TOKEN; demo mode prints demo-token)")
		}
		if cfg.Clients == 0 {
			cfg.Clients = 16
		}
		rep, err := loadgen.Intake(ctx, cfg)
		if err != nil {
			return err
		}
		rep.Print(os.Stdout)
	case "search":
		if cfg.Clients == 0 {
			cfg.Clients = 4
		}
		rep, err := loadgen.Search(ctx, cfg, *samples)
		if err != nil {
			return err
		}
		rep.Print(os.Stdout)
	case "signin":
		if cfg.Clients == 0 {
			cfg.Clients = 200
		}
		rep, err := loadgen.SignInBurst(ctx, cfg, *spread)
		if err != nil {
			return err
		}
		rep.Print(os.Stdout)
	default:
		return fmt.Errorf("--mode is intake, search or signin, not %q", *mode)
	}
	return nil
}
