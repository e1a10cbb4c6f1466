package handlers

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/oms/oms/domain"
	"github.com/oms/oms/sourcing"
	"github.com/oms/oms/store"
	"github.com/oms/oms/views"
	"github.com/oms/oms/web/httpx"
)

// simLines is how many line rows the simulator's typed order offers.
const simLines = 6

// Sourcing is the rule editor and simulator for operations managers.
type Sourcing struct {
	DB *store.DB
}

// List shows the rules in the order they are tried.
func (h *Sourcing) List(c *fiber.Ctx) error {
	rules, err := h.DB.Rules(c.UserContext())
	if err != nil {
		return err
	}
	ch, err := httpx.Chrome(c, "sourcing")
	if err != nil {
		return err
	}
	plain := make([]sourcing.Rule, len(rules))
	for i, r := range rules {
		plain[i] = r.Rule
	}
	return httpx.Render(c, fiber.StatusOK, views.RulesPage(ch, views.RulesProps{Rules: rules, Shadowed: sourcing.Shadowed(plain)}))
}

// New shows the editor for a new rule, as a draft, placed in front of the
// rules that between them take every order (where it can still match).
func (h *Sourcing) New(c *fiber.Ctx) error {
	rules, err := h.DB.Rules(c.UserContext())
	if err != nil {
		return err
	}
	f := views.RuleForm{
		Status: sourcing.StatusDraft, Rank: sourcing.RankDistance, MaxSplits: "2", Rest: sourcing.RestBackorder,
		EligibleTypes: []string{sourcing.TypeDC},
	}
	plain := make([]sourcing.Rule, 0, len(rules)+1)
	for _, r := range rules {
		plain = append(plain, r.Rule)
	}
	// A rule matching every order, tried last: what keeps it from
	// matching is where a new rule stops being reachable.
	plain = append(plain, sourcing.Rule{ID: -1, Status: sourcing.StatusActive})
	if sh, ok := sourcing.Shadowed(plain)[-1]; ok {
		f.Before = sh.ByAll[0].ID
	}
	return h.editor(c, fiber.StatusOK, f)
}

// Edit shows the editor for a saved rule.
func (h *Sourcing) Edit(c *fiber.Ctx) error {
	id, err := ruleID(c)
	if err != nil {
		return err
	}
	r, err := h.DB.Rule(c.UserContext(), id)
	if err != nil {
		return err
	}
	f := views.RuleFormFor(r.Rule)
	if r.Pending != nil {
		// Editing goes on from the draft change, on top of the live version.
		f = views.RuleFormFor(r.Pending.Rule)
		f.Version = r.Version
		f.Pending = r.Pending
	}
	return h.editor(c, fiber.StatusOK, f)
}

func (h *Sourcing) editor(c *fiber.Ctx, status int, f views.RuleForm) error {
	locs, err := h.DB.Locations(c.UserContext())
	if err != nil {
		return err
	}
	ch, err := httpx.Chrome(c, "sourcing")
	if err != nil {
		return err
	}
	p := views.RuleEditProps{Form: f, Locations: locs}
	if f.ID == 0 {
		if p.Rules, err = h.DB.Rules(c.UserContext()); err != nil {
			return err
		}
	}
	return httpx.Render(c, status, views.RuleEditPage(ch, p))
}

// Create saves a new rule.
func (h *Sourcing) Create(c *fiber.Ctx) error {
	return h.save(c, 0)
}

// Update saves a new version of a rule. The form carries the version the
// editor started from, so a concurrent change gets 409 with the form kept.
func (h *Sourcing) Update(c *fiber.Ctx) error {
	id, err := ruleID(c)
	if err != nil {
		return err
	}
	return h.save(c, id)
}

