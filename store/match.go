package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"unicode"
)

// itemMatch says how matchItems reads a query beyond the rules every item
// search shares.
type itemMatch struct {
	// ActiveOnly leaves inactive items out (the inventory screen); the API
	// and the entry screen show them, marked, so that a refused SKU can be
	// explained.
	ActiveOnly bool
	// SKUContains also matches the query anywhere in the SKU, as the items
	// API documents ("SKU (prefix or part)").
	SKUContains bool
	// CustomerID, when not 0, also matches the start of that customer's
	// buyer part numbers.
	CustomerID int64
	Limit      int
}

// matchItems returns the ids of the items the query names, best first. An
// item matches when its SKU starts with the query, when every word of the
// query appears in its description, or by the options' extra keys; case
// does not matter and LIKE wildcards are taken as text. An empty query
// matches every item. Ranking: exact SKU, then SKU or buyer part prefix,
// then the rest; within each, active before inactive, current before
// discontinued, then by SKU.
func matchItems(ctx context.Context, q querier, query string, opts itemMatch) ([]int64, error) {
	query = strings.TrimSpace(query)
	p := likeEscape(query)
	prefix := `i.sku LIKE ?1 || '%' ESCAPE '\'`
	if opts.CustomerID != 0 {
		prefix = `(` + prefix + ` OR i.id IN (SELECT item_id FROM item_xrefs
			WHERE kind = 'buyer_part' AND customer_id = ?2 AND value LIKE ?1 || '%' ESCAPE '\'))`
	}
	keys := []string{prefix}
	if opts.SKUContains {
		keys = append(keys, `i.sku LIKE '%' || ?1 || '%' ESCAPE '\'`)
	}
	args := []any{p, opts.CustomerID, query, opts.Limit}
	var words []string
	for _, w := range strings.Fields(query) {
		args = append(args, "%"+likeEscape(w)+"%")
		words = append(words, fmt.Sprintf(`i.description LIKE ?%d ESCAPE '\'`, len(args)))
	}
	if len(words) > 0 {
		keys = append(keys, `(`+strings.Join(words, " AND ")+`)`)
	}
	where := `(?3 = '' OR ` + strings.Join(keys, " OR ") + `)`
	if opts.ActiveOnly {
		where += ` AND i.active = 1`
	}
	ids, err := queryColumn[int64](ctx, q, `SELECT i.id FROM items i WHERE `+where+`
		ORDER BY i.sku = ?3 DESC, `+prefix+` DESC, i.active DESC, i.discontinued, i.sku
		LIMIT ?4`, args...)
	if err != nil {
		return nil, fmt.Errorf("match items: %w", err)
	}
	return ids, nil
}

// stockRow is one item's stock at one location.
type stockRow struct {
	ItemID      int64
	Location    Location
	Priority    int64
	OnHand      int64
	Allocated   int64
	SafetyStock int64
	AsOf        string // as stored; "" where the location has no record
}

// Available is available to promise: on hand - allocated - safety stock.
func (s stockRow) Available() int64 { return s.OnHand - s.Allocated - s.SafetyStock }

// itemStock reads the stock of the items per location and hands each row
// to add with the place of its item in itemIDs, by item and location code. Without every it reads what can be promised: active own
// locations (vendors' stock is not the OMS's to promise) that hold a record
// of the item. With every it reads what the item page shows: every own
// location, active or not, with zeros where there is no record, and any
// vendor location that reports stock.
func itemStock(ctx context.Context, q querier, itemIDs []int64, every bool, add func(at int, s stockRow)) error {
	if len(itemIDs) == 0 {
		return nil
	}
	args := append(anyIDs(itemIDs), every)
	rows, err := q.QueryContext(ctx, `SELECT i.id, l.id, l.code, l.name, l.type, l.serves, l.city, l.region, l.latitude, l.longitude, l.active, l.priority,
			coalesce(v.on_hand, 0), coalesce(v.allocated, 0), coalesce(v.safety_stock, 0), coalesce(v.on_hand_as_of, '')
		FROM items i CROSS JOIN locations l LEFT JOIN inventory v ON v.item_id = i.id AND v.location_id = l.id
		WHERE i.id IN (`+placeholders(len(itemIDs))+`)
			AND CASE WHEN ? THEN l.type <> 'vendor' OR v.item_id IS NOT NULL
				ELSE l.type <> 'vendor' AND l.active = 1 AND v.item_id IS NOT NULL END
		ORDER BY i.id, l.code`, args...)
	if err != nil {
		return fmt.Errorf("item stock: %w", err)
	}
	defer rows.Close()
	at := rankOf(itemIDs)
	for rows.Next() {
		var s stockRow
		l := &s.Location
		if err := rows.Scan(&s.ItemID, &l.ID, &l.Code, &l.Name, &l.Type, &l.Serves, &l.City, &l.Region, &l.Lat, &l.Lon, &l.Active, &s.Priority,
			&s.OnHand, &s.Allocated, &s.SafetyStock, &s.AsOf); err != nil {
			return err
		}
		add(at[s.ItemID], s)
	}
	return rows.Err()
}

