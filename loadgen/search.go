package loadgen

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/oms/oms/store"
	"github.com/oms/oms/wire"
)

// SearchKinds are the kinds of Search, in the order it reports them: the
// search box with each kind of key, then the order page.
var SearchKinds = []string{"number", "po", "tracking", "sku", "account", "customer_word", "customer_full_name",
	"customer_typo", "ship_to_name", "ship_to_typing", "email", "phone", "order_page"}

// SearchKeys are real keys of sampled orders, by kind, each with the
// account whose orders the search must show (for the kinds that name a
// customer) or the order it must open (number, PO, tracking).
type SearchKeys map[string][]SearchKey

// SearchKey is one search and what it must find.
type SearchKey struct {
	Q string
	// Want is a text the answer must hold (an account or an order
	// number), or "" when a page of 50 newest matches need not hold the
	// sampled order (a SKU or ship-to name shared by thousands).
	Want string
}

// SearchReport is the outcome of Search.
type SearchReport struct {
	Elapsed   time.Duration
	Samples   int
	Stats     []*Stats
	LoadStart string
	LoadEnd   string
}

// Print writes the report.
func (r SearchReport) Print(w io.Writer) {
	fmt.Fprintf(w, "search: keys of %d orders; load average %s at start, %s at end\n", r.Samples, r.LoadStart, r.LoadEnd)
	printTable(w, r.Elapsed, r.Stats)
}

