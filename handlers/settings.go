package handlers

import (
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/oms/oms/domain"
	"github.com/oms/oms/store"
	"github.com/oms/oms/views"
	"github.com/oms/oms/web/httpx"
)

// Settings is the admin's run-time settings page.
type Settings struct {
	DB *store.DB
}

// Show is GET /admin/settings.
func (h *Settings) Show(c *fiber.Ctx) error { return h.show(c, fiber.StatusOK, "") }

func (h *Settings) show(c *fiber.Ctx, status int, msg string) error {
	auth, err := h.DB.HoldReleaseAuthority(c.UserContext())
	if err != nil {
		return err
	}
	hours, err := h.DB.SLAReleaseHours(c.UserContext())
	if err != nil {
		return err
	}
	backorderEmails, err := h.DB.BackorderEmailsAutomatic(c.UserContext())
	if err != nil {
		return err
	}
	ch, err := httpx.Chrome(c, "admin")
	if err != nil {
		return err
	}
	return httpx.Render(c, status, views.SettingsPage(ch, views.SettingsProps{Authority: auth, SLAHours: hours, CSRF: ch.CSRF, Error: msg,
		BackorderEmails: backorderEmails}))
}

// Update is POST /admin/settings: every hold reason's release roles and
// the SLA hours. Only what changed is saved (each change is an event).
func (h *Settings) Update(c *fiber.Ctx) error {
	ctx := c.UserContext()
	u := httpx.CurrentUser(c)
	hours, err := strconv.Atoi(c.FormValue("sla_hours"))
	if err != nil {
		return h.show(c, fiber.StatusUnprocessableEntity, "Enter the SLA as a whole number of hours, 1 to 720.")
	}
	current, err := h.DB.HoldReleaseAuthority(ctx)
	if err != nil {
		return err
	}
	for _, reason := range domain.HoldReasons {
		var roles []domain.Role
		for _, v := range c.Context().PostArgs().PeekMulti("release_" + reason) {
			if r := domain.Role(v); r.Valid() && r != domain.RoleAdmin {
				roles = append(roles, r)
			}
		}
		if slices.Equal(roles, current[reason]) {
			continue
		}
		if err := h.DB.SetHoldReleaseAuthority(ctx, reason, roles, u.Email, u.Role); err != nil {
			return err
		}
	}
	if old, err := h.DB.SLAReleaseHours(ctx); err != nil {
		return err
	} else if old != hours {
		if err := h.DB.SetSLAReleaseHours(ctx, hours, u.Email, u.Role); domain.ErrorCode(err) == domain.EINVALID {
			return h.show(c, fiber.StatusUnprocessableEntity, domain.ErrorMessage(err))
		} else if err != nil {
			return err
		}
	}
	// A form without the e-mail part (an older page) leaves it as it is.
	if c.FormValue("backorder_emails_shown") != "" {
		on := c.FormValue("backorder_emails") == "on"
		if old, err := h.DB.BackorderEmailsAutomatic(ctx); err != nil {
			return err
		} else if old != on {
			value := "off"
			if on {
				value = "on"
			}
			if err := h.DB.SetSetting(ctx, store.SettingBackorderEmails, value, u.Email, u.Role); err != nil {
				return err
			}
		}
	}
	if err := httpx.SetFlash(c, "Settings saved."); err != nil {
		return err
	}
	return httpx.Redirect(c, "/admin/settings")
}
