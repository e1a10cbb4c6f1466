// Package demo generates a deterministic, plausible data set for a wholesale
// distributor: a fulfilment network, a catalogue, customers, stock and three
// months of orders in every state, with their fulfilment groups, holds,
// exceptions and timelines. It is pure generation of plain structs; package
// store inserts them. The same Config always yields the same data.
package demo

import (
	"math/rand/v2"
	"time"

	"github.com/oms/oms/domain"
)

// DefaultOrders is the number of orders of the default demo.
const DefaultOrders = 5000

// DefaultSeed is the seed of the default demo.
const DefaultSeed = 42

// HistoryDays is how far back before Config.Now the orders go.
const HistoryDays = 90

// Config says what to generate. Now is the moment the data set describes:
// orders lie in the HistoryDays before it, and nothing happens after it.
type Config struct {
	Seed   int64
	Orders int
	Now    time.Time
}

// Location is a DC, 3PL or dropship vendor (table locations).
type Location struct {
	ID                   int64
	Code, Name           string
	Type, Serves         string
	Line1, City, Region  string
	PostalCode           string
	Latitude, Longitude  float64
	CutoffTime, Timezone string
	CostPerShipmentCents int64
	Priority             int
}

// Item is one SKU of the catalogue (table items). DropshipVendorID is 0 when
// the item is not dropship-eligible.
type Item struct {
	ID               int64
	SKU, Description string
	UOM              string
	PackQty, MinQty  int64
	WeightGrams      int64
	ListPriceCents   int64
	DropshipEligible bool
	DropshipVendorID int64
	Hazmat           bool
	Discontinued     bool
	UpdatedAt        time.Time
}

// Substitute names a replacement SKU for an item (table item_substitutes).
type Substitute struct {
	ItemID, SubstituteItemID int64
	Rank                     int
}

// Xref is a UPC (CustomerID 0) or a customer's buyer part number for an item
// (table item_xrefs).
type Xref struct {
	ItemID     int64
	Kind       string
	CustomerID int64
	Value      string
}

// Price is one price list entry (table price_list_entries).
type Price struct {
	PriceLevel     string
	ItemID         int64
	UnitPriceCents int64
}

// Price levels of the demo price lists.
const (
	PriceList        = "LIST"
	PriceWholesale   = "WHOLESALE"
	PriceDistributor = "DISTRIBUTOR"
)

// Customer is a B2B account or a B2C consumer with its ship-tos and
// contacts (tables customers, ship_tos, customer_contacts).
type Customer struct {
	ID                            int64
	Account, Name, Type           string
	Email, Phone                  string
	CreditLimitCents, OpenARCents int64
	CreditStatus, PriceLevel      string
	ShipComplete                  bool
	BackorderPolicy               string
	CreatedAt                     time.Time
	ShipTos                       []ShipTo
	Contacts                      []Contact
}

// ShipTo is one delivery address of a customer (table ship_tos).
type ShipTo struct {
	ID, CustomerID      int64
	Code, Name          string
	Line1, Line2        string
	City, Region        string
	PostalCode          string
	Latitude, Longitude float64
	IsDefault           bool
}

// Contact is a person at a customer (table customer_contacts).
type Contact struct {
	CustomerID               int64
	Name, Email, Phone, Role string
}

// TradingPartner is a customer's EDI identity (table trading_partners).
type TradingPartner struct {
	CustomerID                int64
	ISAQualifier, ISAID, GSID string
}

// Master is the reference data that orders point at.
type Master struct {
	Locations       []Location
	Items           []Item
	Substitutes     []Substitute
	Xrefs           []Xref
	Prices          []Price
	Customers       []Customer
	TradingPartners []TradingPartner
}

// Order is one sales order with everything that hangs off it.
type Order struct {
	ID                             int64
	Number, Channel                string
	CustomerID                     int64
	CustomerPO                     string
	ShipToID                       int64
	ShipName, ShipLine1, ShipLine2 string
	ShipCity, ShipRegion           string
	ShipPostalCode                 string
	ShipLatitude, ShipLongitude    float64
	RequestedDate                  time.Time
	ShipMethod                     string
	Priority                       int
	ShipComplete                   bool
	Status                         domain.OrderStatus
	TotalCents                     int64
	HasHold, HasBackorder          bool
	CreatedBy                      string
	CreatedAt, UpdatedAt           time.Time

	Lines      []Line
	Groups     []Group
	Holds      []Hold
	Exceptions []Exception
	Events     []Event
	Outbox     []OutboxMessage
	// Trace is the sourcing decision in plain sentences, made at TraceAt;
	// empty for drafts.
	Trace   []string
	TraceAt time.Time
}

