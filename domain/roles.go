package domain

// Role is what a user or an API token may do.
type Role string

// The roles of DESIGN.md.
const (
	RoleCSR   Role = "csr"
	RoleSales Role = "sales"
	RoleOps   Role = "ops"
	RoleAdmin Role = "admin"
)

// Roles lists every role in display order.
var Roles = []Role{RoleCSR, RoleSales, RoleOps, RoleAdmin}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// Label is the role's name for people.
func (r Role) Label() string {
	switch r {
	case RoleCSR:
		return "Customer service"
	case RoleSales:
		return "Inside sales"
	case RoleOps:
		return "Operations"
	case RoleAdmin:
		return "Administrator"
	}
	return string(r)
}

// RoleIn reports whether r is one of allowed. Admin is allowed everywhere.
func RoleIn(r Role, allowed ...Role) bool {
	if r == RoleAdmin {
		return true
	}
	for _, a := range allowed {
		if r == a {
			return true
		}
	}
	return false
}

// User is a person who signs in.
type User struct {
	ID     int64
	Email  string
	Name   string
	Role   Role
	Active bool
}
