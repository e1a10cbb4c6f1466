package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/oms/oms/domain"
)

// SessionRecord is one server-side session. ID is the SHA-256 of the
// cookie's token; the token itself is never stored.
type SessionRecord struct {
	ID         string
	UserID     int64 // 0 before sign-in
	Data       []byte
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
}

// SessionByID returns a session that has not expired; (nil, nil) when there
// is none.
func (db *DB) SessionByID(ctx context.Context, id string) (*SessionRecord, error) {
	var s SessionRecord
	var uid sql.NullInt64
	var created, seen, expires string
	err := db.read.QueryRowContext(ctx, `SELECT id, user_id, data, created_at, last_seen_at, expires_at
		FROM sessions WHERE id = ? AND expires_at > ?`, id, db.now()).
		Scan(&s.ID, &uid, &s.Data, &created, &seen, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	s.UserID = uid.Int64
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = ParseTime(created), ParseTime(seen), ParseTime(expires)
	return &s, nil
}

// SaveSession inserts or replaces a session.
func (db *DB) SaveSession(ctx context.Context, s SessionRecord) error {
	var uid any
	if s.UserID != 0 {
		uid = s.UserID
	}
	return db.Update(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (id, user_id, data, created_at, last_seen_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id, data = excluded.data,
				last_seen_at = excluded.last_seen_at, expires_at = excluded.expires_at`,
			s.ID, uid, s.Data, FormatTime(s.CreatedAt), FormatTime(s.LastSeenAt), FormatTime(s.ExpiresAt))
		return err
	})
}

// DeleteSession removes a session (sign-out, or a new id at sign-in).
func (db *DB) DeleteSession(ctx context.Context, id string) error {
	return db.Update(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id = ?`, id)
		return err
	})
}

// DeleteExpiredSessions removes sessions past their expiry and returns how
// many.
func (db *DB) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	var n int64
	err := db.Update(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, db.now())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// SigningKey returns the secret of a signing key (migration 0015 creates
// them); ENOTFOUND when there is none of that name.
func (db *DB) SigningKey(ctx context.Context, name string) ([]byte, error) {
	var secret []byte
	err := db.read.QueryRowContext(ctx, `SELECT secret FROM signing_keys WHERE name = ?`, name).Scan(&secret)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.ENOTFOUND, "There is no signing key %q.", name)
	}
	return secret, err
}