func (h *Sourcing) save(c *fiber.Ctx, id int64) error {
	ctx := c.UserContext()
	locs, err := h.DB.Locations(ctx)
	if err != nil {
		return err
	}
	r, f, bad := parseRuleForm(c, locs)
	r.ID, f.ID = id, id
	if id == 0 {
		f.Before, _ = strconv.ParseInt(c.FormValue("before"), 10, 64)
	}
	var saved sourcing.Rule
	var pending bool
	if len(bad) > 0 {
		// Report parse errors together with everything Validate finds.
		err = domain.Invalid("The sourcing rule has errors.", bad)
		if verr := sourcing.Validate(r); verr != nil {
			fields := domain.ErrorFields(verr)
			maps.Copy(fields, bad)
			err = domain.Invalid("The sourcing rule has errors.", fields)
		}
	} else {
		if f.Before > 0 {
			saved, err = h.DB.InsertRuleBefore(ctx, r, f.Before, httpx.Actor(c))
		} else {
			saved, pending, err = h.DB.SaveRule(ctx, r, f.Version, httpx.Actor(c))
		}
	}
	switch domain.ErrorCode(err) {
	case "":
	case domain.EINVALID:
		f.Error, f.Fields = "Please correct the fields marked below.", domain.ErrorFields(err)
		if len(f.Fields) == 0 {
			f.Error = domain.ErrorMessage(err)
		}
		return h.editor(c, fiber.StatusUnprocessableEntity, f)
	case domain.ECONFLICT:
		f.Error = domain.ErrorMessage(err) + " Your changes are still in the form below; open the rule again in a new tab to compare, then save."
		return h.editor(c, fiber.StatusConflict, f)
	default:
		return err
	}
	msg := fmt.Sprintf("Saved %q as version %d.", saved.Name, saved.Version)
	switch {
	case pending:
		msg = fmt.Sprintf("Saved your change to %q as a draft: version %d stays live until you activate the change.", saved.Name, saved.Version)
	case id == 0:
		msg = fmt.Sprintf("Created %q as a %s rule.", saved.Name, saved.Status)
	}
	if err := httpx.SetFlash(c, msg); err != nil {
		return err
	}
	return httpx.Redirect(c, "/sourcing")
}

// Discard drops a rule's draft change; the active version stays.
func (h *Sourcing) Discard(c *fiber.Ctx) error {
	id, err := ruleID(c)
	if err != nil {
		return err
	}
	if err := h.DB.DiscardPending(c.UserContext(), id); err != nil {
		return err
	}
	if err := httpx.SetFlash(c, "Draft change discarded; the active version is unchanged."); err != nil {
		return err
	}
	return httpx.Redirect(c, "/sourcing")
}

// Move moves a rule up or down one place.
func (h *Sourcing) Move(c *fiber.Ctx) error {
	id, err := ruleID(c)
	if err != nil {
		return err
	}
	dir := c.FormValue("dir")
	if dir != "up" && dir != "down" {
		return domain.Errorf(domain.EINVALID, "Move a rule up or down.")
	}
	if err := h.DB.MoveRule(c.UserContext(), id, dir == "up", formVersion(c), httpx.Actor(c)); err != nil {
		return err
	}
	return httpx.Redirect(c, "/sourcing")
}

// SetStatus activates or deactivates a rule (or makes it a draft again).
func (h *Sourcing) SetStatus(c *fiber.Ctx) error {
	id, err := ruleID(c)
	if err != nil {
		return err
	}
	r, err := h.DB.SetRuleStatus(c.UserContext(), id, c.FormValue("status"), formVersion(c), httpx.Actor(c))
	if err != nil {
		if f := domain.ErrorFields(err); f["status"] != "" {
			return domain.Errorf(domain.EINVALID, "The rule's %s.", f["status"])
		}
		return err
	}
	if err := httpx.SetFlash(c, fmt.Sprintf("%q is now %s (version %d).", r.Name, r.Status, r.Version)); err != nil {
		return err
	}
	return httpx.Redirect(c, "/sourcing")
}

