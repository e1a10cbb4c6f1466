package edi_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oms/oms/edi"
	"github.com/oms/oms/internal/fixtures"
	"github.com/oms/oms/store"
	"github.com/oms/oms/x12"
)

// world is a database with stock, a customer with cross-references and a
// trading partner, and the EDI service over a temporary folder.
type world struct {
	db      *store.DB
	svc     *edi.Service
	partner store.TradingPartner
	dir     string
}

func newWorld(tb testing.TB) *world {
	tb.Helper()
	db, err := store.Open(filepath.Join(tb.TempDir(), "oms.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	ctx := context.Background()
	if _, err := db.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	b := fixtures.New(tb, db)
	dal := b.Location(fixtures.Location{Code: "DAL", Name: "Dallas DC", City: "Dallas", Region: "TX", PostalCode: "75201"})
	cust := b.Customer(fixtures.Customer{Account: "C20001", Name: "Big Box Retail", CreditLimitCents: 1_000_000_000,
		ShipTos: []fixtures.ShipTo{
			{Code: "0042", Name: "Big Box Store 42", Line1: "1 Commerce Way", City: "Dallas", Region: "TX", PostalCode: "75201", Default: true},
		}})
	for _, it := range []struct {
		sku   string
		pack  int64
		price int64
		stock int64
		upc   string
		bp    string
	}{
		{"BOLT-10", 1, 125, 1000, "012345678905", "BB-100"},
		{"GLOVE-L", 12, 850, 24, "012345678912", "BB-200"},
		{"WRAP-18", 1, 2999, 0, "012345678929", ""},
	} {
		id := b.Item(fixtures.Item{SKU: it.sku, Description: it.sku + " description", PriceCents: it.price})
		if err := db.Update(ctx, func(tx *sql.Tx) error {
			if _, err := tx.Exec(`UPDATE items SET pack_qty = ? WHERE id = ?`, it.pack, id); err != nil {
				return err
			}
			if _, err := tx.Exec(`INSERT INTO inventory (item_id, location_id, on_hand, on_hand_as_of) VALUES (?, ?, ?, ?)`, id, dal, it.stock, store.FormatTime(time.Now())); err != nil {
				return err
			}
			if _, err := tx.Exec(`INSERT INTO item_xrefs (item_id, kind, value) VALUES (?, 'upc', ?)`, id, it.upc); err != nil {
				return err
			}
			if it.bp != "" {
				_, err := tx.Exec(`INSERT INTO item_xrefs (item_id, kind, customer_id, value) VALUES (?, 'buyer_part', ?, ?)`, id, cust, it.bp)
				return err
			}
			return nil
		}); err != nil {
			tb.Fatal(err)
		}
	}
	p, err := db.SaveTradingPartner(ctx, store.TradingPartner{Name: "Big Box", CustomerAccount: "C20001", ISAQualifier: "ZZ", ISAID: "BIGBOX",
		QualifierOrder: []string{"BP", "UP", "VP"}, UOMConversions: map[string]string{"CA": "pack"}, Send855: true, Send856: true, Active: true})
	if err != nil {
		tb.Fatal(err)
	}
	dir := tb.TempDir()
	return &world{db: db, svc: &edi.Service{DB: db, Dir: dir}, partner: p, dir: dir}
}

// interchange writes an interchange of 850s with the project's writer.
func interchange(tb testing.TB, sender string, control int64, d x12.Delimiters, sets ...[][]string) []byte {
	tb.Helper()
	var out []x12.OutSet
	for i, s := range sets {
		out = append(out, x12.OutSet{ID: "850", Control: fmt.Sprintf("%04d", i+1), Segments: s})
	}
	b, err := x12.Encode(x12.Envelope{SenderQual: "ZZ", SenderID: sender, ReceiverQual: "ZZ", ReceiverID: "OMS", Control: control,
		Time: time.Now(), Delims: d}, []x12.OutGroup{{FunctionalID: "PO", AppSender: sender, AppReceiver: "OMS", Control: control, Sets: out}})
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func future(days int) string { return time.Now().UTC().AddDate(0, 0, days).Format("20060102") }

// po850 is an 850 body: ship-to by ID, lines by buyer part, UPC or case.
func po850(po string, lines ...[]string) [][]string {
	segs := [][]string{
		{"BEG", "00", "SA", po, "", future(0)},
		{"REF", "DP", "042"},
		{"DTM", "002", future(7)},
		{"N1", "ST", "Big Box Store 42", "92", "0042"},
		{"N1", "BT", "Big Box Retail HQ"},
		{"N3", "500 Corporate Dr"},
		{"N4", "Bentonville", "AR", "72712", "US"},
	}
	var hash int
	for _, l := range lines {
		segs = append(segs, l)
		var q int
		fmt.Sscan(l[2], &q)
		hash += q
		segs = append(segs, []string{"PID", "F", "", "", "", "described " + l[1]})
	}
	return append(segs, []string{"CTT", fmt.Sprint(len(lines)), fmt.Sprint(hash)})
}

func TestReceive850(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	raw := interchange(t, "BIGBOX", 101, x12.Delimiters{Element: '|', Component: ':', Segment: "~", Suffix: "\r\n"},
		po850("PO-1",
			[]string{"PO1", "1", "10", "EA", "1.25", "", "BP", "BB-100"},
			[]string{"PO1", "2", "2", "CA", "102", "", "UP", "012345678912", "VP", "GLOVE-L"},
			[]string{"PO1", "3", "1", "EA", "", "", "VP", "WRAP-18"},
			[]string{"PO1", "", "5", "EA", "9", "", "BP", "NOPE-1", "UP", "999999999999"},
		))
	rep, err := w.svc.Receive(ctx, edi.Input{Source: "api", FileName: "po1.x12", Actor: "test", Raw: raw})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Interchanges) != 1 || len(rep.Interchanges[0].Sets) != 1 {
		t.Fatalf("report %+v", rep)
	}
	ir := rep.Interchanges[0]
	set := ir.Sets[0]
	if set.Order == "" || set.Status != "held" || set.PONumber != "PO-1" {
		t.Fatalf("set %+v", set)
	}
	if !strings.Contains(strings.Join(set.Holds, " "), "NOPE-1") {
		t.Errorf("holds %v do not show the unknown line as received", set.Holds)
	}
	if !strings.Contains(ir.Ack997, "AK5*A~") || !strings.Contains(ir.Ack997, "AK9*A*1*1*1~") {
		t.Errorf("997:\n%s", ir.Ack997)
	}
	if _, err := os.Stat(filepath.Join(w.dir, "BIGBOX", "outbox", ir.AckFile)); err != nil {
		t.Errorf("997 not in the outbox folder: %v", err)
	}
	d, err := w.db.OrderDetail(ctx, set.Order, store.LineQuery{PerPage: 100}, "")
	if err != nil {
		t.Fatal(err)
	}
	o := d.Order
	if o.Channel != "edi" || o.CustomerPO != "PO-1" || o.ShipTo.Name != "Big Box Store 42" || !o.HasHold || o.RequestedDate != time.Now().UTC().AddDate(0, 0, 7).Format("2006-01-02") {
		t.Errorf("order %+v", o)
	}
	got := map[string]int64{}
	for _, l := range d.Lines.Lines {
		got[l.SKU] = l.Ordered
	}
	if got["BOLT-10"] != 10 || got["GLOVE-L"] != 24 || got["WRAP-18"] != 1 || len(got) != 3 {
		t.Errorf("lines %v (2 CA of a 12-pack must be 24)", got)
	}
	// The 855 leaves through the outbox: accepted, backordered, rejected.
	if err := w.svc.SendPending(ctx); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(w.dir, "BIGBOX", "outbox", "855_*"))
	if len(files) != 1 {
		t.Fatalf("855 files %v", files)
	}
	b, _ := os.ReadFile(files[0])
	res := x12.ReadAll(b)
	if !res.OK() {
		t.Fatalf("855 does not read back: %v\n%s", res.AllErrors(), b)
	}
	for _, want := range []string{"BAK*00*AC*PO-1*", "PO1*1*10*EA*1.25**BP*BB-100~\nACK*IA*10*EA~", "ACK*IA*2*CA~", "PO1*3*1*EA***VP*WRAP-18~\nACK*IB*1*EA~", "ACK*IR*0*EA~", "CTT*4*18~"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("855 lacks %q:\n%s", want, b)
		}
	}
	if pending, _ := w.db.PendingOutboxFor(ctx, "edi", 10); len(pending) != 0 {
		t.Errorf("outbox still has %d EDI messages", len(pending))
	}
}

