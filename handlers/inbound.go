package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/oms/oms/domain"
	"github.com/oms/oms/store"
	"github.com/oms/oms/web/httpx"
)

// InboundAPI takes the ERP's and the WMS's messages under
// /api/v1/inbound: inventory snapshots and deltas, inbound supply,
// shipment confirmations and invoices. Each carries a message_id and is
// applied at most once; a batch with a bad row applies nothing and names
// every bad row.
type InboundAPI struct {
	DB *store.DB
}

// inboundReply is the answer to every inbound message.
type inboundReply struct {
	MessageID string `json:"message_id"`
	Status    string `json:"status"` // applied or duplicate
	Applied   int    `json:"applied"`
	Ignored   int    `json:"ignored"`
}

func replyOf(c *fiber.Ctx, r store.InboundResult) error {
	status := "applied"
	if r.Duplicate {
		status = "duplicate"
	}
	return c.JSON(inboundReply{MessageID: r.MessageID, Status: status, Applied: r.Applied, Ignored: r.Ignored})
}

// decodeInbound reads one JSON object strictly (only documented fields).
func decodeInbound(c *fiber.Ctx, v any) error {
	body := c.Body()
	if len(bytes.TrimSpace(body)) == 0 {
		return fiber.NewError(fiber.StatusBadRequest, "The request body is empty; send the message as a JSON object.")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, err := dec.Token(); err != io.EOF {
			return fiber.NewError(fiber.StatusBadRequest, "Malformed JSON: there is more after the message object; send exactly one object.")
		}
		return nil
	}
	var syn *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		line, col := position(body, int(syn.Offset)-1)
		return fiber.NewError(fiber.StatusBadRequest, fmt.Sprintf("Malformed JSON at line %d, column %d: %s.", line, col, strings.TrimPrefix(syn.Error(), "json: ")))
	case errors.As(err, &te):
		return domain.Invalid(fmt.Sprintf("%s must be %s.", te.Field, expectedKind(te)), map[string]string{te.Field: "must be " + expectedKind(te)})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return domain.Invalid(fmt.Sprintf("%s is not a field of this message (see /api/v1/openapi.json).", name), map[string]string{name: "is not a known field"})
	}
	return fiber.NewError(fiber.StatusBadRequest, "Malformed JSON: "+strings.TrimPrefix(err.Error(), "json: ")+".")
}

// inboundTime parses an optional RFC 3339 time; bad ones are named.
func inboundTime(s, field string, bad map[string]string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		bad[field] = fmt.Sprintf("must be an RFC 3339 time such as 2026-11-20T15:04:05Z, not %q", s)
	}
	return t
}

func badFields(bad map[string]string) error {
	if len(bad) == 0 {
		return nil
	}
	return domain.Invalid(fmt.Sprintf("The message has %d bad values; nothing was applied.", len(bad)), bad)
}

type snapshotIn struct {
	MessageID string `json:"message_id"`
	Location  string `json:"location"`
	AsOf      string `json:"as_of"`
	Rows      []struct {
		SKU    string `json:"sku"`
		OnHand int64  `json:"on_hand"`
	} `json:"rows"`
}

// Snapshot is POST /api/v1/inbound/inventory-snapshots.
func (h *InboundAPI) Snapshot(c *fiber.Ctx) error {
	var in snapshotIn
	if err := decodeInbound(c, &in); err != nil {
		return err
	}
	bad := map[string]string{}
	s := store.InventorySnapshot{MessageID: in.MessageID, Source: "api", Location: in.Location,
		AsOf: inboundTime(in.AsOf, "as_of", bad), Rows: make([]store.StockCount, len(in.Rows))}
	if err := badFields(bad); err != nil {
		return err
	}
	for i, r := range in.Rows {
		s.Rows[i] = store.StockCount{Row: i, SKU: r.SKU, OnHand: r.OnHand}
	}
	res, err := h.DB.ApplyInventorySnapshot(c.UserContext(), s)
	if err != nil {
		return err
	}
	return replyOf(c, res)
}

type deltasIn struct {
	MessageID string `json:"message_id"`
	Rows      []struct {
		SKU        string `json:"sku"`
		Location   string `json:"location"`
		Quantity   int64  `json:"quantity"`
		Kind       string `json:"kind"`
		OccurredAt string `json:"occurred_at"`
		PONumber   string `json:"po_number"`
		Reference  string `json:"reference"`
	} `json:"rows"`
}

