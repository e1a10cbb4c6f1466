package handlers_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oms/oms/inbox"
	"github.com/oms/oms/internal/testapp"
	"github.com/oms/oms/store"
	"github.com/oms/oms/web"
)

// TestIntegrationsFileInbox drops files in an inbox folder, lets the
// watcher take them and reads the File inbox listing.
func TestIntegrationsFileInbox(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "inbox")
	a := testapp.New(t, web.Config{InboxDir: dir}, seedCatalogue)
	now := time.Now()
	w := &inbox.Watcher{DB: a.DB, Dir: dir, Now: func() time.Time { return now }}
	if err := w.Setup(); err != nil {
		t.Fatal(err)
	}
	for rel, content := range map[string]string{
		"items/items-1.csv":  "sku,description,list_price_cents\nNEW-1,Washer M8,125\n",
		"supply-bad.csv":     "po_number,sku,location,quantity,expected_date\nPO-1,NOPE,DAL,5,2027-01-02\nPO-1,SKU-1,XXX,0,soon\n",
		"price-lists/p1.csv": "price_level,sku,unit_price_cents\nWHOLESALE,SKU-1,990\n",
	} {
		p := filepath.Join(dir, rel)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		old := now.Add(-time.Minute)
		os.Chtimes(p, old, old)
	}
	for range 2 {
		if err := w.Poll(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.DB.RecordOutboundDocument(t.Context(), store.OutboundDocument{Document: "997", Sender: "OMS", Receiver: "BIGBOX",
		Control: "000000042", FileName: "997_000000042.x12", Raw: "ISA*00*...~", Summary: "997 for 000000007"}); err != nil {
		t.Fatal(err)
	}
	c := a.Client(t)
	c.SignIn("ops@demo.test")
	resp, body := c.Get("/integrations")
	doc := testapp.Doc(t, body)
	rows := doc.Find(`[data-testid="inbox-file"]`)
	if resp.StatusCode != 200 || rows.Length() != 3 {
		t.Fatalf("%d, %d rows: %s", resp.StatusCode, rows.Length(), body)
	}
	text := doc.Find(`[data-testid="file-inbox"]`).Text()
	for _, want := range []string{"items/items-1.csv", "supply-bad.csv", "failed", "processed", "1 of 1", "0 of 2",
		`row 2, sku: no item with SKU "NOPE"`, `row 3, location: no location "XXX"`, "row 3, expected_date", dir} {
		if !strings.Contains(text, want) {
			t.Errorf("no %q in the File inbox listing:\n%s", want, text)
		}
	}
	if out := doc.Find(`[data-testid="outbox-files"]`).Text(); !strings.Contains(out, "997_000000042.x12") {
		t.Errorf("File outbox: %q", out)
	}
}
