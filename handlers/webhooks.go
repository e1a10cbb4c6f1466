package handlers

import (
	"encoding/json"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/oms/oms/domain"
	"github.com/oms/oms/store"
	"github.com/oms/oms/web/httpx"
)

// Webhooks manages webhook subscriptions: admins add and remove them with
// the JSON API or on the Integrations page.
type Webhooks struct {
	DB *store.DB
}

// apiWebhook is a subscription as the API shows it: never its secret.
type apiWebhook struct {
	ID        int64    `json:"id"`
	Name      string   `json:"name"`
	URL       string   `json:"url"`
	Topics    []string `json:"topics"`
	Active    bool     `json:"active"`
	CreatedBy string   `json:"created_by"`
	CreatedAt *string  `json:"created_at"`
}

func toAPIWebhook(w store.WebhookSubscription) apiWebhook {
	return apiWebhook{ID: w.ID, Name: w.Name, URL: w.URL, Topics: w.Topics, Active: w.Active, CreatedBy: w.CreatedBy, CreatedAt: apiTime(w.CreatedAt)}
}

// List is GET /api/v1/webhooks: every subscription, without secrets.
func (h *Webhooks) List(c *fiber.Ctx) error {
	subs, err := h.DB.Webhooks(c.UserContext())
	if err != nil {
		return err
	}
	out := struct {
		Webhooks []apiWebhook `json:"webhooks"`
		Topics   []string     `json:"topics"`
	}{Webhooks: []apiWebhook{}, Topics: store.WebhookTopics}
	for _, w := range subs {
		out.Webhooks = append(out.Webhooks, toAPIWebhook(w))
	}
	return c.JSON(out)
}

// Create is POST /api/v1/webhooks with {"name", "url", "secret", "topics"}:
// 201 with the subscription; 422 naming each bad field.
func (h *Webhooks) Create(c *fiber.Ctx) error {
	var body struct {
		Name   string   `json:"name"`
		URL    string   `json:"url"`
		Secret string   `json:"secret"`
		Topics []string `json:"topics"`
	}
	if err := json.Unmarshal(c.Body(), &body); err != nil {
		return domain.Invalid(`The body must be {"name", "url", "secret", "topics": [...]}: `+jsonProblem(err), nil)
	}
	caller, _ := httpx.CurrentCaller(c)
	w, err := h.DB.CreateWebhook(c.UserContext(), store.WebhookSubscription{Name: body.Name, URL: body.URL, Secret: body.Secret,
		Topics: body.Topics, CreatedBy: caller.Actor}, caller.Role)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toAPIWebhook(w))
}

// Delete is DELETE /api/v1/webhooks/{id}: the subscription and its unsent
// messages go; 204.
func (h *Webhooks) Delete(c *fiber.Ctx) error {
	id, err := c.ParamsInt("id")
	if err != nil || id <= 0 {
		return domain.Errorf(domain.ENOTFOUND, "There is no such webhook.")
	}
	caller, _ := httpx.CurrentCaller(c)
	if err := h.DB.DeleteWebhook(c.UserContext(), int64(id), caller.Actor, caller.Role); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// CreateForm is POST /integrations/webhooks, the Integrations page's form
// (admins): name, url, secret and a topics box per topic (or all).
func (h *Webhooks) CreateForm(c *fiber.Ctx) error {
	u := httpx.CurrentUser(c)
	var topics []string
	if c.FormValue("all_topics") != "" {
		topics = []string{"*"}
	} else {
		args := c.Request().PostArgs()
		for _, v := range args.PeekMulti("topics") {
			topics = append(topics, string(v))
		}
	}
	w, err := h.DB.CreateWebhook(c.UserContext(), store.WebhookSubscription{Name: c.FormValue("name"), URL: c.FormValue("url"),
		Secret: c.FormValue("secret"), Topics: topics, CreatedBy: u.Email}, u.Role)
	if err != nil {
		if domain.ErrorCode(err) == domain.EINVALID {
			return domain.Invalid(webhookProblem(err), domain.ErrorFields(err))
		}
		return err
	}
	if err := httpx.SetFlash(c, "Webhook "+w.Name+" added; it gets the messages of changes from now on."); err != nil {
		return err
	}
	return httpx.Redirect(c, "/integrations#webhooks")
}

// webhookProblem says every bad field of a refused form in one sentence.
func webhookProblem(err error) string {
	var parts []string
	for _, k := range []string{"name", "url", "secret", "topics"} {
		if v := domain.ErrorFields(err)[k]; v != "" {
			parts = append(parts, k+" "+v)
		}
	}
	return "The webhook was not added: " + strings.Join(parts, "; ") + "."
}

// DeleteForm is POST /integrations/webhooks/{id}/delete (admins).
func (h *Webhooks) DeleteForm(c *fiber.Ctx) error {
	id, err := c.ParamsInt("id")
	if err != nil || id <= 0 {
		return domain.Errorf(domain.ENOTFOUND, "There is no such webhook.")
	}
	u := httpx.CurrentUser(c)
	if err := h.DB.DeleteWebhook(c.UserContext(), int64(id), u.Email, u.Role); err != nil {
		return err
	}
	if err := httpx.SetFlash(c, "Webhook removed, with its unsent messages."); err != nil {
		return err
	}
	return httpx.Redirect(c, "/integrations#webhooks")
}
