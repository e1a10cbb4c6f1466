package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/sourcing"
)

// SettingCSRMayReroute is the run-time setting ("true" or "false", default
// false) that lets customer service move, split and consolidate shipments
// as operations does.
const SettingCSRMayReroute = "reroute.csr_allowed"

// MayReroute reports whether a role may change where orders ship from:
// operations and admin always, customer service when an admin allows it.
func (db *DB) MayReroute(ctx context.Context, role domain.Role) (bool, error) {
	if domain.RoleIn(role, domain.RoleOps) {
		return true, nil
	}
	if role != domain.RoleCSR {
		return false, nil
	}
	v, _, err := db.Setting(ctx, SettingCSRMayReroute)
	return v == "true", err
}

// mayReroute is MayReroute for an action, as of its own transaction.
func mayReroute(ctx context.Context, tx *sql.Tx, a OrderAction) error {
	if a.System() || domain.RoleIn(a.Role, domain.RoleOps) {
		return nil
	}
	if a.Role == domain.RoleCSR {
		v, _, err := setting(ctx, tx, SettingCSRMayReroute)
		if err != nil {
			return err
		}
		if v == "true" {
			return nil
		}
	}
	return domain.Errorf(domain.EFORBIDDEN, "Your role (%s) may not change where an order ships from.", a.Role.Label())
}

// Allocation is an order's plan as the allocation screen shows it.
type Allocation struct {
	Order   domain.Order
	Current sourcing.Current
	Matrix  sourcing.Matrix
	// Recalls are the released shipments with a recall waiting for the
	// warehouse or refused by it.
	Recalls []Recall
}

// Recall is the state of a recall of a released shipment.
type Recall struct {
	Seq         int
	Location    string // code
	RequestedAt string // UTC, TimeFormat
	RequestedBy string
	RefusedAt   string // "" unless the warehouse refused
	Note        string // the warehouse's words when it refused
}

// OrderAllocation reads an order's allocation matrix in one read
// transaction. Returns ENOTFOUND.
func (db *DB) OrderAllocation(ctx context.Context, number string) (Allocation, error) {
	var out Allocation
	err := db.View(ctx, func(tx *sql.Tx) error {
		o, err := orderByNumber(ctx, tx, number)
		if err != nil {
			return err
		}
		cur, snap, rules, err := planState(ctx, tx, o.ID)
		if err != nil {
			return err
		}
		out = Allocation{Order: o, Current: cur, Matrix: sourcing.AllocationMatrix(cur, snap, rules)}
		out.Recalls, err = orderRecalls(ctx, tx, o.ID)
		return err
	})
	return out, err
}

// PreviewPlanChange says what moves would do to an order's plan, in one
// read transaction; nothing is reserved. version is the order's version
// the person saw: a preview of a plan that has changed since is a conflict.
// Returns ENOTFOUND, ECONFLICT and the EINVALID of sourcing.PreviewChange.
func (db *DB) PreviewPlanChange(ctx context.Context, number string, version int64, moves []sourcing.Move) (domain.Order, sourcing.Preview, error) {
	var o domain.Order
	var pv sourcing.Preview
	err := db.View(ctx, func(tx *sql.Tx) error {
		var err error
		if o, err = orderByNumber(ctx, tx, number); err != nil {
			return err
		}
		if version > 0 && o.Version != version {
			return staleVersion(ctx, tx, o, version)
		}
		cur, snap, rules, err := planState(ctx, tx, o.ID)
		if err != nil {
			return err
		}
		pv, err = sourcing.PreviewChange(cur, snap, rules, moves, ParseTime(db.now()))
		return err
	})
	return o, pv, err
}

// PlanChange is a person's change of an order's plan: the moves, and
// whether they accept breaking the rules the preview named (an override,
// which needs the action's reason).
type PlanChange struct {
	Moves    []sourcing.Move
	Override bool
}

