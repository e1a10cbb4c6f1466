-- Settings an admin changes at run time (who may release which hold, how
-- many hours before an unreleased order breaches its SLA, whether customer
-- service may reroute). One row per key; the value's meaning belongs to the
-- code that reads it, which also supplies the default when the row is absent.
-- Each change is also an event (with no order) so that the audit log says
-- who changed what and when.
CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
