package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oms/oms/csvimport"
	"github.com/oms/oms/domain"
	"github.com/oms/oms/internal/entrytest"
	"github.com/oms/oms/store"
)

const csvHeader = "customer_account,po_number,ship_to_code,ship_name,ship_line1,ship_line2,ship_city,ship_region,ship_postal_code,ship_country,requested_date,ship_method,ship_complete,sku,quantity,unit_price\n"

// runImport saves and runs content as one job uploaded by operations and
// returns the job.
func runImport(tb testing.TB, db *store.DB, content string) store.ImportJob {
	tb.Helper()
	return runImportAs(tb, db, domain.RoleOps, content)
}

// runImportAs saves and runs content as one job uploaded by a user of role.
func runImportAs(tb testing.TB, db *store.DB, role domain.Role, content string) store.ImportJob {
	tb.Helper()
	batch, err := csvimport.Parse([]byte(content))
	if err != nil {
		tb.Fatal(err)
	}
	id, err := db.CreateImportJob(tb.Context(), store.NewImportJob{Actor: string(role) + "@demo.test", Role: role, FileName: "orders.csv",
		Content: []byte(content), Batch: batch})
	if err != nil {
		tb.Fatal(err)
	}
	if err := db.RunImport(tb.Context(), id); err != nil {
		tb.Fatal(err)
	}
	j, err := db.ImportJob(tb.Context(), id)
	if err != nil {
		tb.Fatal(err)
	}
	return j
}

func TestRunImport(t *testing.T) {
	t.Run("Mixed", func(t *testing.T) {
		db := newDB(t)
		entrytest.Seed(t)(db)
		j := runImport(t, db, csvHeader+
			"C100,PO-A,MAIN,,,,,,,,,GROUND,,FST-1001,50,\n"+ // accepted
			"C100,PO-A,MAIN,,,,,,,,,GROUND,,ELC-2002,2,\n"+
			"C200,PO-B,MAIN,,,,,,,,,,,ELC-2002,1,\n"+ // held: credit hold
			"C100,PO-C,MAIN,,,,,,,,,,,FST-1001,30,\n"+ // rejected: pack of 25
			"C100,PO-D,,,1 Main St,,Dallas,TX,75201,,,,,FST-1001,25,\n"+ // rejected: no ship name
			"C100,PO-E,MAIN,,,,,,,,,,,ELC-2002,1,50\n") // held: price
		if j.Status != store.ImportDone || j.TotalOrders != 5 || j.DoneOrders != 5 || j.Accepted != 1 || j.Held != 2 || j.Rejected != 2 {
			t.Fatalf("%+v", j)
		}
		res, err := db.ImportResults(t.Context(), j.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		want := []struct{ rows, outcome, msg string }{
			{"2-3", "accepted", ""},
			{"4", "held", "Credit hold"},
			{"5", "rejected", "row 5, quantity: must be a multiple of 25"},
			{"6", "rejected", "row 6, ship_name: is required"},
			{"7", "held", "Price hold (row 7): Line 1: ELC-2002 at $50.00, price list says $89.00."},
		}
		for i, w := range want {
			r := res[i]
			if r.Rows != w.rows || r.Outcome != w.outcome || !strings.Contains(r.Message, w.msg) {
				t.Errorf("result %d: %+v, want %+v", i, r, w)
			}
		}
		if res[0].OrderNumber == "" || res[2].OrderNumber != "" {
			t.Error("order numbers wrong")
		}
		checkInvariants(t, db)
	})
	// The uploader's role decides about an off-list price as it does in
	// every channel: sales must give a reason, others get a price hold.
	roles := []struct {
		name    string
		role    domain.Role
		outcome string
		msg     string
	}{
		{"Sales", domain.RoleSales, "rejected", "row 2, price_override_reason: is required to sell ELC-2002 at $50.00 instead of the list price $89.00"},
		{"Admin", domain.RoleAdmin, "rejected", "row 2, price_override_reason: is required to sell ELC-2002 at $50.00 instead of the list price $89.00"},
		{"Ops", domain.RoleOps, "held", "Price hold (row 2): Line 1: ELC-2002 at $50.00, price list says $89.00."},
	}
	for _, tt := range roles {
		t.Run("OffListPriceBy"+tt.name, func(t *testing.T) {
			db := newDB(t)
			entrytest.Seed(t)(db)
			j := runImportAs(t, db, tt.role, csvHeader+"C100,PO-E,MAIN,,,,,,,,,,,ELC-2002,1,50\n")
			res, err := db.ImportResults(t.Context(), j.ID, false)
			if err != nil {
				t.Fatal(err)
			}
			if len(res) != 1 || res[0].Outcome != tt.outcome || res[0].Message != tt.msg {
				t.Fatalf("%+v, want %s %q", res, tt.outcome, tt.msg)
			}
		})
	}
	t.Run("Resumes", func(t *testing.T) {
		db := newDB(t)
		entrytest.Seed(t)(db)
		content := csvHeader + "C100,PO-A,MAIN,,,,,,,,,,,ELC-2002,1,\nC100,PO-B,MAIN,,,,,,,,,,,ELC-2002,1,\n"
		j := runImport(t, db, content)
		// A second run of a finished job takes nothing twice.
		if err := db.RunImport(t.Context(), j.ID); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, `SELECT count(*) FROM orders`); n != 2 {
			t.Fatalf("%d orders after a rerun", n)
		}
	})
}

