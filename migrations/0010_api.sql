-- API intake (issue 5). Idempotency keys are scoped to who sent them: an API
-- token ("token:12") or a signed-in person calling the API from a browser
-- ("user:5"); 0001 allowed tokens only. No code wrote the table before this
-- migration, so it is recreated rather than copied.
DROP TABLE idempotency_keys;

-- Invariant 7: an Idempotency-Key is applied at most once per scope. body is
-- the response sent the first time, replayed byte for byte on a retry.
CREATE TABLE idempotency_keys (
    scope        TEXT    NOT NULL,
    key          TEXT    NOT NULL,
    request_hash TEXT    NOT NULL,
    status       INTEGER NOT NULL,
    body         BLOB    NOT NULL,
    order_id     INTEGER REFERENCES orders (id) ON DELETE SET NULL,
    created_at   TEXT    NOT NULL,
    PRIMARY KEY (scope, key)
) STRICT;
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
