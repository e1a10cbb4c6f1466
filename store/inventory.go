package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/oms/oms/domain"
)

// Location is a place that holds stock or ships: DC, 3PL, store or vendor.
type Location struct {
	ID       int64
	Code     string
	Name     string
	Type     string
	Serves   string
	City     string
	Region   string
	Lat, Lon float64
	Active   bool
}

// ItemSummary is one item in a search result, with its stock summed over
// own locations (vendors excluded).
type ItemSummary struct {
	ID               int64
	SKU              string
	Description      string
	UOM              string
	Discontinued     bool
	DropshipEligible bool
	OnHand           int64
	Allocated        int64
	Available        int64
	Inbound          int64
}

// Item is an item master record with its stock per location and its open
// inbound supply.
type Item struct {
	ID               int64
	SKU              string
	Description      string
	UOM              string
	PackQty          int64
	MinQty           int64
	ListPriceCents   int64
	Discontinued     bool
	DropshipEligible bool
	Hazmat           bool
	Availability     []Availability
	Inbound          []InboundSupply
}

// Availability is the stock of one item at one location. Available is
// available to promise: on hand - allocated - safety stock.
type Availability struct {
	Location    Location
	OnHand      int64
	Allocated   int64
	SafetyStock int64
	Available   int64
	OnHandAsOf  time.Time
	DistanceMi  float64
	HasDistance bool
}

// InboundSupply is an open purchase order line expected at a location.
type InboundSupply struct {
	PONumber     string
	LocationCode string
	LocationName string
	Quantity     int64
	ExpectedDate string
}

// ShortItem is an item whose available to promise at a location is zero or
// less.
type ShortItem struct {
	SKU          string
	Description  string
	OnHand       int64
	Allocated    int64
	SafetyStock  int64
	Available    int64
	OnHandAsOf   time.Time
	Inbound      int64
	NextInbound  string
	Discontinued bool
}

// BelowSafetyStock reports whether what is not yet promised is under the
// safety stock, as opposed to simply exhausted.
func (s ShortItem) BelowSafetyStock() bool {
	free := s.OnHand - s.Allocated
	return s.SafetyStock > 0 && free > 0 && free < s.SafetyStock
}

