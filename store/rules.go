package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/sourcing"
)

// RuleVersion is one saved version of a sourcing rule: who changed it, when,
// what, and the rule as it was.
type RuleVersion struct {
	RuleID    int64
	Version   int
	Summary   string
	ChangedBy string
	ChangedAt time.Time
	Rule      sourcing.Rule
}

// RuleMeta is a rule with who last changed it, and the draft change of an
// active rule waiting to be activated, if any.
type RuleMeta struct {
	sourcing.Rule
	UpdatedBy string
	UpdatedAt time.Time
	Pending   *PendingChange
}

// PendingChange is an edit of an active rule saved as a draft: the active
// version keeps sourcing orders until someone activates the change.
type PendingChange struct {
	Rule    sourcing.Rule // the rule as edited, status active
	Summary string        // what it changes, in words
	By      string
	At      time.Time
}

// Rules lists every sourcing rule (draft, active and inactive) in position
// order.
func (db *DB) Rules(ctx context.Context) ([]RuleMeta, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, version, name, position, status, conditions, policy, updated_by, updated_at
		FROM sourcing_rules ORDER BY position, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []RuleMeta
	for rows.Next() {
		r, err := scanRule(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	pending, err := pendingChanges(ctx, db.read)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Pending = pending.of(out[i].Rule)
	}
	return out, nil
}

// pendingSet is the draft changes by rule id.
type pendingSet map[int64]PendingChange

// of returns r's draft change with what it changes, or nil.
func (s pendingSet) of(r sourcing.Rule) *PendingChange {
	p, ok := s[r.ID]
	if !ok {
		return nil
	}
	p.Summary = RuleDiff(r, p.Rule)
	return &p
}

func pendingChanges(ctx context.Context, q querier) (pendingSet, error) {
	rows, err := q.QueryContext(ctx, `SELECT rule_id, snapshot, updated_by, updated_at FROM sourcing_rule_pending`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := pendingSet{}
	for rows.Next() {
		var id int64
		var snap, at string
		var p PendingChange
		if err := rows.Scan(&id, &snap, &p.By, &at); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(snap), &p.Rule); err != nil {
			return nil, fmt.Errorf("draft change of rule %d: %w", id, err)
		}
		p.At = ParseTime(at)
		out[id] = p
	}
	return out, rows.Err()
}

func scanRule(row interface{ Scan(...any) error }) (RuleMeta, error) {
	var r RuleMeta
	var cond, pol, at string
	if err := row.Scan(&r.ID, &r.Version, &r.Name, &r.Position, &r.Status, &cond, &pol, &r.UpdatedBy, &at); err != nil {
		return r, err
	}
	r.UpdatedAt = ParseTime(at)
	if err := json.Unmarshal([]byte(cond), &r.Conditions); err != nil {
		return r, fmt.Errorf("rule %d conditions: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(pol), &r.Policy); err != nil {
		return r, fmt.Errorf("rule %d policy: %w", r.ID, err)
	}
	return r, nil
}

// Rule returns one rule. Returns ENOTFOUND.
func (db *DB) Rule(ctx context.Context, id int64) (RuleMeta, error) {
	r, err := scanRule(db.read.QueryRowContext(ctx, `SELECT id, version, name, position, status, conditions, policy, updated_by, updated_at
		FROM sourcing_rules WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, domain.Errorf(domain.ENOTFOUND, "No sourcing rule %d.", id)
	} else if err != nil {
		return r, err
	}
	pending, err := pendingChanges(ctx, db.read)
	r.Pending = pending.of(r.Rule)
	return r, err
}

// SaveRule creates a rule (ID 0) or updates one, validating it first, and
// records the new version with a summary of what changed. An edit of an
// active rule that keeps it active is not applied: it is saved as the
// rule's draft change (replacing any earlier one), which goes live only
// when the rule is activated (SetRuleStatus); pending then says so.
// expectVersion guards against two people editing one rule (0 for a new
// rule). Returns EINVALID with per-field messages, ENOTFOUND, ECONFLICT.
func (db *DB) SaveRule(ctx context.Context, r sourcing.Rule, expectVersion int, actor string) (saved sourcing.Rule, pending bool, err error) {
	r.Name = strings.TrimSpace(r.Name)
	if r.Status == "" {
		r.Status = sourcing.StatusDraft
	}
	if err := sourcing.Validate(r); err != nil {
		return r, false, err
	}
	err = db.Update(ctx, func(tx *sql.Tx) error {
		var err error
		if r.ID != 0 && r.Status == sourcing.StatusActive {
			var status string
			var version int
			err := tx.QueryRowContext(ctx, `SELECT status, version FROM sourcing_rules WHERE id = ?`, r.ID).Scan(&status, &version)
			if err == nil && status == sourcing.StatusActive {
				pending, r.Version = true, version
				return db.savePending(ctx, tx, r, expectVersion, actor)
			} else if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		r, err = db.saveRule(ctx, tx, r, expectVersion, actor)
		return err
	})
	return r, pending, err
}

// InsertRuleBefore creates the new rule r in front of the rule before:
// that rule and every one after it move down one place, keeping their
// order. Returns EINVALID and ENOTFOUND (no rule before).
func (db *DB) InsertRuleBefore(ctx context.Context, r sourcing.Rule, before int64, actor string) (sourcing.Rule, error) {
	r.Name = strings.TrimSpace(r.Name)
	if r.Status == "" {
		r.Status = sourcing.StatusDraft
	}
	r.ID = 0
	if err := sourcing.Validate(r); err != nil {
		return r, err
	}
	err := db.Update(ctx, func(tx *sql.Tx) error {
		var pos int
		err := tx.QueryRowContext(ctx, `SELECT position FROM sourcing_rules WHERE id = ?`, before).Scan(&pos)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.Errorf(domain.ENOTFOUND, "No sourcing rule %d to place the new rule before.", before)
		} else if err != nil {
			return err
		}
		// Rules with equal positions are tried by id, so the rule placed
		// before keeps its place among its equals only if they all move.
		if _, err := tx.ExecContext(ctx, `UPDATE sourcing_rules SET position = position + 10 WHERE position >= ?`, pos); err != nil {
			return err
		}
		r.Position = max(pos, 1)
		r, err = db.saveRule(ctx, tx, r, 0, actor)
		return err
	})
	return r, err
}

// savePending keeps r as the draft change of its active rule; an edit
// that changes nothing from the active version drops the draft change.
func (db *DB) savePending(ctx context.Context, tx *sql.Tx, r sourcing.Rule, expectVersion int, actor string) error {
	old, err := scanRule(tx.QueryRowContext(ctx, `SELECT id, version, name, position, status, conditions, policy, updated_by, updated_at
		FROM sourcing_rules WHERE id = ?`, r.ID))
	if err != nil {
		return err
	}
	if expectVersion != 0 && old.Version != expectVersion {
		return domain.Errorf(domain.ECONFLICT, "%s changed rule %q (now version %d) while you were editing it. Reload to see the change.",
			old.UpdatedBy, old.Name, old.Version)
	}
	if r.Position == 0 {
		r.Position = old.Position
	}
	r.Version = old.Version
	if RuleDiff(old.Rule, r) == "" {
		_, err := tx.ExecContext(ctx, `DELETE FROM sourcing_rule_pending WHERE rule_id = ?`, r.ID)
		return err
	}
	snap, _ := json.Marshal(r)
	_, err = tx.ExecContext(ctx, `INSERT INTO sourcing_rule_pending (rule_id, snapshot, base_version, updated_by, updated_at)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (rule_id) DO UPDATE SET snapshot = excluded.snapshot, base_version = excluded.base_version,
			updated_by = excluded.updated_by, updated_at = excluded.updated_at`, r.ID, string(snap), old.Version, actor, db.now())
	return err
}

// DiscardPending drops a rule's draft change; the active version stays as
// it is. Returns ENOTFOUND when the rule has none.
func (db *DB) DiscardPending(ctx context.Context, id int64) error {
	return db.Update(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sourcing_rule_pending WHERE rule_id = ?`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return domain.Errorf(domain.ENOTFOUND, "Rule %d has no draft change.", id)
		}
		return nil
	})
}

// saveRule is SaveRule inside the caller's transaction, after validation.
func (db *DB) saveRule(ctx context.Context, tx *sql.Tx, r sourcing.Rule, expectVersion int, actor string) (sourcing.Rule, error) {
	now := db.now()
	cond, _ := json.Marshal(r.Conditions)
	pol, _ := json.Marshal(r.Policy)
	var summary string
	if r.ID == 0 {
		if r.Position == 0 {
			if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(position), 0) + 10 FROM sourcing_rules`).Scan(&r.Position); err != nil {
				return r, err
			}
		}
		r.Version = 1
		res, err := tx.ExecContext(ctx, `INSERT INTO sourcing_rules (name, position, status, conditions, policy, version, updated_by, updated_at)
			VALUES (?, ?, ?, ?, ?, 1, ?, ?)`, r.Name, r.Position, r.Status, string(cond), string(pol), actor, now)
		if err != nil {
			return r, err
		}
		r.ID, _ = res.LastInsertId()
		summary = "Created as " + r.Status + "."
	} else {
		old, err := scanRule(tx.QueryRowContext(ctx, `SELECT id, version, name, position, status, conditions, policy, updated_by, updated_at
			FROM sourcing_rules WHERE id = ?`, r.ID))
		if errors.Is(err, sql.ErrNoRows) {
			return r, domain.Errorf(domain.ENOTFOUND, "No sourcing rule %d.", r.ID)
		} else if err != nil {
			return r, err
		}
		if expectVersion != 0 && old.Version != expectVersion {
			return r, domain.Errorf(domain.ECONFLICT, "%s changed rule %q (now version %d) while you were editing it. Reload to see the change.",
				old.UpdatedBy, old.Name, old.Version)
		}
		summary = RuleDiff(old.Rule, r)
		if summary == "" {
			r.Version = old.Version
			return r, nil
		}
		r.Version = old.Version + 1
		if r.Position == 0 {
			r.Position = old.Position
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sourcing_rules SET name = ?, position = ?, status = ?, conditions = ?, policy = ?, version = ?,
			updated_by = ?, updated_at = ? WHERE id = ?`, r.Name, r.Position, r.Status, string(cond), string(pol), r.Version, actor, now, r.ID); err != nil {
			return r, err
		}
	}
	snap, _ := json.Marshal(r)
	_, err := tx.ExecContext(ctx, `INSERT INTO sourcing_rule_versions (rule_id, version, snapshot, summary, changed_by, changed_at)
		VALUES (?, ?, ?, ?, ?, ?)`, r.ID, r.Version, string(snap), summary, actor, now)
	return r, err
}

