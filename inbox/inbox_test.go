package inbox_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oms/oms/inbox"
	"github.com/oms/oms/internal/entrytest"
	"github.com/oms/oms/store"
)

// clock is a test clock the watcher reads.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newWatcher(tb testing.TB) (*inbox.Watcher, *clock) {
	tb.Helper()
	db, err := store.Open(filepath.Join(tb.TempDir(), "oms.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		tb.Fatal(err)
	}
	entrytest.Seed(tb)(db)
	c := &clock{t: time.Now()}
	w := &inbox.Watcher{DB: db, Dir: filepath.Join(tb.TempDir(), "inbox"), Now: c.now, MaxSize: 4096}
	if err := w.Setup(); err != nil {
		tb.Fatal(err)
	}
	return w, c
}

// drop writes a file as a slow writer does: in place, its time in the past
// so that it has settled.
func drop(tb testing.TB, w *inbox.Watcher, rel, content string, c *clock) string {
	tb.Helper()
	p := filepath.Join(w.Dir, rel)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
	old := c.t.Add(-time.Minute)
	os.Chtimes(p, old, old)
	return p
}

// poll runs two polls: a file is taken when it is unchanged since the last.
func poll(tb testing.TB, w *inbox.Watcher, c *clock) {
	tb.Helper()
	for range 2 {
		if err := w.Poll(tb.Context()); err != nil {
			tb.Fatal(err)
		}
		c.t = c.t.Add(5 * time.Second)
	}
}

func listing(tb testing.TB, w *inbox.Watcher) []store.InboxFile {
	tb.Helper()
	files, err := w.DB.RecentInboxFiles(tb.Context(), 50)
	if err != nil {
		tb.Fatal(err)
	}
	return files
}

func value(tb testing.TB, db *store.DB, q string, args ...any) int64 {
	tb.Helper()
	var n int64
	if err := db.View(tb.Context(), func(tx *sql.Tx) error { return tx.QueryRow(q, args...).Scan(&n) }); err != nil {
		tb.Fatal(err)
	}
	return n
}

