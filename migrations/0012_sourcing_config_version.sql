-- The sourcing rules and the locations change a few times a day; every
-- order capture reads them. The capture keeps them in memory and re-reads
-- them only when this counter moved. Triggers move it on any change, by any
-- writer (this process, another one, or a person at the sqlite3 shell), so
-- the copy in memory can never be stale inside the write transaction that
-- reads the counter.
INSERT INTO sequences (name, value) VALUES ('sourcing_config', 1)
    ON CONFLICT (name) DO NOTHING;

CREATE TRIGGER sourcing_rules_changed_insert AFTER INSERT ON sourcing_rules BEGIN
    UPDATE sequences SET value = value + 1 WHERE name = 'sourcing_config';
END;
CREATE TRIGGER sourcing_rules_changed_update AFTER UPDATE ON sourcing_rules BEGIN
    UPDATE sequences SET value = value + 1 WHERE name = 'sourcing_config';
END;
CREATE TRIGGER sourcing_rules_changed_delete AFTER DELETE ON sourcing_rules BEGIN
    UPDATE sequences SET value = value + 1 WHERE name = 'sourcing_config';
END;
CREATE TRIGGER locations_changed_insert AFTER INSERT ON locations BEGIN
    UPDATE sequences SET value = value + 1 WHERE name = 'sourcing_config';
END;
CREATE TRIGGER locations_changed_update AFTER UPDATE ON locations BEGIN
    UPDATE sequences SET value = value + 1 WHERE name = 'sourcing_config';
END;
CREATE TRIGGER locations_changed_delete AFTER DELETE ON locations BEGIN
    UPDATE sequences SET value = value + 1 WHERE name = 'sourcing_config';
END;
