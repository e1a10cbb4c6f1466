package inbox

import (
	"context"
	"strconv"
	"strings"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/store"
)

// Kind is one kind of inbound file: its folder (and name prefix), its
// columns, and how its rows become the store's inbound message, the same
// one the REST endpoint of that kind applies.
type Kind struct {
	Name     string // the folder, the file-name prefix and the REST path's last part
	Columns  []string
	Required []string
	// read reads every row of the file into a message; apply applies it
	// under the message id derived from the file.
	read func(t *table) (apply func(ctx context.Context, db *store.DB, id, source string) (store.InboundResult, error), err error)
}

// Kinds are the kinds of file the inbox takes, by folder name.
var Kinds = []Kind{
	{Name: "items", Required: []string{"sku"},
		Columns: []string{"sku", "description", "uom", "pack_qty", "min_qty", "weight_grams", "list_price_cents",
			"dropship_eligible", "dropship_vendor", "hazmat", "discontinued", "active"}, read: readItems},
	{Name: "customers", Required: []string{"account"},
		Columns: []string{"account", "name", "type", "email", "phone", "credit_limit_cents", "open_ar_cents", "credit_status",
			"price_level", "ship_complete", "backorder_policy", "active"}, read: readCustomers},
	{Name: "price-lists", Required: []string{"price_level", "sku"},
		Columns: []string{"price_level", "sku", "unit_price_cents", "remove"}, read: readPriceLists},
	{Name: "inventory-snapshots", Required: []string{"location", "as_of", "sku", "on_hand"},
		Columns: []string{"location", "as_of", "sku", "on_hand"}, read: readSnapshot},
	{Name: "inventory-deltas", Required: []string{"sku", "location", "quantity", "kind"},
		Columns: []string{"sku", "location", "quantity", "kind", "occurred_at", "po_number", "reference"}, read: readDeltas},
	{Name: "supply", Required: []string{"po_number", "sku", "location", "quantity", "expected_date"},
		Columns: []string{"po_number", "sku", "location", "quantity", "expected_date", "status"}, read: readSupply},
	{Name: "shipments", Required: []string{"order", "group"},
		Columns: []string{"order", "group", "carrier", "service", "tracking_number", "shipped_at", "line_no", "quantity"}, read: readShipments},
	{Name: "invoices", Required: []string{"invoice_number", "order"},
		Columns: []string{"invoice_number", "order", "groups", "amount_cents", "invoiced_at"}, read: readInvoices},
}

// KindNamed returns the kind of that folder name.
func KindNamed(name string) (Kind, bool) {
	for _, k := range Kinds {
		if k.Name == name {
			return k, true
		}
	}
	return Kind{}, false
}

type applyFunc = func(ctx context.Context, db *store.DB, id, source string) (store.InboundResult, error)

// readRows reads every row of the file with row, and returns apply over
// the rows read.
func readRows[T any](t *table, row func() T, apply func(ctx context.Context, db *store.DB, id, source string, rows []T) (store.InboundResult, error)) (applyFunc, error) {
	var rows []T
	for {
		ok, err := t.next()
		if err != nil || !ok {
			return func(ctx context.Context, db *store.DB, id, source string) (store.InboundResult, error) {
				return apply(ctx, db, id, source, rows)
			}, err
		}
		rows = append(rows, row())
	}
}

func readItems(t *table) (applyFunc, error) {
	return readRows(t, func() store.ItemRecord {
		return store.ItemRecord{Row: t.line, SKU: t.cell("sku"), Description: t.opt("description"), UOM: t.opt("uom"),
			PackQty: t.optInt("pack_qty"), MinQty: t.optInt("min_qty"), WeightGrams: t.optInt("weight_grams"), ListPriceCents: t.optInt("list_price_cents"),
			DropshipEligible: t.optBool("dropship_eligible"), DropshipVendor: t.opt("dropship_vendor"), Hazmat: t.optBool("hazmat"),
			Discontinued: t.optBool("discontinued"), Active: t.optBool("active")}
	}, func(ctx context.Context, db *store.DB, id, source string, rows []store.ItemRecord) (store.InboundResult, error) {
		return db.ApplyItems(ctx, store.ItemBatch{MessageID: id, Source: source, Rows: rows})
	})
}

