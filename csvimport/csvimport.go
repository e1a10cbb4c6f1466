// Package csvimport reads a CSV file of orders (README, "CSV import
// format") into intake requests, one per customer_account + po_number,
// remembering which rows of the file each order came from so that a report
// can name them. It is pure: the store captures the orders.
package csvimport

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/intake"
)

// Columns are the columns of the file, in the template's order.
var Columns = []string{
	"customer_account", "po_number", "ship_to_code", "ship_name", "ship_line1", "ship_line2",
	"ship_city", "ship_region", "ship_postal_code", "ship_country", "requested_date", "ship_method",
	"ship_complete", "sku", "quantity", "unit_price", "price_override_reason",
}

// required are the columns a file must have; the others may be left out.
var required = map[string]bool{"customer_account": true, "po_number": true, "sku": true, "quantity": true}

// orderColumns are the columns that describe the order rather than the
// line: every row of one order must agree on them.
var orderColumns = []string{"ship_to_code", "ship_name", "ship_line1", "ship_line2", "ship_city", "ship_region",
	"ship_postal_code", "ship_country", "requested_date", "ship_method", "ship_complete"}

// MaxRows bounds the rows of one file.
const MaxRows = 100_000

// RowError is a problem with one cell (or row, when Column is "") of the file.
type RowError struct {
	Row     int // the file's line number of the row; the header is row 1
	Column  string
	Message string
}

// String reads "row 7, quantity: must be a whole number".
func (e RowError) String() string {
	if e.Column == "" {
		return fmt.Sprintf("row %d: %s", e.Row, e.Message)
	}
	return fmt.Sprintf("row %d, %s: %s", e.Row, e.Column, e.Message)
}

// Order is one order of the file: its rows and the request they make, or
// the errors that keep it from being submitted.
type Order struct {
	Account string
	PO      string
	Rows    []int // file rows, one per line of Request, in order
	Request intake.Request
	Errors  []RowError

	first map[string]string // the order columns of its first row
}

// Batch is a parsed file.
type Batch struct {
	Orders []Order
	Rows   int // data rows, header excluded
}

// Parse reads a whole file. A file that cannot be read as a whole (empty,
// not UTF-8, a header with unknown or missing columns, broken quoting) is an
// EINVALID error saying what is wrong; a bad cell only rejects its order.
func Parse(data []byte) (Batch, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(data)) == 0 {
		return Batch{}, domain.Errorf(domain.EINVALID, "The file is empty. Download the template for the columns.")
	}
	if !utf8.Valid(data) {
		line := 1 + bytes.Count(data[:firstInvalid(data)], []byte("\n"))
		return Batch{}, domain.Errorf(domain.EINVALID,
			"The file is not UTF-8 text (first bad byte on line %d). Save it as \"CSV UTF-8\" and upload it again.", line)
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return Batch{}, csvError(err)
	}
	col, err := readHeader(header)
	if err != nil {
		return Batch{}, err
	}
	var b Batch
	index := map[string]int{}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return Batch{}, csvError(err)
		}
		row, _ := r.FieldPos(0)
		if blank(rec) {
			continue
		}
		b.Rows++
		if b.Rows > MaxRows {
			return Batch{}, domain.Errorf(domain.EINVALID, "The file has more than %d rows; split it into smaller files.", MaxRows)
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		account, po := strings.ToUpper(get("customer_account")), get("po_number")
		key := account + "\x00" + po
		i, seen := index[key]
		if !seen {
			i = len(b.Orders)
			index[key] = i
			b.Orders = append(b.Orders, newOrder(account, po, row, get))
		}
		o := &b.Orders[i]
		if len(rec) != len(header) {
			o.Errors = append(o.Errors, RowError{Row: row, Message: fmt.Sprintf("has %d fields; the header has %d", len(rec), len(header))})
		}
		if seen {
			first := o.Rows[0]
			for _, name := range orderColumns {
				if v, w := get(name), o.first[name]; v != "" && v != w {
					o.Errors = append(o.Errors, RowError{Row: row, Column: name,
						Message: fmt.Sprintf("%q differs from %q on row %d of the same order", domain.Excerpt(v), domain.Excerpt(w), first)})
				}
			}
		}
		// An override reason rides on its line; intake decides whether it
		// stands, by the uploader's role, as for every channel.
		line := intake.LineRequest{SKU: get("sku"), PriceOverrideReason: get("price_override_reason")}
		qty := get("quantity")
		q, err := strconv.ParseInt(strings.ReplaceAll(qty, ",", ""), 10, 64)
		switch {
		case qty == "":
			o.Errors = append(o.Errors, RowError{Row: row, Column: "quantity", Message: "is required"})
		case err != nil:
			o.Errors = append(o.Errors, RowError{Row: row, Column: "quantity", Message: fmt.Sprintf("%q is not a whole number", domain.Excerpt(qty))})
		default:
			line.Quantity = q
		}
		if p := get("unit_price"); p != "" {
			if cents, err := ParseDollars(p); err != nil {
				o.Errors = append(o.Errors, RowError{Row: row, Column: "unit_price", Message: err.Error()})
			} else {
				line.UnitPriceCents = &cents
			}
		}
		o.Rows = append(o.Rows, row)
		o.Request.Lines = append(o.Request.Lines, line)
	}
	if b.Rows == 0 {
		return Batch{}, domain.Errorf(domain.EINVALID, "The file has a header but no rows of orders.")
	}
	return b, nil
}

