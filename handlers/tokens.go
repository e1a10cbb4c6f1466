package handlers

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/oms/oms/domain"
	"github.com/oms/oms/store"
	"github.com/oms/oms/views"
	"github.com/oms/oms/web/httpx"
)

// APITokens is the admin page of the integrations' bearer tokens.
type APITokens struct {
	DB *store.DB
}

// List shows every token with the create form.
func (h *APITokens) List(c *fiber.Ctx) error {
	return h.page(c, fiber.StatusOK, views.TokenForm{Role: string(domain.RoleSales)}, nil)
}

func (h *APITokens) page(c *fiber.Ctx, status int, form views.TokenForm, created *views.NewTokenSecret) error {
	tokens, err := h.DB.Tokens(c.UserContext())
	if err != nil {
		return err
	}
	rows := make([]views.TokenRow, 0, len(tokens))
	for _, t := range tokens {
		r := views.TokenRow{ID: t.ID, Name: t.Name, Role: t.Role, CreatedBy: t.CreatedBy, CreatedAt: when(t.CreatedAt)}
		if !t.LastUsedAt.IsZero() {
			r.LastUsed = when(t.LastUsedAt)
		}
		if !t.Active() {
			r.RevokedAt = when(t.RevokedAt)
		}
		rows = append(rows, r)
	}
	ch, err := httpx.Chrome(c, "admin")
	if err != nil {
		return err
	}
	// The page may carry a secret: keep it out of caches and history.
	c.Set(fiber.HeaderCacheControl, "no-store")
	return httpx.Render(c, status, views.AdminTokensPage(ch, rows, form, created))
}

// when formats a time for the token list, in UTC like every time the
// server shows without a user time zone.
func when(t time.Time) string { return views.DateTime(t) }

// Create makes a token and answers with the page that shows its secret
// once. It does not redirect: a redirect would need the secret kept until
// the next page, and it is kept nowhere.
func (h *APITokens) Create(c *fiber.Ctx) error {
	form := views.TokenForm{Name: c.FormValue("name"), Role: c.FormValue("role")}
	u := httpx.CurrentUser(c)
	t, secret, err := h.DB.CreateToken(c.UserContext(), form.Name, domain.Role(form.Role), u.ID)
	if domain.ErrorCode(err) == domain.EINVALID {
		form.Error, form.Fields = domain.ErrorMessage(err), domain.ErrorFields(err)
		if len(form.Fields) > 0 {
			form.Error = "No token was created: correct the marked fields."
		}
		return h.page(c, fiber.StatusUnprocessableEntity, form, nil)
	} else if err != nil {
		return err
	}
	return h.page(c, fiber.StatusCreated, views.TokenForm{Role: string(domain.RoleSales)}, &views.NewTokenSecret{Name: t.Name, Secret: secret})
}

// Revoke ends a token at once.
func (h *APITokens) Revoke(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return domain.Errorf(domain.ENOTFOUND, "No such API token.")
	}
	t, err := h.DB.RevokeToken(c.UserContext(), id)
	if err != nil {
		return err
	}
	if err := httpx.SetFlash(c, "Revoked the token of "+t.Name+"; requests with it now get 401."); err != nil {
		return err
	}
	return httpx.Redirect(c, "/admin/tokens")
}