func readCustomers(t *table) (applyFunc, error) {
	return readRows(t, func() store.CustomerRecord {
		return store.CustomerRecord{Row: t.line, Account: t.cell("account"), Name: t.opt("name"), Type: t.opt("type"),
			Email: t.opt("email"), Phone: t.opt("phone"), CreditLimitCents: t.optInt("credit_limit_cents"), OpenARCents: t.optInt("open_ar_cents"),
			CreditStatus: t.opt("credit_status"), PriceLevel: t.opt("price_level"), ShipComplete: t.optBool("ship_complete"),
			BackorderPolicy: t.opt("backorder_policy"), Active: t.optBool("active")}
	}, func(ctx context.Context, db *store.DB, id, source string, rows []store.CustomerRecord) (store.InboundResult, error) {
		return db.ApplyCustomers(ctx, store.CustomerBatch{MessageID: id, Source: source, Rows: rows})
	})
}

func readPriceLists(t *table) (applyFunc, error) {
	return readRows(t, func() store.PriceEntry {
		remove := t.optBool("remove")
		return store.PriceEntry{Row: t.line, PriceLevel: t.cell("price_level"), SKU: t.cell("sku"),
			UnitPriceCents: t.optInt("unit_price_cents"), Remove: remove != nil && *remove}
	}, func(ctx context.Context, db *store.DB, id, source string, rows []store.PriceEntry) (store.InboundResult, error) {
		return db.ApplyPriceLists(ctx, store.PriceListBatch{MessageID: id, Source: source, Rows: rows})
	})
}

// readSnapshot reads one location's count: every row names the same
// location and as-of time (the store applies a snapshot per location).
func readSnapshot(t *table) (applyFunc, error) {
	s := store.InventorySnapshot{}
	var firstLoc, firstAsOf string
	first := 0
	for {
		ok, err := t.next()
		if err != nil || !ok {
			return func(ctx context.Context, db *store.DB, id, source string) (store.InboundResult, error) {
				s.MessageID, s.Source = id, source
				return db.ApplyInventorySnapshot(ctx, s)
			}, err
		}
		loc, asOf := t.cell("location"), t.cell("as_of")
		if first == 0 {
			first, firstLoc, firstAsOf = t.line, loc, asOf
			s.Location, s.AsOf = loc, t.time("as_of")
		} else {
			if !strings.EqualFold(loc, firstLoc) {
				t.fail("location", "every row of a snapshot file counts one location (%s in row %d), not %q", firstLoc, first, domain.Excerpt(loc))
			}
			if asOf != firstAsOf {
				t.fail("as_of", "every row of a snapshot file has one as-of time (%s in row %d), not %q", firstAsOf, first, domain.Excerpt(asOf))
			}
		}
		s.Rows = append(s.Rows, store.StockCount{Row: t.line, SKU: t.cell("sku"), OnHand: t.integer("on_hand")})
	}
}

func readDeltas(t *table) (applyFunc, error) {
	return readRows(t, func() store.StockDelta {
		return store.StockDelta{Row: t.line, SKU: t.cell("sku"), Location: t.cell("location"), Quantity: t.integer("quantity"),
			Kind: t.cell("kind"), OccurredAt: t.time("occurred_at"), PONumber: t.cell("po_number"), Reference: t.cell("reference")}
	}, func(ctx context.Context, db *store.DB, id, source string, rows []store.StockDelta) (store.InboundResult, error) {
		return db.ApplyInventoryDeltas(ctx, store.InventoryDeltas{MessageID: id, Source: source, Rows: rows})
	})
}