// Deltas is POST /api/v1/inbound/inventory-deltas.
func (h *InboundAPI) Deltas(c *fiber.Ctx) error {
	var in deltasIn
	if err := decodeInbound(c, &in); err != nil {
		return err
	}
	bad := map[string]string{}
	d := store.InventoryDeltas{MessageID: in.MessageID, Source: "api", Rows: make([]store.StockDelta, len(in.Rows))}
	for i, r := range in.Rows {
		d.Rows[i] = store.StockDelta{Row: i, SKU: r.SKU, Location: r.Location, Quantity: r.Quantity, Kind: r.Kind,
			OccurredAt: inboundTime(r.OccurredAt, fmt.Sprintf("rows[%d].occurred_at", i), bad), PONumber: r.PONumber, Reference: r.Reference}
	}
	if err := badFields(bad); err != nil {
		return err
	}
	res, err := h.DB.ApplyInventoryDeltas(c.UserContext(), d)
	if err != nil {
		return err
	}
	return replyOf(c, res)
}

type supplyIn struct {
	MessageID string `json:"message_id"`
	Rows      []struct {
		PONumber     string `json:"po_number"`
		SKU          string `json:"sku"`
		Location     string `json:"location"`
		Quantity     int64  `json:"quantity"`
		ExpectedDate string `json:"expected_date"`
		Status       string `json:"status"`
	} `json:"rows"`
}

// Supply is POST /api/v1/inbound/supply.
func (h *InboundAPI) Supply(c *fiber.Ctx) error {
	var in supplyIn
	if err := decodeInbound(c, &in); err != nil {
		return err
	}
	b := store.InboundSupplyBatch{MessageID: in.MessageID, Source: "api", Rows: make([]store.SupplyLine, len(in.Rows))}
	for i, r := range in.Rows {
		b.Rows[i] = store.SupplyLine{Row: i, PONumber: r.PONumber, SKU: r.SKU, Location: r.Location, Quantity: r.Quantity,
			ExpectedDate: r.ExpectedDate, Status: r.Status}
	}
	res, err := h.DB.ApplyInboundSupply(c.UserContext(), b)
	if err != nil {
		return err
	}
	return replyOf(c, res)
}

type shipmentIn struct {
	MessageID      string `json:"message_id"`
	Order          string `json:"order"`
	Group          int    `json:"group"`
	Carrier        string `json:"carrier"`
	Service        string `json:"service"`
	TrackingNumber string `json:"tracking_number"`
	ShippedAt      string `json:"shipped_at"`
	Lines          []struct {
		LineNo   int   `json:"line_no"`
		Quantity int64 `json:"quantity"`
	} `json:"lines"`
}

// Shipment is POST /api/v1/inbound/shipments.
func (h *InboundAPI) Shipment(c *fiber.Ctx) error {
	var in shipmentIn
	if err := decodeInbound(c, &in); err != nil {
		return err
	}
	caller, _ := httpx.CurrentCaller(c)
	bad := map[string]string{}
	sc := store.ShipmentConfirmation{MessageID: in.MessageID, Source: "api", Actor: caller.Actor, Order: in.Order, Group: in.Group,
		Shipment: store.Shipment{Carrier: in.Carrier, Service: in.Service, Tracking: in.TrackingNumber,
			ShippedAt: inboundTime(in.ShippedAt, "shipped_at", bad)}}
	if in.Lines != nil {
		sc.Lines = map[int]int64{}
		for i, l := range in.Lines {
			if _, twice := sc.Lines[l.LineNo]; twice {
				bad[fmt.Sprintf("lines[%d].line_no", i)] = fmt.Sprintf("line %d is named twice", l.LineNo)
			}
			sc.Lines[l.LineNo] = l.Quantity
		}
	}
	if err := badFields(bad); err != nil {
		return err
	}
	res, err := h.DB.ConfirmShipment(c.UserContext(), sc)
	if err != nil {
		return err
	}
	return replyOf(c, res)
}

type invoiceIn struct {
	MessageID     string `json:"message_id"`
	InvoiceNumber string `json:"invoice_number"`
	Order         string `json:"order"`
	Groups        []int  `json:"groups"`
	AmountCents   int64  `json:"amount_cents"`
	InvoicedAt    string `json:"invoiced_at"`
}

// Invoice is POST /api/v1/inbound/invoices.
func (h *InboundAPI) Invoice(c *fiber.Ctx) error {
	var in invoiceIn
	if err := decodeInbound(c, &in); err != nil {
		return err
	}
	caller, _ := httpx.CurrentCaller(c)
	bad := map[string]string{}
	inv := store.Invoice{MessageID: in.MessageID, Source: "api", Actor: caller.Actor, Number: in.InvoiceNumber, Order: in.Order,
		Groups: in.Groups, AmountCents: in.AmountCents, InvoicedAt: inboundTime(in.InvoicedAt, "invoiced_at", bad)}
	if err := badFields(bad); err != nil {
		return err
	}
	res, err := h.DB.ApplyInvoice(c.UserContext(), inv)
	if err != nil {
		return err
	}
	return replyOf(c, res)
}
