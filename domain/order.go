package domain

import "time"

// Channels through which orders arrive.
var Channels = []string{"web", "edi", "phone", "api", "csv", "marketplace", "punchout"}

// ShipMethods are the ship method codes the OMS knows, on orders and in
// sourcing rules alike.
var ShipMethods = []string{"GROUND", "2DAY", "NEXTDAY", "LTL", "WILLCALL"}

// ChannelLabel is a channel's name for people.
func ChannelLabel(ch string) string {
	switch ch {
	case "web":
		return "Web"
	case "edi":
		return "EDI"
	case "phone":
		return "Phone"
	case "api":
		return "API"
	case "csv":
		return "CSV"
	case "marketplace":
		return "Marketplace"
	case "punchout":
		return "Punchout"
	}
	return ch
}

// OrderSummary is one order in a list: enough to recognise it and see what
// is happening with it.
type OrderSummary struct {
	ID              int64
	Number          string
	CustomerAccount string
	CustomerName    string
	CustomerPO      string
	ShipName        string
	Channel         string
	Status          OrderStatus
	TotalCents      int64
	HasHold         bool
	HasBackorder    bool
	CreatedAt       time.Time
}

// StatusCount is how many orders are in one status.
type StatusCount struct {
	Status OrderStatus
	Count  int64
}
