package store

import (
	"context"
	"database/sql"
	"strings"

	"github.com/oms/oms/domain"
)

// Master data from the ERP: items, customers and price lists. Each batch
// is an inbound message (applied at most once by its id, all rows or none)
// and upserts by SKU, account number or (price level, SKU). A field left
// nil keeps what the record has (or takes the column's default for a new
// record), so an ERP that sends only what changed does not blank the rest.
// Orders already captured keep their lines as captured: a line's price,
// quantity and item are copied onto the order, so a new list price, pack
// size or price list changes only orders captured after it, and a credit
// hold or a deactivation stops new orders through the intake's own rules.

// Text field limits of master data.
const (
	maxSKU        = 64
	maxItemText   = 200
	maxUOM        = 10
	maxPriceLevel = 40
	maxPhone      = 40
	maxEmail      = 254
)

// ItemRecord is one row of an item master batch.
type ItemRecord struct {
	Row              int // the sender's row number, for errors
	SKU              string
	Description      *string // required for a new item
	UOM              *string
	PackQty          *int64
	MinQty           *int64
	WeightGrams      *int64
	ListPriceCents   *int64 // required for a new item
	DropshipEligible *bool
	DropshipVendor   *string // a vendor location's code; "" clears it
	Hazmat           *bool
	Discontinued     *bool
	Active           *bool
}

// ItemBatch is the ERP's item master message.
type ItemBatch struct {
	MessageID string
	Source    string
	Rows      []ItemRecord
}

// text checks an optional text value with domain.TextProblem.
func (e rowErrors) text(row int, field string, v *string, max int) {
	if v == nil {
		return
	}
	if p := domain.TextProblem(*v, max); p != "" {
		e.add(row, field, "%s", p)
	}
}

func (e rowErrors) atLeast(row int, field string, v *int64, min int64) {
	if v != nil && *v < min {
		e.add(row, field, "must be at least %d (%d)", min, *v)
	}
}

func trimmed(v *string) *string {
	if v == nil {
		return nil
	}
	s := strings.TrimSpace(*v)
	return &s
}

// boolArg is a nullable 0/1 for SQL.
func boolArg(v *bool) any {
	if v == nil {
		return nil
	}
	if *v {
		return 1
	}
	return 0
}

func ptrArg[T any](v *T) any {
	if v == nil {
		return nil
	}
	return *v
}

