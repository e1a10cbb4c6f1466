package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"github.com/oms/oms/domain"
)

// APIToken is the bearer token of one integration. Only the SHA-256 of the
// secret is stored; the secret is shown once, when the token is created.
type APIToken struct {
	ID         int64
	Name       string
	Role       domain.Role
	CreatedBy  string // e-mail of the admin who created it; "" for demo and system tokens
	CreatedAt  time.Time
	LastUsedAt time.Time // zero: never used
	RevokedAt  time.Time // zero: active
}

// Active reports whether the token still opens the API.
func (t APIToken) Active() bool { return t.RevokedAt.IsZero() }

// Actor names the integration in events and audit records.
func (t APIToken) Actor() string { return "api:" + t.Name }

// tokenTouchInterval is how stale last_used_at may get: a token used many
// times a second costs one write a minute, not one a request.
const tokenTouchInterval = time.Minute

// tokenSecretPrefix marks OMS tokens so that secret scanners and people can
// recognise one.
const tokenSecretPrefix = "oms_"

// HashTokenSecret is how a token's secret is stored and looked up. SHA-256
// without salt is enough for 32 random bytes: there is nothing to guess.
func HashTokenSecret(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

func newTokenSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return tokenSecretPrefix + base64.RawURLEncoding.EncodeToString(b)
}

func validateToken(name string, role domain.Role) (string, error) {
	name = strings.TrimSpace(name)
	fields := map[string]string{}
	if name == "" || len([]rune(name)) > 100 {
		fields["name"] = "must be 1 to 100 characters"
	}
	if !role.Valid() {
		fields["role"] = "must be one of csr, sales, ops, admin"
	}
	if len(fields) > 0 {
		return name, domain.Invalid("Please correct the highlighted fields.", fields)
	}
	return name, nil
}

// CreateToken creates a token for an integration and returns it with its
// secret, which is not stored and cannot be shown again. createdBy is the
// admin's user id. Returns EINVALID.
func (db *DB) CreateToken(ctx context.Context, name string, role domain.Role, createdBy int64) (APIToken, string, error) {
	name, err := validateToken(name, role)
	if err != nil {
		return APIToken{}, "", err
	}
	secret := newTokenSecret()
	t, err := db.insertToken(ctx, name, role, HashTokenSecret(secret), createdBy)
	return t, secret, err
}

func (db *DB) insertToken(ctx context.Context, name string, role domain.Role, hash string, createdBy int64) (APIToken, error) {
	now := db.Now()
	var by any
	if createdBy != 0 {
		by = createdBy
	}
	var id int64
	err := db.Update(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (name, token_hash, role, created_by, created_at) VALUES (?, ?, ?, ?, ?)`,
			name, hash, string(role), by, FormatTime(now))
		if err != nil {
			return err
		}
		id, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return APIToken{}, err
	}
	return APIToken{ID: id, Name: name, Role: role, CreatedAt: now}, nil
}

// EnsureDemoToken creates a token with a known secret unless one with that
// secret exists; demo mode uses it so that the README's curl example works.
// It reports whether it created the token.
func (db *DB) EnsureDemoToken(ctx context.Context, name, secret string, role domain.Role) (bool, error) {
	name, err := validateToken(name, role)
	if err != nil {
		return false, err
	}
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM api_tokens WHERE token_hash = ?`, HashTokenSecret(secret)).Scan(&n); err != nil {
		return false, err
	}
	if n > 0 {
		return false, nil
	}
	_, err = db.insertToken(ctx, name, role, HashTokenSecret(secret), 0)
	if domain.ErrorCode(err) == domain.ECONFLICT {
		return false, nil // another process created it first
	}
	return err == nil, err
}

const tokenSelect = `SELECT t.id, t.name, t.role, coalesce(u.email, ''), t.created_at, coalesce(t.last_used_at, ''), coalesce(t.revoked_at, '')
	FROM api_tokens t LEFT JOIN users u ON u.id = t.created_by`

func scanToken(row interface{ Scan(...any) error }) (APIToken, error) {
	var t APIToken
	var role, created, used, revoked string
	if err := row.Scan(&t.ID, &t.Name, &role, &t.CreatedBy, &created, &used, &revoked); err != nil {
		return t, err
	}
	t.Role = domain.Role(role)
	t.CreatedAt, t.LastUsedAt, t.RevokedAt = ParseTime(created), ParseTime(used), ParseTime(revoked)
	return t, nil
}

// Tokens lists every token, active ones first, newest first.
func (db *DB) Tokens(ctx context.Context) ([]APIToken, error) {
	rows, err := db.read.QueryContext(ctx, tokenSelect+` ORDER BY t.revoked_at IS NOT NULL, t.id DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []APIToken
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken ends a token at once; the next request with it gets 401.
// Revoking a revoked token changes nothing. Returns ENOTFOUND.
func (db *DB) RevokeToken(ctx context.Context, id int64) (APIToken, error) {
	var t APIToken
	err := db.Update(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, db.now(), id); err != nil {
			return err
		}
		var err error
		t, err = scanToken(tx.QueryRowContext(ctx, tokenSelect+` WHERE t.id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return domain.Errorf(domain.ENOTFOUND, "No such API token.")
		}
		return err
	})
	return t, err
}

// AuthenticateToken returns the active token with this secret and records
// its use (at most once a minute). Returns EUNAUTHORIZED for an unknown or
// revoked token, with the same message for both.
func (db *DB) AuthenticateToken(ctx context.Context, secret string) (APIToken, error) {
	t, err := scanToken(db.read.QueryRowContext(ctx, tokenSelect+` WHERE t.token_hash = ?`, HashTokenSecret(secret)))
	if errors.Is(err, sql.ErrNoRows) || err == nil && !t.Active() {
		return APIToken{}, domain.Errorf(domain.EUNAUTHORIZED, "The bearer token is not valid: it is unknown or has been revoked.")
	} else if err != nil {
		return APIToken{}, err
	}
	now := db.Now()
	if now.Sub(t.LastUsedAt) > tokenTouchInterval {
		err := db.Update(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, FormatTime(now), t.ID)
			return err
		})
		if err != nil {
			return APIToken{}, err
		}
		t.LastUsedAt = now
	}
	return t, nil
}
