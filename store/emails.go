package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/oms/oms/domain"
)

// Topics of the customer e-mails, queued to destination email and sent
// (or kept) by package notify.
const (
	TopicShipmentEmail  = "customer.shipment_notice"
	TopicBackorderEmail = "customer.backorder_notice"
)

// SettingBackorderEmails is the setting that says whether an order that
// goes to backorder when it is captured e-mails the customer by itself
// ("on", the default, or "off"); customer service can always send the
// notice from the order page.
const SettingBackorderEmails = "notify.backorder_auto"

// Recipient is who hears of a customer's orders by e-mail.
type Recipient struct {
	Name  string
	Email string
}

// CustomerEmail is one e-mail to a customer about an order, as it was
// sent (status sent), kept because no SMTP server is configured (kept), or
// given up on (failed: its outbox message is a dead letter).
type CustomerEmail struct {
	ID          int64
	MessageID   string // the outbox message's id; the e-mail's Message-ID
	OrderID     int64
	OrderNumber string
	Kind        string // shipment, backorder
	Recipient   string
	Subject     string
	Body        string
	Status      string // sent, kept, failed
	Detail      string // how it went: the SMTP server, or the last error
	CreatedAt   time.Time
}

// EmailKindOf is the kind of e-mail an outbox topic asks for, or "".
func EmailKindOf(topic string) string {
	switch topic {
	case TopicShipmentEmail:
		return "shipment"
	case TopicBackorderEmail:
		return "backorder"
	}
	return ""
}

// EmailRecipient is who gets the e-mails about a customer's orders: the
// customer's own address (the one the account orders with), else its
// purchasing contact, else its receiving contact, else its first contact
// with an address. ok is false when the customer has no address at all.
func (db *DB) EmailRecipient(ctx context.Context, customerID int64) (r Recipient, ok bool, err error) {
	err = db.View(ctx, func(tx *sql.Tx) error {
		r, ok, err = emailRecipient(ctx, tx, customerID)
		return err
	})
	return r, ok, err
}

func emailRecipient(ctx context.Context, tx *sql.Tx, customerID int64) (Recipient, bool, error) {
	var r Recipient
	err := tx.QueryRowContext(ctx, `SELECT c.email, coalesce((SELECT k.name FROM customer_contacts k
		WHERE k.customer_id = c.id AND k.email = c.email ORDER BY k.id LIMIT 1), c.name)
		FROM customers c WHERE c.id = ? AND trim(c.email) <> ''`, customerID).Scan(&r.Email, &r.Name)
	if err == nil {
		return r, true, nil
	} else if !errors.Is(err, sql.ErrNoRows) {
		return r, false, fmt.Errorf("read customer e-mail: %w", err)
	}
	err = tx.QueryRowContext(ctx, `SELECT email, name FROM customer_contacts WHERE customer_id = ? AND trim(email) <> ''
		ORDER BY CASE WHEN role LIKE 'purchas%' THEN 0 WHEN role LIKE 'receiv%' THEN 1 ELSE 2 END, id LIMIT 1`, customerID).Scan(&r.Email, &r.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	} else if err != nil {
		return r, false, fmt.Errorf("read contact e-mail: %w", err)
	}
	return r, true, nil
}

// noEmailEvent is what an order says when its customer gets no e-mail:
// neither the customer nor a contact has an address.
func noEmailEvent(what, account string) Event {
	return Event{Kind: "customer.email", Actor: "system",
		Summary: fmt.Sprintf("No %s: customer %s has no e-mail address and no contact with one.", what, account)}
}

// queueShipmentEmail queues the customer's e-mail about a shipped group
// inside the caller's transaction, or, when the customer has no e-mail
// address, says so on the order.
func (db *DB) queueShipmentEmail(ctx context.Context, tx *sql.Tx, o domain.Order, groupID int64) error {
	_, ok, err := emailRecipient(ctx, tx, o.CustomerID)
	if err != nil {
		return err
	}
	if !ok {
		e := noEmailEvent("shipment e-mail", o.CustomerAccount)
		e.OrderID = o.ID
		return db.insertEvent(ctx, tx, e)
	}
	return db.insertOutbox(ctx, tx, OutboxMessage{MessageID: fmt.Sprintf("shipment-email-%d", groupID), Topic: TopicShipmentEmail,
		Destination: "email", OrderID: o.ID, GroupID: groupID})
}

