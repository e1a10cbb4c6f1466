package handlers

import (
	"net/url"

	"github.com/gofiber/fiber/v2"
	"github.com/oms/oms/store"
)

// ItemsAPI answers the JSON item endpoints under /api/v1.
type ItemsAPI struct {
	DB *store.DB
}

type itemJSON struct {
	SKU              string             `json:"sku"`
	Description      string             `json:"description"`
	UOM              string             `json:"uom"`
	PackQty          int64              `json:"pack_qty"`
	MinQty           int64              `json:"min_qty"`
	ListPriceCents   int64              `json:"list_price_cents"`
	Discontinued     bool               `json:"discontinued"`
	DropshipEligible bool               `json:"dropship_eligible"`
	Availability     []availabilityJSON `json:"availability"`
	Inbound          []inboundJSON      `json:"inbound"`
}

type availabilityJSON struct {
	Location     string `json:"location"`
	LocationName string `json:"location_name"`
	OnHand       int64  `json:"on_hand"`
	Allocated    int64  `json:"allocated"`
	SafetyStock  int64  `json:"safety_stock"`
	Available    int64  `json:"available"`
}

type inboundJSON struct {
	PONumber     string `json:"po_number"`
	Location     string `json:"location"`
	Quantity     int64  `json:"quantity"`
	ExpectedDate string `json:"expected_date"`
}

// Show answers GET /api/v1/items/{sku}: the item, its availability per
// location (available = on hand - allocated - safety stock, negative when
// safety stock is eaten into) and open inbound supply. 404 for an unknown
// SKU.
func (h *ItemsAPI) Show(c *fiber.Ctx) error {
	it, err := h.DB.ItemBySKU(c.UserContext(), skuParam(c))
	if err != nil {
		return err
	}
	out := itemJSON{
		SKU: it.SKU, Description: it.Description, UOM: it.UOM, PackQty: it.PackQty, MinQty: it.MinQty,
		ListPriceCents: it.ListPriceCents, Discontinued: it.Discontinued, DropshipEligible: it.DropshipEligible,
		Availability: make([]availabilityJSON, 0, len(it.Availability)),
		Inbound:      make([]inboundJSON, 0, len(it.Inbound)),
	}
	for _, a := range it.Availability {
		out.Availability = append(out.Availability, availabilityJSON{
			Location: a.Location.Code, LocationName: a.Location.Name,
			OnHand: a.OnHand, Allocated: a.Allocated, SafetyStock: a.SafetyStock, Available: a.Available,
		})
	}
	for _, s := range it.Inbound {
		out.Inbound = append(out.Inbound, inboundJSON{PONumber: s.PONumber, Location: s.LocationCode, Quantity: s.Quantity, ExpectedDate: s.ExpectedDate})
	}
	return c.JSON(out)
}

// skuParam is the :sku route parameter, unescaped ("BOLT%2010" is "BOLT 10").
func skuParam(c *fiber.Ctx) string {
	sku := c.Params("sku")
	if u, err := url.PathUnescape(sku); err == nil {
		return u
	}
	return sku
}
