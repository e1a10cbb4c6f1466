// Package intake is the one validation pipeline every channel's orders pass
// through (DESIGN.md, "Intake channels"): normalise, then check customer,
// ship-to, SKUs, pack sizes and minimums, price, credit and duplicate POs.
// It is pure: the store loads the facts it needs and applies the outcome in
// one write transaction.
package intake

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/oms/oms/domain"
)

// Limits on what one order may carry.
const (
	MaxLines       = 2000
	MaxQuantity    = 1_000_000
	MaxPriceCents  = 100_000_000 // $1,000,000 a unit
	MaxTextLength  = 200
	MaxNoteLength  = 2000
	DefaultChannel = "api"
)

// Address is a ship-to address.
type Address struct {
	Name       string `json:"name"`
	Line1      string `json:"line1"`
	Line2      string `json:"line2"`
	City       string `json:"city"`
	Region     string `json:"region"`
	PostalCode string `json:"postal_code"`
	Country    string `json:"country"`
}

// LineRequest is one line as a channel sent it.
type LineRequest struct {
	SKU      string `json:"sku"`
	Quantity int64  `json:"quantity"`
	// UnitPriceCents, when set, is the price the channel asks for; it is
	// checked against the customer's price list.
	UnitPriceCents *int64 `json:"unit_price_cents,omitempty"`
	// PriceOverrideReason justifies a price off the list; with the sales or
	// admin role it makes the override stand without a price hold.
	PriceOverrideReason string `json:"price_override_reason,omitempty"`
}

// Request is an order as any channel submits it.
type Request struct {
	Channel         string        `json:"channel"`
	CustomerAccount string        `json:"customer_account"`
	PONumber        string        `json:"po_number"`
	ShipToCode      string        `json:"ship_to_code,omitempty"`
	ShipTo          Address       `json:"ship_to"`
	RequestedDate   string        `json:"requested_date"`
	ShipMethod      string        `json:"ship_method"`
	ShipComplete    bool          `json:"ship_complete"`
	Lines           []LineRequest `json:"lines"`
	Note            string        `json:"note,omitempty"`
}

// Customer is what validation needs to know of the customer.
type Customer struct {
	ID               int64
	Account          string
	Name             string
	Type             string
	Active           bool
	CreditLimitCents int64
	OpenARCents      int64
	CreditHold       bool
	PriceLevel       string
	ShipComplete     bool
	BackorderPolicy  string // domain.BackorderPolicy*
}

// Item is what validation needs to know of an item.
type Item struct {
	ID           int64
	SKU          string
	Description  string
	PackQty      int64
	MinQty       int64
	Active       bool
	Discontinued bool
	// PriceCents is the customer's price: the price list entry for the
	// customer's level, or the list price.
	PriceCents  int64
	Substitutes []string
}

// Facts are what the store looked up for a request.
type Facts struct {
	Customer *Customer // nil: unknown account
	// ShipTo is the stored ship-to named by ShipToCode, when it names one.
	ShipTo *Address
	Items  map[string]Item // by upper-case SKU
	// OpenOrdersCents is the value of the customer's open, unshipped orders.
	OpenOrdersCents int64
	// DuplicatePO names an earlier order of the customer with the same PO.
	DuplicatePO string
	Now         time.Time
}

// Hold is a hold the order gets on acceptance.
type Hold struct {
	Reason string // holds.reason
	Note   string
	// Lines are the indexes in Request.Lines of the lines the hold is
	// about, in order; none when it is about the whole order. A channel
	// that took the lines from somewhere else (the rows of a file) can
	// point there.
	Lines []int
}

// Line is a validated line.
type Line struct {
	LineNo         int
	ItemID         int64
	SKU            string
	Description    string
	Quantity       int64
	UnitPriceCents int64
	// OverrideReason is set when the line's price stands off the price
	// list by a permitted override; PriceListCents is then the price the
	// list gave.
	OverrideReason string
	PriceListCents int64
}

// Outcome is the result of validation: either field errors (the order is
// rejected and nothing is written), or an accepted order, possibly with holds.
type Outcome struct {
	Errors       map[string]string
	Request      Request // normalised
	ShipTo       Address
	Lines        []Line
	TotalCents   int64
	ShipComplete bool
	Holds        []Hold
}

// Err returns the outcome's rejection as an EINVALID error, or nil.
func (o Outcome) Err() error {
	if len(o.Errors) == 0 {
		return nil
	}
	return domain.Invalid(rejectMessage(o.Errors), o.Errors)
}

