// Package views holds the templ components: pages end in Page, partials that
// htmx swaps have plain names. Components take domain values and small props
// structs; they never reach the database.
package views

import (
	"fmt"
	"strings"
	"time"

	"github.com/oms/oms/domain"
)

// Chrome is what the layout needs on every page.
type Chrome struct {
	User  *domain.User
	CSRF  string
	Nav   string // the active navigation entry
	Flash string
	Query string // the global search box's text
	// LiveMark is where the page's live updates start ("" for none: the
	// page does not listen); AlertAfter is the last exception the
	// operations alert need not mention.
	LiveMark   string
	AlertAfter int64
}

// AssetVersion is appended to static URLs so that they can be cached for a
// long time; web sets it from a hash of the embedded files at start.
var AssetVersion = "dev"

// Asset returns the URL of a static file with its cache-busting version.
func Asset(path string) string { return "/static/" + path + "?v=" + AssetVersion }

// navEntry is one link of the top navigation.
type navEntry struct {
	Key   string
	Label string
	Href  string
	Roles []domain.Role // empty: every role
}

// navEntries lists the screens in the order of the top navigation; an entry
// appears when its screen exists and the role may use it.
var navEntries = []navEntry{
	{Key: "home", Label: "Home", Href: "/"},
	{Key: "orders", Label: "Orders", Href: "/orders"},
	{Key: "entry", Label: "New order", Href: "/orders/new", Roles: []domain.Role{domain.RoleSales}},
	{Key: "import", Label: "Import", Href: "/orders/import", Roles: []domain.Role{domain.RoleSales, domain.RoleOps}},
	{Key: "exceptions", Label: "Exceptions", Href: "/exceptions", Roles: []domain.Role{domain.RoleCSR, domain.RoleOps}},
	{Key: "backorders", Label: "Backorders", Href: "/backorders", Roles: []domain.Role{domain.RoleCSR, domain.RoleOps}},
	{Key: "inventory", Label: "Inventory", Href: "/inventory"},
	{Key: "sourcing", Label: "Sourcing", Href: "/sourcing", Roles: []domain.Role{domain.RoleOps}},
	{Key: "integrations", Label: "Integrations", Href: "/integrations", Roles: []domain.Role{domain.RoleOps}},
	{Key: "admin", Label: "Admin", Href: "/admin/users", Roles: []domain.Role{domain.RoleAdmin}},
}

// adminTabs are the pages of the admin area, shown as tabs under its
// heading; the top navigation's Admin entry opens the first.
var adminTabs = []navEntry{
	{Key: "users", Label: "Users", Href: "/admin/users"},
	{Key: "tokens", Label: "API tokens", Href: "/admin/tokens"},
	{Key: "settings", Label: "Settings", Href: "/admin/settings"},
}

// visibleNav is the navigation the user's role may use.
func visibleNav(u *domain.User) []navEntry {
	var out []navEntry
	for _, e := range navEntries {
		if u == nil {
			continue
		}
		if len(e.Roles) == 0 || domain.RoleIn(u.Role, e.Roles...) {
			out = append(out, e)
		}
	}
	return out
}

func csrfHeaders(token string) string {
	return fmt.Sprintf(`{"X-CSRF-Token": %q}`, token)
}

// Money formats cents as dollars with thousands separators (domain.Money).
func Money(cents int64) string { return domain.Money(cents) }

// Thousands formats n with comma separators (domain.Thousands).
func Thousands(n int64) string { return domain.Thousands(n) }

func statusText(status int) string { return fmt.Sprintf("Error %d", status) }

func homeHint(r domain.Role) string {
	switch r {
	case domain.RoleCSR:
		return "Press / and type an order number, PO, tracking number, SKU, customer, e-mail or phone to answer a call."
	case domain.RoleSales:
		return "Your recent orders and the state of the book."
	case domain.RoleOps:
		return "Orders on hold and backordered come first."
	case domain.RoleAdmin:
		return "Orders across the business; users are under Admin."
	}
	return ""
}

func itoa(n int64) string { return fmt.Sprint(n) }

// The one way screens show dates and times: "Dec 1, 2026" for a date and
// "Dec 1, 2026 14:05 UTC" for a moment, always in UTC and saying so.
const (
	dateLayout     = "Jan 2, 2006"
	dateTimeLayout = "Jan 2, 2006 15:04 MST"
)

// Date shows the UTC calendar date of t; "–" for the zero time.
func Date(t time.Time) string {
	if t.IsZero() {
		return "–"
	}
	return t.UTC().Format(dateLayout)
}

// DateTime shows t to the minute in UTC, with the zone; "–" for the zero
// time.
func DateTime(t time.Time) string {
	if t.IsZero() {
		return "–"
	}
	return t.UTC().Format(dateTimeLayout)
}

// DateYMD shows a stored YYYY-MM-DD date as Date does; "–" when empty, and
// text that is not such a date as it is.
func DateYMD(ymd string) string {
	if strings.TrimSpace(ymd) == "" {
		return "–"
	}
	t, err := time.Parse("2006-01-02", ymd)
	if err != nil {
		return ymd
	}
	return t.Format(dateLayout)
}

// ClockTime shows the time of day of t in UTC with the zone, to the second
// (the entry screen's "Draft saved" line).
func ClockTime(t time.Time) string { return t.UTC().Format("15:04:05 MST") }
