package handlers

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/oms/oms/geo"
	"github.com/oms/oms/store"
	"github.com/oms/oms/views"
	"github.com/oms/oms/web/httpx"
)

// searchLimit is the most items a search shows; people narrow by typing.
const searchLimit = 100

// shortPageSize is how many items one page of the shortage list shows.
const shortPageSize = 50

// Inventory shows stock: item search, one item's availability by
// location, and what is short at a location.
type Inventory struct {
	DB *store.DB
}

// List searches items by SKU or description; htmx gets only the results.
func (h *Inventory) List(c *fiber.Ctx) error {
	p := views.InventoryProps{Query: strings.TrimSpace(c.Query("q")), ZIP: strings.TrimSpace(c.Query("zip")), Limit: searchLimit}
	var err error
	p.Items, err = h.DB.SearchItems(c.UserContext(), p.Query, searchLimit)
	if err != nil {
		return err
	}
	if httpx.IsHTMX(c) {
		return httpx.Render(c, fiber.StatusOK, views.ItemResults(p))
	}
	ch, err := httpx.Chrome(c, "inventory")
	if err != nil {
		return err
	}
	ch.Query = ""
	return httpx.Render(c, fiber.StatusOK, views.InventoryPage(ch, p))
}

// Show is one item's availability per location, nearest first to the
// ship-to ZIP when one is given, and its inbound supply.
func (h *Inventory) Show(c *fiber.Ctx) error {
	it, err := h.DB.ItemBySKU(c.UserContext(), skuParam(c))
	if err != nil {
		return err
	}
	p := views.ItemProps{Item: it, ZIP: strings.TrimSpace(c.Query("zip"))}
	pt, ok := geo.LookupZIP(p.ZIP)
	switch {
	case p.ZIP == "":
	case !ok:
		p.ZIPError = fmt.Sprintf("%q is not a US ZIP code we know; locations are in code order.", p.ZIP)
	default:
		p.ShipToLabel = pt.State + " " + p.ZIP
		if pt.Approx {
			p.ShipToLabel += " (approximate)"
		}
	}
	for _, a := range it.Availability {
		row := views.ItemAvailability{Availability: a}
		if ok {
			row.Miles, row.HasMiles = geo.Distance(pt.Lat, pt.Lon, a.Location.Lat, a.Location.Lon), true
		}
		p.Rows = append(p.Rows, row)
		p.TotalOnHand += a.OnHand
		p.TotalAvail += max(a.Available, 0)
	}
	if ok {
		slices.SortStableFunc(p.Rows, func(a, b views.ItemAvailability) int { return cmp.Compare(a.Miles, b.Miles) })
	}
	for _, s := range it.Inbound {
		p.TotalInbound += s.Quantity
	}
	ch, err := httpx.Chrome(c, "inventory")
	if err != nil {
		return err
	}
	ch.Query = ""
	return httpx.Render(c, fiber.StatusOK, views.ItemPage(ch, p))
}

// Short lists the items whose available to promise is zero or less at the
// chosen location (the first own location by code when none is chosen).
func (h *Inventory) Short(c *fiber.Ctx) error {
	ctx := c.UserContext()
	locs, err := h.DB.Locations(ctx)
	if err != nil {
		return err
	}
	page, _ := strconv.Atoi(c.Query("page"))
	p := views.ShortProps{Locations: locs, Location: strings.TrimSpace(c.Query("location")), PageSize: shortPageSize, Page: max(page, 1)}
	if p.Location == "" {
		for _, l := range locs {
			if l.Type != "vendor" {
				p.Location = l.Code
				break
			}
		}
	}
	if p.Location != "" {
		if p.Items, p.Total, err = h.DB.ShortItems(ctx, p.Location, shortPageSize, (p.Page-1)*shortPageSize); err != nil {
			return err
		}
	}
	if httpx.IsHTMX(c) {
		return httpx.Render(c, fiber.StatusOK, views.ShortResults(p))
	}
	ch, err := httpx.Chrome(c, "inventory")
	if err != nil {
		return err
	}
	ch.Query = ""
	return httpx.Render(c, fiber.StatusOK, views.ShortPage(ch, p))
}
