package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/oms/oms/domain"
)

// OrderAction is what every action on an order carries: which order, the
// version of it the actor saw, who acts in which role, and why. The screen,
// the queue and the JSON API build one and call the same store method.
type OrderAction struct {
	Number string // the order number
	// Version is the order's version the actor saw (invariant 6). People
	// must give it; the system (Role "") acts on whatever is current, since
	// an ERP or WMS confirmation describes a fact, not a decision taken on
	// a screen.
	Version int64
	Actor   string      // user e-mail or API token name; "system" for the system
	Role    domain.Role // "" for the system
	Reason  string      // why, in the actor's words; required by some actions
}

// MaxReasonLength bounds an action's reason, as MaxNoteLength bounds a note.
const MaxReasonLength = 500

// System reports whether the action is the system's own (an ERP or WMS
// confirmation, an automatic release), not a person's.
func (a OrderAction) System() bool { return a.Role == "" }

// ActionEvent is what an action did, in words, for the order's timeline.
// The status before and after, the actor and the reason are added by act.
type ActionEvent struct {
	Kind    string // e.g. group.released, line.cancelled
	Summary string // one plain sentence
	Data    string // optional JSON detail
}

// act runs one action on an order in one write transaction: it reads the
// order, refuses a stale version (ECONFLICT, naming who changed it last),
// lets apply change it and say what it did, derives the status again
// (which bumps the version), and writes the event with who, what,
// before -> after and why. It returns the order as it now is. apply writes
// its own outbox messages in the same transaction (invariant 4).
//
// Returns ENOTFOUND for an unknown order, EINVALID for a missing version or
// an over-long reason, ECONFLICT for a stale version, and whatever apply
// returns.
func (db *DB) act(ctx context.Context, a OrderAction, apply func(tx *sql.Tx, o domain.Order) (ActionEvent, error)) (domain.Order, error) {
	a.Reason = strings.TrimSpace(a.Reason)
	if !a.System() && a.Version <= 0 {
		return domain.Order{}, domain.Invalid("The order's version is missing: reload the order and try again.",
			map[string]string{"version": "is required"})
	}
	if n := utf8.RuneCountInString(a.Reason); n > MaxReasonLength {
		return domain.Order{}, domain.Invalid("The reason is too long.",
			map[string]string{"reason": fmt.Sprintf("A reason has at most %d characters; this one has %d.", MaxReasonLength, n)})
	}
	var out domain.Order
	err := db.Update(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = db.actTx(ctx, tx, a, apply)
		return err
	})
	return out, err
}

// actTx is act inside the caller's write transaction, for an action that
// commits with something else (an inbound message recorded as applied).
func (db *DB) actTx(ctx context.Context, tx *sql.Tx, a OrderAction, apply func(tx *sql.Tx, o domain.Order) (ActionEvent, error)) (domain.Order, error) {
	o, err := orderByNumber(ctx, tx, a.Number)
	if err != nil {
		return domain.Order{}, err
	}
	if !a.System() && o.Version != a.Version {
		return domain.Order{}, staleVersion(ctx, tx, o, a.Version)
	}
	ev, err := apply(tx, o)
	if err != nil {
		return domain.Order{}, err
	}
	now := db.now()
	before, after, err := refreshOrderStatus(ctx, tx, o.ID, now)
	if err != nil {
		return domain.Order{}, err
	}
	summary := ev.Summary
	if a.Reason != "" {
		summary += " Reason: " + a.Reason
	}
	if err := db.insertEvent(ctx, tx, Event{OrderID: o.ID, Kind: ev.Kind, Actor: a.Actor, Summary: summary,
		Before: string(before), After: string(after), Data: ev.Data}); err != nil {
		return domain.Order{}, err
	}
	return orderByID(ctx, tx, o.ID)
}

// staleVersion is the conflict a person gets when the order changed after
// they looked at it: who changed it last, and the versions.
func staleVersion(ctx context.Context, tx *sql.Tx, o domain.Order, saw int64) error {
	var actor, summary string
	err := tx.QueryRowContext(ctx, `SELECT actor, summary FROM events WHERE order_id = ? ORDER BY id DESC LIMIT 1`, o.ID).Scan(&actor, &summary)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	msg := fmt.Sprintf("Order %s changed since you opened it (you saw version %d; it is now version %d).", o.Number, saw, o.Version)
	if actor != "" {
		msg += fmt.Sprintf(" Last change by %s: %s", actor, summary)
	}
	return &domain.Error{Code: domain.ECONFLICT, Message: msg + " Look at it again, then try once more.",
		Fields: map[string]string{"version": fmt.Sprintf("is %d now", o.Version)}}
}

// requireRole refuses a person whose role may not take the action; the
// system may. Admin may do everything.
func requireRole(a OrderAction, what string, allowed ...domain.Role) error {
	if a.System() || domain.RoleIn(a.Role, allowed...) {
		return nil
	}
	return domain.Errorf(domain.EFORBIDDEN, "Your role (%s) may not %s.", a.Role.Label(), what)
}

// requireReason refuses an action that needs a reason without one.
func requireReason(a OrderAction, what string) error {
	if strings.TrimSpace(a.Reason) == "" {
		return domain.Invalid(fmt.Sprintf("Say why you %s.", what), map[string]string{"reason": "is required"})
	}
	return nil
}

// groupOf reads the order's group by its sequence number (the "2" of
// "shipment 2"), as screens and the API name it.
func groupOf(ctx context.Context, tx *sql.Tx, o domain.Order, seq int) (groupRow, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM fulfilment_groups WHERE order_id = ? AND seq = ?`, o.ID, seq).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return groupRow{}, domain.Errorf(domain.ENOTFOUND, "Order %s has no shipment %d.", o.Number, seq)
	} else if err != nil {
		return groupRow{}, err
	}
	return loadGroup(ctx, tx, id)
}

// lineOf reads the order's line by its line number.
func lineOf(ctx context.Context, tx *sql.Tx, o domain.Order, lineNo int) (domain.OrderLine, error) {
	var l domain.OrderLine
	var status string
	err := tx.QueryRowContext(ctx, `SELECT id, line_no, sku, description, unit_price_cents, quantity, qty_cancelled,
		qty_backordered, qty_allocated, qty_released, qty_shipped, status FROM order_lines WHERE order_id = ? AND line_no = ?`,
		o.ID, lineNo).Scan(&l.ID, &l.LineNo, &l.SKU, &l.Description, &l.UnitPriceCents, &l.Ordered, &l.Cancelled,
		&l.Backordered, &l.Allocated, &l.Released, &l.Shipped, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return l, domain.Errorf(domain.ENOTFOUND, "Order %s has no line %d.", o.Number, lineNo)
	}
	l.Status = domain.OrderStatus(status)
	return l, err
}
