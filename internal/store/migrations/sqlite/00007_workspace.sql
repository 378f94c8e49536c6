-- +goose Up
-- Workspaces: an initiative's shared back office, organised in the four
-- circles of the roadmap's figure 2 (core, contributors, members,
-- supporters). Owned by internal/workspace.
--
-- Visibility everywhere is one of 'public', 'supporters', 'members',
-- 'contributors', 'core': the outermost circle that may see the thing
-- (inner circles see what outer ones see). Calendar dates (joining, leaving,
-- booking) are 'YYYY-MM-DD' in Europe/Amsterdam; instants are Unix
-- milliseconds.

CREATE TABLE workspaces (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    slug          TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    initiative_id BIGINT UNIQUE REFERENCES initiatives(id) ON DELETE SET NULL,
    settings      TEXT NOT NULL DEFAULT '{}',   -- JSON: visibilities, quota, numbering
    mail_key      TEXT NOT NULL DEFAULT '',     -- base64 of 32 random bytes: HMAC key of the unsubscribe links ('' until the first announcement)
    created_by    BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

-- The register: one row per person who is or was in the workspace, with or
-- without an account (imported from a spreadsheet). A person who leaves
-- keeps the row, with left_on set, as a register of members must. Erasure
-- blanks name and contact details and sets erased_at; the number, dates,
-- participations and ledger entries stay, pseudonymised.
CREATE TABLE workspace_members (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id    BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    user_id         BIGINT REFERENCES users(id) ON DELETE SET NULL,
    circle          TEXT NOT NULL CHECK (circle IN ('core', 'contributors', 'members', 'supporters')),
    number          BIGINT NOT NULL,             -- membership number, unique in the workspace
    name            TEXT NOT NULL DEFAULT '',
    email           TEXT NOT NULL DEFAULT '',    -- lower-cased
    phone           TEXT NOT NULL DEFAULT '',
    address         TEXT NOT NULL DEFAULT '',
    joined_on       TEXT NOT NULL,
    left_on         TEXT,
    unsubscribed_at BIGINT,                      -- no announcements by mail
    erased_at       BIGINT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    UNIQUE (workspace_id, number)
);
CREATE UNIQUE INDEX workspace_members_user ON workspace_members(workspace_id, user_id) WHERE user_id IS NOT NULL;
CREATE INDEX workspace_members_by_user ON workspace_members(user_id);
CREATE INDEX workspace_members_email ON workspace_members(workspace_id, email);
CREATE INDEX workspace_members_circle ON workspace_members(workspace_id, circle, name);

-- Rights core delegates to named people, as Foodsoft's workgroup flags:
-- 'register' (the register, invitations, join requests, import), 'treasurer'
-- (shares, participations, ledger, fees), 'announcements', 'files'.
CREATE TABLE workspace_roles (
    member_id  BIGINT NOT NULL REFERENCES workspace_members(id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('register', 'treasurer', 'announcements', 'files')),
    granted_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    granted_at BIGINT NOT NULL,
    PRIMARY KEY (member_id, role)
);

CREATE TABLE workspace_invitations (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    email        TEXT NOT NULL,                  -- lower-cased; blanked by erasure
    circle       TEXT NOT NULL CHECK (circle IN ('core', 'contributors', 'members', 'supporters')),
    token_hash   TEXT NOT NULL UNIQUE,           -- SHA-256 of the mailed token, hex
    invited_by   BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    accepted_at  BIGINT,
    accepted_by  BIGINT REFERENCES users(id) ON DELETE SET NULL,
    revoked_at   BIGINT
);
CREATE INDEX workspace_invitations_open ON workspace_invitations(workspace_id, expires_at);

CREATE TABLE workspace_join_requests (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    user_id      BIGINT NOT NULL REFERENCES users(id),
    message      TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    decided_at   BIGINT,
    decided_by   BIGINT REFERENCES users(id) ON DELETE SET NULL,
    decision     TEXT CHECK (decision IN ('accepted', 'declined', 'withdrawn')),
    circle       TEXT CHECK (circle IN ('core', 'contributors', 'members', 'supporters'))
);
CREATE INDEX workspace_join_requests_open ON workspace_join_requests(workspace_id, decided_at);
CREATE INDEX workspace_join_requests_user ON workspace_join_requests(user_id);

-- Register fields core defines, typed; visibility says which circle sees
-- other people's values (a person always sees their own).
CREATE TABLE workspace_fields (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    key          TEXT NOT NULL,                  -- column header in imports and exports
    label        TEXT NOT NULL,
    type         TEXT NOT NULL CHECK (type IN ('text', 'date', 'number', 'choice')),
    choices      TEXT NOT NULL DEFAULT '[]',     -- JSON list, for 'choice'
    visibility   TEXT NOT NULL CHECK (visibility IN ('public', 'supporters', 'members', 'contributors', 'core')),
    position     INTEGER NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    UNIQUE (workspace_id, key)
);

CREATE TABLE workspace_field_values (
    member_id BIGINT NOT NULL REFERENCES workspace_members(id) ON DELETE CASCADE,
    field_id  BIGINT NOT NULL REFERENCES workspace_fields(id) ON DELETE CASCADE,
    value     TEXT NOT NULL,
    PRIMARY KEY (member_id, field_id)
);

-- Consent texts are versioned: a consent names the exact version agreed to.
CREATE TABLE workspace_consent_texts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    key          TEXT NOT NULL,                  -- e.g. 'privacy', 'photos'
    version      INTEGER NOT NULL,
    text         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    UNIQUE (workspace_id, key, version)
);