// Search signs in as cfg.Email, samples orders spread over the whole
// order book through the order API, and then has cfg.Clients clients
// run, for cfg.Duration, the search box (GET /orders?q= as the live search
// sends it, with HX-Request) with every kind of key in turn and the order
// page (GET /orders/{number}). A customer search that does not show the
// customer's account, or an exact key that does not open its order, counts
// as a miss.
func Search(ctx context.Context, cfg Config, samples int) (SearchReport, error) {
	var rep SearchReport
	client := newClient(cfg.Clients)
	jar, _ := cookiejar.New(nil)
	client.Jar = jar
	base := cfg.baseURL()
	if err := signIn(ctx, client, base, cfg.Email, cfg.Password); err != nil {
		return rep, err
	}
	keys, err := sampleKeys(ctx, apiClient{c: client, base: base}, samples, cfg.Seed)
	if err != nil {
		return rep, err
	}
	rep.Samples = len(keys["number"])
	rngs := make([]*rand.Rand, cfg.Clients)
	next := make([]int, cfg.Clients)
	for i := range rngs {
		rngs[i] = rand.New(rand.NewPCG(cfg.Seed, uint64(i)))
		next[i] = i // clients start on different kinds
	}
	rep.LoadStart = LoadAverage()
	start := time.Now()
	rep.Stats = run(ctx, cfg, func(ctx context.Context, c int, stats func(string) *Stats) {
		kind := SearchKinds[next[c]%len(SearchKinds)]
		next[c]++
		ks := keys[kind]
		if kind == "order_page" {
			ks = keys["number"]
		}
		if len(ks) == 0 {
			return
		}
		k := ks[rngs[c].IntN(len(ks))]
		path := "/orders?q=" + url.QueryEscape(k.Q)
		if kind == "order_page" {
			path = "/orders/" + url.PathEscape(k.Q)
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
		if kind != "order_page" {
			req.Header.Set("HX-Request", "true")
		}
		s := stats(kind)
		t := time.Now()
		status, body, header, err := do(client, req)
		switch {
		case ctx.Err() != nil:
		case err != nil:
			s.fail("transport", err.Error())
		case status >= 300:
			s.fail(strconv.Itoa(status), snippet(body))
		default:
			s.Times = append(s.Times, time.Since(t))
			if k.Want != "" && !strings.Contains(string(body), k.Want) && !strings.Contains(header.Get("HX-Redirect"), k.Want) {
				s.Misses++
			}
		}
	})
	rep.Elapsed = time.Since(start)
	rep.LoadEnd = LoadAverage()
	// Report every kind, in order, even one that had no keys.
	byKind := map[string]*Stats{}
	for _, s := range rep.Stats {
		byKind[s.Kind] = s
	}
	rep.Stats = rep.Stats[:0]
	for _, k := range SearchKinds {
		if s := byKind[k]; s != nil {
			rep.Stats = append(rep.Stats, s)
		}
	}
	return rep, nil
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// signIn signs in through the login form, leaving the session cookie in
// the client's jar.
func signIn(ctx context.Context, c *http.Client, base, email, password string) error {
	if email == "" {
		return fmt.Errorf("search needs a person to sign in as (--email and --password)")
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/login", nil)
	status, body, _, err := do(c, req)
	if err != nil {
		return fmt.Errorf("sign-in form: %w", err)
	}
	m := csrfField.FindSubmatch(body)
	if status != http.StatusOK || m == nil {
		return fmt.Errorf("sign-in form: %d, no CSRF field", status)
	}
	form := url.Values{"email": {email}, "password": {password}, "_csrf": {string(m[1])}}
	req, _ = http.NewRequestWithContext(ctx, http.MethodPost, base+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("sign in: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		return fmt.Errorf("sign in as %s: %d; check the e-mail and password", email, resp.StatusCode)
	}
	return nil
}

// sampleKeys reads n orders with numbers drawn at random between the
// oldest and the newest (order numbers are PREFIX-N), so that the keys
// come from the whole order book and not only from recent, cached pages.
func sampleKeys(ctx context.Context, api apiClient, n int, seed uint64) (SearchKeys, error) {
	var newest, oldest struct {
		Orders []struct {
			Number string `json:"number"`
		} `json:"orders"`
	}
	if err := api.getJSON(ctx, "/api/v1/orders?limit=1", &newest); err != nil {
		return nil, err
	}
	if err := api.getJSON(ctx, "/api/v1/orders?limit=1&sort=oldest", &oldest); err != nil {
		return nil, err
	}
	if len(newest.Orders) == 0 {
		return nil, fmt.Errorf("the server has no orders to search")
	}
	prefix, hi, okHi := numberParts(newest.Orders[0].Number)
	_, lo, okLo := numberParts(oldest.Orders[0].Number)
	r := rand.New(rand.NewPCG(seed, 99))
	keys := SearchKeys{}
	emails := map[string]store.CustomerMatch{}
	for tries := 0; len(keys["number"]) < n && tries < n*3; tries++ {
		number := newest.Orders[0].Number
		if okHi && okLo && hi > lo {
			number = prefix + strconv.FormatInt(lo+r.Int64N(hi-lo+1), 10)
		}
		var o wire.Order
		if err := api.getJSON(ctx, "/api/v1/orders/"+url.PathEscape(number), &o); err != nil {
			if strings.Contains(err.Error(), ": 404") {
				continue
			}
			return nil, err
		}
		c, ok := emails[o.Customer.Account]
		if !ok {
			var res struct{ Customers []store.CustomerMatch }
			if err := api.getJSON(ctx, "/api/v1/customers?limit=1&q="+url.QueryEscape(o.Customer.Account), &res); err != nil {
				return nil, err
			}
			if len(res.Customers) > 0 {
				c = res.Customers[0]
			}
			emails[o.Customer.Account] = c
		}
		add := func(kind, q, want string) {
			if strings.TrimSpace(q) != "" {
				keys[kind] = append(keys[kind], SearchKey{Q: q, Want: want})
			}
		}
		acct := o.Customer.Account
		add("number", o.Number, o.Number)
		add("po", o.CustomerPO, "")
		for _, g := range o.Groups {
			if g.TrackingNumber != "" {
				add("tracking", g.TrackingNumber, o.Number)
				break
			}
		}
		if len(o.Lines) > 0 {
			add("sku", o.Lines[0].SKU, "")
		}
		add("account", acct, acct)
		if f := strings.Fields(o.Customer.Name); len(f) > 0 {
			add("customer_word", f[0], "")
		}
		add("customer_full_name", o.Customer.Name, acct)
		if typo := Misspell(o.Customer.Name); typo != o.Customer.Name {
			add("customer_typo", typo, acct)
		}
		if f := strings.Fields(o.ShipTo.Name); len(f) > 0 {
			add("ship_to_name", strings.Join(f[:min(2, len(f))], " "), "")
		}
		if typing := Typing(o.ShipTo.Name); typing != "" {
			add("ship_to_typing", typing, "")
		}
		add("email", c.Email, acct)
		add("phone", digitsOnly(c.Phone), acct)
	}
	if len(keys["number"]) == 0 {
		return nil, fmt.Errorf("found no orders to sample between %s and %s", oldest.Orders[0].Number, newest.Orders[0].Number)
	}
	return keys, nil
}

// numberParts splits an order number like SO-100042 into "SO-" and 100042.
func numberParts(number string) (string, int64, bool) {
	i := strings.LastIndexFunc(number, func(r rune) bool { return !unicode.IsDigit(r) }) + 1
	n, err := strconv.ParseInt(number[i:], 10, 64)
	return number[:i], n, err == nil
}

func digitsOnly(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// Typing returns the text of a CSR caught typing a ship-to name: its first
// word and the first letter of the second ("Louisville b"), the slowest
// prefix to match, since one letter starts many words. A name of one
// word gives "".
func Typing(name string) string {
	f := strings.Fields(name)
	if len(f) < 2 {
		return ""
	}
	r, _ := utf8.DecodeRuneInString(f[1])
	return f[0] + " " + string(r)
}

// Misspell returns name with one letter left out of its longest word (of
// at least five letters), the way a hurried CSR mistypes a company name:
// "Summit Industrial Supply Co." becomes "Summit Indusrial Supply Co.".
// A name without such a word comes back unchanged.
func Misspell(name string) string {
	words := strings.Fields(name)
	at := -1
	for i, w := range words {
		if len([]rune(w)) >= 5 && (at < 0 || len([]rune(w)) > len([]rune(words[at]))) {
			at = i
		}
	}
	if at < 0 {
		return name
	}
	r := []rune(words[at])
	k := len(r) / 2
	words[at] = string(r[:k]) + string(r[k+1:])
	return strings.Join(words, " ")
}
