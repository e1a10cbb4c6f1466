package auth

import (
	"context"
	"time"
)

// HashGate bounds how many password hashes run at once. Each argon2id
// check holds 32 MiB while it runs, so without a bound 60 parallel
// sign-in attempts, with or without an account, took the server from
// 84 MB to 2 GB; and on two cores more hashes at once are not faster.
type HashGate struct {
	slots chan struct{}
	wait  time.Duration
}

// DefaultConcurrentHashes and DefaultHashWait are how many hashes run at
// once and how long an attempt waits for a turn before it is turned away.
const (
	DefaultConcurrentHashes = 2
	DefaultHashWait         = 2 * time.Second
)

// NewHashGate lets n hashes run at once; an attempt waits at most wait
// for a turn.
func NewHashGate(n int, wait time.Duration) *HashGate {
	return &HashGate{slots: make(chan struct{}, max(n, 1)), wait: wait}
}

// Enter waits for a turn to hash. It returns the function that ends the
// turn, or ok false when no turn came within the gate's wait (or ctx
// ended): the caller then refuses the attempt as busy.
func (g *HashGate) Enter(ctx context.Context) (leave func(), ok bool) {
	select {
	case g.slots <- struct{}{}:
		return g.leave, true
	default:
	}
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
		return g.leave, true
	case <-t.C:
	case <-ctx.Done():
	}
	return nil, false
}

func (g *HashGate) leave() { <-g.slots }
