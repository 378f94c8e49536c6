-- +goose Up
-- Times are Unix milliseconds (UTC) in BIGINT columns on both engines.

CREATE TABLE users (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    email             TEXT NOT NULL UNIQUE,          -- stored lower-cased
    name              TEXT NOT NULL DEFAULT '',
    password_hash     TEXT NOT NULL DEFAULT '',      -- empty: no password (OpenID Connect only)
    role              TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'moderator', 'steward')),
    language          TEXT NOT NULL DEFAULT '',
    email_verified_at BIGINT,
    disabled_at       BIGINT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);

CREATE TABLE oidc_identities (
    issuer     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (issuer, subject)
);

CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,                   -- SHA-256 of the cookie value, hex
    user_id      BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    ip           TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expires ON sessions(expires_at);

CREATE TABLE email_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('verify', 'reset')),
    -- For a sign-up link: the hash of the password typed with that sign-up,
    -- set on the account only when the link is followed, so that whoever
    -- signed up first with someone else's address cannot keep a password on
    -- the account once its owner confirms it.
    password_hash TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX email_tokens_user ON email_tokens(user_id, purpose);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    prefix       TEXT NOT NULL,                      -- first characters, to recognise a token in a list
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

-- Failed logins, one row per failure, for rate limiting that several
-- processes agree on. Old rows are swept.
CREATE TABLE login_failures (
    id  INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL,                                -- 'account:EMAIL' or 'address:IP'
    at  BIGINT NOT NULL
);
CREATE INDEX login_failures_key ON login_failures(key, at);

CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    at           BIGINT NOT NULL,
    actor_id     BIGINT,                              -- NULL: the system or an anonymous visitor
    actor_label  TEXT NOT NULL DEFAULT '',            -- e-mail or 'system' at the time
    action       TEXT NOT NULL,                       -- e.g. 'user.create', 'user.read'
    subject_type TEXT NOT NULL DEFAULT '',
    subject_id   TEXT NOT NULL DEFAULT '',
    ip           TEXT NOT NULL DEFAULT '',
    detail       TEXT NOT NULL DEFAULT ''             -- JSON object
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_actor ON audit_log(actor_id, at);
CREATE INDEX audit_log_subject ON audit_log(subject_type, subject_id, at);

-- +goose StatementBegin
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
-- +goose StatementEnd

-- Outgoing mail is written here in the same transaction as the change that
-- causes it, then sent by a worker: a crash never loses a mail, and the claim
-- columns keep several processes from sending one twice.
CREATE TABLE mail_outbox (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at    BIGINT NOT NULL,
    to_addr       TEXT NOT NULL,
    subject       TEXT NOT NULL,
    body          TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'logged', 'failed')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_try_at   BIGINT NOT NULL,
    claimed_by    TEXT NOT NULL DEFAULT '',
    claimed_until BIGINT NOT NULL DEFAULT 0,
    last_error    TEXT NOT NULL DEFAULT '',
    sent_at       BIGINT
);
CREATE INDEX mail_outbox_due ON mail_outbox(status, next_try_at);

-- +goose Down
DROP TABLE mail_outbox;
DROP TABLE audit_log;
DROP TABLE login_failures;
DROP TABLE api_tokens;
DROP TABLE email_tokens;
DROP TABLE sessions;
DROP TABLE oidc_identities;
DROP TABLE users;
