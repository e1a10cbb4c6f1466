package web_test

import (
	"database/sql"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oms/oms/auth"
	"github.com/oms/oms/internal/testapp"
	"github.com/oms/oms/web"
)

func TestSignIn(t *testing.T) {
	a := testapp.New(t, web.Config{})
	t.Run("OK", func(t *testing.T) {
		c := a.Client(t)
		c.SignIn("ops@demo.test")
		_, body := c.Get("/")
		d := testapp.Doc(t, body)
		if got := d.Find(`[data-testid="current-role"]`).Text(); got != "Operations" {
			t.Fatalf("role = %q", got)
		}
		if d.Find(`[data-testid="status-count"]`).Length() == 0 {
			t.Fatal("no status counts on the home page")
		}
	})
	t.Run("WrongPassword", func(t *testing.T) {
		c := a.Client(t)
		c.Get("/login")
		resp, body := c.PostForm("/login", url.Values{"email": {"csr@demo.test"}, "password": {"wrong-password"}})
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("status %d", resp.StatusCode)
		}
		if !strings.Contains(body, "do not match") {
			t.Fatal("no error message")
		}
		resp, _ = c.Get("/")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
			t.Fatalf("home after failed sign-in: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
	t.Run("NewSessionIDAtSignIn", func(t *testing.T) {
		c := a.Client(t)
		c.Get("/login")
		resp, _ := c.PostForm("/login", url.Values{"email": {"csr@demo.test"}, "password": {testapp.Password}})
		before := sessionCookie(resp)
		c.Get("/")
		resp, _ = c.PostForm("/login", url.Values{"email": {"csr@demo.test"}, "password": {testapp.Password}})
		after := sessionCookie(resp)
		if before == "" || after == "" || before == after {
			t.Fatalf("session id not renewed: %q -> %q", before, after)
		}
	})
	t.Run("VisitorsGetNoSessionRow", func(t *testing.T) {
		rows := func() int {
			var n int
			if err := a.DB.View(t.Context(), func(tx *sql.Tx) error { return tx.QueryRow(`SELECT count(*) FROM sessions`).Scan(&n) }); err != nil {
				t.Fatal(err)
			}
			return n
		}
		start := rows()
		for _, path := range []string{"/login", "/", "/orders", "/no/such/page", "/login?next=/orders"} {
			for range 5 {
				resp, _ := a.Client(t).Get(path)
				if sessionCookie(resp) != "" {
					t.Fatalf("GET %s without a cookie set a session cookie", path)
				}
			}
		}
		if n := rows(); n != start {
			t.Fatalf("%d session rows written for visitors' page views", n-start)
		}
		c := a.Client(t)
		c.SignIn("csr@demo.test")
		if n := rows(); n != start+1 {
			t.Fatalf("sign-in made %d session rows, want 1", n-start)
		}
	})
	t.Run("SignInTokenIsTheBrowsers", func(t *testing.T) {
		// A token from another visitor's form does not sign this one in.
		other := a.Client(t)
		other.Get("/login")
		c := a.Client(t)
		c.Get("/login")
		if c.CSRF == "" || c.CSRF == other.CSRF {
			t.Fatalf("tokens %q and %q", c.CSRF, other.CSRF)
		}
		resp, _ := c.PostForm("/login", url.Values{"_csrf": {other.CSRF}, "email": {"csr@demo.test"}, "password": {testapp.Password}})
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("status %d, want 403", resp.StatusCode)
		}
	})
	t.Run("SignOutEndsSession", func(t *testing.T) {
		c := a.Client(t)
		c.SignIn("csr@demo.test")
		resp, _ := c.PostForm("/logout", nil)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("logout status %d", resp.StatusCode)
		}
		resp, _ = c.Get("/")
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("home after sign-out: %d", resp.StatusCode)
		}
	})
}

func sessionCookie(resp *http.Response) string {
	for _, c := range resp.Cookies() {
		if c.Name == "oms_session" {
			return c.Value
		}
	}
	return ""
}

func TestSignInRedirect(t *testing.T) {
	a := testapp.New(t, web.Config{})
	tests := []struct{ name, next, want string }{
		{"OK", "/orders?q=acme", "/orders?q=acme"},
		{"ErrOtherSite", "//evil.test/", "/"},
		{"ErrAbsolute", "https://evil.test/", "/"},
		{"ErrBackslash", "/\\evil.test/", "/"},
		{"ErrBackslashLater", "/x/..\\..\\/evil", "/"},
		{"ErrTab", "/\t/evil.test/", "/"},
		{"ErrNewline", "/\n/evil.test/", "/"},
		{"ErrLogin", "/login", "/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := a.Client(t)
			c.Get("/login")
			resp, _ := c.PostForm("/login", url.Values{"email": {"csr@demo.test"}, "password": {testapp.Password}, "next": {tt.next}})
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != tt.want {
				t.Fatalf("next %q: status %d, Location %q, want %q", tt.next, resp.StatusCode, resp.Header.Get("Location"), tt.want)
			}
		})
	}
}