func rejectMessage(errs map[string]string) string {
	if len(errs) == 1 {
		for k, v := range errs {
			return fmt.Sprintf("The order was not accepted: %s %s.", k, v)
		}
	}
	return fmt.Sprintf("The order was not accepted: %d problems; see fields.", len(errs))
}

// Normalise trims text, upper-cases SKUs, regions and countries, and fills
// defaults, so that every channel's input looks alike before validation.
func Normalise(r Request) Request {
	r.Channel = strings.ToLower(strings.TrimSpace(r.Channel))
	if r.Channel == "" {
		r.Channel = DefaultChannel
	}
	r.CustomerAccount = strings.ToUpper(strings.TrimSpace(r.CustomerAccount))
	r.PONumber = strings.TrimSpace(r.PONumber)
	r.ShipToCode = strings.TrimSpace(r.ShipToCode)
	r.ShipTo = normaliseAddress(r.ShipTo)
	r.RequestedDate = strings.TrimSpace(r.RequestedDate)
	r.ShipMethod = strings.ToUpper(strings.TrimSpace(r.ShipMethod))
	if r.ShipMethod == "" {
		r.ShipMethod = "GROUND"
	}
	r.Note = strings.TrimSpace(r.Note)
	lines := make([]LineRequest, len(r.Lines))
	for i, l := range r.Lines {
		l.SKU = strings.ToUpper(strings.TrimSpace(l.SKU))
		l.PriceOverrideReason = strings.TrimSpace(l.PriceOverrideReason)
		lines[i] = l
	}
	r.Lines = lines
	return r
}

func normaliseAddress(a Address) Address {
	a.Name = strings.TrimSpace(a.Name)
	a.Line1 = strings.TrimSpace(a.Line1)
	a.Line2 = strings.TrimSpace(a.Line2)
	a.City = strings.TrimSpace(a.City)
	a.Region = strings.ToUpper(strings.TrimSpace(a.Region))
	a.PostalCode = strings.ToUpper(strings.TrimSpace(a.PostalCode))
	a.Country = strings.ToUpper(strings.TrimSpace(a.Country))
	if a.Country == "" || a.Country == "USA" {
		a.Country = "US"
	}
	return a
}

// ShipMethods are the ship methods the OMS knows (domain.ShipMethods).
var ShipMethods = domain.ShipMethods

var postalPatterns = map[string]*regexp.Regexp{
	"US": regexp.MustCompile(`^\d{5}(-?\d{4})?$`),
	"CA": regexp.MustCompile(`^[A-Z]\d[A-Z] ?\d[A-Z]\d$`),
	"MX": regexp.MustCompile(`^\d{5}$`),
}

// ValidPostalCode reports whether code is a postal code of the country's
// format; countries without a known format need only a non-empty code.
func ValidPostalCode(country, code string) bool {
	if p, ok := postalPatterns[country]; ok {
		return p.MatchString(code)
	}
	return code != "" && len(code) <= 12
}

