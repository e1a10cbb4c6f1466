package store

import (
	"context"
	"database/sql"
	"fmt"
)

// ChangeMark says how far the committed changes go: the highest event id
// (every order change writes one, and the one writer assigns ids in commit
// order), the highest exception id and the count of changes to exceptions
// (change_counters). A mark taken before a read is at or behind what the
// read saw, so changes after it are never missed.
type ChangeMark struct {
	Event             int64
	Exception         int64
	ExceptionRevision int64
}

// ChangeMark reads the current mark in one snapshot.
func (db *DB) ChangeMark(ctx context.Context) (ChangeMark, error) {
	var m ChangeMark
	err := db.View(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT
			coalesce((SELECT max(id) FROM events), 0),
			coalesce((SELECT max(id) FROM exceptions), 0),
			coalesce((SELECT n FROM change_counters WHERE name = 'exceptions'), 0)`).Scan(&m.Event, &m.Exception, &m.ExceptionRevision)
	})
	if err != nil {
		return ChangeMark{}, fmt.Errorf("read change mark: %w", err)
	}
	return m, nil
}

// OrdersChangedBetween returns the numbers of the orders with an event whose id
// is above after and at most upTo, each once, in the order of their first
// such event. complete is false when there were more than limit events in
// that range: the caller then does not know every order that changed.
func (db *DB) OrdersChangedBetween(ctx context.Context, after, upTo int64, limit int) (numbers []string, complete bool, err error) {
	if upTo <= after {
		return nil, true, nil
	}
	if upTo-after > int64(limit) {
		return nil, false, nil
	}
	rows, err := db.read.QueryContext(ctx, `SELECT o.number FROM events e JOIN orders o ON o.id = e.order_id
		WHERE e.id > ? AND e.id <= ? ORDER BY e.id`, after, upTo)
	if err != nil {
		return nil, false, fmt.Errorf("read changed orders: %w", err)
	}
	defer rows.Close()
	seen := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, false, err
		}
		if !seen[n] {
			seen[n] = true
			numbers = append(numbers, n)
		}
	}
	return numbers, true, rows.Err()
}
