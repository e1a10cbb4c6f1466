package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/oms/oms/domain"
)

// LinesPerPage is how many order lines one page of the order page shows:
// an order of 1,000 lines opens as fast as one of 10.
const LinesPerPage = 50

// maxTimelineEvents bounds one timeline read; the newest are kept.
const maxTimelineEvents = 500

// LineQuery selects a page of an order's lines: Search matches SKU or
// description; Page counts from 1; PerPage defaults to LinesPerPage and is
// at most MaxLinesPerPage.
type LineQuery struct {
	Search  string
	Page    int
	PerPage int
}

// MaxLinesPerPage bounds one read of lines (the API may ask for all lines
// of a large order at once).
const MaxLinesPerPage = 5000

// LinePage is one page of an order's lines.
type LinePage struct {
	Lines   []domain.OrderLine
	Search  string
	Page    int
	PerPage int
	Pages   int
	Matches int // lines matching Search (every line when it is empty)
}

// OrderDetail is everything the order page and the order API show.
type OrderDetail struct {
	Order      domain.Order
	Answer     string // the one-sentence status answer
	Totals     domain.LineTotals
	Lines      LinePage
	Groups     []domain.FulfilmentGroup
	Holds      []domain.Hold
	Exceptions []domain.OrderException
	Backorders []domain.Backorder
	Trace      []string    // the sourcing explanation, newest trace
	Plans      []PlanTrace // the decisions the shipments were planned under, newest first (the page only)
	Events     []domain.Event
	EventKinds []string // the kinds in the timeline, for its filter
}

// OrderDetail reads one order by number (case-insensitive) with its lines
// page, groups, holds, exceptions, sourcing trace and timeline (only events
// of eventKind when it is not ""), in one read transaction. It returns
// ENOTFOUND when there is no such order.
func (db *DB) OrderDetail(ctx context.Context, number string, lq LineQuery, eventKind string) (OrderDetail, error) {
	var d OrderDetail
	err := db.View(ctx, func(tx *sql.Tx) error {
		o, err := orderByNumber(ctx, tx, number)
		if err != nil {
			return err
		}
		if d, err = orderDetail(ctx, tx, o, lq, eventKind, db.Now()); err != nil {
			return err
		}
		d.Plans, err = orderPlans(ctx, tx, o.ID)
		return err
	})
	if err != nil {
		return OrderDetail{}, err
	}
	return d, nil
}

// orderDetail reads the rest of an order already read, inside the caller's
// transaction, read or write: the write transaction that captures an order
// answers with it before it commits.
func orderDetail(ctx context.Context, tx *sql.Tx, o domain.Order, lq LineQuery, eventKind string, now time.Time) (OrderDetail, error) {
	d := OrderDetail{Order: o}
	var err error
	if d.Totals, err = lineTotals(ctx, tx, o.ID); err != nil {
		return d, err
	}
	if d.Lines, err = orderLines(ctx, tx, o.ID, lq); err != nil {
		return d, err
	}
	if d.Groups, err = orderGroups(ctx, tx, o.ID); err != nil {
		return d, err
	}
	if d.Holds, err = orderHolds(ctx, tx, o.ID); err != nil {
		return d, err
	}
	if d.Exceptions, err = orderExceptions(ctx, tx, o.ID); err != nil {
		return d, err
	}
	if d.Backorders, err = orderBackorders(ctx, tx, o.ID); err != nil {
		return d, err
	}
	if d.Trace, err = sourcingTrace(ctx, tx, o.ID); err != nil {
		return d, err
	}
	if d.Events, err = orderEvents(ctx, tx, o.ID, eventKind); err != nil {
		return d, err
	}
	if d.EventKinds, err = eventKinds(ctx, tx, o.ID); err != nil {
		return d, err
	}
	d.Answer = answerOf(d, now)
	return d, nil
}

// answerOf is the one-sentence status answer of an order's detail at now.
func answerOf(d OrderDetail, now time.Time) string {
	var open []domain.Hold
	for _, h := range d.Holds {
		if h.Open() {
			open = append(open, h)
		}
	}
	return domain.StatusAnswer(domain.AnswerFacts{
		Status: d.Order.Status, CreatedAt: d.Order.CreatedAt, RequestedDate: d.Order.RequestedDate, Now: now,
		Totals: d.Totals, Groups: d.Groups, Backorders: d.Backorders, OpenHolds: open,
	})
}