// queueBackorderEmail queues a backorder notice of order orderID as
// message msgID, for a customer the caller knows has an address. The row
// names the order only; the sender reads its backorders when it renders.
func (db *DB) queueBackorderEmail(ctx context.Context, tx *sql.Tx, msgID string, orderID int64) error {
	return db.insertOutbox(ctx, tx, OutboxMessage{MessageID: msgID,
		Topic: TopicBackorderEmail, Destination: "email", OrderID: orderID})
}

// backorderEmailsAutomatic reads SettingBackorderEmails (default on).
func backorderEmailsAutomatic(ctx context.Context, tx *sql.Tx) (bool, error) {
	v, ok, err := setting(ctx, tx, SettingBackorderEmails)
	return !ok || v != "off", err
}

// BackorderEmailsAutomatic reports whether captured orders that go to
// backorder e-mail the customer by themselves.
func (db *DB) BackorderEmailsAutomatic(ctx context.Context) (bool, error) {
	v, ok, err := db.Setting(ctx, SettingBackorderEmails)
	return !ok || v != "off", err
}

// EmailDelivery is what became of one attempt to send a customer e-mail.
type EmailDelivery struct {
	DeliveryResult
	// Email is what was rendered (its status sent or kept when
	// delivered); nil when it could not be rendered.
	Email *CustomerEmail
	// Why is what the e-mail is about, for the order's event
	// ("shipment 1 shipped via UPS 1Z...").
	Why string
	// Skipped says why nothing was sent although the message is done (a
	// backorder filled before its notice went out).
	Skipped string
}

