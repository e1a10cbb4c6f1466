package handlers

import (
	"bufio"
	"errors"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/oms/oms/domain"
	"github.com/oms/oms/store"
	"github.com/oms/oms/views"
	"github.com/oms/oms/web/httpx"
	"github.com/oms/oms/web/live"
)

// Live serves the live-update stream and the operations alert of new
// exceptions.
type Live struct {
	DB  *store.DB
	Hub *live.Hub
	// Heartbeat is how often an idle stream sends a comment line, so that
	// proxies keep it open and a closed browser is noticed.
	Heartbeat time.Duration
	// Lifetime is how long one stream lasts; the browser then reconnects
	// at once with the last id it saw and catches up. It must stay under
	// the server's write timeout, which counts from the start of the
	// response, and it makes the stream check the sign-in again.
	Lifetime time.Duration
}

// Stream is GET /live: server-sent events naming what changed (see package
// live). ?after= (or the Last-Event-ID of a reconnecting browser) is the
// mark the page was drawn at; what changed since then comes first. Only a
// signed-in person may listen; the stream writes nothing to the database.
func (h *Live) Stream(c *fiber.Ctx) error {
	if httpx.CurrentUser(c) == nil {
		return domain.Errorf(domain.EFORBIDDEN, "Live updates are for people signed in to the screens.")
	}
	var from *store.ChangeMark
	for _, s := range []string{c.Get("Last-Event-ID"), c.Query("after")} {
		if s == "" {
			continue
		}
		m, err := live.ParseMark(s)
		if err != nil {
			return domain.Errorf(domain.EINVALID, "The live update position is not valid: reload the page.")
		}
		from = &m
		break
	}
	ctx := c.UserContext()
	sub, err := h.Hub.Subscribe(ctx)
	switch {
	case errors.Is(err, live.ErrFull), errors.Is(err, live.ErrClosed):
		c.Set(fiber.HeaderRetryAfter, "10")
		return c.Status(fiber.StatusServiceUnavailable).SendString("Live updates are not available right now.")
	case err != nil:
		return err
	}
	first := []byte("retry: 2000\n\n")
	if from != nil && *from != sub.Since {
		names, err := live.Changes(ctx, h.DB, *from, sub.Since, liveMaxOrders)
		if err != nil {
			h.Hub.Unsubscribe(sub)
			return err
		}
		first = append(first, live.Encode(sub.Since, names)...)
	}
	c.Set(fiber.HeaderContentType, "text/event-stream; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "no-cache, no-store")
	c.Set("X-Accel-Buffering", "no") // nginx: pass each event on at once
	heartbeat, lifetime := h.Heartbeat, h.Lifetime
	if heartbeat <= 0 {
		heartbeat = 20 * time.Second
	}
	if lifetime <= 0 {
		lifetime = 50 * time.Second
	}
	// The server's shutdown closes done: streams end at once, so that a
	// graceful shutdown is not held up by browsers that never hang up.
	done := c.Context().Done()
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		defer h.Hub.Unsubscribe(sub)
		if _, err := w.Write(first); err != nil || w.Flush() != nil {
			return
		}
		beat := time.NewTicker(heartbeat)
		defer beat.Stop()
		end := time.NewTimer(lifetime)
		defer end.Stop()
		for {
			select {
			case m, ok := <-sub.C:
				if !ok {
					return
				}
				w.Write(m.Data)
			case <-beat.C:
				w.WriteString(": " + strconv.FormatInt(time.Now().Unix(), 10) + "\n\n")
			case <-end.C:
				return
			case <-done:
				return
			}
			if w.Flush() != nil {
				return
			}
		}
	})
	return nil
}

// liveMaxOrders is the most events a catch-up lists order by order; a
// browser further behind refreshes everything.
const liveMaxOrders = 2000

// Alert is GET /exceptions/alert?after=ID: the operations alert of
// exceptions raised after ID and not yet resolved, the newest first, in
// the container that asks again on the next one.
func (h *Live) Alert(c *fiber.Ctx) error {
	after, _ := strconv.ParseInt(c.Query("after"), 10, 64)
	rows, total, err := h.DB.Exceptions(c.UserContext(), store.ExceptionQuery{After: max(after, 0), Sort: store.ExceptionSortNewest, Limit: 3})
	if err != nil {
		return err
	}
	next := max(after, 0)
	if len(rows) > 0 {
		next = max(next, rows[0].ID)
	}
	return httpx.Render(c, fiber.StatusOK, views.LiveAlert(next, rows, total))
}
