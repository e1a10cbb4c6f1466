package store_test

import (
	"database/sql"
	"testing"
	"time"

	"github.com/oms/oms/auth"
	"github.com/oms/oms/domain"
	"github.com/oms/oms/store"
)

func TestUpdateUser(t *testing.T) {
	db := newDB(t)
	ctx := t.Context()
	admin, err := db.CreateUser(ctx, store.NewUser{Email: "admin@x.test", Name: "Ada", Role: domain.RoleAdmin, Password: "a-long-password"})
	if err != nil {
		t.Fatal(err)
	}
	csr, err := db.CreateUser(ctx, store.NewUser{Email: "csr@x.test", Name: "Cy", Role: domain.RoleCSR, Password: "a-long-password"})
	if err != nil {
		t.Fatal(err)
	}
	sessions := func() (n int) {
		db.View(ctx, func(tx *sql.Tx) error {
			return tx.QueryRow(`SELECT count(*) FROM sessions WHERE user_id = ?`, csr.ID).Scan(&n)
		})
		return n
	}
	if err := db.Update(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO sessions (id, user_id, data, created_at, last_seen_at, expires_at)
			VALUES ('s1', ?, x'00', '2026-11-30T00:00:00.000Z', '2026-11-30T00:00:00.000Z', '2099-01-01T00:00:00.000Z')`, csr.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}

	t.Run("RoleAndDisable", func(t *testing.T) {
		change, err := db.UpdateUser(ctx, csr.ID, domain.RoleOps, false, admin)
		if err != nil || change != "role Customer service → Operations, disabled" {
			t.Fatalf("change %q err %v", change, err)
		}
		if n := sessions(); n != 0 {
			t.Fatalf("%d sessions left", n)
		}
		u, _ := db.UserByID(ctx, csr.ID)
		if u.Role != domain.RoleOps || u.Active {
			t.Fatalf("user %+v", u)
		}
		res, err := db.Authenticate(ctx, "csr@x.test", "a-long-password", "127.0.0.1", auth.DefaultSignInLimit, auth.NewHashGate(1, time.Second))
		if err != nil || res.OK {
			t.Fatalf("a disabled user signed in: %+v %v", res, err)
		}
		changes, err := db.UserChanges(ctx, 10)
		if err != nil || len(changes) != 1 || changes[0].ChangedBy != "admin@x.test" || changes[0].ChangedAt.IsZero() {
			t.Fatalf("changes %+v %v", changes, err)
		}
	})
	t.Run("NothingChanged", func(t *testing.T) {
		if change, err := db.UpdateUser(ctx, csr.ID, domain.RoleOps, false, admin); err != nil || change != "" {
			t.Fatalf("change %q err %v", change, err)
		}
	})
	t.Run("ErrInvalidSelf", func(t *testing.T) {
		if _, err := db.UpdateUser(ctx, admin.ID, domain.RoleAdmin, false, admin); domain.ErrorCode(err) != domain.EINVALID {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("ErrInvalidRole", func(t *testing.T) {
		if _, err := db.UpdateUser(ctx, csr.ID, "boss", true, admin); domain.ErrorCode(err) != domain.EINVALID {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		if _, err := db.UpdateUser(ctx, 999, domain.RoleCSR, true, admin); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("err %v", err)
		}
	})
}
