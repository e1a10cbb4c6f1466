// Package sourcing decides where each unit of an order ships from. It is a
// pure function of (order, inventory snapshot, rules) so that the same code
// plans live orders, re-plans backorders and powers the rule simulator, and
// so that every decision can be replayed from the trace stored with the order.
//
// The database and the UI own loading and saving; this package only reads
// plain structs whose JSON tags match the columns of migrations/0001_init.sql
// (locations, items, inventory, sourcing_rules.conditions and .policy).
package sourcing

// Sales channels an order can arrive through (orders.channel).
const (
	ChannelWeb         = "web"
	ChannelEDI         = "edi"
	ChannelPhone       = "phone"
	ChannelAPI         = "api"
	ChannelCSV         = "csv"
	ChannelMarketplace = "marketplace"
	ChannelPunchout    = "punchout"
)

// Customer types (customers.type).
const (
	CustomerB2B = "b2b"
	CustomerB2C = "b2c"
)

// Location types (locations.type). Vendor locations ship only dropship lines.
const (
	TypeDC     = "dc"
	Type3PL    = "3pl"
	TypeStore  = "store"
	TypeVendor = "vendor"
)

// Which business a location serves (locations.serves), plus ServesMatch,
// which a policy uses to mean "whatever the order's customer type is".
const (
	ServesB2B   = "b2b"
	ServesB2C   = "b2c"
	ServesBoth  = "both"
	ServesMatch = "match"
)

// Ways to rank locations that can ship the same number of units.
const (
	RankDistance = "distance"
	RankCost     = "cost"
	RankPriority = "priority"
)

// What happens to units no location can ship.
const (
	RestBackorder = "backorder"
	RestCancel    = "cancel"
	RestException = "exception"
)

// Rule statuses (sourcing_rules.status). Only active rules source orders;
// drafts exist for the simulator.
const (
	StatusDraft    = "draft"
	StatusActive   = "active"
	StatusInactive = "inactive"
)

// Order is what the engine needs to know about an order: who, where to, how
// much, and the quantities still to be sourced per line.
type Order struct {
	Number       string `json:"number"`
	Channel      string `json:"channel"`
	CustomerType string `json:"customer_type"`
	ShipTo       ShipTo `json:"ship_to"`
	ShipMethod   string `json:"ship_method"`
	// ShipComplete is the customer's or the order's ship-complete flag: all
	// units ship together from one location or none ship yet.
	ShipComplete bool `json:"ship_complete"`
	// CancelRest is the customer's backorder policy "ship what is
	// available, cancel the rest": units no location has are cancelled
	// instead of backordered, whatever the rule says.
	CancelRest bool   `json:"cancel_rest,omitempty"`
	ValueCents int64  `json:"value_cents"`
	Lines      []Line `json:"lines"`
	// PickupLocationID is where the customer of a will-call order
	// (ShipMethod ShipMethodWillCall) picks up: the location its earlier
	// shipments were planned at. Zero lets Plan choose the eligible own
	// location nearest the ship-to.
	PickupLocationID int64 `json:"pickup_location_id,omitempty"`
}

// ShipMethodWillCall is the ship method of an order the customer picks up
// (orders.ship_method).
const ShipMethodWillCall = "WILLCALL"

// ShipTo is the order's delivery address as far as sourcing cares. When
// HasCoords is false the engine looks PostalCode up in the ZIP centroid
// table (US addresses only).
type ShipTo struct {
	Region     string  `json:"region"` // US state code
	PostalCode string  `json:"postal_code"`
	Country    string  `json:"country"`
	City       string  `json:"city,omitempty"`
	Lat        float64 `json:"lat"`
	Lon        float64 `json:"lon"`
	HasCoords  bool    `json:"has_coords"`
}

// Line is one order line. Quantity is what still needs sourcing (ordered
// minus what is already allocated, released, shipped or cancelled), not the
// ordered quantity, so re-planning a backorder uses the same function.
type Line struct {
	LineID   int64     `json:"line_id"`
	LineNo   int       `json:"line_no"`
	ItemID   int64     `json:"item_id"`
	SKU      string    `json:"sku"`
	Quantity int64     `json:"quantity"`
	Flags    ItemFlags `json:"flags"`
}

// ItemFlags are the item master flags that change where a line may ship from.
type ItemFlags struct {
	DropshipEligible bool  `json:"dropship_eligible"`
	DropshipVendorID int64 `json:"dropship_vendor_id,omitempty"`
	Hazmat           bool  `json:"hazmat"`
	Discontinued     bool  `json:"discontinued"`
}

// Location is a place that can ship: own DC, 3PL, store or dropship vendor.
type Location struct {
	ID                   int64   `json:"id"`
	Code                 string  `json:"code"`
	Name                 string  `json:"name"`
	Type                 string  `json:"type"`
	Serves               string  `json:"serves"`
	Lat                  float64 `json:"lat"`
	Lon                  float64 `json:"lon"`
	CostPerShipmentCents int64   `json:"cost_per_shipment_cents"`
	// Priority ranks locations under RankPriority: lower numbers go first,
	// as in locations.priority (default 100).
	Priority int  `json:"priority"`
	Active   bool `json:"active"`
	// CutoffTime ("15:00") and Timezone ("America/Chicago") say until when
	// a shipment released today still leaves today; they give a manual
	// change's estimated ship dates.
	CutoffTime string `json:"cutoff_time,omitempty"`
	Timezone   string `json:"timezone,omitempty"`
}

