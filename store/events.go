package store

import (
	"context"
	"database/sql"
	"time"
)

// Event is one entry of an order's append-only timeline (the audit log).
type Event struct {
	ID      int64
	OrderID int64 // 0 for events of no order
	Kind    string
	Actor   string
	At      time.Time
	Summary string
	Before  string
	After   string
	Data    string // JSON, optional
}

// insertEvent appends an event inside the caller's transaction (invariant
// 4: the event commits with the change it records). A zero At means now.
func (db *DB) insertEvent(ctx context.Context, tx *sql.Tx, e Event) error {
	if e.At.IsZero() {
		e.At = db.Now()
	}
	var orderID any
	if e.OrderID != 0 {
		orderID = e.OrderID
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO events (order_id, kind, actor, at, summary, before, after, data)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, orderID, e.Kind, e.Actor, FormatTime(e.At), e.Summary, e.Before, e.After, e.Data)
	return err
}

// OutboxMessage is a message the ERP, WMS, a webhook or a customer must
// hear about, written in the transaction of the change.
type OutboxMessage struct {
	MessageID   string
	Topic       string
	Destination string
	OrderID     int64
	Payload     string // JSON
}

// insertOutbox queues a message inside the caller's transaction.
func (db *DB) insertOutbox(ctx context.Context, tx *sql.Tx, m OutboxMessage) error {
	now := db.now()
	var orderID any
	if m.OrderID != 0 {
		orderID = m.OrderID
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO outbox (message_id, topic, destination, order_id, payload, next_attempt_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, m.MessageID, m.Topic, m.Destination, orderID, m.Payload, now, now)
	return err
}
