package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/oms/oms/domain"
)

// ExceptionRow is one unresolved exception as the queue lists it.
type ExceptionRow struct {
	ID              int64
	Kind            string
	Severity        string
	Summary         string
	Status          string // open, in_progress
	CreatedAt       time.Time
	SLADueAt        time.Time
	HoldID          int64 // 0 unless the exception is a hold's
	HoldReason      string
	LineNo          int // 0: the whole order
	OwnerID         int64
	OwnerName       string
	OrderNumber     string // "" for an exception of no order (an EDI interchange)
	OrderVersion    int64
	OrderStatus     domain.OrderStatus
	OrderPriority   int
	ValueCents      int64
	CustomerAccount string
	CustomerName    string
	ShipTo          domain.Address
}

// Breached reports whether the exception is past its SLA at now.
func (r ExceptionRow) Breached(now time.Time) bool {
	return !r.SLADueAt.IsZero() && r.SLADueAt.Before(now)
}

// Exception queue sorts.
const (
	ExceptionSortDue   = "due"   // SLA due soonest first (default)
	ExceptionSortAge   = "age"   // oldest first
	ExceptionSortValue = "value" // highest order value first
	ExceptionSortPrio  = "priority"
	// ExceptionSortNewest is the most recently raised first (the live
	// alert of new exceptions).
	ExceptionSortNewest = "newest"
)

// ExceptionQuery filters the queue. Owner is "" (anyone), "me", "none"
// or a user id; Me is the asking user's id.
type ExceptionQuery struct {
	Kind     string
	Owner    string
	Me       int64
	Breached bool
	Q        string // order number, customer account or name
	ID       int64  // one exception
	After    int64  // only exceptions with an id above this (raised since)
	Sort     string
	Limit    int
	Offset   int
}

