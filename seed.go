package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/oms/oms/demo"
	"github.com/oms/oms/store"
)

// seedIfEmpty fills an empty database with the default demo data set and
// the demo sourcing rules; a database with data only gets the demo rules
// if it has no rules at all.
func seedIfEmpty(ctx context.Context, db *store.DB, log *slog.Logger) error {
	empty, err := db.IsEmpty(ctx)
	if err != nil {
		return err
	}
	if !empty {
		return db.EnsureDemoRules(ctx, "demo")
	}
	log.Info("seeding demo data", "orders", demo.DefaultOrders)
	sum, err := seedDemo(ctx, db, demo.Config{Seed: demo.DefaultSeed, Orders: demo.DefaultOrders}, nil)
	if err != nil {
		return err
	}
	log.Info("demo data ready", "orders", sum.Orders, "lines", sum.Lines, "items", sum.Items, "customers", sum.Customers,
		"seconds", fmt.Sprintf("%.1f", sum.Duration.Seconds()))
	return nil
}

// seedDemo seeds the data set, then sources the orders that wait for stock
// with the active rules, so that each has a real plan and trace.
func seedDemo(ctx context.Context, db *store.DB, cfg demo.Config, progress func(int)) (store.SeedSummary, error) {
	start := time.Now()
	sum, err := db.Seed(ctx, cfg, progress)
	if err != nil {
		return sum, err
	}
	if err := db.EnsureDemoRules(ctx, "demo"); err != nil {
		return sum, err
	}
	if err := db.ExplainDemoPlans(ctx); err != nil {
		return sum, fmt.Errorf("demo plans: %w", err)
	}
	sum.Duration = time.Since(start)
	return sum, nil
}

// seed is `oms seed`: demo data into an empty database, for trying the OMS
// or for benchmarks (--orders 1000000).
func seed(args []string, log *slog.Logger) error {
	fs := flag.NewFlagSet("seed", flag.ExitOnError)
	dbPath := fs.String("db", env("OMS_DB", "data/oms.db"), "database file (OMS_DB)")
	orders := fs.Int("orders", demo.DefaultOrders, "number of orders to generate")
	seedN := fs.Int64("seed", demo.DefaultSeed, "random seed; the same seed gives the same data")
	fs.Parse(args)
	if *orders < 1 {
		return fmt.Errorf("--orders must be at least 1")
	}
	db, err := openStore(*dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx := context.Background()
	last := time.Now()
	sum, err := seedDemo(ctx, db, demo.Config{Seed: *seedN, Orders: *orders}, func(n int) {
		if time.Since(last) > 5*time.Second || n == *orders {
			fmt.Fprintf(os.Stderr, "  %d of %d orders\n", n, *orders)
			last = time.Now()
		}
	})
	if err != nil {
		return err
	}
	fmt.Printf("seeded %s: %d locations, %d items, %d customers, %d orders, %d lines, %d shipments in %.1f s\n",
		*dbPath, sum.Locations, sum.Items, sum.Customers, sum.Orders, sum.Lines, sum.Groups, sum.Duration.Seconds())
	return nil
}
