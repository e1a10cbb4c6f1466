package edi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/intake"
	"github.com/oms/oms/store"
	"github.com/oms/oms/x12"
)

// Service receives interchanges and sends the answers.
type Service struct {
	DB *store.DB
	// Dir holds a folder per trading partner with inbox/ and outbox/;
	// empty: documents are kept in the database only.
	Dir string
	Log *slog.Logger
}

// Report is what became of a received file: per interchange and per
// transaction set, with the 997 sent for each interchange.
type Report struct {
	FileID       int64               `json:"file_id"`
	Status       string              `json:"status"`
	Errors       []string            `json:"errors"`
	Interchanges []InterchangeReport `json:"interchanges"`
}

// InterchangeReport is one interchange of a file.
type InterchangeReport struct {
	ID       int64       `json:"id"`
	Sender   string      `json:"sender"`
	Control  string      `json:"control_number"`
	Partner  string      `json:"partner"`
	Status   string      `json:"status"`
	Errors   []string    `json:"errors"`
	Sets     []SetReport `json:"transaction_sets"`
	Ack997   string      `json:"ack_997"`
	AckFile  string      `json:"ack_997_file"`
	Warnings []string    `json:"warnings"`
}

// SetReport is one transaction set and the order it became.
type SetReport struct {
	GroupControl string   `json:"group_control_number"`
	SetID        string   `json:"set_id"`
	Control      string   `json:"control_number"`
	PONumber     string   `json:"po_number"`
	Order        string   `json:"order_number"`
	Status       string   `json:"status"` // accepted, held, rejected, ignored, not_applied
	Errors       []string `json:"errors"`
	Warnings     []string `json:"warnings"`
	Holds        []string `json:"holds"`
}

// Input is a received file.
type Input struct {
	Source   string // upload, api, inbox
	FileName string
	Actor    string
	Raw      []byte
}

// lineRef is a received PO1 line as kept with the order, for the 855 and
// 856 to echo; LineNo is the order line it became (0: not placed).
type lineRef struct {
	LineID   string          `json:"id"`
	Quantity string          `json:"qty"`
	UOM      string          `json:"uom"`
	Price    string          `json:"price,omitempty"`
	Basis    string          `json:"basis,omitempty"`
	IDs      []x12.ProductID `json:"ids"`
	LineNo   int             `json:"line_no"`
	Factor   int64           `json:"factor"` // our units per PO unit
	Units    int64           `json:"units"`  // our units asked for
	Problem  string          `json:"problem,omitempty"`
}

// mapped is an 850 read in the first pass.
type mapped struct {
	po PO
	ok bool
}

// Receive keeps a file and processes it: every interchange, group and set.
func (s *Service) Receive(ctx context.Context, in Input) (Report, error) {
	id, err := s.DB.SaveEDIFile(ctx, in.Source, in.FileName, in.Actor, in.Raw)
	if err != nil {
		return Report{}, err
	}
	return s.process(ctx, id, in.Raw)
}

// Reprocess reads a kept file again: interchanges applied before are
// duplicates and skipped; those that waited for their sender are applied.
func (s *Service) Reprocess(ctx context.Context, fileID int64) (Report, error) {
	_, raw, err := s.DB.EDIFileRaw(ctx, fileID)
	if err != nil {
		return Report{}, err
	}
	return s.process(ctx, fileID, raw)
}

