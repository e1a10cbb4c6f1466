package store_test

import (
	"context"
	"database/sql"
	"slices"
	"testing"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/internal/entrytest"
	"github.com/oms/oms/store"
)

// TestItemSearchesAgree runs the same text through the API lookup, the
// entry typeahead and the inventory screen: each shows its own shape, but
// they must agree on which items match.
func TestItemSearchesAgree(t *testing.T) {
	db := newDB(t)
	entrytest.Seed(t)(db)
	ctx := context.Background()
	searches := map[string]func(q string) ([]string, error){
		"LookupItems": func(q string) ([]string, error) {
			res, err := db.LookupItems(ctx, q, 0)
			return collect(res, func(it store.ItemMatch) string { return it.SKU }), err
		},
		"EntryItems": func(q string) ([]string, error) {
			res, err := db.EntryItems(ctx, q, entrytest.Account, "")
			return collect(res, func(it store.EntryItem) string { return it.SKU }), err
		},
		"SearchItems": func(q string) ([]string, error) {
			res, err := db.SearchItems(ctx, q, 50)
			return collect(res, func(it store.ItemSummary) string { return it.SKU }), err
		},
	}
	tests := []struct {
		name, q string
		want    []string
		// entry is what the entry typeahead finds when it differs: it
		// alone knows the customer and so their part numbers.
		entry []string
	}{
		{"SKUPrefix", "fst-1", []string{entrytest.SKUBolt, entrytest.SKUGone}, nil},
		{"SKUExact", entrytest.SKUWire, []string{entrytest.SKUWire}, nil},
		{"DescriptionWord", "nitrile", []string{entrytest.SKUGloves}, nil},
		{"DescriptionWordsAnyOrder", "bolt hex", []string{entrytest.SKUBolt, entrytest.SKUGone}, nil},
		{"DescriptionWordsAllNeeded", "liner brass", nil, nil},
		{"WildcardsAreText", "%", nil, nil},
		{"BuyerPart", "acme-hb", nil, []string{entrytest.SKUBolt}},
		{"None", "zzzz", nil, nil},
	}
	for _, tt := range tests {
		for name, search := range searches {
			t.Run(tt.name+"/"+name, func(t *testing.T) {
				want := tt.want
				if name == "EntryItems" && tt.entry != nil {
					want = tt.entry
				}
				got, err := search(tt.q)
				if err != nil {
					t.Fatal(err)
				}
				slices.Sort(got)
				if !slices.Equal(got, want) {
					t.Fatalf("%s(%q) = %v, want %v", name, tt.q, got, want)
				}
			})
		}
	}
}

// TestCustomerSearchesAgree runs the same text through the API lookup,
// the entry typeahead and the search page's customers section: they must
// agree on which customers match.
func TestCustomerSearchesAgree(t *testing.T) {
	db := newDB(t)
	entrytest.Seed(t)(db)
	ctx := context.Background()
	err := db.Update(ctx, func(tx *sql.Tx) error {
		if _, err := tx.Exec(`UPDATE customers SET email = 'ops@lonestar.test' WHERE account = ?`, entrytest.HoldAccount); err != nil {
			return err
		}
		_, err := tx.Exec(`UPDATE customer_contacts SET email = 'ap@pioneer.test'
			WHERE customer_id = (SELECT id FROM customers WHERE account = ?)`, entrytest.SmallCredit)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	searches := map[string]func(q string) ([]string, error){
		"LookupCustomers": func(q string) ([]string, error) {
			res, err := db.LookupCustomers(ctx, q, 0)
			return collect(res, func(c store.CustomerMatch) string { return c.Account }), err
		},
		"EntryCustomers": func(q string) ([]string, error) {
			res, err := db.EntryCustomers(ctx, q)
			return collect(res, func(c store.EntryCustomerMatch) string { return c.Account }), err
		},
		"SearchCustomers": func(q string) ([]string, error) {
			res, err := db.SearchCustomers(ctx, q, 10)
			return collect(res, func(c domain.CustomerSummary) string { return c.Account }), err
		},
	}
	all := []string{entrytest.Account, entrytest.HoldAccount, entrytest.SmallCredit}
	tests := []struct {
		name, q string
		want    []string
		// wholeNumber is what the order search page finds, which matches
		// whole phone numbers only (through an index); nil: the same as want.
		wholeNumber []string
	}{
		{"AccountExact", "c200", []string{entrytest.HoldAccount}, nil},
		{"AccountPrefix", "C3", []string{entrytest.SmallCredit}, nil},
		{"NameWord", "plumbing", []string{entrytest.SmallCredit}, nil},
		{"NameWords", "lone sta", []string{entrytest.HoldAccount}, nil},
		{"NameTypo", "lone stra", []string{entrytest.HoldAccount}, nil},
		{"NameTypoFullName", "Acme Mechanicla Inc.", []string{entrytest.Account}, nil},
		{"Phone", "2145550142", []string{entrytest.Account}, nil},
		{"PhonePunctuated", "214.555.0142", []string{entrytest.Account}, nil},
		{"PhoneLocalNumber", "555-0199", []string{entrytest.HoldAccount}, []string{}},
		{"PhoneCountryCode", "+1 (717) 555-0123", []string{entrytest.SmallCredit}, nil},
		{"ContactPhone", "972 555 0188", all, nil},
		{"Email", "OPS@lonestar.test", []string{entrytest.HoldAccount}, nil},
		{"ContactEmail", "ap@pioneer.test", []string{entrytest.SmallCredit}, nil},
		{"None", "zzzz", nil, nil},
	}
	for _, tt := range tests {
		for name, search := range searches {
			t.Run(tt.name+"/"+name, func(t *testing.T) {
				got, err := search(tt.q)
				if err != nil {
					t.Fatal(err)
				}
				slices.Sort(got)
				want := tt.want
				if name == "SearchCustomers" && tt.wholeNumber != nil {
					want = tt.wholeNumber
				}
				if !slices.Equal(got, want) {
					t.Fatalf("%s(%q) = %v, want %v", name, tt.q, got, want)
				}
			})
		}
	}
}

// collect maps a search's results to their keys.
func collect[T any](res []T, key func(T) string) []string {
	var out []string
	for _, r := range res {
		out = append(out, key(r))
	}
	return out
}