// ChangePlan moves, splits, consolidates, dropships or backorders an
// order's units by hand: exactly what PreviewPlanChange showed for the same
// version. Units in planned shipments move at once (reservations follow
// them; an emptied shipment disappears); units in a released shipment wait
// for the warehouse: the shipment gets a recall request, queued to the WMS,
// and the moves are applied when ConfirmRecall arrives. A change that
// breaks a sourcing rule needs Override and a reason. Operations and admin
// change plans; customer service when SettingCSRMayReroute allows it.
//
// Returns ENOTFOUND, EFORBIDDEN, ECONFLICT for a stale version, EINVALID
// for a move that cannot be made (see sourcing.PreviewChange) or a broken
// rule without override and reason.
func (db *DB) ChangePlan(ctx context.Context, a OrderAction, ch PlanChange) (domain.Order, sourcing.Preview, error) {
	var pv sourcing.Preview
	o, err := db.act(ctx, a, func(tx *sql.Tx, o domain.Order) (ActionEvent, error) {
		if err := mayReroute(ctx, tx, a); err != nil {
			return ActionEvent{}, err
		}
		switch o.Status {
		case domain.StatusDraft, domain.StatusCancelled, domain.StatusClosed:
			return ActionEvent{}, domain.Errorf(domain.EINVALID, "Order %s is %s: nothing on it can be moved.", o.Number, strings.ToLower(o.Status.Label()))
		}
		cur, snap, rules, err := planState(ctx, tx, o.ID)
		if err != nil {
			return ActionEvent{}, err
		}
		if pv, err = sourcing.PreviewChange(cur, snap, rules, ch.Moves, ParseTime(db.now())); err != nil {
			return ActionEvent{}, err
		}
		if len(pv.Breaks) > 0 {
			if !ch.Override {
				return ActionEvent{}, domain.Invalid("The change breaks a sourcing rule: "+strings.Join(pv.Breaks, " ")+" Confirm it as an override, with a reason.",
					map[string]string{"override": "is required to break a rule"})
			}
			if err := requireReason(a, "override the sourcing rule"); err != nil {
				return ActionEvent{}, err
			}
		}
		if err := db.applyMoves(ctx, tx, o.ID, cur, snap, pv.Now); err != nil {
			return ActionEvent{}, err
		}
		for seq, moves := range pv.Recalls {
			if err := db.requestRecall(ctx, tx, o, seq, moves, a.Actor); err != nil {
				return ActionEvent{}, err
			}
		}
		sentences := append([]string{fmt.Sprintf("Changed by hand by %s.", a.Actor)}, pv.Steps...)
		for _, b := range pv.Breaks {
			sentences = append(sentences, "Override: "+b)
		}
		if a.Reason != "" {
			sentences = append(sentences, "Reason: "+a.Reason)
		}
		if err := db.writeManualTrace(ctx, tx, o.ID, pv, sentences); err != nil {
			return ActionEvent{}, err
		}
		if err := db.planChangedMessage(ctx, tx, o); err != nil {
			return ActionEvent{}, err
		}
		data, _ := json.Marshal(map[string]any{"moves": ch.Moves, "breaks": pv.Breaks, "before": pv.Before, "after": pv.After})
		kind := "plan.changed"
		if len(pv.Breaks) > 0 {
			kind = "plan.overridden"
		}
		return ActionEvent{Kind: kind, Summary: strings.Join(pv.Steps, " ") + " " + outcomeChange(pv), Data: string(data)}, nil
	})
	return o, pv, err
}

// outcomeChange says what a change did to shipments and cost.
func outcomeChange(pv sourcing.Preview) string {
	return fmt.Sprintf("Shipments %d → %d, estimated cost %s → %s.", pv.Before.Shipments, pv.After.Shipments,
		domain.Money(pv.Before.CostCents), domain.Money(pv.After.CostCents))
}

