package store_test

import (
	"context"
	"database/sql"
	"testing"
)

// TestShipNamesIndexedAtCommit checks migration 0013: ship-to names of new
// orders are searchable as soon as their transaction commits, a rename
// before or after that is what the index holds, an order deleted before it
// was indexed leaves no trace, and the index stays sound throughout.
func TestShipNamesIndexedAtCommit(t *testing.T) {
	n := newNetwork(t)
	ctx := context.Background()
	matches := func(word string) int {
		t.Helper()
		return count(t, n.db, `SELECT count(*) FROM orders_ship_fts WHERE orders_ship_fts MATCH ?`, word)
	}
	sound := func() {
		t.Helper()
		if err := n.db.Update(ctx, func(tx *sql.Tx) error {
			_, err := tx.Exec(`INSERT INTO orders_ship_fts (orders_ship_fts) VALUES ('integrity-check')`)
			return err
		}); err != nil {
			t.Fatalf("index unsound: %v", err)
		}
		if c := count(t, n.db, `SELECT count(*) FROM orders_ship_fts_pending`); c != 0 {
			t.Fatalf("%d orders left pending after commit", c)
		}
	}
	insert := func(tx *sql.Tx, number, name string) error {
		_, err := tx.Exec(`INSERT INTO orders (number, channel, customer_id, ship_name, ship_line1, ship_city, ship_region, ship_postal_code,
				status, created_by, created_at, updated_at)
			VALUES (?, 'phone', ?, ?, '1 Main St', 'Dallas', 'TX', '75201', 'backordered', 'test', ?, ?)`, number, n.customer, name, testTime, testTime)
		return err
	}
	exec := func(fn func(tx *sql.Tx) error) {
		t.Helper()
		if err := n.db.Update(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}

	exec(func(tx *sql.Tx) error {
		for _, o := range [][2]string{{"SO-1", "Harbor Freight Dock"}, {"SO-2", "Lakeside Clinic"}, {"SO-3", "Gone Tomorrow"}} {
			if err := insert(tx, o[0], o[1]); err != nil {
				return err
			}
		}
		// Renamed and deleted in the transaction that inserted them.
		if _, err := tx.Exec(`UPDATE orders SET ship_name = 'Riverside Clinic' WHERE number = 'SO-2'`); err != nil {
			return err
		}
		_, err := tx.Exec(`DELETE FROM orders WHERE number = 'SO-3'`)
		return err
	})
	if matches("harbor") != 1 || matches("riverside") != 1 || matches("lakeside") != 0 || matches("gone") != 0 {
		t.Fatalf("after the first commit: harbor %d riverside %d lakeside %d gone %d",
			matches("harbor"), matches("riverside"), matches("lakeside"), matches("gone"))
	}
	sound()

	// Renamed and deleted once indexed.
	exec(func(tx *sql.Tx) error {
		if _, err := tx.Exec(`UPDATE orders SET ship_name = 'Summit Foods' WHERE number = 'SO-1'`); err != nil {
			return err
		}
		_, err := tx.Exec(`DELETE FROM orders WHERE number = 'SO-2'`)
		return err
	})
	if matches("harbor") != 0 || matches("summit") != 1 || matches("riverside") != 0 {
		t.Fatalf("after the second commit: harbor %d summit %d riverside %d", matches("harbor"), matches("summit"), matches("riverside"))
	}
	sound()

	// A transaction that fails indexes nothing and leaves nothing pending.
	if err := n.db.Update(ctx, func(tx *sql.Tx) error {
		if err := insert(tx, "SO-4", "Phantom Depot"); err != nil {
			return err
		}
		return sql.ErrTxDone
	}); err == nil {
		t.Fatal("the failing transaction committed")
	}
	if matches("phantom") != 0 {
		t.Fatal("a rolled-back order is in the index")
	}
	sound()
}
