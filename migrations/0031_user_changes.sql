-- What an administrator changed about a user (role, disabled, enabled),
-- by whom and when: the users' audit trail.
CREATE TABLE user_changes (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    change     TEXT    NOT NULL,
    changed_by TEXT    NOT NULL,
    changed_at TEXT    NOT NULL
) STRICT;

CREATE INDEX user_changes_by_user ON user_changes (user_id, id);
