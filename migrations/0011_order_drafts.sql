-- Order entry and CSV import.

-- A draft is the entry screen's form as it was last typed, saved as the rep
-- keys it so that a dropped call loses nothing. Drafts are not orders: form
-- is the screen's JSON and may hold incomplete lines; nothing is validated
-- until the draft is submitted, which deletes it in the capture transaction.
CREATE TABLE order_drafts (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    customer_id INTEGER REFERENCES customers (id) ON DELETE SET NULL,
    form        TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
) STRICT;
CREATE INDEX order_drafts_user ON order_drafts (user_id, updated_at);

-- A CSV upload of orders. The file is kept so that the background run
-- needs nothing from the request, and progress lives here so that it
-- survives a page reload.
CREATE TABLE import_jobs (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    actor        TEXT    NOT NULL,
    role         TEXT    NOT NULL CHECK (role IN ('csr', 'sales', 'ops', 'admin')),
    file_name    TEXT    NOT NULL,
    content      BLOB    NOT NULL,
    status       TEXT    NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    total_orders INTEGER NOT NULL DEFAULT 0,
    total_rows   INTEGER NOT NULL DEFAULT 0,
    done_orders  INTEGER NOT NULL DEFAULT 0,
    accepted     INTEGER NOT NULL DEFAULT 0,
    held         INTEGER NOT NULL DEFAULT 0,
    rejected     INTEGER NOT NULL DEFAULT 0,
    error        TEXT    NOT NULL DEFAULT '',
    created_at   TEXT    NOT NULL,
    started_at   TEXT,
    finished_at  TEXT
) STRICT;
CREATE INDEX import_jobs_user ON import_jobs (user_id, id);

-- One line of an import's report per order of the file. An accepted or held
-- order's result is written in the transaction that captures it, so a run
-- that stops part way knows exactly which orders it took.
CREATE TABLE import_results (
    job_id           INTEGER NOT NULL REFERENCES import_jobs (id) ON DELETE CASCADE,
    seq              INTEGER NOT NULL,
    customer_account TEXT    NOT NULL,
    po_number        TEXT    NOT NULL,
    first_row        INTEGER NOT NULL,
    rows             TEXT    NOT NULL,
    outcome          TEXT    NOT NULL CHECK (outcome IN ('accepted', 'held', 'rejected')),
    order_number     TEXT    NOT NULL DEFAULT '',
    message          TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (job_id, seq)
) STRICT, WITHOUT ROWID;