// Validate checks a normalised request against the facts. role is the role
// of who submits it (a person, or an API token's role): it decides whether a
// price override stands.
func Validate(r Request, f Facts, role domain.Role) Outcome {
	out := Outcome{Errors: map[string]string{}, Request: r}
	errs := out.Errors
	if !contains(domain.Channels, r.Channel) {
		errs["channel"] = "must be one of " + strings.Join(domain.Channels, ", ")
	}
	checkText(errs, "po_number", r.PONumber, 40)
	checkText(errs, "note", r.Note, MaxNoteLength)
	switch {
	case r.CustomerAccount == "":
		errs["customer_account"] = "is required"
	case f.Customer == nil:
		errs["customer_account"] = fmt.Sprintf("%s is not a known customer account", domain.Excerpt(r.CustomerAccount))
	case !f.Customer.Active:
		errs["customer_account"] = fmt.Sprintf("%s is inactive", r.CustomerAccount)
	}
	if f.Customer != nil && f.Customer.Type == "b2b" && r.PONumber == "" {
		errs["po_number"] = "is required for business accounts"
	}
	if !contains(ShipMethods, r.ShipMethod) {
		errs["ship_method"] = "must be one of " + strings.Join(ShipMethods, ", ")
	}
	if r.RequestedDate != "" {
		d, err := time.Parse("2006-01-02", r.RequestedDate)
		switch {
		case err != nil:
			errs["requested_date"] = "must be a date as YYYY-MM-DD"
		case !f.Now.IsZero() && d.Before(f.Now.Truncate(24*time.Hour).AddDate(0, 0, -1)):
			errs["requested_date"] = "must not be in the past"
		case !f.Now.IsZero() && d.After(f.Now.AddDate(1, 0, 0)):
			errs["requested_date"] = "must be within a year"
		}
	}
	out.ShipTo = r.ShipTo
	if r.ShipToCode != "" {
		if f.ShipTo == nil {
			errs["ship_to_code"] = fmt.Sprintf("%s is not a ship-to of this customer", domain.Excerpt(r.ShipToCode))
		} else {
			out.ShipTo = *f.ShipTo
		}
	}
	if r.ShipToCode == "" || f.ShipTo != nil {
		checkAddress(errs, out.ShipTo)
	}

	if msg := LineCountProblem(len(r.Lines)); msg != "" {
		errs["lines"] = msg
	}
	if len(r.Lines) <= MaxLines {
		out.Lines = make([]Line, 0, len(r.Lines))
		for i, l := range r.Lines {
			if line, ok := validateLine(errs, i, l, f, role, &out); ok {
				out.Lines = append(out.Lines, line)
				out.TotalCents += line.Quantity * line.UnitPriceCents
			}
		}
	}
	if len(errs) > 0 {
		out.Lines, out.TotalCents = nil, 0
		return out
	}
	out.Errors = nil
	c := f.Customer
	out.ShipComplete = r.ShipComplete || c.ShipComplete
	switch {
	case c.CreditHold:
		out.Holds = append(out.Holds, Hold{Reason: "credit", Note: fmt.Sprintf("%s is on credit hold in the ERP.", c.Account)})
	case c.Type == "b2b" && c.OpenARCents+f.OpenOrdersCents+out.TotalCents > c.CreditLimitCents:
		out.Holds = append(out.Holds, Hold{Reason: "credit", Note: fmt.Sprintf(
			"Open AR %s + open orders %s + this order %s = %s, over the credit limit of %s.",
			domain.Money(c.OpenARCents), domain.Money(f.OpenOrdersCents), domain.Money(out.TotalCents),
			domain.Money(c.OpenARCents+f.OpenOrdersCents+out.TotalCents), domain.Money(c.CreditLimitCents))})
	}
	if f.DuplicatePO != "" {
		out.Holds = append(out.Holds, Hold{Reason: "duplicate_po", Note: fmt.Sprintf("PO %s was already used on order %s.", r.PONumber, f.DuplicatePO)})
	}
	return out
}

func validateLine(errs map[string]string, i int, l LineRequest, f Facts, role domain.Role, out *Outcome) (Line, bool) {
	key := func(field string) string { return fmt.Sprintf("lines[%d].%s", i, field) }
	ok := true
	it, known := f.Items[l.SKU]
	switch {
	case l.SKU == "":
		errs[key("sku")] = "is required"
		ok = false
	case !known:
		errs[key("sku")] = fmt.Sprintf("%s is not a known SKU", domain.Excerpt(l.SKU))
		ok = false
	case it.Discontinued:
		msg := fmt.Sprintf("%s is discontinued", l.SKU)
		if len(it.Substitutes) > 0 {
			msg += "; order " + strings.Join(it.Substitutes, " or ") + " instead"
		}
		errs[key("sku")] = msg
		ok = false
	case !it.Active:
		errs[key("sku")] = fmt.Sprintf("%s is inactive", l.SKU)
		ok = false
	}
	switch {
	case l.Quantity <= 0:
		errs[key("quantity")] = "must be at least 1"
		ok = false
	case l.Quantity > MaxQuantity:
		errs[key("quantity")] = fmt.Sprintf("must be at most %d", MaxQuantity)
		ok = false
	case known && it.PackQty > 1 && l.Quantity%it.PackQty != 0:
		errs[key("quantity")] = fmt.Sprintf("must be a multiple of %d (case pack); %d would round up to %d", it.PackQty, l.Quantity, RoundUp(l.Quantity, it.PackQty))
		ok = false
	case known && l.Quantity < it.MinQty:
		errs[key("quantity")] = fmt.Sprintf("must be at least %d (minimum order quantity)", it.MinQty)
		ok = false
	}
	checkText(errs, key("price_override_reason"), l.PriceOverrideReason, MaxTextLength)
	if _, bad := errs[key("price_override_reason")]; bad {
		ok = false
	}
	if !ok {
		return Line{}, false
	}
	price, reason := it.PriceCents, ""
	if l.UnitPriceCents != nil {
		p := *l.UnitPriceCents
		switch {
		case p < 0 || p > MaxPriceCents:
			errs[key("unit_price_cents")] = fmt.Sprintf("must be between 0 and %d", MaxPriceCents)
			return Line{}, false
		case p != it.PriceCents && l.PriceOverrideReason != "" && domain.RoleIn(role, domain.RoleSales):
			price, reason = p, l.PriceOverrideReason
		case p != it.PriceCents && l.PriceOverrideReason == "" && domain.RoleIn(role, domain.RoleSales):
			errs[key("price_override_reason")] = fmt.Sprintf("is required to sell %s at %s instead of the list price %s", l.SKU, domain.Money(p), domain.Money(it.PriceCents))
			return Line{}, false
		case p != it.PriceCents:
			price = p
			note := fmt.Sprintf("Line %d: %s at %s, price list says %s.", i+1, l.SKU, domain.Money(p), domain.Money(it.PriceCents))
			if l.PriceOverrideReason != "" {
				// Whoever reviews the hold sees what the submitter meant.
				note += fmt.Sprintf(" Override reason %q not applied: only inside sales and administrators may override a price.", l.PriceOverrideReason)
			}
			out.Holds = appendOnce(out.Holds, Hold{Reason: "price", Note: note, Lines: []int{i}})
		}
	}
	return Line{LineNo: i + 1, ItemID: it.ID, SKU: it.SKU, Description: it.Description, Quantity: l.Quantity, UnitPriceCents: price,
		OverrideReason: reason, PriceListCents: it.PriceCents}, true
}

