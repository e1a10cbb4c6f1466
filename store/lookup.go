package store

import (
	"context"
	"database/sql"
	"strings"
)

// MaxLookupResults caps the answers of LookupItems and LookupCustomers.
const MaxLookupResults = 100

// ItemMatch is an item found by LookupItems, with its stock per location.
type ItemMatch struct {
	SKU            string          `json:"sku"`
	Description    string          `json:"description"`
	UOM            string          `json:"uom"`
	PackQty        int64           `json:"pack_qty"`
	MinQty         int64           `json:"min_qty"`
	ListPriceCents int64           `json:"list_price_cents"`
	Active         bool            `json:"active"`
	Discontinued   bool            `json:"discontinued"`
	Available      int64           `json:"available"` // over every own location
	Stock          []LocationStock `json:"stock"`
}

// LocationStock is an item's stock at one location. Available to promise =
// on hand - allocated - safety stock; it is negative when allocations eat
// into safety stock.
type LocationStock struct {
	Location    string `json:"location"`
	Name        string `json:"location_name"`
	OnHand      int64  `json:"on_hand"`
	Allocated   int64  `json:"allocated"`
	SafetyStock int64  `json:"safety_stock"`
	Available   int64  `json:"available"`
	AsOf        string `json:"on_hand_as_of"`
}

// CustomerMatch is a customer found by LookupCustomers, with what an
// integration needs to place an order: credit and ship-tos.
type CustomerMatch struct {
	Account          string        `json:"account"`
	Name             string        `json:"name"`
	Type             string        `json:"type"`
	Email            string        `json:"email"`
	Phone            string        `json:"phone"`
	Active           bool          `json:"active"`
	CreditStatus     string        `json:"credit_status"`
	CreditLimitCents int64         `json:"credit_limit_cents"`
	OpenARCents      int64         `json:"open_ar_cents"`
	OpenOrdersCents  int64         `json:"open_orders_cents"`
	PriceLevel       string        `json:"price_level"`
	ShipComplete     bool          `json:"ship_complete"`
	ShipTos          []ShipToMatch `json:"ship_tos"`
}

// ShipToMatch is a stored ship-to of a customer, named by its code in
// orders (ship_to_code).
type ShipToMatch struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	City       string `json:"city"`
	Region     string `json:"region"`
	PostalCode string `json:"postal_code"`
	Default    bool   `json:"default"`
}

func lookupLimit(limit int) int {
	if limit <= 0 || limit > MaxLookupResults {
		return MaxLookupResults
	}
	return limit
}

// LookupItems finds items whose SKU starts with or contains q or whose
// description has every word of q, exact SKU first, active before inactive,
// with availability per active own location.
func (db *DB) LookupItems(ctx context.Context, q string, limit int) ([]ItemMatch, error) {
	q = strings.TrimSpace(q)
	out := []ItemMatch{}
	if q == "" {
		return out, nil
	}
	err := db.View(ctx, func(tx *sql.Tx) error {
		ids, err := matchItems(ctx, tx, q, itemMatch{SKUContains: true, Limit: lookupLimit(limit)})
		if err != nil || len(ids) == 0 {
			return err
		}
		out, err = inRank(ctx, tx, `SELECT id, sku, description, uom, pack_qty, min_qty, list_price_cents, active, discontinued
			FROM items WHERE id IN`, ids, func(rows *sql.Rows) (int64, ItemMatch, error) {
			var id int64
			it := ItemMatch{Stock: []LocationStock{}}
			err := rows.Scan(&id, &it.SKU, &it.Description, &it.UOM, &it.PackQty, &it.MinQty, &it.ListPriceCents, &it.Active, &it.Discontinued)
			return id, it, err
		})
		if err != nil {
			return err
		}
		return itemStock(ctx, tx, ids, false, func(at int, s stockRow) {
			it := &out[at]
			it.Stock = append(it.Stock, LocationStock{Location: s.Location.Code, Name: s.Location.Name, OnHand: s.OnHand,
				Allocated: s.Allocated, SafetyStock: s.SafetyStock, Available: s.Available(), AsOf: s.AsOf})
			it.Available += max(s.Available(), 0)
		})
	})
	return out, err
}

// LookupCustomers finds customers as matchCustomers does (account, name
// words, e-mail or phone, their own or a contact's), exact account first.
func (db *DB) LookupCustomers(ctx context.Context, q string, limit int) ([]CustomerMatch, error) {
	out := []CustomerMatch{}
	err := db.View(ctx, func(tx *sql.Tx) error {
		ids, err := db.matchCustomers(ctx, tx, q, lookupLimit(limit), true)
		if err != nil || len(ids) == 0 {
			return err
		}
		out, err = inRank(ctx, tx, `SELECT id, account, name, type, email, phone, active, credit_status,
				credit_limit_cents, open_ar_cents, price_level, ship_complete, open_orders_cents
			FROM customers WHERE id IN`, ids, func(rows *sql.Rows) (int64, CustomerMatch, error) {
			var id int64
			m := CustomerMatch{ShipTos: []ShipToMatch{}}
			err := rows.Scan(&id, &m.Account, &m.Name, &m.Type, &m.Email, &m.Phone, &m.Active, &m.CreditStatus,
				&m.CreditLimitCents, &m.OpenARCents, &m.PriceLevel, &m.ShipComplete, &m.OpenOrdersCents)
			return id, m, err
		})
		if err != nil {
			return err
		}
		byID := rankOf(ids)
		rows, err := tx.QueryContext(ctx, `SELECT customer_id, code, name, city, region, postal_code, is_default
			FROM ship_tos WHERE active = 1 AND customer_id IN (`+placeholders(len(ids))+`)
			ORDER BY customer_id, is_default DESC, code`, anyIDs(ids)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var s ShipToMatch
			if err := rows.Scan(&id, &s.Code, &s.Name, &s.City, &s.Region, &s.PostalCode, &s.Default); err != nil {
				return err
			}
			m := &out[byID[id]]
			m.ShipTos = append(m.ShipTos, s)
		}
		return rows.Err()
	})
	return out, err
}
