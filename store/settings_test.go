package store_test

import (
	"database/sql"
	"testing"

	"github.com/oms/oms/domain"
)

func TestSettings(t *testing.T) {
	db := newDB(t)
	ctx := t.Context()
	t.Run("DefaultWhenUnset", func(t *testing.T) {
		if _, ok, err := db.Setting(ctx, "sla.release_hours"); err != nil || ok {
			t.Fatalf("unset setting: ok %v err %v", ok, err)
		}
	})
	t.Run("OK", func(t *testing.T) {
		for _, v := range []string{"24", "48"} {
			if err := db.SetSetting(ctx, "sla.release_hours", v, "admin@example.com", domain.RoleAdmin); err != nil {
				t.Fatal(err)
			}
		}
		v, ok, err := db.Setting(ctx, "sla.release_hours")
		if err != nil || !ok || v != "48" {
			t.Fatalf("got %q %v %v", v, ok, err)
		}
		var before, after, actor string
		db.View(ctx, func(tx *sql.Tx) error {
			return tx.QueryRow(`SELECT before, after, actor FROM events WHERE kind = 'setting.changed' ORDER BY id DESC LIMIT 1`).Scan(&before, &after, &actor)
		})
		if before != "24" || after != "48" || actor != "admin@example.com" {
			t.Fatalf("event %q -> %q by %q", before, after, actor)
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		err := db.SetSetting(ctx, "sla.release_hours", "1", "ops@example.com", domain.RoleOps)
		if domain.ErrorCode(err) != domain.EFORBIDDEN {
			t.Fatalf("ops changed a setting: %v", err)
		}
	})
}
