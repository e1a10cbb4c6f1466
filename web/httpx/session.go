// Package httpx is what handlers need from the web layer: the session bridge
// between fiber and gorilla/sessions, the signed-in user, CSRF tokens,
// flashes and the templ render helper.
package httpx

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gorilla/sessions"
	"github.com/oms/oms/domain"
	"github.com/oms/oms/store"
)

// CookieName is the session cookie.
const CookieName = "oms_session"

// Session value keys.
const (
	keyCSRF  = "csrf"
	keyFlash = "flash"
)

// SessionStore is a gorilla/sessions Store that keeps sessions server-side
// in the database, so that sign-out and password changes end them and
// several OMS processes share them. The cookie holds only a random token;
// the database row is keyed by the token's SHA-256.
type SessionStore struct {
	DB       *store.DB
	Idle     time.Duration // a session unused this long ends
	Absolute time.Duration // a session this old ends, used or not
	Secure   bool          // cookie only over TLS

	keyMu sync.Mutex
	key   []byte // signs sign-in form tokens; read once from the database
}

var _ sessions.Store = (*SessionStore)(nil)

// Get returns the session of the request, cached per request.
func (s *SessionStore) Get(r *http.Request, name string) (*sessions.Session, error) {
	return sessions.GetRegistry(r).Get(s, name)
}

func (s *SessionStore) options() *sessions.Options {
	return &sessions.Options{Path: "/", MaxAge: int(s.Absolute.Seconds()), HttpOnly: true, Secure: s.Secure, SameSite: http.SameSiteLaxMode}
}

// record is what is kept of a loaded session beside its values.
type record struct {
	userID    int64
	createdAt time.Time
	lastSeen  time.Time
}

// New loads the session named by the request's cookie, or starts an empty
// one when there is none or it has passed its idle or absolute timeout.
func (s *SessionStore) New(r *http.Request, name string) (*sessions.Session, error) {
	sess := sessions.NewSession(s, name)
	sess.Options = s.options()
	sess.IsNew = true
	c, err := r.Cookie(name)
	if err != nil || c.Value == "" {
		return sess, nil
	}
	rec, err := s.DB.SessionByID(r.Context(), hashToken(c.Value))
	if err != nil {
		return sess, err
	}
	now := s.DB.Now()
	if rec == nil || now.Sub(rec.LastSeenAt) > s.Idle || now.Sub(rec.CreatedAt) > s.Absolute {
		return sess, nil
	}
	var values map[string]any
	if err := json.Unmarshal(rec.Data, &values); err != nil {
		return sess, nil
	}
	for k, v := range values {
		sess.Values[k] = v
	}
	sess.ID = c.Value
	sess.IsNew = false
	sess.Values[recordKey{}] = record{userID: rec.UserID, createdAt: rec.CreatedAt, lastSeen: rec.LastSeenAt}
	return sess, nil
}

// recordKey keeps the row facts in Values without saving them as data.
type recordKey struct{}

// Save writes the session row and sets the cookie; a negative MaxAge deletes
// both.
func (s *SessionStore) Save(r *http.Request, w http.ResponseWriter, sess *sessions.Session) error {
	if sess.Options.MaxAge < 0 {
		if sess.ID != "" {
			if err := s.DB.DeleteSession(r.Context(), hashToken(sess.ID)); err != nil {
				return err
			}
		}
		http.SetCookie(w, sessions.NewCookie(sess.Name(), "", sess.Options))
		return nil
	}
	now := s.DB.Now()
	rec, _ := sess.Values[recordKey{}].(record)
	if sess.ID == "" {
		sess.ID = newToken()
		rec.createdAt = now
	}
	if rec.createdAt.IsZero() {
		rec.createdAt = now
	}
	data := map[string]any{}
	for k, v := range sess.Values {
		if ks, ok := k.(string); ok {
			data[ks] = v
		}
	}
	blob, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("encode session: %w", err)
	}
	rec.lastSeen = now
	sess.Values[recordKey{}] = rec
	err = s.DB.SaveSession(r.Context(), store.SessionRecord{
		ID: hashToken(sess.ID), UserID: rec.userID, Data: blob,
		CreatedAt: rec.createdAt, LastSeenAt: now, ExpiresAt: rec.createdAt.Add(s.Absolute),
	})
	if err != nil {
		return err
	}
	http.SetCookie(w, sessions.NewCookie(sess.Name(), sess.ID, sess.Options))
	return nil
}

func newToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// bridge adapts a fiber request to the net/http shapes gorilla/sessions
// needs: a request carrying the cookies, and a writer whose Set-Cookie
// headers are copied back to fiber.
type bridge struct {
	c   *fiber.Ctx
	req *http.Request
	hdr http.Header
}

func (b *bridge) Header() http.Header         { return b.hdr }
func (b *bridge) Write(p []byte) (int, error) { return len(p), nil }
func (b *bridge) WriteHeader(int)             {}

func (b *bridge) flush() {
	for _, v := range b.hdr.Values("Set-Cookie") {
		b.c.Response().Header.Add("Set-Cookie", v)
	}
	b.hdr.Del("Set-Cookie")
}

const localSession = "httpx.session"

// state is what the session middleware keeps in c.Locals for one request.
type state struct {
	store *SessionStore
	b     *bridge
	sess  *sessions.Session
	user  *domain.User
	// anonCSRF is the signed token of a visitor without a session.
	anonCSRF string
}

// LoadSession loads the request's session and user into c.Locals; every
// other helper of this file reads them from there. A visitor without a
// session gets none: a row is written only at sign-in (or for a flash),
// never for a page view, and the sign-in form's CSRF token is signed
// instead (see CSRFToken).
func LoadSession(c *fiber.Ctx, st *SessionStore) error {
	return loadSession(c, st, true)
}

