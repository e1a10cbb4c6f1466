package store_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/store"
)

// draftUsers creates two sales reps and returns their ids.
func draftUsers(tb testing.TB, db *store.DB) (sam, kim int64) {
	tb.Helper()
	var ids []int64
	for _, email := range []string{"sam@example.test", "kim@example.test"} {
		u, err := db.CreateUser(context.Background(), store.NewUser{Email: email, Name: email, Role: domain.RoleSales, Password: "long enough password"})
		if err != nil {
			tb.Fatal(err)
		}
		ids = append(ids, u.ID)
	}
	return ids[0], ids[1]
}

// rowCounts counts the rows of every table, so that a test can tell what
// a call wrote.
func rowCounts(tb testing.TB, db *store.DB) map[string]int {
	tb.Helper()
	var tables []string
	err := db.View(context.Background(), func(tx *sql.Tx) error {
		rows, err := tx.Query(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				return err
			}
			tables = append(tables, name)
		}
		return rows.Err()
	})
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string]int{}
	for _, t := range tables {
		out[t] = count(tb, db, `SELECT count(*) FROM "`+t+`"`)
	}
	return out
}

func TestDeleteDraft(t *testing.T) {
	by := store.Submitter{Actor: "sam@example.test", Role: domain.RoleSales}
	tests := []struct {
		name string
		// setup saves what the case needs and returns who deletes which draft.
		setup    func(tb testing.TB, n *network, sam, kim int64) (userID, draftID int64)
		wantCode string
		// wantDrafts is how many drafts are left.
		wantDrafts int
	}{
		{"OK", func(tb testing.TB, n *network, sam, kim int64) (int64, int64) {
			return sam, 11
		}, "", 2},
		{"ErrNotFoundAnotherUsers", func(tb testing.TB, n *network, sam, kim int64) (int64, int64) {
			return kim, 11
		}, domain.ENOTFOUND, 3},
		{"ErrNotFoundUnknown", func(tb testing.TB, n *network, sam, kim int64) (int64, int64) {
			return sam, 99
		}, domain.ENOTFOUND, 3},
		{"ErrNotFoundCaptured", func(tb testing.TB, n *network, sam, kim int64) (int64, int64) {
			if _, err := n.db.CaptureDraft(tb.Context(), captureRequest("PO-11", 3), by, sam, 11); err != nil {
				tb.Fatal(err)
			}
			return sam, 11
		}, domain.ENOTFOUND, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := newNetwork(t)
			n.item(t, "SKU-1", false, map[string]int64{"DAL": 50})
			sam, kim := draftUsers(t, n.db)
			for _, d := range []struct {
				user, id int64
			}{{sam, 11}, {sam, 12}, {kim, 21}} {
				if err := n.db.SaveDraft(t.Context(), d.user, d.id, "C100", `{"po_number":"PO"}`); err != nil {
					t.Fatal(err)
				}
			}
			userID, draftID := tt.setup(t, n, sam, kim)
			before := rowCounts(t, n.db)
			err := n.db.DeleteDraft(t.Context(), userID, draftID)
			if got := domain.ErrorCode(err); got != tt.wantCode {
				t.Fatalf("code %q (%v), want %q", got, err, tt.wantCode)
			}
			after := rowCounts(t, n.db)
			if after["order_drafts"] != tt.wantDrafts {
				t.Fatalf("%d drafts left, want %d", after["order_drafts"], tt.wantDrafts)
			}
			for table, was := range before {
				if table != "order_drafts" && after[table] != was {
					t.Errorf("%s: %d rows, was %d", table, after[table], was)
				}
			}
		})
	}
	t.Run("CapturedOrderStays", func(t *testing.T) {
		n := newNetwork(t)
		n.item(t, "SKU-1", false, map[string]int64{"DAL": 50})
		sam, _ := draftUsers(t, n.db)
		if err := n.db.SaveDraft(t.Context(), sam, 11, "C100", `{}`); err != nil {
			t.Fatal(err)
		}
		c, err := n.db.CaptureDraft(t.Context(), captureRequest("PO-11", 3), by, sam, 11)
		if err != nil {
			t.Fatal(err)
		}
		// Neither the draft's id nor the order's own id reaches the order.
		for _, id := range []int64{11, c.OrderID} {
			if err := n.db.DeleteDraft(t.Context(), sam, id); domain.ErrorCode(err) != domain.ENOTFOUND {
				t.Fatalf("delete %d: %v, want ENOTFOUND", id, err)
			}
		}
		if got := count(t, n.db, `SELECT count(*) FROM orders WHERE id = ? AND status = ?`, c.OrderID, string(c.Status)); got != 1 {
			t.Fatal("the captured order changed or went")
		}
	})
}
