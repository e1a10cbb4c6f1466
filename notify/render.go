package notify

import (
	"bytes"
	"embed"
	"fmt"
	"strings"
	"text/template"
	"time"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/store"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

// templates are the e-mails by kind; each defines "subject" and "body".
var templates = map[string]*template.Template{
	"shipment":  template.Must(template.ParseFS(templateFS, "templates/shipment.tmpl")),
	"backorder": template.Must(template.ParseFS(templateFS, "templates/backorder.tmpl")),
}

// Email is a rendered customer e-mail.
type Email struct {
	Kind    string // shipment, backorder
	To      store.Recipient
	Subject string
	Body    string // plain text
	// Why is what the e-mail is about, in a few words, for the order's
	// timeline.
	Why string
}

// Item is a quantity of one order line in an e-mail.
type Item struct {
	LineNo      int
	SKU         string
	Description string
	Quantity    int64
	Note        string // "expected Dec 3, 2026", "on backorder"
}

// ShipmentData is what the shipment e-mail's template is given.
type ShipmentData struct {
	Name, Order, PO, Customer string
	Seq                       int
	From                      string // the location's name
	ShippedOn                 string
	Carrier, Service          string
	Tracking, TrackingURL     string
	Shipped                   []Item
	ToCome                    []Item // units not shipped nor cancelled
	// Earlier is set when units of the order shipped before this
	// shipment.
	Earlier bool
	ShipTo  []string
}

// BackorderData is what the backorder e-mail's template is given.
type BackorderData struct {
	Name, Order, PO, Customer string
	ShipComplete              bool
	Backordered               []Item
	Shipping                  []Item // units allocated or released
}

// ErrNothingToSay is returned by Render for a notice that is no longer
// true when it is sent (a backorder filled before its e-mail went out).
type ErrNothingToSay struct{ Reason string }

func (e ErrNothingToSay) Error() string { return e.Reason }

// Render builds the e-mail of an outbox entry for its recipient from the
// order as it is now.
func Render(e store.OutboxEntry, to store.Recipient) (Email, error) {
	kind := store.EmailKindOf(e.Topic)
	t := templates[kind]
	if t == nil {
		return Email{}, fmt.Errorf("no e-mail template for topic %q", e.Topic)
	}
	if e.Order.ID == 0 {
		return Email{}, fmt.Errorf("message %s names no order", e.MessageID)
	}
	var data any
	var why string
	switch kind {
	case "shipment":
		d, err := shipmentData(e, to)
		if err != nil {
			return Email{}, err
		}
		data = d
		why = fmt.Sprintf("shipment %d shipped via %s, tracking %s.", d.Seq, strings.TrimSpace(d.Carrier+" "+d.Service), d.Tracking)
	case "backorder":
		d := backorderData(e, to)
		if len(d.Backordered) == 0 {
			return Email{}, ErrNothingToSay{Reason: fmt.Sprintf("No backorder e-mail sent: nothing of order %s is backordered any more.", e.Order.Number)}
		}
		data = d
		why = fmt.Sprintf("%d %s backordered.", len(d.Backordered), plural(len(d.Backordered), "line", "lines"))
	}
	var subject, body bytes.Buffer
	if err := t.ExecuteTemplate(&subject, "subject", data); err != nil {
		return Email{}, fmt.Errorf("render the subject: %w", err)
	}
	if err := t.ExecuteTemplate(&body, "body", data); err != nil {
		return Email{}, fmt.Errorf("render the body: %w", err)
	}
	return Email{Kind: kind, To: to, Subject: oneLine(subject.String()), Body: body.String(), Why: why}, nil
}

func shipmentData(e store.OutboxEntry, to store.Recipient) (ShipmentData, error) {
	g := e.Group
	if g == nil || g.ID == 0 || g.Seq == 0 {
		return ShipmentData{}, fmt.Errorf("message %s names no shipment of order %s", e.MessageID, e.Order.Number)
	}
	o := e.Order
	d := ShipmentData{Name: greeting(to, o), Order: o.Number, PO: o.CustomerPO, Customer: o.CustomerName, Seq: g.Seq,
		From: g.LocationName, ShippedOn: Day(g.ShippedAt), Carrier: g.Carrier, Service: g.Service,
		Tracking: g.TrackingNumber, TrackingURL: g.TrackingURL(), ShipTo: addressLines(o.ShipTo)}
	if d.From == "" {
		d.From = g.LocationCode
	}
	if strings.EqualFold(d.Service, d.Carrier) {
		d.Service = ""
	}
	if g.Dropship {
		d.From = "our supplier " + d.From
	}
	byNo := map[int]domain.OrderLine{}
	for _, l := range e.Lines {
		byNo[l.LineNo] = l
	}
	var inGroup, shipped int64
	for _, gl := range e.GroupLines {
		d.Shipped = append(d.Shipped, Item{LineNo: gl.LineNo, SKU: gl.SKU, Description: byNo[gl.LineNo].Description, Quantity: gl.Quantity})
		inGroup += gl.Quantity
	}
	for _, l := range e.Lines {
		shipped += l.Shipped
	}
	d.Earlier = shipped > inGroup
	expected := expectedDates(e.Backorders)
	for _, l := range e.Lines {
		if n := l.Allocated + l.Released; n > 0 {
			d.ToCome = append(d.ToCome, Item{LineNo: l.LineNo, SKU: l.SKU, Description: l.Description, Quantity: n, Note: "being prepared"})
		}
		if l.Backordered > 0 {
			note := "on backorder"
			if day := expected[l.LineNo]; day != "" {
				note += ", expected " + day
			}
			d.ToCome = append(d.ToCome, Item{LineNo: l.LineNo, SKU: l.SKU, Description: l.Description, Quantity: l.Backordered, Note: note})
		}
	}
	return d, nil
}

func backorderData(e store.OutboxEntry, to store.Recipient) BackorderData {
	o := e.Order
	d := BackorderData{Name: greeting(to, o), Order: o.Number, PO: o.CustomerPO, Customer: o.CustomerName, ShipComplete: o.ShipComplete}
	expected := expectedDates(e.Backorders)
	for _, l := range e.Lines {
		if l.Backordered > 0 {
			note := ""
			if day := expected[l.LineNo]; day != "" {
				note = "expected " + day
			}
			d.Backordered = append(d.Backordered, Item{LineNo: l.LineNo, SKU: l.SKU, Description: l.Description, Quantity: l.Backordered, Note: note})
		}
		if n := l.Allocated + l.Released; n > 0 {
			d.Shipping = append(d.Shipping, Item{LineNo: l.LineNo, SKU: l.SKU, Description: l.Description, Quantity: n})
		}
	}
	return d
}

// expectedDates are the expected dates of backordered lines, by line
// number, as people read them.
func expectedDates(bos []domain.Backorder) map[int]string {
	out := map[int]string{}
	for _, b := range bos {
		if b.ExpectedDate == "" {
			continue
		}
		if t, err := time.Parse(time.DateOnly, b.ExpectedDate); err == nil {
			out[b.LineNo] = Day(t)
		}
	}
	return out
}

// Day is a date as the e-mails write it: Dec 3, 2026.
func Day(t time.Time) string {
	if t.IsZero() {
		return "today"
	}
	return t.UTC().Format("Jan 2, 2006")
}

func greeting(to store.Recipient, o domain.Order) string {
	if to.Name != "" {
		return to.Name
	}
	return o.CustomerName
}

func addressLines(a domain.Address) []string {
	var out []string
	for _, s := range []string{a.Name, a.Line1, a.Line2, strings.TrimSpace(strings.TrimSpace(a.City+", "+a.Region) + " " + a.PostalCode)} {
		if s = strings.Trim(strings.TrimSpace(s), ","); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// oneLine makes a subject one header line: no line breaks, single spaces.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