// planState reads what a manual change needs: the current plan, the
// availability of the order's items (without its own reservations) and
// the active rules.
func planState(ctx context.Context, tx *sql.Tx, orderID int64) (sourcing.Current, sourcing.Snapshot, []sourcing.Rule, error) {
	var cur sourcing.Current
	o, _, err := loadPlanOrder(ctx, tx, orderID)
	if err != nil {
		return cur, sourcing.Snapshot{}, nil, err
	}
	if o.Lines, err = openLines(ctx, tx, orderID); err != nil {
		return cur, sourcing.Snapshot{}, nil, err
	}
	cur.Order = o
	cur.Backordered = map[int64]int64{}
	rows, err := tx.QueryContext(ctx, `SELECT id, qty_backordered FROM order_lines WHERE order_id = ? AND qty_backordered > 0`, orderID)
	if err != nil {
		return cur, sourcing.Snapshot{}, nil, err
	}
	for rows.Next() {
		var id, q int64
		if err := rows.Scan(&id, &q); err != nil {
			rows.Close()
			return cur, sourcing.Snapshot{}, nil, err
		}
		cur.Backordered[id] = q
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return cur, sourcing.Snapshot{}, nil, err
	}
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM fulfilment_groups WHERE order_id = ?`, orderID).Scan(&cur.MaxSeq); err != nil {
		return cur, sourcing.Snapshot{}, nil, err
	}
	if cur.ShippedAt, err = queryColumn[int64](ctx, tx, `SELECT location_id FROM fulfilment_groups WHERE order_id = ? AND status = 'shipped'`, orderID); err != nil {
		return cur, sourcing.Snapshot{}, nil, err
	}
	rows, err = tx.QueryContext(ctx, `SELECT g.seq, g.location_id, l.code, g.dropship, g.status, g.recall_requested_at IS NOT NULL,
			gl.order_line_id, gl.item_id, ol.sku, gl.quantity
		FROM fulfilment_groups g JOIN locations l ON l.id = g.location_id
		JOIN fulfilment_group_lines gl ON gl.group_id = g.id JOIN order_lines ol ON ol.id = gl.order_line_id
		WHERE g.order_id = ? AND g.status IN ('planned', 'released') ORDER BY g.seq, ol.line_no`, orderID)
	if err != nil {
		return cur, sourcing.Snapshot{}, nil, err
	}
	for rows.Next() {
		var g sourcing.LiveGroup
		var gl sourcing.GroupLine
		if err := rows.Scan(&g.Seq, &g.LocationID, &g.LocationCode, &g.Dropship, &g.Status, &g.RecallRequested,
			&gl.LineID, &gl.ItemID, &gl.SKU, &gl.Quantity); err != nil {
			rows.Close()
			return cur, sourcing.Snapshot{}, nil, err
		}
		if n := len(cur.Groups); n == 0 || cur.Groups[n-1].Seq != g.Seq {
			cur.Groups = append(cur.Groups, g)
		}
		last := &cur.Groups[len(cur.Groups)-1]
		last.Lines = append(last.Lines, gl)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return cur, sourcing.Snapshot{}, nil, err
	}
	snap, err := loadSnapshot(ctx, tx, lineItems(o.Lines))
	if err != nil {
		return cur, snap, nil, err
	}
	rules, err := loadRules(ctx, tx, sourcing.StatusActive)
	return cur, snap, rules, err
}

// applyMoves writes moves that a preview accepted: group lines, new and
// emptied groups, reservations and line buckets.
func (db *DB) applyMoves(ctx context.Context, tx *sql.Tx, orderID int64, cur sourcing.Current, snap sourcing.Snapshot, moves []sourcing.Move) error {
	now := db.now()
	lines := map[int]sourcing.Line{}
	for _, l := range cur.Order.Lines {
		lines[l.LineNo] = l
	}
	locs := map[string]sourcing.Location{}
	for _, l := range snap.Locations {
		locs[strings.ToUpper(l.Code)] = l
	}
	touched := map[int64]bool{}
	for _, m := range moves {
		l := lines[m.LineNo]
		from, to := "qty_backordered", "qty_backordered"
		if m.From != 0 {
			from = "qty_allocated"
			var gid, loc int64
			var status string
			err := tx.QueryRowContext(ctx, `SELECT id, location_id, status FROM fulfilment_groups WHERE order_id = ? AND seq = ?`, orderID, m.From).Scan(&gid, &loc, &status)
			if err != nil {
				return fmt.Errorf("move from shipment %d: %w", m.From, err)
			}
			if status != sourcing.GroupPlanned {
				return domain.Errorf(domain.ECONFLICT, "Shipment %d is %s, not planned.", m.From, status)
			}
			if err := takeGroupLine(ctx, tx, gid, l.LineID, m.Quantity); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE inventory SET allocated = allocated - ? WHERE item_id = ? AND location_id = ?`,
				m.Quantity, l.ItemID, loc); err != nil {
				return err
			}
			touched[gid] = true
		}
		if m.To != "" {
			to = "qty_allocated"
			loc := locs[strings.ToUpper(strings.TrimSpace(m.To))]
			gid, err := openGroupAt(ctx, tx, orderID, loc, now)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO fulfilment_group_lines (group_id, order_line_id, item_id, quantity) VALUES (?, ?, ?, ?)
				ON CONFLICT (group_id, order_line_id) DO UPDATE SET quantity = quantity + excluded.quantity`,
				gid, l.LineID, l.ItemID, m.Quantity); err != nil {
				return err
			}
			if err := reserve(ctx, tx, l.ItemID, loc.ID, m.Quantity, loc.Type == sourcing.TypeVendor, now); errors.Is(err, errOversell) {
				return domain.Errorf(domain.ECONFLICT, "%s no longer has %d of %s available; look at the order again.", loc.Name, m.Quantity, l.SKU)
			} else if err != nil {
				return err
			}
			touched[gid] = true
		}
		if from != to {
			if err := moveBucket(ctx, tx, l.LineID, from, to, m.Quantity); err != nil {
				return err
			}
		}
	}
	// Shipments emptied by the change go only now, so that a move back
	// into one reuses its number, as the preview showed.
	for gid := range touched {
		if _, err := tx.ExecContext(ctx, `DELETE FROM fulfilment_groups WHERE id = ? AND status = 'planned'
			AND NOT EXISTS (SELECT 1 FROM fulfilment_group_lines WHERE group_id = ?)`, gid, gid); err != nil {
			return err
		}
	}
	return nil
}

// takeGroupLine takes qty of an order line out of a group.
func takeGroupLine(ctx context.Context, tx *sql.Tx, groupID, lineID, qty int64) error {
	r, err := tx.ExecContext(ctx, `DELETE FROM fulfilment_group_lines WHERE group_id = ? AND order_line_id = ? AND quantity = ?`, groupID, lineID, qty)
	if err != nil {
		return err
	}
	if n, _ := r.RowsAffected(); n == 1 {
		return nil
	}
	r, err = tx.ExecContext(ctx, `UPDATE fulfilment_group_lines SET quantity = quantity - ?1 WHERE group_id = ?2 AND order_line_id = ?3 AND quantity > ?1`,
		qty, groupID, lineID)
	if err != nil {
		return err
	}
	if n, _ := r.RowsAffected(); n != 1 {
		return domain.Errorf(domain.ECONFLICT, "The shipment no longer has %d units of that line.", qty)
	}
	return nil
}

// openGroupAt returns the order's planned group at loc that moves add to
// (the lowest numbered, as the preview chooses), creating one when there
// is none.
func openGroupAt(ctx context.Context, tx *sql.Tx, orderID int64, loc sourcing.Location, now string) (int64, error) {
	var gid int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM fulfilment_groups WHERE order_id = ? AND location_id = ? AND status = 'planned'
		AND recall_requested_at IS NULL ORDER BY seq LIMIT 1`, orderID, loc.ID).Scan(&gid)
	if err == nil || !errors.Is(err, sql.ErrNoRows) {
		return gid, err
	}
	r, err := tx.ExecContext(ctx, `INSERT INTO fulfilment_groups (order_id, seq, location_id, dropship, status, created_at)
		VALUES (?1, (SELECT coalesce(max(seq), 0) + 1 FROM fulfilment_groups WHERE order_id = ?1), ?2, ?3, 'planned', ?4)`,
		orderID, loc.ID, loc.Type == sourcing.TypeVendor, now)
	if err != nil {
		return 0, err
	}
	return r.LastInsertId()
}

