package handlers

import (
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/oms/oms/domain"
	"github.com/oms/oms/store"
	"github.com/oms/oms/views"
	"github.com/oms/oms/web/httpx"
)

// Admin manages users.
type Admin struct {
	DB *store.DB
}

// maxUserChangesShown is how many recent changes to users the page lists.
const maxUserChangesShown = 20

// Users lists users with the add-user form.
func (h *Admin) Users(c *fiber.Ctx) error {
	return h.usersPage(c, fiber.StatusOK, views.UserForm{Role: string(domain.RoleCSR)})
}

func (h *Admin) usersPage(c *fiber.Ctx, status int, form views.UserForm) error {
	users, err := h.DB.Users(c.UserContext())
	if err != nil {
		return err
	}
	changes, err := h.DB.UserChanges(c.UserContext(), maxUserChangesShown)
	if err != nil {
		return err
	}
	ch, err := httpx.Chrome(c, "admin")
	if err != nil {
		return err
	}
	return httpx.Render(c, status, views.AdminUsersPage(ch, views.UsersProps{Users: users, Changes: changes, Form: form, Me: httpx.CurrentUser(c).ID}))
}

// CreateUser adds a user; field errors come back on the form with 422.
func (h *Admin) CreateUser(c *fiber.Ctx) error {
	form := views.UserForm{Email: c.FormValue("email"), Name: c.FormValue("name"), Role: c.FormValue("role")}
	u, err := h.DB.CreateUser(c.UserContext(), store.NewUser{
		Email: form.Email, Name: form.Name, Role: domain.Role(form.Role), Password: c.FormValue("password"),
	})
	if code := domain.ErrorCode(err); code == domain.EINVALID || code == domain.ECONFLICT {
		form.Error, form.Fields = domain.ErrorMessage(err), domain.ErrorFields(err)
		if len(form.Fields) > 0 {
			// Each field says what is wrong with it; the headline only
			// says that nothing was added.
			form.Error = "The user was not added: correct the marked fields."
		}
		if httpx.IsHTMX(c) {
			return httpx.Render(c, fiber.StatusUnprocessableEntity, views.NewUserForm(httpx.CSRFToken(c), form))
		}
		return h.usersPage(c, fiber.StatusUnprocessableEntity, form)
	} else if err != nil {
		return err
	}
	if err := httpx.SetFlash(c, "Added "+u.Email+" as "+u.Role.Label()+"."); err != nil {
		return err
	}
	return httpx.Redirect(c, "/admin/users")
}

// UpdateUser changes a user's role and whether the user may sign in; the
// user's sessions end, and the change is recorded with who and when.
func (h *Admin) UpdateUser(c *fiber.Ctx) error {
	u, err := h.userParam(c)
	if err != nil {
		return err
	}
	id := u.ID
	change, err := h.DB.UpdateUser(c.UserContext(), id, domain.Role(c.FormValue("role")), c.FormValue("active") != "", *httpx.CurrentUser(c))
	if err != nil {
		return err
	}
	msg := "Nothing changed for " + u.Email + "."
	if change != "" {
		msg = "Changed " + u.Email + ": " + change + "; their sessions have ended."
	}
	if err := httpx.SetFlash(c, msg); err != nil {
		return err
	}
	return httpx.Redirect(c, "/admin/users")
}

// userParam is the user named by the route's :id. Returns ENOTFOUND.
func (h *Admin) userParam(c *fiber.Ctx) (domain.User, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return domain.User{}, domain.Errorf(domain.ENOTFOUND, "No such user.")
	}
	return h.DB.UserByID(c.UserContext(), id)
}

// ResetPassword sets a user's password and ends the user's sessions.
func (h *Admin) ResetPassword(c *fiber.Ctx) error {
	u, err := h.userParam(c)
	if err != nil {
		return err
	}
	id := u.ID
	if err := h.DB.SetPassword(c.UserContext(), id, c.FormValue("password")); err != nil {
		if domain.ErrorCode(err) == domain.EINVALID {
			return domain.Errorf(domain.EINVALID, "The new password for %s %s.", u.Email, domain.ErrorFields(err)["password"])
		}
		return err
	}
	if err := httpx.SetFlash(c, "Password reset for "+u.Email+"; their sessions have ended."); err != nil {
		return err
	}
	return httpx.Redirect(c, "/admin/users")
}