// Exceptions lists the unresolved exceptions matching q and counts them
// all.
func (db *DB) Exceptions(ctx context.Context, q ExceptionQuery) ([]ExceptionRow, int, error) {
	where := []string{`e.status IN ('open', 'in_progress')`}
	var args []any
	if q.Kind != "" {
		where, args = append(where, `e.kind = ?`), append(args, q.Kind)
	}
	if q.ID != 0 {
		where, args = append(where, `e.id = ?`), append(args, q.ID)
	}
	if q.After != 0 {
		where, args = append(where, `e.id > ?`), append(args, q.After)
	}
	switch q.Owner {
	case "":
	case "me":
		where, args = append(where, `e.owner_user_id = ?`), append(args, q.Me)
	case "none":
		where = append(where, `e.owner_user_id IS NULL`)
	default:
		where, args = append(where, `e.owner_user_id = ?`), append(args, q.Owner)
	}
	if q.Breached {
		where, args = append(where, `e.sla_due_at < ?`), append(args, db.now())
	}
	if s := strings.TrimSpace(q.Q); s != "" {
		where = append(where, `(o.number LIKE ? || '%' OR c.account = ? OR c.name LIKE '%' || ? || '%')`)
		args = append(args, s, s, s)
	}
	cond := strings.Join(where, " AND ")
	from := ` FROM exceptions e LEFT JOIN orders o ON o.id = e.order_id LEFT JOIN customers c ON c.id = o.customer_id
		LEFT JOIN users u ON u.id = e.owner_user_id LEFT JOIN order_lines l ON l.id = e.order_line_id
		LEFT JOIN holds h ON h.id = e.hold_id WHERE ` + cond
	var total int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*)`+from, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count exceptions: %w", err)
	}
	order := `e.sla_due_at, e.id`
	switch q.Sort {
	case ExceptionSortAge:
		order = `e.created_at, e.id`
	case ExceptionSortValue:
		order = `coalesce(o.total_cents, 0) DESC, e.id`
	case ExceptionSortNewest:
		order = `e.id DESC`
	case ExceptionSortPrio:
		order = `CASE e.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END, coalesce(o.priority, 9), e.sla_due_at, e.id`
	}
	limit := q.Limit
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	rows, err := db.read.QueryContext(ctx, `SELECT e.id, e.kind, e.severity, e.summary, e.status, e.created_at, e.sla_due_at,
			coalesce(e.hold_id, 0), coalesce(h.reason, ''), coalesce(l.line_no, 0), coalesce(e.owner_user_id, 0), coalesce(u.name, ''),
			coalesce(o.number, ''), coalesce(o.version, 0), coalesce(o.status, ''), coalesce(o.priority, 0), coalesce(o.total_cents, 0),
			coalesce(c.account, ''), coalesce(c.name, ''), coalesce(o.ship_name, ''), coalesce(o.ship_line1, ''), coalesce(o.ship_line2, ''),
			coalesce(o.ship_city, ''), coalesce(o.ship_region, ''), coalesce(o.ship_postal_code, ''), coalesce(o.ship_country, '')`+from+` ORDER BY `+order+fmt.Sprintf(` LIMIT %d OFFSET %d`, limit, max(q.Offset, 0)), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list exceptions: %w", err)
	}
	defer rows.Close()
	var out []ExceptionRow
	for rows.Next() {
		var r ExceptionRow
		var created, due, status string
		if err := rows.Scan(&r.ID, &r.Kind, &r.Severity, &r.Summary, &r.Status, &created, &due, &r.HoldID, &r.HoldReason, &r.LineNo,
			&r.OwnerID, &r.OwnerName, &r.OrderNumber, &r.OrderVersion, &status, &r.OrderPriority, &r.ValueCents,
			&r.CustomerAccount, &r.CustomerName, &r.ShipTo.Name, &r.ShipTo.Line1, &r.ShipTo.Line2, &r.ShipTo.City, &r.ShipTo.Region,
			&r.ShipTo.PostalCode, &r.ShipTo.Country); err != nil {
			return nil, 0, err
		}
		r.CreatedAt, r.SLADueAt, r.OrderStatus = ParseTime(created), ParseTime(due), domain.OrderStatus(status)
		out = append(out, r)
	}
	return out, total, rows.Err()
}

// Exception reads one unresolved exception as the queue shows it.
// Returns ENOTFOUND when there is none (or it is resolved).
func (db *DB) Exception(ctx context.Context, id int64) (ExceptionRow, error) {
	rows, _, err := db.Exceptions(ctx, ExceptionQuery{ID: id, Limit: 1})
	if err != nil {
		return ExceptionRow{}, err
	}
	if len(rows) == 0 {
		return ExceptionRow{}, domain.Errorf(domain.ENOTFOUND, "Exception %d is resolved or does not exist.", id)
	}
	return rows[0], nil
}

// exceptionOrder reads an unresolved exception's order id (0 for none)
// and owner inside the caller's transaction.
func exceptionOrder(ctx context.Context, tx *sql.Tx, id int64) (orderID int64, summary string, err error) {
	var o sql.NullInt64
	err = tx.QueryRowContext(ctx, `SELECT order_id, summary FROM exceptions WHERE id = ? AND status IN ('open', 'in_progress')`, id).Scan(&o, &summary)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", domain.Errorf(domain.ENOTFOUND, "Exception %d is resolved or does not exist.", id)
	}
	return o.Int64, summary, err
}

// queueRoles work the exception queue; customer service reads it.
var queueRoles = []domain.Role{domain.RoleOps}

// AssignExceptions gives the exceptions to owner (0: nobody) and marks
// them in progress; claiming is assigning to oneself. Each is an event on
// its order's timeline. Ops and admin. Returns EFORBIDDEN, ENOTFOUND for
// an exception already resolved or an unknown owner (nothing is changed
// then).
func (db *DB) AssignExceptions(ctx context.Context, ids []int64, ownerID int64, actor string, role domain.Role) error {
	if !domain.RoleIn(role, queueRoles...) {
		return domain.Errorf(domain.EFORBIDDEN, "Your role (%s) may not assign exceptions.", role.Label())
	}
	if len(ids) == 0 {
		return domain.Invalid("Pick at least one exception.", map[string]string{"ids": "is required"})
	}
	return db.Update(ctx, func(tx *sql.Tx) error {
		owner := "nobody"
		var ownerArg any
		if ownerID != 0 {
			if err := tx.QueryRowContext(ctx, `SELECT name FROM users WHERE id = ? AND active = 1`, ownerID).Scan(&owner); errors.Is(err, sql.ErrNoRows) {
				return domain.Invalid("There is no such user.", map[string]string{"owner": "is not an active user"})
			} else if err != nil {
				return err
			}
			ownerArg = ownerID
		}
		now := db.now()
		for _, id := range ids {
			orderID, summary, err := exceptionOrder(ctx, tx, id)
			if err != nil {
				return err
			}
			status := "in_progress"
			if ownerID == 0 {
				status = "open"
			}
			if _, err := tx.ExecContext(ctx, `UPDATE exceptions SET owner_user_id = ?, status = ?, claimed_at = ? WHERE id = ?`,
				ownerArg, status, now, id); err != nil {
				return err
			}
			if err := db.insertEvent(ctx, tx, Event{OrderID: orderID, Kind: "exception.assigned", Actor: actor,
				Summary: fmt.Sprintf("Exception assigned to %s: %s", owner, summary)}); err != nil {
				return err
			}
		}
		return nil
	})
}

// ResolveException closes an exception with a note, for kinds whose fix
// happened elsewhere (an EDI partner resent, an ERP sync retried) or that
// a person judged harmless. A hold's exception is resolved by releasing
// the hold, not here. Ops and admin; the note is required. Returns
// EFORBIDDEN, EINVALID, ENOTFOUND, ECONFLICT for a hold's exception.
func (db *DB) ResolveException(ctx context.Context, id int64, note, actor string, role domain.Role) error {
	if !domain.RoleIn(role, queueRoles...) {
		return domain.Errorf(domain.EFORBIDDEN, "Your role (%s) may not resolve exceptions.", role.Label())
	}
	note = strings.TrimSpace(note)
	if note == "" {
		return domain.Invalid("Say how it was resolved.", map[string]string{"note": "is required"})
	}
	if len([]rune(note)) > MaxReasonLength {
		return domain.Invalid("The note is too long.", map[string]string{"note": fmt.Sprintf("has at most %d characters", MaxReasonLength)})
	}
	return db.Update(ctx, func(tx *sql.Tx) error {
		orderID, summary, err := exceptionOrder(ctx, tx, id)
		if err != nil {
			return err
		}
		var open int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM exceptions e JOIN holds h ON h.id = e.hold_id
			WHERE e.id = ? AND h.released_at IS NULL`, id).Scan(&open); err != nil {
			return err
		}
		if open > 0 {
			return domain.Errorf(domain.ECONFLICT, "This exception is an open hold: release the hold (with a reason) to resolve it.")
		}
		now := db.now()
		if err := resolveExceptions(ctx, tx, actor, now, note, `id = ?`, id); err != nil {
			return err
		}
		return db.insertEvent(ctx, tx, Event{OrderID: orderID, Kind: "exception.resolved", Actor: actor,
			Summary: fmt.Sprintf("Exception resolved: %s Note: %s", summary, note)})
	})
}