// History lists a rule's versions.
func (h *Sourcing) History(c *fiber.Ctx) error {
	id, err := ruleID(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	r, err := h.DB.Rule(ctx, id)
	if err != nil {
		return err
	}
	versions, err := h.DB.RuleVersions(ctx, id)
	if err != nil {
		return err
	}
	ch, err := httpx.Chrome(c, "sourcing")
	if err != nil {
		return err
	}
	return httpx.Render(c, fiber.StatusOK, views.RuleHistoryPage(ch, views.RuleHistoryProps{Rule: r, Versions: versions}))
}

// Simulate plans an existing order (mode=order) or a typed one
// (mode=typed) under the active and the draft rules. It only reads, so it
// is a GET whose URL can be shared.
func (h *Sourcing) Simulate(c *fiber.Ctx) error {
	ctx := c.UserContext()
	args := c.Request().URI().QueryArgs()
	f := views.SimForm{
		Mode: c.Query("mode"), Order: strings.TrimSpace(c.Query("order")), ZIP: strings.TrimSpace(c.Query("zip")),
		CustomerType: c.Query("customer_type", sourcing.CustomerB2B), Channel: c.Query("channel", "phone"),
		ShipMethod: strings.TrimSpace(c.Query("ship_method")), ShipComplete: c.Query("ship_complete") != "",
	}
	skus, qtys := args.PeekMulti("sku"), args.PeekMulti("qty")
	in := store.SimOrder{ShipToZIP: f.ZIP, CustomerType: f.CustomerType, Channel: f.Channel, ShipMethod: f.ShipMethod, ShipComplete: f.ShipComplete}
	bad := map[string]string{}
	for i := range max(len(skus), len(qtys)) {
		var l views.SimLineForm
		if i < len(skus) {
			l.SKU = strings.TrimSpace(string(skus[i]))
		}
		if i < len(qtys) {
			l.Quantity = strings.TrimSpace(string(qtys[i]))
		}
		if l.SKU == "" && l.Quantity == "" {
			continue
		}
		n := len(f.Lines)
		f.Lines = append(f.Lines, l)
		q, err := strconv.ParseInt(l.Quantity, 10, 64)
		if err != nil || q <= 0 {
			bad[fmt.Sprintf("lines.%d.quantity", n)] = "enter a whole number of at least 1"
		}
		in.Lines = append(in.Lines, store.SimLine{SKU: l.SKU, Quantity: q})
	}
	var sim store.Simulation
	var err error
	switch f.Mode {
	case "order":
		if f.Order == "" {
			err = domain.Invalid("Enter an order number.", map[string]string{"order": "enter an order number"})
		} else if sim, err = h.DB.SimulateOrder(ctx, f.Order); domain.ErrorCode(err) == domain.ENOTFOUND {
			err = domain.Invalid("No such order.", map[string]string{"order": fmt.Sprintf("no order %s", f.Order)})
		}
	case "typed":
		sim, err = h.DB.SimulateTyped(ctx, in)
		if len(bad) > 0 {
			fields := domain.ErrorFields(err)
			if fields == nil {
				fields = map[string]string{}
			}
			maps.Copy(fields, bad)
			err = domain.Invalid("The simulated order has errors.", fields)
		}
	}
	for len(f.Lines) < simLines {
		f.Lines = append(f.Lines, views.SimLineForm{})
	}
	p := views.SimulateProps{Form: f}
	status := fiber.StatusOK
	switch code := domain.ErrorCode(err); {
	case code == "":
		if f.Mode != "" {
			p.Sim = &sim
		}
	case code == domain.EINVALID:
		status = fiber.StatusUnprocessableEntity
		p.Form.Error, p.Form.Fields = domain.ErrorMessage(err), domain.ErrorFields(err)
		if len(p.Form.Fields) > 0 {
			p.Form.Error = "Please correct the fields marked below."
		}
	default:
		return err
	}
	if httpx.IsHTMX(c) {
		return httpx.Render(c, status, views.Simulator(p))
	}
	ch, err := httpx.Chrome(c, "sourcing")
	if err != nil {
		return err
	}
	return httpx.Render(c, status, views.SimulatePage(ch, p))
}

func ruleID(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, domain.Errorf(domain.ENOTFOUND, "No such sourcing rule.")
	}
	return id, nil
}

// formVersion is the rule version the form was rendered with; 0 (no
// check) only when the field is missing.
func formVersion(c *fiber.Ctx) int {
	v, _ := strconv.Atoi(c.FormValue("version"))
	return v
}

