package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/oms/oms/domain"
)

// Sort orders of search results.
const (
	SortNewest    = "newest"
	SortOldest    = "oldest"
	SortValueHigh = "value_high"
	SortValueLow  = "value_low"
)

// SortOrders lists the sorts in the order the sort menu shows them.
var SortOrders = []string{SortNewest, SortOldest, SortValueHigh, SortValueLow}

// OrderQuery is a search of orders: Q is the one search box's text, the
// rest are filters. Empty fields do not filter.
type OrderQuery struct {
	Q            string
	Status       domain.OrderStatus
	Channel      string
	Location     string // location code: orders with a fulfilment group there
	From, To     string // created on or after From, on or before To (YYYY-MM-DD, UTC)
	HasHold      bool
	HasBackorder bool
	Sort         string
	Limit        int
	Offset       int
}

// OrderResults is one page of matching orders.
type OrderResults struct {
	Orders []domain.OrderHit
	// Total counts the matches up to a cap; AtCap says there may be more:
	// Total reached the cap or, newest first, a key whose share of the cap
	// is split among customers matched more than its share.
	// Counting a million orders exactly for every keystroke would cost more
	// than the search itself.
	Total int
	AtCap bool
	// Filtered is, for filters without text, how many orders pass them,
	// counted up to filterCountCap (FilteredAtCap: there are more); -1
	// when not counted (text, or no filter).
	Filtered      int
	FilteredAtCap bool
	// Customers are the customers the text matched (account, name,
	// e-mail, phone), best first, at most maxCustomerMatches: their orders
	// are among Orders, and the results page lists the first of them
	// (CustomerSummaries) without matching the text a second time.
	Customers []int64
}

// filterCountCap bounds the count of orders passing filters without text:
// an index walk of at most this many entries, a few milliseconds.
const filterCountCap = 10000

// searchCap bounds the matches each search key contributes, and the count
// of matches: a CSR refines a search that finds more than this.
const searchCap = 1000

// maxCustomerMatches bounds how many customers a name, e-mail or phone
// search expands into orders, so that a common word ("supply") does not
// pull in the orders of hundreds of accounts.
const maxCustomerMatches = 25

// phoneDigitsSQL is the expression of the phone-digit indexes of migration
// 0002; a query must use exactly this text for SQLite to use them.
const phoneDigitsSQL = `replace(replace(replace(replace(replace(replace(phone, ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '+', '')`

// hitSelect selects the columns scanHit reads. The hold reason and last
// shipment come from correlated lookups on holds_order and the
// fulfilment_groups (order_id, seq) index: one page of rows, a few seeks each.
// It is followed by one more column, the count of matches (or 0), and the
// FROM clause.
const hitSelect = `SELECT o.id, o.number, c.account, c.name, o.customer_po, o.ship_name, o.channel,
	o.status, o.total_cents, o.has_hold, o.has_backorder, o.created_at,
	CASE WHEN o.has_hold THEN coalesce((SELECT reason FROM holds h WHERE h.order_id = o.id AND h.released_at IS NULL ORDER BY h.id LIMIT 1), '') ELSE '' END,
	coalesce((SELECT g.carrier || '|' || g.shipped_at FROM fulfilment_groups g WHERE g.order_id = o.id AND g.status = 'shipped' ORDER BY g.shipped_at DESC LIMIT 1), '')`

func scanHit(rows *sql.Rows) (domain.OrderHit, int, error) {
	var h domain.OrderHit
	var status, created, last string
	var total int
	err := rows.Scan(&h.ID, &h.Number, &h.CustomerAccount, &h.CustomerName, &h.CustomerPO, &h.ShipName, &h.Channel,
		&status, &h.TotalCents, &h.HasHold, &h.HasBackorder, &created, &h.HoldReason, &last, &total)
	h.Status = domain.OrderStatus(status)
	h.CreatedAt = ParseTime(created)
	if carrier, at, ok := strings.Cut(last, "|"); ok {
		h.LastCarrier, h.LastShippedAt = carrier, ParseTime(at)
	}
	return h, total, err
}