// TestDuplicateInterchange: the same control number from the same sender
// is not applied twice.
func TestDuplicateInterchange(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	raw := interchange(t, "BIGBOX", 7, x12.DefaultDelimiters, po850("PO-7", []string{"PO1", "1", "10", "EA", "", "", "BP", "BB-100"}))
	first, err := w.svc.Receive(ctx, edi.Input{Source: "upload", Raw: raw})
	if err != nil || first.Interchanges[0].Sets[0].Order == "" {
		t.Fatalf("first: %v %+v", err, first)
	}
	again, err := w.svc.Receive(ctx, edi.Input{Source: "upload", Raw: raw})
	if err != nil {
		t.Fatal(err)
	}
	if again.Interchanges[0].Status != store.InterchangeDuplicate || again.Interchanges[0].Sets[0].Order != "" {
		t.Fatalf("second: %+v", again.Interchanges[0])
	}
	res, err := w.db.SearchOrders(ctx, store.OrderQuery{Q: "PO-7", Limit: 10})
	if err != nil || len(res.Orders) != 1 {
		t.Fatalf("orders for PO-7: %d, %v", len(res.Orders), err)
	}
}

// TestUnknownSender: kept with an exception; assigned to a customer, it is
// imported.
func TestUnknownSender(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	raw := interchange(t, "STRANGER", 5, x12.DefaultDelimiters, po850("PO-S", []string{"PO1", "1", "3", "EA", "", "", "VP", "BOLT-10"}))
	rep, err := w.svc.Receive(ctx, edi.Input{Source: "upload", Raw: raw})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Interchanges[0].Status != store.InterchangeUnknownSender || rep.Interchanges[0].Ack997 != "" {
		t.Fatalf("report %+v", rep.Interchanges[0])
	}
	xs, err := w.db.EDIExceptions(ctx, 10)
	if err != nil || len(xs) != 1 || xs[0].Sender != "ZZ:STRANGER" {
		t.Fatalf("exceptions %+v %v", xs, err)
	}
	rep, err = w.svc.Assign(ctx, xs[0].ID, "C20001", "ops@example.test")
	if err != nil {
		t.Fatal(err)
	}
	if s := rep.Interchanges[0].Sets[0]; s.Order == "" || s.Status != "accepted" {
		t.Fatalf("after assignment: %+v", rep.Interchanges[0])
	}
	if xs, _ := w.db.EDIExceptions(ctx, 10); len(xs) != 0 {
		t.Errorf("exception still open: %+v", xs)
	}
}

