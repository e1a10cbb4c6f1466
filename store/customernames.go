package store

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"unicode"
	"unicode/utf8"
)

// Typo tolerance of the customer search: when no account, name word,
// e-mail or phone matches, the text is compared with every customer's name
// by trigrams, the three-letter pieces of its words ("industral" shares 8
// of its 10 with "industrial"). A name matches when it holds at least
// fuzzyMinScore of the text's trigrams; the best matches come first.
const (
	// fuzzyMinScore is the share of the text's trigrams a name must hold.
	// One wrong, missing or swapped letter in a word of eight loses three
	// or four of its ten trigrams; a name with only one of two words in
	// common holds well under half.
	fuzzyMinScore = 0.6
	// fuzzyMargin keeps only the names within this share of the best
	// match, so that a near-exact name is not listed with loose ones.
	fuzzyMargin = 0.1
	// fuzzyMinGrams is the fewest trigrams a text needs to be compared:
	// two or three letters say too little to guess what was meant.
	fuzzyMinGrams = 4
)

// customerNames is an index from trigram to the customers whose name holds
// it, for every customer, as of one value of the customer_names counter
// (migration 0020). About 20,000 names fit in a few megabytes, and
// counting shared trigrams in memory takes well under a millisecond, where
// the same count in SQL reads tens of thousands of index entries.
type customerNames struct {
	version  int64
	ids      []int64
	names    []string
	active   []bool
	grams    []int32 // distinct trigrams of each name
	postings map[uint64][]int32
}

// customerNameIndex returns the name index as of the caller's transaction:
// the copy in memory when the counter has not moved since it was built,
// else a new one, built from the transaction's own view of customers. The
// index is shared and must not be modified.
func (db *DB) customerNameIndex(ctx context.Context, q querier) (*customerNames, error) {
	var v int64
	if err := q.QueryRowContext(ctx, `SELECT value FROM sequences WHERE name = 'customer_names'`).Scan(&v); err != nil {
		return nil, fmt.Errorf("read customer names version: %w", err)
	}
	if n := db.names.Load(); n != nil && n.version == v {
		return n, nil
	}
	// One builder at a time: after a change, every search waiting here
	// would otherwise read all customers at once.
	db.namesMu.Lock()
	defer db.namesMu.Unlock()
	if n := db.names.Load(); n != nil && n.version == v {
		return n, nil
	}
	rows, err := q.QueryContext(ctx, `SELECT id, name, active FROM customers ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("read customer names: %w", err)
	}
	defer rows.Close()
	n := &customerNames{version: v, postings: map[uint64][]int32{}}
	var grams []uint64
	for rows.Next() {
		var id int64
		var name string
		var active bool
		if err := rows.Scan(&id, &name, &active); err != nil {
			return nil, err
		}
		at := int32(len(n.ids))
		grams = wordTrigrams(grams[:0], name, false)
		distinct := int32(0)
		for _, g := range grams {
			// A trigram seen before in this name already points here.
			if p := n.postings[g]; len(p) == 0 || p[len(p)-1] != at {
				n.postings[g] = append(p, at)
				distinct++
			}
		}
		n.ids = append(n.ids, id)
		n.names = append(n.names, name)
		n.active = append(n.active, active)
		n.grams = append(n.grams, distinct)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// A reader of an older snapshot builds its own copy and leaves the
	// newer one in place.
	if old := db.names.Load(); old == nil || old.version < v {
		db.names.Store(n)
	}
	return n, nil
}

// similar returns the ids of the customers whose names are most like text,
// at most limit, best first: by the share of the text's trigrams the name
// holds, then by the share of the name's trigrams the text holds (so that
// "Summit Electric" ranks "Summit Electric" above "Summit Electric Supply
// Co."), then active before inactive, then by name.
func (n *customerNames) similar(text string, limit int) []int64 {
	grams := nameTrigrams(text, !endsWord(text))
	if len(grams) < fuzzyMinGrams || limit <= 0 {
		return nil
	}
	counts := make([]int32, len(n.ids))
	for _, g := range grams {
		for _, at := range n.postings[g] {
			counts[at]++
		}
	}
	least := int32(math.Ceil(fuzzyMinScore * float64(len(grams))))
	best := int32(0)
	var found []int32
	for at, c := range counts {
		if c >= least {
			found = append(found, int32(at))
			best = max(best, c)
		}
	}
	least = max(least, int32(math.Ceil((float64(best)/float64(len(grams))-fuzzyMargin)*float64(len(grams)))))
	found = slices.DeleteFunc(found, func(at int32) bool { return counts[at] < least })
	slices.SortFunc(found, func(a, b int32) int {
		if c := cmp.Compare(counts[b], counts[a]); c != 0 {
			return c
		}
		// counts[a]/grams[a] against counts[b]/grams[b], without division.
		if c := cmp.Compare(int64(counts[b])*int64(n.grams[a]), int64(counts[a])*int64(n.grams[b])); c != 0 {
			return c
		}
		if n.active[a] != n.active[b] {
			if n.active[a] {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(n.names[a], n.names[b]), cmp.Compare(n.ids[a], n.ids[b]))
	})
	out := make([]int64, 0, min(limit, len(found)))
	for _, at := range found[:min(limit, len(found))] {
		out = append(out, n.ids[at])
	}
	return out
}

// nameTrigrams returns the distinct trigrams of the words of s (runs of
// letters and digits, lower-cased), each word padded as "  word " so that
// its first letters and its end count too. With prefix the last word may
// be unfinished (the CSR is still typing), so its end is left out.
func nameTrigrams(s string, prefix bool) []uint64 {
	out := wordTrigrams(make([]uint64, 0, len(s)+8), s, prefix)
	slices.Sort(out)
	return slices.Compact(out)
}

// wordTrigrams appends the trigrams of the words of s to out in text
// order, repeats included. It reads s once: building the index calls it
// for every customer, and splitting, lower-casing and padding each word as
// strings took half of a rebuild.
func wordTrigrams(out []uint64, s string, prefix bool) []uint64 {
	trigram := func(a, b, c rune) uint64 { return uint64(a)<<42 | uint64(b)<<21 | uint64(c) }
	a, b := ' ', ' ' // the two runes before r, spaces before a word
	inWord := false
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if !inWord {
				a, b, inWord = ' ', ' ', true
			}
			r = unicode.ToLower(r)
			out = append(out, trigram(a, b, r))
			a, b = b, r
		} else if inWord {
			out = append(out, trigram(a, b, ' '))
			inWord = false
		}
	}
	if inWord && !prefix {
		out = append(out, trigram(a, b, ' '))
	}
	return out
}

// endsWord reports whether text ends after a finished word: with a space or
// punctuation ("Supply Co."), not in the middle of one.
func endsWord(text string) bool {
	r, size := utf8.DecodeLastRuneInString(text)
	return size > 0 && !unicode.IsLetter(r) && !unicode.IsDigit(r)
}