// Line is one order line with its quantity buckets (table order_lines).
type Line struct {
	ID, OrderID      int64
	LineNo           int
	ItemID           int64
	SKU, Description string
	Quantity         int64
	UnitPriceCents   int64
	Cancelled        int64
	Backordered      int64
	Allocated        int64
	Released         int64
	Shipped          int64
	Status           domain.OrderStatus
}

// Buckets returns the line's quantities as domain.Buckets.
func (l Line) Buckets() domain.Buckets {
	return domain.Buckets{Ordered: l.Quantity, Cancelled: l.Cancelled, Backordered: l.Backordered,
		Allocated: l.Allocated, Released: l.Released, Shipped: l.Shipped}
}

// Group statuses (table fulfilment_groups).
const (
	GroupPlanned   = "planned"
	GroupReleased  = "released"
	GroupShipped   = "shipped"
	GroupCancelled = "cancelled"
)

// Group is one fulfilment group: a shipment from one location. Zero times
// are NULL.
type Group struct {
	ID, OrderID                      int64
	Seq                              int
	LocationID                       int64
	Dropship                         bool
	Status                           string
	Carrier, Service, TrackingNumber string
	CreatedAt, ReleasedAt            time.Time
	ShippedAt, CancelledAt           time.Time
	Lines                            []GroupLine
}

// GroupLine is the quantity of one order line in a group.
type GroupLine struct {
	GroupID, OrderLineID, ItemID int64
	Quantity                     int64
}

// Hold is a hold placed on an order; ReleasedAt is zero while it is open.
type Hold struct {
	ID, OrderID  int64
	Reason, Note string
	PlacedBy     string
	PlacedAt     time.Time
	ReleasedBy   string
	ReleasedAt   time.Time
	ReleaseNote  string
}

// Exception is one entry of the exception queue. HoldID and OrderLineID are
// 0 when they do not apply.
type Exception struct {
	Kind              string
	OrderID, HoldID   int64
	OrderLineID       int64
	Severity, Summary string
	SLADueAt          time.Time
	Status            string
	ResolutionNote    string
	CreatedAt         time.Time
	ResolvedAt        time.Time
	ResolvedBy        string
}

// Event is one entry of an order's timeline.
type Event struct {
	OrderID       int64
	Kind, Actor   string
	At            time.Time
	Summary       string
	Before, After string
}

// OutboxMessage is a message the ERP, WMS or customer must hear of.
type OutboxMessage struct {
	MessageID, Topic, Destination string
	OrderID, GroupID              int64 // GroupID 0 when about no group
	Status                        string
	Attempts                      int
	NextAttemptAt                 time.Time
	LastError                     string
	CreatedAt, DeliveredAt        time.Time
}

// Inventory is the stock of one item at one location. Allocated equals the
// quantity on planned and released groups there (invariant 2).
type Inventory struct {
	ItemID, LocationID int64
	OnHand, Allocated  int64
	SafetyStock        int64
	OnHandAsOf         time.Time
}

// InboundSupply is one line of a purchase order on its way to a location.
type InboundSupply struct {
	ItemID, LocationID int64
	PONumber           string
	Quantity           int64
	ExpectedDate       time.Time
	CreatedAt          time.Time
}

// Stock is what is known only after every order is generated: inventory
// with its allocations, inbound supply for the shortages, and the last
// order number used.
type Stock struct {
	Inventory       []Inventory
	Supply          []InboundSupply
	LastOrderNumber int64
}

// Dataset is a whole generated data set, for tests and small demos; large
// ones stream through a Generator instead.
type Dataset struct {
	Master
	Orders []Order
	Stock
}

// Generate builds the whole data set for cfg in memory.
func Generate(cfg Config) *Dataset {
	g := NewGenerator(cfg)
	ds := &Dataset{Master: *g.Master()}
	for {
		batch := g.Next(1000)
		if len(batch) == 0 {
			break
		}
		ds.Orders = append(ds.Orders, batch...)
	}
	ds.Stock = *g.Stock()
	return ds
}

// newRand returns the generator's random source for a seed.
func newRand(seed int64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
}
