package store

import (
	"context"
	"database/sql"
	"fmt"
)

// queueLinesClosed queues a line.closed message to the ERP for each of
// lineIDs (lines of one order) that is closed now: every unit cancelled,
// or every unit not cancelled shipped and each of its shipped groups
// invoiced. Callers pass the lines a change may just have closed (a line
// whose status became shipped or cancelled, the lines of groups just
// invoiced), so each line is announced once.
func queueLinesClosed(ctx context.Context, tx *sql.Tx, now string, orderID int64, lineIDs []int64) error {
	for _, id := range lineIDs {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM order_lines l WHERE l.id = ? AND (l.quantity = l.qty_cancelled
			OR (l.qty_shipped = l.quantity - l.qty_cancelled AND NOT EXISTS (SELECT 1 FROM fulfilment_group_lines gl
				JOIN fulfilment_groups g ON g.id = gl.group_id WHERE gl.order_line_id = l.id AND g.status = 'shipped' AND g.invoice_id IS NULL)))`,
			id).Scan(&one)
		if err == sql.ErrNoRows {
			continue
		} else if err != nil {
			return fmt.Errorf("line closed: %w", err)
		}
		if err := insertOutboxTx(ctx, tx, now, OutboxMessage{Topic: "line.closed",
			Destination: "erp", OrderID: orderID, LineID: id}); err != nil {
			return err
		}
	}
	return nil
}