// Locations lists every location, active or not, by code.
func (db *DB) Locations(ctx context.Context) ([]Location, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, code, name, type, serves, city, region, latitude, longitude, active
		FROM locations ORDER BY code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Location
	for rows.Next() {
		var l Location
		if err := rows.Scan(&l.ID, &l.Code, &l.Name, &l.Type, &l.Serves, &l.City, &l.Region, &l.Lat, &l.Lon, &l.Active); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// SearchItems finds active items whose SKU starts with q or whose
// description has every word of q (case-insensitive), exact SKU and SKU
// prefixes first, at most limit of them, with stock summed over active own
// locations. An empty q lists the first items by SKU.
func (db *DB) SearchItems(ctx context.Context, q string, limit int) ([]ItemSummary, error) {
	var out []ItemSummary
	err := db.View(ctx, func(tx *sql.Tx) error {
		ids, err := matchItems(ctx, tx, q, itemMatch{ActiveOnly: true, Limit: limit})
		if err != nil || len(ids) == 0 {
			return err
		}
		out, err = inRank(ctx, tx, `SELECT i.id, i.sku, i.description, i.uom, i.discontinued, i.dropship_eligible,
				coalesce((SELECT sum(quantity) FROM inbound_supply b WHERE b.item_id = i.id AND b.status = 'open'), 0)
			FROM items i WHERE i.id IN`, ids, func(rows *sql.Rows) (int64, ItemSummary, error) {
			var s ItemSummary
			err := rows.Scan(&s.ID, &s.SKU, &s.Description, &s.UOM, &s.Discontinued, &s.DropshipEligible, &s.Inbound)
			return s.ID, s, err
		})
		if err != nil {
			return err
		}
		return itemStock(ctx, tx, ids, false, func(at int, r stockRow) {
			s := &out[at]
			s.OnHand += r.OnHand
			s.Allocated += r.Allocated
			s.Available += max(r.Available(), 0)
		})
	})
	return out, err
}

// ItemBySKU returns an item with its stock at every own location (a row per
// location, zero where there is no inventory record) and its open inbound
// supply by expected date, read in one snapshot. Locations are in code
// order; callers sort by distance. Returns ENOTFOUND.
func (db *DB) ItemBySKU(ctx context.Context, sku string) (Item, error) {
	var it Item
	err := db.View(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT id, sku, description, uom, pack_qty, min_qty, list_price_cents, discontinued, dropship_eligible, hazmat
			FROM items WHERE sku = ?`, strings.TrimSpace(sku)).
			Scan(&it.ID, &it.SKU, &it.Description, &it.UOM, &it.PackQty, &it.MinQty, &it.ListPriceCents, &it.Discontinued, &it.DropshipEligible, &it.Hazmat)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.Errorf(domain.ENOTFOUND, "No item with SKU %s.", strings.TrimSpace(sku))
		} else if err != nil {
			return err
		}
		err = itemStock(ctx, tx, []int64{it.ID}, true, func(_ int, r stockRow) {
			it.Availability = append(it.Availability, Availability{Location: r.Location, OnHand: r.OnHand, Allocated: r.Allocated,
				SafetyStock: r.SafetyStock, Available: r.Available(), OnHandAsOf: ParseTime(r.AsOf)})
		})
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT b.po_number, l.code, l.name, b.quantity, b.expected_date
			FROM inbound_supply b JOIN locations l ON l.id = b.location_id
			WHERE b.item_id = ? AND b.status = 'open' ORDER BY b.expected_date, b.po_number`, it.ID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s InboundSupply
			if err := rows.Scan(&s.PONumber, &s.LocationCode, &s.LocationName, &s.Quantity, &s.ExpectedDate); err != nil {
				return err
			}
			it.Inbound = append(it.Inbound, s)
		}
		return rows.Err()
	})
	return it, err
}

// ShortItems lists the items at a location whose available to promise is
// zero or less (out of stock, fully allocated, or eaten into safety
// stock), most negative first: limit of them after offset, and how many
// there are in all. Returns ENOTFOUND for an unknown location code.
func (db *DB) ShortItems(ctx context.Context, locationCode string, limit, offset int) ([]ShortItem, int, error) {
	var out []ShortItem
	total := 0
	err := db.View(ctx, func(tx *sql.Tx) error {
		var locID int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM locations WHERE code = ?`, locationCode).Scan(&locID)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.Errorf(domain.ENOTFOUND, "No location %s.", locationCode)
		} else if err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM inventory v JOIN items i ON i.id = v.item_id
			WHERE v.location_id = ? AND i.active = 1 AND v.on_hand - v.allocated - v.safety_stock <= 0`, locID).Scan(&total); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT i.sku, i.description, v.on_hand, v.allocated, v.safety_stock, v.on_hand_as_of, i.discontinued,
				coalesce(b.qty, 0), coalesce(b.next, '')
			FROM inventory v JOIN items i ON i.id = v.item_id
			LEFT JOIN (SELECT item_id, sum(quantity) AS qty, min(expected_date) AS next FROM inbound_supply
				WHERE location_id = ?1 AND status = 'open' GROUP BY item_id) b ON b.item_id = v.item_id
			WHERE v.location_id = ?1 AND i.active = 1 AND v.on_hand - v.allocated - v.safety_stock <= 0
			ORDER BY v.on_hand - v.allocated - v.safety_stock, i.sku
			LIMIT ?2 OFFSET ?3`, locID, limit, max(offset, 0))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s ShortItem
			var asOf string
			if err := rows.Scan(&s.SKU, &s.Description, &s.OnHand, &s.Allocated, &s.SafetyStock, &asOf, &s.Discontinued, &s.Inbound, &s.NextInbound); err != nil {
				return err
			}
			s.Available = s.OnHand - s.Allocated - s.SafetyStock
			s.OnHandAsOf = ParseTime(asOf)
			out = append(out, s)
		}
		return rows.Err()
	})
	return out, total, err
}
