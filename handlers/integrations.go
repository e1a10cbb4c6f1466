package handlers

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/oms/oms/domain"
	"github.com/oms/oms/inbox"
	"github.com/oms/oms/store"
	"github.com/oms/oms/views"
	"github.com/oms/oms/web/httpx"
)

// Integrations is the page of the ERP/WMS sync: queues per endpoint,
// failures and dead letters (retry and skip for admins), the outbox and
// the inbound log. Admins and operations read it.
type Integrations struct {
	DB *store.DB
	// Endpoints are the configured destinations and their URLs.
	Endpoints map[string]string
	// InboxDir is the folder the ERP's CSV files are dropped in.
	InboxDir string
	Now      func() time.Time
}

// destinationLabels name the destinations for people; owners are pages of
// other senders.
var (
	destinationLabels = map[string]string{"erp": "ERP", "wms": "WMS", "vendor": "Dropship vendors", "webhook": "Webhooks",
		"email": "Customer e-mail", "edi": "EDI trading partners"}
	destinationOwners = map[string]string{"edi": "/integrations/edi", "email": "/notifications"}
)

// Show renders the page.
func (h *Integrations) Show(c *fiber.Ctx) error {
	ctx := c.UserContext()
	now := time.Now()
	if h.Now != nil {
		now = h.Now()
	}
	configured := make([]string, 0, len(h.Endpoints))
	for d := range h.Endpoints {
		configured = append(configured, d)
	}
	subs, err := h.DB.Webhooks(ctx)
	if err != nil {
		return err
	}
	u := httpx.CurrentUser(c)
	p := views.IntegrationsProps{CanAct: u != nil && u.Role == domain.RoleAdmin, Topics: store.WebhookTopics}
	hooks := map[string]store.WebhookSubscription{}
	for _, w := range subs {
		dest := store.WebhookDestination(w.ID)
		configured = append(configured, dest)
		hooks[dest] = w
		p.Webhooks = append(p.Webhooks, views.WebhookLine{ID: w.ID, Name: w.Name, URL: w.URL, Topics: webhookTopics(w),
			CreatedBy: w.CreatedBy, Created: age(now.Sub(w.CreatedAt)) + " ago"})
	}
	overview, err := h.DB.OutboxOverview(ctx, configured)
	if err != nil {
		return err
	}
	for _, s := range overview {
		card := views.EndpointCard{Destination: s.Destination, Label: destinationLabels[s.Destination], URL: h.Endpoints[s.Destination],
			Owner: destinationOwners[s.Destination], Pending: s.Pending, Failing: s.Failing, Dead: s.Dead}
		if w, ok := hooks[s.Destination]; ok {
			card.Label, card.URL, card.Topics = "Webhook: "+w.Name, w.URL, webhookTopics(w)
		}
		if card.Label == "" {
			card.Label = s.Destination
		}
		if !s.OldestPending.IsZero() {
			card.OldestPending = age(now.Sub(s.OldestPending))
		}
		if !s.LastDelivered.IsZero() {
			card.LastSuccess = age(now.Sub(s.LastDelivered)) + " ago"
		}
		p.Endpoints = append(p.Endpoints, card)
	}
	problems, err := h.DB.OutboxMessages(ctx, store.OutboxQuery{Problems: true, Limit: 100})
	if err != nil {
		return err
	}
	recent, err := h.DB.OutboxMessages(ctx, store.OutboxQuery{Limit: 30})
	if err != nil {
		return err
	}
	for _, m := range problems {
		p.Problems = append(p.Problems, outboxLine(m, now))
	}
	for _, m := range recent {
		p.Recent = append(p.Recent, outboxLine(m, now))
	}
	inbound, err := h.DB.RecentInbound(ctx, 30)
	if err != nil {
		return err
	}
	for _, m := range inbound {
		p.Inbound = append(p.Inbound, views.InboundLine{MessageID: m.MessageID, Kind: strings.ReplaceAll(m.Kind, "_", " "), Source: m.Source,
			Rows: m.Rows, Outcome: m.Outcome, Received: age(now.Sub(m.ReceivedAt)) + " ago"})
	}
	if err := h.fileListings(ctx, now, &p); err != nil {
		return err
	}
	ch, err := httpx.Chrome(c, "integrations")
	if err != nil {
		return err
	}
	return httpx.Render(c, fiber.StatusOK, views.IntegrationsPage(ch, p))
}

