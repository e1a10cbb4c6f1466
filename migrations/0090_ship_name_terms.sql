-- The words of every ship-to name, so that a search can turn the word a
-- CSR is still typing ("plumb") into the whole words it starts ("plumbing",
-- "plumbers") before it asks orders_ship_fts. Given the prefix itself,
-- FTS5 merges the doclists of every word it starts over a million orders
-- before it returns the first match: 40 % of a ship-to search. Given the
-- whole words, it reads only as far as the newest matches it is asked for.
--
-- Orders repeat few names (a customer's ship-tos, a consumer's own name),
-- so the words come from a dictionary of the distinct names, whose own
-- small full-text index lists them (ship_name_terms). A name is added in
-- the transaction that first uses it, so the words are never behind the
-- orders. Names are only ever added: a name no order has any more costs a
-- row and changes no search.
CREATE TABLE ship_names (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
) STRICT;

-- The same tokenizer as orders_ship_fts (0002), so that the words match.
CREATE VIRTUAL TABLE ship_names_fts USING fts5(
    name,
    content = 'ship_names',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE ship_name_terms USING fts5vocab(ship_names_fts, row);

CREATE TRIGGER ship_names_fts_insert AFTER INSERT ON ship_names BEGIN
    INSERT INTO ship_names_fts (rowid, name) VALUES (new.id, new.name);
END;

INSERT INTO ship_names (name) SELECT DISTINCT ship_name FROM orders;

-- NOT EXISTS rather than INSERT OR IGNORE: a conflict clause on the
-- statement that fires a trigger overrides the trigger's own.
CREATE TRIGGER orders_ship_name_insert AFTER INSERT ON orders
    WHEN NOT EXISTS (SELECT 1 FROM ship_names WHERE name = new.ship_name) BEGIN
    INSERT INTO ship_names (name) VALUES (new.ship_name);
END;
CREATE TRIGGER orders_ship_name_update AFTER UPDATE OF ship_name ON orders
    WHEN NOT EXISTS (SELECT 1 FROM ship_names WHERE name = new.ship_name) BEGIN
    INSERT INTO ship_names (name) VALUES (new.ship_name);
END;
