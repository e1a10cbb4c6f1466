package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/oms/oms/auth"
	"github.com/oms/oms/domain"
)

// NewUser is what an admin gives to create a user.
type NewUser struct {
	Email    string
	Name     string
	Role     domain.Role
	Password string
}

// CreateUser adds a user with a hashed password. Returns EINVALID for a bad
// field and ECONFLICT when the e-mail is taken.
func (db *DB) CreateUser(ctx context.Context, u NewUser) (domain.User, error) {
	u.Email = strings.ToLower(strings.TrimSpace(u.Email))
	u.Name = strings.TrimSpace(u.Name)
	fields := map[string]string{}
	if u.Email == "" || !strings.Contains(u.Email, "@") || len(u.Email) > 254 {
		fields["email"] = "must be an e-mail address"
	}
	if u.Name == "" || len(u.Name) > 100 {
		fields["name"] = "must be 1 to 100 characters"
	}
	if !u.Role.Valid() {
		fields["role"] = "must be one of csr, sales, ops, admin"
	}
	if msg := auth.ValidatePassword(u.Password); msg != "" {
		fields["password"] = msg
	}
	if len(fields) > 0 {
		return domain.User{}, domain.Invalid("Please correct the highlighted fields.", fields)
	}
	hash, err := auth.HashPassword(u.Password)
	if err != nil {
		return domain.User{}, err
	}
	var id int64
	err = db.Update(ctx, func(tx *sql.Tx) error {
		now := db.now()
		res, err := tx.ExecContext(ctx, `INSERT INTO users (email, name, role, password_hash, created_at, password_changed_at)
			VALUES (?, ?, ?, ?, ?, ?)`, u.Email, u.Name, string(u.Role), hash, now, now)
		if err != nil {
			return err
		}
		id, err = res.LastInsertId()
		return err
	})
	if domain.ErrorCode(err) == domain.ECONFLICT {
		return domain.User{}, &domain.Error{Code: domain.ECONFLICT, Message: "A user with that e-mail already exists.",
			Fields: map[string]string{"email": "is already in use"}}
	}
	if err != nil {
		return domain.User{}, err
	}
	return domain.User{ID: id, Email: u.Email, Name: u.Name, Role: u.Role, Active: true}, nil
}

const userColumns = `id, email, name, role, active`

func scanUser(row interface{ Scan(...any) error }) (domain.User, error) {
	var u domain.User
	var role string
	err := row.Scan(&u.ID, &u.Email, &u.Name, &role, &u.Active)
	u.Role = domain.Role(role)
	return u, err
}

// UserByID returns one user. Returns ENOTFOUND.
func (db *DB) UserByID(ctx context.Context, id int64) (domain.User, error) {
	u, err := scanUser(db.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return u, domain.Errorf(domain.ENOTFOUND, "No such user.")
	}
	return u, err
}