// TestBadInput: broken envelopes and bad sets get a 997 rejection and an
// exception; the rest of the interchange is still processed.
func TestBadInput(t *testing.T) {
	tests := []struct {
		name      string
		raw       func(tb testing.TB) []byte
		status    string
		ack       string // in the 997
		setStatus []string
	}{
		{"SECountWrong", func(tb testing.TB) []byte {
			b := interchange(tb, "BIGBOX", 11, x12.DefaultDelimiters, po850("PO-A", []string{"PO1", "1", "1", "EA", "", "", "BP", "BB-100"}))
			return []byte(strings.Replace(string(b), "SE*12*0001", "SE*13*0001", 1))
		}, store.InterchangeRejected, "AK5*R*4~", []string{"rejected"}},
		{"MissingBEGBesideGoodSet", func(tb testing.TB) []byte {
			good := po850("PO-B", []string{"PO1", "1", "1", "EA", "", "", "BP", "BB-100"})
			bad := po850("PO-C", []string{"PO1", "1", "1", "EA", "", "", "BP", "BB-100"})[1:]
			return interchange(tb, "BIGBOX", 12, x12.DefaultDelimiters, bad, good)
		}, store.InterchangePartial, "AK2*850*0001~\nAK3*BEG*2**3~\nAK5*R*5~\nAK2*850*0002~\nAK5*A~\nAK9*P*2*2*1~", []string{"rejected", "accepted"}},
		{"CTTMismatchIsAWarning", func(tb testing.TB) []byte {
			segs := po850("PO-D", []string{"PO1", "1", "1", "EA", "", "", "BP", "BB-100"})
			segs[len(segs)-1] = []string{"CTT", "3", "99"}
			return interchange(tb, "BIGBOX", 13, x12.DefaultDelimiters, segs)
		}, store.InterchangeProcessed, "AK3*CTT*11**8~\nAK4*1*354*7*3~\nAK3*CTT*11**8~\nAK4*2*347*7*99~\nAK5*E*5~", []string{"accepted"}},
		{"NotAQuantity", func(tb testing.TB) []byte {
			return interchange(tb, "BIGBOX", 14, x12.DefaultDelimiters, po850("PO-E", []string{"PO1", "1", "ten", "EA", "", "", "BP", "BB-100"}))
		}, store.InterchangeRejected, "AK4*2*330*6*ten~", []string{"rejected"}},
		{"PackMultipleRejectedByIntake", func(tb testing.TB) []byte {
			return interchange(tb, "BIGBOX", 15, x12.DefaultDelimiters, po850("PO-F", []string{"PO1", "1", "5", "EA", "", "", "VP", "GLOVE-L"}))
		}, store.InterchangeRejected, "AK5*A~", []string{"rejected"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			ctx := context.Background()
			rep, err := w.svc.Receive(ctx, edi.Input{Source: "api", Raw: tc.raw(t)})
			if err != nil {
				t.Fatal(err)
			}
			ir := rep.Interchanges[0]
			if ir.Status != tc.status || !strings.Contains(ir.Ack997, tc.ack) {
				t.Fatalf("status %s, 997:\n%s\nwant %s with %q; sets %+v", ir.Status, ir.Ack997, tc.status, tc.ack, ir.Sets)
			}
			for i, want := range tc.setStatus {
				if ir.Sets[i].Status != want {
					t.Errorf("set %d: %+v, want %s", i, ir.Sets[i], want)
				}
				if want == "rejected" && len(ir.Sets[i].Errors) == 0 {
					t.Errorf("set %d rejected without a reason", i)
				}
			}
			xs, _ := w.db.EDIExceptions(ctx, 10)
			if (tc.status != store.InterchangeProcessed) != (len(xs) > 0) {
				t.Errorf("exceptions %+v", xs)
			}
			if tc.name == "PackMultipleRejectedByIntake" {
				files, _ := filepath.Glob(filepath.Join(w.dir, "BIGBOX", "outbox", "855_*"))
				if len(files) != 1 {
					t.Fatalf("855 files %v", files)
				}
				b, _ := os.ReadFile(files[0])
				if !strings.Contains(string(b), "BAK*00*RJ*PO-F*") || !strings.Contains(string(b), "ACK*IR*0*EA~") {
					t.Errorf("rejection 855:\n%s", b)
				}
			}
		})
	}
}

