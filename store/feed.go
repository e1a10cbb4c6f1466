package store

import (
	"context"
	"database/sql"
	"time"
)

// FeedEvent is one event of the change feed, in commit order: an order
// event (OrderNumber set) or an inventory event (SKU and Location set).
type FeedEvent struct {
	ID           int64  // also the cursor: events commit in id order (one writer)
	OrderNumber  string // "" for an inventory event
	OrderVersion int64  // the order's version after the change; 0 when unknown (older events)
	Kind         string
	Actor        string
	At           time.Time
	Summary      string
	Before       string // the order's status before, "" when the event did not change it
	After        string // the order's status after, "" when the event did not change it
	// Stock is the change of an inventory event; nil for an order event.
	Stock *StockChange
}

// StockChange is what an inventory event changed: on hand of an item at a
// location, by Quantity, and on hand and available to promise after it.
type StockChange struct {
	SKU       string
	Location  string
	Quantity  int64
	OnHand    int64
	Available int64
}

// MaxFeedPage is the most events one feed page returns.
const MaxFeedPage = 1000

// EventsAfter returns up to limit events with an id above after, order
// and inventory events together, in commit order. The store has one
// writer, so ids are assigned in commit order and a reader never sees a
// later id before an earlier one.
func (db *DB) EventsAfter(ctx context.Context, after int64, limit int) ([]FeedEvent, error) {
	if limit <= 0 || limit > MaxFeedPage {
		limit = MaxFeedPage
	}
	rows, err := db.read.QueryContext(ctx, `SELECT e.id, coalesce(o.number, ''), coalesce(e.order_version, 0), e.kind, e.actor, e.at, e.summary,
			e.before, e.after, it.sku, l.code, coalesce(e.quantity, 0), coalesce(e.on_hand, 0), coalesce(e.available, 0)
		FROM events e LEFT JOIN orders o ON o.id = e.order_id
		LEFT JOIN items it ON it.id = e.item_id LEFT JOIN locations l ON l.id = e.location_id
		WHERE e.id > ? AND (o.id IS NOT NULL OR it.id IS NOT NULL) ORDER BY e.id LIMIT ?`, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]FeedEvent, 0, limit)
	for rows.Next() {
		var e FeedEvent
		var at string
		var sku, loc sql.NullString
		var st StockChange
		if err := rows.Scan(&e.ID, &e.OrderNumber, &e.OrderVersion, &e.Kind, &e.Actor, &at, &e.Summary, &e.Before, &e.After,
			&sku, &loc, &st.Quantity, &st.OnHand, &st.Available); err != nil {
			return nil, err
		}
		e.At = ParseTime(at)
		if sku.Valid {
			st.SKU, st.Location = sku.String, loc.String
			e.Stock = &st
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
