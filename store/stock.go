package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/oms/oms/domain"
)

// recordMovement changes on hand of an item at a location by qty
// (negative for a shipment) as of when it happened (at, in TimeFormat),
// and remembers the movement until a snapshot covers it. A movement at or
// before the row's last applied snapshot is already in that count and
// changes nothing; applied says whether on hand changed. It does not tell
// backorders: the caller passes the items whose stock went up to
// stockIncreased once, after every movement of its batch (ReceiveStock
// fills them itself, to report what it filled).
func recordMovement(ctx context.Context, tx *sql.Tx, itemID, locationID, qty int64, kind, at, ref string) (bool, error) {
	if qty == 0 {
		return false, nil
	}
	var snapAsOf string
	err := tx.QueryRowContext(ctx, `SELECT snapshot_as_of FROM inventory WHERE item_id = ? AND location_id = ?`, itemID, locationID).Scan(&snapAsOf)
	switch {
	case err == sql.ErrNoRows:
		if _, err := tx.ExecContext(ctx, `INSERT INTO inventory (item_id, location_id, on_hand, on_hand_as_of) VALUES (?, ?, ?, ?)`,
			itemID, locationID, qty, at); err != nil {
			return false, fmt.Errorf("add stock row: %w", err)
		}
	case err != nil:
		return false, err
	case snapAsOf != "" && at <= snapAsOf:
		return false, nil
	default:
		if _, err := tx.ExecContext(ctx, `UPDATE inventory SET on_hand = on_hand + ?, on_hand_as_of = max(on_hand_as_of, ?)
			WHERE item_id = ? AND location_id = ?`, qty, at, itemID, locationID); err != nil {
			return false, fmt.Errorf("move stock: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO stock_movements (item_id, location_id, quantity, kind, occurred_at, reference)
		VALUES (?, ?, ?, ?, ?, ?)`, itemID, locationID, qty, kind, at, ref); err != nil {
		return false, fmt.Errorf("record stock movement: %w", err)
	}
	return true, nil
}

// stockIncreased is the one place every increase of on hand ends up (a
// receipt, an adjustment up, a snapshot counting more than was known), in
// the transaction that applied it, so that waiting backorders of those
// items get the stock.
func (db *DB) stockIncreased(ctx context.Context, tx *sql.Tx, itemIDs []int64) error {
	if len(itemIDs) > 1 {
		// A snapshot may raise 100,000 items of which a handful have
		// backorders: one statement over the partial backorder index picks
		// those, instead of two queries per item in fillBackordersFor.
		var err error
		if itemIDs, err = withBackorders(ctx, tx, itemIDs); err != nil {
			return err
		}
	}
	if len(itemIDs) == 0 {
		return nil
	}
	return db.fillBackorders(ctx, tx, itemIDs)
}

// withBackorders keeps the items that have a backordered line, in their
// order.
func withBackorders(ctx context.Context, tx *sql.Tx, itemIDs []int64) ([]int64, error) {
	ids, err := json.Marshal(itemIDs)
	if err != nil {
		return nil, err
	}
	out, err := queryColumn[int64](ctx, tx, `SELECT j.value FROM json_each(?) j
		WHERE EXISTS (SELECT 1 FROM order_lines l WHERE l.item_id = j.value AND l.qty_backordered > 0)
		ORDER BY j.key`, string(ids))
	if err != nil {
		return nil, fmt.Errorf("items with backorders: %w", err)
	}
	return out, nil
}

// InboundResult says what became of an inbound message.
type InboundResult struct {
	MessageID string
	// Duplicate is true when the message id was applied before; nothing
	// was done this time.
	Duplicate bool
	Applied   int // rows applied
	Ignored   int // rows ignored (a snapshot row older than the one applied)
}

// Outcome is the result in words, as the inbound log keeps it.
func (r InboundResult) Outcome() string {
	if r.Duplicate {
		return "duplicate: applied before"
	}
	if r.Ignored > 0 {
		return fmt.Sprintf("%d applied, %d ignored (older than the snapshot already applied)", r.Applied, r.Ignored)
	}
	return fmt.Sprintf("%d applied", r.Applied)
}

// rowErrors collects what is wrong with rows of an inbound batch, keyed
// "rows[N].field" by the sender's own row numbers.
type rowErrors map[string]string

func (e rowErrors) add(row int, field, format string, args ...any) {
	e[fmt.Sprintf("rows[%d].%s", row, field)] = fmt.Sprintf(format, args...)
}

// err is nil when no row is wrong, else EINVALID naming every bad row.
func (e rowErrors) err(what string) error {
	if len(e) == 0 {
		return nil
	}
	return domain.Invalid(fmt.Sprintf("%s has %d bad %s; nothing was applied.", what, len(e), plural(len(e), "value", "values")), e)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// beginInbound records message id as applied inside tx, or reports that
// it was applied before. An empty id is refused: without it a retry could
// apply twice.
func beginInbound(ctx context.Context, tx *sql.Tx, id, kind, source string, rows int, now string) (duplicate bool, err error) {
	r, err := tx.ExecContext(ctx, `INSERT INTO inbound_messages (message_id, kind, source, rows, outcome, received_at)
		VALUES (?, ?, ?, ?, '', ?) ON CONFLICT (message_id) DO NOTHING`, id, kind, source, rows, now)
	if err != nil {
		return false, fmt.Errorf("record inbound message: %w", err)
	}
	n, _ := r.RowsAffected()
	return n == 0, nil
}

func finishInbound(ctx context.Context, tx *sql.Tx, res InboundResult) error {
	_, err := tx.ExecContext(ctx, `UPDATE inbound_messages SET outcome = ? WHERE message_id = ?`, res.Outcome(), res.MessageID)
	return err
}

func requireMessageID(id string) error {
	if strings.TrimSpace(id) == "" {
		return domain.Invalid("Every message needs a message_id, so that a retry is applied only once.", map[string]string{"message_id": "is required"})
	}
	if len(id) > 200 {
		return domain.Invalid("The message_id is too long.", map[string]string{"message_id": "at most 200 characters"})
	}
	return nil
}

// inboundTx runs apply for message id in one write transaction, at most
// once: a message id applied before returns Duplicate and changes nothing.
func (db *DB) inboundTx(ctx context.Context, id, kind, source string, rows int, apply func(tx *sql.Tx, res *InboundResult) error) (InboundResult, error) {
	res := InboundResult{MessageID: id}
	if err := requireMessageID(id); err != nil {
		return res, err
	}
	err := db.Update(ctx, func(tx *sql.Tx) error {
		dup, err := beginInbound(ctx, tx, id, kind, source, rows, db.now())
		if err != nil || dup {
			res.Duplicate = dup
			return err
		}
		if err := apply(tx, &res); err != nil {
			return err
		}
		return finishInbound(ctx, tx, res)
	})
	return res, err
}

// skuIDs maps upper-cased SKUs to item ids for the SKUs asked for.
func skuIDs(ctx context.Context, tx *sql.Tx, skus []string) (map[string]int64, error) {
	out := make(map[string]int64, len(skus))
	if len(skus) > 2000 {
		// A big batch (a whole snapshot): one pass over the item master.
		rows, err := tx.QueryContext(ctx, `SELECT id, sku FROM items`)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var sku string
			if err := rows.Scan(&id, &sku); err != nil {
				return nil, err
			}
			out[strings.ToUpper(sku)] = id
		}
		return out, rows.Err()
	}
	for _, s := range skus {
		k := strings.ToUpper(strings.TrimSpace(s))
		if _, done := out[k]; done || k == "" {
			continue
		}
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM items WHERE sku = ?`, k).Scan(&id)
		if err == sql.ErrNoRows {
			continue
		} else if err != nil {
			return nil, err
		}
		out[k] = id
	}
	return out, nil
}

// locationIDs maps location codes (upper-cased) to ids.
func locationIDs(ctx context.Context, tx *sql.Tx) (map[string]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, code FROM locations`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var id int64
		var code string
		if err := rows.Scan(&id, &code); err != nil {
			return nil, err
		}
		out[strings.ToUpper(code)] = id
	}
	return out, rows.Err()
}

// stockRefs are the ids of the items and locations a batch names, by SKU
// and code (case and surrounding spaces do not matter).
type stockRefs struct {
	items, locations map[string]int64
}

func readStockRefs(ctx context.Context, tx *sql.Tx, skus []string) (stockRefs, error) {
	var r stockRefs
	var err error
	if r.locations, err = locationIDs(ctx, tx); err != nil {
		return r, err
	}
	r.items, err = skuIDs(ctx, tx, skus)
	return r, err
}

func refKey(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

func (r stockRefs) item(sku string) (int64, bool) {
	id, ok := r.items[refKey(sku)]
	return id, ok
}

func (r stockRefs) location(code string) (int64, bool) {
	id, ok := r.locations[refKey(code)]
	return id, ok
}

// StockCount is one row of an inventory snapshot.
type StockCount struct {
	Row    int // the sender's row number, for errors
	SKU    string
	OnHand int64
}

// InventorySnapshot is on hand per item at one location, counted by the
// ERP or WMS as of a time.
type InventorySnapshot struct {
	MessageID string
	Source    string // "api" or the inbox file's name
	Location  string // location code
	AsOf      time.Time
	Rows      []StockCount
}

// ApplyInventorySnapshot sets on hand at the snapshot's location to what
// it counted, plus every movement the OMS applied after the count (a
// shipment confirmed after as_of left after the count; a receipt after it
// arrived after), so nothing is counted twice whatever order the messages
// came in. A row whose item already has a snapshot as of the same time or
// later is ignored. Items the snapshot does not name keep their stock. The
// whole snapshot applies or, with any bad row, nothing does. Returns
// EINVALID naming each bad row.
func (db *DB) ApplyInventorySnapshot(ctx context.Context, s InventorySnapshot) (InboundResult, error) {
	bad := rowErrors{}
	if s.AsOf.IsZero() {
		bad["as_of"] = "is required: the time the stock was counted"
	} else if s.AsOf.After(db.Now().Add(5 * time.Minute)) {
		bad["as_of"] = "is in the future"
	}
	return db.inboundTx(ctx, s.MessageID, "inventory_snapshot", s.Source, len(s.Rows), func(tx *sql.Tx, res *InboundResult) error {
		locs, err := locationIDs(ctx, tx)
		if err != nil {
			return err
		}
		locID, ok := locs[strings.ToUpper(strings.TrimSpace(s.Location))]
		if !ok {
			bad["location"] = fmt.Sprintf("no location %q", s.Location)
		}
		skus := make([]string, len(s.Rows))
		for i, r := range s.Rows {
			skus[i] = r.SKU
		}
		ids, err := skuIDs(ctx, tx, skus)
		if err != nil {
			return err
		}
		seen := make(map[int64]int, len(s.Rows))
		itemOf := make([]int64, len(s.Rows))
		for i, r := range s.Rows {
			id, ok := ids[strings.ToUpper(strings.TrimSpace(r.SKU))]
			switch {
			case strings.TrimSpace(r.SKU) == "":
				bad.add(r.Row, "sku", "is required")
			case !ok:
				bad.add(r.Row, "sku", "no item with SKU %s", r.SKU)
			case seen[id] != 0:
				bad.add(r.Row, "sku", "%s is also in row %d", r.SKU, seen[id]-1)
			}
			if r.OnHand < 0 {
				bad.add(r.Row, "on_hand", "must not be negative (%d)", r.OnHand)
			}
			seen[id], itemOf[i] = r.Row+1, id
		}
		if err := bad.err("The snapshot"); err != nil {
			return err
		}
		asOf := FormatTime(s.AsOf)
		// What is known now at the location: each row's last snapshot and
		// on hand, and the movements no snapshot covers yet.
		type known struct {
			onHand, reserved int64 // reserved: allocated + safety stock
			asOf             string
		}
		current := map[int64]known{}
		rows, err := tx.QueryContext(ctx, `SELECT item_id, on_hand, snapshot_as_of, allocated + safety_stock FROM inventory WHERE location_id = ?`, locID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			var k known
			if err := rows.Scan(&id, &k.onHand, &k.asOf, &k.reserved); err != nil {
				rows.Close()
				return err
			}
			current[id] = k
		}
		rows.Close()
		after := map[int64]int64{}
		rows, err = tx.QueryContext(ctx, `SELECT item_id, sum(quantity) FROM stock_movements WHERE location_id = ? AND occurred_at > ? GROUP BY item_id`, locID, asOf)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id, q int64
			if err := rows.Scan(&id, &q); err != nil {
				rows.Close()
				return err
			}
			after[id] = q
		}
		rows.Close()
		// The rows go to SQLite as JSON, thousands per statement: one
		// statement per row spent more time crossing into SQLite than in it.
		var increased []int64
		batch := make([]byte, 0, 64<<10)
		flush := func() error {
			if len(batch) == 0 {
				return nil
			}
			batch = append(batch, ']')
			_, err := tx.ExecContext(ctx, `INSERT INTO inventory (item_id, location_id, on_hand, on_hand_as_of, snapshot_as_of)
				SELECT j.value ->> 0, ?1, j.value ->> 1, ?2, ?2 FROM json_each(?3) j WHERE true
				ON CONFLICT (item_id, location_id) DO UPDATE SET on_hand = excluded.on_hand,
					on_hand_as_of = excluded.on_hand_as_of, snapshot_as_of = excluded.snapshot_as_of`, locID, asOf, string(batch))
			batch = batch[:0]
			return err
		}
		events := snapshotEvents{db: db, location: locID, asOf: asOf, actor: "inbound:" + s.Source}
		for i, r := range s.Rows {
			id := itemOf[i]
			k, had := current[id]
			if had && k.asOf >= asOf {
				res.Ignored++
				continue
			}
			onHand := r.OnHand + after[id]
			if len(batch) == 0 {
				batch = append(batch, '[')
			} else {
				batch = append(batch, ',')
			}
			batch = fmt.Appendf(batch, "[%d,%d]", id, onHand)
			if onHand != k.onHand {
				if err := events.add(ctx, tx, id, onHand-k.onHand, onHand, onHand-k.reserved); err != nil {
					return err
				}
			}
			if onHand > k.onHand {
				increased = append(increased, id)
			}
			res.Applied++
			if len(batch) > 60<<10 {
				if err := flush(); err != nil {
					return fmt.Errorf("apply snapshot: %w", err)
				}
			}
		}
		if err := flush(); err != nil {
			return fmt.Errorf("apply snapshot: %w", err)
		}
		if err := events.flush(ctx, tx); err != nil {
			return err
		}
		// Movements the snapshot now covers are in its count.
		if _, err := tx.ExecContext(ctx, `DELETE FROM stock_movements WHERE location_id = ? AND occurred_at <= ?
			AND occurred_at <= (SELECT i.snapshot_as_of FROM inventory i WHERE i.item_id = stock_movements.item_id AND i.location_id = stock_movements.location_id)`,
			locID, asOf); err != nil {
			return err
		}
		return db.stockIncreased(ctx, tx, increased)
	})
}

// StockDelta is one movement of stock the ERP or WMS reports: a receipt
// (against a purchase order or not) or an adjustment, up or down.
type StockDelta struct {
	Row        int
	SKU        string
	Location   string
	Quantity   int64 // signed; a receipt is positive
	Kind       string
	OccurredAt time.Time
	PONumber   string // a receipt against inbound supply closes that supply
	Reference  string
}

// InventoryDeltas is a batch of stock movements.
type InventoryDeltas struct {
	MessageID string
	Source    string
	Rows      []StockDelta
}

// ApplyInventoryDeltas applies receipts and adjustments to on hand, each
// as of when it happened: one that a snapshot already applied has counted
// (it happened at or before the snapshot's as_of) changes nothing. A
// receipt naming a purchase order marks that open inbound supply received.
// All rows apply or none. Returns EINVALID naming each bad row.
func (db *DB) ApplyInventoryDeltas(ctx context.Context, d InventoryDeltas) (InboundResult, error) {
	return db.inboundTx(ctx, d.MessageID, "inventory_delta", d.Source, len(d.Rows), func(tx *sql.Tx, res *InboundResult) error {
		skus := make([]string, len(d.Rows))
		for i, r := range d.Rows {
			skus[i] = r.SKU
		}
		refs, err := readStockRefs(ctx, tx, skus)
		if err != nil {
			return err
		}
		bad := rowErrors{}
		now := db.Now()
		for _, r := range d.Rows {
			if _, ok := refs.item(r.SKU); !ok {
				bad.add(r.Row, "sku", "no item with SKU %q", r.SKU)
			}
			if _, ok := refs.location(r.Location); !ok {
				bad.add(r.Row, "location", "no location %q", r.Location)
			}
			switch r.Kind {
			case "receipt":
				if r.Quantity <= 0 {
					bad.add(r.Row, "quantity", "a receipt must be above zero (%d)", r.Quantity)
				}
			case "adjustment":
				if r.Quantity == 0 {
					bad.add(r.Row, "quantity", "must not be zero")
				}
			default:
				bad.add(r.Row, "kind", "must be receipt or adjustment, not %q", r.Kind)
			}
			if r.OccurredAt.After(now.Add(5 * time.Minute)) {
				bad.add(r.Row, "occurred_at", "is in the future")
			}
		}
		if err := bad.err("The batch"); err != nil {
			return err
		}
		var increased []int64 // items whose on hand went up, filled once at the end
		seen := map[int64]bool{}
		for _, r := range d.Rows {
			itemID, _ := refs.item(r.SKU)
			locID, _ := refs.location(r.Location)
			at := r.OccurredAt
			if at.IsZero() {
				at = now
			}
			ref := r.Reference
			if ref == "" {
				ref = r.PONumber
			}
			applied, err := recordMovement(ctx, tx, itemID, locID, r.Quantity, r.Kind, FormatTime(at), ref)
			if err != nil {
				return err
			}
			if applied {
				if err := db.insertStockEvent(ctx, tx, itemID, locID, r.Quantity, r.Kind, "inbound:"+d.Source, ref); err != nil {
					return err
				}
			}
			if applied && r.Quantity > 0 && !seen[itemID] {
				seen[itemID] = true
				increased = append(increased, itemID)
			}
			if r.Kind == "receipt" && r.PONumber != "" {
				if _, err := tx.ExecContext(ctx, `UPDATE inbound_supply SET status = 'received'
					WHERE po_number = ? AND item_id = ? AND location_id = ? AND status = 'open'`, r.PONumber, itemID, locID); err != nil {
					return err
				}
			}
			res.Applied++
		}
		return db.stockIncreased(ctx, tx, increased)
	})
}

// SupplyLine is one line of a purchase order expected at a location.
type SupplyLine struct {
	Row          int
	PONumber     string
	SKU          string
	Location     string
	Quantity     int64
	ExpectedDate string // YYYY-MM-DD
	Status       string // open (default) or cancelled
}

// InboundSupplyBatch is a batch of purchase order lines from the ERP.
type InboundSupplyBatch struct {
	MessageID string
	Source    string
	Rows      []SupplyLine
}

// ApplyInboundSupply adds or updates open purchase order lines (by PO
// number, item and location), which give backorders their expected dates.
// All rows apply or none. Returns EINVALID naming each bad row.
func (db *DB) ApplyInboundSupply(ctx context.Context, b InboundSupplyBatch) (InboundResult, error) {
	return db.inboundTx(ctx, b.MessageID, "inbound_supply", b.Source, len(b.Rows), func(tx *sql.Tx, res *InboundResult) error {
		skus := make([]string, len(b.Rows))
		for i, r := range b.Rows {
			skus[i] = r.SKU
		}
		refs, err := readStockRefs(ctx, tx, skus)
		if err != nil {
			return err
		}
		bad := rowErrors{}
		for i, r := range b.Rows {
			if strings.TrimSpace(r.PONumber) == "" {
				bad.add(r.Row, "po_number", "is required")
			}
			if _, ok := refs.item(r.SKU); !ok {
				bad.add(r.Row, "sku", "no item with SKU %q", r.SKU)
			}
			if _, ok := refs.location(r.Location); !ok {
				bad.add(r.Row, "location", "no location %q", r.Location)
			}
			if r.Quantity <= 0 {
				bad.add(r.Row, "quantity", "must be above zero (%d)", r.Quantity)
			}
			if _, err := time.Parse(DateFormat, r.ExpectedDate); err != nil {
				bad.add(r.Row, "expected_date", "must be a date YYYY-MM-DD, not %q", r.ExpectedDate)
			}
			switch r.Status {
			case "":
				b.Rows[i].Status = "open"
			case "open", "cancelled":
			default:
				bad.add(r.Row, "status", "must be open or cancelled, not %q", r.Status)
			}
		}
		if err := bad.err("The batch"); err != nil {
			return err
		}
		now := db.now()
		for _, r := range b.Rows {
			itemID, _ := refs.item(r.SKU)
			locID, _ := refs.location(r.Location)
			u, err := tx.ExecContext(ctx, `UPDATE inbound_supply SET quantity = ?, expected_date = ?, status = ?
				WHERE po_number = ? AND item_id = ? AND location_id = ? AND status = 'open'`,
				r.Quantity, r.ExpectedDate, r.Status, r.PONumber, itemID, locID)
			if err != nil {
				return err
			}
			if n, _ := u.RowsAffected(); n == 0 && r.Status == "open" {
				if _, err := tx.ExecContext(ctx, `INSERT INTO inbound_supply (item_id, location_id, po_number, quantity, expected_date, status, created_at)
					VALUES (?, ?, ?, ?, ?, 'open', ?)`, itemID, locID, r.PONumber, r.Quantity, r.ExpectedDate, now); err != nil {
					return err
				}
			}
			res.Applied++
		}
		return nil
	})
}