func (s *Service) process(ctx context.Context, fileID int64, raw []byte) (Report, error) {
	rep := Report{FileID: fileID, Errors: []string{}, Interchanges: []InterchangeReport{}}
	pos := map[*x12.SetAck]mapped{}
	res, err := x12.Read(bytes.NewReader(raw), func(t *x12.Transaction) error {
		if t.ID() == "850" && t.Group.FunctionalID == "PO" {
			po, ok := Map850(t)
			pos[t.Ack] = mapped{po, ok && t.Accepted()}
		} else if t.Group.FunctionalID != "FA" && t.ID() != "997" {
			t.AddError(x12.Error{Code: "1", Msg: fmt.Sprintf("transaction set %s in group %s is not supported: the OMS receives 850 purchase orders", t.ID(), t.Group.FunctionalID)})
		}
		return nil
	})
	if err != nil {
		return rep, err
	}
	for _, e := range res.Errors {
		rep.Errors = append(rep.Errors, e.Error())
	}
	if len(res.Interchanges) == 0 {
		rep.Status = "rejected"
		msg := "The file holds no readable X12 interchange (no ISA header)."
		if len(rep.Errors) > 0 {
			msg += " " + rep.Errors[0]
		}
		rep.Errors = append(rep.Errors, msg)
		if err := s.DB.RaiseEDIException(ctx, fileID, "edi_malformed", "EDI file rejected: "+msg); err != nil {
			return rep, err
		}
		return rep, s.DB.FinishEDIFile(ctx, fileID, "rejected", msg)
	}
	counts := map[string]int{}
	for _, ic := range res.Interchanges {
		ir, err := s.interchange(ctx, fileID, raw, ic, pos)
		if err != nil {
			return rep, err
		}
		counts[ir.Status]++
		rep.Interchanges = append(rep.Interchanges, ir)
	}
	switch {
	case len(counts) == 1:
		for k := range counts {
			rep.Status = k
		}
	default:
		rep.Status = store.InterchangePartial
	}
	if len(res.Errors) > 0 {
		if err := s.DB.RaiseEDIException(ctx, fileID, "edi_malformed", "EDI file has data outside any interchange: "+strings.Join(rep.Errors, "; ")); err != nil {
			return rep, err
		}
	}
	return rep, s.DB.FinishEDIFile(ctx, fileID, rep.Status, summarise(rep))
}

func summarise(rep Report) string {
	sets, orders := 0, 0
	for _, ic := range rep.Interchanges {
		for _, st := range ic.Sets {
			sets++
			if st.Order != "" {
				orders++
			}
		}
	}
	return fmt.Sprintf("%d interchange(s), %d transaction set(s), %d order(s)", len(rep.Interchanges), sets, orders)
}