// writeManualTrace records a manual change as a plan of its own, so that
// the order page can say why each shipment it made or added to ships from
// where it does.
func (db *DB) writeManualTrace(ctx context.Context, tx *sql.Tx, orderID int64, pv sourcing.Preview, sentences []string) error {
	trace, err := json.Marshal(sentences)
	if err != nil {
		return err
	}
	r, err := tx.ExecContext(ctx, `INSERT INTO sourcing_traces (order_id, rule_id, rule_version, trace, created_at) VALUES (?, NULL, NULL, ?, ?)`,
		orderID, string(trace), db.now())
	if err != nil {
		return err
	}
	id, _ := r.LastInsertId()
	for _, g := range pv.Groups {
		// A shipment that only gave units away still ships under the plan
		// it was made by; one that took units ships under this one.
		if g.Gained && !g.Recall {
			if _, err := tx.ExecContext(ctx, `UPDATE fulfilment_groups SET trace_id = ? WHERE order_id = ? AND seq = ?`, id, orderID, g.Seq); err != nil {
				return err
			}
		}
	}
	return nil
}

// planChangedMessage tells the ERP that an order's plan changed; the
// message carries the order as it is when sent, with its version.
func (db *DB) planChangedMessage(ctx context.Context, tx *sql.Tx, o domain.Order) error {
	return db.insertOutbox(ctx, tx, OutboxMessage{MessageID: fmt.Sprintf("order-plan-changed-%d-v%d", o.ID, o.Version+1),
		Topic: "order.plan_changed", Destination: "erp", OrderID: o.ID})
}

