package store

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"strings"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/geo"
	"github.com/oms/oms/intake"
)

// EntryCustomerMatch is one customer offered by the entry screen's typeahead.
type EntryCustomerMatch struct {
	Account    string
	Name       string
	Phone      string
	City       string // of the default ship-to
	Region     string
	CreditHold bool
	Active     bool
}

// EntryShipTo is one stored ship-to of a customer.
type EntryShipTo struct {
	Code      string
	Address   intake.Address
	IsDefault bool
}

// EntryCustomer is what the entry screen shows of the customer being keyed:
// its ship-tos and its credit position.
type EntryCustomer struct {
	ID               int64
	Account          string
	Name             string
	Type             string
	Phone            string
	Email            string
	PriceLevel       string
	Active           bool
	ShipComplete     bool
	CreditHold       bool
	CreditLimitCents int64
	OpenARCents      int64
	// OpenOrdersCents is the value of accepted orders not yet shipped,
	// counted as intake counts it for the credit check.
	OpenOrdersCents int64
	ShipTos         []EntryShipTo
}

// AvailableCreditCents is the credit left before this order: limit less
// open AR and open orders. It may be negative.
func (c EntryCustomer) AvailableCreditCents() int64 {
	return c.CreditLimitCents - c.OpenARCents - c.OpenOrdersCents
}

// EntryStock is an item's available-to-promise at one location.
type EntryStock struct {
	Code      string
	Name      string
	Available int64
	// Miles from the ship-to; HasMiles is false when either end has no
	// known coordinates.
	Miles    float64
	HasMiles bool
	// NotServed names the business the location ships to ("B2C") when it
	// does not serve the customer's type: sourcing never ships this
	// customer's order from there, so its stock is not theirs to promise.
	NotServed string
}

// EntryItem is an item as the entry screen offers it: the customer's price,
// pack and minimum, and stock per location nearest the ship-to first.
type EntryItem struct {
	ID             int64
	SKU            string
	Description    string
	UOM            string
	PackQty        int64
	MinQty         int64
	PriceCents     int64 // the customer's price
	ListPriceCents int64
	Active         bool
	Discontinued   bool
	// BuyerPart is the customer's own part number when the search matched it.
	BuyerPart string
	Stock     []EntryStock
}

// TotalAvailable is the item's available-to-promise over the locations
// that serve the customer.
func (it EntryItem) TotalAvailable() int64 {
	var n int64
	for _, s := range it.Stock {
		if s.Available > 0 && s.NotServed == "" {
			n += s.Available
		}
	}
	return n
}

// Lookup limits of the typeahead.
const (
	maxCustomerMatchesEntry = 12
	maxItemMatchesEntry     = 12
)

// EntryCustomers finds active and inactive customers as matchCustomers
// does (account, name words, e-mail, phone digits of the account or any
// contact), best first: an exact account, then account prefixes, then names.
func (db *DB) EntryCustomers(ctx context.Context, q string) ([]EntryCustomerMatch, error) {
	var out []EntryCustomerMatch
	err := db.View(ctx, func(tx *sql.Tx) error {
		ids, err := db.matchCustomers(ctx, tx, q, maxCustomerMatchesEntry, true)
		if err != nil || len(ids) == 0 {
			return err
		}
		out, err = inRank(ctx, tx, `SELECT c.id, c.account, c.name, c.phone, coalesce(s.city, ''), coalesce(s.region, ''),
				c.credit_status = 'hold', c.active
			FROM customers c
			LEFT JOIN ship_tos s ON s.id = (SELECT id FROM ship_tos WHERE customer_id = c.id AND active = 1 ORDER BY is_default DESC, id LIMIT 1)
			WHERE c.id IN`, ids, func(rows *sql.Rows) (int64, EntryCustomerMatch, error) {
			var id int64
			var m EntryCustomerMatch
			err := rows.Scan(&id, &m.Account, &m.Name, &m.Phone, &m.City, &m.Region, &m.CreditHold, &m.Active)
			return id, m, err
		})
		return err
	})
	return out, err
}

