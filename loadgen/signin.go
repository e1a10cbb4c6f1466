package loadgen

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// SignInReport is what a burst of sign-in attempts got.
type SignInReport struct {
	Attempts int
	// Answers counts the answers by HTTP status.
	Answers map[int]int
	// RetryAfter counts the 429 answers that said when to try again.
	RetryAfter int
	// NoAnswer counts attempts that got no answer within the client's
	// timeout (60 s) or failed on the connection.
	NoAnswer int
	// Elapsed runs from the first POST to the last answer.
	Elapsed             time.Duration
	LoadStart, LoadEnd  string
	Account             string // the account tried, or "" for unknown ones
	SpreadOverAddresses bool
}

// Print writes the report in one line.
func (r SignInReport) Print(w io.Writer) {
	var parts []string
	for _, s := range slices.Sorted(maps.Keys(r.Answers)) {
		parts = append(parts, fmt.Sprintf("%d × %d", r.Answers[s], s))
	}
	who := "unknown accounts"
	if r.Account != "" {
		who = "account " + r.Account
	}
	where := "one address"
	if r.SpreadOverAddresses {
		where = "one X-Forwarded-For address each"
	}
	fmt.Fprintf(w, "sign-in burst: %d wrong passwords at once (%s, %s) in %.1f s: %s; 429 with Retry-After %d; no answer %d (load average %s at start, %s at end)\n",
		r.Attempts, who, where, r.Elapsed.Seconds(), strings.Join(parts, ", "), r.RetryAfter, r.NoAnswer, r.LoadStart, r.LoadEnd)
}

// SignInBurst is issue 9's sign-in burst: it fetches the sign-in form
// cfg.Clients times (a cookie and a CSRF token each, as that many browsers
// would), then sends every POST /login at the same moment with a wrong
// password, for cfg.Email or, when it is empty, for accounts that do not
// exist. With spread each attempt carries its own X-Forwarded-For, so
// that a server that trusts this process as a proxy (OMS_TRUSTED_PROXIES)
// sees that many addresses and only its bound on concurrent password
// checks meets the burst, not the per-address limit.
func SignInBurst(ctx context.Context, cfg Config, spread bool) (SignInReport, error) {
	n := cfg.Clients
	rep := SignInReport{Attempts: n, Answers: map[int]int{}, Account: cfg.Email, SpreadOverAddresses: spread}
	base := cfg.baseURL()
	transport := &http.Transport{MaxIdleConnsPerHost: n, MaxConnsPerHost: 0, IdleConnTimeout: time.Minute}
	defer transport.CloseIdleConnections()
	type attempt struct {
		c    *http.Client
		form url.Values
	}
	attempts := make([]attempt, n)
	for i := range attempts {
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Transport: transport, Jar: jar, Timeout: 60 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/login", nil)
		status, body, _, err := do(c, req)
		if err != nil {
			return rep, fmt.Errorf("sign-in form: %w", err)
		}
		m := csrfField.FindSubmatch(body)
		if status != http.StatusOK || m == nil {
			return rep, fmt.Errorf("sign-in form: %d, no CSRF field", status)
		}
		email := cfg.Email
		if email == "" {
			email = fmt.Sprintf("burst-%d@unknown.example", i)
		}
		attempts[i] = attempt{c: c, form: url.Values{"email": {email}, "password": {"not-the-password"}, "_csrf": {string(m[1])}}}
	}
	rep.LoadStart = LoadAverage()
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, a := range attempts {
		wg.Go(func() {
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/login", strings.NewReader(a.form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if spread {
				req.Header.Set("X-Forwarded-For", fmt.Sprintf("198.18.%d.%d", i/250, i%250+1))
			}
			<-start
			resp, err := a.c.Do(req)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				rep.NoAnswer++
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			rep.Answers[resp.StatusCode]++
			if resp.StatusCode == http.StatusTooManyRequests && resp.Header.Get("Retry-After") != "" {
				rep.RetryAfter++
			}
		})
	}
	t0 := time.Now()
	close(start)
	wg.Wait()
	rep.Elapsed = time.Since(t0)
	rep.LoadEnd = LoadAverage()
	return rep, ctx.Err()
}
