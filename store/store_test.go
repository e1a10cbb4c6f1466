package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/oms/oms/store"
)

// newDB opens and migrates a database file in a temporary folder.
func newDB(tb testing.TB) *store.DB {
	tb.Helper()
	db, err := store.Open(filepath.Join(tb.TempDir(), "oms.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return db
}

func TestMigrate(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		db := newDB(t)
		if err := db.Ping(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("Idempotent", func(t *testing.T) {
		db := newDB(t)
		applied, err := db.Migrate(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(applied) != 0 {
			t.Fatalf("second run applied %v", applied)
		}
	})
}
