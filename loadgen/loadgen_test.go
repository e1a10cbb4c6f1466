package loadgen_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/oms/oms/demo"
	"github.com/oms/oms/domain"
	"github.com/oms/oms/internal/testapp"
	"github.com/oms/oms/loadgen"
	"github.com/oms/oms/store"
	"github.com/oms/oms/web"
)

// demoApp serves the real app on a loopback listener over a small demo
// data set and returns its URL and a sales token.
func demoApp(t *testing.T) (string, string) {
	t.Helper()
	a := testapp.New(t, web.Config{}, func(db *store.DB) {
		if _, err := db.Seed(context.Background(), demo.Config{Seed: demo.DefaultSeed, Orders: 100}, nil); err != nil {
			t.Fatal(err)
		}
	})
	_, token, err := a.DB.CreateToken(context.Background(), "Load generator", domain.RoleSales, 0)
	if err != nil {
		t.Fatal(err)
	}
	return a.Serve(t), token
}

// TestLoadgen drives one demo server (seeding it is the slow part) with
// each mode.
func TestLoadgen(t *testing.T) {
	base, token := demoApp(t)
	t.Run("Intake", func(t *testing.T) {
		rep, err := loadgen.Intake(context.Background(), loadgen.Config{Addr: base, Token: token, Clients: 4,
			Requests: 5, Lines: 5, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Orders.Times) != 4*5 || rep.Orders.ErrorCount() != 0 || rep.Held != 0 {
			t.Fatalf("%d orders, %d held, errors %v (%s)", len(rep.Orders.Times), rep.Held, rep.Orders.Errors, rep.Orders.Example)
		}
		if rep.Customers == 0 || rep.Items < 5 {
			t.Fatalf("%d customers, %d items", rep.Customers, rep.Items)
		}
	})
	t.Run("IntakeRefusedToken", func(t *testing.T) {
		_, err := loadgen.Intake(context.Background(), loadgen.Config{Addr: base, Token: "wrong", Clients: 1,
			Requests: 1, Lines: 5})
		if err == nil {
			t.Fatal("a wrong token must stop the run before it starts")
		}
	})
	// Every kind of search must answer, and the kinds that name a
	// customer or an order (the misspelt name too) must find it.
	t.Run("Search", func(t *testing.T) {
		rep, err := loadgen.Search(context.Background(), loadgen.Config{Addr: base, Email: "csr@demo.test",
			Password: testapp.Password, Clients: 2, Requests: len(loadgen.SearchKinds), Seed: 1}, 20)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, s := range rep.Stats {
			seen[s.Kind] = true
			if s.ErrorCount() != 0 || s.Misses != 0 || len(s.Times) == 0 {
				t.Errorf("%s: %d answers, %d misses, errors %v (%s)", s.Kind, len(s.Times), s.Misses, s.Errors, s.Example)
			}
		}
		for _, k := range loadgen.SearchKinds {
			if !seen[k] {
				t.Errorf("kind %s did not run", k)
			}
		}
	})
}

// TestSignInBurst: thirty wrong passwords at once for one account get
// the account's five tries and then 429 with Retry-After, never a
// session or a server error.
func TestSignInBurst(t *testing.T) {
	base, _ := demoApp(t)
	rep, err := loadgen.SignInBurst(context.Background(), loadgen.Config{Addr: base, Email: "csr@demo.test", Clients: 30}, false)
	if err != nil {
		t.Fatal(err)
	}
	if rep.NoAnswer != 0 || rep.Answers[http.StatusUnauthorized] != 5 || rep.Answers[http.StatusTooManyRequests] != 25 || rep.RetryAfter != 25 {
		t.Fatalf("answers %v, %d with Retry-After, %d without answer", rep.Answers, rep.RetryAfter, rep.NoAnswer)
	}
}

func TestMisspell(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"LongestWord", "Summit Industrial Supply Co.", "Summit Indusrial Supply Co."},
		{"ShortWordsUnchanged", "Ace Co.", "Ace Co."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := loadgen.Misspell(tt.in); got != tt.want {
				t.Fatalf("Misspell(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestTyping(t *testing.T) {
	for name, want := range map[string]string{
		"Louisville branch":                  "Louisville b",
		"Sterling Plumbing & Heating - Main": "Sterling P",
		"Émile Ösby":                         "Émile Ö",
		"Dock":                               "",
		"  Twin   Rivers  ":                  "Twin R",
	} {
		if got := loadgen.Typing(name); got != want {
			t.Errorf("Typing(%q) = %q, want %q", name, got, want)
		}
	}
}
