-- Live updates (issue 12): screens learn of committed changes by polling
-- the highest events id (order changes, in commit order) and the highest
-- exceptions id (new exceptions). A claim, an assignment or a resolution
-- changes an exception row without an id of its own to poll, so every
-- change to the exceptions table counts one up here, in the change's own
-- transaction; a poller compares the count with the one it saw last.
CREATE TABLE change_counters (
    name TEXT PRIMARY KEY,
    n    INTEGER NOT NULL
) STRICT;
INSERT INTO change_counters (name, n) VALUES ('exceptions', 0);

CREATE TRIGGER exceptions_count_insert AFTER INSERT ON exceptions
BEGIN
    UPDATE change_counters SET n = n + 1 WHERE name = 'exceptions';
END;
CREATE TRIGGER exceptions_count_update AFTER UPDATE ON exceptions
BEGIN
    UPDATE change_counters SET n = n + 1 WHERE name = 'exceptions';
END;
CREATE TRIGGER exceptions_count_delete AFTER DELETE ON exceptions
BEGIN
    UPDATE change_counters SET n = n + 1 WHERE name = 'exceptions';
END;
