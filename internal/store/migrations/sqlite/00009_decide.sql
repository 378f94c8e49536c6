-- +goose Up
-- Deciding together: proposals and votes in a workspace or city-wide, and
-- participatory budgets. Owned by internal/decide. Instants are Unix
-- milliseconds; calendar dates 'YYYY-MM-DD' in Europe/Amsterdam.
--
-- Ballot secrecy: an open ballot names its voter (user_id) and keeps every
-- version; an anonymous or hidden one is stored apart from who voted, under
-- a random id, with no time: decision_voters says who voted, the ballot
-- says how, and nothing links the two.

CREATE TABLE decisions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id BIGINT REFERENCES workspaces(id) ON DELETE CASCADE, -- NULL: city-wide, run by stewards
    district     TEXT NOT NULL DEFAULT '',       -- city-wide: voters declare they live here ('' = the whole city)
    title        TEXT NOT NULL,
    body         TEXT NOT NULL DEFAULT '',
    language     TEXT NOT NULL CHECK (language IN ('nl', 'en')), -- the author's
    method       TEXT NOT NULL,
    params       TEXT NOT NULL DEFAULT '{}',     -- JSON: quorum, threshold, seats, dots, max choices
    visibility   TEXT NOT NULL DEFAULT 'public', -- 'public' or the outermost circle that sees it
    circles      TEXT NOT NULL DEFAULT '',       -- who may vote: circles, comma separated (workspace only)
    secrecy      TEXT NOT NULL CHECK (secrecy IN ('open', 'anonymous', 'hidden')),
    state        TEXT NOT NULL CHECK (state IN ('draft', 'discussion', 'voting', 'closed')),
    opens_at     BIGINT,
    closes_at    BIGINT,
    electorate   BIGINT NOT NULL DEFAULT 0,      -- fixed when voting opens
    result       TEXT,                           -- JSON, fixed when voting closes
    outcome      TEXT NOT NULL DEFAULT '',       -- the outcome statement
    review_on    TEXT,
    author_id    BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    closed_at    BIGINT
);
CREATE INDEX decisions_workspace ON decisions(workspace_id, state, closes_at);
CREATE INDEX decisions_due ON decisions(state, closes_at);
CREATE INDEX decisions_author ON decisions(author_id);

