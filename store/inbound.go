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
)

// systemAction is an action the ERP or WMS takes on an order: it describes
// a fact, so it acts on the current version.
func systemAction(number, actor string) OrderAction {
	return OrderAction{Number: strings.TrimSpace(number), Actor: actor}
}

// ShipmentConfirmation is the WMS's (or a vendor's) confirmation that a
// released group shipped, whole or in part.
type ShipmentConfirmation struct {
	MessageID string
	Source    string
	Row       int    // the row of a file that holds several, for errors
	Actor     string // who sent it (the API token's name)
	Order     string
	Group     int // the group's sequence number on the order
	Shipment
}

// ConfirmShipment applies a shipment confirmation at most once (by message
// id), through the same action as a person confirming it (ShipGroup).
// Returns ENOTFOUND, EINVALID, ECONFLICT as ShipGroup does.
func (db *DB) ConfirmShipment(ctx context.Context, c ShipmentConfirmation) (InboundResult, error) {
	s, err := checkShipment(c.Shipment)
	if err != nil {
		return InboundResult{MessageID: c.MessageID}, err
	}
	return db.inboundTx(ctx, c.MessageID, "shipment", c.Source, 1, func(tx *sql.Tx, res *InboundResult) error {
		res.Applied = 1
		return db.confirmShipmentTx(ctx, tx, c, s)
	})
}

func (db *DB) confirmShipmentTx(ctx context.Context, tx *sql.Tx, c ShipmentConfirmation, s Shipment) error {
	_, err := db.actTx(ctx, tx, systemAction(c.Order, c.Actor), func(tx *sql.Tx, o domain.Order) (ActionEvent, error) {
		return db.shipGroup(ctx, tx, o, c.Group, s)
	})
	return err
}

// ConfirmShipments applies several shipment confirmations as one message
// (an inbox file), at most once by messageID and all or none: a
// confirmation that fails is named by its Row ("rows[N].field") with every
// other that fails, and nothing applies. Each goes through the same action
// as ConfirmShipment.
func (db *DB) ConfirmShipments(ctx context.Context, messageID, source string, cs []ShipmentConfirmation) (InboundResult, error) {
	return db.inboundTx(ctx, messageID, "shipment", source, len(cs), func(tx *sql.Tx, res *InboundResult) error {
		bad := rowErrors{}
		for _, c := range cs {
			s, err := checkShipment(c.Shipment)
			if err == nil {
				err = inSavepoint(ctx, tx, func() error { return db.confirmShipmentTx(ctx, tx, c, s) })
			}
			if err := bad.addError(c.Row, "order", err); err != nil {
				return err
			}
			res.Applied++
		}
		return bad.err("The file")
	})
}

// inSavepoint runs fn inside a savepoint of tx and undoes what fn wrote
// when it fails, so that a batch can go on to find every bad row.
func inSavepoint(ctx context.Context, tx *sql.Tx, fn func() error) error {
	if _, err := tx.ExecContext(ctx, `SAVEPOINT inbound_row`); err != nil {
		return err
	}
	if err := fn(); err != nil {
		if _, rerr := tx.ExecContext(ctx, `ROLLBACK TO inbound_row`); rerr != nil {
			return rerr
		}
		tx.ExecContext(ctx, `RELEASE inbound_row`)
		return err
	}
	_, err := tx.ExecContext(ctx, `RELEASE inbound_row`)
	return err
}

// addError records err of the row at row: a domain error's fields under
// the row, else its message under field. Errors that are not the row's
// fault (internal ones) are returned.
func (e rowErrors) addError(row int, field string, err error) error {
	if err == nil {
		return nil
	}
	var de *domain.Error
	if !errors.As(err, &de) || de.Code == domain.EINTERNAL {
		return err
	}
	if len(de.Fields) == 0 {
		e.add(row, field, "%s", de.Message)
		return nil
	}
	for f, msg := range de.Fields {
		e.add(row, f, "%s", msg)
	}
	return nil
}

// Invoice is the ERP's invoice for shipped groups of an order.
type Invoice struct {
	MessageID   string
	Source      string
	Row         int // the row of a file that holds several, for errors
	Actor       string
	Number      string // the ERP's invoice number
	Order       string
	Groups      []int // group sequence numbers; none means every shipped group not yet invoiced
	AmountCents int64
	InvoicedAt  time.Time
}

// ApplyInvoice records an invoice at most once (by message id) and marks
// its groups invoiced; an order whose every unit not cancelled has shipped
// and whose every shipped group is invoiced is closed. Returns ENOTFOUND
// for an unknown order or group, EINVALID for a missing number or a group
// that has not shipped, ECONFLICT for an invoice number used before.
func (db *DB) ApplyInvoice(ctx context.Context, inv Invoice) (InboundResult, error) {
	inv.Number = strings.TrimSpace(inv.Number)
	if inv.Number == "" {
		return InboundResult{MessageID: inv.MessageID}, domain.Invalid("An invoice needs its number.", map[string]string{"invoice_number": "is required"})
	}
	return db.inboundTx(ctx, inv.MessageID, "invoice", inv.Source, 1, func(tx *sql.Tx, res *InboundResult) error {
		res.Applied = 1
		return db.applyInvoiceTx(ctx, tx, inv)
	})
}

