package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"errors"
	"strings"
	"time"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/intake"
)

// MaxDraftBytes bounds a draft's form; a phone order of MaxLines lines fits.
const MaxDraftBytes = 512 << 10

// Draft is an order being keyed on the entry screen, saved as typed. Form
// is the screen's JSON and may hold incomplete lines: a draft is not an
// order and nothing in it is validated.
type Draft struct {
	ID              int64
	UserID          int64
	CustomerAccount string // "" when no known customer is picked yet
	CustomerName    string
	Form            string
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// NewDraftID returns a random id for a draft the entry screen is about to
// key. The screen holds it from the first keystroke, so that autosaves
// racing each other all write the one draft.
func NewDraftID() int64 {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	// 53 bits: exact in JavaScript numbers too, and never 0.
	return int64(binary.BigEndian.Uint64(b[:])>>11) | 1
}

// SaveDraft stores the form as the user's draft id, creating it on the
// first save. account names the customer picked so far, if any. Returns
// ENOTFOUND when id is another user's draft, EINVALID for a bad id or a
// form over MaxDraftBytes.
func (db *DB) SaveDraft(ctx context.Context, userID, id int64, account, form string) error {
	if id <= 0 {
		return domain.Errorf(domain.EINVALID, "A draft needs an id.")
	}
	if len(form) > MaxDraftBytes {
		return domain.Errorf(domain.EINVALID, "This order is too large to save as a draft.")
	}
	return db.Update(ctx, func(tx *sql.Tx) error {
		var customerID any
		if a := strings.TrimSpace(account); a != "" {
			var cid int64
			err := tx.QueryRowContext(ctx, `SELECT id FROM customers WHERE account = ?`, a).Scan(&cid)
			if err == nil {
				customerID = cid
			} else if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		now := db.now()
		res, err := tx.ExecContext(ctx, `INSERT INTO order_drafts (id, user_id, customer_id, form, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET customer_id = excluded.customer_id, form = excluded.form, updated_at = excluded.updated_at
			WHERE order_drafts.user_id = excluded.user_id`, id, userID, customerID, form, now, now)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errNoDraft
		}
		return nil
	})
}

var errNoDraft = domain.Errorf(domain.ENOTFOUND, "That draft no longer exists: it was submitted or deleted.")

const draftSelect = `SELECT d.id, d.user_id, coalesce(c.account, ''), coalesce(c.name, ''), d.form, d.created_at, d.updated_at
	FROM order_drafts d LEFT JOIN customers c ON c.id = d.customer_id`

func scanDraft(row interface{ Scan(...any) error }) (Draft, error) {
	var d Draft
	var created, updated string
	err := row.Scan(&d.ID, &d.UserID, &d.CustomerAccount, &d.CustomerName, &d.Form, &created, &updated)
	d.CreatedAt, d.UpdatedAt = ParseTime(created), ParseTime(updated)
	return d, err
}

// Draft returns one of the user's drafts. Returns ENOTFOUND.
func (db *DB) Draft(ctx context.Context, userID, id int64) (Draft, error) {
	d, err := scanDraft(db.read.QueryRowContext(ctx, draftSelect+` WHERE d.id = ? AND d.user_id = ?`, id, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return d, errNoDraft
	}
	return d, err
}

// Drafts returns the user's drafts, most recently saved first.
func (db *DB) Drafts(ctx context.Context, userID int64, limit int) ([]Draft, error) {
	rows, err := db.read.QueryContext(ctx, draftSelect+` WHERE d.user_id = ? ORDER BY d.updated_at DESC, d.id DESC LIMIT ?`, userID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Draft
	for rows.Next() {
		d, err := scanDraft(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// DeleteDraft deletes one of the user's own drafts and writes nothing
// else. Drafts are private to the rep keying them, so nobody, admin
// included, deletes another user's. A draft that was submitted is gone
// already (capture deletes it) and the order it became lives in orders,
// which this never touches: such an id, another user's draft or an unknown
// id returns ENOTFOUND.
func (db *DB) DeleteDraft(ctx context.Context, userID, id int64) error {
	return db.Update(ctx, func(tx *sql.Tx) error { return deleteDraft(ctx, tx, userID, id) })
}

func deleteDraft(ctx context.Context, tx *sql.Tx, userID, id int64) error {
	res, err := tx.ExecContext(ctx, `DELETE FROM order_drafts WHERE id = ? AND user_id = ?`, id, userID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errNoDraft
	}
	return nil
}

// CaptureDraft captures the order as CaptureOrder does and, in the same
// write transaction, deletes the user's draft it was keyed in (if it was
// ever saved), so that an order is never both placed and still a draft.
// Returns EINVALID with per-field messages; the draft then stays.
func (db *DB) CaptureDraft(ctx context.Context, req intake.Request, by Submitter, userID, draftID int64) (Captured, error) {
	var out Captured
	err := db.Update(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM order_drafts WHERE id = ? AND user_id = ?`, draftID, userID); err != nil {
			return err
		}
		var err error
		out, err = db.captureOrder(ctx, tx, req, by)
		return err
	})
	return out, err
}
