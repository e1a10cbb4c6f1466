package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"sync"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/intake"
)

// MaxIdempotencyKeyLength is the longest Idempotency-Key accepted.
const MaxIdempotencyKeyLength = 255

// IdempotencyKey names one API request that must be applied at most once
// (invariant 7).
type IdempotencyKey struct {
	// Scope is who sent the key: "token:<id>" for an API token, "user:<id>"
	// for a signed-in person. Two integrations may use the same key.
	Scope string
	Key   string
	// RequestHash identifies the request's content, so that a key reused
	// for a different order is refused rather than answered with the first.
	RequestHash string
}

// APIResponse is a response recorded under an idempotency key.
type APIResponse struct {
	Status int
	Body   []byte
	// Replayed is true when the response is the recorded one of an earlier
	// request with the same key.
	Replayed bool
}

// RenderOrder builds the body the API answers a capture with from the
// captured order (package wire's OrderJSON). The store records the body
// under the idempotency key without knowing its format.
type RenderOrder func(FullOrder) ([]byte, error)

// CaptureOrderOnce captures an order at most once per idempotency key. The
// first request runs CaptureOrder and records the response (201 and the
// order as render makes it) in the same write transaction, so an order exists
// exactly when its key is recorded. A retry with the same key and request
// gets the recorded response byte for byte; with a different request,
// EINVALID. A rejected order records nothing, so a corrected retry may reuse
// the key. Returns EINVALID with per-field messages.
//
// Captures that arrive together share one write transaction (group
// commit), each inside its own savepoint: a rejected or failed order rolls
// back to its savepoint and leaves the others be, so every order is still
// all or nothing, and one commit makes the whole batch durable.
func (db *DB) CaptureOrderOnce(ctx context.Context, k IdempotencyKey, req intake.Request, by Submitter, render RenderOrder) (APIResponse, error) {
	// A retry usually finds its key on the read pool without waiting for
	// the writer; the write transaction checks again before capturing.
	if k.Scope != "" && k.Key != "" {
		if prev, ok, err := recordedResponse(ctx, db.read, k); err != nil || ok {
			return prev, err
		}
	}
	call := &captureCall{key: k, req: req, by: by, render: render, wake: make(chan struct{}, 1)}
	q := &db.captures
	q.mu.Lock()
	q.pending = append(q.pending, call)
	lead := !q.leading
	q.leading = true
	q.mu.Unlock()
	if !lead {
		<-call.wake
		if call.finished {
			return call.resp, call.err
		}
	}
	// This call leads: it is first in the queue, so the batch holds it.
	q.mu.Lock()
	batch := q.pending[:min(len(q.pending), maxCaptureBatch)]
	q.pending = append([]*captureCall(nil), q.pending[len(batch):]...)
	q.mu.Unlock()

	db.captureBatch(context.WithoutCancel(ctx), batch)

	q.mu.Lock()
	if len(q.pending) > 0 {
		q.pending[0].wake <- struct{}{} // hand the lead on
	} else {
		q.leading = false
	}
	q.mu.Unlock()
	return call.resp, call.err
}

// maxCaptureBatch bounds a group commit, so that one transaction (and the
// wait of its first caller) stays short.
const maxCaptureBatch = 64

// captureQueue holds captures waiting for the writer. One caller at a time
// leads: it takes the queue as a batch, runs it, then wakes the next
// waiting caller to lead the following batch.
type captureQueue struct {
	mu      sync.Mutex
	pending []*captureCall
	leading bool
}

// captureCall is one CaptureOrderOnce waiting in the queue. wake is
// signalled once: when finished is set, or when the call is to lead.
type captureCall struct {
	key      IdempotencyKey
	req      intake.Request
	by       Submitter
	render   RenderOrder
	resp     APIResponse
	err      error
	finished bool
	wake     chan struct{}
}

// captureBatch runs a batch in one write transaction, each capture in its
// own savepoint, and delivers every result after the commit.
func (db *DB) captureBatch(ctx context.Context, batch []*captureCall) {
	err := db.Update(ctx, func(tx *sql.Tx) error {
		for _, c := range batch {
			if _, err := tx.ExecContext(ctx, `SAVEPOINT capture`); err != nil {
				return err
			}
			c.resp, c.err = db.captureOrderOnce(ctx, tx, c.key, c.req, c.by, c.render)
			if c.err != nil {
				c.err = mapError(c.err)
				if _, err := tx.ExecContext(ctx, `ROLLBACK TO capture`); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, `RELEASE capture`); err != nil {
				return err
			}
		}
		return nil
	})
	for i, c := range batch {
		if err != nil {
			c.resp, c.err = APIResponse{}, err
		}
		c.finished = true
		if i > 0 {
			c.wake <- struct{}{} // batch[0] is the leader, not waiting
		}
	}
}

func (db *DB) captureOrderOnce(ctx context.Context, tx *sql.Tx, k IdempotencyKey, req intake.Request, by Submitter, render RenderOrder) (APIResponse, error) {
	if k.Scope == "" || k.Key == "" || len(k.Key) > MaxIdempotencyKeyLength || k.RequestHash == "" {
		return APIResponse{}, domain.Errorf(domain.EINVALID, "An Idempotency-Key of 1 to %d characters is required.", MaxIdempotencyKeyLength)
	}
	prev, ok, err := recordedResponse(ctx, tx, k)
	if err != nil || ok {
		return prev, err
	}
	c, err := db.captureOrder(ctx, tx, req, by)
	if err != nil {
		return APIResponse{}, err
	}
	body, err := render(c.order)
	if err != nil {
		return APIResponse{}, err
	}
	resp := APIResponse{Status: http.StatusCreated, Body: body}
	if _, err := tx.ExecContext(ctx, `INSERT INTO idempotency_keys (scope, key, request_hash, status, body, order_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, k.Scope, k.Key, k.RequestHash, resp.Status, resp.Body, c.OrderID, db.now()); err != nil {
		return APIResponse{}, err
	}
	return resp, nil
}

// recordedResponse returns the response recorded under k, if any; EINVALID
// when k was recorded for a different request.
func recordedResponse(ctx context.Context, q querier, k IdempotencyKey) (APIResponse, bool, error) {
	var hash string
	var r APIResponse
	err := q.QueryRowContext(ctx, `SELECT request_hash, status, body FROM idempotency_keys WHERE scope = ? AND key = ?`,
		k.Scope, k.Key).Scan(&hash, &r.Status, &r.Body)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return APIResponse{}, false, nil
	case err != nil:
		return APIResponse{}, false, err
	case hash != k.RequestHash:
		return APIResponse{}, false, domain.Invalid("Idempotency-Key "+quoteKey(k.Key)+" was used with a different request. Send a new key for a new order.",
			map[string]string{"Idempotency-Key": "was used with a different request"})
	}
	r.Replayed = true
	return r, true, nil
}

func quoteKey(k string) string {
	b, _ := json.Marshal(k)
	return string(b)
}
