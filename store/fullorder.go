package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/oms/oms/domain"
)

// FullOrder is an order with every line and the lines of each group: what
// the JSON API shows of an order (package wire builds its JSON).
type FullOrder struct {
	OrderDetail
	// GroupLines are the lines of each group, by group id, in line order.
	GroupLines map[int64][]domain.GroupLine
}

// FullOrderByNumber returns the order with every line and the lines of
// each group, in one read transaction. Returns ENOTFOUND.
func (db *DB) FullOrderByNumber(ctx context.Context, number string) (FullOrder, error) {
	var out FullOrder
	err := db.View(ctx, func(tx *sql.Tx) error {
		o, err := orderByNumber(ctx, tx, number)
		if err != nil {
			return err
		}
		out, err = fullOrder(ctx, tx, o, db.Now())
		return err
	})
	return out, err
}

// fullOrder reads the detail of o with every line, however many pages they
// take, and the lines of each group.
func fullOrder(ctx context.Context, tx *sql.Tx, o domain.Order, now time.Time) (FullOrder, error) {
	lq := LineQuery{PerPage: MaxLinesPerPage}
	d, err := orderDetail(ctx, tx, o, lq, "", now)
	if err != nil {
		return FullOrder{}, err
	}
	for lq.Page = 2; lq.Page <= d.Lines.Pages; lq.Page++ {
		p, err := orderLines(ctx, tx, o.ID, lq)
		if err != nil {
			return FullOrder{}, err
		}
		d.Lines.Lines = append(d.Lines.Lines, p.Lines...)
	}
	gl, err := groupLines(ctx, tx, o.ID)
	if err != nil {
		return FullOrder{}, err
	}
	return FullOrder{OrderDetail: d, GroupLines: gl}, nil
}

// groupLines reads the lines of every group of an order in one query,
// keyed by group id.
func groupLines(ctx context.Context, tx *sql.Tx, orderID int64) (map[int64][]domain.GroupLine, error) {
	rows, err := tx.QueryContext(ctx, `SELECT gl.group_id, l.line_no, l.sku, gl.quantity
		FROM fulfilment_groups g
		JOIN fulfilment_group_lines gl ON gl.group_id = g.id
		JOIN order_lines l ON l.id = gl.order_line_id
		WHERE g.order_id = ? ORDER BY g.seq, l.line_no`, orderID)
	if err != nil {
		return nil, fmt.Errorf("read group lines: %w", err)
	}
	defer rows.Close()
	out := map[int64][]domain.GroupLine{}
	for rows.Next() {
		var id int64
		var l domain.GroupLine
		if err := rows.Scan(&id, &l.LineNo, &l.SKU, &l.Quantity); err != nil {
			return nil, err
		}
		out[id] = append(out[id], l)
	}
	return out, rows.Err()
}