func TestRateLimit(t *testing.T) {
	a := testapp.New(t, web.Config{SignInLimit: auth.SignInLimit{Window: auth.DefaultSignInLimit.Window, PerAccount: 3, PerAddress: 100}})
	c := a.Client(t)
	c.Get("/login")
	for i := 0; i < 3; i++ {
		c.PostForm("/login", url.Values{"email": {"sales@demo.test"}, "password": {"nope-nope"}})
	}
	resp, body := c.PostForm("/login", url.Values{"email": {"sales@demo.test"}, "password": {testapp.Password}})
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("status %d, want 429", resp.StatusCode)
	}
	if !strings.Contains(body, "Too many failed sign-ins") || resp.Header.Get("Retry-After") == "" {
		t.Fatal("no rate-limit message or Retry-After")
	}
}

// TestSignInBurst sends parallel wrong passwords for one account: the
// limit counts each attempt before its password is hashed, so only the
// first five are checked, and the right password after them is refused.
// Counted after the hash, every attempt of the burst passed the check.
func TestSignInBurst(t *testing.T) {
	// The attempts wait as long as it takes for a turn to hash, so that on
	// a loaded machine none is turned away as busy and only the limit
	// decides.
	a := testapp.New(t, web.Config{SignInHashWait: 10 * time.Minute})
	const burst = 24
	clients := make([]*testapp.Client, burst)
	for i := range clients {
		clients[i] = a.Client(t)
		clients[i].Get("/login")
	}
	statuses := make(chan int, burst)
	var wg sync.WaitGroup
	for _, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, _ := c.PostForm("/login", url.Values{"email": {"sales@demo.test"}, "password": {"not-the-password"}})
			statuses <- resp.StatusCode
		}()
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for s := range statuses {
		count[s]++
	}
	if count[http.StatusUnauthorized] != auth.DefaultSignInLimit.PerAccount || count[http.StatusTooManyRequests] != burst-auth.DefaultSignInLimit.PerAccount {
		t.Fatalf("statuses %v: want %d × 401 and the rest 429", count, auth.DefaultSignInLimit.PerAccount)
	}
	c := a.Client(t)
	c.Get("/login")
	resp, _ := c.PostForm("/login", url.Values{"email": {"sales@demo.test"}, "password": {testapp.Password}})
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("right password after the burst: status %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
}

func TestCSRF(t *testing.T) {
	a := testapp.New(t, web.Config{})
	c := a.Client(t)
	c.SignIn("admin@demo.test")
	form := url.Values{"email": {"new@demo.test"}, "name": {"New Person"}, "role": {"csr"}, "password": {"longenough"}}
	tests := []struct {
		name  string
		token string
	}{
		{"Missing", ""},
		{"Wrong", "not-the-token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := url.Values{}
			for k, v := range form {
				f[k] = v
			}
			f.Set("_csrf", tt.token)
			resp, _ := c.PostForm("/admin/users", f)
			if resp.StatusCode != http.StatusForbidden {
				t.Fatalf("status %d, want 403", resp.StatusCode)
			}
			users, _ := a.DB.Users(t.Context())
			for _, u := range users {
				if u.Email == "new@demo.test" {
					t.Fatal("user created without a valid CSRF token")
				}
			}
		})
	}
	t.Run("LoginWithoutToken", func(t *testing.T) {
		anon := a.Client(t)
		anon.Get("/login")
		resp, _ := anon.PostForm("/login", url.Values{"_csrf": {""}, "email": {"csr@demo.test"}, "password": {testapp.Password}})
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("status %d, want 403", resp.StatusCode)
		}
	})
	t.Run("TokenInURLRefused", func(t *testing.T) {
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		f.Set("email", "url-token@demo.test")
		f.Set("_csrf", "")
		resp, _ := c.PostForm("/admin/users?_csrf="+url.QueryEscape(c.CSRF), f)
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("status %d, want 403 for a token in the URL", resp.StatusCode)
		}
	})
	t.Run("HeaderToken", func(t *testing.T) {
		resp, _ := c.HTMX(http.MethodPost, "/admin/users", form)
		if resp.StatusCode != http.StatusNoContent || resp.Header.Get("HX-Redirect") != "/admin/users" {
			t.Fatalf("status %d redirect %q", resp.StatusCode, resp.Header.Get("HX-Redirect"))
		}
	})
}

