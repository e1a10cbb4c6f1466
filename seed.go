package main

import (
	"context"
	"log/slog"

	"github.com/oms/oms/store"
)

func seedIfEmpty(ctx context.Context, db *store.DB, log *slog.Logger) error { return nil }

func seed(args []string, log *slog.Logger) error { return nil }
