-- +goose Up
-- Keys samen signs things with, such as the device cookies that let a browser
-- an account has logged in from before past a lockout that strangers caused.
-- Each is made once, from crypto/rand, by whichever process needs it first
-- (INSERT … ON CONFLICT DO NOTHING, then read back), so that every process
-- on the database signs and checks with the same key.
CREATE TABLE signing_keys (
    purpose    TEXT PRIMARY KEY,                  -- e.g. 'device'
    secret     TEXT NOT NULL,                     -- base64 of 32 random bytes
    created_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE signing_keys;
