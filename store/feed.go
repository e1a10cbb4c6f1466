package store

import (
	"context"
	"encoding/json"
	"fmt"
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
	// Stock is what an inventory event changed: one item for a receipt,
	// an adjustment or a shipment, up to 1,000 for a snapshot; empty for
	// an order event.
	Stock []StockChange
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
			e.before, e.after, coalesce(it.sku, ''), coalesce(l.code, ''), coalesce(e.quantity, 0), coalesce(e.on_hand, 0), coalesce(e.available, 0),
			CASE WHEN e.order_id IS NULL THEN e.data ELSE '' END
		FROM events e LEFT JOIN orders o ON o.id = e.order_id
		LEFT JOIN items it ON it.id = e.item_id LEFT JOIN locations l ON l.id = e.location_id
		WHERE e.id > ? AND (o.id IS NOT NULL OR l.id IS NOT NULL) ORDER BY e.id LIMIT ?`, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]FeedEvent, 0, limit)
	counts := map[int][]snapshotRow{} // index in out -> the rows of a snapshot event
	var itemIDs []int64
	for rows.Next() {
		var e FeedEvent
		var at, sku, loc, data string
		var st StockChange
		if err := rows.Scan(&e.ID, &e.OrderNumber, &e.OrderVersion, &e.Kind, &e.Actor, &at, &e.Summary, &e.Before, &e.After,
			&sku, &loc, &st.Quantity, &st.OnHand, &st.Available, &data); err != nil {
			return nil, err
		}
		e.At = ParseTime(at)
		switch {
		case sku != "":
			st.SKU, st.Location = sku, loc
			e.Stock = []StockChange{st}
		case loc != "" && data != "":
			var rs []snapshotRow
			if err := json.Unmarshal([]byte(data), &rs); err != nil {
				return nil, fmt.Errorf("event %d: %w", e.ID, err)
			}
			counts[len(out)] = rs
			e.Stock = make([]StockChange, len(rs))
			for i, r := range rs {
				e.Stock[i] = StockChange{Location: loc, Quantity: r[1], OnHand: r[2], Available: r[3]}
				itemIDs = append(itemIDs, r[0])
			}
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(counts) == 0 {
		return out, nil
	}
	skus, err := skusOf(ctx, db, itemIDs)
	if err != nil {
		return nil, err
	}
	for i, rs := range counts {
		for j, r := range rs {
			out[i].Stock[j].SKU = skus[r[0]]
		}
	}
	return out, nil
}

// snapshotRow is one item of a snapshot event: item id, change of on
// hand, on hand after, available after.
type snapshotRow [4]int64

// skusOf maps item ids to SKUs.
func skusOf(ctx context.Context, db *DB, ids []int64) (map[int64]string, error) {
	b, _ := json.Marshal(ids)
	rows, err := db.read.QueryContext(ctx, `SELECT id, sku FROM items WHERE id IN (SELECT value FROM json_each(?))`, string(b))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[int64]string, len(ids))
	for rows.Next() {
		var id int64
		var sku string
		if err := rows.Scan(&id, &sku); err != nil {
			return nil, err
		}
		out[id] = sku
	}
	return out, rows.Err()
}
