package domain

import "time"

// CustomerSummary is one customer in search results.
type CustomerSummary struct {
	ID           int64
	Account      string
	Name         string
	Type         string // b2b, b2c
	Email        string
	Phone        string
	CreditStatus string // ok, hold
	Active       bool
	// LimitCents and AvailableCents are the credit limit and what is left
	// of it after open AR and open orders.
	LimitCents     int64
	AvailableCents int64
}

// Credit states, what a credit badge says.
const (
	CreditOK   = "ok"
	CreditHold = "hold" // the ERP put the customer on credit hold
	CreditOver = "over" // open AR and open orders exceed the limit
	CreditNone = "none" // no credit terms (a limit of zero): prepaid or card
)

// CreditState says how a customer stands on credit: the ERP's hold first,
// then the numbers. A customer whose available credit is below zero is
// never "ok".
func CreditState(status string, limitCents, availableCents int64) string {
	switch {
	case status == "hold":
		return CreditHold
	case limitCents <= 0:
		return CreditNone
	case availableCents < 0:
		return CreditOver
	}
	return CreditOK
}

// CreditState is the summary's credit state.
func (c CustomerSummary) CreditState() string {
	return CreditState(c.CreditStatus, c.LimitCents, c.AvailableCents)
}

// Customer is one customer as customer service sees it: credit, ship-tos
// and contacts beside the summary.
type Customer struct {
	CustomerSummary
	CreditLimitCents int64
	OpenARCents      int64
	OpenOrderCents   int64 // value of orders not yet shipped, cancelled or closed
	OpenOrders       int
	PriceLevel       string
	ShipComplete     bool
	BackorderPolicy  string
	CreatedAt        time.Time
	ShipTos          []ShipTo
	Contacts         []Contact
}

// CreditAvailableCents is what the customer may still order on credit:
// limit minus open AR minus open orders (DESIGN.md, validation).
func (c Customer) CreditAvailableCents() int64 {
	return c.CreditLimitCents - c.OpenARCents - c.OpenOrderCents
}

// CreditState is the customer's credit state from the figures the
// customer page shows beside it.
func (c Customer) CreditState() string {
	return CreditState(c.CreditStatus, c.CreditLimitCents, c.CreditAvailableCents())
}

// ShipTo is one of a customer's delivery addresses.
type ShipTo struct {
	ID        int64
	Code      string
	Address   Address
	IsDefault bool
	Active    bool
}

// Contact is a person at a customer.
type Contact struct {
	ID    int64
	Name  string
	Email string
	Phone string
	Role  string
}

// CustomerEvent is an event of one of a customer's orders.
type CustomerEvent struct {
	Event
	OrderNumber string
}

// Backorder policies: what happens to units no location has.
const (
	BackorderPolicyAllow        = "allow"                      // ship what is available, backorder the rest
	BackorderPolicyShipComplete = "ship_complete"              // ship nothing until everything can ship
	BackorderPolicyCancelRest   = "ship_available_cancel_rest" // ship what is available, cancel the rest
)

// BackorderPolicyOf is a customer's effective backorder policy: the
// ship-complete flag wins over the stored policy.
func BackorderPolicyOf(stored string, shipComplete bool) string {
	if shipComplete {
		return BackorderPolicyShipComplete
	}
	if stored == BackorderPolicyCancelRest {
		return stored
	}
	return BackorderPolicyAllow
}

// BackorderPolicyLabel is a backorder policy in words.
func BackorderPolicyLabel(p string) string {
	switch p {
	case BackorderPolicyShipComplete:
		return "Ship complete"
	case BackorderPolicyCancelRest:
		return "Ship available, cancel rest"
	}
	return "Ship available, backorder rest"
}
