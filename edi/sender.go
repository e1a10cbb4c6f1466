package edi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/store"
	"github.com/oms/oms/x12"
)

// Tick sends what is due and reads what arrived: run it every few seconds.
func (s *Service) Tick(ctx context.Context) {
	if err := s.SendPending(ctx); err != nil && !errors.Is(err, context.Canceled) {
		s.log("send EDI documents", err)
	}
	if err := s.PollInboxes(ctx); err != nil && !errors.Is(err, context.Canceled) {
		s.log("read EDI inboxes", err)
	}
}

func (s *Service) log(what string, err error) {
	if s.Log != nil {
		s.Log.Warn(what, "err", err)
	}
}

// SendPending renders and sends the EDI outbox messages that are due (the
// 855 of a captured order, the 856 of a shipped group): each is written to
// the partner's outbox folder and marked delivered with the document kept.
// A message that cannot be sent is tried again later and is dead after
// store.MaxOutboxAttempts.
func (s *Service) SendPending(ctx context.Context) error {
	for {
		msgs, err := s.DB.PendingOutboxFor(ctx, "edi", 50)
		if err != nil || len(msgs) == 0 {
			return err
		}
		for _, m := range msgs {
			if err := s.send(ctx, m); err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				if ferr := s.DB.FailOutbox(ctx, m.ID, m.Attempts, err.Error()); ferr != nil {
					return ferr
				}
			}
		}
		if len(msgs) < 50 {
			return nil
		}
	}
}

func (s *Service) send(ctx context.Context, m store.PendingOutbox) error {
	// The topic names the document (edi.855, edi.856); the row names the
	// order and, for a ship notice, the shipment.
	p := struct {
		Order, Document string
		Group           int
	}{Order: m.OrderNumber, Group: m.GroupSeq, Document: strings.TrimPrefix(m.Topic, "edi.")}
	src, err := s.DB.EDISourceOf(ctx, p.Order, p.Group)
	if err != nil {
		return err
	}
	var refs []lineRef
	if src.Transaction.Lines != "" {
		if err := json.Unmarshal([]byte(src.Transaction.Lines), &refs); err != nil {
			return fmt.Errorf("order %s: received lines: %w", p.Order, err)
		}
	}
	control, err := s.DB.NextEDIControl(ctx)
	if err != nil {
		return err
	}
	var set x12.OutSet
	var fid, summary string
	switch p.Document {
	case "855":
		set, summary = POAckOf(src, refs, time.Now()).Set("0001"), "855 for PO "+src.Transaction.PONumber
		fid = "PR"
	case "856":
		set, summary = ShipNoticeOf(src, refs, time.Now()).Set("0001"), fmt.Sprintf("856 for shipment %d of PO %s", p.Group, src.Transaction.PONumber)
		fid = "SH"
	default:
		return fmt.Errorf("outbox message %d: unknown EDI document %q", m.ID, p.Document)
	}
	pt := src.Partner
	doc, err := x12.Encode(s.envelope(pt, control, false), []x12.OutGroup{{FunctionalID: fid, AppSender: pt.OurID, AppReceiver: pt.GSID,
		Control: control, Sets: []x12.OutSet{set}}})
	if err != nil {
		return err
	}
	name := fmt.Sprintf("%s_%s_%09d.x12", p.Document, store.FolderName(p.Order), control)
	if err := s.writeOutbox(pt, name, doc); err != nil {
		return err
	}
	_, err = s.DB.RecordOutboundDocument(ctx, store.OutboundDocument{PartnerID: pt.ID, OrderID: src.Order.Order.ID, Document: p.Document,
		Sender: store.SenderKey(pt.OurQualifier, pt.OurID), Receiver: store.SenderKey(pt.ISAQualifier, pt.ISAID),
		Control: fmt.Sprintf("%09d", control), FileName: name, Raw: string(doc), Summary: summary, OutboxID: m.ID})
	return err
}

