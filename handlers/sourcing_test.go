package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/oms/oms/handlers"
	"github.com/oms/oms/internal/testapp"
	"github.com/oms/oms/sourcing"
)

// ruleForm is a valid editor submission: B2B orders of $49.99 or more
// ship from DCs, nearest first.
func ruleForm(name string) url.Values {
	return url.Values{
		"name":                             {name},
		"status":                           {"draft"},
		"conditions.customer_types":        {"b2b"},
		"conditions.channels":              {"phone", "edi"},
		"conditions.regions":               {"tx, South"},
		"conditions.min_order_value_cents": {"49.99"},
		"conditions.max_order_value_cents": {""},
		"conditions.item_flags.hazmat":     {"exclude"},
		"conditions.ship_methods":          {"ground"},
		"policy.eligible.types":            {"dc"},
		"policy.eligible.location_codes":   {"DAL", "HBG"},
		"policy.eligible.serves":           {"match"},
		"policy.fallback_types":            {"3pl"},
		"policy.rank":                      {"distance"},
		"policy.max_splits":                {"3"},
		"policy.no_split_below_cents":      {"$1,250.5"},
		"policy.dropship":                  {"1"},
		"policy.rest":                      {"backorder"},
		"version":                          {"0"},
	}
}

func TestRuleEditor(t *testing.T) {
	a := newOpsApp(t)
	c := a.Client(t)
	c.SignIn("ops@demo.test")
	ctx := t.Context()
	c.Get("/sourcing/rules/new")

	var id int64
	t.Run("Create", func(t *testing.T) {
		resp, _ := c.PostForm("/sourcing/rules", ruleForm("Texas B2B from DCs"))
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %d", resp.StatusCode)
		}
		rules, _ := a.DB.Rules(ctx)
		r := rules[len(rules)-1]
		id = r.ID
		cond, pol := r.Conditions, r.Policy
		if r.Name != "Texas B2B from DCs" || r.Status != sourcing.StatusDraft || r.Version != 1 {
			t.Fatalf("rule %+v", r)
		}
		if cond.MinOrderValueCents != 4999 || pol.NoSplitBelowCents != 125050 || !cond.ItemFlags.ExcludeHazmat ||
			strings.Join(cond.Regions, ",") != "TX,south" || strings.Join(cond.ShipMethods, ",") != "GROUND" ||
			strings.Join(pol.Eligible.LocationCodes, ",") != "DAL,HBG" || pol.MaxSplits != 3 || !pol.Dropship || pol.Eligible.Serves != "match" {
			t.Fatalf("conditions %+v policy %+v", cond, pol)
		}
		_, body := c.Get("/sourcing")
		d := testapp.Doc(t, body)
		row := d.Find(`[data-testid="rule-row"]`).Last()
		if !strings.Contains(row.Text(), "Texas B2B from DCs") || row.Find(`[data-testid="rule-status"]`).Text() != "Draft" {
			t.Fatalf("last row %q", row.Text())
		}
		if !strings.Contains(row.Text(), "worth at least $49.99") {
			t.Fatalf("summary %q", row.Find(".rulesummary").Text())
		}
	})
	t.Run("EditKeepsValues", func(t *testing.T) {
		_, body := c.Get("/sourcing/rules/" + idText(id))
		d := testapp.Doc(t, body)
		if v, _ := d.Find(`input[name="conditions.min_order_value_cents"]`).Attr("value"); v != "49.99" {
			t.Fatalf("min value shown as %q", v)
		}
		if v, _ := d.Find(`input[name="version"]`).Attr("value"); v != "1" {
			t.Fatalf("version %q", v)
		}
	})
	t.Run("Update", func(t *testing.T) {
		f := ruleForm("Texas B2B from DCs")
		f.Set("version", "1")
		f.Set("policy.max_splits", "2")
		resp, _ := c.PostForm("/sourcing/rules/"+idText(id), f)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %d", resp.StatusCode)
		}
		r, _ := a.DB.Rule(ctx, id)
		if r.Version != 2 || r.Policy.MaxSplits != 2 {
			t.Fatalf("rule v%d max splits %d", r.Version, r.Policy.MaxSplits)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		f := ruleForm("")
		f.Set("version", "2")
		f.Set("conditions.min_order_value_cents", "49.999")
		f.Set("conditions.max_order_value_cents", "10")
		f.Set("policy.max_splits", "0")
		f.Set("conditions.regions", "Atlantis")
		f.Set("policy.rest", "shrug")
		resp, body := c.PostForm("/sourcing/rules/"+idText(id), f)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("status %d", resp.StatusCode)
		}
		d := testapp.Doc(t, body)
		for _, k := range []string{"name", "conditions.min_order_value_cents", "policy.max_splits", "conditions.regions", "policy.rest"} {
			if d.Find(`[data-testid="error-`+k+`"]`).Length() == 0 {
				t.Errorf("no error next to %s", k)
			}
		}
		// Values are kept as typed.
		if v, _ := d.Find(`input[name="conditions.min_order_value_cents"]`).Attr("value"); v != "49.999" {
			t.Fatalf("typed value lost: %q", v)
		}
		if r, _ := a.DB.Rule(ctx, id); r.Version != 2 {
			t.Fatal("an invalid form changed the rule")
		}
	})
	t.Run("ErrConflict", func(t *testing.T) {
		other := a.Client(t)
		other.SignIn("admin@demo.test")
		f := ruleForm("Texas B2B, admin's edit")
		f.Set("version", "2")
		if resp, _ := other.PostForm("/sourcing/rules/"+idText(id), f); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("admin save %d", resp.StatusCode)
		}
		f = ruleForm("Texas B2B, ops's edit")
		f.Set("version", "2")
		resp, body := c.PostForm("/sourcing/rules/"+idText(id), f)
		if resp.StatusCode != http.StatusConflict {
			t.Fatalf("status %d", resp.StatusCode)
		}
		d := testapp.Doc(t, body)
		msg := d.Find(`[data-testid="form-error"]`).Text()
		if !strings.Contains(msg, "admin@demo.test") || !strings.Contains(msg, "version 3") {
			t.Fatalf("conflict message %q", msg)
		}
		if v, _ := d.Find(`input[name="name"]`).Attr("value"); v != "Texas B2B, ops's edit" {
			t.Fatalf("typed name lost: %q", v)
		}
		if r, _ := a.DB.Rule(ctx, id); r.Name != "Texas B2B, admin's edit" {
			t.Fatalf("silent overwrite: %q", r.Name)
		}
	})
	t.Run("History", func(t *testing.T) {
		_, body := c.Get("/sourcing/rules/" + idText(id) + "/versions")
		d := testapp.Doc(t, body)
		rows := d.Find(`[data-testid="version-row"]`)
		if rows.Length() != 3 || !strings.Contains(rows.First().Text(), "admin@demo.test") || !strings.Contains(rows.Last().Text(), "Created as draft") {
			t.Fatalf("%d versions: %q", rows.Length(), rows.Text())
		}
	})
}