// requestRecall asks the WMS to give a released shipment back, keeping the
// moves to make once it does.
func (db *DB) requestRecall(ctx context.Context, tx *sql.Tx, o domain.Order, seq int, moves []sourcing.Move, actor string) error {
	g, err := groupOf(ctx, tx, o, seq)
	if err != nil {
		return err
	}
	js, _ := json.Marshal(moves)
	r, err := tx.ExecContext(ctx, `UPDATE fulfilment_groups SET recall_requested_at = ?, recall_requested_by = ?, recall_moves = ?,
		recall_refused_at = NULL, recall_note = '' WHERE id = ? AND status = 'released' AND recall_requested_at IS NULL`,
		db.now(), actor, string(js), g.ID)
	if err != nil {
		return err
	}
	if n, _ := r.RowsAffected(); n != 1 {
		return domain.Errorf(domain.ECONFLICT, "Shipment %d is %s or already being recalled.", seq, g.Status)
	}
	return db.insertOutbox(ctx, tx, OutboxMessage{MessageID: fmt.Sprintf("group-recall-%d-v%d", g.ID, o.Version+1),
		Topic: "group.recall_requested", Destination: "wms", OrderID: o.ID, GroupID: g.ID})
}

// recallOf reads the recall waiting on a shipment.
func recallOf(ctx context.Context, tx *sql.Tx, g groupRow) (pending bool, moves []sourcing.Move, err error) {
	var at sql.NullString
	var js string
	if err := tx.QueryRowContext(ctx, `SELECT recall_requested_at, recall_moves FROM fulfilment_groups WHERE id = ?`, g.ID).Scan(&at, &js); err != nil {
		return false, nil, err
	}
	if !at.Valid {
		return false, nil, nil
	}
	if js != "" {
		if err := json.Unmarshal([]byte(js), &moves); err != nil {
			return true, nil, fmt.Errorf("recall moves of shipment %d: %w", g.Seq, err)
		}
	}
	return true, moves, nil
}