func TestRoles(t *testing.T) {
	a := testapp.New(t, web.Config{})
	tests := []struct {
		name   string
		email  string
		method string
		path   string
		want   int
	}{
		{"CSRCannotSeeUsers", "csr@demo.test", http.MethodGet, "/admin/users", http.StatusForbidden},
		{"CSRCannotCreateUser", "csr@demo.test", http.MethodPost, "/admin/users", http.StatusForbidden},
		{"OpsCannotResetPassword", "ops@demo.test", http.MethodPost, "/admin/users/1/password", http.StatusForbidden},
		{"AdminSeesUsers", "admin@demo.test", http.MethodGet, "/admin/users", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := a.Client(t)
			c.SignIn(tt.email)
			var resp *http.Response
			if tt.method == http.MethodGet {
				resp, _ = c.Get(tt.path)
			} else {
				resp, _ = c.PostForm(tt.path, url.Values{"email": {"x@demo.test"}, "name": {"X"}, "role": {"admin"}, "password": {"longenough"}})
			}
			if resp.StatusCode != tt.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.want)
			}
		})
	}
}

func TestAdminUsers(t *testing.T) {
	a := testapp.New(t, web.Config{})
	c := a.Client(t)
	c.SignIn("admin@demo.test")
	t.Run("ErrInvalid", func(t *testing.T) {
		resp, body := c.PostForm("/admin/users", url.Values{"email": {"not-an-email"}, "name": {""}, "role": {"boss"}, "password": {"short"}})
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("status %d", resp.StatusCode)
		}
		d := testapp.Doc(t, body)
		for _, f := range []string{"email", "name", "role", "password"} {
			if d.Find(`[data-testid="error-`+f+`"]`).Length() == 0 {
				t.Errorf("no error for %s", f)
			}
		}
	})
	t.Run("CreateAndSignIn", func(t *testing.T) {
		resp, _ := c.PostForm("/admin/users", url.Values{"email": {"pat@demo.test"}, "name": {"Pat Lee"}, "role": {"sales"}, "password": {"longenough"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %d", resp.StatusCode)
		}
		n := a.Client(t)
		n.Get("/login")
		resp, _ = n.PostForm("/login", url.Values{"email": {"pat@demo.test"}, "password": {"longenough"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("new user sign-in: %d", resp.StatusCode)
		}
	})
	t.Run("ResetPasswordEndsSessions", func(t *testing.T) {
		victim := a.Client(t)
		victim.SignIn("sales@demo.test")
		users, _ := a.DB.Users(t.Context())
		var id int64
		for _, u := range users {
			if u.Email == "sales@demo.test" {
				id = u.ID
			}
		}
		resp, _ := c.PostForm("/admin/users/"+itoa(id)+"/password", url.Values{"password": {"brand-new-pass"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("reset status %d", resp.StatusCode)
		}
		resp, _ = victim.Get("/")
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("old session still works after reset: %d", resp.StatusCode)
		}
	})
}

func TestHeadersAndPages(t *testing.T) {
	a := testapp.New(t, web.Config{BodyLimit: 1024})
	c := a.Client(t)
	t.Run("SecurityHeaders", func(t *testing.T) {
		resp, _ := c.Get("/login")
		csp := resp.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Fatalf("CSP = %q", csp)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Referrer-Policy") == "" {
			t.Fatal("missing nosniff or Referrer-Policy")
		}
	})
	t.Run("Healthz", func(t *testing.T) {
		resp, body := c.Get("/healthz")
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"status":"ok"`) {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
	})
	t.Run("NotFound", func(t *testing.T) {
		c.SignIn("csr@demo.test")
		resp, body := c.Get("/no/such/page")
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "Page not found") {
			t.Fatalf("%d", resp.StatusCode)
		}
	})
	t.Run("HTMXErrorIsAlert", func(t *testing.T) {
		resp, body := c.HTMX(http.MethodGet, "/admin/users", nil)
		if resp.StatusCode != http.StatusForbidden || resp.Header.Get("HX-Retarget") != "#alerts" || !strings.Contains(body, `role="alert"`) {
			t.Fatalf("%d %q", resp.StatusCode, resp.Header.Get("HX-Retarget"))
		}
	})
	t.Run("BodyTooLarge", func(t *testing.T) {
		// fasthttp refuses an oversized body before fiber sees it, so this
		// goes through a real listener.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		go a.App.Listener(ln)
		t.Cleanup(func() { a.App.Shutdown() })
		resp, err := http.Post("http://"+ln.Addr().String()+"/login", "application/x-www-form-urlencoded", strings.NewReader("email="+strings.Repeat("x", 4096)))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("status %d, want 413", resp.StatusCode)
		}
	})
	t.Run("StaticCached", func(t *testing.T) {
		resp, _ := c.Get("/static/css/app.css")
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Cache-Control"), "max-age") {
			t.Fatalf("%d %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestAnonymousAPIStartsNoSession(t *testing.T) {
	a := testapp.New(t, web.Config{})
	c := a.Client(t)
	resp, body := c.Get("/api/v1/orders?q=x")
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, `"error"`) {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	if sessionCookie(resp) != "" {
		t.Fatal("an anonymous API call got a session cookie")
	}
}
