package store

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oms/oms/domain"
)

// WebhookTopics are the topics a webhook may subscribe to: every message
// the ERP, the WMS or a vendor hears of.
var WebhookTopics = []string{
	"order.accepted", "order.plan_changed", "order.cancelled", "order.closed", "order.line_cancelled",
	"order.price_changed", "order.address_changed", "order.line_substituted", "line.closed",
	"group.released", "group.cancelled", "group.line_cancelled", "group.recall_requested", "group.shipped",
}

// webhookSource reports whether messages to destination are copied to
// webhook subscribers.
func webhookSource(destination string) bool {
	return destination == "erp" || destination == "wms" || destination == "vendor"
}

// WebhookDestination is the outbox destination of a subscription's
// messages.
func WebhookDestination(id int64) string { return "webhook:" + strconv.FormatInt(id, 10) }

// WebhookID is the subscription of a webhook destination, false for any
// other destination.
func WebhookID(destination string) (int64, bool) {
	s, ok := strings.CutPrefix(destination, "webhook:")
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil
}

// WebhookSubscription is an integrator's webhook: where its messages go,
// the secret they are signed with, and the topics it wants ("*" for all).
type WebhookSubscription struct {
	ID        int64
	Name      string
	URL       string
	Secret    string
	Topics    []string
	Active    bool
	CreatedBy string
	CreatedAt time.Time
}

// AllTopics reports whether the subscription takes every topic.
func (w WebhookSubscription) AllTopics() bool { return len(w.Topics) == 1 && w.Topics[0] == "*" }

// CreateWebhook adds a subscription; its messages start with the next
// change. Only admins. Returns EFORBIDDEN, and EINVALID naming the field
// (a name, an http or https URL, a secret of 16 characters or more, known
// topics).
func (db *DB) CreateWebhook(ctx context.Context, w WebhookSubscription, role domain.Role) (WebhookSubscription, error) {
	if role != domain.RoleAdmin {
		return w, domain.Errorf(domain.EFORBIDDEN, "Only an administrator may add webhooks.")
	}
	bad := map[string]string{}
	w.Name, w.URL = strings.TrimSpace(w.Name), strings.TrimSpace(w.URL)
	if w.Name == "" || len(w.Name) > 100 {
		bad["name"] = "is required (at most 100 characters)"
	}
	if u, err := url.Parse(w.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad["url"] = "must be an http or https URL"
	}
	if len(w.Secret) < 16 {
		bad["secret"] = "must have at least 16 characters"
	}
	var topics []string
	for _, t := range w.Topics {
		t = strings.TrimSpace(t)
		switch {
		case t == "":
		case t == "*":
			topics = []string{"*"}
		case !slices.Contains(WebhookTopics, t):
			bad["topics"] = fmt.Sprintf("no topic %q; topics are %s or *", t, strings.Join(WebhookTopics, ", "))
		case !slices.Contains(topics, t) && !slices.Contains(topics, "*"):
			topics = append(topics, t)
		}
	}
	if len(topics) == 0 && bad["topics"] == "" {
		bad["topics"] = "choose at least one topic (or * for all)"
	}
	if len(bad) > 0 {
		return w, domain.Invalid("The webhook cannot be saved: "+strings.Join(slices.Sorted(maps.Keys(bad)), ", ")+" need fixing.", bad)
	}
	w.Topics, w.Active = topics, true
	now := db.Now()
	w.CreatedAt = now
	err := db.Update(ctx, func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `INSERT INTO webhook_subscriptions (name, url, secret, topics, active, created_by, created_at)
			VALUES (?, ?, ?, ?, 1, ?, ?)`, w.Name, w.URL, w.Secret, strings.Join(topics, " "), w.CreatedBy, FormatTime(now))
		if err != nil {
			return err
		}
		w.ID, err = r.LastInsertId()
		return err
	})
	return w, err
}

// Webhooks lists the subscriptions, oldest first, with their secrets (the
// dispatcher signs with them; screens must not show them).
func (db *DB) Webhooks(ctx context.Context) ([]WebhookSubscription, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, name, url, secret, topics, active, created_by, created_at FROM webhook_subscriptions ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []WebhookSubscription
	for rows.Next() {
		var w WebhookSubscription
		var topics, created string
		if err := rows.Scan(&w.ID, &w.Name, &w.URL, &w.Secret, &topics, &w.Active, &w.CreatedBy, &created); err != nil {
			return nil, err
		}
		w.Topics, w.CreatedAt = strings.Fields(topics), ParseTime(created)
		out = append(out, w)
	}
	return out, rows.Err()
}

// DeleteWebhook removes a subscription and its unsent messages (a dead
// letter's exception is resolved). Only admins. Returns EFORBIDDEN and
// ENOTFOUND.
func (db *DB) DeleteWebhook(ctx context.Context, id int64, actor string, role domain.Role) error {
	if role != domain.RoleAdmin {
		return domain.Errorf(domain.EFORBIDDEN, "Only an administrator may remove webhooks.")
	}
	return db.Update(ctx, func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `DELETE FROM webhook_subscriptions WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return domain.Errorf(domain.ENOTFOUND, "There is no webhook %d.", id)
		}
		now := db.now()
		dest := WebhookDestination(id)
		if _, err := tx.ExecContext(ctx, `UPDATE exceptions SET status = 'resolved', resolved_at = ?, resolved_by = ?,
			resolution_note = 'The webhook was removed.'
			WHERE status <> 'resolved' AND outbox_id IN (SELECT id FROM outbox WHERE destination = ? AND status <> 'delivered')`, now, actor, dest); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE exceptions SET outbox_id = NULL WHERE outbox_id IN (SELECT id FROM outbox WHERE destination = ?)`, dest); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM outbox WHERE destination = ?`, dest)
		return err
	})
}
