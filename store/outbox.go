package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/oms/oms/domain"
)

// OutboxEntry is one queued message with the domain values it announces,
// read when it is sent, for the dispatcher to render.
type OutboxEntry struct {
	ID          int64
	MessageID   string
	Topic       string
	Destination string
	Detail      string // the row's plain detail (a reason), if any
	Attempts    int
	CreatedAt   time.Time
	// Order is the order the message is about (ID 0 when none), with
	// every line; Group and GroupLines the fulfilment group, if any.
	Order      domain.Order
	Lines      []domain.OrderLine
	Group      *domain.FulfilmentGroup
	GroupLines []domain.GroupLine
	// Line is the order line the message is about (a cancelled line, a
	// changed price), one of Lines; nil when none.
	Line *domain.OrderLine
	// Backorders are the order's waiting backorders (for order.accepted).
	Backorders []domain.Backorder
}

// Key is what orders messages: those with one key go out one at a time,
// in the order they were written.
func (e OutboxEntry) Key() string {
	if e.Order.ID == 0 {
		return fmt.Sprintf("m%d", e.ID)
	}
	return fmt.Sprintf("%s/%d", e.Destination, e.Order.ID)
}

// ClaimOutbox takes up to limit messages for the destinations that are
// due, leases them for lease (another dispatcher, or this one after a
// crash, takes them again only after it), and returns them in id order
// with their domain values. A message waits while an earlier message of
// the same order and destination is undelivered (pending or dead), so that
// each order's messages arrive in order; several of one order may be
// returned together, to be sent one after the other.
func (db *DB) ClaimOutbox(ctx context.Context, destinations []string, limit int, lease time.Duration) ([]OutboxEntry, error) {
	if len(destinations) == 0 || limit <= 0 {
		return nil, nil
	}
	now := db.Now()
	var claimed []OutboxEntry
	err := db.Update(ctx, func(tx *sql.Tx) error {
		// One query per destination over outbox_destination (destination,
		// status, id), which reads the due messages in id order and stops
		// at limit. The planner's own choice without statistics, the
		// pending index by next_attempt_at, read and sorted every due
		// message of every destination to take a few: with thousands of
		// e-mails waiting, each claim of 5 cost milliseconds of the writer.
		type candidate struct {
			e       OutboxEntry
			blocked bool
		}
		var cands []candidate
		for _, dest := range slices.Compact(slices.Sorted(slices.Values(destinations))) {
			rows, err := tx.QueryContext(ctx, `SELECT o.id, o.message_id, o.topic, o.destination, o.payload, o.attempts, o.created_at,
				coalesce(o.order_id, 0), coalesce(o.group_id, 0), coalesce(o.line_id, 0),
				o.order_id IS NOT NULL AND EXISTS (SELECT 1 FROM outbox p WHERE p.order_id = o.order_id AND p.destination = o.destination
					AND p.id < o.id AND p.status IN ('pending', 'dead'))
				FROM outbox o INDEXED BY outbox_destination
				WHERE o.destination = ? AND o.status = 'pending' AND o.next_attempt_at <= ?
				ORDER BY o.id LIMIT ?`, dest, FormatTime(now), limit)
			if err != nil {
				return fmt.Errorf("claim outbox: %w", err)
			}
			for rows.Next() {
				var c candidate
				var created string
				var groupID, lineID int64
				if err := rows.Scan(&c.e.ID, &c.e.MessageID, &c.e.Topic, &c.e.Destination, &c.e.Detail, &c.e.Attempts, &created,
					&c.e.Order.ID, &groupID, &lineID, &c.blocked); err != nil {
					rows.Close()
					return err
				}
				c.e.CreatedAt = ParseTime(created)
				if groupID != 0 {
					c.e.Group = &domain.FulfilmentGroup{ID: groupID}
				}
				if lineID != 0 {
					c.e.Line = &domain.OrderLine{ID: lineID}
				}
				cands = append(cands, c)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		slices.SortFunc(cands, func(a, b candidate) int { return cmp.Compare(a.e.ID, b.e.ID) })
		if len(cands) > limit {
			cands = cands[:limit]
		}
		// first[key] is whether the key's first candidate may go; later
		// candidates of the key follow it (their "blocked" is the first).
		first := map[string]bool{}
		for _, c := range cands {
			e := c.e
			ok, seen := first[e.Key()]
			if !seen {
				ok = !c.blocked
				first[e.Key()] = ok
			}
			if ok {
				claimed = append(claimed, e)
			}
		}
		until := FormatTime(now.Add(lease))
		for _, e := range claimed {
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET next_attempt_at = ? WHERE id = ?`, until, e.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil || len(claimed) == 0 {
		return nil, err
	}
	err = db.View(ctx, func(tx *sql.Tx) error {
		c := outboxCache{orders: map[int64]*OutboxEntry{}, groups: map[int64][]domain.FulfilmentGroup{}}
		for i := range claimed {
			if err := c.load(ctx, tx, &claimed[i]); err != nil {
				return err
			}
		}
		return nil
	})
	return claimed, err
}

// outboxCache reads each order of a batch once.
type outboxCache struct {
	orders map[int64]*OutboxEntry
	groups map[int64][]domain.FulfilmentGroup
}

// load reads the order, lines and group an entry is about.
func (c outboxCache) load(ctx context.Context, tx *sql.Tx, e *OutboxEntry) error {
	if e.Order.ID != 0 {
		if o, ok := c.orders[e.Order.ID]; ok {
			e.Order, e.Lines, e.Backorders = o.Order, o.Lines, o.Backorders
		} else {
			o, err := orderByID(ctx, tx, e.Order.ID)
			if err != nil {
				return err
			}
			e.Order = o
			page, err := orderLines(ctx, tx, o.ID, LineQuery{PerPage: MaxLinesPerPage})
			if err != nil {
				return err
			}
			e.Lines = page.Lines
			if o.HasBackorder {
				if e.Backorders, err = orderBackorders(ctx, tx, o.ID); err != nil {
					return err
				}
			}
			c.orders[o.ID] = e
		}
	}
	if e.Line != nil {
		id := e.Line.ID
		e.Line = nil
		for i := range e.Lines {
			if e.Lines[i].ID == id {
				e.Line = &e.Lines[i]
			}
		}
	}
	if e.Group == nil {
		return nil
	}
	id := e.Group.ID
	groups, ok := c.groups[e.Order.ID]
	if !ok {
		var err error
		if groups, err = orderGroups(ctx, tx, e.Order.ID); err != nil {
			return err
		}
		c.groups[e.Order.ID] = groups
	}
	for i := range groups {
		if groups[i].ID == id {
			e.Group = &groups[i]
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT l.line_no, l.sku, gl.quantity FROM fulfilment_group_lines gl
		JOIN order_lines l ON l.id = gl.order_line_id WHERE gl.group_id = ? ORDER BY l.line_no`, id)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var l domain.GroupLine
		if err := rows.Scan(&l.LineNo, &l.SKU, &l.Quantity); err != nil {
			return err
		}
		e.GroupLines = append(e.GroupLines, l)
	}
	return rows.Err()
}

// DeliveryResult is what became of one attempt to send a message.
type DeliveryResult struct {
	ID        int64
	Delivered bool
	// NotTried is set for a message that waited behind a failed earlier
	// message of its order: it goes back to the queue untouched.
	NotTried bool
	Status   int    // HTTP status received, 0 when none
	Error    string // what went wrong, with the response received
	// RetryAt is when to try again; zero makes the message a dead letter.
	RetryAt time.Time
}

// RecordDeliveries stores the results of a batch of attempts in one
// transaction. A dead letter raises an exception and an event on its
// order, so a person sees it and can retry or skip it.
func (db *DB) RecordDeliveries(ctx context.Context, results []DeliveryResult) error {
	if len(results) == 0 {
		return nil
	}
	return db.Update(ctx, func(tx *sql.Tx) error {
		now := db.Now()
		for _, r := range results {
			if err := db.recordDelivery(ctx, tx, r, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// recordDelivery stores the result of one attempt inside the caller's
// transaction.
func (db *DB) recordDelivery(ctx context.Context, tx *sql.Tx, r DeliveryResult, now time.Time) error {
	nowS := FormatTime(now)
	var err error
	switch {
	case r.NotTried:
		_, err = tx.ExecContext(ctx, `UPDATE outbox SET next_attempt_at = ? WHERE id = ? AND status = 'pending'`, nowS, r.ID)
	case r.Delivered:
		_, err = tx.ExecContext(ctx, `UPDATE outbox SET status = 'delivered', attempts = attempts + 1, delivered_at = ?1,
			last_attempt_at = ?1, last_status = ?2, last_error = '' WHERE id = ?3`, nowS, r.Status, r.ID)
	case !r.RetryAt.IsZero():
		_, err = tx.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_attempt_at = ?,
			last_status = ?, last_error = ? WHERE id = ?`, FormatTime(r.RetryAt), nowS, r.Status, clip(r.Error, 2000), r.ID)
	default:
		err = db.deadLetter(ctx, tx, r, now)
	}
	return err
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// deadLetterSLA is how long operations has to look at a dead letter.
const deadLetterSLA = 4 * time.Hour

func (db *DB) deadLetter(ctx context.Context, tx *sql.Tx, r DeliveryResult, now time.Time) error {
	nowS := FormatTime(now)
	if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'dead', attempts = attempts + 1, last_attempt_at = ?,
		last_status = ?, last_error = ? WHERE id = ?`, nowS, r.Status, clip(r.Error, 2000), r.ID); err != nil {
		return err
	}
	var topic, dest, msgID string
	var attempts int
	var orderID int64
	if err := tx.QueryRowContext(ctx, `SELECT topic, destination, message_id, attempts, coalesce(order_id, 0) FROM outbox WHERE id = ?`, r.ID).Scan(
		&topic, &dest, &msgID, &attempts, &orderID); err != nil {
		return err
	}
	summary := fmt.Sprintf("Message %s (%s) to %s failed %d %s and is a dead letter: %s. Retry or skip it on the Integrations page.",
		topic, msgID, strings.ToUpper(dest), attempts, plural(attempts, "time", "times"), clip(r.Error, 300))
	if _, err := tx.ExecContext(ctx, `INSERT INTO exceptions (kind, order_id, outbox_id, severity, summary, sla_due_at, created_at)
		VALUES ('sync_failure', ?, ?, 'high', ?, ?, ?)`, nullID(orderID), r.ID, summary, FormatTime(now.Add(deadLetterSLA)), nowS); err != nil {
		return err
	}
	return db.insertEvent(ctx, tx, Event{OrderID: orderID, Kind: "sync.dead_letter", Actor: "system", Summary: summary})
}

// RetryDeadLetter puts a dead letter back in the queue to be sent now and
// resolves its exception. Only admins. Returns ENOTFOUND, EFORBIDDEN, and
// ECONFLICT for a message that is not a dead letter.
func (db *DB) RetryDeadLetter(ctx context.Context, id int64, actor string, role domain.Role) error {
	return db.settleDeadLetter(ctx, id, actor, role, `UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?1
		WHERE id = ?2 AND ?3 <> ''`, "retried", "sync.retried")
}

// SkipDeadLetter gives up on a dead letter: it is never sent, and later
// messages of its order go on. Only admins. Returns ENOTFOUND, EFORBIDDEN,
// and ECONFLICT for a message that is not a dead letter.
func (db *DB) SkipDeadLetter(ctx context.Context, id int64, actor string, role domain.Role) error {
	return db.settleDeadLetter(ctx, id, actor, role, `UPDATE outbox SET status = 'delivered', delivered_at = ?1, skipped_by = ?3
		WHERE id = ?2`, "skipped", "sync.skipped")
}

func (db *DB) settleDeadLetter(ctx context.Context, id int64, actor string, role domain.Role, update, verb, kind string) error {
	if role != domain.RoleAdmin {
		return domain.Errorf(domain.EFORBIDDEN, "Only an administrator may retry or skip messages.")
	}
	return db.Update(ctx, func(tx *sql.Tx) error {
		var status, topic, msgID string
		var orderID int64
		err := tx.QueryRowContext(ctx, `SELECT status, topic, message_id, coalesce(order_id, 0) FROM outbox WHERE id = ?`, id).Scan(&status, &topic, &msgID, &orderID)
		if err == sql.ErrNoRows {
			return domain.Errorf(domain.ENOTFOUND, "There is no outbox message %d.", id)
		} else if err != nil {
			return err
		}
		if status != "dead" {
			return domain.Errorf(domain.ECONFLICT, "Message %s is %s, not a dead letter.", msgID, status)
		}
		now := db.now()
		if _, err := tx.ExecContext(ctx, update, now, id, actor); err != nil {
			return err
		}
		note := fmt.Sprintf("Message %s %s by %s.", msgID, verb, actor)
		if _, err := tx.ExecContext(ctx, `UPDATE exceptions SET status = 'resolved', resolved_at = ?, resolved_by = ?, resolution_note = ?
			WHERE outbox_id = ? AND status <> 'resolved'`, now, actor, note, id); err != nil {
			return err
		}
		return db.insertEvent(ctx, tx, Event{OrderID: orderID, Kind: kind, Actor: actor, Summary: fmt.Sprintf("Message %s (%s) %s.", topic, msgID, verb)})
	})
}

// DestinationStatus is the state of one destination's queue.
type DestinationStatus struct {
	Destination   string
	Pending       int
	Failing       int // pending messages that failed at least once
	Dead          int
	OldestPending time.Time
	LastDelivered time.Time
}

// OutboxRow is one outbox message as the Integrations page lists it.
type OutboxRow struct {
	ID            int64
	MessageID     string
	Topic         string
	Destination   string
	OrderNumber   string
	Status        string // pending, delivered, dead, skipped
	Attempts      int
	LastStatus    int
	LastError     string
	CreatedAt     time.Time
	NextAttemptAt time.Time
	LastAttemptAt time.Time
	DeliveredAt   time.Time
}

// OutboxOverview returns the queue of each destination: the ones given
// (configured) and any other that has messages, by name.
func (db *DB) OutboxOverview(ctx context.Context, destinations []string) ([]DestinationStatus, error) {
	var out []DestinationStatus
	err := db.View(ctx, func(tx *sql.Tx) error {
		have, err := queryColumn[string](ctx, tx, `SELECT DISTINCT destination FROM outbox`)
		if err != nil {
			return err
		}
		names := map[string]bool{}
		for _, d := range append(have, destinations...) {
			names[d] = true
		}
		for _, d := range slices.Sorted(maps.Keys(names)) {
			s := DestinationStatus{Destination: d}
			var oldest, last sql.NullString
			if err := tx.QueryRowContext(ctx, `SELECT
				(SELECT count(*) FROM outbox WHERE destination = ?1 AND status = 'pending'),
				(SELECT count(*) FROM outbox WHERE destination = ?1 AND status = 'pending' AND attempts > 0),
				(SELECT count(*) FROM outbox WHERE destination = ?1 AND status = 'dead'),
				(SELECT created_at FROM outbox WHERE destination = ?1 AND status = 'pending' ORDER BY id LIMIT 1),
				(SELECT delivered_at FROM outbox WHERE destination = ?1 AND status = 'delivered' AND skipped_by IS NULL
					ORDER BY delivered_at DESC LIMIT 1)`,
				d).Scan(&s.Pending, &s.Failing, &s.Dead, &oldest, &last); err != nil {
				return err
			}
			s.OldestPending, s.LastDelivered = ParseTime(oldest.String), ParseTime(last.String)
			out = append(out, s)
		}
		return nil
	})
	return out, err
}

// OutboxQuery selects outbox messages for a listing.
type OutboxQuery struct {
	Destination string // "" for every destination
	Problems    bool   // only dead letters and messages that failed at least once
	Limit       int
}

// OutboxMessages lists outbox messages, newest first.
func (db *DB) OutboxMessages(ctx context.Context, q OutboxQuery) ([]OutboxRow, error) {
	where, args := []string{"1 = 1"}, []any{}
	if q.Destination != "" {
		where, args = append(where, "m.destination = ?"), append(args, q.Destination)
	}
	if q.Problems {
		where = append(where, "m.status IN ('pending', 'dead') AND (m.attempts > 0 OR m.status = 'dead')")
	}
	if q.Limit <= 0 || q.Limit > 500 {
		q.Limit = 50
	}
	rows, err := db.read.QueryContext(ctx, `SELECT m.id, m.message_id, m.topic, m.destination, coalesce(o.number, ''),
		CASE WHEN m.skipped_by IS NOT NULL THEN 'skipped' ELSE m.status END, m.attempts, m.last_status, m.last_error,
		m.created_at, m.next_attempt_at, coalesce(m.last_attempt_at, ''), coalesce(m.delivered_at, '')
		FROM outbox m LEFT JOIN orders o ON o.id = m.order_id WHERE `+strings.Join(where, " AND ")+` ORDER BY m.id DESC LIMIT ?`,
		append(args, q.Limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []OutboxRow
	for rows.Next() {
		var r OutboxRow
		var created, next, last, delivered string
		if err := rows.Scan(&r.ID, &r.MessageID, &r.Topic, &r.Destination, &r.OrderNumber, &r.Status, &r.Attempts, &r.LastStatus,
			&r.LastError, &created, &next, &last, &delivered); err != nil {
			return nil, err
		}
		r.CreatedAt, r.NextAttemptAt, r.LastAttemptAt, r.DeliveredAt = ParseTime(created), ParseTime(next), ParseTime(last), ParseTime(delivered)
		out = append(out, r)
	}
	return out, rows.Err()
}

// DeleteDeliveredOutbox deletes messages delivered (or skipped) longer
// than retention ago, so the outbox does not grow without bound; it
// returns how many it deleted.
func (db *DB) DeleteDeliveredOutbox(ctx context.Context, retention time.Duration) (int64, error) {
	var n int64
	err := db.Update(ctx, func(tx *sql.Tx) error {
		cut := FormatTime(db.Now().Add(-retention))
		if _, err := tx.ExecContext(ctx, `UPDATE exceptions SET outbox_id = NULL WHERE outbox_id IN
			(SELECT id FROM outbox WHERE status = 'delivered' AND delivered_at < ?)`, cut); err != nil {
			return err
		}
		r, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE status = 'delivered' AND delivered_at < ?`, cut)
		if err != nil {
			return err
		}
		n, _ = r.RowsAffected()
		return nil
	})
	return n, err
}