// RecordEmailDeliveries stores the results of a batch of customer e-mail
// attempts in one transaction: the outbox rows (retries and dead letters
// as RecordDeliveries), each e-mail sent, kept or failed, and an event on
// its order (who: system; what: the e-mail, its recipient and subject;
// why).
func (db *DB) RecordEmailDeliveries(ctx context.Context, results []EmailDelivery) error {
	if len(results) == 0 {
		return nil
	}
	return db.Update(ctx, func(tx *sql.Tx) error {
		now := db.Now()
		for _, r := range results {
			if err := db.recordDelivery(ctx, tx, r.DeliveryResult, now); err != nil {
				return err
			}
			dead := !r.Delivered && !r.NotTried && r.RetryAt.IsZero()
			switch {
			case r.Delivered && r.Email != nil:
				if err := db.saveEmail(ctx, tx, *r.Email, now); err != nil {
					return err
				}
				e := r.Email
				what := "Sent."
				if e.Status == "kept" {
					what = "Kept, not sent: " + e.Detail
				}
				summary := fmt.Sprintf("%s e-mail to %s: %s. %s", capitalFirst(e.Kind), e.Recipient, e.Subject, what)
				if r.Why != "" {
					summary += " Reason: " + r.Why
				}
				if err := db.insertEvent(ctx, tx, Event{OrderID: e.OrderID, Kind: "customer.email", Actor: "system", Summary: summary}); err != nil {
					return err
				}
			case r.Delivered && r.Skipped != "":
				var orderID int64
				if err := tx.QueryRowContext(ctx, `SELECT coalesce(order_id, 0) FROM outbox WHERE id = ?`, r.ID).Scan(&orderID); err != nil {
					return err
				}
				if err := db.insertEvent(ctx, tx, Event{OrderID: orderID, Kind: "customer.email", Actor: "system", Summary: r.Skipped}); err != nil {
					return err
				}
			case dead && r.Email != nil:
				e := *r.Email
				e.Status, e.Detail = "failed", r.Error
				if err := db.saveEmail(ctx, tx, e, now); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// saveEmail stores an e-mail, replacing an earlier copy of the same
// message (a dead letter retried).
func (db *DB) saveEmail(ctx context.Context, tx *sql.Tx, e CustomerEmail, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO customer_emails (message_id, order_id, kind, recipient, subject, body, status, detail, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (message_id) DO UPDATE SET recipient = excluded.recipient, subject = excluded.subject, body = excluded.body,
			status = excluded.status, detail = excluded.detail, created_at = excluded.created_at`,
		e.MessageID, nullID(e.OrderID), e.Kind, e.Recipient, e.Subject, e.Body, e.Status, clip(e.Detail, 2000), FormatTime(now))
	if err != nil {
		return fmt.Errorf("save customer e-mail: %w", err)
	}
	return nil
}

func capitalFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// EmailQuery selects customer e-mails for a listing.
type EmailQuery struct {
	OrderID int64  // 0 for every order
	Status  string // "" for every status
	Before  int64  // only e-mails with a smaller id (the next page); 0 for the newest
	Limit   int    // at most 200; default 50
}

// CustomerEmails lists customer e-mails, newest first.
func (db *DB) CustomerEmails(ctx context.Context, q EmailQuery) ([]CustomerEmail, error) {
	where, args := []string{"1 = 1"}, []any{}
	if q.OrderID != 0 {
		where, args = append(where, "e.order_id = ?"), append(args, q.OrderID)
	}
	if q.Status != "" {
		where, args = append(where, "e.status = ?"), append(args, q.Status)
	}
	if q.Before > 0 {
		where, args = append(where, "e.id < ?"), append(args, q.Before)
	}
	if q.Limit <= 0 || q.Limit > 200 {
		q.Limit = 50
	}
	return db.readEmails(ctx, `WHERE `+strings.Join(where, " AND ")+` ORDER BY e.id DESC LIMIT ?`, append(args, q.Limit)...)
}

// CustomerEmailByID reads one customer e-mail. Returns ENOTFOUND.
func (db *DB) CustomerEmailByID(ctx context.Context, id int64) (CustomerEmail, error) {
	es, err := db.readEmails(ctx, `WHERE e.id = ?`, id)
	if err != nil {
		return CustomerEmail{}, err
	}
	if len(es) == 0 {
		return CustomerEmail{}, domain.Errorf(domain.ENOTFOUND, "There is no customer e-mail %d (e-mails are kept for a while, then deleted).", id)
	}
	return es[0], nil
}

func (db *DB) readEmails(ctx context.Context, rest string, args ...any) ([]CustomerEmail, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT e.id, e.message_id, coalesce(e.order_id, 0), coalesce(o.number, ''), e.kind, e.recipient,
		e.subject, e.body, e.status, e.detail, e.created_at FROM customer_emails e LEFT JOIN orders o ON o.id = e.order_id `+rest, args...)
	if err != nil {
		return nil, fmt.Errorf("list customer e-mails: %w", err)
	}
	defer rows.Close()
	var out []CustomerEmail
	for rows.Next() {
		var e CustomerEmail
		var at string
		if err := rows.Scan(&e.ID, &e.MessageID, &e.OrderID, &e.OrderNumber, &e.Kind, &e.Recipient, &e.Subject, &e.Body,
			&e.Status, &e.Detail, &at); err != nil {
			return nil, err
		}
		e.CreatedAt = ParseTime(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// CustomerEmailCounts counts the stored e-mails by status.
func (db *DB) CustomerEmailCounts(ctx context.Context) (map[string]int, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT status, count(*) FROM customer_emails GROUP BY status`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, err
		}
		out[s] = n
	}
	return out, rows.Err()
}

// DeleteOldCustomerEmails deletes e-mails stored longer than retention ago
// (the order's events keep who was sent what); it returns how many.
func (db *DB) DeleteOldCustomerEmails(ctx context.Context, retention time.Duration) (int64, error) {
	var n int64
	err := db.Update(ctx, func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `DELETE FROM customer_emails WHERE created_at < ?`, FormatTime(db.Now().Add(-retention)))
		if err != nil {
			return err
		}
		n, _ = r.RowsAffected()
		return nil
	})
	return n, err
}
