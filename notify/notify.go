// Package notify sends the customer e-mails (shipment and backorder
// notices): it claims the outbox messages of destination email, renders
// each e-mail from the order as it is when sent, sends it through SMTP
// when a server is configured or keeps it to be read in the UI when none
// is, and records what became of it. Failures are retried with backoff
// like the dispatcher's; after the last try the message is a dead letter.
package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"time"

	"github.com/oms/oms/dispatch"
	"github.com/oms/oms/store"
)

// Destination is the outbox destination this package sends.
const Destination = "email"

// Config is the sender's configuration; zero fields get defaults.
type Config struct {
	SMTP        SMTP          // Addr "" keeps e-mails instead of sending them
	MaxAttempts int           // tries before a dead letter; default 8
	BaseDelay   time.Duration // first retry delay; default 30s
	MaxDelay    time.Duration // longest retry delay; default 30m
	// Batch is how many messages are claimed at once (default 5 with an
	// SMTP server, 50 when e-mails are kept): they are sent one after the
	// other, each within SMTP.Timeout, and all must be done before their
	// lease runs out. Keeping one takes no time, and a claim and its
	// record are two write transactions however many they carry.
	Batch  int
	Lease  time.Duration // a claimed message is taken again after this; default 1m
	Poll   time.Duration // wait when nothing is due; default 2s
	Logger *slog.Logger
	Now    func() time.Time
}

func (c Config) withDefaults() Config {
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 8
	}
	if c.BaseDelay <= 0 {
		c.BaseDelay = 30 * time.Second
	}
	if c.MaxDelay <= 0 {
		c.MaxDelay = 30 * time.Minute
	}
	if c.Batch <= 0 {
		c.Batch = 5
		if c.SMTP.Addr == "" {
			c.Batch = 50
		}
	}
	if c.Lease <= 0 {
		c.Lease = time.Minute
	}
	if c.Poll <= 0 {
		c.Poll = 2 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// Sender sends (or keeps) the customer e-mails of the outbox.
type Sender struct {
	db  *store.DB
	cfg Config
}

// New returns a sender.
func New(db *store.DB, cfg Config) *Sender {
	return &Sender{db: db, cfg: cfg.withDefaults()}
}

// KeptReason is the detail of an e-mail kept instead of sent.
const KeptReason = "no SMTP server is configured (OMS_SMTP_ADDR)."

// Run sends until ctx ends.
func (s *Sender) Run(ctx context.Context) {
	dispatch.Poll(ctx, s.cfg.Poll, s.cfg.Logger, "send customer e-mails", s.RunOnce)
}

// RunOnce claims one batch, sends or keeps each e-mail and records the
// results; it returns how many messages it tried.
func (s *Sender) RunOnce(ctx context.Context) (int, error) {
	entries, err := s.db.ClaimOutbox(ctx, []string{Destination}, s.cfg.Batch, s.cfg.Lease)
	if err != nil || len(entries) == 0 {
		return 0, err
	}
	results := make([]store.EmailDelivery, 0, len(entries))
	failed := map[string]bool{} // orders whose earlier e-mail failed in this batch
	for _, e := range entries {
		if failed[e.Key()] {
			results = append(results, store.EmailDelivery{DeliveryResult: store.DeliveryResult{ID: e.ID, NotTried: true}})
			continue
		}
		r := s.send(ctx, e)
		if !r.Delivered {
			failed[e.Key()] = true
		}
		results = append(results, r)
	}
	// Recorded even when ctx ended, so that what was sent is known.
	return len(entries), s.db.RecordEmailDeliveries(context.WithoutCancel(ctx), results)
}

// send renders one e-mail and sends or keeps it.
func (s *Sender) send(ctx context.Context, e store.OutboxEntry) store.EmailDelivery {
	r := store.EmailDelivery{DeliveryResult: store.DeliveryResult{ID: e.ID}}
	to, ok, err := s.db.EmailRecipient(ctx, e.Order.CustomerID)
	if err != nil {
		return s.retry(r, e, "cannot read the recipient: "+err.Error())
	}
	if !ok {
		r.Delivered = true
		r.Skipped = fmt.Sprintf("No %s e-mail sent: customer %s no longer has an e-mail address.", store.EmailKindOf(e.Topic), e.Order.CustomerAccount)
		return r
	}
	if _, err := mail.ParseAddress(to.Email); err != nil {
		r.Error = fmt.Sprintf("the customer's e-mail address %q is not valid: correct it in the ERP, then retry", to.Email)
		return r // a dead letter: trying again sends to the same address
	}
	m, err := Render(e, to)
	var nothing ErrNothingToSay
	if errors.As(err, &nothing) {
		r.Delivered, r.Skipped = true, nothing.Reason
		return r
	}
	if err != nil {
		r.Error = "cannot render the e-mail: " + err.Error()
		return r // nothing to retry: a dead letter
	}
	r.Why = m.Why
	r.Email = &store.CustomerEmail{MessageID: e.MessageID, OrderID: e.Order.ID, OrderNumber: e.Order.Number, Kind: m.Kind,
		Recipient: to.Email, Subject: m.Subject, Body: m.Body}
	if s.cfg.SMTP.Addr == "" {
		r.Delivered = true
		r.Email.Status, r.Email.Detail = "kept", KeptReason
		return r
	}
	msg, err := Message(s.cfg.SMTP.From, m, e.MessageID, s.cfg.Now())
	if err != nil {
		r.Error = "cannot build the message: " + err.Error()
		return r
	}
	if err := s.cfg.SMTP.send(ctx, to.Email, msg); err != nil {
		code := smtpCode(err)
		r.Status = code
		msg := fmt.Sprintf("SMTP %s: %v", s.cfg.SMTP.Addr, err)
		if code >= 500 {
			// The server refuses this message or recipient for good.
			r.Error = msg
			return r
		}
		return s.retry(r, e, msg)
	}
	r.Delivered, r.Status = true, 250
	r.Email.Status, r.Email.Detail = "sent", "sent through "+s.cfg.SMTP.Addr
	return r
}

// retry schedules the next try, or makes the message a dead letter after
// the last.
func (s *Sender) retry(r store.EmailDelivery, e store.OutboxEntry, why string) store.EmailDelivery {
	r.Error = why
	if attempt := e.Attempts + 1; attempt < s.cfg.MaxAttempts {
		r.RetryAt = s.cfg.Now().Add(dispatch.Backoff(attempt, s.cfg.BaseDelay, s.cfg.MaxDelay))
	}
	return r
}
