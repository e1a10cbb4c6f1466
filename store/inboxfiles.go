package store

import (
	"context"
	"database/sql"
	"strings"
	"time"
)

// Results of an inbox file.
const (
	InboxProcessed = "processed"
	InboxDuplicate = "duplicate"
	InboxFailed    = "failed"
)

// InboxFile is one CSV file taken from the inbox folder.
type InboxFile struct {
	ID         int64
	Name       string // as it was dropped
	Kind       string // items, customers, price-lists, inventory-snapshots, ...
	MessageID  string
	Size       int64
	ReceivedAt time.Time
	Rows       int // data rows read
	Applied    int
	Result     string   // InboxProcessed, InboxDuplicate or InboxFailed
	Errors     []string // what was wrong, one line per bad row
	StoredAs   string   // where the file went, relative to the inbox folder
}

// RecordInboxFile lists a file taken from the inbox folder.
func (db *DB) RecordInboxFile(ctx context.Context, f InboxFile) (int64, error) {
	var id int64
	err := db.Update(ctx, func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `INSERT INTO inbox_files (name, kind, message_id, size, received_at, rows, applied, result, errors, stored_as)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, f.Name, f.Kind, f.MessageID, f.Size, FormatTime(f.ReceivedAt), f.Rows, f.Applied, f.Result,
			strings.Join(f.Errors, "\n"), f.StoredAs)
		if err != nil {
			return err
		}
		id, _ = r.LastInsertId()
		return nil
	})
	return id, err
}

// RecentInboxFiles lists the newest files taken from the inbox folder.
func (db *DB) RecentInboxFiles(ctx context.Context, limit int) ([]InboxFile, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, name, kind, message_id, size, received_at, rows, applied, result, errors, stored_as
		FROM inbox_files ORDER BY received_at DESC, id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []InboxFile
	for rows.Next() {
		var f InboxFile
		var at, errs string
		if err := rows.Scan(&f.ID, &f.Name, &f.Kind, &f.MessageID, &f.Size, &at, &f.Rows, &f.Applied, &f.Result, &errs, &f.StoredAs); err != nil {
			return nil, err
		}
		f.ReceivedAt = ParseTime(at)
		if errs != "" {
			f.Errors = strings.Split(errs, "\n")
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// DeleteOldInboxFiles forgets files taken before cutoff and returns where
// they were stored, so the caller removes them from the folder too.
func (db *DB) DeleteOldInboxFiles(ctx context.Context, cutoff time.Time) ([]string, error) {
	var stored []string
	err := db.Update(ctx, func(tx *sql.Tx) error {
		var err error
		stored, err = queryColumn[string](ctx, tx, `SELECT stored_as FROM inbox_files WHERE received_at < ?`, FormatTime(cutoff))
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM inbox_files WHERE received_at < ?`, FormatTime(cutoff))
		return err
	})
	return stored, err
}