// interchange applies one interchange: once per sender and control number,
// only from a known sender, set by set through the intake pipeline; then
// the 997 for its groups.
func (s *Service) interchange(ctx context.Context, fileID int64, raw []byte, ic *x12.Interchange, pos map[*x12.SetAck]mapped) (InterchangeReport, error) {
	ir := InterchangeReport{Sender: store.SenderKey(ic.SenderQual, ic.SenderID), Control: ic.Control, Errors: []string{}, Warnings: []string{}, Sets: []SetReport{}}
	for _, e := range ic.Errors {
		if e.Warning {
			ir.Warnings = append(ir.Warnings, e.Error())
		} else {
			ir.Errors = append(ir.Errors, e.Error())
		}
	}
	text := string(raw[max(0, min(int(ic.Start), len(raw))):max(0, min(int(ic.End), len(raw)))])
	partner, err := s.DB.TradingPartnerBySender(ctx, ic.SenderQual, ic.SenderID)
	known := err == nil
	if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
		return ir, err
	}
	status := store.InterchangeReceiving
	if !known {
		status = store.InterchangeUnknownSender
	}
	id, dup, err := s.DB.ReceiveInterchange(ctx, store.InboundInterchange{FileID: fileID, PartnerID: partner.ID, SenderKey: ir.Sender,
		Receiver: store.SenderKey(ic.ReceiverQual, ic.ReceiverID), Control: ic.Control, Raw: text, Status: status})
	if err != nil {
		return ir, err
	}
	ir.ID = id
	if known {
		ir.Partner = partner.DisplayName()
	}
	if dup {
		ir.Status = store.InterchangeDuplicate
		ir.Errors = append(ir.Errors, fmt.Sprintf("interchange %s from %s was received before (log entry %d); it is not applied again", ic.Control, ir.Sender, id))
		for _, g := range ic.Groups {
			for _, st := range g.Sets {
				ir.Sets = append(ir.Sets, SetReport{GroupControl: g.Control, SetID: st.ID, Control: st.Control, PONumber: pos[st].po.Number,
					Status: "not_applied", Errors: []string{"duplicate interchange"}, Warnings: []string{}, Holds: []string{}})
			}
		}
		return ir, nil
	}
	if !known {
		ir.Status = store.InterchangeUnknownSender
		n := 0
		for _, g := range ic.Groups {
			for _, st := range g.Sets {
				n++
				ir.Sets = append(ir.Sets, SetReport{GroupControl: g.Control, SetID: st.ID, Control: st.Control, PONumber: pos[st].po.Number,
					Status: "not_applied", Errors: []string{"unknown sender"}, Warnings: []string{}, Holds: []string{}})
			}
		}
		msg := fmt.Sprintf("Interchange %s from unknown sender %s (%d transaction set(s)) is kept: assign the sender to a customer to import it.", ic.Control, ir.Sender, n)
		ir.Errors = append(ir.Errors, "no trading partner sends as "+ir.Sender+"; the interchange is kept for a person to assign")
		if err := s.DB.RaiseEDIException(ctx, fileID, "edi_unknown_sender", msg); err != nil {
			return ir, err
		}
		return ir, s.DB.FinishInterchange(ctx, id, ir.Status, msg)
	}

	var problems []string
	for _, g := range ic.Groups {
		groupRejected := false
		for _, e := range g.Errors {
			if !e.Warning {
				groupRejected = true
			}
			problems = append(problems, fmt.Sprintf("group %s: %s", g.Control, e.Error()))
		}
		for _, st := range g.Sets {
			sr := SetReport{GroupControl: g.Control, SetID: st.ID, Control: st.Control, Errors: []string{}, Warnings: []string{}, Holds: []string{}}
			m, is850 := pos[st]
			sr.PONumber = m.po.Number
			for _, e := range st.Errors {
				if e.Warning {
					sr.Warnings = append(sr.Warnings, e.Error())
				} else {
					sr.Errors = append(sr.Errors, e.Error())
				}
			}
			t := store.EDITransaction{InterchangeID: id, InterchangeControl: ic.Control, GroupControl: g.Control, SetID: st.ID, Control: st.Control, PONumber: m.po.Number, PODate: m.po.Date}
			switch {
			case g.FunctionalID == "FA":
				sr.Status = "ignored"
			case groupRejected:
				sr.Status = "rejected"
				sr.Errors = append(sr.Errors, "its functional group was rejected (see the group's errors)")
			case !is850 || !m.ok:
				sr.Status = "rejected"
			default:
				if err := s.capture(ctx, fileID, partner, t, m.po, &sr); err != nil {
					return ir, err
				}
			}
			if sr.Status == "rejected" || sr.Status == "ignored" {
				t.Status = sr.Status
				t.Errors = append(sr.Errors, sr.Warnings...)
				if err := s.DB.RecordEDITransaction(ctx, t); err != nil {
					return ir, err
				}
			}
			if sr.Status == "rejected" {
				problems = append(problems, fmt.Sprintf("set %s %s (PO %s): %s", st.ID, st.Control, orNone(sr.PONumber), strings.Join(sr.Errors, "; ")))
			}
			ir.Sets = append(ir.Sets, sr)
		}
	}
	for _, e := range ir.Errors {
		problems = append(problems, "interchange: "+e)
	}
	ir.Status = store.InterchangeProcessed
	if len(problems) > 0 {
		ir.Status = store.InterchangePartial
		applied := 0
		for _, sr := range ir.Sets {
			if sr.Order != "" {
				applied++
			}
		}
		if applied == 0 {
			ir.Status = store.InterchangeRejected
		}
		msg := fmt.Sprintf("Interchange %s from %s: %s", ic.Control, partner.DisplayName(), strings.Join(problems, " | "))
		if err := s.DB.RaiseEDIException(ctx, fileID, "edi_rejected", msg); err != nil {
			return ir, err
		}
	}
	ack, name, err := s.send997(ctx, partner, ic)
	if err != nil {
		return ir, err
	}
	ir.Ack997, ir.AckFile = ack, name
	summary := fmt.Sprintf("%d set(s)", len(ir.Sets))
	if len(problems) > 0 {
		summary += ": " + strings.Join(problems, " | ")
	}
	return ir, s.DB.FinishInterchange(ctx, id, ir.Status, summary)
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// capture turns a mapped 850 into an order through the intake pipeline.
func (s *Service) capture(ctx context.Context, fileID int64, p store.TradingPartner, t store.EDITransaction, po PO, sr *SetReport) error {
	o, refs, err := s.orderOf(ctx, p, po)
	if err != nil {
		return err
	}
	b, _ := json.Marshal(refs)
	t.Lines = string(b)
	o.Transaction, o.FileID = t, fileID
	c, err := s.DB.CaptureEDIOrder(ctx, o)
	if domain.ErrorCode(err) == domain.EINVALID {
		sr.Status = "rejected"
		var de *domain.Error
		if errors.As(err, &de) && len(de.Fields) > 0 {
			for _, k := range slices.Sorted(maps.Keys(de.Fields)) {
				sr.Errors = append(sr.Errors, describeField(k, de.Fields[k], refs, po))
			}
		} else {
			sr.Errors = append(sr.Errors, domain.ErrorMessage(err))
		}
		if p.Send855 {
			// No order to go through the outbox: the rejection is
			// answered at once, every line IR.
			return s.sendRejection(ctx, p, t, refs)
		}
		return nil
	} else if err != nil {
		return err
	}
	sr.Order = c.Number
	sr.Status = "accepted"
	for _, h := range c.Holds {
		sr.Holds = append(sr.Holds, domain.HoldReasonLabel(h.Reason)+": "+h.Note)
	}
	if len(o.Unplaced) > 0 {
		sr.Holds = append(sr.Holds, "EDI review: "+strings.Join(o.Unplaced, "; "))
	}
	if len(sr.Holds) > 0 {
		sr.Status = "held"
	}
	sr.Warnings = append(sr.Warnings, o.Notes...)
	return nil
}

