package handlers

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/oms/oms/domain"
	"github.com/oms/oms/store"
	"github.com/oms/oms/views"
	"github.com/oms/oms/web/httpx"
)

// ExceptionsPerPage is how many exceptions one page of the queue shows.
const ExceptionsPerPage = 50

// Exceptions is the exception queue: ops and admin work it, customer
// service reads it.
type Exceptions struct {
	DB *store.DB
}

func exceptionFilters(c *fiber.Ctx) views.ExceptionFilters {
	page, _ := strconv.Atoi(c.Query("page"))
	return views.ExceptionFilters{Kind: c.Query("kind"), Owner: c.Query("owner"), Breached: c.Query("breached") != "",
		Q: strings.TrimSpace(c.Query("q")), Sort: c.Query("sort"), Page: max(page, 1)}
}

// canWork reports whether the signed-in role works the queue.
func canWork(c *fiber.Ctx) bool {
	u := httpx.CurrentUser(c)
	return u != nil && domain.RoleIn(u.Role, domain.RoleOps)
}

// List is GET /exceptions: the queue with its filters, counts by kind,
// saved views and, for ops and admin, claim, assign, bulk and resolve.
func (h *Exceptions) List(c *fiber.Ctx) error {
	ctx := c.UserContext()
	u := httpx.CurrentUser(c)
	f := exceptionFilters(c)
	q := store.ExceptionQuery{Kind: f.Kind, Owner: f.Owner, Me: u.ID, Breached: f.Breached, Q: f.Q, Sort: f.Sort,
		Limit: ExceptionsPerPage, Offset: (f.Page - 1) * ExceptionsPerPage}
	if f.Owner != "" && f.Owner != "me" && f.Owner != "none" {
		if _, err := strconv.ParseInt(f.Owner, 10, 64); err != nil {
			q.Owner, f.Owner = "", ""
		}
	}
	rows, total, err := h.DB.Exceptions(ctx, q)
	if err != nil {
		return err
	}
	_, breached, err := h.DB.Exceptions(ctx, store.ExceptionQuery{Breached: true, Limit: 1})
	if err != nil {
		return err
	}
	counts, err := h.DB.ExceptionCounts(ctx)
	if err != nil {
		return err
	}
	users, err := h.DB.Users(ctx)
	if err != nil {
		return err
	}
	var workers []domain.User
	for _, x := range users {
		if x.Active && domain.RoleIn(x.Role, domain.RoleOps) {
			workers = append(workers, x)
		}
	}
	saved, err := h.DB.SavedViews(ctx, u.ID, "exceptions")
	if err != nil {
		return err
	}
	auth, err := h.DB.HoldReleaseAuthority(ctx)
	if err != nil {
		return err
	}
	ch, err := httpx.Chrome(c, "exceptions")
	if err != nil {
		return err
	}
	p := views.ExceptionsProps{Filters: f, Rows: rows, Total: total, Pages: (total + ExceptionsPerPage - 1) / ExceptionsPerPage,
		Breached: breached, Now: h.DB.Now(), Counts: counts, Users: workers, Views: saved, CanWork: canWork(c), Me: u.ID,
		Authority: auth, Role: u.Role, CSRF: ch.CSRF}
	return httpx.Render(c, fiber.StatusOK, views.ExceptionsPage(ch, p))
}