// RuleDiff says in words what changed between two versions of a rule; ""
// when nothing did.
func RuleDiff(old, new sourcing.Rule) string {
	var parts []string
	if old.Name != new.Name {
		parts = append(parts, fmt.Sprintf("name %q → %q", old.Name, new.Name))
	}
	if old.Status != new.Status {
		parts = append(parts, fmt.Sprintf("status %s → %s", old.Status, new.Status))
	}
	if new.Position != 0 && old.Position != new.Position {
		parts = append(parts, fmt.Sprintf("position %d → %d", old.Position, new.Position))
	}
	parts = append(parts, fieldDiff("conditions", old.Conditions, new.Conditions)...)
	parts = append(parts, fieldDiff("policy", old.Policy, new.Policy)...)
	if len(parts) == 0 {
		return ""
	}
	return strings.Join(parts, "; ")
}

// fieldDiff compares two values field by field through their JSON and
// says what changed, one "path: old → new" per field, in path order, so
// that the history reads "conditions.customer_types: none → b2b" rather
// than two JSON documents.
func fieldDiff(prefix string, old, new any) []string {
	a, b := map[string]string{}, map[string]string{}
	flatten(prefix, toJSONValue(old), a)
	flatten(prefix, toJSONValue(new), b)
	keys := slices.Collect(maps.Keys(a))
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var out []string
	for _, k := range keys {
		if a[k] == b[k] {
			continue
		}
		empty := "none"
		if a[k] == "yes" || b[k] == "yes" {
			empty = "no"
		}
		show := func(v string) string {
			if v == "" {
				return empty
			}
			if n, err := strconv.ParseInt(v, 10, 64); err == nil && strings.HasSuffix(k, "_cents") {
				return domain.Money(n)
			}
			return v
		}
		out = append(out, fmt.Sprintf("%s: %s → %s", k, show(a[k]), show(b[k])))
	}
	return out
}

