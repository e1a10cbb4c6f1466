-- CSV files the ERP and WMS drop into the inbox folder (issue 12): one row
-- per file taken from the folder, for the Integrations page. The file's
-- rows are applied as one inbound message (inbound_messages, by a message
-- id made of its name and a hash of its content); this is the listing,
-- with what became of the file and where it was moved. Rows older than
-- the inbox retention are deleted with their files.
CREATE TABLE inbox_files (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    message_id  TEXT    NOT NULL,
    size        INTEGER NOT NULL,
    received_at TEXT    NOT NULL,
    rows        INTEGER NOT NULL,
    applied     INTEGER NOT NULL,
    result      TEXT    NOT NULL CHECK (result IN ('processed', 'duplicate', 'failed')),
    errors      TEXT    NOT NULL DEFAULT '',
    stored_as   TEXT    NOT NULL
) STRICT;
CREATE INDEX inbox_files_received ON inbox_files (received_at);