-- Options in the order drawn by lot when voting opens (position), which is
-- also the tie-break order. A meeting poll's options are times.
CREATE TABLE decision_options (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    decision_id BIGINT NOT NULL REFERENCES decisions(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    label       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    starts_at   BIGINT,
    ends_at     BIGINT
);
CREATE INDEX decision_options_decision ON decision_options(decision_id, position);

CREATE TABLE decision_comments (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    decision_id BIGINT NOT NULL REFERENCES decisions(id) ON DELETE CASCADE,
    parent_id   BIGINT REFERENCES decision_comments(id) ON DELETE CASCADE,
    author_id   BIGINT REFERENCES users(id) ON DELETE SET NULL,
    body        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    erased_at   BIGINT
);
CREATE INDEX decision_comments_decision ON decision_comments(decision_id, id);
CREATE INDEX decision_comments_author ON decision_comments(author_id);

-- An amendment proposes a new text for the proposal; its author takes it
-- over (accepted: the proposal's body becomes it) or declines it.
CREATE TABLE decision_amendments (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    decision_id BIGINT NOT NULL REFERENCES decisions(id) ON DELETE CASCADE,
    author_id   BIGINT REFERENCES users(id) ON DELETE SET NULL,
    body        TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    state       TEXT NOT NULL CHECK (state IN ('open', 'accepted', 'declined')),
    created_at  BIGINT NOT NULL,
    decided_at  BIGINT,
    decided_by  BIGINT REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX decision_amendments_decision ON decision_amendments(decision_id, id);
CREATE INDEX decision_amendments_author ON decision_amendments(author_id);

-- Who may vote in a workspace's decision, fixed when voting opens.
CREATE TABLE decision_electorate (
    decision_id BIGINT NOT NULL REFERENCES decisions(id) ON DELETE CASCADE,
    user_id     BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (decision_id, user_id)
);
CREATE INDEX decision_electorate_user ON decision_electorate(user_id);

-- Who voted: one row per voter and decision (the primary key is what makes
-- a second ballot impossible, under any load, on both engines).
CREATE TABLE decision_voters (
    decision_id BIGINT NOT NULL REFERENCES decisions(id) ON DELETE CASCADE,
    user_id     BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    voted_at    BIGINT NOT NULL,
    versions    INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (decision_id, user_id)
);
CREATE INDEX decision_voters_user ON decision_voters(user_id);

CREATE TABLE decision_ballots (
    id            TEXT PRIMARY KEY,              -- random
    decision_id   BIGINT NOT NULL REFERENCES decisions(id) ON DELETE CASCADE,
    user_id       BIGINT REFERENCES users(id) ON DELETE SET NULL, -- open ballots only
    version       INTEGER NOT NULL DEFAULT 1,
    choice        TEXT NOT NULL,                 -- JSON, as the method reads it
    cast_at       BIGINT,                        -- open ballots only
    superseded_at BIGINT                         -- an open ballot changed later
);
CREATE INDEX decision_ballots_decision ON decision_ballots(decision_id, superseded_at);
CREATE INDEX decision_ballots_user ON decision_ballots(user_id);

-- A reminder mailed before voting closes: at most one per person and decision.
CREATE TABLE decision_reminders (
    decision_id BIGINT NOT NULL REFERENCES decisions(id) ON DELETE CASCADE,
    user_id     BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    sent_at     BIGINT NOT NULL,
    PRIMARY KEY (decision_id, user_id)
);
CREATE INDEX decision_reminders_user ON decision_reminders(user_id);

-- Participatory budgets: projects proposed, reviewed, voted on and funded
-- by a rule (greedy by votes, or the Method of Equal Shares).
CREATE TABLE budgets (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id   BIGINT REFERENCES workspaces(id) ON DELETE CASCADE, -- NULL: city-wide
    district       TEXT NOT NULL DEFAULT '',    -- voters (city-wide) and projects lie here ('' = the whole city)
    circles        TEXT NOT NULL DEFAULT '',    -- workspace: who may propose and vote, comma separated
    title          TEXT NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    language       TEXT NOT NULL CHECK (language IN ('nl', 'en')),
    total_cents    BIGINT NOT NULL CHECK (total_cents > 0), -- whole euros, as pabulib files count
    ballot_kind    TEXT NOT NULL CHECK (ballot_kind IN ('knapsack', 'approval')),
    min_projects   INTEGER NOT NULL DEFAULT 0,
    max_projects   INTEGER NOT NULL DEFAULT 0,
    min_cost_cents BIGINT NOT NULL DEFAULT 0,
    rule           TEXT NOT NULL CHECK (rule IN ('greedy', 'equal-shares', 'equal-shares-add1')),
    phase          TEXT NOT NULL CHECK (phase IN ('proposals', 'review', 'voting', 'result')),
    closes_at      BIGINT,                        -- online voting ends; paper ballots may still be typed in
    result         TEXT,                          -- JSON: every rule's outcome, fixed at the result phase
    created_by     BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX budgets_phase ON budgets(phase, closes_at);
CREATE INDEX budgets_created_by ON budgets(created_by);

CREATE TABLE budget_projects (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    budget_id   BIGINT NOT NULL REFERENCES budgets(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,               -- lot order, drawn when voting opens
    title       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    district    TEXT NOT NULL DEFAULT '',
    cost_cents  BIGINT NOT NULL CHECK (cost_cents > 0),
    proposer_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    state       TEXT NOT NULL CHECK (state IN ('proposed', 'accepted', 'rejected')),
    review_note TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX budget_projects_budget ON budget_projects(budget_id, position);
CREATE INDEX budget_projects_proposer ON budget_projects(proposer_id);

CREATE TABLE budget_voters (
    budget_id BIGINT NOT NULL REFERENCES budgets(id) ON DELETE CASCADE,
    user_id   BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    voted_at  BIGINT NOT NULL,
    PRIMARY KEY (budget_id, user_id)
);
CREATE INDEX budget_voters_user ON budget_voters(user_id);

-- Budget ballots, secret: a random id, the chosen projects (ids, comma
-- separated), online or from paper (then the sheet's number).
CREATE TABLE budget_ballots (
    id        TEXT PRIMARY KEY,
    budget_id BIGINT NOT NULL REFERENCES budgets(id) ON DELETE CASCADE,
    projects  TEXT NOT NULL,
    source    TEXT NOT NULL CHECK (source IN ('online', 'paper')),
    sheet     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX budget_ballots_budget ON budget_ballots(budget_id);
CREATE UNIQUE INDEX budget_ballots_sheet ON budget_ballots(budget_id, sheet) WHERE source = 'paper';

-- Paper ballots are typed in twice, by two stewards on their own; a sheet
-- counts (becomes a budget_ballots row) only when both entries agree.
CREATE TABLE budget_paper_entries (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    budget_id  BIGINT NOT NULL REFERENCES budgets(id) ON DELETE CASCADE,
    sheet      TEXT NOT NULL,
    projects   TEXT NOT NULL,
    entered_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    entered_at BIGINT NOT NULL,
    UNIQUE (budget_id, sheet, entered_by)
);
CREATE INDEX budget_paper_entries_by ON budget_paper_entries(entered_by);

-- +goose Down
DROP TABLE budget_paper_entries;
DROP TABLE budget_ballots;
DROP TABLE budget_voters;
DROP TABLE budget_projects;
DROP TABLE budgets;
DROP TABLE decision_reminders;
DROP TABLE decision_ballots;
DROP TABLE decision_voters;
DROP TABLE decision_electorate;
DROP TABLE decision_amendments;
DROP TABLE decision_comments;
DROP TABLE decision_options;
DROP TABLE decisions;
