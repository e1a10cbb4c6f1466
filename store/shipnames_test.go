package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"testing"

	"github.com/oms/oms/store"
)

// TestShipNamesSearchable checks migrations 0013 and 0090: the ship-to
// names of new orders are searchable by word, whole or being typed, as
// soon as their transaction commits; a rename before or after that finds
// the order by its new name only; a deleted or rolled-back order is not
// found; and both full-text indexes stay sound throughout.
func TestShipNamesSearchable(t *testing.T) {
	n := newNetwork(t)
	ctx := context.Background()
	found := func(text string) []string {
		t.Helper()
		r, err := n.db.SearchOrders(ctx, store.OrderQuery{Q: text})
		if err != nil {
			t.Fatal(err)
		}
		var numbers []string
		for _, o := range r.Orders {
			numbers = append(numbers, o.Number)
		}
		slices.Sort(numbers)
		return numbers
	}
	expect := func(when string, want map[string][]string) {
		t.Helper()
		for text, numbers := range want {
			if got := found(text); !slices.Equal(got, numbers) {
				t.Errorf("%s: %q finds %v, want %v", when, text, got, numbers)
			}
		}
		if err := n.db.Update(ctx, func(tx *sql.Tx) error {
			for _, fts := range []string{"orders_ship_fts", "ship_names_fts"} {
				if _, err := tx.Exec(`INSERT INTO ` + fts + ` (` + fts + `) VALUES ('integrity-check')`); err != nil {
					return fmt.Errorf("%s: %w", fts, err)
				}
			}
			return nil
		}); err != nil {
			t.Fatalf("%s: index unsound: %v", when, err)
		}
		if c := count(t, n.db, `SELECT count(*) FROM orders_ship_fts_pending`); c != 0 {
			t.Fatalf("%s: %d orders left pending after commit", when, c)
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
		for _, o := range [][2]string{{"SO-1", "Harbor Freight Dock"}, {"SO-2", "Lakeside Clinic"}, {"SO-3", "Gone Tomorrow"}, {"SO-5", "Lakeside Clinic"}, {"SO-6", "Café Lyon"}} {
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
	expect("after the first commit", map[string][]string{
		"harbor": {"SO-1"}, "Harb": {"SO-1"}, "freight dock": {"SO-1"}, "freight do": {"SO-1"}, "riverside": {"SO-2"},
		"lakeside": {"SO-5"}, "clinic": {"SO-2", "SO-5"}, "cli": {"SO-2", "SO-5"}, "gone": nil, "gon": nil, "harbor zz": nil,
		"harbor freight d": {"SO-1"}, "lakeside c": {"SO-5"}, "riverside l": nil,
		// A name that is not all ASCII: the tokenizer folds é to e.
		"cafe l": {"SO-6"}, "caf": {"SO-6"}, "Café": {"SO-6"}, "café ly": {"SO-6"},
	})

	// Renamed and deleted later.
	exec(func(tx *sql.Tx) error {
		if _, err := tx.Exec(`UPDATE orders SET ship_name = 'Summit Foods' WHERE number = 'SO-1'`); err != nil {
			return err
		}
		_, err := tx.Exec(`DELETE FROM orders WHERE number = 'SO-2'`)
		return err
	})
	expect("after the second commit", map[string][]string{
		"harbor": nil, "summit": {"SO-1"}, "summ": {"SO-1"}, "riverside": nil, "clinic": {"SO-5"},
	})

	// A transaction that fails adds no name.
	if err := n.db.Update(ctx, func(tx *sql.Tx) error {
		if err := insert(tx, "SO-4", "Phantom Depot"); err != nil {
			return err
		}
		return sql.ErrTxDone
	}); err == nil {
		t.Fatal("the failing transaction committed")
	}
	expect("after a rollback", map[string][]string{"phantom": nil})
	if c := count(t, n.db, `SELECT count(*) FROM ship_names WHERE name = 'Phantom Depot'`); c != 0 {
		t.Fatal("a rolled-back order's name is in the dictionary")
	}
}

// TestSearchShareAtCap checks that a search whose customers share the cap
// of matches says there are more when one customer has more orders than
// its share, though fewer orders than the cap were gathered: two customers
// share 1,000 (500 each), one has 600 orders, so 510 are read of 610.
func TestSearchShareAtCap(t *testing.T) {
	n := newNetwork(t)
	ctx := context.Background()
	if err := n.db.Update(ctx, func(tx *sql.Tx) error {
		var ids []int64
		for _, name := range []string{"Granite Ridge Supply", "Granite Falls Supply"} {
			r, err := tx.Exec(`INSERT INTO customers (account, name, type, credit_limit_cents, created_at) VALUES (?, ?, 'b2b', 100000000, ?)`,
				"G"+name[8:10], name, testTime)
			if err != nil {
				return err
			}
			id, _ := r.LastInsertId()
			ids = append(ids, id)
		}
		for i := range 610 {
			customer := ids[0]
			if i%61 == 0 {
				customer = ids[1]
			}
			if _, err := tx.Exec(`INSERT INTO orders (number, channel, customer_id, ship_name, ship_line1, ship_city, ship_region, ship_postal_code,
					status, created_by, created_at, updated_at)
				VALUES (?, 'phone', ?, 'Dock', '1 Main St', 'Dallas', 'TX', '75201', 'backordered', 'test', ?, ?)`,
				fmt.Sprintf("SO-%d", 1000+i), customer, testTime, testTime); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	r, err := n.db.SearchOrders(ctx, store.OrderQuery{Q: "granite supply"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Total != 510 || !r.AtCap {
		t.Errorf("total %d, at cap %v; want 510 and at cap", r.Total, r.AtCap)
	}
	if len(r.Orders) != 50 || r.Orders[0].Number != "SO-1609" || r.Orders[49].Number != "SO-1560" {
		t.Errorf("first page: %d orders, %s to %s; want the 50 newest, SO-1609 to SO-1560", len(r.Orders), r.Orders[0].Number, r.Orders[len(r.Orders)-1].Number)
	}
}