func toJSONValue(v any) any {
	b, _ := json.Marshal(v)
	var out any
	json.Unmarshal(b, &out)
	return out
}

// flatten writes the leaves of a decoded JSON value as path → text; lists
// become "a, b", false and zero become "" (the same as absent, since the
// rule JSON omits them).
func flatten(path string, v any, out map[string]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			flatten(path+"."+k, e, out)
		}
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = fmt.Sprint(e)
		}
		out[path] = strings.Join(parts, ", ")
	case bool:
		if x {
			out[path] = "yes"
		}
	case float64:
		if x != 0 {
			out[path] = strconv.FormatFloat(x, 'f', -1, 64)
		}
	case string:
		out[path] = x
	}
}

// RuleVersions lists the versions of a rule, newest first.
func (db *DB) RuleVersions(ctx context.Context, ruleID int64) ([]RuleVersion, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT rule_id, version, summary, changed_by, changed_at, snapshot
		FROM sourcing_rule_versions WHERE rule_id = ? ORDER BY version DESC`, ruleID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []RuleVersion
	for rows.Next() {
		var v RuleVersion
		var at, snap string
		if err := rows.Scan(&v.RuleID, &v.Version, &v.Summary, &v.ChangedBy, &at, &snap); err != nil {
			return nil, err
		}
		v.ChangedAt = ParseTime(at)
		if err := json.Unmarshal([]byte(snap), &v.Rule); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// EnsureDemoRules saves the demo sourcing rules when there are no rules.
func (db *DB) EnsureDemoRules(ctx context.Context, actor string) error {
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM sourcing_rules`).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	for _, r := range sourcing.DemoRules() {
		r.ID, r.Version = 0, 0
		if _, _, err := db.SaveRule(ctx, r, 0, actor); err != nil {
			return fmt.Errorf("demo rule %q: %w", r.Name, err)
		}
	}
	return nil
}

