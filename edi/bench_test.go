package edi_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/oms/oms/edi"
	"github.com/oms/oms/internal/fixtures"
	"github.com/oms/oms/store"
	"github.com/oms/oms/x12"
)

// BenchmarkReceive1000Lines takes an 850 of 1,000 lines from the file to
// an allocated order: read, map, look up the items by buyer part, capture
// through intake and sourcing, 997 written.
func BenchmarkReceive1000Lines(b *testing.B) {
	db, err := store.Open(filepath.Join(b.TempDir(), "oms.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	f := fixtures.New(b, db)
	dal := f.Location(fixtures.Location{Code: "DAL", Name: "Dallas DC"})
	cust := f.Customer(fixtures.Customer{Account: "C1", Name: "Big Box", CreditLimitCents: 1 << 50,
		ShipTos: []fixtures.ShipTo{{Code: "MAIN", Name: "Main", Line1: "1 Main St", City: "Dallas", Region: "TX", PostalCode: "75201", Default: true}}})
	const lines = 1000
	if err := db.Update(ctx, func(tx *sql.Tx) error {
		for i := 0; i < lines; i++ {
			r, err := tx.Exec(`INSERT INTO items (sku, description, list_price_cents, updated_at) VALUES (?, ?, 100, ?)`,
				fmt.Sprintf("SKU-%04d", i), "item", store.FormatTime(time.Now()))
			if err != nil {
				return err
			}
			id, _ := r.LastInsertId()
			if _, err := tx.Exec(`INSERT INTO inventory (item_id, location_id, on_hand, on_hand_as_of) VALUES (?, ?, 1000000000, ?)`, id, dal, store.FormatTime(time.Now())); err != nil {
				return err
			}
			if _, err := tx.Exec(`INSERT INTO item_xrefs (item_id, kind, customer_id, value) VALUES (?, 'buyer_part', ?, ?)`, id, cust, fmt.Sprintf("BP-%04d", i)); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	if _, err := db.SaveTradingPartner(ctx, store.TradingPartner{CustomerAccount: "C1", ISAQualifier: "ZZ", ISAID: "BIGBOX", Send855: true, Active: true}); err != nil {
		b.Fatal(err)
	}
	svc := &edi.Service{DB: db, Dir: b.TempDir()}
	segs := [][]string{{"BEG", "00", "SA", "", "", time.Now().Format("20060102")}, {"N1", "ST", "Main", "92", "MAIN"}}
	for i := 0; i < lines; i++ {
		segs = append(segs, []string{"PO1", fmt.Sprint(i + 1), "2", "EA", "1", "", "BP", fmt.Sprintf("BP-%04d", i)},
			[]string{"PID", "F", "", "", "", "item"})
	}
	segs = append(segs, []string{"CTT", fmt.Sprint(lines), fmt.Sprint(2 * lines)})
	var n int64
	var last string
	for b.Loop() {
		n++
		segs[0][3] = fmt.Sprintf("PO-%d", n)
		raw, err := x12.Encode(x12.Envelope{SenderQual: "ZZ", SenderID: "BIGBOX", ReceiverQual: "ZZ", ReceiverID: "OMS", Control: n, Time: time.Now()},
			[]x12.OutGroup{{FunctionalID: "PO", AppSender: "BIGBOX", AppReceiver: "OMS", Control: n, Sets: []x12.OutSet{{ID: "850", Control: "0001", Segments: segs}}}})
		if err != nil {
			b.Fatal(err)
		}
		rep, err := svc.Receive(ctx, edi.Input{Source: "api", Raw: raw})
		if err != nil {
			b.Fatal(err)
		}
		s := rep.Interchanges[0].Sets[0]
		if s.Status != "accepted" {
			b.Fatalf("set %+v", s)
		}
		last = s.Order
	}
	b.StopTimer()
	d, err := db.OrderDetail(ctx, last, store.LineQuery{}, "")
	if err != nil || d.Order.Status != "allocated" || d.Totals.Units.Allocated != 2*lines {
		b.Fatalf("order %s: %s, %d units allocated, %v", last, d.Order.Status, d.Totals.Units.Allocated, err)
	}
}