// ApplyItems upserts items by SKU. A new item needs a description and a
// list price; every field of a known item left out is kept. Returns
// EINVALID naming each bad row; nothing applies then.
func (db *DB) ApplyItems(ctx context.Context, b ItemBatch) (InboundResult, error) {
	return db.inboundTx(ctx, b.MessageID, "items", b.Source, len(b.Rows), func(tx *sql.Tx, res *InboundResult) error {
		skus := make([]string, len(b.Rows))
		for i, r := range b.Rows {
			skus[i] = r.SKU
		}
		refs, err := readStockRefs(ctx, tx, skus)
		if err != nil {
			return err
		}
		vendors, err := vendorIDs(ctx, tx)
		if err != nil {
			return err
		}
		bad := rowErrors{}
		seen := map[string]int{}
		vendorOf := make([]any, len(b.Rows))
		for i := range b.Rows {
			r := &b.Rows[i]
			r.SKU = strings.TrimSpace(r.SKU)
			r.Description, r.UOM, r.DropshipVendor = trimmed(r.Description), trimmed(r.UOM), trimmed(r.DropshipVendor)
			key := refKey(r.SKU)
			switch {
			case r.SKU == "":
				bad.add(r.Row, "sku", "is required")
			case domain.TextProblem(r.SKU, maxSKU) != "":
				bad.add(r.Row, "sku", "%s", domain.TextProblem(r.SKU, maxSKU))
			case strings.ContainsAny(r.SKU, " \t\n"):
				bad.add(r.Row, "sku", "must not contain spaces (%q)", domain.Excerpt(r.SKU))
			case seen[key] != 0:
				bad.add(r.Row, "sku", "%s is also in row %d", r.SKU, seen[key]-1)
			}
			seen[key] = r.Row + 1
			_, known := refs.item(r.SKU)
			if !known && r.Description == nil {
				bad.add(r.Row, "description", "is required for a new item")
			} else if r.Description != nil && *r.Description == "" {
				bad.add(r.Row, "description", "must not be empty")
			}
			if !known && r.ListPriceCents == nil {
				bad.add(r.Row, "list_price_cents", "is required for a new item")
			}
			bad.text(r.Row, "description", r.Description, maxItemText)
			bad.text(r.Row, "uom", r.UOM, maxUOM)
			if r.UOM != nil && *r.UOM == "" {
				bad.add(r.Row, "uom", "must not be empty")
			}
			bad.atLeast(r.Row, "pack_qty", r.PackQty, 1)
			bad.atLeast(r.Row, "min_qty", r.MinQty, 1)
			bad.atLeast(r.Row, "weight_grams", r.WeightGrams, 0)
			bad.atLeast(r.Row, "list_price_cents", r.ListPriceCents, 0)
			if r.DropshipVendor != nil && *r.DropshipVendor != "" {
				id, ok := vendors[refKey(*r.DropshipVendor)]
				if !ok {
					bad.add(r.Row, "dropship_vendor", "no vendor location %q", domain.Excerpt(*r.DropshipVendor))
				}
				vendorOf[i] = id
			} else if r.DropshipVendor != nil {
				vendorOf[i] = int64(0) // clear
			}
		}
		if err := bad.err("The batch"); err != nil {
			return err
		}
		now := db.now()
		for i, r := range b.Rows {
			var uom any = ptrArg(r.UOM)
			if r.UOM != nil {
				uom = strings.ToUpper(*r.UOM)
			}
			// A vendor of 0 clears it; NULL keeps it.
			var err error
			if _, known := refs.item(r.SKU); known {
				_, err = tx.ExecContext(ctx, `UPDATE items SET
					description = coalesce(?, description), uom = coalesce(?, uom), pack_qty = coalesce(?, pack_qty),
					min_qty = coalesce(?, min_qty), weight_grams = coalesce(?, weight_grams),
					list_price_cents = coalesce(?, list_price_cents), dropship_eligible = coalesce(?, dropship_eligible),
					dropship_vendor_id = CASE WHEN ? IS NULL THEN dropship_vendor_id ELSE nullif(?, 0) END,
					hazmat = coalesce(?, hazmat), discontinued = coalesce(?, discontinued), active = coalesce(?, active),
					updated_at = ? WHERE sku = ?`,
					ptrArg(r.Description), uom, ptrArg(r.PackQty), ptrArg(r.MinQty), ptrArg(r.WeightGrams),
					ptrArg(r.ListPriceCents), boolArg(r.DropshipEligible), vendorOf[i], vendorOf[i],
					boolArg(r.Hazmat), boolArg(r.Discontinued), boolArg(r.Active), now, r.SKU)
			} else {
				_, err = tx.ExecContext(ctx, `INSERT INTO items (sku, description, uom, pack_qty, min_qty, weight_grams, list_price_cents,
					dropship_eligible, dropship_vendor_id, hazmat, discontinued, active, updated_at)
				VALUES (?, ?, coalesce(?, 'EA'), coalesce(?, 1), coalesce(?, 1), coalesce(?, 0), ?,
					coalesce(?, 0), nullif(?, 0), coalesce(?, 0), coalesce(?, 0), coalesce(?, 1), ?)`,
					strings.ToUpper(r.SKU), ptrArg(r.Description), uom, ptrArg(r.PackQty), ptrArg(r.MinQty), ptrArg(r.WeightGrams), ptrArg(r.ListPriceCents),
					boolArg(r.DropshipEligible), vendorOf[i], boolArg(r.Hazmat), boolArg(r.Discontinued), boolArg(r.Active), now)
			}
			if err != nil {
				return err
			}
			// Dropship needs a vendor to send the purchase order to, whichever
			// of the two this row changed.
			var noVendor bool
			if err := tx.QueryRowContext(ctx, `SELECT dropship_eligible = 1 AND dropship_vendor_id IS NULL FROM items WHERE sku = ?`, r.SKU).Scan(&noVendor); err != nil {
				return err
			}
			if noVendor {
				bad.add(r.Row, "dropship_vendor", "is required for a dropship-eligible item")
			}
			res.Applied++
		}
		return bad.err("The batch")
	})
}