// Users lists every user by e-mail.
func (db *DB) Users(ctx context.Context) ([]domain.User, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY email`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []domain.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// SignInResult says why a sign-in did or did not succeed.
type SignInResult struct {
	User       domain.User
	OK         bool
	RetryAfter time.Duration // > 0 when rate-limited or busy
	// Busy is set when the attempt found no turn to check its password
	// (auth.HashGate); it was not counted.
	Busy bool
}

// Authenticate checks an e-mail and password against the rate limit and the
// stored hash. The attempt is counted as a failure, in one write
// transaction with the check of the limit, before the password is hashed,
// so that parallel attempts cannot all pass the check before any is
// counted; a correct password then takes its count back. A locked account
// or address is refused before the password is checked, so that guessing
// learns nothing while locked. hashes bounds how many checks run at once;
// an attempt that finds no turn is refused as Busy and not counted.
func (db *DB) Authenticate(ctx context.Context, email, password, addr string, limit auth.SignInLimit, hashes *auth.HashGate) (SignInResult, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	now := db.Now().UTC()
	keys := []struct {
		key string
		max int
	}{{auth.AccountKey(email), limit.PerAccount}, {auth.AddressKey(addr), limit.PerAddress}}
	var wait time.Duration
	var counted []int64 // the failure rows of this attempt
	err := db.Update(ctx, func(tx *sql.Tx) error {
		for _, k := range keys {
			failures, err := failures(ctx, tx, k.key, now.Add(-limit.Window))
			if err != nil {
				return err
			}
			if wait = limit.RetryAfter(now, failures, k.max); wait > 0 {
				return nil
			}
		}
		at := FormatTime(now)
		for _, k := range keys {
			r, err := tx.ExecContext(ctx, `INSERT INTO login_failures (key, at) VALUES (?, ?)`, k.key, at)
			if err != nil {
				return err
			}
			id, _ := r.LastInsertId()
			counted = append(counted, id)
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE at < ?`, FormatTime(now.Add(-24*time.Hour)))
		return err
	})
	if err != nil || wait > 0 {
		return SignInResult{RetryAfter: wait}, err
	}
	leave, ok := hashes.Enter(ctx)
	if !ok {
		return SignInResult{Busy: true, RetryAfter: time.Second}, db.uncount(ctx, counted, "")
	}
	res, err := db.checkPassword(ctx, email, password)
	leave()
	if err != nil || !res.OK {
		return res, err
	}
	// The account's earlier failures go with a correct password; the
	// address keeps its own, but for this attempt's.
	return res, db.uncount(ctx, counted, auth.AccountKey(email))
}

// checkPassword compares password with the account's stored hash; an
// unknown or inactive account is no match.
func (db *DB) checkPassword(ctx context.Context, email, password string) (SignInResult, error) {
	var u domain.User
	var role, hash string
	var active bool
	err := db.read.QueryRowContext(ctx, `SELECT id, email, name, role, active, password_hash FROM users WHERE email = ?`, email).
		Scan(&u.ID, &u.Email, &u.Name, &role, &active, &hash)
	u.Role, u.Active = domain.Role(role), active
	switch {
	case errors.Is(err, sql.ErrNoRows):
		// Hash anyway so that unknown accounts take as long as known ones.
		auth.CheckPassword(dummyHash, password)
		return SignInResult{}, nil
	case err != nil:
		return SignInResult{}, err
	}
	ok, err := auth.CheckPassword(hash, password)
	if err != nil {
		return SignInResult{}, err
	}
	if !ok || !active {
		return SignInResult{}, nil
	}
	return SignInResult{User: u, OK: true}, nil
}

// uncount deletes the failure rows of ids and, when key is set, every
// failure of that key.
func (db *DB) uncount(ctx context.Context, ids []int64, key string) error {
	return db.Update(ctx, func(tx *sql.Tx) error {
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE id = ?`, id); err != nil {
				return err
			}
		}
		if key == "" {
			return nil
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE key = ?`, key)
		return err
	})
}

// dummyHash is checked for unknown accounts to even out response times.
var dummyHash, _ = auth.HashPassword("not-a-real-password")

func failures(ctx context.Context, q querier, key string, since time.Time) ([]time.Time, error) {
	rows, err := q.QueryContext(ctx, `SELECT at FROM login_failures WHERE key = ? AND at >= ? ORDER BY at`, key, FormatTime(since))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []time.Time
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, ParseTime(s))
	}
	return out, rows.Err()
}

// SetPassword replaces a user's password and ends all of the user's sessions.
// Returns EINVALID for a weak password and ENOTFOUND.
func (db *DB) SetPassword(ctx context.Context, userID int64, password string) error {
	if msg := auth.ValidatePassword(password); msg != "" {
		return domain.Invalid("Please choose another password.", map[string]string{"password": msg})
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	return db.Update(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ?`, hash, db.now(), userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return domain.Errorf(domain.ENOTFOUND, "No such user.")
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID)
		return err
	})
}

// EnsureUser creates the user unless one with that e-mail exists; used for
// the demo sign-ins.
func (db *DB) EnsureUser(ctx context.Context, u NewUser) error {
	_, err := db.CreateUser(ctx, u)
	if domain.ErrorCode(err) == domain.ECONFLICT {
		return nil
	}
	return err
}