func readSupply(t *table) (applyFunc, error) {
	return readRows(t, func() store.SupplyLine {
		return store.SupplyLine{Row: t.line, PONumber: t.cell("po_number"), SKU: t.cell("sku"), Location: t.cell("location"),
			Quantity: t.integer("quantity"), ExpectedDate: t.cell("expected_date"), Status: t.cell("status")}
	}, func(ctx context.Context, db *store.DB, id, source string, rows []store.SupplyLine) (store.InboundResult, error) {
		return db.ApplyInboundSupply(ctx, store.InboundSupplyBatch{MessageID: id, Source: source, Rows: rows})
	})
}

// readShipments reads shipment confirmations: the rows of one order and
// group make one confirmation; with line_no and quantity they ship those
// units (the rest of the group goes back to backorder), without, the
// whole group.
func readShipments(t *table) (applyFunc, error) {
	var out []store.ShipmentConfirmation
	index := map[string]int{}
	for {
		ok, err := t.next()
		if err != nil || !ok {
			return func(ctx context.Context, db *store.DB, id, source string) (store.InboundResult, error) {
				for i := range out {
					out[i].Source, out[i].Actor = source, source
				}
				return db.ConfirmShipments(ctx, id, source, out)
			}, err
		}
		order, group := t.cell("order"), int(t.integer("group"))
		key := strings.ToUpper(order) + "/" + strconv.Itoa(group)
		i, seen := index[key]
		s := store.Shipment{Carrier: t.cell("carrier"), Service: t.cell("service"), Tracking: t.cell("tracking_number"), ShippedAt: t.time("shipped_at")}
		if !seen {
			i = len(out)
			index[key] = i
			out = append(out, store.ShipmentConfirmation{Row: t.line, Order: order, Group: group, Shipment: s})
		} else if c := out[i]; c.Carrier != s.Carrier || c.Tracking != s.Tracking || c.Service != s.Service || !c.ShippedAt.Equal(s.ShippedAt) {
			t.fail("tracking_number", "every row of shipment %s-%d must agree on carrier, service, tracking number and time (as row %d)", order, group, c.Row)
		}
		lineNo := t.optInt("line_no")
		if lineNo == nil {
			if seen {
				t.fail("line_no", "is required when shipment %s-%d has several rows", order, group)
			}
			continue
		}
		if out[i].Lines == nil {
			out[i].Lines = map[int]int64{}
		}
		if _, twice := out[i].Lines[int(*lineNo)]; twice {
			t.fail("line_no", "line %d of shipment %s-%d is named twice", *lineNo, order, group)
		}
		out[i].Lines[int(*lineNo)] = t.integer("quantity")
	}
}

// readInvoices reads invoices, one a row; groups lists the shipment
// numbers it covers, separated by spaces or semicolons (empty: every
// shipped group not yet invoiced).
func readInvoices(t *table) (applyFunc, error) {
	var out []store.Invoice
	for {
		ok, err := t.next()
		if err != nil || !ok {
			return func(ctx context.Context, db *store.DB, id, source string) (store.InboundResult, error) {
				for i := range out {
					out[i].Source, out[i].Actor = source, source
				}
				return db.ApplyInvoices(ctx, id, source, out)
			}, err
		}
		inv := store.Invoice{Row: t.line, Number: t.cell("invoice_number"), Order: t.cell("order"), AmountCents: t.integer("amount_cents"),
			InvoicedAt: t.time("invoiced_at")}
		for _, g := range strings.FieldsFunc(t.cell("groups"), func(r rune) bool { return r == ' ' || r == ';' || r == '|' }) {
			n, err := strconv.Atoi(g)
			if err != nil || n <= 0 {
				t.fail("groups", "%q is not a shipment number", domain.Excerpt(g))
				continue
			}
			inv.Groups = append(inv.Groups, n)
		}
		out = append(out, inv)
	}
}
