// Package testapp starts the real fiber app on a temporary database for
// handler and browser tests, and signs users in through the real forms.
package testapp

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/gofiber/fiber/v2"
	"github.com/oms/oms/domain"
	"github.com/oms/oms/store"
	"github.com/oms/oms/web"
)

// Password is every test user's password.
const Password = "demo1234"

// Users are created in every test app, one per role.
var Users = []store.NewUser{
	{Email: "csr@demo.test", Name: "Casey Rivera", Role: domain.RoleCSR, Password: Password},
	{Email: "sales@demo.test", Name: "Sam Patel", Role: domain.RoleSales, Password: Password},
	{Email: "ops@demo.test", Name: "Olivia Chen", Role: domain.RoleOps, Password: Password},
	{Email: "admin@demo.test", Name: "Alex Morgan", Role: domain.RoleAdmin, Password: Password},
}

// App is the fiber app on a migrated temporary database with the users of
// every role.
type App struct {
	DB  *store.DB
	App *fiber.App
}

// New opens a temporary database, migrates it, creates Users and builds the
// app. Seed, if given, runs before the app is built.
func New(tb testing.TB, cfg web.Config, seed ...func(*store.DB)) *App {
	tb.Helper()
	db, err := store.Open(filepath.Join(tb.TempDir(), "oms.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	ctx := context.Background()
	if _, err := db.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	for _, u := range Users {
		if _, err := db.CreateUser(ctx, u); err != nil {
			tb.Fatal(err)
		}
	}
	for _, s := range seed {
		s(db)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &App{DB: db, App: web.New(db, cfg)}
}

// Client is a browser-like client of the app: it keeps cookies and the CSRF
// token of the last page it read.
type Client struct {
	tb   testing.TB
	app  *fiber.App
	jar  http.CookieJar
	CSRF string
}

// Client returns a new client with an empty cookie jar.
func (a *App) Client(tb testing.TB) *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{tb: tb, app: a.App, jar: jar}
}

var base, _ = url.Parse("http://oms.test/")

var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)"`)

// Do sends a request through the app and returns the response with its
// body read. It records cookies and the page's CSRF token.
func (c *Client) Do(req *http.Request) (*http.Response, string) {
	c.tb.Helper()
	for _, ck := range c.jar.Cookies(base) {
		req.AddCookie(ck)
	}
	resp, err := c.app.Test(req, -1)
	if err != nil {
		c.tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.tb.Fatal(err)
	}
	c.jar.SetCookies(base, resp.Cookies())
	if m := csrfMeta.FindStringSubmatch(string(b)); m != nil {
		c.CSRF = m[1]
	}
	return resp, string(b)
}

// Get fetches a path.
func (c *Client) Get(path string) (*http.Response, string) {
	c.tb.Helper()
	return c.Do(httptest.NewRequest(http.MethodGet, path, nil))
}

// HTMX fetches a path as htmx would.
func (c *Client) HTMX(method, path string, form url.Values) (*http.Response, string) {
	c.tb.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
	req.Header.Set("HX-Request", "true")
	req.Header.Set("X-CSRF-Token", c.CSRF)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return c.Do(req)
}

// PostForm posts a form with the client's CSRF token in _csrf (unless form
// already has one).
func (c *Client) PostForm(path string, form url.Values) (*http.Response, string) {
	c.tb.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["_csrf"]; !ok {
		form.Set("_csrf", c.CSRF)
	}
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.Do(req)
}

// SignIn signs in through the real form and fails the test if it does not
// land on the home page.
func (c *Client) SignIn(email string) {
	c.tb.Helper()
	c.Get("/login")
	resp, _ := c.PostForm("/login", url.Values{"email": {email}, "password": {Password}})
	if resp.StatusCode != http.StatusSeeOther {
		c.tb.Fatalf("sign in as %s: status %d", email, resp.StatusCode)
	}
	c.Get("/")
}

// Doc parses HTML for goquery assertions.
func Doc(tb testing.TB, body string) *goquery.Document {
	tb.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	return d
}