// describeField names an intake field error in the 850's terms: which PO1
// line, which segment.
func describeField(key, msg string, refs []lineRef, po PO) string {
	var i int
	var rest string
	if n, _ := fmt.Sscanf(key, "lines[%d]", &i); n == 1 {
		_, rest, _ = strings.Cut(key, ".")
		// The request's lines are the placed ones, in order.
		k := -1
		for j, r := range refs {
			if r.LineNo > 0 {
				k++
			}
			if k == i {
				return fmt.Sprintf("%s: %s %s", po.Lines[j].Describe(), rest, msg)
			}
		}
	}
	switch {
	case strings.HasPrefix(key, "ship_to"):
		return fmt.Sprintf("N1*ST ship-to: %s %s", key, msg)
	case key == "po_number":
		return "BEG03 purchase order number " + msg
	case key == "requested_date":
		return "DTM requested date " + msg
	}
	return key + " " + msg
}

// orderOf builds the order request of an 850 with the partner's settings:
// each line's item by the partner's qualifier order, its quantity in our
// units, the ship-to by ID code or by address.
func (s *Service) orderOf(ctx context.Context, p store.TradingPartner, po PO) (store.EDIOrder, []lineRef, error) {
	o := store.EDIOrder{Partner: p}
	req := intake.Request{Channel: "edi", CustomerAccount: p.CustomerAccount, PONumber: po.Number}
	if po.ShipTo.ID != "" {
		req.ShipToCode = po.ShipTo.ID
	}
	if po.ShipTo.Line1 != "" {
		req.ShipTo = intake.Address{Name: firstNonEmpty(po.ShipTo.Name, p.CustomerName), Line1: po.ShipTo.Line1, Line2: po.ShipTo.Line2,
			City: po.ShipTo.City, Region: po.ShipTo.Region, PostalCode: po.ShipTo.Postal, Country: po.ShipTo.Country}
		if po.ShipTo.Name2 != "" && req.ShipTo.Line2 == "" {
			req.ShipTo.Line2 = po.ShipTo.Name2
		}
	}
	if d, q := po.RequestedDate(); d != "" {
		if d < time.Now().UTC().Format("2006-01-02") {
			o.Notes = append(o.Notes, fmt.Sprintf("The 850 asks for DTM %s %s, which is past; the order has no requested date.", q, d))
		} else {
			req.RequestedDate = d
		}
	}
	if po.Purpose != "" && po.Purpose != "00" {
		o.Notes = append(o.Notes, fmt.Sprintf("BEG01 is %s (not an original order): check it against earlier orders of PO %s.", po.Purpose, po.Number))
	}
	var want []store.ItemRef
	for _, l := range po.Lines {
		for _, q := range p.QualifierOrder {
			for _, id := range l.IDs {
				if id.Qualifier == q {
					want = append(want, store.ItemRef{Kind: store.QualifierKinds[q], Value: id.ID})
				}
			}
		}
	}
	found, err := s.DB.FindEDIItems(ctx, p.CustomerID, want)
	if err != nil {
		return o, nil, err
	}
	refs := make([]lineRef, len(po.Lines))
	for i, l := range po.Lines {
		r := lineRef{LineID: l.LineID, Quantity: l.Quantity, UOM: l.UOM, Price: l.Price, Basis: l.Basis, IDs: l.IDs}
		var item store.EDIItem
		matched := false
		for _, q := range p.QualifierOrder {
			for _, id := range l.IDs {
				if id.Qualifier != q || matched {
					continue
				}
				if m, ok := found[store.ItemRef{Kind: store.QualifierKinds[q], Value: id.ID}]; ok {
					item, matched = m, true
				}
			}
		}
		qc, _ := x12.ParseCents(l.Quantity)
		factor, uomOK := unitFactor(p, l.UOM, item.PackQty)
		switch {
		case !matched:
			r.Problem = "no item matches " + idList(l.IDs, p.QualifierOrder)
		case !uomOK:
			r.Problem = fmt.Sprintf("unit of measure %q has no conversion for this partner", l.UOM)
		case qc <= 0 || qc%100 != 0:
			r.Problem = fmt.Sprintf("quantity %s is not a whole number above zero", l.Quantity)
		}
		if r.Problem != "" {
			o.Unplaced = append(o.Unplaced, l.Describe()+" — "+r.Problem)
			refs[i] = r
			continue
		}
		r.Factor = factor
		r.Units = qc / 100 * factor
		lr := intake.LineRequest{SKU: item.SKU, Quantity: r.Units}
		if c, ok := x12.ParseCents(l.Price); ok && l.Price != "" {
			per := (c + factor/2) / factor
			lr.UnitPriceCents = &per
		}
		req.Lines = append(req.Lines, lr)
		r.LineNo = len(req.Lines)
		refs[i] = r
	}
	o.Request = req
	return o, refs, nil
}