// KindAgeCount is how many unresolved exceptions of a kind are in each age
// band, and how many of them are past their SLA.
type KindAgeCount struct {
	Kind     string
	Bands    [4]int // under 4 hours, 4–24 hours, 1–3 days, over 3 days
	Breached int
	Total    int
}

// AgeBands names KindAgeCount.Bands.
var AgeBands = [4]string{"< 4 h", "4–24 h", "1–3 d", "> 3 d"}

// ExceptionCounts counts the unresolved exceptions by kind and age band,
// kinds with the most first.
func (db *DB) ExceptionCounts(ctx context.Context) ([]KindAgeCount, error) {
	now := db.Now()
	rows, err := db.read.QueryContext(ctx, `SELECT kind,
			CASE WHEN created_at > ? THEN 0 WHEN created_at > ? THEN 1 WHEN created_at > ? THEN 2 ELSE 3 END,
			count(*), sum(sla_due_at < ?)
		FROM exceptions WHERE status IN ('open', 'in_progress') GROUP BY 1, 2`,
		FormatTime(now.Add(-4*time.Hour)), FormatTime(now.Add(-24*time.Hour)), FormatTime(now.Add(-72*time.Hour)), FormatTime(now))
	if err != nil {
		return nil, fmt.Errorf("count exceptions: %w", err)
	}
	defer rows.Close()
	byKind := map[string]*KindAgeCount{}
	var out []KindAgeCount
	var order []string
	for rows.Next() {
		var kind string
		var band, n, breached int
		if err := rows.Scan(&kind, &band, &n, &breached); err != nil {
			return nil, err
		}
		k := byKind[kind]
		if k == nil {
			k = &KindAgeCount{Kind: kind}
			byKind[kind] = k
			order = append(order, kind)
		}
		k.Bands[band] += n
		k.Breached += breached
		k.Total += n
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, kind := range order {
		out = append(out, *byKind[kind])
	}
	slices.SortStableFunc(out, func(a, b KindAgeCount) int { return b.Total - a.Total })
	return out, nil
}

// RaiseBreaches raises the exceptions that time alone causes, once per
// order (and line) and kind, and resolves those whose cause went away:
//   - sla_release: an order not released within SLAReleaseHours of capture;
//   - sla_ship: an order with unshipped shipments past its requested date;
//   - backorder_late: a backordered line whose promised inbound supply is
//     overdue.
//
// A breach is dated when it happened (its due time), so that its age in
// the queue says how long it has been late. Each raised exception is an
// event on its order. It returns how many it raised.
func (db *DB) RaiseBreaches(ctx context.Context) (int, error) {
	hours, err := db.SLAReleaseHours(ctx)
	if err != nil {
		return 0, err
	}
	var raised int
	err = db.Update(ctx, func(tx *sql.Tx) error {
		now := db.Now()
		nowText, today := FormatTime(now), now.UTC().Format("2006-01-02")
		cutoff := FormatTime(now.Add(-time.Duration(hours) * time.Hour))
		var before int64
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM exceptions`).Scan(&before); err != nil {
			return err
		}
		stmts := []struct {
			sql  string
			args []any
		}{
			{`INSERT INTO exceptions (kind, order_id, severity, summary, sla_due_at, created_at)
				SELECT 'sla_release', o.id, 'high', 'Not released within ' || ? || ' hours of capture.',
					strftime('%Y-%m-%dT%H:%M:%fZ', o.created_at, '+' || ? || ' hours'),
					strftime('%Y-%m-%dT%H:%M:%fZ', o.created_at, '+' || ? || ' hours')
				FROM orders o WHERE o.status IN ('open', 'allocated', 'partially_allocated') AND o.created_at < ?
					AND NOT EXISTS (SELECT 1 FROM exceptions x WHERE x.kind = 'sla_release' AND x.order_id = o.id)
				ORDER BY o.created_at LIMIT 2000`, []any{hours, hours, hours, cutoff}},
			{`INSERT INTO exceptions (kind, order_id, severity, summary, sla_due_at, created_at)
				SELECT 'sla_ship', o.id, 'high', 'Not shipped by the requested date, ' || o.requested_date || '.',
					o.requested_date || 'T23:59:59.999Z', o.requested_date || 'T23:59:59.999Z'
				FROM orders o WHERE o.requested_date <> '' AND o.requested_date < ?
					AND o.status IN ('allocated', 'partially_allocated', 'released', 'partially_shipped', 'on_hold', 'backordered')
					AND EXISTS (SELECT 1 FROM fulfilment_groups g WHERE g.order_id = o.id AND g.status IN ('planned', 'released'))
					AND NOT EXISTS (SELECT 1 FROM exceptions x WHERE x.kind = 'sla_ship' AND x.order_id = o.id)
				LIMIT 2000`, []any{today}},
			{`INSERT INTO exceptions (kind, order_id, order_line_id, severity, summary, sla_due_at, created_at)
				SELECT 'backorder_late', l.order_id, l.id, 'medium',
					'Line ' || l.line_no || ': ' || l.qty_backordered || ' x ' || l.sku || ' were promised for ' || s.expected_date
						|| ' (' || s.po_number || '), which has passed.',
					s.expected_date || 'T23:59:59.999Z', s.expected_date || 'T23:59:59.999Z'
				FROM order_lines l JOIN orders o ON o.id = l.order_id
				JOIN inbound_supply s ON s.id = (SELECT id FROM inbound_supply WHERE item_id = l.item_id AND status = 'open'
					ORDER BY expected_date, id LIMIT 1)
				WHERE l.qty_backordered > 0 AND s.expected_date < ? AND o.status NOT IN ('draft', 'cancelled', 'closed')
					AND NOT EXISTS (SELECT 1 FROM exceptions x WHERE x.order_id = l.order_id AND x.kind = 'backorder_late' AND x.order_line_id = l.id AND x.status <> 'resolved')
				LIMIT 2000`, []any{today}},
		}
		for _, s := range stmts {
			if _, err := tx.ExecContext(ctx, s.sql, s.args...); err != nil {
				return fmt.Errorf("raise breaches: %w", err)
			}
		}
		r, err := tx.ExecContext(ctx, `INSERT INTO events (order_id, kind, actor, at, summary)
			SELECT order_id, 'exception.raised', 'system', ?, summary FROM exceptions WHERE id > ?`, nowText, before)
		if err != nil {
			return err
		}
		n, _ := r.RowsAffected()
		raised = int(n)
		resolves := []struct{ note, where string }{
			{"Released or no longer waiting.", `kind = 'sla_release' AND (SELECT status FROM orders o WHERE o.id = exceptions.order_id)
				NOT IN ('open', 'allocated', 'partially_allocated')`},
			{"Nothing left to ship.", `kind = 'sla_ship' AND NOT EXISTS (SELECT 1 FROM fulfilment_groups g
				WHERE g.order_id = exceptions.order_id AND g.status IN ('planned', 'released'))`},
			{"Backorder filled or cancelled.", `kind IN ('backorder_late', 'backorder_aging')
				AND (SELECT qty_backordered FROM order_lines l WHERE l.id = exceptions.order_line_id) = 0`},
		}
		// Each test is a lookup by the exception's own order or line: an
		// IN over a subquery built the set of every order not waiting (or
		// every line without a backorder), about a million ids, and a
		// NOT EXISTS without the order scanned every open exception per
		// backordered line. At 1,000,000 orders the sweep held the single
		// writer for minutes, so nobody could sign in or place an order.
		for _, r := range resolves {
			if err := resolveExceptions(ctx, tx, "system", nowText, r.note, r.where); err != nil {
				return fmt.Errorf("resolve breaches: %w", err)
			}
		}
		return nil
	})
	return raised, err
}

// AttentionRow is an order that needs someone: on hold, backordered or
// past an SLA.
type AttentionRow struct {
	domain.OrderSummary
	Kinds   []string  // kinds of its unresolved exceptions
	DueAt   time.Time // its earliest SLA due, zero when none
	Overdue bool
}

// NeedsAttention pages through every order on hold, with a backorder or
// with an unresolved SLA breach, the soonest due first, and counts them.
func (db *DB) NeedsAttention(ctx context.Context, limit, offset int) ([]AttentionRow, int, error) {
	const where = ` WHERE (o.has_hold = 1 OR o.has_backorder = 1 OR o.id IN (SELECT order_id FROM exceptions
		WHERE status IN ('open', 'in_progress') AND kind IN ('sla_release', 'sla_ship'))) AND o.status NOT IN ('cancelled', 'closed', 'draft')`
	var total int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM orders o`+where).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count attention: %w", err)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT * FROM (SELECT o.id, o.number, c.account, c.name, o.customer_po, o.ship_name, o.channel,
			o.status, o.total_cents, o.has_hold, o.has_backorder, o.created_at,
			coalesce((SELECT min(sla_due_at) FROM exceptions x WHERE x.order_id = o.id AND x.status IN ('open', 'in_progress')), '') AS due,
			coalesce((SELECT group_concat(DISTINCT kind) FROM exceptions x WHERE x.order_id = o.id AND x.status IN ('open', 'in_progress')), '')
		FROM orders o JOIN customers c ON c.id = o.customer_id`+where+`)
		ORDER BY due = '', due, created_at LIMIT ? OFFSET ?`, limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("list attention: %w", err)
	}
	defer rows.Close()
	now := db.Now()
	var out []AttentionRow
	for rows.Next() {
		var r AttentionRow
		var status, created, due, kinds string
		if err := rows.Scan(&r.ID, &r.Number, &r.CustomerAccount, &r.CustomerName, &r.CustomerPO, &r.ShipName, &r.Channel,
			&status, &r.TotalCents, &r.HasHold, &r.HasBackorder, &created, &due, &kinds); err != nil {
			return nil, 0, err
		}
		r.Status, r.CreatedAt, r.DueAt = domain.OrderStatus(status), ParseTime(created), ParseTime(due)
		r.Overdue = !r.DueAt.IsZero() && r.DueAt.Before(now)
		if kinds != "" {
			r.Kinds = strings.Split(kinds, ",")
		}
		out = append(out, r)
	}
	return out, total, rows.Err()
}

// SavedView is a named set of filters of a screen.
type SavedView struct {
	ID    int64
	Name  string
	Query string // the URL query string
}

// SavedViews lists a user's saved views of a screen by name.
func (db *DB) SavedViews(ctx context.Context, userID int64, screen string) ([]SavedView, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, name, query FROM saved_views WHERE user_id = ? AND screen = ? ORDER BY name`, userID, screen)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SavedView
	for rows.Next() {
		var v SavedView
		if err := rows.Scan(&v.ID, &v.Name, &v.Query); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// SaveView stores (or replaces) a user's named view of a screen. Returns
// EINVALID for an empty or long name.
func (db *DB) SaveView(ctx context.Context, userID int64, screen, name, query string) error {
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 60 {
		return domain.Invalid("Name the view (at most 60 characters).", map[string]string{"name": "is required, at most 60 characters"})
	}
	if len(query) > 1000 {
		return domain.Invalid("Too many filters to save.", map[string]string{"query": "is too long"})
	}
	return db.Update(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO saved_views (user_id, screen, name, query, created_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (user_id, screen, name) DO UPDATE SET query = excluded.query`, userID, screen, name, query, db.now())
		return err
	})
}

// DeleteView deletes one of the user's saved views.
func (db *DB) DeleteView(ctx context.Context, userID, id int64) error {
	return db.Update(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM saved_views WHERE id = ? AND user_id = ?`, id, userID)
		return err
	})
}