// MoveRule swaps a rule with its neighbour above (up true) or below in
// position order, and records a version of both. expectVersion is the
// version of the moved rule the person saw. Moving the first rule up or the
// last down changes nothing. Returns ENOTFOUND, ECONFLICT.
func (db *DB) MoveRule(ctx context.Context, id int64, up bool, expectVersion int, actor string) error {
	return db.Update(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, version, name, position, status, conditions, policy, updated_by, updated_at
			FROM sourcing_rules ORDER BY position, id`)
		if err != nil {
			return err
		}
		var rules []RuleMeta
		for rows.Next() {
			r, err := scanRule(rows)
			if err != nil {
				rows.Close()
				return err
			}
			rules = append(rules, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		i := slices.IndexFunc(rules, func(r RuleMeta) bool { return r.ID == id })
		if i < 0 {
			return domain.Errorf(domain.ENOTFOUND, "No sourcing rule %d.", id)
		}
		if expectVersion != 0 && rules[i].Version != expectVersion {
			return domain.Errorf(domain.ECONFLICT, "%s changed rule %q (now version %d) since you loaded this page. Reload to see the change.",
				rules[i].UpdatedBy, rules[i].Name, rules[i].Version)
		}
		j := i + 1
		if up {
			j = i - 1
		}
		if j < 0 || j >= len(rules) {
			return nil
		}
		a, b := rules[i].Rule, rules[j].Rule
		a.Position, b.Position = b.Position, a.Position
		if a.Position == b.Position {
			// Equal positions order by ID; make the move visible.
			if up {
				a.Position = max(b.Position-1, 1)
			} else {
				a.Position = b.Position + 1
			}
		}
		if _, err := db.saveRule(ctx, tx, a, 0, actor); err != nil {
			return err
		}
		_, err = db.saveRule(ctx, tx, b, 0, actor)
		return err
	})
}

// SetRuleStatus makes a rule draft, active or inactive and records the
// version. Activating a rule with a draft change makes the change live, as
// a new version. Returns EINVALID, ENOTFOUND, ECONFLICT.
func (db *DB) SetRuleStatus(ctx context.Context, id int64, status string, expectVersion int, actor string) (sourcing.Rule, error) {
	var r sourcing.Rule
	err := db.Update(ctx, func(tx *sql.Tx) error {
		old, err := scanRule(tx.QueryRowContext(ctx, `SELECT id, version, name, position, status, conditions, policy, updated_by, updated_at
			FROM sourcing_rules WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return domain.Errorf(domain.ENOTFOUND, "No sourcing rule %d.", id)
		} else if err != nil {
			return err
		}
		r = old.Rule
		if status == sourcing.StatusActive {
			pending, err := pendingChanges(ctx, tx)
			if err != nil {
				return err
			}
			if p, ok := pending[id]; ok {
				r = p.Rule
				// Moves since the edit are live already and stay.
				r.ID, r.Version, r.Position = id, old.Version, old.Position
				if _, err := tx.ExecContext(ctx, `DELETE FROM sourcing_rule_pending WHERE rule_id = ?`, id); err != nil {
					return err
				}
			}
		}
		r.Status = status
		if err := sourcing.Validate(r); err != nil {
			return err
		}
		r, err = db.saveRule(ctx, tx, r, expectVersion, actor)
		return err
	})
	return r, err
}