// CustomerForEntry returns the customer with its active ship-tos (default
// first) and its credit position. Returns ENOTFOUND.
func (db *DB) CustomerForEntry(ctx context.Context, account string) (EntryCustomer, error) {
	var c EntryCustomer
	err := db.View(ctx, func(tx *sql.Tx) error {
		var hold string
		err := tx.QueryRowContext(ctx, `SELECT id, account, name, type, phone, email, price_level, active, ship_complete,
				credit_status, credit_limit_cents, open_ar_cents, open_orders_cents
			FROM customers WHERE account = ?`, strings.TrimSpace(account)).
			Scan(&c.ID, &c.Account, &c.Name, &c.Type, &c.Phone, &c.Email, &c.PriceLevel, &c.Active, &c.ShipComplete,
				&hold, &c.CreditLimitCents, &c.OpenARCents, &c.OpenOrdersCents)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.Errorf(domain.ENOTFOUND, "No customer with account %s.", account)
		} else if err != nil {
			return err
		}
		c.CreditHold = hold == "hold"
		rows, err := tx.QueryContext(ctx, `SELECT code, name, line1, line2, city, region, postal_code, country, is_default
			FROM ship_tos WHERE customer_id = ? AND active = 1 ORDER BY is_default DESC, code`, c.ID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s EntryShipTo
			a := &s.Address
			if err := rows.Scan(&s.Code, &a.Name, &a.Line1, &a.Line2, &a.City, &a.Region, &a.PostalCode, &a.Country, &s.IsDefault); err != nil {
				return err
			}
			c.ShipTos = append(c.ShipTos, s)
		}
		return rows.Err()
	})
	return c, err
}

// DuplicatePO returns the number of the customer's earliest order with
// this PO, or "" when the PO is new.
func (db *DB) DuplicatePO(ctx context.Context, account, po string) (string, error) {
	po = strings.TrimSpace(po)
	if po == "" || strings.TrimSpace(account) == "" {
		return "", nil
	}
	var number string
	err := db.read.QueryRowContext(ctx, `SELECT o.number FROM orders o JOIN customers c ON c.id = o.customer_id
		WHERE c.account = ? AND o.customer_po = ? AND o.status <> 'draft' ORDER BY o.id LIMIT 1`,
		strings.TrimSpace(account), po).Scan(&number)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return number, err
}

// EntryItems finds items by SKU prefix, by the start of the customer's
// part number or by words of the description, with the customer's price
// and stock nearest postalCode first. Discontinued and inactive items are
// included (marked, after the others) so that the rep can see why a SKU is
// refused.
func (db *DB) EntryItems(ctx context.Context, q, account, postalCode string) ([]EntryItem, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, nil
	}
	var out []EntryItem
	err := db.View(ctx, func(tx *sql.Tx) error {
		customerID, _, err := entryPriceLevel(ctx, tx, account)
		if err != nil {
			return err
		}
		ids, err := matchItems(ctx, tx, q, itemMatch{CustomerID: customerID, Limit: maxItemMatchesEntry})
		if err != nil || len(ids) == 0 {
			return err
		}
		list, err := entryItems(ctx, tx, `i.id`, anyIDs(ids), account, postalCode)
		if err != nil {
			return err
		}
		byID := map[int64]EntryItem{}
		for _, it := range list {
			byID[it.ID] = it
		}
		for _, id := range ids {
			out = append(out, byID[id])
		}
		return nil
	})
	return out, err
}

// ItemsForEntry returns the named SKUs (those that exist) as the entry
// screen shows them, keyed by upper-case SKU.
func (db *DB) ItemsForEntry(ctx context.Context, skus []string, account, postalCode string) (map[string]EntryItem, error) {
	out := map[string]EntryItem{}
	var args []any
	seen := map[string]bool{}
	for _, s := range skus {
		s = strings.ToUpper(strings.TrimSpace(s))
		if s != "" && !seen[s] && len(args) < intake.MaxLines {
			seen[s] = true
			args = append(args, s)
		}
	}
	if len(args) == 0 {
		return out, nil
	}
	err := db.View(ctx, func(tx *sql.Tx) error {
		list, err := entryItems(ctx, tx, `i.sku`, args, account, postalCode)
		for _, it := range list {
			out[strings.ToUpper(it.SKU)] = it
		}
		return err
	})
	return out, err
}