// TestImportTenThousandRows imports 10,000 rows (2,000 orders of 5 lines)
// and reports the time.
func TestImportTenThousandRows(t *testing.T) {
	if testing.Short() {
		t.Skip("long: 10,000 rows")
	}
	db := newDB(t)
	entrytest.Seed(t)(db)
	// Stock and credit enough for every order.
	if err := db.Update(t.Context(), func(tx *sql.Tx) error {
		if _, err := tx.Exec(`UPDATE inventory SET on_hand = 1000000`); err != nil {
			return err
		}
		_, err := tx.Exec(`UPDATE customers SET credit_limit_cents = 10000000000`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString(csvHeader)
	skus := []struct {
		sku string
		qty int
	}{{"FST-1001", 25}, {"ELC-2002", 1}, {"JAN-3003", 8}, {"FST-1001", 50}, {"ELC-2002", 3}}
	for o := 0; o < 2000; o++ {
		for _, s := range skus {
			fmt.Fprintf(&b, "C100,PO-%05d,MAIN,,,,,,,,,GROUND,no,%s,%d,\n", o, s.sku, s.qty)
		}
	}
	start := time.Now()
	j := runImport(t, db, b.String())
	took := time.Since(start)
	if j.TotalRows != 10000 || j.TotalOrders != 2000 || j.DoneOrders != 2000 || j.Rejected != 0 {
		t.Fatalf("%+v", j)
	}
	t.Logf("10,000 rows, 2,000 orders: %s (%.0f orders/s); accepted %d, held %d", took.Round(time.Millisecond),
		2000/took.Seconds(), j.Accepted, j.Held)
	checkInvariants(t, db)
}

// TestImportStopsAtCloseAndResumes closes the store while an import runs:
// the job is left running (not failed), and the next start takes up the
// rest, so every order is captured exactly once.
func TestImportStopsAtCloseAndResumes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "oms.db")
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	entrytest.Seed(t)(db)
	if err := db.Update(t.Context(), func(tx *sql.Tx) error {
		_, err := tx.Exec(`UPDATE customers SET credit_limit_cents = 10000000000`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	const orders = 1500
	var b strings.Builder
	b.WriteString(csvHeader)
	for o := range orders {
		fmt.Fprintf(&b, "C100,PO-%05d,MAIN,,,,,,,,,GROUND,no,FST-1001,25,\n", o)
	}
	batch, err := csvimport.Parse([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	id, err := db.CreateImportJob(t.Context(), store.NewImportJob{Actor: "ops@demo.test", Role: domain.RoleOps, FileName: "orders.csv",
		Content: []byte(b.String()), Batch: batch})
	if err != nil {
		t.Fatal(err)
	}
	stopped := make(chan error, 1)
	db.StartImport(id, func(err error) { stopped <- err })
	for count(t, db, `SELECT count(*) FROM import_results`) == 0 {
		time.Sleep(time.Millisecond)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-stopped:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("the run ended with %v, want context.Canceled", err)
		}
	default:
		t.Fatal("Close returned while the import was still running")
	}

	db, err = store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ids, err := db.UnfinishedImports(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 1 || ids[0] != id {
		t.Fatalf("unfinished after close: %v, want [%d]", ids, id)
	}
	taken := count(t, db, `SELECT count(*) FROM orders`)
	if taken == 0 || taken == orders {
		t.Fatalf("%d of %d orders taken before the close; the test needs the close to land mid-run", taken, orders)
	}
	if err := db.RunImport(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	j, err := db.ImportJob(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	if j.Status != store.ImportDone || j.DoneOrders != orders {
		t.Fatalf("after resuming: status %s, %d of %d orders", j.Status, j.DoneOrders, orders)
	}
	if n := count(t, db, `SELECT count(*) FROM orders`); n != orders {
		t.Fatalf("%d orders for %d in the file", n, orders)
	}
	if n := count(t, db, `SELECT count(DISTINCT customer_po) FROM orders`); n != orders {
		t.Fatalf("%d distinct POs: an order was taken twice", n)
	}
}
