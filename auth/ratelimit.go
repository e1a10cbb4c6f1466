package auth

import "time"

// SignInLimit is the failed sign-in policy: at most Max failures per key in
// Window; past that the key is locked until the oldest failure leaves the
// window.
type SignInLimit struct {
	Window     time.Duration
	PerAccount int
	PerAddress int
}

// DefaultSignInLimit allows 5 failures per account and 20 per client address
// in 15 minutes: enough for typos, too few for guessing.
var DefaultSignInLimit = SignInLimit{Window: 15 * time.Minute, PerAccount: 5, PerAddress: 20}

// AccountKey is the rate-limit key of an account (e-mail, case-folded by the
// caller).
func AccountKey(email string) string { return "account:" + email }

// AddressKey is the rate-limit key of a client address.
func AddressKey(addr string) string { return "addr:" + addr }

// RetryAfter returns how long until a key with these failures (times, oldest
// first, all inside the window) may try again; zero when it may try now.
func (l SignInLimit) RetryAfter(now time.Time, failures []time.Time, max int) time.Duration {
	if len(failures) < max {
		return 0
	}
	// The key may try again once enough failures have aged out that fewer
	// than max remain.
	oldest := failures[len(failures)-max]
	wait := oldest.Add(l.Window).Sub(now)
	if wait < 0 {
		return 0
	}
	return wait
}
