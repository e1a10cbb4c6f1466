-- An edit of an active sourcing rule is kept here as a draft change until
-- someone activates it; the active version keeps sourcing orders meanwhile,
-- and the simulator tries the draft change in its place. One per rule.
CREATE TABLE sourcing_rule_pending (
    rule_id      INTEGER PRIMARY KEY REFERENCES sourcing_rules (id) ON DELETE CASCADE,
    snapshot     TEXT    NOT NULL,
    base_version INTEGER NOT NULL,
    updated_by   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL
) STRICT;