// newOrder starts an order from its first row.
func newOrder(account, po string, row int, get func(string) string) Order {
	o := Order{Account: account, PO: po, Request: intake.Request{
		Channel: "csv", CustomerAccount: account, PONumber: po, ShipToCode: get("ship_to_code"),
		ShipTo: intake.Address{Name: get("ship_name"), Line1: get("ship_line1"), Line2: get("ship_line2"),
			City: get("ship_city"), Region: get("ship_region"), PostalCode: get("ship_postal_code"), Country: get("ship_country")},
		RequestedDate: get("requested_date"), ShipMethod: get("ship_method"),
	}}
	first := map[string]string{}
	for _, name := range orderColumns {
		first[name] = get(name)
	}
	o.first = first
	if v := get("ship_complete"); v != "" {
		sc, ok := parseBool(v)
		o.Request.ShipComplete = sc
		if !ok {
			o.Errors = append(o.Errors, RowError{Row: row, Column: "ship_complete", Message: fmt.Sprintf("%q is not yes/no, true/false or 1/0", domain.Excerpt(v))})
		}
	}
	return o
}

// readHeader maps column names to positions and refuses unknown, repeated
// or missing columns, naming them.
func readHeader(header []string) (map[string]int, error) {
	known := map[string]bool{}
	for _, c := range Columns {
		known[c] = true
	}
	col := map[string]int{}
	var unknown, repeated []string
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		switch {
		case !known[name]:
			unknown = append(unknown, fmt.Sprintf("%q", domain.Excerpt(strings.TrimSpace(h))))
		case hasKey(col, name):
			repeated = append(repeated, name)
		default:
			col[name] = i
		}
	}
	var missing []string
	for _, c := range Columns {
		if required[c] && !hasKey(col, c) {
			missing = append(missing, c)
		}
	}
	var msgs []string
	if len(missing) > 0 {
		msgs = append(msgs, "missing column "+strings.Join(missing, ", "))
	}
	if len(unknown) > maxNamed {
		unknown = append(unknown[:maxNamed], fmt.Sprintf("and %d more", len(unknown)-maxNamed))
	}
	if len(unknown) > 0 {
		msgs = append(msgs, "unknown column "+strings.Join(unknown, ", "))
	}
	if len(repeated) > 0 {
		msgs = append(msgs, "repeated column "+strings.Join(repeated, ", "))
	}
	if len(msgs) > 0 {
		return nil, domain.Errorf(domain.EINVALID, "The header row is wrong: %s. The columns are: %s.",
			strings.Join(msgs, "; "), strings.Join(Columns, ", "))
	}
	return col, nil
}

// maxNamed is how many unknown columns a refusal names: a file that is
// not CSV of orders has as many "columns" as its first line has commas.
const maxNamed = 5

func hasKey(m map[string]int, k string) bool { _, ok := m[k]; return ok }

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return domain.Errorf(domain.EINVALID, "The file is not valid CSV: line %d, column %d: %v. Check the quotes around that field.",
			pe.Line, pe.Column, pe.Err)
	}
	return domain.Errorf(domain.EINVALID, "The file could not be read as CSV: %v.", err)
}

func firstInvalid(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}

func parseBool(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "y", "yes", "true", "t":
		return true, true
	case "0", "n", "no", "false", "f":
		return false, true
	}
	return false, false
}

// ParseDollars reads a price in dollars ("12", "12.5", "$1,234.56") as
// cents. More than two decimals, a sign or letters are an error; it is also
// how the entry screen reads a typed unit price.
func ParseDollars(s string) (int64, error) {
	t := strings.TrimSpace(s)
	t = strings.TrimPrefix(t, "$")
	t = strings.ReplaceAll(t, ",", "")
	whole, frac, hasFrac := strings.Cut(t, ".")
	bad := fmt.Errorf("%q is not a price in dollars such as 12.50", domain.Excerpt(s))
	if whole == "" && (!hasFrac || frac == "") {
		return 0, bad
	}
	if len(frac) > 2 || !digits(whole) || !digits(frac) || len(whole) > 12 {
		return 0, bad
	}
	for len(frac) < 2 {
		frac += "0"
	}
	var w int64
	if whole != "" {
		w, _ = strconv.ParseInt(whole, 10, 64)
	}
	f, _ := strconv.ParseInt(frac, 10, 64)
	return w*100 + f, nil
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