// vendorIDs maps the codes of vendor locations (upper-cased) to ids.
func vendorIDs(ctx context.Context, tx *sql.Tx) (map[string]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, code FROM locations WHERE type = 'vendor'`)
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

// CustomerRecord is one row of a customer batch.
type CustomerRecord struct {
	Row              int
	Account          string
	Name             *string // required for a new customer
	Type             *string // b2b or b2c; required for a new customer
	Email            *string
	Phone            *string
	CreditLimitCents *int64
	OpenARCents      *int64
	CreditStatus     *string // ok or hold
	PriceLevel       *string
	ShipComplete     *bool
	BackorderPolicy  *string // allow or ship_available_cancel_rest
	Active           *bool
}

// CustomerBatch is the ERP's customer message.
type CustomerBatch struct {
	MessageID string
	Source    string
	Rows      []CustomerRecord
}

// ApplyCustomers upserts customers by account number: the ERP's credit
// limit, open AR and credit status, the price level and the rest. A
// credit hold or a new limit applies to orders captured from then on,
// through the intake's credit check; open orders are left as they are.
// Returns EINVALID naming each bad row; nothing applies then.
func (db *DB) ApplyCustomers(ctx context.Context, b CustomerBatch) (InboundResult, error) {
	return db.inboundTx(ctx, b.MessageID, "customers", b.Source, len(b.Rows), func(tx *sql.Tx, res *InboundResult) error {
		bad := rowErrors{}
		seen := map[string]int{}
		known := make([]bool, len(b.Rows))
		for i := range b.Rows {
			r := &b.Rows[i]
			r.Account = strings.TrimSpace(r.Account)
			r.Name, r.Type, r.Email, r.Phone = trimmed(r.Name), trimmed(r.Type), trimmed(r.Email), trimmed(r.Phone)
			r.CreditStatus, r.PriceLevel, r.BackorderPolicy = trimmed(r.CreditStatus), trimmed(r.PriceLevel), trimmed(r.BackorderPolicy)
			key := refKey(r.Account)
			switch {
			case r.Account == "":
				bad.add(r.Row, "account", "is required")
			case domain.TextProblem(r.Account, maxSKU) != "":
				bad.add(r.Row, "account", "%s", domain.TextProblem(r.Account, maxSKU))
			case seen[key] != 0:
				bad.add(r.Row, "account", "%s is also in row %d", r.Account, seen[key]-1)
			}
			seen[key] = r.Row + 1
			if r.Account != "" {
				var n int
				if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM customers WHERE account = ?`, r.Account).Scan(&n); err != nil {
					return err
				}
				known[i] = n > 0
			}
			if !known[i] && r.Name == nil {
				bad.add(r.Row, "name", "is required for a new customer")
			} else if r.Name != nil && *r.Name == "" {
				bad.add(r.Row, "name", "must not be empty")
			}
			if !known[i] && r.Type == nil {
				bad.add(r.Row, "type", "is required for a new customer (b2b or b2c)")
			}
			bad.text(r.Row, "name", r.Name, maxItemText)
			bad.text(r.Row, "email", r.Email, maxEmail)
			if r.Email != nil && *r.Email != "" && !strings.Contains(*r.Email, "@") {
				bad.add(r.Row, "email", "is not an e-mail address (%q)", domain.Excerpt(*r.Email))
			}
			bad.text(r.Row, "phone", r.Phone, maxPhone)
			bad.text(r.Row, "price_level", r.PriceLevel, maxPriceLevel)
			if r.PriceLevel != nil {
				if *r.PriceLevel == "" {
					bad.add(r.Row, "price_level", "must not be empty (LIST is the list price)")
				}
				up := strings.ToUpper(*r.PriceLevel)
				r.PriceLevel = &up
			}
			if r.Type != nil {
				low := strings.ToLower(*r.Type)
				r.Type = &low
				if low != "b2b" && low != "b2c" {
					bad.add(r.Row, "type", "must be b2b or b2c, not %q", domain.Excerpt(*r.Type))
				}
			}
			if r.CreditStatus != nil {
				low := strings.ToLower(*r.CreditStatus)
				r.CreditStatus = &low
				if low != "ok" && low != "hold" {
					bad.add(r.Row, "credit_status", "must be ok or hold, not %q", domain.Excerpt(*r.CreditStatus))
				}
			}
			if r.BackorderPolicy != nil && *r.BackorderPolicy != "allow" && *r.BackorderPolicy != "ship_available_cancel_rest" {
				bad.add(r.Row, "backorder_policy", "must be allow or ship_available_cancel_rest, not %q", domain.Excerpt(*r.BackorderPolicy))
			}
			bad.atLeast(r.Row, "credit_limit_cents", r.CreditLimitCents, 0)
		}
		if err := bad.err("The batch"); err != nil {
			return err
		}
		now := db.now()
		for i, r := range b.Rows {
			_, err := tx.ExecContext(ctx, `UPDATE customers SET
					name = coalesce(?, name), type = coalesce(?, type), email = coalesce(?, email), phone = coalesce(?, phone),
					credit_limit_cents = coalesce(?, credit_limit_cents), open_ar_cents = coalesce(?, open_ar_cents),
					credit_status = coalesce(?, credit_status), price_level = coalesce(?, price_level),
					ship_complete = coalesce(?, ship_complete), backorder_policy = coalesce(?, backorder_policy),
					active = coalesce(?, active) WHERE account = ?`,
				ptrArg(r.Name), ptrArg(r.Type), ptrArg(r.Email), ptrArg(r.Phone), ptrArg(r.CreditLimitCents), ptrArg(r.OpenARCents),
				ptrArg(r.CreditStatus), ptrArg(r.PriceLevel), boolArg(r.ShipComplete), ptrArg(r.BackorderPolicy), boolArg(r.Active), r.Account)
			if err != nil {
				return err
			}
			if !known[i] {
				_, err = tx.ExecContext(ctx, `INSERT INTO customers (account, name, type, email, phone, credit_limit_cents, open_ar_cents,
					credit_status, price_level, ship_complete, backorder_policy, active, created_at)
				VALUES (?, ?, ?, coalesce(?, ''), coalesce(?, ''), coalesce(?, 0), coalesce(?, 0),
					coalesce(?, 'ok'), coalesce(?, 'LIST'), coalesce(?, 0), coalesce(?, 'allow'), coalesce(?, 1), ?)`,
					r.Account, ptrArg(r.Name), ptrArg(r.Type), ptrArg(r.Email), ptrArg(r.Phone), ptrArg(r.CreditLimitCents),
					ptrArg(r.OpenARCents), ptrArg(r.CreditStatus), ptrArg(r.PriceLevel), boolArg(r.ShipComplete), ptrArg(r.BackorderPolicy),
					boolArg(r.Active), now)
				if err != nil {
					return err
				}
			}
			res.Applied++
		}
		return nil
	})
}