// ExactOrder returns the number of the one order that q names exactly: its
// order number, or a customer PO or tracking number that belongs to one
// order only. It returns "" when q names no order or several.
func (db *DB) ExactOrder(ctx context.Context, q string) (string, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return "", nil
	}
	var number string
	err := db.View(ctx, func(tx *sql.Tx) error {
		for _, query := range []string{
			`SELECT number FROM orders WHERE number = ? LIMIT 2`,
			`SELECT number FROM orders WHERE customer_po = ? LIMIT 2`,
			`SELECT DISTINCT o.number FROM fulfilment_groups g JOIN orders o ON o.id = g.order_id
				WHERE g.tracking_number = ? AND g.tracking_number <> '' LIMIT 2`,
		} {
			found, err := queryColumn[string](ctx, tx, query, q)
			if err != nil {
				return err
			}
			if len(found) == 1 {
				number = found[0]
				return nil
			}
			if len(found) > 1 {
				return nil
			}
		}
		return nil
	})
	return number, err
}

// SearchOrders finds orders by any key the search box accepts (order
// number, customer PO, tracking number, SKU, customer account, name,
// e-mail or phone, ship-to name) under the filters, sorted and paged. It
// returns EINVALID for a bad filter value.
//
// With text, every key is one index lookup (see migration 0002): the
// matches of each key, newest first and at most searchCap, are gathered
// once (a MATERIALIZED CTE) and only that small set is counted, sorted and
// paged; CROSS JOIN makes SQLite start from the matches rather than walk
// orders in date order looking for them. Without text, the filters walk
// orders in the sort's index order and stop after one page; counting a
// million orders for every keystroke would cost more than the page, so
// Total is then what the pages so far have shown and AtCap says whether
// there are more.
func (db *DB) SearchOrders(ctx context.Context, q OrderQuery) (OrderResults, error) {
	var res OrderResults
	filter, fargs, err := q.filters()
	if err != nil {
		return res, err
	}
	limit := q.Limit
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	offset := max(q.Offset, 0)
	order := q.orderBy()
	res.Filtered = -1
	err = db.View(ctx, func(tx *sql.Tx) error {
		text := strings.TrimSpace(q.Q)
		if text == "" && filter != "" {
			// Counted through the filters' own indexes, whatever the sort.
			unsorted := q
			unsorted.Sort = ""
			cf, cargs, err := unsorted.filters()
			if err != nil {
				return err
			}
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM orders o JOIN customers c ON c.id = o.customer_id WHERE 1 = 1`+cf+` LIMIT ?)`,
				append(cargs, filterCountCap+1)...).Scan(&res.Filtered); err != nil {
				return fmt.Errorf("count filtered orders: %w", err)
			}
			res.FilteredAtCap = res.Filtered > filterCountCap
			res.Filtered = min(res.Filtered, filterCountCap)
		}
		var query string
		var args []any
		if text == "" {
			query = hitSelect + `, 0 FROM orders o JOIN customers c ON c.id = o.customer_id WHERE 1 = 1` + filter + order + ` LIMIT ? OFFSET ?`
			args = append(fargs, limit+1, offset)
		} else {
			sources, customers, err := db.matchSources(ctx, tx, text, filter, fargs, q.narrowing())
			if err != nil {
				return err
			}
			res.Customers = customers
			if q.Sort != SortOldest && q.Sort != SortValueHigh && q.Sort != SortValueLow {
				return db.newestMatches(ctx, tx, sources, limit, offset, &res)
			}
			var parts []string
			var sargs []any
			for _, s := range sources {
				parts = append(parts, s.capped(s.limit))
				sargs = append(sargs, s.args...)
			}
			// Sorts other than newest first read the matches' rows.
			pageSQL := `SELECT o.id, count(*) OVER () FROM m CROSS JOIN orders o ON o.id = m.id` + order
			query = `WITH m(id) AS MATERIALIZED (` + strings.Join(parts, " UNION ") + `),
				page(id, total) AS (` + pageSQL + ` LIMIT ? OFFSET ?)
				` + hitSelect + `, page.total FROM page CROSS JOIN orders o ON o.id = page.id JOIN customers c ON c.id = o.customer_id` + order
			args = append(sargs, limit, offset)
		}
		rows, err := tx.QueryContext(ctx, query, args...)
		if err != nil {
			return fmt.Errorf("search orders: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			h, total, err := scanHit(rows)
			if err != nil {
				return err
			}
			res.Orders = append(res.Orders, h)
			res.Total = total
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if text == "" {
			res.AtCap = len(res.Orders) > limit
			res.Orders = res.Orders[:min(len(res.Orders), limit)]
			res.Total = offset + len(res.Orders)
		} else if res.Total >= searchCap {
			res.AtCap = true
		}
		return nil
	})
	return res, err
}

// newestMatches fills res with one page of the union of sources, newest
// first. Order ids are assigned as orders are created, so newest first is
// id order and needs no order row: each source's ids are gathered and
// merged here, and only the page's orders are read. The same union in SQL
// (a MATERIALIZED CTE of the UNION, counted with count(*) OVER () and
// sorted) cost three to five times the sources themselves in the pure-Go
// SQLite: the ephemeral index of the UNION, the materialised table and the
// sorter, for up to a few thousand ids.
func (db *DB) newestMatches(ctx context.Context, tx *sql.Tx, sources []matchSource, limit, offset int, res *OrderResults) error {
	seen := make(map[int64]struct{}, 256)
	var ids []int64
	full := false // a source returned its limit: there may be more matches
	for _, s := range sources {
		// One id past the limit says the key matches more than it.
		rows, err := tx.QueryContext(ctx, s.capped(s.limit+1), s.args...)
		if err != nil {
			return fmt.Errorf("search orders: %w", err)
		}
		n := 0
		for rows.Next() {
			if n++; n > s.limit {
				full = true
				break
			}
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			if _, ok := seen[id]; !ok {
				seen[id] = struct{}{}
				ids = append(ids, id)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("search orders: %w", err)
		}
	}
	res.AtCap = full || len(ids) >= searchCap
	if offset >= len(ids) {
		res.Total = len(ids)
		return nil
	}
	slices.SortFunc(ids, func(a, b int64) int { return cmp.Compare(b, a) })
	page := ids[offset:min(len(ids), offset+limit)]
	rows, err := tx.QueryContext(ctx, hitSelect+`, 0 FROM orders o JOIN customers c ON c.id = o.customer_id
		WHERE o.id IN (`+placeholders(len(page))+`) ORDER BY o.id DESC`, anyIDs(page)...)
	if err != nil {
		return fmt.Errorf("search orders: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		h, _, err := scanHit(rows)
		if err != nil {
			return err
		}
		res.Orders = append(res.Orders, h)
	}
	res.Total = len(ids)
	return rows.Err()
}

// filters turns the query's filters into SQL on orders o.
func (q OrderQuery) filters() (string, []any, error) {
	var b strings.Builder
	var args []any
	// Sorted by value without text, the page should come from walking
	// orders_total and stop after one page; an index on a filtered column
	// (orders_status, orders_channel, the partial hold and backorder
	// indexes) would make SQLite gather every order passing the filter and
	// sort them all. A unary + keeps SQLite from using those indexes.
	plus := ""
	if strings.TrimSpace(q.Q) == "" && (q.Sort == SortValueHigh || q.Sort == SortValueLow) {
		plus = "+"
	}
	if q.Status != "" {
		if !q.Status.Valid() {
			return "", nil, domain.Invalid("Unknown status.", map[string]string{"status": "Pick a status from the list."})
		}
		b.WriteString(` AND ` + plus + `o.status = ?`)
		args = append(args, string(q.Status))
	}
	if q.Channel != "" {
		b.WriteString(` AND ` + plus + `o.channel = ?`)
		args = append(args, q.Channel)
	}
	if q.Location != "" {
		// The unary + keeps SQLite from answering the EXISTS through
		// fulfilment_groups_location (every group of the location, for
		// every order walked); the (order_id, seq) index reads only this
		// order's groups.
		b.WriteString(` AND EXISTS (SELECT 1 FROM fulfilment_groups g
			WHERE g.order_id = o.id AND +g.location_id = (SELECT id FROM locations WHERE code = ?))`)
		args = append(args, q.Location)
	}
	if q.From != "" {
		t, err := time.Parse(DateFormat, q.From)
		if err != nil {
			return "", nil, domain.Invalid("The from date is not a date.", map[string]string{"from": "Use a date like 2026-11-02."})
		}
		b.WriteString(` AND ` + plus + `o.created_at >= ?`)
		args = append(args, FormatTime(t))
	}
	if q.To != "" {
		t, err := time.Parse(DateFormat, q.To)
		if err != nil {
			return "", nil, domain.Invalid("The to date is not a date.", map[string]string{"to": "Use a date like 2026-11-30."})
		}
		b.WriteString(` AND ` + plus + `o.created_at < ?`)
		args = append(args, FormatTime(t.AddDate(0, 0, 1)))
	}
	if q.HasHold {
		b.WriteString(` AND ` + plus + `o.has_hold = 1`)
	}
	if q.HasBackorder {
		b.WriteString(` AND ` + plus + `o.has_backorder = 1`)
	}
	return b.String(), args, nil
}

// narrowing is an extra filter for keys outside orders (SKU, tracking
// number) when the query asks for holds or backorders: the order ids
// from the small partial index of 0002 are gathered once and each key match
// is checked against them before its order row is read. A common SKU has
// thousands of lines; reading all their orders to find the few with a
// backorder was the slow part.
func (q OrderQuery) narrowing() string {
	switch {
	case q.HasHold:
		return ` IN (SELECT id FROM orders WHERE has_hold = 1)`
	case q.HasBackorder:
		return ` IN (SELECT id FROM orders WHERE has_backorder = 1)`
	}
	return ""
}

func (q OrderQuery) orderBy() string {
	switch q.Sort {
	case SortOldest:
		return ` ORDER BY o.created_at, o.id`
	case SortValueHigh:
		return ` ORDER BY o.total_cents DESC, o.id DESC`
	case SortValueLow:
		return ` ORDER BY o.total_cents, o.id`
	}
	return ` ORDER BY o.created_at DESC, o.id DESC`
}

// matchSources returns one SELECT of order ids per search key that text
// may be, each under the filters and bounded by searchCap, with their
// arguments in order.
func (db *DB) matchSources(ctx context.Context, tx *sql.Tx, text, filter string, fargs []any, narrow string) ([]matchSource, []int64, error) {
	var sources []matchSource
	add := func(sel string, limit int, key ...any) {
		sources = append(sources, matchSource{sql: sel, args: key, limit: limit})
	}
	capped := func(sel, order string, key ...any) {
		add(sel+filter+order, searchCap, append(key, fargs...)...)
	}
	// joined is capped for keys outside orders: without filters the key's
	// own index answers alone (bare); with filters each match is joined to
	// its order (withOrders). Reading a thousand order rows costs more than
	// the index lookup itself.
	joined := func(bare, withOrders, idCol, order string, key ...any) {
		if filter == "" {
			add(bare+order, searchCap, key...)
			return
		}
		if narrow != "" {
			// The unary + keeps SQLite looping over the key's own index
			// and testing membership, rather than looping over the
			// narrowing set.
			withOrders += ` AND +` + idCol + narrow
		}
		capped(withOrders, order, key...)
	}
	// Order number and customer PO: exact, and by prefix once the text is
	// long enough to be a number being typed (a prefix of one or two
	// characters would match everything).
	capped(`SELECT o.id FROM orders o WHERE o.number = ?`, ``, text)
	capped(`SELECT o.id FROM orders o WHERE o.customer_po = ?`, ``, text)
	if isPrefixable(text) {
		hi := text + "\U0010FFFF"
		capped(`SELECT o.id FROM orders o WHERE o.number > ? AND o.number < ?`, ` ORDER BY o.number DESC`, text, hi)
		capped(`SELECT o.id FROM orders o WHERE o.customer_po > ? AND o.customer_po < ?`, ` ORDER BY o.customer_po DESC`, text, hi)
	}
	// Tracking number: exact on the partial index of 0001 (the <> '' term
	// lets SQLite use it).
	joined(`SELECT order_id AS id FROM fulfilment_groups g WHERE g.tracking_number = ? AND g.tracking_number <> ''`,
		`SELECT o.id FROM fulfilment_groups g JOIN orders o ON o.id = g.order_id
		WHERE g.tracking_number = ? AND g.tracking_number <> ''`, `g.order_id`, ``, text)
	// SKU: order_lines_sku (sku, order_id) read backwards gives the newest
	// orders of the SKU first, so the cap reads searchCap index entries of
	// the SKU's possibly thousands of lines and stops.
	if !strings.ContainsAny(text, " @") {
		joined(`SELECT order_id AS id FROM order_lines l WHERE l.sku = ?`,
			`SELECT l.order_id AS id FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE l.sku = ?`,
			`l.order_id`, ` ORDER BY l.order_id DESC`, text)
	}
	// Customers by account, name, e-mail or phone, then their orders
	// newest first through orders_customer.
	ids, err := db.matchCustomers(ctx, tx, text, maxCustomerMatches, false)
	if err != nil {
		return nil, nil, err
	}
	// One capped source per customer, each reading orders_customer
	// backwards, so that a large account's thousands of orders are not
	// sorted to find its newest; the cap is shared among the customers.
	perCustomer := perSource(len(ids))
	for _, id := range ids {
		add(`SELECT o.id FROM orders o WHERE o.customer_id = ?`+filter+` ORDER BY o.created_at DESC`, perCustomer,
			append([]any{id}, fargs...)...)
	}
	// Ship-to name: FTS5 in descending rowid order reads only the newest
	// searchCap matches of even a common word, given whole words
	// (shipToQuery). A text of three words or more that names customers is
	// a company's name ("Summit Industrial Supply Co."): its orders came
	// through the customers above, and the ship-to names of those orders
	// start with it. Intersecting the doclists of its common words over a
	// million ship-to names cost 8 to 50 ms of SQLite time (the more, the
	// fewer orders match), so it is not asked for.
	if !strings.Contains(text, "@") && !(len(ids) > 0 && len(strings.Fields(text)) >= 3) {
		m, err := shipToQuery(ctx, tx, text)
		if err != nil {
			return nil, nil, err
		}
		if m != "" {
			joined(`SELECT rowid AS id FROM orders_ship_fts f WHERE orders_ship_fts MATCH ?`,
				`SELECT o.id FROM orders_ship_fts f JOIN orders o ON o.id = f.rowid WHERE orders_ship_fts MATCH ?`,
				`f.rowid`, ` ORDER BY f.rowid DESC`, m)
		}
	}
	return sources, ids, nil
}

// perSource shares searchCap among n sources of one key (customers), at
// least 50 each so that the first page, newest first, is the same as
// with no share.
func perSource(n int) int {
	return max(50, (searchCap+n-1)/max(1, n))
}

// matchSource is one search key's SELECT of order ids (column id) with
// its arguments, to be read up to limit ids.
type matchSource struct {
	sql   string
	args  []any
	limit int
}

// capped is the source's SELECT of at most n ids.
func (s matchSource) capped(n int) string {
	return `SELECT id FROM (` + s.sql + ` LIMIT ` + fmt.Sprint(n) + `)`
}

// SearchCustomers finds customers as matchCustomers does (account, name
// words, e-mail, phone digits), best first, at most limit.
func (db *DB) SearchCustomers(ctx context.Context, q string, limit int) ([]domain.CustomerSummary, error) {
	var out []domain.CustomerSummary
	err := db.View(ctx, func(tx *sql.Tx) error {
		ids, err := db.matchCustomers(ctx, tx, q, limit, false)
		if err != nil || len(ids) == 0 {
			return err
		}
		out, err = customerSummaries(ctx, tx, ids)
		return err
	})
	return out, err
}

// CustomerSummaries reads the customers of ids, in the order of ids (the
// customers a search matched: OrderResults.Customers); ids no longer
// there are left out.
func (db *DB) CustomerSummaries(ctx context.Context, ids []int64) ([]domain.CustomerSummary, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var out []domain.CustomerSummary
	err := db.View(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = customerSummaries(ctx, tx, ids)
		return err
	})
	// Read in a later transaction than the search: a customer deleted in
	// between has no row and is left out.
	out = slices.DeleteFunc(out, func(c domain.CustomerSummary) bool { return c.ID == 0 })
	return out, err
}

func customerSummaries(ctx context.Context, tx *sql.Tx, ids []int64) ([]domain.CustomerSummary, error) {
	return inRank(ctx, tx, customerSummarySelect+` WHERE id IN`, ids, func(rows *sql.Rows) (int64, domain.CustomerSummary, error) {
		c, err := scanCustomerSummary(rows)
		return c.ID, c, err
	})
}

// isPrefixable reports whether text is long enough, and number-like enough
// (it has a digit), to be matched as the start of an order number or PO.
func isPrefixable(text string) bool {
	return len(text) >= 4 && strings.ContainsFunc(text, unicode.IsDigit) && !strings.ContainsAny(text, " @")
}

// phoneDigits returns the digits of text when text looks like a phone
// number: only digits and phone punctuation, at least 7 digits.
func phoneDigits(text string) (string, bool) {
	var b strings.Builder
	for _, r := range text {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case strings.ContainsRune(" -().+", r):
		default:
			return "", false
		}
	}
	return b.String(), b.Len() >= 7
}

// ftsQuery turns search text into an FTS5 query: every word must appear,
// the last one as a prefix (the CSR may still be typing it) unless text
// ends after it ("Supply Co."): a short prefix such as "co" makes FTS5
// merge the doclists of every word it starts (company, construction,
// contractors, ...) before it returns a match.
// Words are quoted, so FTS5 syntax in the text is taken literally. It
// returns "" when text has no word with a letter.
func ftsQuery(text string) string {
	words, prefix := ftsWords(text)
	if len(words) == 0 {
		return ""
	}
	var b strings.Builder
	for i, w := range words {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(ftsQuote(w))
	}
	if prefix {
		b.WriteByte('*')
	}
	return b.String()
}

// ftsWords splits search text into the words FTS5 matches, and says
// whether the last is a prefix (text does not end after it). It returns
// no words when text has no word with a letter, or more than eight words.
func ftsWords(text string) ([]string, bool) {
	words := splitWords(text)
	if len(words) > 8 || !slices.ContainsFunc(words, func(w string) bool { return strings.ContainsFunc(w, unicode.IsLetter) }) {
		return nil, false
	}
	return words, !endsWord(text)
}

// splitWords splits s into its runs of letters and digits, the words the
// full-text tokenizer sees.
func splitWords(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// ftsQuote quotes a word for FTS5, so that its syntax is taken literally.
func ftsQuote(w string) string { return `"` + strings.ReplaceAll(w, `"`, `""`) + `"` }

// maxPrefixWords bounds how many whole words a search puts in place of a
// prefix the CSR is still typing; a prefix that starts more (one or two
// letters) stays a prefix.
const maxPrefixWords = 24

// shipToQuery is the FTS5 query of orders_ship_fts for search text: as
// ftsQuery, except that a last word still being typed is replaced by the
// whole words of ship-to names it starts (migration 0090), so that FTS5
// reads only the newest matches instead of merging every such word's
// doclist first. It returns "" when no ship-to name can match.
//
// The words come from the names in the dictionary that match the whole
// text: "Louisville b" matches "… - Louisville branch", so b stands for
// "branch" alone, not for every word of every name that starts with b
// (an OR of fourteen large doclists cost 6 to 9 ms). When too many names
// match to read (a word or two typed), or one has a letter that is not
// ASCII (the tokenizer folds "É" to "e"; lower-casing here does not), the
// words come from the whole vocabulary instead.
func shipToQuery(ctx context.Context, q querier, text string) (string, error) {
	words, prefix := ftsWords(text)
	if len(words) == 0 {
		return "", nil
	}
	last, asPrefix := words[len(words)-1], ftsQuery(text)
	if !prefix || !isASCII(last) {
		return asPrefix, nil
	}
	folded := strings.ToLower(last)
	names, err := queryColumn[string](ctx, q, `SELECT n.name FROM ship_names_fts f JOIN ship_names n ON n.id = f.rowid
		WHERE ship_names_fts MATCH ? LIMIT ?`, asPrefix, maxNamesRead+1)
	if err != nil {
		return "", fmt.Errorf("ship-to names: %w", err)
	}
	var terms []string
	if len(names) <= maxNamesRead && !slices.ContainsFunc(names, func(n string) bool { return !isASCII(n) }) {
		for _, n := range names {
			for _, w := range splitWords(strings.ToLower(n)) {
				if strings.HasPrefix(w, folded) && !slices.Contains(terms, w) {
					terms = append(terms, w)
				}
			}
		}
	} else {
		terms, err = queryColumn[string](ctx, q, `SELECT term FROM ship_name_terms WHERE term >= ? AND term < ? ORDER BY term LIMIT ?`,
			folded, folded+"\U0010FFFF", maxPrefixWords+1)
		if err != nil {
			return "", fmt.Errorf("ship-to name words: %w", err)
		}
	}
	return prefixExpanded(words[:len(words)-1], terms, asPrefix), nil
}

// maxNamesRead bounds how many matching ship-to names shipToQuery reads
// for the words a prefix stands for.
const maxNamesRead = 200

func isASCII(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool { return r >= utf8.RuneSelf })
}

// prefixExpanded is the FTS5 query that every one of whole appears and one
// of terms, the words a prefix starts; asPrefix when terms are too many
// to list, and "" when there are none.
func prefixExpanded(whole, terms []string, asPrefix string) string {
	switch {
	case len(terms) == 0:
		return ""
	case len(terms) > maxPrefixWords:
		return asPrefix
	}
	var b strings.Builder
	for _, w := range whole {
		b.WriteString(ftsQuote(w) + " AND ")
	}
	b.WriteByte('(')
	for i, t := range terms {
		if i > 0 {
			b.WriteString(" OR ")
		}
		b.WriteString(ftsQuote(t))
	}
	b.WriteByte(')')
	return b.String()
}

// errNoRows reports whether err is sql.ErrNoRows.
func errNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