func idList(ids []x12.ProductID, order []string) string {
	var parts []string
	for _, id := range ids {
		parts = append(parts, id.Qualifier+" "+id.ID)
	}
	if len(parts) == 0 {
		return "(no product ID)"
	}
	return strings.Join(parts, ", ") + " (looked up: " + strings.Join(order, ", ") + ")"
}

// unitFactor is how many of our units one unit of uom is.
func unitFactor(p store.TradingPartner, uom string, pack int64) (int64, bool) {
	uom = strings.ToUpper(strings.TrimSpace(uom))
	if v, ok := p.UOMConversions[uom]; ok {
		if v == "pack" {
			return max(pack, 1), true
		}
		var n int64
		if _, err := fmt.Sscanf(v, "%d", &n); err == nil && n > 0 {
			return n, true
		}
		return 0, false
	}
	switch uom {
	case "", "EA", "UN", "PC", "EACH":
		return 1, true
	}
	return 0, false
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if strings.TrimSpace(x) != "" {
			return x
		}
	}
	return ""
}

// send997 answers every functional group of an interchange (but 997s) with
// a 997, in one interchange to the partner's outbox folder.
func (s *Service) send997(ctx context.Context, p store.TradingPartner, ic *x12.Interchange) (string, string, error) {
	var sets []x12.OutSet
	for _, g := range ic.Groups {
		if g.FunctionalID == "FA" {
			continue
		}
		set := x12.Ack997(g)
		set.Control = fmt.Sprintf("%04d", len(sets)+1)
		sets = append(sets, set)
	}
	var extra [][]string
	if ic.AckRequested {
		extra = append(extra, x12.TA1(ic))
	}
	if len(sets) == 0 && len(extra) == 0 {
		return "", "", nil
	}
	control, err := s.DB.NextEDIControl(ctx)
	if err != nil {
		return "", "", err
	}
	version := "004010"
	if len(ic.Groups) > 0 && strings.HasPrefix(ic.Groups[0].Version, "005") {
		version = "005010X231A1"
	}
	var groups []x12.OutGroup
	if len(sets) > 0 {
		groups = []x12.OutGroup{{FunctionalID: "FA", AppSender: p.OurID, AppReceiver: p.GSID, Control: control, Version: version, Sets: sets}}
	}
	doc, err := x12.Encode(s.envelope(p, control, ic.Usage == "T"), groups, extra...)
	if err != nil {
		return "", "", err
	}
	name := fmt.Sprintf("997_%09d.x12", control)
	summary := fmt.Sprintf("997 for interchange %s", ic.Control)
	if err := s.writeOutbox(p, name, doc); err != nil {
		summary += "; not written to the outbox folder: " + err.Error()
	}
	_, err = s.DB.RecordOutboundDocument(ctx, store.OutboundDocument{PartnerID: p.ID, Document: "997", Sender: store.SenderKey(p.OurQualifier, p.OurID),
		Receiver: store.SenderKey(p.ISAQualifier, p.ISAID), Control: fmt.Sprintf("%09d", control), FileName: name, Raw: string(doc), Summary: summary})
	return string(doc), name, err
}

