package store

import (
	"context"
	"time"
)

// FeedEvent is one order event of the change feed, in commit order.
type FeedEvent struct {
	ID           int64 // also the cursor: events commit in id order (one writer)
	OrderNumber  string
	OrderVersion int64 // the order's version after the change; 0 when unknown (older events)
	Kind         string
	Actor        string
	At           time.Time
	Summary      string
	Before       string // the order's status before, "" when the event did not change it
	After        string // the order's status after, "" when the event did not change it
}

// MaxFeedPage is the most events one feed page returns.
const MaxFeedPage = 1000

// EventsAfter returns up to limit order events with an id above after, in
// commit order. The store has one writer, so ids are assigned in commit
// order and a reader never sees a later id before an earlier one.
func (db *DB) EventsAfter(ctx context.Context, after int64, limit int) ([]FeedEvent, error) {
	if limit <= 0 || limit > MaxFeedPage {
		limit = MaxFeedPage
	}
	rows, err := db.read.QueryContext(ctx, `SELECT e.id, o.number, coalesce(e.order_version, 0), e.kind, e.actor, e.at, e.summary, e.before, e.after
		FROM events e JOIN orders o ON o.id = e.order_id WHERE e.id > ? ORDER BY e.id LIMIT ?`, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]FeedEvent, 0, limit)
	for rows.Next() {
		var e FeedEvent
		var at string
		if err := rows.Scan(&e.ID, &e.OrderNumber, &e.OrderVersion, &e.Kind, &e.Actor, &at, &e.Summary, &e.Before, &e.After); err != nil {
			return nil, err
		}
		e.At = ParseTime(at)
		out = append(out, e)
	}
	return out, rows.Err()
}
