package store

import (
	"context"
	"database/sql"
)

// explainBatch is how many orders ExplainDemoPlans sources per transaction.
const explainBatch = 2000

// ExplainDemoPlans sources, with the active rules and the stock as seeded,
// every demo order that still has backordered units, oldest first, so that
// open orders carry a real plan and trace that agree with the inventory
// screen. Orders whose units stay short keep them backordered, now with the
// engine's reason.
func (db *DB) ExplainDemoPlans(ctx context.Context) error {
	var after int64
	for {
		ids, err := queryColumn[int64](ctx, db.read, `SELECT id FROM orders
			WHERE id > ? AND has_backorder = 1 AND status NOT IN ('draft', 'cancelled', 'closed')
			ORDER BY id LIMIT ?`, after, explainBatch)
		if err != nil || len(ids) == 0 {
			return err
		}
		err = db.Update(ctx, func(tx *sql.Tx) error {
			for _, id := range ids {
				if _, err := db.sourceOrder(ctx, tx, id, "sourcing engine"); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		after = ids[len(ids)-1]
	}
}
