package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/oms/oms/domain"
)

// Setting reads one run-time setting; ok is false when nobody has set it,
// and the caller then uses its own default.
func (db *DB) Setting(ctx context.Context, key string) (value string, ok bool, err error) {
	err = db.read.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	} else if err != nil {
		return "", false, fmt.Errorf("read setting %s: %w", key, err)
	}
	return value, true, nil
}

// setting is Setting inside the caller's transaction, so that an action
// sees the setting as of its own snapshot.
func setting(ctx context.Context, tx *sql.Tx, key string) (string, bool, error) {
	var value string
	err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	} else if err != nil {
		return "", false, fmt.Errorf("read setting %s: %w", key, err)
	}
	return value, true, nil
}

// SetSetting stores one run-time setting and records who changed it from
// what to what as an event of kind setting.changed. Only admins change
// settings. Returns EFORBIDDEN for another role, EINVALID for an empty key.
func (db *DB) SetSetting(ctx context.Context, key, value, actor string, role domain.Role) error {
	if role != domain.RoleAdmin {
		return domain.Errorf(domain.EFORBIDDEN, "Only an administrator may change settings.")
	}
	key = strings.TrimSpace(key)
	if key == "" {
		return domain.Invalid("Name the setting.", map[string]string{"key": "is required"})
	}
	return db.Update(ctx, func(tx *sql.Tx) error {
		old, _, err := setting(ctx, tx, key)
		if err != nil {
			return err
		}
		now := db.now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value, updated_by, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			key, value, actor, now); err != nil {
			return err
		}
		return db.insertEvent(ctx, tx, Event{Kind: "setting.changed", Actor: actor,
			Summary: fmt.Sprintf("Setting %s changed.", key), Before: old, After: value})
	})
}
