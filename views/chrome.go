// Package views holds the templ components: pages end in Page, partials that
// htmx swaps have plain names. Components take domain values and small props
// structs; they never reach the database.
package views

import (
	"fmt"

	"github.com/oms/oms/domain"
)

// Chrome is what the layout needs on every page.
type Chrome struct {
	User  *domain.User
	CSRF  string
	Nav   string // the active navigation entry
	Flash string
	Query string // the global search box's text
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