// ApplyInvoices records several invoices as one message (an inbox file),
// at most once by messageID and all or none, each as ApplyInvoice does; a
// bad invoice is named by its Row with every other.
func (db *DB) ApplyInvoices(ctx context.Context, messageID, source string, invs []Invoice) (InboundResult, error) {
	return db.inboundTx(ctx, messageID, "invoice", source, len(invs), func(tx *sql.Tx, res *InboundResult) error {
		bad := rowErrors{}
		for _, inv := range invs {
			inv.Number = strings.TrimSpace(inv.Number)
			var err error
			if inv.Number == "" {
				err = domain.Invalid("An invoice needs its number.", map[string]string{"invoice_number": "is required"})
			} else {
				err = inSavepoint(ctx, tx, func() error { return db.applyInvoiceTx(ctx, tx, inv) })
			}
			if err := bad.addError(inv.Row, "order", err); err != nil {
				return err
			}
			res.Applied++
		}
		return bad.err("The file")
	})
}

func (db *DB) applyInvoiceTx(ctx context.Context, tx *sql.Tx, inv Invoice) error {
	_, err := db.actTx(ctx, tx, systemAction(inv.Order, inv.Actor), func(tx *sql.Tx, o domain.Order) (ActionEvent, error) {
		var groups []int64
		if len(inv.Groups) == 0 {
			ids, err := queryColumn[int64](ctx, tx, `SELECT id FROM fulfilment_groups WHERE order_id = ? AND status = 'shipped' AND invoice_id IS NULL`, o.ID)
			if err != nil {
				return ActionEvent{}, err
			}
			if len(ids) == 0 {
				return ActionEvent{}, domain.Invalid(fmt.Sprintf("Order %s has no shipped shipment left to invoice.", o.Number),
					map[string]string{"groups": "nothing shipped to invoice"})
			}
			groups = ids
		}
		for _, seq := range inv.Groups {
			g, err := groupOf(ctx, tx, o, seq)
			if err != nil {
				return ActionEvent{}, err
			}
			if g.Status != "shipped" {
				return ActionEvent{}, domain.Invalid(fmt.Sprintf("Shipment %s-%d is %s, not shipped; it cannot be invoiced.", o.Number, seq, g.Status),
					map[string]string{"groups": fmt.Sprintf("shipment %d has not shipped", seq)})
			}
			groups = append(groups, g.ID)
		}
		at := inv.InvoicedAt
		if at.IsZero() {
			at = db.Now()
		}
		r, err := tx.ExecContext(ctx, `INSERT INTO invoices (number, order_id, amount_cents, invoiced_at, created_at) VALUES (?, ?, ?, ?, ?)`,
			inv.Number, o.ID, inv.AmountCents, FormatTime(at), db.now())
		if err != nil {
			return ActionEvent{}, mapError(err)
		}
		invoiceID, _ := r.LastInsertId()
		// The shipped lines of groups not invoiced before may close now.
		gj, _ := json.Marshal(groups)
		lines, err := queryColumn[int64](ctx, tx, `SELECT DISTINCT gl.order_line_id FROM fulfilment_group_lines gl
			JOIN fulfilment_groups g ON g.id = gl.group_id WHERE g.invoice_id IS NULL AND g.id IN (SELECT value FROM json_each(?))
			ORDER BY gl.order_line_id`, string(gj))
		if err != nil {
			return ActionEvent{}, err
		}
		for _, id := range groups {
			if _, err := tx.ExecContext(ctx, `UPDATE fulfilment_groups SET invoice_id = ? WHERE id = ?`, invoiceID, id); err != nil {
				return ActionEvent{}, err
			}
		}
		if err := queueLinesClosed(ctx, tx, db.now(), o.ID, lines); err != nil {
			return ActionEvent{}, err
		}
		return ActionEvent{Kind: "order.invoiced",
			Summary: fmt.Sprintf("Invoice %s for %s (%d %s).", inv.Number, domain.Money(inv.AmountCents), len(groups), plural(len(groups), "shipment", "shipments"))}, nil
	})
	return err
}

// InboundMessage is one applied inbound message, for the Integrations page.
type InboundMessage struct {
	MessageID  string
	Kind       string
	Source     string
	Rows       int
	Outcome    string
	ReceivedAt time.Time
}

// RecentInbound lists the newest applied inbound messages.
func (db *DB) RecentInbound(ctx context.Context, limit int) ([]InboundMessage, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT message_id, kind, source, rows, outcome, received_at FROM inbound_messages
		ORDER BY received_at DESC, rowid DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []InboundMessage
	for rows.Next() {
		var m InboundMessage
		var at string
		if err := rows.Scan(&m.MessageID, &m.Kind, &m.Source, &m.Rows, &m.Outcome, &at); err != nil {
			return nil, err
		}
		m.ReceivedAt = ParseTime(at)
		out = append(out, m)
	}
	return out, rows.Err()
}

// DeleteOldInbound forgets inbound message ids received longer than
// retention ago, so the log does not grow without bound; a message sent
// again after that is applied again. It returns how many it deleted.
func (db *DB) DeleteOldInbound(ctx context.Context, retention time.Duration) (int64, error) {
	var n int64
	err := db.Update(ctx, func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `DELETE FROM inbound_messages WHERE received_at < ?`, FormatTime(db.Now().Add(-retention)))
		if err != nil {
			return err
		}
		n, _ = r.RowsAffected()
		return nil
	})
	return n, err
}
