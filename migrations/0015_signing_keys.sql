-- Keys the server signs with, shared by every OMS process on the database.
-- 'signin_csrf' signs the CSRF token of the sign-in form, so that a visitor
-- who is not signed in needs no session row (a row for every anonymous page
-- request wrote 9,000 rows, kept 12 hours, for 9,000 requests).
CREATE TABLE signing_keys (
    name   TEXT PRIMARY KEY,
    secret BLOB NOT NULL CHECK (length(secret) >= 32)
) STRICT;

INSERT INTO signing_keys (name, secret) VALUES ('signin_csrf', randomblob(32));