CREATE TABLE workspace_consents (
    member_id    BIGINT NOT NULL REFERENCES workspace_members(id) ON DELETE CASCADE,
    text_id      BIGINT NOT NULL REFERENCES workspace_consent_texts(id),
    given_at     BIGINT NOT NULL,
    withdrawn_at BIGINT,
    PRIMARY KEY (member_id, text_id)
);

-- Shares (Econobis): classes, participations with their status history,
-- and a ledger in integer cents that is only ever appended to.
CREATE TABLE workspace_share_classes (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id  BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    nominal_cents BIGINT NOT NULL CHECK (nominal_cents > 0),
    min_shares    INTEGER NOT NULL DEFAULT 1 CHECK (min_shares >= 0),
    max_shares    INTEGER CHECK (max_shares IS NULL OR max_shares >= min_shares),
    created_at    BIGINT NOT NULL,
    UNIQUE (workspace_id, name)
);

CREATE TABLE workspace_participations (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    member_id    BIGINT NOT NULL REFERENCES workspace_members(id),
    class_id     BIGINT NOT NULL REFERENCES workspace_share_classes(id),
    shares       INTEGER NOT NULL CHECK (shares > 0),
    status       TEXT NOT NULL CHECK (status IN ('interest', 'option', 'granted', 'final', 'terminated')),
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX workspace_participations_ws ON workspace_participations(workspace_id, status);
CREATE INDEX workspace_participations_member ON workspace_participations(member_id);

CREATE TABLE workspace_participation_events (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    participation_id BIGINT NOT NULL REFERENCES workspace_participations(id),
    from_status      TEXT NOT NULL DEFAULT '',
    to_status        TEXT NOT NULL,
    shares           INTEGER NOT NULL,
    at               BIGINT NOT NULL,
    by_user          BIGINT REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX workspace_participation_events_p ON workspace_participation_events(participation_id);

-- account: 'capital' (share capital, repayable) or 'fees' (spendable), kept
-- apart. amount_cents is signed: deposits and fee payments positive,
-- withdrawals negative; a transfer is two entries with one transfer_id. A
-- mistake is corrected by an entry that reverses it (reverses_id), never by
-- editing or deleting: the triggers below refuse both.
CREATE TABLE workspace_ledger (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id     BIGINT NOT NULL REFERENCES workspaces(id),
    member_id        BIGINT NOT NULL REFERENCES workspace_members(id),
    participation_id BIGINT REFERENCES workspace_participations(id),
    fee_id           BIGINT,
    account          TEXT NOT NULL CHECK (account IN ('capital', 'fees')),
    kind             TEXT NOT NULL CHECK (kind IN ('deposit', 'withdrawal', 'transfer', 'fee', 'reversal')),
    amount_cents     BIGINT NOT NULL CHECK (amount_cents <> 0),
    booked_on        TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    transfer_id      BIGINT,
    reverses_id      BIGINT UNIQUE REFERENCES workspace_ledger(id),
    created_by       BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at       BIGINT NOT NULL
);
CREATE INDEX workspace_ledger_ws ON workspace_ledger(workspace_id, account, booked_on);
CREATE INDEX workspace_ledger_member ON workspace_ledger(member_id);

-- +goose StatementBegin
CREATE TRIGGER workspace_ledger_no_update BEFORE UPDATE ON workspace_ledger
BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only: book a reversal');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER workspace_ledger_no_delete BEFORE DELETE ON workspace_ledger
BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only: book a reversal');
END;
-- +goose StatementEnd

-- Membership fees per period; a fee is paid when a ledger entry (account
-- 'fees') pays it, unpaid again when that entry is reversed.
CREATE TABLE workspace_fee_periods (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,                  -- e.g. '2027'
    amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
    due_on       TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    UNIQUE (workspace_id, name)
);

CREATE TABLE workspace_fees (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    period_id    BIGINT NOT NULL REFERENCES workspace_fee_periods(id),
    member_id    BIGINT NOT NULL REFERENCES workspace_members(id),
    amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
    paid_entry   BIGINT REFERENCES workspace_ledger(id),
    created_at   BIGINT NOT NULL,
    UNIQUE (period_id, member_id)
);

CREATE TABLE workspace_announcements (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    title        TEXT NOT NULL,
    body         TEXT NOT NULL,
    visibility   TEXT NOT NULL CHECK (visibility IN ('public', 'supporters', 'members', 'contributors', 'core')),
    author_id    BIGINT REFERENCES users(id) ON DELETE SET NULL,
    recipients   INTEGER NOT NULL DEFAULT 0,     -- mails queued
    created_at   BIGINT NOT NULL
);
CREATE INDEX workspace_announcements_ws ON workspace_announcements(workspace_id, created_at);
CREATE INDEX workspace_announcements_public ON workspace_announcements(visibility, created_at);

-- §7.1.1's channels: where the group talks in real time, asynchronously,
-- keeps its static documents and speaks in public; tool_id names the
-- toolbox's tool it uses (empty: not in the catalogue).
CREATE TABLE workspace_channels (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('realtime', 'async', 'static', 'public')),
    name         TEXT NOT NULL,
    url          TEXT NOT NULL DEFAULT '',
    tool_id      TEXT NOT NULL DEFAULT '',
    visibility   TEXT NOT NULL CHECK (visibility IN ('public', 'supporters', 'members', 'contributors', 'core')),
    position     INTEGER NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL
);
CREATE INDEX workspace_channels_ws ON workspace_channels(workspace_id, position);

-- Files: a name with versions; each version's bytes live under the data
-- directory by SHA-256, so two uploads of one file are stored once.
-- Removing a file sets deleted_at (and deleted_by): core may restore it for
-- 30 days, after which its rows go, and with them the bytes no other
-- version names. Until then its versions count against the quota.
CREATE TABLE workspace_files (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    visibility   TEXT NOT NULL CHECK (visibility IN ('public', 'supporters', 'members', 'contributors', 'core')),
    created_by   BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at   BIGINT NOT NULL,
    deleted_at   BIGINT,
    deleted_by   BIGINT REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX workspace_files_ws ON workspace_files(workspace_id, name);

CREATE TABLE workspace_file_versions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    file_id      BIGINT NOT NULL REFERENCES workspace_files(id) ON DELETE CASCADE,
    version      INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    size         BIGINT NOT NULL,
    content_type TEXT NOT NULL,
    uploaded_by  BIGINT REFERENCES users(id) ON DELETE SET NULL,
    uploaded_at  BIGINT NOT NULL,
    UNIQUE (file_id, version)
);
CREATE INDEX workspace_file_versions_hash ON workspace_file_versions(sha256);

-- +goose Down
DROP TABLE workspace_file_versions;
DROP TABLE workspace_files;
DROP TABLE workspace_channels;
DROP TABLE workspace_announcements;
DROP TABLE workspace_fees;
DROP TABLE workspace_fee_periods;
DROP TABLE workspace_ledger;
DROP TABLE workspace_participation_events;
DROP TABLE workspace_participations;
DROP TABLE workspace_share_classes;
DROP TABLE workspace_consents;
DROP TABLE workspace_consent_texts;
DROP TABLE workspace_field_values;
DROP TABLE workspace_fields;
DROP TABLE workspace_join_requests;
DROP TABLE workspace_invitations;
DROP TABLE workspace_roles;
DROP TABLE workspace_members;
DROP TABLE workspaces;
