package domain_test

import (
	"testing"

	"github.com/oms/oms/domain"
)

func TestLineStatus(t *testing.T) {
	tests := []struct {
		name string
		b    domain.Buckets
		want domain.OrderStatus
	}{
		{"Open", domain.Buckets{Ordered: 5}, domain.StatusOpen},
		{"Backordered", domain.Buckets{Ordered: 5, Backordered: 5}, domain.StatusBackordered},
		{"PartiallyAllocated", domain.Buckets{Ordered: 5, Allocated: 2, Backordered: 3}, domain.StatusPartiallyAllocated},
		{"Allocated", domain.Buckets{Ordered: 5, Allocated: 5}, domain.StatusAllocated},
		{"AllocatedAfterCancel", domain.Buckets{Ordered: 5, Allocated: 3, Cancelled: 2}, domain.StatusAllocated},
		{"Released", domain.Buckets{Ordered: 5, Released: 5}, domain.StatusReleased},
		{"ReleasedAndAllocated", domain.Buckets{Ordered: 5, Released: 2, Allocated: 3}, domain.StatusAllocated},
		{"PartiallyShipped", domain.Buckets{Ordered: 5, Shipped: 2, Backordered: 3}, domain.StatusPartiallyShipped},
		{"Shipped", domain.Buckets{Ordered: 5, Shipped: 5}, domain.StatusShipped},
		{"ShippedRestCancelled", domain.Buckets{Ordered: 5, Shipped: 3, Cancelled: 2}, domain.StatusShipped},
		{"Cancelled", domain.Buckets{Ordered: 5, Cancelled: 5}, domain.StatusCancelled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := domain.LineStatus(tt.b); got != tt.want {
				t.Fatalf("LineStatus(%+v) = %s, want %s", tt.b, got, tt.want)
			}
		})
	}
}

func TestDeriveOrderStatus(t *testing.T) {
	shipped := domain.Buckets{Ordered: 2, Shipped: 2}
	back := domain.Buckets{Ordered: 4, Backordered: 4}
	alloc := domain.Buckets{Ordered: 3, Allocated: 3}
	tests := []struct {
		name string
		f    domain.OrderFacts
		want domain.OrderStatus
	}{
		{"Draft", domain.OrderFacts{Draft: true, Lines: []domain.Buckets{alloc}}, domain.StatusDraft},
		{"NoLines", domain.OrderFacts{}, domain.StatusCancelled},
		{"AllCancelled", domain.OrderFacts{Lines: []domain.Buckets{{Ordered: 2, Cancelled: 2}}}, domain.StatusCancelled},
		{"Open", domain.OrderFacts{Lines: []domain.Buckets{{Ordered: 2}}}, domain.StatusOpen},
		{"OnHold", domain.OrderFacts{OpenHolds: 1, Lines: []domain.Buckets{alloc}}, domain.StatusOnHold},
		{"ShippingWinsOverHold", domain.OrderFacts{OpenHolds: 1, Lines: []domain.Buckets{shipped, back}}, domain.StatusPartiallyShipped},
		{"Backordered", domain.OrderFacts{Lines: []domain.Buckets{back}}, domain.StatusBackordered},
		{"PartiallyAllocated", domain.OrderFacts{Lines: []domain.Buckets{alloc, back}}, domain.StatusPartiallyAllocated},
		{"Allocated", domain.OrderFacts{Lines: []domain.Buckets{alloc, alloc}}, domain.StatusAllocated},
		{"Released", domain.OrderFacts{Lines: []domain.Buckets{{Ordered: 3, Released: 3}, alloc}}, domain.StatusReleased},
		{"PartiallyShipped", domain.OrderFacts{Lines: []domain.Buckets{shipped, alloc}}, domain.StatusPartiallyShipped},
		{"Shipped", domain.OrderFacts{Lines: []domain.Buckets{shipped, {Ordered: 1, Cancelled: 1}}}, domain.StatusShipped},
		{"Closed", domain.OrderFacts{Invoiced: true, Lines: []domain.Buckets{shipped}}, domain.StatusClosed},
		{"InvoicedButNotAllShipped", domain.OrderFacts{Invoiced: true, Lines: []domain.Buckets{shipped, back}}, domain.StatusPartiallyShipped},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := domain.DeriveOrderStatus(tt.f); got != tt.want {
				t.Fatalf("DeriveOrderStatus = %s, want %s", got, tt.want)
			}
		})
	}
}
