package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/oms/oms/domain"
)

// holdReleaseRoles is who may release a hold of reason, as of the
// caller's transaction: the admin's setting, else the default.
func holdReleaseRoles(ctx context.Context, q querier, reason string) ([]domain.Role, error) {
	var v string
	err := q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, domain.HoldReleaseSettingKey(reason)).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.DefaultHoldReleaseRoles[reason], nil
	} else if err != nil {
		return nil, fmt.Errorf("read hold release authority: %w", err)
	}
	return domain.ParseRoles(v), nil
}

// HoldReleaseAuthority returns, for every hold reason, the roles that may
// release it (besides admin).
func (db *DB) HoldReleaseAuthority(ctx context.Context) (map[string][]domain.Role, error) {
	out := map[string][]domain.Role{}
	for _, r := range domain.HoldReasons {
		roles, err := holdReleaseRoles(ctx, db.read, r)
		if err != nil {
			return nil, err
		}
		out[r] = roles
	}
	return out, nil
}

// SetHoldReleaseAuthority changes which roles may release holds of reason;
// it is a setting, so only an admin may, and the change is an event.
// Returns EFORBIDDEN, EINVALID for an unknown reason.
func (db *DB) SetHoldReleaseAuthority(ctx context.Context, reason string, roles []domain.Role, actor string, role domain.Role) error {
	if !slices.Contains(domain.HoldReasons, reason) {
		return domain.Invalid("Unknown hold reason.", map[string]string{"reason": "is not a hold reason"})
	}
	return db.SetSetting(ctx, domain.HoldReleaseSettingKey(reason), domain.FormatRoles(roles), actor, role)
}

// SLAReleaseHours is how many hours an order may wait for release before
// it breaches its SLA (the admin's setting, else the default).
func (db *DB) SLAReleaseHours(ctx context.Context) (int, error) {
	v, ok, err := db.Setting(ctx, domain.SLAReleaseHoursSetting)
	if err != nil || !ok {
		return domain.DefaultSLAReleaseHours, err
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return domain.DefaultSLAReleaseHours, nil
	}
	return n, nil
}

// SetSLAReleaseHours changes SLAReleaseHours. Returns EFORBIDDEN for a
// role other than admin, EINVALID for hours outside 1–720.
func (db *DB) SetSLAReleaseHours(ctx context.Context, hours int, actor string, role domain.Role) error {
	if hours < 1 || hours > 720 {
		return domain.Invalid("Enter between 1 and 720 hours.", map[string]string{"sla_hours": "must be between 1 and 720"})
	}
	return db.SetSetting(ctx, domain.SLAReleaseHoursSetting, strconv.Itoa(hours), actor, role)
}

// ReleaseHold releases the order's open hold holdID with the actor's
// reason. Who may release depends on the hold's reason (see
// HoldReleaseAuthority); the hold's exception is resolved with the
// reason as its note. Returns ENOTFOUND, EINVALID without a reason,
// EFORBIDDEN when the role may not release this reason, ECONFLICT for a
// stale version or a hold already released.
func (db *DB) ReleaseHold(ctx context.Context, a OrderAction, holdID int64) (domain.Order, error) {
	if err := requireReason(a, "release the hold"); err != nil {
		return domain.Order{}, err
	}
	return db.act(ctx, a, func(tx *sql.Tx, o domain.Order) (ActionEvent, error) {
		var reason string
		var released sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT reason, released_at FROM holds WHERE id = ? AND order_id = ?`, holdID, o.ID).Scan(&reason, &released)
		if errors.Is(err, sql.ErrNoRows) {
			return ActionEvent{}, domain.Errorf(domain.ENOTFOUND, "Order %s has no hold %d.", o.Number, holdID)
		} else if err != nil {
			return ActionEvent{}, err
		}
		label := domain.HoldReasonLabel(reason)
		if !a.System() {
			roles, err := holdReleaseRoles(ctx, tx, reason)
			if err != nil {
				return ActionEvent{}, err
			}
			if !domain.RoleIn(a.Role, roles...) {
				return ActionEvent{}, domain.Errorf(domain.EFORBIDDEN, "Your role (%s) may not release a %s hold.", a.Role.Label(), label)
			}
		}
		if released.Valid {
			return ActionEvent{}, domain.Errorf(domain.ECONFLICT, "The %s hold on %s was released already.", label, o.Number)
		}
		now := db.now()
		if _, err := tx.ExecContext(ctx, `UPDATE holds SET released_by = ?, released_at = ?, release_note = ? WHERE id = ?`,
			a.Actor, now, a.Reason, holdID); err != nil {
			return ActionEvent{}, err
		}
		if err := resolveExceptions(ctx, tx, a.Actor, now, "Hold released: "+a.Reason, `hold_id = ?`, holdID); err != nil {
			return ActionEvent{}, err
		}
		data, _ := json.Marshal(map[string]any{"hold_id": holdID, "reason": reason})
		return ActionEvent{Kind: "hold.released", Summary: label + " hold released.", Data: string(data)}, nil
	})
}

// resolveExceptions resolves the unresolved exceptions matching where
// (with args) inside the caller's action.
func resolveExceptions(ctx context.Context, tx *sql.Tx, actor, now, note, where string, args ...any) error {
	_, err := tx.ExecContext(ctx, `UPDATE exceptions SET status = 'resolved', resolved_at = ?, resolved_by = ?, resolution_note = ?
		WHERE status <> 'resolved' AND `+where, append([]any{now, actor, note}, args...)...)
	return err
}