func TestMalformedFileIsKept(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	rep, err := w.svc.Receive(ctx, edi.Input{Source: "upload", FileName: "junk.x12", Raw: []byte("this is not X12")})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Status != "rejected" || len(rep.Errors) == 0 {
		t.Fatalf("report %+v", rep)
	}
	name, raw, err := w.db.EDIFileRaw(ctx, rep.FileID)
	if err != nil || name != "junk.x12" || string(raw) != "this is not X12" {
		t.Fatalf("kept file %q %q %v", name, raw, err)
	}
	if xs, _ := w.db.EDIExceptions(ctx, 10); len(xs) != 1 || xs[0].Kind != "edi_malformed" {
		t.Errorf("exceptions %+v", xs)
	}
}

// TestShipNotice: a shipped group of an EDI order sends an 856.
func TestShipNotice(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	raw := interchange(t, "BIGBOX", 21, x12.DefaultDelimiters, po850("PO-9", []string{"PO1", "1", "1", "CA", "", "", "UP", "012345678912"}))
	rep, err := w.svc.Receive(ctx, edi.Input{Source: "api", Raw: raw})
	if err != nil {
		t.Fatal(err)
	}
	number := rep.Interchanges[0].Sets[0].Order
	d, err := w.db.OrderDetail(ctx, number, store.LineQuery{}, "")
	if err != nil || len(d.Groups) != 1 {
		t.Fatalf("groups %+v %v", d.Groups, err)
	}
	// The system's own actions (ERP and WMS confirmations) act on the
	// current version.
	if _, err := w.db.ReleaseGroup(ctx, store.OrderAction{Number: number, Actor: "system"}, d.Groups[0].Seq); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.ShipGroup(ctx, store.OrderAction{Number: number, Actor: "wms"}, d.Groups[0].Seq,
		store.Shipment{Carrier: "UPS", Tracking: "1Z999AA10123456784"}); err != nil {
		t.Fatal(err)
	}
	if err := w.svc.SendPending(ctx); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(w.dir, "BIGBOX", "outbox", "856_*"))
	if len(files) != 1 {
		t.Fatalf("856 files %v", files)
	}
	b, _ := os.ReadFile(files[0])
	if res := x12.ReadAll(b); !res.OK() {
		t.Fatalf("856 does not read back: %v", res.AllErrors())
	}
	for _, want := range []string{"HL*1**S~", "TD5**2*UPS~", "REF*CN*1Z999AA10123456784~", "HL*2*1*O~", "PRF*PO-9", "HL*3*2*I~", "LIN*1*UP*012345678912~", "SN1**1*CA**1*CA~", "CTT*3~"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("856 lacks %q:\n%s", want, b)
		}
	}
}

