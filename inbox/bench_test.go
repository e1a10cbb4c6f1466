package inbox_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oms/oms/inbox"
	"github.com/oms/oms/store"
)

// BenchmarkSnapshotFile100k drops a 100,000-row inventory snapshot file
// (3.4 MB) and times the watcher from the poll that takes it to the file
// being in processed/: reading, applying and moving it.
func BenchmarkSnapshotFile100k(b *testing.B) {
	const rows = 100_000
	db, err := store.Open(filepath.Join(b.TempDir(), "oms.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	if err := db.Update(ctx, func(tx *sql.Tx) error {
		if _, err := tx.Exec(`INSERT INTO locations (code, name, type, serves, city, region, postal_code, latitude, longitude)
			VALUES ('DAL', 'Dallas DC', 'dc', 'both', 'Dallas', 'TX', '75201', 32.78, -96.80)`); err != nil {
			return err
		}
		_, err := tx.Exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
			INSERT INTO items (sku, description, list_price_cents, updated_at) SELECT printf('SKU-%06d', i), 'Item', 100, '2026-11-20T10:00:00.000Z' FROM n`, rows)
		return err
	}); err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	w := &inbox.Watcher{DB: db, Dir: filepath.Join(b.TempDir(), "inbox"), Now: func() time.Time { return now }}
	if err := w.Setup(); err != nil {
		b.Fatal(err)
	}
	n := 0
	for b.Loop() {
		b.StopTimer()
		n++
		asOf := now.Add(-time.Hour + time.Duration(n)*time.Second).UTC().Format(time.RFC3339)
		var sb strings.Builder
		sb.WriteString("location,as_of,sku,on_hand\n")
		for i := 1; i <= rows; i++ {
			fmt.Fprintf(&sb, "DAL,%s,SKU-%06d,%d\n", asOf, i, i%500)
		}
		p := filepath.Join(w.Dir, "inventory-snapshots", fmt.Sprintf("count-%d.csv", n))
		if err := os.WriteFile(p, []byte(sb.String()), 0o644); err != nil {
			b.Fatal(err)
		}
		old := now.Add(-time.Minute)
		os.Chtimes(p, old, old)
		if err := w.Poll(ctx); err != nil { // sees it
			b.Fatal(err)
		}
		b.StartTimer()
		if err := w.Poll(ctx); err != nil { // takes it
			b.Fatal(err)
		}
		b.StopTimer()
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			b.Fatal("file not taken")
		}
		b.StartTimer()
	}
	files, _ := db.RecentInboxFiles(ctx, 1)
	if len(files) == 0 || files[0].Result != store.InboxProcessed || files[0].Applied != rows {
		b.Fatalf("%+v", files)
	}
}