// Snapshot is the inventory picture the plan is made against.
type Snapshot struct {
	Locations []Location `json:"locations"`
	// Available is available to promise (on hand - allocated - safety
	// stock) by item ID, then location ID. A missing entry means none,
	// except at vendor locations, where it means "unlimited" (see Plan).
	Available map[int64]map[int64]int64 `json:"available"`
}

// Rule is one sourcing rule as stored in sourcing_rules; Conditions and
// Policy are the JSON of the conditions and policy columns.
type Rule struct {
	ID         int64      `json:"id"`
	Version    int        `json:"version"`
	Name       string     `json:"name"`
	Position   int        `json:"position"`
	Status     string     `json:"status"`
	Conditions Conditions `json:"conditions"`
	Policy     Policy     `json:"policy"`
}

// Conditions say which orders a rule applies to. Every condition left empty
// matches any order; the ones that are set must all hold.
type Conditions struct {
	Channels      []string `json:"channels,omitempty"`
	CustomerTypes []string `json:"customer_types,omitempty"`
	// Regions holds US state codes ("TX") and census region names
	// ("south"), so a rule can say "the West Coast states" or "the South".
	Regions []string `json:"regions,omitempty"`
	// MinOrderValueCents and MaxOrderValueCents bound the order value,
	// both inclusive; zero means no bound.
	MinOrderValueCents int64          `json:"min_order_value_cents,omitempty"`
	MaxOrderValueCents int64          `json:"max_order_value_cents,omitempty"`
	ItemFlags          FlagConditions `json:"item_flags"`
	ShipMethods        []string       `json:"ship_methods,omitempty"`
}

// FlagConditions match on the item flags of the order's lines.
type FlagConditions struct {
	// RequireHazmat matches orders with at least one hazmat line.
	RequireHazmat bool `json:"require_hazmat,omitempty"`
	// ExcludeHazmat matches orders without any hazmat line.
	ExcludeHazmat bool `json:"exclude_hazmat,omitempty"`
	// AnyDropshipEligible matches orders with at least one dropship-eligible line.
	AnyDropshipEligible bool `json:"any_dropship_eligible,omitempty"`
}

// Policy says how a matched rule sources the order.
type Policy struct {
	Eligible Eligibility `json:"eligible"`
	// FallbackTypes widens the eligible set with locations of these types
	// when the eligible set alone cannot ship everything ("B2C ships from
	// the 3PL and falls back to DCs").
	FallbackTypes []string `json:"fallback_types,omitempty"`
	Rank          string   `json:"rank"`
	// ShipComplete makes every order under this rule all-or-nothing.
	ShipComplete bool `json:"ship_complete"`
	// MaxSplits is the most shipments from own locations (1 = no split;
	// then the best single location ships what it can and the rest
	// follows Rest).
	MaxSplits int `json:"max_splits"`
	// NoSplitBelowCents treats orders worth less than this as ship
	// complete, because splitting a small order costs more than it earns.
	NoSplitBelowCents int64 `json:"no_split_below_cents,omitempty"`
	// KeepLinesWhole forbids splitting one line across locations. Off by
	// default because in B2B a line shipped from two DCs is normal.
	KeepLinesWhole bool `json:"keep_lines_whole,omitempty"`
	// Dropship sends units no own location can ship to the item's dropship
	// vendor when the item is dropship-eligible.
	Dropship bool   `json:"dropship"`
	Rest     string `json:"rest"`
}

// Eligibility filters the locations a rule may ship from. Empty filters
// allow everything; vendors are never eligible here (they ship only through
// Policy.Dropship) and inactive locations never are.
type Eligibility struct {
	Types         []string `json:"types,omitempty"`
	LocationIDs   []int64  `json:"location_ids,omitempty"`
	LocationCodes []string `json:"location_codes,omitempty"`
	// Serves is "", "b2b", "b2c" or "match" (the order's customer type);
	// locations serving "both" always pass.
	Serves string `json:"serves,omitempty"`
}

// Result is the sourcing plan and the trace explaining it.
type Result struct {
	RuleID      int64  `json:"rule_id"`
	RuleVersion int    `json:"rule_version"`
	RuleName    string `json:"rule_name"`
	// DefaultRule is true when no rule matched and the built-in
	// DefaultRule planned the order.
	DefaultRule bool      `json:"default_rule"`
	Groups      []Group   `json:"groups"`
	Backorders  []LineQty `json:"backorders"`
	Cancels     []LineQty `json:"cancels"`
	Exceptions  []LineQty `json:"exceptions"`
	// Trace says in plain sentences why each location was chosen or
	// passed over; it is stored with the order and shown on its page.
	Trace []string `json:"trace"`
}

// Group is one planned fulfilment group: one location (or dropship vendor)
// and the quantities it ships.
type Group struct {
	LocationID   int64       `json:"location_id"`
	LocationCode string      `json:"location_code"`
	LocationName string      `json:"location_name"`
	Dropship     bool        `json:"dropship"`
	Lines        []GroupLine `json:"lines"`
}

// GroupLine is the quantity of one order line a group ships.
type GroupLine struct {
	LineID   int64  `json:"line_id"`
	ItemID   int64  `json:"item_id"`
	SKU      string `json:"sku"`
	Quantity int64  `json:"quantity"`
}

// LineQty is a quantity of one order line that was not planned, with the
// reason in plain words.
type LineQty struct {
	LineID   int64  `json:"line_id"`
	ItemID   int64  `json:"item_id"`
	SKU      string `json:"sku"`
	Quantity int64  `json:"quantity"`
	Reason   string `json:"reason"`
}
