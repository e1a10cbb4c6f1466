package store

import (
	"context"

	"github.com/oms/oms/domain"
)

// OrderStatusCounts returns how many orders are in each status, every status
// listed (zero where none).
func (db *DB) OrderStatusCounts(ctx context.Context) ([]domain.StatusCount, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT status, count(*) FROM orders GROUP BY status`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	counts := map[domain.OrderStatus]int64{}
	for rows.Next() {
		var s string
		var n int64
		if err := rows.Scan(&s, &n); err != nil {
			return nil, err
		}
		counts[domain.OrderStatus(s)] = n
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]domain.StatusCount, 0, len(domain.OrderStatuses))
	for _, s := range domain.OrderStatuses {
		out = append(out, domain.StatusCount{Status: s, Count: counts[s]})
	}
	return out, nil
}

// orderSummarySelect selects the columns scanOrderSummary reads.
const orderSummarySelect = `SELECT o.id, o.number, c.account, c.name, o.customer_po, o.ship_name, o.channel,
	o.status, o.total_cents, o.has_hold, o.has_backorder, o.created_at
	FROM orders o JOIN customers c ON c.id = o.customer_id`

func scanOrderSummary(row interface{ Scan(...any) error }) (domain.OrderSummary, error) {
	var o domain.OrderSummary
	var status, created string
	err := row.Scan(&o.ID, &o.Number, &o.CustomerAccount, &o.CustomerName, &o.CustomerPO, &o.ShipName, &o.Channel,
		&status, &o.TotalCents, &o.HasHold, &o.HasBackorder, &created)
	o.Status = domain.OrderStatus(status)
	o.CreatedAt = ParseTime(created)
	return o, err
}

// RecentOrders returns the newest orders, newest first; with statuses given,
// only orders in those statuses.
func (db *DB) RecentOrders(ctx context.Context, limit int, statuses ...domain.OrderStatus) ([]domain.OrderSummary, error) {
	q := orderSummarySelect
	var args []any
	if len(statuses) > 0 {
		q += ` WHERE o.status IN (` + placeholders(len(statuses)) + `)`
		for _, s := range statuses {
			args = append(args, string(s))
		}
	}
	q += ` ORDER BY o.created_at DESC, o.id DESC LIMIT ?`
	args = append(args, limit)
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []domain.OrderSummary
	for rows.Next() {
		o, err := scanOrderSummary(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// placeholders returns "?, ?, ..." with n marks.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	b := make([]byte, 0, n*3)
	for i := 0; i < n; i++ {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, '?')
	}
	return string(b)
}
