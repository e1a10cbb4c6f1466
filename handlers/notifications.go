package handlers

import (
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/oms/oms/domain"
	"github.com/oms/oms/store"
	"github.com/oms/oms/views"
	"github.com/oms/oms/web/httpx"
)

// Notifications shows the customer e-mails: the list (operations and
// admin) and each e-mail (every role that reads orders).
type Notifications struct {
	DB *store.DB
	// SMTPAddr is the server e-mails go through, "" when they are kept;
	// From is their sender.
	SMTPAddr string
	From     string
}

// emailsPerPage is how many e-mails the list shows at once.
const emailsPerPage = 50

// List is GET /notifications?status=&before=.
func (h *Notifications) List(c *fiber.Ctx) error {
	ctx := c.UserContext()
	p := views.NotificationsProps{SMTPAddr: h.SMTPAddr, From: h.From}
	switch s := c.Query("status"); s {
	case "", "sent", "kept", "failed":
		p.Status = s
	default:
		return domain.Invalid("Show e-mails that were sent, kept or failed.", map[string]string{"status": "is sent, kept or failed"})
	}
	before, _ := strconv.ParseInt(c.Query("before"), 10, 64)
	emails, err := h.DB.CustomerEmails(ctx, store.EmailQuery{Status: p.Status, Before: before, Limit: emailsPerPage + 1})
	if err != nil {
		return err
	}
	if len(emails) > emailsPerPage {
		emails = emails[:emailsPerPage]
		p.Older = emails[len(emails)-1].ID
	}
	p.Emails = emails
	if p.Counts, err = h.DB.CustomerEmailCounts(ctx); err != nil {
		return err
	}
	queues, err := h.DB.OutboxOverview(ctx, []string{"email"})
	if err != nil {
		return err
	}
	for _, q := range queues {
		if q.Destination == "email" {
			p.Waiting, p.Dead = q.Pending, q.Dead
		}
	}
	ch, err := httpx.Chrome(c, "integrations")
	if err != nil {
		return err
	}
	return httpx.Render(c, fiber.StatusOK, views.NotificationsPage(ch, p))
}

// Show is GET /notifications/{id}: one e-mail as the customer got it.
func (h *Notifications) Show(c *fiber.Ctx) error {
	id, err := c.ParamsInt("id")
	if err != nil || id <= 0 {
		return domain.Errorf(domain.ENOTFOUND, "There is no such e-mail.")
	}
	e, err := h.DB.CustomerEmailByID(c.UserContext(), int64(id))
	if err != nil {
		return err
	}
	ch, err := httpx.Chrome(c, "orders")
	if err != nil {
		return err
	}
	return httpx.Render(c, fiber.StatusOK, views.EmailPage(ch, views.EmailProps{Email: e, From: h.From, SMTPAddr: h.SMTPAddr}))
}
