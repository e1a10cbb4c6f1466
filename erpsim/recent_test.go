package erpsim

import (
	"fmt"
	"testing"
)

// TestRecentBounded checks that the simulator's memory of message ids
// keeps the newest n and forgets the oldest, so it stays bounded.
func TestRecentBounded(t *testing.T) {
	r := newRecent(3)
	for i := range 10 {
		if !r.add(fmt.Sprint(i)) {
			t.Fatalf("key %d reported as seen before", i)
		}
		if r.add(fmt.Sprint(i)) {
			t.Fatalf("key %d added twice", i)
		}
	}
	if r.len() != 3 {
		t.Fatalf("remembers %d keys, want 3", r.len())
	}
	if r.add("9") || r.add("8") || r.add("7") {
		t.Fatal("forgot one of the newest keys")
	}
	if !r.add("0") {
		t.Fatal("still remembers the oldest key")
	}
}