// TestConcurrentDuplicates races the same interchange from many senders'
// retries: it is applied once (invariant 7), every copy is kept.
func TestConcurrentDuplicates(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	raw := interchange(t, "BIGBOX", 99, x12.DefaultDelimiters, po850("PO-RACE", []string{"PO1", "1", "1", "EA", "", "", "BP", "BB-100"}))
	const n = 8
	orders := make(chan string, n)
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		go func() {
			rep, err := w.svc.Receive(ctx, edi.Input{Source: "api", Raw: raw})
			if err != nil {
				errs <- err
				return
			}
			orders <- rep.Interchanges[0].Sets[0].Order
			errs <- nil
		}()
	}
	applied := 0
	for i := 0; i < n; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	close(orders)
	for o := range orders {
		if o != "" {
			applied++
		}
	}
	if applied != 1 {
		t.Fatalf("the interchange was applied %d times", applied)
	}
	log, err := w.db.EDILog(ctx, "in", 20)
	if err != nil || len(log) != 1 {
		t.Fatalf("log %d entries, %v", len(log), err)
	}
}

// TestInboxFolder: a file dropped in the partner's inbox is imported and
// removed (the database keeps it); a file still being written waits.
func TestInboxFolder(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	inbox := filepath.Join(w.dir, "BIGBOX", "inbox")
	if err := w.svc.PollInboxes(ctx); err != nil {
		t.Fatal(err)
	}
	raw := interchange(t, "BIGBOX", 31, x12.DefaultDelimiters, po850("PO-INBOX", []string{"PO1", "1", "3", "EA", "", "", "UP", "012345678905"}))
	old, fresh := filepath.Join(inbox, "po-inbox.x12"), filepath.Join(inbox, "still-writing.x12")
	for _, f := range []string{old, fresh} {
		if err := os.WriteFile(f, raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	past := time.Now().Add(-time.Minute)
	if err := os.Chtimes(old, past, past); err != nil {
		t.Fatal(err)
	}
	if err := w.svc.PollInboxes(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("imported file still in the inbox: %v", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("a file still being written was taken: %v", err)
	}
	res, err := w.db.SearchOrders(ctx, store.OrderQuery{Q: "PO-INBOX", Limit: 5})
	if err != nil || len(res.Orders) != 1 || res.Orders[0].Channel != "edi" {
		t.Fatalf("orders %+v %v", res.Orders, err)
	}
	log, _ := w.db.EDILog(ctx, "in", 5)
	if len(log) != 1 || log[0].FileID == 0 {
		t.Fatalf("log %+v", log)
	}
	if name, kept, err := w.db.EDIFileRaw(ctx, log[0].FileID); err != nil || name != "po-inbox.x12" || string(kept) != string(raw) {
		t.Errorf("kept file %q (%d bytes), %v", name, len(kept), err)
	}
}

// TestRejectedInterchangeMayBeResent: nothing of a rejected interchange
// was applied, so a corrected copy with the same control number is read.
func TestRejectedInterchangeMayBeResent(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	good := interchange(t, "BIGBOX", 61, x12.DefaultDelimiters, po850("PO-FIX", []string{"PO1", "1", "1", "EA", "", "", "BP", "BB-100"}))
	bad := []byte(strings.Replace(string(good), "SE*12*0001", "SE*13*0001", 1))
	rep, err := w.svc.Receive(ctx, edi.Input{Source: "api", Raw: bad})
	if err != nil || rep.Interchanges[0].Status != store.InterchangeRejected {
		t.Fatalf("bad copy: %v %+v", err, rep.Interchanges[0])
	}
	rep, err = w.svc.Receive(ctx, edi.Input{Source: "api", Raw: good})
	if err != nil || rep.Interchanges[0].Sets[0].Order == "" {
		t.Fatalf("corrected copy: %v %+v", err, rep.Interchanges[0])
	}
	rep, err = w.svc.Receive(ctx, edi.Input{Source: "api", Raw: good})
	if err != nil || rep.Interchanges[0].Status != store.InterchangeDuplicate {
		t.Fatalf("third copy: %v %+v", err, rep.Interchanges[0])
	}
}

// TestTA1WhenRequested: an interchange that asks for an acknowledgment
// (ISA14 = 1) gets a TA1 in the file with its 997, accepted or rejected
// with the envelope's note code; one that does not ask gets none.
func TestTA1WhenRequested(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(raw string) string
		want   string // the TA1's start, "" for none
		status string // its end: TA104 and TA105
	}{
		{"NotRequested", func(raw string) string { return raw }, "", ""},
		{"Accepted", func(raw string) string { return ackRequested(t, raw) }, "TA1*000000031*", "*A*000"},
		{"ControlMismatch", func(raw string) string {
			return strings.Replace(ackRequested(t, raw), "IEA*1*000000031", "IEA*1*000000032", 1)
		}, "TA1*000000031*", "*R*001"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			raw := string(interchange(t, "BIGBOX", 31, x12.DefaultDelimiters, po850("PO-TA1", []string{"PO1", "1", "1", "EA", "", "", "BP", "BB-100"})))
			rep, err := w.svc.Receive(context.Background(), edi.Input{Source: "api", Raw: []byte(tc.edit(raw))})
			if err != nil {
				t.Fatal(err)
			}
			ack := rep.Interchanges[0].Ack997
			i := strings.Index(ack, "TA1*")
			switch {
			case tc.want == "" && i >= 0:
				t.Fatalf("a TA1 nobody asked for:\n%s", ack)
			case tc.want == "":
				return
			case i < 0:
				t.Fatalf("no TA1:\n%s", ack)
			}
			ta1 := ack[i:]
			ta1 = ta1[:strings.IndexAny(ta1, "~\n")]
			if !strings.HasPrefix(ta1, tc.want) || !strings.HasSuffix(ta1, tc.status) {
				t.Errorf("TA1 %q, want %s…%s", ta1, tc.want, tc.status)
			}
		})
	}
}

// ackRequested sets ISA14 (acknowledgment requested) of an interchange
// written with the default delimiters.
func ackRequested(tb testing.TB, raw string) string {
	tb.Helper()
	isa := strings.Split(raw[:strings.Index(raw, "~")], "*")
	if len(isa) != 17 {
		tb.Fatalf("ISA of %d elements: %s", len(isa), raw[:120])
	}
	isa[14] = "1"
	return strings.Join(isa, "*") + raw[strings.Index(raw, "~"):]
}