// inboxErrorsShown is how many bad rows of a failed file the page lists;
// the report beside the file has them all.
const inboxErrorsShown = 8

// fileListings fills the file inbox (the ERP's CSV files) and the file
// outbox (EDI documents written for partners).
func (h *Integrations) fileListings(ctx context.Context, now time.Time, p *views.IntegrationsProps) error {
	p.InboxDir = h.InboxDir
	for _, k := range inbox.Kinds {
		p.InboxKinds = append(p.InboxKinds, k.Name)
	}
	files, err := h.DB.RecentInboxFiles(ctx, 30)
	if err != nil {
		return err
	}
	for _, f := range files {
		l := views.InboxFileLine{Name: f.Name, Kind: f.Kind, Received: age(now.Sub(f.ReceivedAt)) + " ago", Rows: f.Rows, Applied: f.Applied,
			Result: f.Result, Errors: f.Errors, StoredAs: f.StoredAs}
		if len(l.Errors) > inboxErrorsShown {
			l.Errors, l.More = l.Errors[:inboxErrorsShown], len(l.Errors)-inboxErrorsShown
		}
		p.InboxFiles = append(p.InboxFiles, l)
	}
	out, err := h.DB.EDILog(ctx, "out", 15)
	if err != nil {
		return err
	}
	for _, x := range out {
		p.OutboxFiles = append(p.OutboxFiles, views.OutboxFileLine{ID: x.ID, FileName: x.FileName, Partner: x.PartnerName, Document: x.Document,
			Order: x.OrderNumber, Written: age(now.Sub(x.ReceivedAt)) + " ago"})
	}
	return nil
}

// webhookTopics says a subscription's topics for people.
func webhookTopics(w store.WebhookSubscription) string {
	if w.AllTopics() {
		return "every topic"
	}
	return strings.Join(w.Topics, ", ")
}

func outboxLine(m store.OutboxRow, now time.Time) views.OutboxLine {
	l := views.OutboxLine{ID: m.ID, MessageID: m.MessageID, Topic: m.Topic, Destination: m.Destination, OrderNumber: m.OrderNumber,
		Status: m.Status, Attempts: m.Attempts, Response: m.LastError, Created: age(now.Sub(m.CreatedAt)) + " ago"}
	if m.Status == "pending" && m.NextAttemptAt.After(now) {
		l.NextTry = "in " + age(m.NextAttemptAt.Sub(now))
	} else if m.Status == "pending" {
		l.NextTry = "now"
	}
	return l
}

// age says a duration the way people glance at it: 45s, 3 min, 2 h 5 min, 3 days.
func age(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", max(0, int(d.Seconds())))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h %d min", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}

// Retry puts a dead letter back in the queue (admins).
func (h *Integrations) Retry(c *fiber.Ctx) error {
	return h.settle(c, h.DB.RetryDeadLetter, "Message queued again; it goes out in a moment.")
}

// Skip gives up on a dead letter so the order's later messages go (admins).
func (h *Integrations) Skip(c *fiber.Ctx) error {
	return h.settle(c, h.DB.SkipDeadLetter, "Message skipped; it will not be sent.")
}

func (h *Integrations) settle(c *fiber.Ctx, fn func(ctx context.Context, id int64, actor string, role domain.Role) error, done string) error {
	id, err := c.ParamsInt("id")
	if err != nil || id <= 0 {
		return domain.Errorf(domain.ENOTFOUND, "There is no such message.")
	}
	u := httpx.CurrentUser(c)
	if err := fn(c.UserContext(), int64(id), u.Email, u.Role); err != nil {
		return err
	}
	if err := httpx.SetFlash(c, done); err != nil {
		return err
	}
	return httpx.Redirect(c, "/integrations")
}