// ConfirmRecall records the warehouse's confirmation that it gave back
// released shipment seq: the shipment is planned again (its units back
// from released to allocated, reservations unchanged) and the moves kept
// with the recall are made. When they no longer can be (the stock went
// meanwhile), the units stay planned where they are and an exception says
// so. The system (the WMS) confirms; so may operations by hand. Returns
// ENOTFOUND, EFORBIDDEN, and ECONFLICT when no recall is waiting (it
// shipped, or was never asked).
func (db *DB) ConfirmRecall(ctx context.Context, a OrderAction, seq int) (domain.Order, error) {
	if err := requireRole(a, "confirm recalls", domain.RoleOps); err != nil {
		return domain.Order{}, err
	}
	return db.act(ctx, a, func(tx *sql.Tx, o domain.Order) (ActionEvent, error) {
		g, err := groupOf(ctx, tx, o, seq)
		if err != nil {
			return ActionEvent{}, err
		}
		pending, moves, err := recallOf(ctx, tx, g)
		if err != nil {
			return ActionEvent{}, err
		}
		if !pending || g.Status != sourcing.GroupReleased {
			return ActionEvent{}, domain.Errorf(domain.ECONFLICT, "Shipment %d of order %s has no recall waiting (it is %s).", seq, o.Number, g.Status)
		}
		lines, err := loadGroupLines(ctx, tx, g.ID)
		if err != nil {
			return ActionEvent{}, err
		}
		for _, l := range lines {
			if err := moveBucket(ctx, tx, l.LineID, "qty_released", "qty_allocated", l.Qty); err != nil {
				return ActionEvent{}, err
			}
		}
		// The carrier the warehouse booked goes with the release it undid.
		if _, err := tx.ExecContext(ctx, `UPDATE fulfilment_groups SET status = 'planned', released_at = NULL, carrier = '', service = '',
			tracking_number = '', recall_requested_at = NULL, recall_requested_by = '', recall_moves = '' WHERE id = ?`, g.ID); err != nil {
			return ActionEvent{}, err
		}
		summary := fmt.Sprintf("The warehouse gave back shipment %d from %s; it is planned again.", seq, g.Location)
		cur, snap, rules, err := planState(ctx, tx, o.ID)
		if err != nil {
			return ActionEvent{}, err
		}
		pv, perr := sourcing.PreviewChange(cur, snap, rules, moves, ParseTime(db.now()))
		switch {
		case len(moves) == 0:
		case perr != nil:
			msg := fmt.Sprintf("Shipment %d was recalled, but its units could not move: %s They stay planned at %s.", seq, domain.ErrorMessage(perr), g.Location)
			if _, err := tx.ExecContext(ctx, `INSERT INTO exceptions (kind, order_id, severity, summary, sla_due_at, created_at)
				VALUES ('reroute', ?, 'medium', ?, ?, ?)`, o.ID, msg, FormatTime(db.Now().Add(exceptionSLA)), db.now()); err != nil {
				return ActionEvent{}, err
			}
			summary += " " + msg
		default:
			if err := db.applyMoves(ctx, tx, o.ID, cur, snap, pv.Now); err != nil {
				return ActionEvent{}, err
			}
			sentences := append([]string{fmt.Sprintf("Shipment %d recalled from the warehouse.", seq)}, pv.Steps...)
			if err := db.writeManualTrace(ctx, tx, o.ID, pv, sentences); err != nil {
				return ActionEvent{}, err
			}
			summary += " " + strings.Join(pv.Steps, " ")
		}
		if err := db.planChangedMessage(ctx, tx, o); err != nil {
			return ActionEvent{}, err
		}
		return ActionEvent{Kind: "group.recalled", Summary: summary}, nil
	})
}