// OrderLines reads one page of an order's lines. It returns ENOTFOUND when
// there is no such order.
func (db *DB) OrderLines(ctx context.Context, number string, lq LineQuery) (domain.Order, LinePage, error) {
	var o domain.Order
	var p LinePage
	err := db.View(ctx, func(tx *sql.Tx) error {
		var err error
		if o, err = orderByNumber(ctx, tx, number); err != nil {
			return err
		}
		p, err = orderLines(ctx, tx, o.ID, lq)
		return err
	})
	return o, p, err
}

// OrderTimeline reads an order's events, newest first, only those of kind
// when it is not "", with the kinds present for the filter. It returns
// ENOTFOUND when there is no such order.
func (db *DB) OrderTimeline(ctx context.Context, number, kind string) (domain.Order, []domain.Event, []string, error) {
	var o domain.Order
	var events []domain.Event
	var kinds []string
	err := db.View(ctx, func(tx *sql.Tx) error {
		var err error
		if o, err = orderByNumber(ctx, tx, number); err != nil {
			return err
		}
		if events, err = orderEvents(ctx, tx, o.ID, kind); err != nil {
			return err
		}
		kinds, err = eventKinds(ctx, tx, o.ID)
		return err
	})
	return o, events, kinds, err
}

// AddNote writes an internal note on the order as an event of kind "note",
// in one write transaction. The text is trimmed; it returns EINVALID when it
// is empty, longer than domain.MaxNoteLength characters or holds
// characters domain.TextProblem refuses, ENOTFOUND when
// there is no such order.
func (db *DB) AddNote(ctx context.Context, number, actor, text string) (domain.Event, error) {
	text = strings.TrimSpace(text)
	switch {
	case text == "":
		return domain.Event{}, domain.Invalid("Write the note before adding it.", map[string]string{"note": "The note is empty."})
	case utf8.RuneCountInString(text) > domain.MaxNoteLength:
		return domain.Event{}, domain.Invalid("The note is too long.", map[string]string{
			"note": fmt.Sprintf("A note has at most %d characters; this one has %d.", domain.MaxNoteLength, utf8.RuneCountInString(text))})
	case domain.TextProblem(text, domain.MaxNoteLength) != "":
		return domain.Event{}, domain.Invalid("The note was not added.", map[string]string{"note": "The note " + domain.TextProblem(text, domain.MaxNoteLength) + "."})
	}
	ev := domain.Event{Kind: domain.EventKindNote, Actor: actor, Summary: text, At: db.Now().UTC()}
	err := db.Update(ctx, func(tx *sql.Tx) error {
		o, err := orderByNumber(ctx, tx, number)
		if err != nil {
			return err
		}
		ev.ID, err = insertEvent(ctx, tx, o.ID, ev)
		return err
	})
	return ev, err
}

