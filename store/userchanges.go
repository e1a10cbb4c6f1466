package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/oms/oms/domain"
)

// UserChange is one change an administrator made to a user.
type UserChange struct {
	UserID    int64
	Email     string
	Change    string // "role Customer service → Operations", "disabled", "enabled"
	ChangedBy string
	ChangedAt time.Time
}

// UpdateUser sets a user's role and whether the user may sign in, records
// what changed with who and when, and ends the user's sessions when
// anything did, so that the change holds from the next request. by is the
// administrator making it: nobody disables or demotes themselves, so there
// is always an administrator left who can undo a mistake. Returns the
// change in words ("" when nothing changed), ENOTFOUND and EINVALID.
func (db *DB) UpdateUser(ctx context.Context, id int64, role domain.Role, active bool, by domain.User) (string, error) {
	if !role.Valid() {
		return "", domain.Invalid("Choose a role.", map[string]string{"role": "is not a role"})
	}
	var summary string
	err := db.Update(ctx, func(tx *sql.Tx) error {
		old, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return domain.Errorf(domain.ENOTFOUND, "No such user.")
		} else if err != nil {
			return err
		}
		if old.ID == by.ID && (!active || role != old.Role) {
			return domain.Errorf(domain.EINVALID, "You cannot disable your own account or change your own role; ask another administrator.")
		}
		var parts []string
		if role != old.Role {
			parts = append(parts, "role "+old.Role.Label()+" → "+role.Label())
		}
		if active != old.Active {
			parts = append(parts, map[bool]string{true: "enabled", false: "disabled"}[active])
		}
		if len(parts) == 0 {
			return nil
		}
		summary = strings.Join(parts, ", ")
		if _, err := tx.ExecContext(ctx, `UPDATE users SET role = ?, active = ? WHERE id = ?`, string(role), active, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO user_changes (user_id, change, changed_by, changed_at) VALUES (?, ?, ?, ?)`,
			id, summary, by.Email, db.now()); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, id)
		return err
	})
	return summary, err
}

// UserChanges lists the latest changes to users, newest first, at most limit.
func (db *DB) UserChanges(ctx context.Context, limit int) ([]UserChange, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT c.user_id, u.email, c.change, c.changed_by, c.changed_at
		FROM user_changes c JOIN users u ON u.id = c.user_id ORDER BY c.id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []UserChange
	for rows.Next() {
		var c UserChange
		var at string
		if err := rows.Scan(&c.UserID, &c.Email, &c.Change, &c.ChangedBy, &at); err != nil {
			return nil, err
		}
		c.ChangedAt = ParseTime(at)
		out = append(out, c)
	}
	return out, rows.Err()
}