// POAckOf builds the 855 of an order from what the OMS holds: per received
// line, accepted (IA), backordered with its expected date (IB), cancelled
// or not placed (IR), price changed (IP).
func POAckOf(src store.EDISource, refs []lineRef, now time.Time) x12.POAck {
	lines := map[int]domain.OrderLine{}
	for _, l := range src.Order.Lines.Lines {
		lines[l.LineNo] = l
	}
	expected := map[int]string{}
	for _, b := range src.Order.Backorders {
		if b.ExpectedDate != "" {
			expected[b.LineNo] = strings.ReplaceAll(b.ExpectedDate, "-", "")
		}
	}
	a := x12.POAck{Purpose: "00", PONumber: src.Transaction.PONumber, PODate: src.Transaction.PODate, OrderNumber: src.Order.Order.Number, Date: now}
	changed, rejected := false, 0
	for _, r := range refs {
		al := x12.POAckLine{LineID: r.LineID, Quantity: r.Quantity, UOM: r.UOM, Price: r.Price, Basis: r.Basis, IDs: r.IDs}
		l, ok := lines[r.LineNo]
		if r.LineNo == 0 || !ok {
			al.Acks = []x12.LineAck{{Status: "IR", Quantity: 0, UOM: r.UOM}}
			rejected++
			a.Lines = append(a.Lines, al)
			continue
		}
		in := func(units int64) (int64, string) { return inPOUnits(units, r) }
		if live := l.Allocated + l.Released + l.Shipped; live > 0 {
			q, u := in(live)
			status := "IA"
			if c, ok := x12.ParseCents(r.Price); ok && r.Price != "" && (c+r.Factor/2)/r.Factor != l.UnitPriceCents {
				status = "IP"
			}
			if status != "IA" || live != l.Ordered {
				changed = true
			}
			al.Acks = append(al.Acks, x12.LineAck{Status: status, Quantity: q, UOM: u})
		}
		if l.Backordered > 0 {
			q, u := in(l.Backordered)
			k := x12.LineAck{Status: "IB", Quantity: q, UOM: u}
			if d := expected[l.LineNo]; d != "" {
				k.DateQualifier, k.Date = "068", d
			}
			al.Acks = append(al.Acks, k)
			changed = true
		}
		if l.Cancelled > 0 {
			q, u := in(l.Cancelled)
			al.Acks = append(al.Acks, x12.LineAck{Status: "IR", Quantity: q, UOM: u})
			changed = true
		}
		if len(al.Acks) == 0 {
			// Not sourced yet (on hold before sourcing): accepted as ordered.
			q, u := in(l.Ordered)
			al.Acks = append(al.Acks, x12.LineAck{Status: "IA", Quantity: q, UOM: u})
		}
		a.Lines = append(a.Lines, al)
	}
	switch {
	case len(refs) > 0 && rejected == len(refs):
		a.Type = "RJ"
	case changed || rejected > 0:
		a.Type = "AC"
	default:
		a.Type = "AD"
	}
	return a
}

// inPOUnits states our units in the line's unit of measure when they
// divide evenly, else in eaches.
func inPOUnits(units int64, r lineRef) (int64, string) {
	if r.Factor > 1 && units%r.Factor == 0 {
		return units / r.Factor, r.UOM
	}
	if r.Factor > 1 {
		return units, "EA"
	}
	u := r.UOM
	if u == "" {
		u = "EA"
	}
	return units, u
}

// ShipNoticeOf builds the 856 of one shipped group: shipment (carrier,
// tracking, ship-to, ship-from), order (PO), items (each received line in
// the group with the quantity shipped).
func ShipNoticeOf(src store.EDISource, refs []lineRef, now time.Time) x12.ShipNotice {
	o := src.Order.Order
	g := src.Group
	d := x12.Delimiters{}
	n := x12.ShipNotice{ShipmentID: o.Number + "-" + strconv.Itoa(g.Seq), Date: now, ShipDate: g.ShippedAt, Carrier: x12.Clean(d, g.Carrier, 35),
		Service: x12.Clean(d, g.Service, 35), Tracking: x12.Clean(d, g.TrackingNumber, 50), PONumber: src.Transaction.PONumber,
		PODate: src.Transaction.PODate, OrderNumber: o.Number,
		ShipTo: x12.Party{Code: "ST", Name: x12.Clean(d, o.ShipTo.Name, 60), Line1: x12.Clean(d, o.ShipTo.Line1, 55), Line2: x12.Clean(d, o.ShipTo.Line2, 55),
			City: x12.Clean(d, o.ShipTo.City, 30), Region: o.ShipTo.Region, Postal: o.ShipTo.PostalCode, Country: o.ShipTo.Country},
		ShipFrom: x12.Party{Code: "SF", Name: x12.Clean(d, src.ShipFrom.Name, 60), Line1: x12.Clean(d, src.ShipFrom.Line1, 55),
			City: x12.Clean(d, src.ShipFrom.City, 30), Region: src.ShipFrom.Region, Postal: src.ShipFrom.PostalCode, Country: src.ShipFrom.Country}}
	for _, r := range refs {
		q, ok := src.GroupLines[r.LineNo]
		if r.LineNo == 0 || !ok {
			continue
		}
		shipped, uom := inPOUnits(q, r)
		ordered := int64(0)
		if c, ok := x12.ParseCents(r.Quantity); ok && uom == r.UOM {
			ordered = c / 100
		}
		n.Items = append(n.Items, x12.ShipItem{LineID: r.LineID, IDs: r.IDs, Shipped: shipped, Ordered: ordered, UOM: uom})
	}
	return n
}

// PollInboxes reads the files dropped in each active partner's inbox
// folder: each is kept in the database and processed, then removed from
// the folder (the database keeps it).
func (s *Service) PollInboxes(ctx context.Context) error {
	if s.Dir == "" {
		return nil
	}
	partners, err := s.DB.TradingPartners(ctx)
	if err != nil {
		return err
	}
	for _, p := range partners {
		if !p.Active {
			continue
		}
		dir := filepath.Join(s.Dir, p.Folder, "inbox")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Join(s.Dir, p.Folder, "outbox"), 0o755); err != nil {
			return err
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			name := e.Name()
			if !e.Type().IsRegular() || strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".tmp") || strings.HasSuffix(name, ".part") {
				continue
			}
			path := filepath.Join(dir, name)
			// A file still being written is left for the next round.
			if info, err := e.Info(); err != nil || time.Since(info.ModTime()) < 2*time.Second {
				continue
			}
			raw, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if _, err := s.Receive(ctx, Input{Source: "inbox", FileName: name, Actor: "inbox:" + p.Folder, Raw: raw}); err != nil {
				return fmt.Errorf("inbox file %s: %w", path, err)
			}
			if err := os.Remove(path); err != nil {
				return err
			}
		}
	}
	return nil
}