// insertEvent appends one event to an order's timeline.
func insertEvent(ctx context.Context, tx *sql.Tx, orderID int64, ev domain.Event) (int64, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO events (order_id, kind, actor, at, summary, before, after, order_version)
		VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, (SELECT version FROM orders WHERE id = ?1))`,
		orderID, ev.Kind, ev.Actor, FormatTime(ev.At), ev.Summary, ev.Before, ev.After)
	if err != nil {
		return 0, fmt.Errorf("insert event: %w", err)
	}
	return res.LastInsertId()
}

func orderByNumber(ctx context.Context, tx *sql.Tx, number string) (domain.Order, error) {
	number = strings.TrimSpace(number)
	o, err := readOrder(ctx, tx, `o.number = ?`, number)
	if errors.Is(err, sql.ErrNoRows) {
		return o, domain.Errorf(domain.ENOTFOUND, "There is no order %s.", number)
	}
	return o, err
}

func orderByID(ctx context.Context, tx *sql.Tx, id int64) (domain.Order, error) {
	o, err := readOrder(ctx, tx, `o.id = ?`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return o, domain.Errorf(domain.ENOTFOUND, "No such order.")
	}
	return o, err
}

// orderColumns are the columns scanOrder reads, of orders o joined with
// customers c.
const orderColumns = `o.id, o.number, o.channel, o.customer_id, c.account, c.name, o.customer_po,
		o.ship_name, o.ship_line1, o.ship_line2, o.ship_city, o.ship_region, o.ship_postal_code, o.ship_country,
		o.requested_date, o.ship_method, o.priority, o.ship_complete, o.status, o.total_cents, o.has_hold, o.has_backorder,
		o.version, o.created_by, o.created_at, o.updated_at`

// scanOrder scans orderColumns, then extra.
func scanOrder(row interface{ Scan(...any) error }, o *domain.Order, extra ...any) error {
	var status, created, updated string
	err := row.Scan(append([]any{&o.ID, &o.Number, &o.Channel, &o.CustomerID, &o.CustomerAccount, &o.CustomerName, &o.CustomerPO,
		&o.ShipTo.Name, &o.ShipTo.Line1, &o.ShipTo.Line2, &o.ShipTo.City, &o.ShipTo.Region, &o.ShipTo.PostalCode, &o.ShipTo.Country,
		&o.RequestedDate, &o.ShipMethod, &o.Priority, &o.ShipComplete, &status, &o.TotalCents, &o.HasHold, &o.HasBackorder,
		&o.Version, &o.CreatedBy, &created, &updated}, extra...)...)
	o.Status = domain.OrderStatus(status)
	o.CreatedAt, o.UpdatedAt = ParseTime(created), ParseTime(updated)
	return err
}

// readOrder reads the one order matching where; sql.ErrNoRows when none.
func readOrder(ctx context.Context, tx *sql.Tx, where string, arg any) (domain.Order, error) {
	var o domain.Order
	err := scanOrder(tx.QueryRowContext(ctx, `SELECT `+orderColumns+`
		FROM orders o JOIN customers c ON c.id = o.customer_id WHERE `+where, arg), &o)
	if errors.Is(err, sql.ErrNoRows) {
		return o, err
	} else if err != nil {
		return o, fmt.Errorf("read order: %w", err)
	}
	return o, nil
}

// lineTotals counts lines by state and sums the buckets in one pass over
// the order's lines (the UNIQUE (order_id, line_no) index), so that the
// status answer of a 1,000-line order reads no line into Go.
func lineTotals(ctx context.Context, tx *sql.Tx, orderID int64) (domain.LineTotals, error) {
	var t domain.LineTotals
	var u *domain.Buckets = &t.Units
	err := tx.QueryRowContext(ctx, `SELECT count(*),
		coalesce(sum(quantity > qty_cancelled), 0),
		coalesce(sum(quantity > qty_cancelled AND qty_shipped = quantity - qty_cancelled), 0),
		coalesce(sum(qty_shipped > 0 AND qty_shipped < quantity - qty_cancelled), 0),
		coalesce(sum(qty_backordered > 0), 0),
		coalesce(sum(quantity), 0), coalesce(sum(qty_cancelled), 0), coalesce(sum(qty_backordered), 0),
		coalesce(sum(qty_allocated), 0), coalesce(sum(qty_released), 0), coalesce(sum(qty_shipped), 0)
		FROM order_lines WHERE order_id = ?`, orderID).Scan(
		&t.Lines, &t.LiveLines, &t.ShippedLines, &t.PartShippedLines, &t.BackorderLines,
		&u.Ordered, &u.Cancelled, &u.Backordered, &u.Allocated, &u.Released, &u.Shipped)
	if err != nil {
		return t, fmt.Errorf("sum lines: %w", err)
	}
	return t, nil
}

// orderLines reads one page of lines. A search matches a SKU prefix or a
// word anywhere in the description; it scans only this order's lines.
func orderLines(ctx context.Context, tx *sql.Tx, orderID int64, lq LineQuery) (LinePage, error) {
	p := LinePage{Search: strings.TrimSpace(lq.Search), Page: max(lq.Page, 1), PerPage: LinesPerPage}
	if lq.PerPage > 0 {
		p.PerPage = min(lq.PerPage, MaxLinesPerPage)
	}
	where := `order_id = ?`
	args := []any{orderID}
	if p.Search != "" {
		where += ` AND (sku LIKE ? ESCAPE '\' OR description LIKE ? ESCAPE '\')`
		esc := likeEscape(p.Search)
		args = append(args, esc+"%", "%"+esc+"%")
	}
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM order_lines WHERE `+where, args...).Scan(&p.Matches); err != nil {
		return p, fmt.Errorf("count lines: %w", err)
	}
	p.Pages = max(1, (p.Matches+p.PerPage-1)/p.PerPage)
	p.Page = min(p.Page, p.Pages)
	rows, err := tx.QueryContext(ctx, `SELECT id, line_no, sku, description, unit_price_cents, quantity, qty_cancelled,
		qty_backordered, qty_allocated, qty_released, qty_shipped, status
		FROM order_lines WHERE `+where+` ORDER BY line_no LIMIT ? OFFSET ?`,
		append(args, p.PerPage, (p.Page-1)*p.PerPage)...)
	if err != nil {
		return p, fmt.Errorf("read lines: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var l domain.OrderLine
		var status string
		if err := rows.Scan(&l.ID, &l.LineNo, &l.SKU, &l.Description, &l.UnitPriceCents, &l.Ordered, &l.Cancelled,
			&l.Backordered, &l.Allocated, &l.Released, &l.Shipped, &status); err != nil {
			return p, err
		}
		l.Status = domain.OrderStatus(status)
		p.Lines = append(p.Lines, l)
	}
	return p, rows.Err()
}

func orderGroups(ctx context.Context, tx *sql.Tx, orderID int64) ([]domain.FulfilmentGroup, error) {
	rows, err := tx.QueryContext(ctx, `SELECT g.id, g.seq, l.code, l.name, g.dropship, g.status, g.carrier, g.service,
		g.tracking_number, g.created_at, coalesce(g.released_at, ''), coalesce(g.shipped_at, ''), coalesce(g.cancelled_at, ''),
		(SELECT count(*) FROM fulfilment_group_lines gl WHERE gl.group_id = g.id),
		(SELECT coalesce(sum(quantity), 0) FROM fulfilment_group_lines gl WHERE gl.group_id = g.id),
		g.status = 'released' AND g.recall_requested_at IS NOT NULL
		FROM fulfilment_groups g JOIN locations l ON l.id = g.location_id
		WHERE g.order_id = ? ORDER BY g.seq`, orderID)
	if err != nil {
		return nil, fmt.Errorf("read groups: %w", err)
	}
	defer rows.Close()
	var out []domain.FulfilmentGroup
	for rows.Next() {
		var g domain.FulfilmentGroup
		var created, released, shipped, cancelled string
		if err := rows.Scan(&g.ID, &g.Seq, &g.LocationCode, &g.LocationName, &g.Dropship, &g.Status, &g.Carrier, &g.Service,
			&g.TrackingNumber, &created, &released, &shipped, &cancelled, &g.Lines, &g.Units, &g.RecallRequested); err != nil {
			return nil, err
		}
		g.CreatedAt, g.ReleasedAt, g.ShippedAt, g.CancelledAt = ParseTime(created), ParseTime(released), ParseTime(shipped), ParseTime(cancelled)
		out = append(out, g)
	}
	return out, rows.Err()
}

func orderHolds(ctx context.Context, tx *sql.Tx, orderID int64) ([]domain.Hold, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, reason, note, placed_by, placed_at, coalesce(released_by, ''),
		coalesce(released_at, ''), release_note FROM holds WHERE order_id = ? ORDER BY placed_at, id`, orderID)
	if err != nil {
		return nil, fmt.Errorf("read holds: %w", err)
	}
	defer rows.Close()
	var out []domain.Hold
	for rows.Next() {
		var h domain.Hold
		var placed, released string
		if err := rows.Scan(&h.ID, &h.Reason, &h.Note, &h.PlacedBy, &placed, &h.ReleasedBy, &released, &h.ReleaseNote); err != nil {
			return nil, err
		}
		h.PlacedAt, h.ReleasedAt = ParseTime(placed), ParseTime(released)
		out = append(out, h)
	}
	return out, rows.Err()
}