func TestRuleReorderAndStatus(t *testing.T) {
	a := newOpsApp(t)
	c := a.Client(t)
	c.SignIn("ops@demo.test")
	ctx := t.Context()
	c.Get("/sourcing")
	rules, _ := a.DB.Rules(ctx)
	last := rules[len(rules)-1]
	t.Run("MoveUp", func(t *testing.T) {
		resp, _ := c.PostForm("/sourcing/rules/"+idText(last.ID)+"/move", url.Values{"dir": {"up"}, "version": {idText(int64(last.Version))}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %d", resp.StatusCode)
		}
		_, body := c.Get("/sourcing")
		names := testapp.Doc(t, body).Find(`[data-testid="rule-name"]`).Map(func(_ int, s *goquery.Selection) string { return s.Text() })
		if names[len(names)-2] != last.Name {
			t.Fatalf("order %v", names)
		}
	})
	t.Run("ErrConflictOnStaleMove", func(t *testing.T) {
		resp, _ := c.PostForm("/sourcing/rules/"+idText(last.ID)+"/move", url.Values{"dir": {"down"}, "version": {idText(int64(last.Version))}})
		if resp.StatusCode != http.StatusConflict {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
	t.Run("DeactivateAndActivate", func(t *testing.T) {
		r, _ := a.DB.Rule(ctx, last.ID)
		resp, _ := c.PostForm("/sourcing/rules/"+idText(r.ID)+"/status", url.Values{"status": {"inactive"}, "version": {idText(int64(r.Version))}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %d", resp.StatusCode)
		}
		r, _ = a.DB.Rule(ctx, last.ID)
		if r.Status != sourcing.StatusInactive {
			t.Fatalf("status %s", r.Status)
		}
		c.PostForm("/sourcing/rules/"+idText(r.ID)+"/status", url.Values{"status": {"active"}, "version": {idText(int64(r.Version))}})
		if r, _ = a.DB.Rule(ctx, last.ID); r.Status != sourcing.StatusActive {
			t.Fatalf("status %s", r.Status)
		}
		versions, _ := a.DB.RuleVersions(ctx, r.ID)
		if versions[0].Summary != "status inactive → active" || versions[0].ChangedBy != "ops@demo.test" {
			t.Fatalf("latest version %+v", versions[0])
		}
	})
	t.Run("ErrInvalidStatus", func(t *testing.T) {
		r, _ := a.DB.Rule(ctx, last.ID)
		resp, _ := c.PostForm("/sourcing/rules/"+idText(r.ID)+"/status", url.Values{"status": {"paused"}, "version": {idText(int64(r.Version))}})
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
}

func TestSourcingRoles(t *testing.T) {
	a := newOpsApp(t)
	routes := []struct{ method, path string }{
		{http.MethodGet, "/sourcing"},
		{http.MethodGet, "/sourcing/simulate"},
		{http.MethodGet, "/sourcing/simulate?mode=order&order=SO-1"},
		{http.MethodGet, "/sourcing/rules/new"},
		{http.MethodPost, "/sourcing/rules"},
		{http.MethodGet, "/sourcing/rules/1"},
		{http.MethodPost, "/sourcing/rules/1"},
		{http.MethodPost, "/sourcing/rules/1/move"},
		{http.MethodPost, "/sourcing/rules/1/status"},
		{http.MethodGet, "/sourcing/rules/1/versions"},
	}
	for _, role := range []struct {
		email string
		want  int
	}{{"csr@demo.test", http.StatusForbidden}, {"sales@demo.test", http.StatusForbidden}, {"ops@demo.test", http.StatusOK}, {"admin@demo.test", http.StatusOK}} {
		t.Run(strings.SplitN(role.email, "@", 2)[0], func(t *testing.T) {
			c := a.Client(t)
			c.SignIn(role.email)
			for _, rt := range routes {
				var resp *http.Response
				if rt.method == http.MethodGet {
					resp, _ = c.Get(rt.path)
				} else {
					resp, _ = c.PostForm(rt.path, url.Values{"dir": {"up"}, "status": {"active"}})
				}
				forbidden := resp.StatusCode == http.StatusForbidden
				if forbidden != (role.want == http.StatusForbidden) {
					t.Errorf("%s %s: status %d", rt.method, rt.path, resp.StatusCode)
				}
			}
			_, body := c.Get("/")
			nav := testapp.Doc(t, body).Find("nav.mainnav").Text()
			if strings.Contains(nav, "Sourcing") == (role.want == http.StatusForbidden) || !strings.Contains(nav, "Inventory") {
				t.Errorf("nav %q", nav)
			}
		})
	}
}

func TestSimulator(t *testing.T) {
	a := newOpsApp(t)
	c := a.Client(t)
	c.SignIn("ops@demo.test")
	c.Get("/sourcing/rules/new")
	f := ruleForm("Everything from Harrisburg")
	f.Set("conditions.regions", "")
	f.Set("conditions.channels", "")
	f.Del("conditions.channels")
	f.Set("conditions.min_order_value_cents", "")
	f.Set("conditions.ship_methods", "")
	f.Set("policy.eligible.location_codes", "HBG")
	f.Set("policy.no_split_below_cents", "")
	if resp, _ := c.PostForm("/sourcing/rules", f); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create draft: %d", resp.StatusCode)
	}
	rules, _ := a.DB.Rules(t.Context())
	draft := rules[len(rules)-1]
	// Move the draft to the top so that it shadows the active B2B rule.
	for range rules {
		r, _ := a.DB.Rule(t.Context(), draft.ID)
		c.PostForm("/sourcing/rules/"+idText(r.ID)+"/move", url.Values{"dir": {"up"}, "version": {idText(int64(r.Version))}})
	}
	allocated := func() (n int64) {
		it, err := a.DB.ItemBySKU(t.Context(), "BOLT-10")
		if err != nil {
			t.Fatal(err)
		}
		for _, av := range it.Availability {
			n += av.Allocated
		}
		return n
	}
	before := allocated()
	tests := []struct {
		name, query string
		activeFrom  string
		draftFrom   string
	}{
		{"ExistingOrder", "mode=order&order=so-1", "DAL", "HBG"},
		{"Typed", "mode=typed&zip=75201&customer_type=b2b&channel=phone&sku=BOLT-10&qty=20&sku=bolt-10&qty=5&sku=&qty=", "DAL", "HBG"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := c.Get("/sourcing/simulate?" + tt.query)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			d := testapp.Doc(t, body)
			active := d.Find(`[data-testid="sim-active"]`)
			draftCol := d.Find(`[data-testid="sim-draft"]`)
			if active.Find(`[data-testid="trace"] li`).Length() == 0 || draftCol.Find(`[data-testid="trace"] li`).Length() == 0 {
				t.Fatal("missing trace")
			}
			if !strings.Contains(active.Find(`[data-testid="plan-line"]`).First().Text(), tt.activeFrom) ||
				!strings.Contains(draftCol.Find(`[data-testid="plan-line"]`).First().Text(), tt.draftFrom) {
				t.Fatalf("active %q draft %q", active.Find(`[data-testid="plan-line"]`).Text(), draftCol.Find(`[data-testid="plan-line"]`).Text())
			}
			if got := draftCol.Find(`[data-testid="plan-rule"]`).Text(); got != "Everything from Harrisburg" {
				t.Fatalf("draft rule %q", got)
			}
		})
	}
	t.Run("ErrInvalid", func(t *testing.T) {
		resp, body := c.Get("/sourcing/simulate?mode=typed&zip=ABC&customer_type=b2b&channel=phone&sku=NOPE&qty=0")
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("status %d", resp.StatusCode)
		}
		d := testapp.Doc(t, body)
		for _, k := range []string{"zip", "lines.0.sku", "lines.0.quantity"} {
			if d.Find(`[data-testid="error-`+k+`"]`).Length() == 0 {
				t.Errorf("no error for %s", k)
			}
		}
	})
	t.Run("UnknownOrder", func(t *testing.T) {
		resp, body := c.Get("/sourcing/simulate?mode=order&order=SO-404")
		if resp.StatusCode != http.StatusUnprocessableEntity || testapp.Doc(t, body).Find(`[data-testid="error-order"]`).Length() == 0 {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
	t.Run("ReservesNothing", func(t *testing.T) {
		if after := allocated(); after != before {
			t.Fatalf("allocated %d before, %d after simulating", before, after)
		}
	})
}

func TestParseCents(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		bad  bool
	}{
		{"49.99", 4999, false},
		{"0.29", 29, false}, // 0.29*100 is 28.999… in floating point
		{"1.15", 115, false},
		{"$1,250.5", 125050, false},
		{"50", 5000, false},
		{"50.", 5000, false},
		{".5", 50, false},
		{"", 0, false},
		{"  7.00 ", 700, false},
		{"49.999", 0, true},
		{"-5", 0, true},
		{"1e3", 0, true},
		{"abc", 0, true},
		{".", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := handlers.ParseCents(tt.in)
			if (err != nil) != tt.bad || got != tt.want {
				t.Fatalf("ParseCents(%q) = %d, %v", tt.in, got, err)
			}
		})
	}
}

func idText(n int64) string { return strconv.FormatInt(n, 10) }
