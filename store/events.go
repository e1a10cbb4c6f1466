package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
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
	orderID := nullID(e.OrderID)
	_, err := tx.ExecContext(ctx, `INSERT INTO events (order_id, kind, actor, at, summary, before, after, data, order_version)
		VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, (SELECT version FROM orders WHERE id = ?1))`,
		orderID, e.Kind, e.Actor, FormatTime(e.At), e.Summary, e.Before, e.After, e.Data)
	return err
}

// OutboxMessage is a message the ERP, WMS, a webhook or a customer must
// hear about, written in the transaction of the change. It names what
// happened (Topic) and the domain values it is about (the order, the
// group); the dispatcher renders the wire payload from them when it sends,
// so the store defines no wire format.
type OutboxMessage struct {
	MessageID   string // "" for a new random id
	Topic       string // e.g. order.accepted, group.released, group.shipped
	Destination string // erp, wms, vendor, webhook, email, edi
	OrderID     int64
	GroupID     int64 // 0 when the message is about no fulfilment group
	LineID      int64 // 0 when the message is about no one order line
	// Detail is a plain detail that is not in the domain tables (a
	// cancellation's reason): words, never a wire format.
	Detail string
}

// insertOutbox queues a message inside the caller's transaction, and a
// copy for each webhook subscription to its topic (see insertOutboxTx).
func (db *DB) insertOutbox(ctx context.Context, tx *sql.Tx, m OutboxMessage) error {
	return insertOutboxTx(ctx, tx, db.now(), m)
}

// insertOutboxTx queues m at now. A message to the ERP, the WMS or a
// vendor is also queued once for each active webhook subscription to its
// topic (destination "webhook:<id>", message id m's with ".w<id>"), in the
// same transaction, so a subscriber hears of exactly what committed; with
// no subscription no row is written for nobody.
func insertOutboxTx(ctx context.Context, tx *sql.Tx, now string, m OutboxMessage) error {
	if m.MessageID == "" {
		m.MessageID = newMessageID()
	}
	insert := func(id, dest string) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO outbox (message_id, topic, destination, order_id, group_id, line_id, payload,
			next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, m.Topic, dest, nullID(m.OrderID), nullID(m.GroupID), nullID(m.LineID), m.Detail, now, now)
		return err
	}
	if err := insert(m.MessageID, m.Destination); err != nil {
		return err
	}
	if !webhookSource(m.Destination) {
		return nil
	}
	subs, err := queryColumn[int64](ctx, tx, `SELECT id FROM webhook_subscriptions WHERE active = 1
		AND (topics = '*' OR instr(' ' || topics || ' ', ' ' || ? || ' ') > 0) ORDER BY id`, m.Topic)
	if err != nil {
		return fmt.Errorf("webhook subscriptions: %w", err)
	}
	for _, id := range subs {
		if err := insert(fmt.Sprintf("%s.w%d", m.MessageID, id), WebhookDestination(id)); err != nil {
			return err
		}
	}
	return nil
}

// newMessageID is a random message id (UUID version 4 form): a group can
// be released, recalled and released again, and each message needs its own.
func newMessageID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