func TestWatcher(t *testing.T) {
	w, c := newWatcher(t)
	ctx := t.Context()
	items := "sku,description,list_price_cents,pack_qty\nNEW-1,Washer M8,125,100\n" + entrytest.SKUBolt + ",,,50\n"

	t.Run("HalfWrittenWaits", func(t *testing.T) {
		p := filepath.Join(w.Dir, "items", "items.csv")
		os.WriteFile(p, []byte("sku,description,list_price_cents\nNEW-1,Wash"), 0o644) // being written now
		if err := w.Poll(ctx); err != nil {
			t.Fatal(err)
		}
		c.t = c.t.Add(time.Second)
		os.WriteFile(p, []byte(items), 0o644) // grew since the last poll
		if err := w.Poll(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(p); err != nil || len(listing(t, w)) != 0 {
			t.Fatalf("a file still being written was taken: %v %v", err, listing(t, w))
		}
		// A .part file is never taken, however old.
		drop(t, w, "items/next.csv.part", items, c)
		c.t = c.t.Add(5 * time.Second)
		poll(t, w, c)
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Fatalf("complete file not taken: %v", err)
		}
		if _, err := os.Stat(filepath.Join(w.Dir, "items", "next.csv.part")); err != nil {
			t.Fatal("a .part file was taken")
		}
		os.Remove(filepath.Join(w.Dir, "items", "next.csv.part"))
		files := listing(t, w)
		if len(files) != 1 || files[0].Result != store.InboxProcessed || files[0].Applied != 2 || files[0].Rows != 2 || files[0].Kind != "items" {
			t.Fatalf("%+v", files)
		}
		if value(t, w.DB, `SELECT pack_qty FROM items WHERE sku = ?`, entrytest.SKUBolt) != 50 || value(t, w.DB, `SELECT count(*) FROM items WHERE sku = 'NEW-1'`) != 1 {
			t.Fatal("items not applied")
		}
		if _, err := os.Stat(filepath.Join(w.Dir, files[0].StoredAs)); err != nil {
			t.Fatalf("not kept in processed/: %v", err)
		}
	})
	t.Run("RedropAppliesOnce", func(t *testing.T) {
		// The ERP changes the bolt again, then the first file is dropped again.
		if _, err := w.DB.ApplyItems(ctx, store.ItemBatch{MessageID: "api-1", Rows: []store.ItemRecord{{SKU: entrytest.SKUBolt, PackQty: new(int64(25))}}}); err != nil {
			t.Fatal(err)
		}
		drop(t, w, "items/items.csv", items, c)
		poll(t, w, c)
		files := listing(t, w)
		if files[0].Result != store.InboxDuplicate || len(files) != 2 {
			t.Fatalf("%+v", files[0])
		}
		if got := value(t, w.DB, `SELECT pack_qty FROM items WHERE sku = ?`, entrytest.SKUBolt); got != 25 {
			t.Fatalf("the re-dropped file applied again: pack %d", got)
		}
	})
	t.Run("BadRowsFail", func(t *testing.T) {
		drop(t, w, "price-lists-2026-12-01.csv", "price_level,sku,unit_price_cents\nWHOLESALE,"+entrytest.SKUBolt+",999\nWHOLESALE,NOPE,5\nWHOLESALE,"+entrytest.SKUWire+",abc\n", c)
		poll(t, w, c)
		f := listing(t, w)[0]
		if f.Kind != "price-lists" || f.Result != store.InboxFailed || f.Applied != 0 {
			t.Fatalf("%+v", f)
		}
		got := strings.Join(f.Errors, "\n")
		if !strings.Contains(got, "row 4, unit_price_cents: \"abc\" is not a whole number") {
			t.Fatalf("errors %q", got)
		}
		report, err := os.ReadFile(filepath.Join(w.Dir, f.StoredAs) + ".errors.txt")
		if err != nil || !strings.Contains(string(report), "row 4, unit_price_cents") || !strings.HasPrefix(f.StoredAs, "failed/") {
			t.Fatalf("report %q %v (%s)", report, err, f.StoredAs)
		}
		if value(t, w.DB, `SELECT count(*) FROM price_list_entries p JOIN items i ON i.id = p.item_id WHERE i.sku = ? AND unit_price_cents = 999`, entrytest.SKUBolt) != 0 {
			t.Fatal("a failed file applied a row")
		}
		// Parsed fine but refused by the store: every bad row named.
		drop(t, w, "price-lists/prices.csv", "price_level,sku,unit_price_cents\nWHOLESALE,"+entrytest.SKUBolt+",999\nWHOLESALE,NOPE,5\n,"+entrytest.SKUWire+",-1\n", c)
		poll(t, w, c)
		f = listing(t, w)[0]
		got = strings.Join(f.Errors, "\n")
		for _, want := range []string{"row 3, sku: no item with SKU \"NOPE\"", "row 4, price_level: is required", "row 4, unit_price_cents: must not be negative"} {
			if !strings.Contains(got, want) {
				t.Errorf("no %q in %q", want, got)
			}
		}
	})
	t.Run("BadHeader", func(t *testing.T) {
		drop(t, w, "customers/c.csv", "account,colour\nC100,red\n", c)
		poll(t, w, c)
		f := listing(t, w)[0]
		if f.Result != store.InboxFailed || !strings.Contains(f.Errors[0], `unknown columns: "colour"`) {
			t.Fatalf("%+v", f)
		}
	})
	t.Run("TooBig", func(t *testing.T) {
		drop(t, w, "inventory-deltas/big.csv", "sku,location,quantity,kind\n"+strings.Repeat(entrytest.SKUBolt+",DAL,1,receipt\n", 300), c)
		poll(t, w, c)
		f := listing(t, w)[0]
		if f.Result != store.InboxFailed || !strings.Contains(f.Errors[0], "at most 4096 bytes") {
			t.Fatalf("%+v", f)
		}
	})
	t.Run("EveryKind", func(t *testing.T) {
		before := value(t, w.DB, `SELECT on_hand FROM inventory i JOIN items it ON it.id = i.item_id JOIN locations l ON l.id = i.location_id WHERE it.sku = ? AND l.code = 'DAL'`, entrytest.SKUBolt)
		asOf := c.t.Add(-time.Hour).UTC().Format(time.RFC3339)
		for rel, content := range map[string]string{
			"customers/c.csv":           "account,name,type,credit_status,credit_limit_cents,open_ar_cents\nC100,,,hold,,125000\nC900,Lakeside Hardware,b2b,ok,500000,0\n",
			"inventory-snapshots/s.csv": "location,as_of,sku,on_hand\nDAL," + asOf + "," + entrytest.SKUWire + ",77\n",
			"inventory-deltas/d.csv":    "sku,location,quantity,kind,reference\n" + entrytest.SKUBolt + ",DAL,5,adjustment,cycle count\n",
			"supply/po.csv":             "po_number,sku,location,quantity,expected_date\nPO-9001," + entrytest.SKUValve + ",DAL,40,2027-01-15\n",
			"shipments/none.csv":        "order,group,carrier,tracking_number\nSO-NOPE,1,UPS,1Z1\n",
			"invoices/none.csv":         "invoice_number,order,amount_cents\nINV-1,SO-NOPE,100\n",
		} {
			drop(t, w, rel, content, c)
		}
		poll(t, w, c)
		byKind := map[string]store.InboxFile{}
		for _, f := range listing(t, w)[:6] {
			byKind[f.Kind] = f
		}
		for _, k := range []string{"customers", "inventory-snapshots", "inventory-deltas", "supply"} {
			if byKind[k].Result != store.InboxProcessed {
				t.Errorf("%s: %+v", k, byKind[k])
			}
		}
		for _, k := range []string{"shipments", "invoices"} {
			if f := byKind[k]; f.Result != store.InboxFailed || !strings.Contains(strings.Join(f.Errors, " "), "row 2") {
				t.Errorf("%s: %+v", k, f)
			}
		}
		if value(t, w.DB, `SELECT count(*) FROM customers WHERE account = 'C100' AND credit_status = 'hold' AND open_ar_cents = 125000`) != 1 {
			t.Error("customer not updated")
		}
		after := value(t, w.DB, `SELECT on_hand FROM inventory i JOIN items it ON it.id = i.item_id JOIN locations l ON l.id = i.location_id WHERE it.sku = ? AND l.code = 'DAL'`, entrytest.SKUBolt)
		if after != before+5 {
			t.Errorf("on hand %d, want %d", after, before+5)
		}
	})
	t.Run("Sweep", func(t *testing.T) {
		n := len(listing(t, w))
		c.t = c.t.Add(inbox.DefaultRetention + time.Hour)
		if err := w.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		if len(listing(t, w)) != 0 || n == 0 {
			t.Fatalf("%d files listed after the retention", len(listing(t, w)))
		}
		left, _ := filepath.Glob(filepath.Join(w.Dir, "*", "*", "*"))
		if len(left) != 0 {
			t.Fatalf("files left: %v", left)
		}
	})
}
