package handlers

import (
	"github.com/gofiber/fiber/v2"
	"github.com/oms/oms/store"
)

// The ERP's master data: items, customers and price lists. A field left
// out of a row keeps what the record has (a new record needs the fields
// the store names), so nullable fields are pointers.

type itemsIn struct {
	MessageID string `json:"message_id"`
	Rows      []struct {
		SKU              string  `json:"sku"`
		Description      *string `json:"description"`
		UOM              *string `json:"uom"`
		PackQty          *int64  `json:"pack_qty"`
		MinQty           *int64  `json:"min_qty"`
		WeightGrams      *int64  `json:"weight_grams"`
		ListPriceCents   *int64  `json:"list_price_cents"`
		DropshipEligible *bool   `json:"dropship_eligible"`
		DropshipVendor   *string `json:"dropship_vendor"`
		Hazmat           *bool   `json:"hazmat"`
		Discontinued     *bool   `json:"discontinued"`
		Active           *bool   `json:"active"`
	} `json:"rows"`
}

// Items is POST /api/v1/inbound/items.
func (h *InboundAPI) Items(c *fiber.Ctx) error {
	var in itemsIn
	if err := decodeInbound(c, &in); err != nil {
		return err
	}
	b := store.ItemBatch{MessageID: in.MessageID, Source: "api", Rows: make([]store.ItemRecord, len(in.Rows))}
	for i, r := range in.Rows {
		b.Rows[i] = store.ItemRecord{Row: i, SKU: r.SKU, Description: r.Description, UOM: r.UOM, PackQty: r.PackQty, MinQty: r.MinQty,
			WeightGrams: r.WeightGrams, ListPriceCents: r.ListPriceCents, DropshipEligible: r.DropshipEligible, DropshipVendor: r.DropshipVendor,
			Hazmat: r.Hazmat, Discontinued: r.Discontinued, Active: r.Active}
	}
	res, err := h.DB.ApplyItems(c.UserContext(), b)
	if err != nil {
		return err
	}
	return replyOf(c, res)
}

type customersIn struct {
	MessageID string `json:"message_id"`
	Rows      []struct {
		Account          string  `json:"account"`
		Name             *string `json:"name"`
		Type             *string `json:"type"`
		Email            *string `json:"email"`
		Phone            *string `json:"phone"`
		CreditLimitCents *int64  `json:"credit_limit_cents"`
		OpenARCents      *int64  `json:"open_ar_cents"`
		CreditStatus     *string `json:"credit_status"`
		PriceLevel       *string `json:"price_level"`
		ShipComplete     *bool   `json:"ship_complete"`
		BackorderPolicy  *string `json:"backorder_policy"`
		Active           *bool   `json:"active"`
	} `json:"rows"`
}

// Customers is POST /api/v1/inbound/customers.
func (h *InboundAPI) Customers(c *fiber.Ctx) error {
	var in customersIn
	if err := decodeInbound(c, &in); err != nil {
		return err
	}
	b := store.CustomerBatch{MessageID: in.MessageID, Source: "api", Rows: make([]store.CustomerRecord, len(in.Rows))}
	for i, r := range in.Rows {
		b.Rows[i] = store.CustomerRecord{Row: i, Account: r.Account, Name: r.Name, Type: r.Type, Email: r.Email, Phone: r.Phone,
			CreditLimitCents: r.CreditLimitCents, OpenARCents: r.OpenARCents, CreditStatus: r.CreditStatus, PriceLevel: r.PriceLevel,
			ShipComplete: r.ShipComplete, BackorderPolicy: r.BackorderPolicy, Active: r.Active}
	}
	res, err := h.DB.ApplyCustomers(c.UserContext(), b)
	if err != nil {
		return err
	}
	return replyOf(c, res)
}

type priceListsIn struct {
	MessageID string `json:"message_id"`
	Rows      []struct {
		PriceLevel     string `json:"price_level"`
		SKU            string `json:"sku"`
		UnitPriceCents *int64 `json:"unit_price_cents"`
		Remove         bool   `json:"remove"`
	} `json:"rows"`
}

// PriceLists is POST /api/v1/inbound/price-lists.
func (h *InboundAPI) PriceLists(c *fiber.Ctx) error {
	var in priceListsIn
	if err := decodeInbound(c, &in); err != nil {
		return err
	}
	b := store.PriceListBatch{MessageID: in.MessageID, Source: "api", Rows: make([]store.PriceEntry, len(in.Rows))}
	for i, r := range in.Rows {
		b.Rows[i] = store.PriceEntry{Row: i, PriceLevel: r.PriceLevel, SKU: r.SKU, UnitPriceCents: r.UnitPriceCents, Remove: r.Remove}
	}
	res, err := h.DB.ApplyPriceLists(c.UserContext(), b)
	if err != nil {
		return err
	}
	return replyOf(c, res)
}
