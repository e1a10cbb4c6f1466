package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/oms/oms/domain"
)

// DefaultIdempotencyRetention is how long an Idempotency-Key is remembered
// by default: 7 days. Stripe keeps keys for 24 hours, which suits a shop
// whose checkout retries within seconds. The OMS's callers are B2B
// integrations (ERPs, EDI translators, middleware) that queue orders
// through an outage and replay the queue when the line is back, often after
// a weekend or a holiday; a week covers that replay without a duplicate
// order, and a week of keys is small next to the orders they point at.
const DefaultIdempotencyRetention = 7 * 24 * time.Hour

// idempotencyPurgeBatch is the most keys deleted in one write transaction,
// so that a large backlog never holds the single writer for long: each
// batch commits and lets waiting order captures in before the next.
const idempotencyPurgeBatch = 1000

// DeleteExpiredIdempotencyKeys deletes the idempotency keys recorded more
// than retention ago, oldest first, in write transactions of at most 1,000
// keys, and returns how many it deleted. A retry with a deleted key is a new
// request: it captures a new order. The orders themselves are kept. When ctx
// ends between batches it returns the count so far with ctx's error.
// Returns EINVALID when retention is not positive.
func (db *DB) DeleteExpiredIdempotencyKeys(ctx context.Context, retention time.Duration) (int64, error) {
	if retention <= 0 {
		return 0, domain.Errorf(domain.EINVALID, "The idempotency key retention must be positive, not %s.", retention)
	}
	// One cutoff for every batch: keys recorded while the purge runs are
	// younger than it, so the loop ends.
	cutoff := FormatTime(db.Now().Add(-retention))
	var total int64
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		var n int64
		err := db.Update(ctx, func(tx *sql.Tx) error {
			var err error
			n, err = deleteIdempotencyKeysBefore(ctx, tx, cutoff, idempotencyPurgeBatch)
			return err
		})
		if err != nil {
			return total, err
		}
		total += n
		if n < idempotencyPurgeBatch {
			return total, nil
		}
	}
}

// deleteIdempotencyKeysBefore deletes up to limit keys recorded before
// cutoff, oldest first. The index idempotency_keys_created (0010_api.sql)
// finds them without reading the response bodies.
func deleteIdempotencyKeysBefore(ctx context.Context, tx *sql.Tx, cutoff string, limit int) (int64, error) {
	res, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE rowid IN (
		SELECT rowid FROM idempotency_keys WHERE created_at < ? ORDER BY created_at LIMIT ?)`, cutoff, limit)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