// RefuseRecall records the warehouse's refusal to give back released
// shipment seq, usually because it has already left: the recall and its
// moves are dropped, the shipment stays released (its ship confirmation
// follows), and an exception tells a person. note is the warehouse's
// reason. The system refuses; so may operations. Returns ENOTFOUND,
// EFORBIDDEN, ECONFLICT when no recall is waiting.
func (db *DB) RefuseRecall(ctx context.Context, a OrderAction, seq int, note string) (domain.Order, error) {
	if err := requireRole(a, "answer recalls", domain.RoleOps); err != nil {
		return domain.Order{}, err
	}
	note = strings.TrimSpace(note)
	if note == "" {
		note = "the warehouse says it has already shipped"
	}
	if len(note) > MaxReasonLength {
		note = note[:MaxReasonLength]
	}
	return db.act(ctx, a, func(tx *sql.Tx, o domain.Order) (ActionEvent, error) {
		g, err := groupOf(ctx, tx, o, seq)
		if err != nil {
			return ActionEvent{}, err
		}
		pending, _, err := recallOf(ctx, tx, g)
		if err != nil {
			return ActionEvent{}, err
		}
		if !pending {
			return ActionEvent{}, domain.Errorf(domain.ECONFLICT, "Shipment %d of order %s has no recall waiting.", seq, o.Number)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE fulfilment_groups SET recall_requested_at = NULL, recall_moves = '', recall_refused_at = ?,
			recall_note = ? WHERE id = ?`, db.now(), note, g.ID); err != nil {
			return ActionEvent{}, err
		}
		msg := fmt.Sprintf("The warehouse refused to recall shipment %d from %s: %s. Nothing moved; the shipment stays %s.", seq, g.Location, note, g.Status)
		if _, err := tx.ExecContext(ctx, `INSERT INTO exceptions (kind, order_id, severity, summary, sla_due_at, created_at)
			VALUES ('reroute', ?, 'medium', ?, ?, ?)`, o.ID, msg, FormatTime(db.Now().Add(exceptionSLA)), db.now()); err != nil {
			return ActionEvent{}, err
		}
		return ActionEvent{Kind: "group.recall_refused", Summary: msg}, nil
	})
}

// orderRecalls reads the recalls waiting or refused on an order's
// released shipments.
func orderRecalls(ctx context.Context, tx *sql.Tx, orderID int64) ([]Recall, error) {
	rows, err := tx.QueryContext(ctx, `SELECT g.seq, l.code, coalesce(g.recall_requested_at, ''), g.recall_requested_by,
			coalesce(g.recall_refused_at, ''), g.recall_note
		FROM fulfilment_groups g JOIN locations l ON l.id = g.location_id
		WHERE g.order_id = ? AND g.status = 'released' AND (g.recall_requested_at IS NOT NULL OR g.recall_refused_at IS NOT NULL)
		ORDER BY g.seq`, orderID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Recall
	for rows.Next() {
		var r Recall
		if err := rows.Scan(&r.Seq, &r.Location, &r.RequestedAt, &r.RequestedBy, &r.RefusedAt, &r.Note); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// PlanTrace is one sourcing decision on an order, the engine's or a
// person's, with the shipments planned under it.
type PlanTrace struct {
	At        time.Time
	Sentences []string
	Shipments []int // group numbers planned under this decision (not cancelled)
	Newest    bool
}

// maxPlanTraces bounds the decisions the order page lists.
const maxPlanTraces = 20

// orderPlans reads the decisions the order's shipments were planned under,
// and the newest decision, newest first. A group written before groups
// recorded their decision (migration 0040) takes the newest one made at or
// before it.
func orderPlans(ctx context.Context, tx *sql.Tx, orderID int64) ([]PlanTrace, error) {
	rows, err := tx.QueryContext(ctx, `SELECT g.seq, coalesce(g.trace_id,
			(SELECT max(t.id) FROM sourcing_traces t WHERE t.order_id = g.order_id AND t.created_at <= g.created_at),
			(SELECT min(t.id) FROM sourcing_traces t WHERE t.order_id = g.order_id), 0)
		FROM fulfilment_groups g WHERE g.order_id = ? AND g.status <> 'cancelled' ORDER BY g.seq`, orderID)
	if err != nil {
		return nil, fmt.Errorf("read plans of shipments: %w", err)
	}
	under := map[int64][]int{}
	for rows.Next() {
		var seq int
		var trace int64
		if err := rows.Scan(&seq, &trace); err != nil {
			rows.Close()
			return nil, err
		}
		under[trace] = append(under[trace], seq)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = tx.QueryContext(ctx, `SELECT id, trace, created_at FROM sourcing_traces WHERE order_id = ? ORDER BY id DESC LIMIT ?`, orderID, maxPlanTraces)
	if err != nil {
		return nil, fmt.Errorf("read plans: %w", err)
	}
	defer rows.Close()
	var out []PlanTrace
	for first := true; rows.Next(); first = false {
		var id int64
		var raw, at string
		if err := rows.Scan(&id, &raw, &at); err != nil {
			return nil, err
		}
		if !first && len(under[id]) == 0 {
			continue
		}
		p := PlanTrace{At: ParseTime(at), Shipments: under[id], Newest: first}
		if err := json.Unmarshal([]byte(raw), &p.Sentences); err != nil {
			p.Sentences = []string{raw}
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
