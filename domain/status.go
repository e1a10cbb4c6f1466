package domain

// OrderStatus is the derived state of an order (DESIGN.md, "Order status").
type OrderStatus string

// Order statuses, in the order an order usually passes through them.
const (
	StatusDraft              OrderStatus = "draft"
	StatusOnHold             OrderStatus = "on_hold"
	StatusOpen               OrderStatus = "open"
	StatusBackordered        OrderStatus = "backordered"
	StatusPartiallyAllocated OrderStatus = "partially_allocated"
	StatusAllocated          OrderStatus = "allocated"
	StatusReleased           OrderStatus = "released"
	StatusPartiallyShipped   OrderStatus = "partially_shipped"
	StatusShipped            OrderStatus = "shipped"
	StatusCancelled          OrderStatus = "cancelled"
	StatusClosed             OrderStatus = "closed"
)

// OrderStatuses lists every order status in display order.
var OrderStatuses = []OrderStatus{
	StatusDraft, StatusOnHold, StatusOpen, StatusBackordered, StatusPartiallyAllocated,
	StatusAllocated, StatusReleased, StatusPartiallyShipped, StatusShipped,
	StatusCancelled, StatusClosed,
}

// Label is the status in words for people.
func (s OrderStatus) Label() string {
	switch s {
	case StatusDraft:
		return "Draft"
	case StatusOnHold:
		return "On hold"
	case StatusOpen:
		return "Open"
	case StatusBackordered:
		return "Backordered"
	case StatusPartiallyAllocated:
		return "Partially allocated"
	case StatusAllocated:
		return "Allocated"
	case StatusReleased:
		return "Released"
	case StatusPartiallyShipped:
		return "Partially shipped"
	case StatusShipped:
		return "Shipped"
	case StatusCancelled:
		return "Cancelled"
	case StatusClosed:
		return "Closed"
	}
	return string(s)
}

// Valid reports whether s is a known status.
func (s OrderStatus) Valid() bool {
	for _, x := range OrderStatuses {
		if s == x {
			return true
		}
	}
	return false
}

// Buckets are the quantities of one order line. Invariant 1:
// Ordered = Cancelled + Backordered + Allocated + Released + Shipped; what is
// in none of the other buckets is still open (not yet sourced).
type Buckets struct {
	Ordered     int64
	Cancelled   int64
	Backordered int64
	Allocated   int64
	Released    int64
	Shipped     int64
}

// Open is the quantity not yet in any bucket: not sourced yet.
func (b Buckets) Open() int64 {
	return b.Ordered - b.Cancelled - b.Backordered - b.Allocated - b.Released - b.Shipped
}

// Plus is b and o added bucket by bucket.
func (b Buckets) Plus(o Buckets) Buckets {
	return Buckets{Ordered: b.Ordered + o.Ordered, Cancelled: b.Cancelled + o.Cancelled, Backordered: b.Backordered + o.Backordered,
		Allocated: b.Allocated + o.Allocated, Released: b.Released + o.Released, Shipped: b.Shipped + o.Shipped}
}

// Balanced reports whether invariant 1 holds with nothing left unsourced.
func (b Buckets) Balanced() bool { return b.Open() == 0 }

// LineStatus derives a line's status from its buckets.
func LineStatus(b Buckets) OrderStatus {
	live := b.Ordered - b.Cancelled
	switch {
	case live == 0:
		return StatusCancelled
	case b.Shipped == live:
		return StatusShipped
	case b.Shipped > 0:
		return StatusPartiallyShipped
	case b.Released > 0 && b.Released+b.Shipped == live:
		return StatusReleased
	case b.Allocated+b.Released == live:
		return StatusAllocated
	case b.Allocated+b.Released > 0:
		return StatusPartiallyAllocated
	case b.Backordered > 0:
		return StatusBackordered
	}
	return StatusOpen
}

// OrderFacts is what order status is derived from.
type OrderFacts struct {
	Draft     bool
	Invoiced  bool
	OpenHolds int
	Lines     []Buckets
}

// DeriveOrderStatus derives an order's status from its lines and holds.
// Shipping state wins over holds (goods that left cannot be held back);
// otherwise an open hold puts the order on hold.
func DeriveOrderStatus(f OrderFacts) OrderStatus {
	if f.Draft {
		return StatusDraft
	}
	var sum Buckets
	for _, l := range f.Lines {
		sum = sum.Plus(l)
	}
	live := sum.Ordered - sum.Cancelled
	switch {
	case len(f.Lines) == 0 || live == 0:
		return StatusCancelled
	case sum.Shipped == live && f.Invoiced:
		return StatusClosed
	case sum.Shipped == live:
		return StatusShipped
	case sum.Shipped > 0:
		return StatusPartiallyShipped
	case f.OpenHolds > 0:
		return StatusOnHold
	case sum.Released > 0:
		return StatusReleased
	case sum.Allocated == live:
		return StatusAllocated
	case sum.Allocated > 0:
		return StatusPartiallyAllocated
	case sum.Backordered > 0:
		return StatusBackordered
	}
	return StatusOpen
}
