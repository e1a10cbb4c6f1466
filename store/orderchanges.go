package store

import (
	"context"
	"fmt"
	"time"

	"github.com/oms/oms/domain"
)

// ChangedOrder is an order that changed, with the id of its latest event,
// which is its place in the list of changes.
type ChangedOrder struct {
	domain.Order
	LastEventID int64
}

// OrderChangesQuery selects changed orders: those whose latest event is
// after the cursor After (an event id, 0 for the start) and that were
// updated at or after Since (zero for any time).
type OrderChangesQuery struct {
	Since time.Time
	After int64
	Limit int
}

// MaxOrderChangesPage is the most orders one page of changes returns.
const MaxOrderChangesPage = 1000

// changedByUpdatedMax is the most orders changed since updated_since for
// which a page is found by updated_at and sorted (see OrdersChanged).
const changedByUpdatedMax = 100_000

// OrdersChanged returns up to q.Limit orders changed after the cursor, in
// the order of their latest change (oldest first). Each order comes once,
// at its latest event: events get their ids in commit order (one writer),
// so an order changed while a consumer pages moves behind its cursor and
// comes again, and a change committing meanwhile is never skipped.
func (db *DB) OrdersChanged(ctx context.Context, q OrderChangesQuery) ([]ChangedOrder, error) {
	if q.Limit <= 0 || q.Limit > MaxOrderChangesPage {
		q.Limit = MaxOrderChangesPage
	}
	since := ""
	if !q.Since.IsZero() {
		since = FormatTime(q.Since)
	}
	// Two ways to find the page. Walking the orders by latest event from
	// the cursor is quick while most orders it passes changed since Since;
	// when few orders changed since Since (a recent time), they are found
	// by updated_at instead and sorted. A bounded count decides.
	byUpdated := false
	if since != "" {
		var n int
		if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM orders INDEXED BY orders_updated_last_event
			WHERE updated_at >= ? LIMIT ?)`, since, changedByUpdatedMax+1).Scan(&n); err != nil {
			return nil, fmt.Errorf("changed orders: %w", err)
		}
		byUpdated = n <= changedByUpdatedMax
	}
	ids := `SELECT id FROM orders INDEXED BY orders_last_event WHERE last_event_id > ?1 AND updated_at >= ?2 ORDER BY last_event_id LIMIT ?3`
	if byUpdated {
		ids = `SELECT id FROM orders INDEXED BY orders_updated_last_event WHERE updated_at >= ?2 AND last_event_id > ?1 ORDER BY last_event_id LIMIT ?3`
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+orderColumns+`, o.last_event_id
		FROM (`+ids+`) p JOIN orders o ON o.id = p.id JOIN customers c ON c.id = o.customer_id
		ORDER BY o.last_event_id`, q.After, since, q.Limit)
	if err != nil {
		return nil, fmt.Errorf("changed orders: %w", err)
	}
	defer rows.Close()
	out := make([]ChangedOrder, 0, min(q.Limit, 100))
	for rows.Next() {
		var o ChangedOrder
		if err := scanOrder(rows, &o.Order, &o.LastEventID); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}