// orderExceptions reads the order's exceptions, unresolved first.
func orderExceptions(ctx context.Context, tx *sql.Tx, orderID int64) ([]domain.OrderException, error) {
	rows, err := tx.QueryContext(ctx, `SELECT e.id, e.kind, e.severity, e.summary, e.status, coalesce(l.line_no, 0),
		e.sla_due_at, e.created_at
		FROM exceptions e LEFT JOIN order_lines l ON l.id = e.order_line_id
		WHERE e.order_id = ? ORDER BY e.status = 'resolved', e.created_at DESC, e.id DESC`, orderID)
	if err != nil {
		return nil, fmt.Errorf("read exceptions: %w", err)
	}
	defer rows.Close()
	var out []domain.OrderException
	for rows.Next() {
		var x domain.OrderException
		var due, created string
		if err := rows.Scan(&x.ID, &x.Kind, &x.Severity, &x.Summary, &x.Status, &x.LineNo, &due, &created); err != nil {
			return nil, err
		}
		x.SLADueAt, x.CreatedAt = ParseTime(due), ParseTime(created)
		out = append(out, x)
	}
	return out, rows.Err()
}

// orderBackorders reads every backordered line with the earliest open
// inbound supply of its item (inbound_supply_item serves the lookup).
func orderBackorders(ctx context.Context, tx *sql.Tx, orderID int64) ([]domain.Backorder, error) {
	rows, err := tx.QueryContext(ctx, `SELECT l.line_no, l.sku, l.qty_backordered,
		coalesce(s.expected_date, ''), coalesce(s.po_number, '')
		FROM order_lines l
		LEFT JOIN inbound_supply s ON s.id = (
			SELECT id FROM inbound_supply WHERE item_id = l.item_id AND status = 'open'
			ORDER BY expected_date, id LIMIT 1)
		WHERE l.order_id = ? AND l.qty_backordered > 0 ORDER BY l.line_no`, orderID)
	if err != nil {
		return nil, fmt.Errorf("read backorders: %w", err)
	}
	defer rows.Close()
	var out []domain.Backorder
	for rows.Next() {
		var b domain.Backorder
		if err := rows.Scan(&b.LineNo, &b.SKU, &b.Quantity, &b.ExpectedDate, &b.SupplyPO); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// sourcingTrace reads the newest sourcing trace: a JSON array of sentences.
// A trace that is not such an array is shown as one sentence rather than
// hidden.
func sourcingTrace(ctx context.Context, tx *sql.Tx, orderID int64) ([]string, error) {
	var raw string
	err := tx.QueryRowContext(ctx, `SELECT trace FROM sourcing_traces WHERE order_id = ? ORDER BY id DESC LIMIT 1`, orderID).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("read sourcing trace: %w", err)
	}
	var out []string
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		return []string{raw}, nil
	}
	return out, nil
}

func orderEvents(ctx context.Context, tx *sql.Tx, orderID int64, kind string) ([]domain.Event, error) {
	q := `SELECT id, kind, actor, at, summary, before, after FROM events WHERE order_id = ?`
	args := []any{orderID}
	if kind != "" {
		q += ` AND kind = ?`
		args = append(args, kind)
	}
	rows, err := tx.QueryContext(ctx, q+` ORDER BY at DESC, id DESC LIMIT ?`, append(args, maxTimelineEvents)...)
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	defer rows.Close()
	return scanEvents(rows)
}

func scanEvents(rows *sql.Rows) ([]domain.Event, error) {
	var out []domain.Event
	for rows.Next() {
		var e domain.Event
		var at string
		if err := rows.Scan(&e.ID, &e.Kind, &e.Actor, &at, &e.Summary, &e.Before, &e.After); err != nil {
			return nil, err
		}
		e.At = ParseTime(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

func eventKinds(ctx context.Context, tx *sql.Tx, orderID int64) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT kind FROM events WHERE order_id = ? ORDER BY kind`, orderID)
	if err != nil {
		return nil, fmt.Errorf("read event kinds: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// likeEscape escapes LIKE's wildcards so that user text matches literally.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