// anyIDs turns ids into query arguments.
func anyIDs(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// matchCustomers returns the ids of the customers text names, at most
// limit, best first. Every customer search (the API, the entry typeahead,
// the search page and its orders by customer) matches the same way, each
// key an index lookup:
//   - account: exact or prefix, case-insensitive (unique index);
//   - name: every word, the last as a prefix (customers_fts);
//   - e-mail of the customer or a contact: exact, case-insensitive, when
//     text has an @ (customers_email, customer_contacts_email);
//   - phone of the customer or a contact, when text is only digits and
//     phone punctuation with at least 7 digits ("555-0142", "+1 214 555
//     0142"; fewer digits are not a phone number and would match at
//     random): with partialPhone, the digits anywhere in the stored digits,
//     which reads every customer and contact (the typeaheads, a dozen
//     answers); without, the whole number with or without the leading 1,
//     through the phone-digits indexes (the order search over a million
//     orders, where a scan per search cost 150-190 ms at 20,000 customers).
//
// When none of these keys matches and text has a letter, the names most
// like text match instead (customerNames.similar): a misspelt name
// ("Summit Industral") or a full name with another legal form or
// punctuation ("Acme Industrial Supply, Inc." for "Acme Industrial
// Supply Co.") still finds the customer. Exact keys come first so that a
// correct name does not bring in its look-alikes.
//
// Inactive customers match too (marked by the callers), so that a person
// can see why an account is refused. Ranking: exact account, then account
// prefix, then active before inactive, then by name; names matched by
// likeness rank by likeness.
func (db *DB) matchCustomers(ctx context.Context, q querier, text string, limit int, partialPhone bool) ([]int64, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, nil
	}
	parts := []string{`SELECT id FROM (SELECT id FROM customers WHERE account >= ? AND account < ? ORDER BY account LIMIT ?)`}
	args := []any{text, text + "\U0010FFFF", limit}
	if strings.Contains(text, "@") {
		parts = append(parts, `SELECT id FROM customers WHERE email = ? COLLATE NOCASE`,
			`SELECT customer_id FROM customer_contacts WHERE email = ?`)
		args = append(args, text, text)
	}
	if digits, ok := phoneDigits(text); ok {
		alt := "1" + digits // a stored number with the country code
		if len(digits) == 11 && digits[0] == '1' {
			alt = digits[1:] // a stored number without it
		}
		if partialPhone {
			parts = append(parts, `SELECT id FROM customers WHERE `+phoneDigitsSQL+` LIKE ? OR `+phoneDigitsSQL+` LIKE ?`,
				`SELECT customer_id FROM customer_contacts WHERE `+phoneDigitsSQL+` LIKE ? OR `+phoneDigitsSQL+` LIKE ?`)
			args = append(args, "%"+digits+"%", "%"+alt+"%", "%"+digits+"%", "%"+alt+"%")
		} else {
			parts = append(parts, `SELECT id FROM customers WHERE `+phoneDigitsSQL+` IN (?, ?)`,
				`SELECT customer_id FROM customer_contacts WHERE `+phoneDigitsSQL+` IN (?, ?)`)
			args = append(args, digits, alt, digits, alt)
		}
	}
	if m := ftsQuery(text); m != "" && !strings.Contains(text, "@") {
		parts = append(parts, `SELECT id FROM (SELECT rowid AS id FROM customers_fts WHERE customers_fts MATCH ? ORDER BY rank LIMIT ?)`)
		args = append(args, m, limit)
	}
	args = append(args, text, likeEscape(text)+"%", limit)
	ids, err := queryColumn[int64](ctx, q, `SELECT c.id FROM customers c WHERE c.id IN (`+strings.Join(parts, " UNION ")+`)
		ORDER BY c.account = ? DESC, c.account LIKE ? ESCAPE '\' DESC, c.active DESC, c.name, c.account
		LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("match customers: %w", err)
	}
	if len(ids) > 0 || strings.Contains(text, "@") || !strings.ContainsFunc(text, unicode.IsLetter) {
		return ids, nil
	}
	names, err := db.customerNameIndex(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("match customers: %w", err)
	}
	return names.similar(text, limit), nil
}

// inRank runs query, whose last words are "id IN", over ids and returns
// one value per id in the order of ids, each made by scan from its row.
// Callers read ids and rows in one transaction, so every id has its row.
func inRank[T any](ctx context.Context, q querier, query string, ids []int64, scan func(*sql.Rows) (int64, T, error)) ([]T, error) {
	out := make([]T, len(ids))
	at := rankOf(ids)
	rows, err := q.QueryContext(ctx, query+` (`+placeholders(len(ids))+`)`, anyIDs(ids)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		id, v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out[at[id]] = v
	}
	return out, rows.Err()
}

// rankOf maps each id to its place in ids.
func rankOf(ids []int64) map[int64]int {
	at := make(map[int64]int, len(ids))
	for i, id := range ids {
		at[id] = i
	}
	return at
}