// LoadSessionQuietly is LoadSession for requests that are not the person's
// doing (the live-update stream and the refreshes it sets off): it never
// writes, so such requests neither cost a write each nor keep an idle
// session alive.
func LoadSessionQuietly(c *fiber.Ctx, st *SessionStore) error {
	return loadSession(c, st, false)
}

func loadSession(c *fiber.Ctx, st *SessionStore, touch bool) error {
	req, err := http.NewRequestWithContext(context.WithoutCancel(c.UserContext()), "GET", "/", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Cookie", string(c.Request().Header.Peek("Cookie")))
	b := &bridge{c: c, req: req, hdr: http.Header{}}
	sess, err := st.Get(req, CookieName)
	if err != nil {
		return err
	}
	s := &state{store: st, b: b, sess: sess}
	c.Locals(localSession, s)
	if sess.IsNew {
		return nil
	}
	rec, _ := sess.Values[recordKey{}].(record)
	if rec.userID != 0 {
		u, err := st.DB.UserByID(c.UserContext(), rec.userID)
		if err == nil && u.Active {
			s.user = &u
		} else if domain.ErrorCode(err) != domain.ENOTFOUND && err != nil {
			return err
		}
	}
	_, hasCSRF := sess.Values[keyCSRF].(string)
	if !touch {
		return nil
	}
	// Touch sessions at most once a minute so that the idle timeout moves
	// without a write on every request.
	if !hasCSRF || st.DB.Now().Sub(rec.lastSeen) > time.Minute {
		if !hasCSRF {
			sess.Values[keyCSRF] = newToken()
		}
		return s.save()
	}
	return nil
}

// signInCookie holds the random value a visitor's sign-in form token is
// signed over. It is not a session: nothing is stored for it.
const signInCookie = "oms_signin"

// signInToken returns the CSRF token of a visitor without a session: an
// HMAC, under the database's signin_csrf key, of the value of the
// visitor's signInCookie, which it sets when there is none. Another site
// can neither read the cookie nor sign a value, so it cannot post a
// sign-in form for the visitor; several OMS processes share the key.
func (s *state) signInToken() string {
	key, err := s.store.signingKey(s.b.c.UserContext())
	if err != nil {
		return ""
	}
	nonce := s.b.c.Cookies(signInCookie)
	if len(nonce) != 43 {
		nonce = newToken()
		s.b.c.Cookie(&fiber.Cookie{Name: signInCookie, Value: nonce, Path: "/", MaxAge: int(s.store.Absolute.Seconds()),
			HTTPOnly: true, Secure: s.store.Secure, SameSite: fiber.CookieSameSiteLaxMode})
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("signin-csrf\x00" + nonce))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// signingKey reads the sign-in key once and keeps it.
func (st *SessionStore) signingKey(ctx context.Context) ([]byte, error) {
	st.keyMu.Lock()
	defer st.keyMu.Unlock()
	if st.key == nil {
		key, err := st.DB.SigningKey(ctx, "signin_csrf")
		if err != nil {
			return nil, err
		}
		st.key = key
	}
	return st.key, nil
}

func (s *state) save() error {
	if err := s.store.Save(s.b.req, s.b, s.sess); err != nil {
		return err
	}
	s.b.flush()
	return nil
}

func current(c *fiber.Ctx) *state {
	s, _ := c.Locals(localSession).(*state)
	return s
}

// CurrentUser returns the signed-in user, or nil.
func CurrentUser(c *fiber.Ctx) *domain.User {
	if s := current(c); s != nil {
		return s.user
	}
	return nil
}

// Actor names the signed-in user in events and audit records.
func Actor(c *fiber.Ctx) string {
	if u := CurrentUser(c); u != nil {
		return u.Email
	}
	return "anonymous"
}

// CSRFToken returns the session's CSRF token, or for a visitor without a
// session the signed sign-in token (signInToken).
func CSRFToken(c *fiber.Ctx) string {
	s := current(c)
	switch {
	case s == nil:
		return ""
	case s.sess.IsNew:
		if s.anonCSRF == "" {
			s.anonCSRF = s.signInToken()
		}
		return s.anonCSRF
	}
	t, _ := s.sess.Values[keyCSRF].(string)
	return t
}

// SignIn ends the visitor's session and starts a new one for u, so that a
// session id known before sign-in is worthless after it.
func SignIn(c *fiber.Ctx, u domain.User) error {
	s := current(c)
	if s == nil {
		return fmt.Errorf("no session loaded")
	}
	if s.sess.ID != "" {
		if err := s.store.DB.DeleteSession(c.UserContext(), hashToken(s.sess.ID)); err != nil {
			return err
		}
	}
	s.sess.ID = ""
	s.sess.Values = map[any]any{
		keyCSRF:     newToken(),
		recordKey{}: record{userID: u.ID},
	}
	s.user = &u
	s.sess.IsNew = false
	return s.save()
}

// SignOut deletes the session row and the cookie.
func SignOut(c *fiber.Ctx) error {
	s := current(c)
	if s == nil {
		return nil
	}
	s.sess.Options.MaxAge = -1
	s.user = nil
	return s.save()
}

// SetFlash stores a one-time message shown on the next page.
func SetFlash(c *fiber.Ctx, msg string) error {
	s := current(c)
	if s == nil {
		return nil
	}
	s.sess.Values[keyFlash] = msg
	return s.save()
}

// TakeFlash returns and clears the flash message.
func TakeFlash(c *fiber.Ctx) (string, error) {
	s := current(c)
	if s == nil {
		return "", nil
	}
	msg, _ := s.sess.Values[keyFlash].(string)
	if msg == "" {
		return "", nil
	}
	delete(s.sess.Values, keyFlash)
	return msg, s.save()
}