// PriceEntry is one row of a price list message: the price of an item at a
// price level (customers.price_level), or its removal, after which that
// level's customers pay the list price.
type PriceEntry struct {
	Row            int
	PriceLevel     string
	SKU            string
	UnitPriceCents *int64 // required unless Remove
	Remove         bool
}

// PriceListBatch is the ERP's price list message.
type PriceListBatch struct {
	MessageID string
	Source    string
	Rows      []PriceEntry
}

// ApplyPriceLists sets (or removes) price list entries by price level and
// SKU. Lines already captured keep their price; orders captured after it
// get the new one. Returns EINVALID naming each bad row; nothing applies
// then.
func (db *DB) ApplyPriceLists(ctx context.Context, b PriceListBatch) (InboundResult, error) {
	return db.inboundTx(ctx, b.MessageID, "price_list", b.Source, len(b.Rows), func(tx *sql.Tx, res *InboundResult) error {
		skus := make([]string, len(b.Rows))
		for i, r := range b.Rows {
			skus[i] = r.SKU
		}
		ids, err := skuIDs(ctx, tx, skus)
		if err != nil {
			return err
		}
		bad := rowErrors{}
		type key struct {
			level string
			item  int64
		}
		seen := map[key]int{}
		for i := range b.Rows {
			r := &b.Rows[i]
			r.PriceLevel = strings.ToUpper(strings.TrimSpace(r.PriceLevel))
			switch {
			case r.PriceLevel == "":
				bad.add(r.Row, "price_level", "is required")
			case domain.TextProblem(r.PriceLevel, maxPriceLevel) != "":
				bad.add(r.Row, "price_level", "%s", domain.TextProblem(r.PriceLevel, maxPriceLevel))
			}
			id, ok := ids[refKey(r.SKU)]
			switch {
			case strings.TrimSpace(r.SKU) == "":
				bad.add(r.Row, "sku", "is required")
			case !ok:
				bad.add(r.Row, "sku", "no item with SKU %q", domain.Excerpt(r.SKU))
			case seen[key{r.PriceLevel, id}] != 0:
				bad.add(r.Row, "sku", "%s at %s is also in row %d", r.SKU, r.PriceLevel, seen[key{r.PriceLevel, id}]-1)
			}
			if ok {
				seen[key{r.PriceLevel, id}] = r.Row + 1
			}
			switch {
			case !r.Remove && r.UnitPriceCents == nil:
				bad.add(r.Row, "unit_price_cents", "is required (or remove the entry)")
			case !r.Remove && *r.UnitPriceCents < 0:
				bad.add(r.Row, "unit_price_cents", "must not be negative (%d)", *r.UnitPriceCents)
			}
		}
		if err := bad.err("The batch"); err != nil {
			return err
		}
		for _, r := range b.Rows {
			id := ids[refKey(r.SKU)]
			var err error
			if r.Remove {
				_, err = tx.ExecContext(ctx, `DELETE FROM price_list_entries WHERE price_level = ? AND item_id = ?`, r.PriceLevel, id)
			} else {
				_, err = tx.ExecContext(ctx, `INSERT INTO price_list_entries (price_level, item_id, unit_price_cents) VALUES (?, ?, ?)
					ON CONFLICT (price_level, item_id) DO UPDATE SET unit_price_cents = excluded.unit_price_cents`, r.PriceLevel, id, *r.UnitPriceCents)
			}
			if err != nil {
				return err
			}
			res.Applied++
		}
		return nil
	})
}