func (s *Service) envelope(p store.TradingPartner, control int64, test bool) x12.Envelope {
	return x12.Envelope{SenderQual: p.OurQualifier, SenderID: p.OurID, ReceiverQual: p.ISAQualifier, ReceiverID: p.ISAID,
		Control: control, Time: time.Now().UTC(), Test: test, Delims: x12.DefaultDelimiters}
}

// writeOutbox writes a document into the partner's outbox folder, whole
// or not at all (a temporary file renamed into place).
func (s *Service) writeOutbox(p store.TradingPartner, name string, doc []byte) error {
	if s.Dir == "" {
		return nil
	}
	dir := filepath.Join(s.Dir, p.Folder, "outbox")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(doc); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(dir, name))
}

// Assign settles an unknown-sender exception: the sender becomes a trading
// partner of the customer (with the default settings, unless it is one
// already), the kept file is processed again, and the exception is
// resolved. Returns ENOTFOUND, ECONFLICT, EINVALID.
func (s *Service) Assign(ctx context.Context, exceptionID int64, customerAccount, actor string) (Report, error) {
	x, err := s.DB.EDIExceptionFile(ctx, exceptionID)
	if err != nil {
		return Report{}, err
	}
	if x.Kind != "edi_unknown_sender" || x.Sender == "" {
		return Report{}, domain.Errorf(domain.ECONFLICT, "This exception is not about an unknown sender; fix the file and send it again.")
	}
	qual, id, _ := strings.Cut(x.Sender, ":")
	if _, err := s.DB.TradingPartnerBySender(ctx, qual, id); domain.ErrorCode(err) == domain.ENOTFOUND {
		if _, err := s.DB.SaveTradingPartner(ctx, store.TradingPartner{CustomerAccount: customerAccount, ISAQualifier: qual, ISAID: id,
			Send855: true, Send856: true, Active: true, UOMConversions: map[string]string{"CA": "pack"}}); err != nil {
			return Report{}, err
		}
	} else if err != nil {
		return Report{}, err
	}
	rep, err := s.Reprocess(ctx, x.FileID)
	if err != nil {
		return rep, err
	}
	return rep, s.DB.ResolveEDIException(ctx, exceptionID, actor, fmt.Sprintf("Sender %s assigned to %s and imported.", x.Sender, strings.ToUpper(customerAccount)))
}

// sendRejection answers a purchase order the intake refused with an 855
// that rejects it (BAK02 RJ, every line IR).
func (s *Service) sendRejection(ctx context.Context, p store.TradingPartner, t store.EDITransaction, refs []lineRef) error {
	ack := x12.POAck{Purpose: "00", Type: "RJ", PONumber: t.PONumber, PODate: t.PODate, Date: time.Now()}
	for _, r := range refs {
		ack.Lines = append(ack.Lines, x12.POAckLine{LineID: r.LineID, Quantity: r.Quantity, UOM: r.UOM, Price: r.Price, Basis: r.Basis, IDs: r.IDs,
			Acks: []x12.LineAck{{Status: "IR", Quantity: 0, UOM: r.UOM}}})
	}
	control, err := s.DB.NextEDIControl(ctx)
	if err != nil {
		return err
	}
	doc, err := x12.Encode(s.envelope(p, control, false), []x12.OutGroup{{FunctionalID: "PR", AppSender: p.OurID, AppReceiver: p.GSID,
		Control: control, Sets: []x12.OutSet{ack.Set("0001")}}})
	if err != nil {
		return err
	}
	name := fmt.Sprintf("855_%s_%09d.x12", store.FolderName(t.PONumber), control)
	summary := "855 rejecting PO " + t.PONumber
	if err := s.writeOutbox(p, name, doc); err != nil {
		summary += "; not written to the outbox folder: " + err.Error()
	}
	_, err = s.DB.RecordOutboundDocument(ctx, store.OutboundDocument{PartnerID: p.ID, Document: "855", Sender: store.SenderKey(p.OurQualifier, p.OurID),
		Receiver: store.SenderKey(p.ISAQualifier, p.ISAID), Control: fmt.Sprintf("%09d", control), FileName: name, Raw: string(doc), Summary: summary})
	return err
}