// appendOnce adds a hold, merging notes and lines when a hold of that
// reason exists.
func appendOnce(hs []Hold, h Hold) []Hold {
	for i := range hs {
		if hs[i].Reason == h.Reason {
			hs[i].Note += " " + h.Note
			hs[i].Lines = append(hs[i].Lines, h.Lines...)
			return hs
		}
	}
	return append(hs, h)
}

// RoundUp rounds q up to a multiple of pack.
func RoundUp(q, pack int64) int64 {
	if pack <= 1 || q%pack == 0 {
		return q
	}
	return (q/pack + 1) * pack
}

func checkAddress(errs map[string]string, a Address) {
	for _, f := range []struct{ key, v string }{
		{"ship_to.name", a.Name}, {"ship_to.line1", a.Line1}, {"ship_to.city", a.City},
		{"ship_to.region", a.Region}, {"ship_to.postal_code", a.PostalCode},
	} {
		if f.v == "" {
			errs[f.key] = "is required"
		} else {
			checkText(errs, f.key, f.v, MaxTextLength)
		}
	}
	checkText(errs, "ship_to.line2", a.Line2, MaxTextLength)
	if len(a.Country) != 2 {
		errs["ship_to.country"] = "must be a two-letter country code"
	} else if a.PostalCode != "" && !ValidPostalCode(a.Country, a.PostalCode) {
		errs["ship_to.postal_code"] = fmt.Sprintf("%q is not a valid postal code for %s", domain.Excerpt(a.PostalCode), a.Country)
	}
	if a.Country == "US" && a.Region != "" && !usStates[a.Region] {
		errs["ship_to.region"] = fmt.Sprintf("%q is not a US state code", domain.Excerpt(a.Region))
	}
}

// LineCountProblem says what is wrong with an order of n lines, or
// returns "": every channel refuses an order past MaxLines with its count,
// never keeps the first MaxLines.
func LineCountProblem(n int) string {
	switch {
	case n == 0:
		return "must have at least one line"
	case n > MaxLines:
		return fmt.Sprintf("has %d lines; at most %d are accepted in one order", n, MaxLines)
	}
	return ""
}

// checkText records domain.TextProblem of a field's text under its key;
// HTML and SQL in text are stored as given and escaped when shown.
func checkText(errs map[string]string, key, v string, max int) {
	if msg := domain.TextProblem(v, max); msg != "" {
		errs[key] = msg
	}
}

var usStates = func() map[string]bool {
	m := map[string]bool{}
	for _, s := range strings.Fields(`AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY
		NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR VI GU AS MP AA AE AP`) {
		m[s] = true
	}
	return m
}()

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