// formIDs reads the exception ids of a form (one field per id).
func formIDs(c *fiber.Ctx) []int64 {
	var out []int64
	for _, v := range c.Context().PostArgs().PeekMulti("ids") {
		if id, err := strconv.ParseInt(string(v), 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}

func (h *Exceptions) back(c *fiber.Ctx, flash string) error {
	if err := httpx.SetFlash(c, flash); err != nil {
		return err
	}
	return httpx.Redirect(c, returnTo(c.FormValue("return"), "/exceptions"))
}

// Claim is POST /exceptions/claim: the signed-in person takes the
// exceptions.
func (h *Exceptions) Claim(c *fiber.Ctx) error {
	u := httpx.CurrentUser(c)
	ids := formIDs(c)
	if err := h.DB.AssignExceptions(c.UserContext(), ids, u.ID, u.Email, u.Role); err != nil {
		return err
	}
	return h.back(c, count(len(ids), "exception")+" claimed.")
}

// Resolve is POST /exceptions/{id}/resolve with a note.
func (h *Exceptions) Resolve(c *fiber.Ctx) error {
	u := httpx.CurrentUser(c)
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return domain.Errorf(domain.ENOTFOUND, "There is no exception %q.", c.Params("id"))
	}
	if err := h.DB.ResolveException(c.UserContext(), id, c.FormValue("note"), u.Email, u.Role); err != nil {
		return err
	}
	return h.back(c, "Exception resolved.")
}

// Bulk is POST /exceptions/bulk: claim, assign, release the holds of, or
// resolve every selected exception. Each goes through the same store
// action as one at a time; release uses the order version the queue
// showed, so an order changed meanwhile is refused, not overwritten.
// The flash says how many succeeded and why the others did not.
func (h *Exceptions) Bulk(c *fiber.Ctx) error {
	ctx := c.UserContext()
	u := httpx.CurrentUser(c)
	ids := formIDs(c)
	if len(ids) == 0 {
		return domain.Invalid("Tick at least one exception first.", map[string]string{"ids": "is required"})
	}
	switch c.FormValue("action") {
	case "claim":
		return h.Claim(c)
	case "assign":
		owner, _ := strconv.ParseInt(c.FormValue("owner"), 10, 64)
		if err := h.DB.AssignExceptions(ctx, ids, owner, u.Email, u.Role); err != nil {
			return err
		}
		return h.back(c, count(len(ids), "exception")+" assigned.")
	case "release", "resolve":
	default:
		return domain.Invalid("Pick what to do with the selected exceptions.", map[string]string{"action": "is required"})
	}
	reason := c.FormValue("reason")
	var done int
	var problems []string
	for _, id := range ids {
		r, err := h.DB.Exception(ctx, id)
		if err == nil {
			if c.FormValue("action") == "release" {
				if r.HoldID == 0 {
					err = domain.Errorf(domain.EINVALID, "not a hold")
				} else {
					_, err = h.DB.ReleaseHold(ctx, store.OrderAction{Number: r.OrderNumber, Version: r.OrderVersion,
						Actor: u.Email, Role: u.Role, Reason: reason}, r.HoldID)
				}
			} else {
				err = h.DB.ResolveException(ctx, id, reason, u.Email, u.Role)
			}
		}
		if err != nil {
			name := r.OrderNumber
			if name == "" {
				name = "exception " + strconv.FormatInt(id, 10)
			}
			problems = append(problems, name+": "+domain.ErrorMessage(err))
			continue
		}
		done++
	}
	verb := map[string]string{"release": "released", "resolve": "resolved"}[c.FormValue("action")]
	msg := count(done, "exception") + " " + verb + "."
	if len(problems) > 0 {
		msg += " Not done: " + strings.Join(problems, " ")
	}
	return h.back(c, msg)
}

// SaveView is POST /exceptions/views: save the current filters by name.
func (h *Exceptions) SaveView(c *fiber.Ctx) error {
	u := httpx.CurrentUser(c)
	if err := h.DB.SaveView(c.UserContext(), u.ID, "exceptions", c.FormValue("name"), c.FormValue("query")); err != nil {
		return err
	}
	return h.back(c, "View saved.")
}

// DeleteView is POST /exceptions/views/{id}/delete.
func (h *Exceptions) DeleteView(c *fiber.Ctx) error {
	u := httpx.CurrentUser(c)
	id, _ := strconv.ParseInt(c.Params("id"), 10, 64)
	if err := h.DB.DeleteView(c.UserContext(), u.ID, id); err != nil {
		return err
	}
	return h.back(c, "View deleted.")
}

// count says "1 order", "3 orders".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
