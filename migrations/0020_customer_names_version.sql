-- Typo-tolerant customer search (issue 9): the store keeps a trigram index
-- of every customer's name in memory (store/customernames.go), because a
-- CSR's misspelling ("Summit Industral") or a full name with another legal
-- form ("... Supply Inc." for "... Supply Co.") matches no FTS word. The
-- copy is rebuilt only when this counter moved; triggers move it on any
-- change of a name, by any writer, so a read transaction that reads the
-- counter never uses a stale copy.
INSERT INTO sequences (name, value) VALUES ('customer_names', 1)
    ON CONFLICT (name) DO NOTHING;

CREATE TRIGGER customer_names_changed_insert AFTER INSERT ON customers BEGIN
    UPDATE sequences SET value = value + 1 WHERE name = 'customer_names';
END;
CREATE TRIGGER customer_names_changed_update AFTER UPDATE OF name, active ON customers
    WHEN old.name IS NOT new.name OR old.active IS NOT new.active BEGIN
    UPDATE sequences SET value = value + 1 WHERE name = 'customer_names';
END;
CREATE TRIGGER customer_names_changed_delete AFTER DELETE ON customers BEGIN
    UPDATE sequences SET value = value + 1 WHERE name = 'customer_names';
END;