// formList returns every value of a repeated form field (checkboxes),
// copied, since fiber reuses its buffers after the handler returns.
func formList(c *fiber.Ctx, name string) []string {
	var out []string
	for _, b := range c.Request().PostArgs().PeekMulti(name) {
		if s := strings.TrimSpace(string(b)); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// commaList splits "TX, OK,west" into its non-blank parts.
func commaList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// parseRuleForm reads the rule editor. It returns the rule, the form as
// typed (to show again on error) and the fields it could not parse.
func parseRuleForm(c *fiber.Ctx, locs []store.Location) (sourcing.Rule, views.RuleForm, map[string]string) {
	f := views.RuleForm{
		Version:        formVersion(c),
		Name:           strings.TrimSpace(c.FormValue("name")),
		Status:         c.FormValue("status"),
		Channels:       formList(c, "conditions.channels"),
		CustomerTypes:  formList(c, "conditions.customer_types"),
		Regions:        strings.TrimSpace(c.FormValue("conditions.regions")),
		MinValue:       strings.TrimSpace(c.FormValue("conditions.min_order_value_cents")),
		MaxValue:       strings.TrimSpace(c.FormValue("conditions.max_order_value_cents")),
		Hazmat:         c.FormValue("conditions.item_flags.hazmat"),
		AnyDropship:    c.FormValue("conditions.item_flags.any_dropship_eligible") != "",
		ShipMethods:    strings.Join(formList(c, "conditions.ship_methods"), ", "),
		EligibleTypes:  formList(c, "policy.eligible.types"),
		LocationCodes:  formList(c, "policy.eligible.location_codes"),
		Serves:         c.FormValue("policy.eligible.serves"),
		FallbackTypes:  formList(c, "policy.fallback_types"),
		Rank:           c.FormValue("policy.rank"),
		ShipComplete:   c.FormValue("policy.ship_complete") != "",
		MaxSplits:      strings.TrimSpace(c.FormValue("policy.max_splits")),
		NoSplitBelow:   strings.TrimSpace(c.FormValue("policy.no_split_below_cents")),
		KeepLinesWhole: c.FormValue("policy.keep_lines_whole") != "",
		Dropship:       c.FormValue("policy.dropship") != "",
		Rest:           c.FormValue("policy.rest"),
	}
	bad := map[string]string{}
	r := sourcing.Rule{Name: f.Name, Status: f.Status}
	r.Conditions = sourcing.Conditions{
		Channels: f.Channels, CustomerTypes: f.CustomerTypes, Regions: commaList(f.Regions),
		ItemFlags: sourcing.FlagConditions{
			RequireHazmat: f.Hazmat == "require", ExcludeHazmat: f.Hazmat == "exclude", AnyDropshipEligible: f.AnyDropship,
		},
		ShipMethods: commaList(strings.ToUpper(f.ShipMethods)),
	}
	for i, s := range r.Conditions.Regions {
		r.Conditions.Regions[i] = regionCase(s)
	}
	var err error
	if r.Conditions.MinOrderValueCents, err = ParseCents(f.MinValue); err != nil {
		bad["conditions.min_order_value_cents"] = err.Error()
	}
	if r.Conditions.MaxOrderValueCents, err = ParseCents(f.MaxValue); err != nil {
		bad["conditions.max_order_value_cents"] = err.Error()
	}
	r.Policy = sourcing.Policy{
		Eligible:      sourcing.Eligibility{Types: f.EligibleTypes, LocationCodes: f.LocationCodes, Serves: f.Serves},
		FallbackTypes: f.FallbackTypes, Rank: f.Rank, ShipComplete: f.ShipComplete,
		KeepLinesWhole: f.KeepLinesWhole, Dropship: f.Dropship, Rest: f.Rest,
	}
	if r.Policy.MaxSplits, err = strconv.Atoi(f.MaxSplits); err != nil {
		bad["policy.max_splits"] = fmt.Sprintf("enter a whole number of shipments from 1 to %d", sourcing.MaxSplitsLimit)
	}
	if r.Policy.NoSplitBelowCents, err = ParseCents(f.NoSplitBelow); err != nil {
		bad["policy.no_split_below_cents"] = err.Error()
	}
	for _, code := range f.LocationCodes {
		if !slices.ContainsFunc(locs, func(l store.Location) bool { return l.Code == code && l.Type != sourcing.TypeVendor }) {
			bad["policy.eligible.location_codes"] = fmt.Sprintf("there is no own location %q", code)
			break
		}
	}
	return r, f, bad
}

// regionCase writes state codes in capitals and census regions in lower
// case, as the engine and the summaries show them.
func regionCase(s string) string {
	if len(s) == 2 {
		return strings.ToUpper(s)
	}
	return strings.ToLower(s)
}

var errDollars = errors.New(`enter an amount in dollars, such as 49.99`)

// ParseCents reads a dollar amount typed by a person ("49.99", "$1,250",
// "0.5") as whole cents, exactly: the digits are read as integers, never
// through a float. "" is 0 (no limit). More than two decimals, signs and
// anything but digits, one point and thousands commas are refused.
func ParseCents(s string) (int64, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "$")
	s = strings.ReplaceAll(s, ",", "")
	if s == "" {
		return 0, nil
	}
	whole, frac, _ := strings.Cut(s, ".")
	if (whole == "" && frac == "") || len(frac) > 2 || len(whole) > 13 {
		return 0, errDollars
	}
	for _, part := range []string{whole, frac} {
		for _, r := range part {
			if r < '0' || r > '9' {
				return 0, errDollars
			}
		}
	}
	var dollars, cents int64
	if whole != "" {
		dollars, _ = strconv.ParseInt(whole, 10, 64)
	}
	if frac != "" {
		cents, _ = strconv.ParseInt(frac, 10, 64)
		if len(frac) == 1 {
			cents *= 10
		}
	}
	return dollars*100 + cents, nil
}