// entryItems loads the items whose column (i.id or i.sku) is one of keys,
// priced for the account, with stock nearest postalCode first.
func entryItems(ctx context.Context, tx *sql.Tx, column string, keys []any, account, postalCode string) ([]EntryItem, error) {
	customerID, level, err := entryPriceLevel(ctx, tx, account)
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT i.id, i.sku, i.description, i.uom, i.pack_qty, i.min_qty,
			coalesce(p.unit_price_cents, i.list_price_cents), i.list_price_cents, i.active, i.discontinued,
			coalesce((SELECT x.value FROM item_xrefs x WHERE x.item_id = i.id AND x.kind = 'buyer_part' AND x.customer_id = ?
				ORDER BY x.id LIMIT 1), '')
		FROM items i LEFT JOIN price_list_entries p ON p.item_id = i.id AND p.price_level = ?
		WHERE `+column+` IN (`+placeholders(len(keys))+`)`, append([]any{customerID, level}, keys...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []EntryItem
	for rows.Next() {
		var it EntryItem
		if err := rows.Scan(&it.ID, &it.SKU, &it.Description, &it.UOM, &it.PackQty, &it.MinQty, &it.PriceCents,
			&it.ListPriceCents, &it.Active, &it.Discontinued, &it.BuyerPart); err != nil {
			return nil, err
		}
		list = append(list, it)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var customerType string
	if customerID != 0 {
		if err := tx.QueryRowContext(ctx, `SELECT type FROM customers WHERE id = ?`, customerID).Scan(&customerType); err != nil {
			return nil, err
		}
	}
	return list, entryStock(ctx, tx, list, postalCode, customerType)
}

// entryPriceLevel returns the customer's id and price level; LIST (and id
// 0) when the account is unknown or empty.
func entryPriceLevel(ctx context.Context, tx *sql.Tx, account string) (int64, string, error) {
	account = strings.TrimSpace(account)
	if account == "" {
		return 0, "LIST", nil
	}
	var id int64
	var level string
	err := tx.QueryRowContext(ctx, `SELECT id, price_level FROM customers WHERE account = ?`, account).Scan(&id, &level)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "LIST", nil
	}
	return id, level, err
}

// entryStock fills each item's stock per promisable location (see
// itemStock): the locations that serve customerType (b2b, b2c; "" for
// any) nearest the postal code first (by priority where the distance is
// unknown), then those that do not, marked.
func entryStock(ctx context.Context, tx *sql.Tx, items []EntryItem, postalCode, customerType string) error {
	ids := make([]int64, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	here, hasHere := geo.LookupZIP(postalCode)
	priority := map[string]int64{}
	err := itemStock(ctx, tx, ids, false, func(i int, r stockRow) {
		l := r.Location
		s := EntryStock{Code: l.Code, Name: l.Name, Available: r.Available()}
		if customerType != "" && l.Serves != "both" && l.Serves != customerType {
			s.NotServed = strings.ToUpper(l.Serves)
		}
		if hasHere {
			s.Miles, s.HasMiles = geo.Distance(here.Lat, here.Lon, l.Lat, l.Lon), true
		}
		priority[l.Code] = r.Priority
		items[i].Stock = append(items[i].Stock, s)
	})
	if err != nil {
		return err
	}
	for i := range items {
		st := items[i].Stock
		sort.Slice(st, func(a, b int) bool {
			if (st[a].NotServed == "") != (st[b].NotServed == "") {
				return st[a].NotServed == ""
			}
			if st[a].HasMiles && st[b].HasMiles && st[a].Miles != st[b].Miles {
				return st[a].Miles < st[b].Miles
			}
			if priority[st[a].Code] != priority[st[b].Code] {
				return priority[st[a].Code] < priority[st[b].Code]
			}
			return st[a].Code < st[b].Code
		})
	}
	return nil
}
