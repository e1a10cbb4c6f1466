package domain

import "strings"

// HoldReasons lists every hold reason in display order.
var HoldReasons = []string{"credit", "address", "price", "duplicate_po", "fraud", "manual", "edi_review"}

// DefaultHoldReleaseRoles says who may release a hold of each reason until
// an administrator changes it (admin always may). Customer service may
// clear what it can check on the phone (an address, a duplicate PO, a
// manual hold); credit and fraud need operations.
var DefaultHoldReleaseRoles = map[string][]Role{
	"credit":       {RoleOps},
	"address":      {RoleCSR, RoleSales, RoleOps},
	"price":        {RoleSales, RoleOps},
	"duplicate_po": {RoleCSR, RoleSales, RoleOps},
	"fraud":        {RoleOps},
	"manual":       {RoleCSR, RoleOps},
	"edi_review":   {RoleOps},
}

// HoldReleaseSettingKey is the run-time setting that overrides
// DefaultHoldReleaseRoles for a reason; its value is a comma-separated
// list of roles.
func HoldReleaseSettingKey(reason string) string { return "hold_release." + reason }

// ParseRoles reads a comma-separated list of roles, skipping unknown ones.
func ParseRoles(s string) []Role {
	var out []Role
	for _, p := range strings.Split(s, ",") {
		if r := Role(strings.TrimSpace(p)); r.Valid() {
			out = append(out, r)
		}
	}
	return out
}

// FormatRoles writes roles as ParseRoles reads them.
func FormatRoles(roles []Role) string {
	s := make([]string, len(roles))
	for i, r := range roles {
		s[i] = string(r)
	}
	return strings.Join(s, ",")
}

// SLAReleaseHoursSetting is the run-time setting for how many hours after
// capture an order that is not released breaches its SLA.
const SLAReleaseHoursSetting = "sla.release_hours"

// DefaultSLAReleaseHours is SLAReleaseHoursSetting's default.
const DefaultSLAReleaseHours = 24

// ExceptionKindLabel is an exception kind in words.
func ExceptionKindLabel(kind string) string {
	if r, ok := strings.CutPrefix(kind, "hold_"); ok {
		return HoldReasonLabel(r) + " hold"
	}
	switch kind {
	case "sourcing":
		return "Sourcing failure"
	case "backorder_aging":
		return "Aging backorder"
	case "backorder_late":
		return "Backorder past promise"
	case "edi_error":
		return "EDI error"
	case "erp_sync":
		return "ERP sync failure"
	case "sla_release":
		return "Not released in time"
	case "sla_ship":
		return "Not shipped by promise"
	}
	return strings.ReplaceAll(kind, "_", " ")
}

// ExceptionKinds lists the kinds the queue filters by, in display order.
var ExceptionKinds = []string{"hold_credit", "hold_price", "hold_address", "hold_duplicate_po", "hold_fraud", "hold_manual",
	"hold_edi_review", "sourcing", "backorder_late", "backorder_aging", "edi_error", "erp_sync", "sla_release", "sla_ship"}
