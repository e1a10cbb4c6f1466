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
