-- +goose Up
-- Funding together: campaigns of initiatives, contributions through a
-- payment provider or by bank transfer, match pools of the municipality
-- and funds, and expenses. Owned by internal/fund. The money itself is in
-- the ledger (internal/ledger, 00010): rows here say what happened and
-- point at the ledger transaction that booked it. Amounts in integer cents;
-- instants in Unix milliseconds; dates 'YYYY-MM-DD' in Europe/Amsterdam.

-- A campaign of a workspace: a minimum goal (below it an all-or-nothing
-- campaign fails and refunds everything) and an optimum, a deadline.
CREATE TABLE fund_campaigns (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id),
    title        TEXT NOT NULL,
    summary      TEXT NOT NULL DEFAULT '',
    body         TEXT NOT NULL DEFAULT '',
    language     TEXT NOT NULL CHECK (language IN ('nl', 'en')),
    district     TEXT NOT NULL DEFAULT '',
    sector       TEXT NOT NULL DEFAULT '',
    min_cents    BIGINT NOT NULL CHECK (min_cents > 0),
    goal_cents   BIGINT NOT NULL CHECK (goal_cents >= min_cents),
    deadline     BIGINT NOT NULL,
    all_or_nothing INTEGER NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('draft', 'running', 'succeeded', 'failed')),
    settled_at   BIGINT,                 -- when the deadline was dealt with (claimed once)
    created_by   BIGINT REFERENCES users(id),
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX fund_campaigns_ws ON fund_campaigns(workspace_id);
CREATE INDEX fund_campaigns_deadline ON fund_campaigns(state, deadline);

-- What the money is for, line by line; expenses are booked against a line.
CREATE TABLE fund_budget_lines (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id BIGINT NOT NULL REFERENCES fund_campaigns(id),
    position    INTEGER NOT NULL,
    label       TEXT NOT NULL,
    cents       BIGINT NOT NULL CHECK (cents > 0)
);
CREATE INDEX fund_budget_lines_campaign ON fund_budget_lines(campaign_id);

CREATE TABLE fund_rewards (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id BIGINT NOT NULL REFERENCES fund_campaigns(id),
    position    INTEGER NOT NULL,
    title       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    min_cents   BIGINT NOT NULL CHECK (min_cents > 0),
    available   INTEGER                  -- NULL: no limit
);
CREATE INDEX fund_rewards_campaign ON fund_rewards(campaign_id);

CREATE TABLE fund_updates (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id BIGINT NOT NULL REFERENCES fund_campaigns(id),
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_by  BIGINT REFERENCES users(id),
    created_at  BIGINT NOT NULL
);
CREATE INDEX fund_updates_campaign ON fund_updates(campaign_id);

-- A contribution, from someone with an account (user_id) or without (an
-- address for the receipt only). The public page shows public_name, or
-- nothing when the contributor chose to stay anonymous. provider_ref is the
-- payment's id at Mollie (tr_…), or the transfer reference for a bank
-- transfer; status follows the provider's.
CREATE TABLE fund_contributions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id  BIGINT NOT NULL REFERENCES fund_campaigns(id),
    user_id      BIGINT REFERENCES users(id),
    email        TEXT NOT NULL DEFAULT '',
    public_name  TEXT NOT NULL DEFAULT '',  -- '' = anonymous on the page
    message      TEXT NOT NULL DEFAULT '',
    reward_id    BIGINT REFERENCES fund_rewards(id),
    cents        BIGINT NOT NULL CHECK (cents > 0),
    provider     TEXT NOT NULL CHECK (provider IN ('mollie', 'bank', 'demo')),
    provider_ref TEXT NOT NULL,
    token        TEXT NOT NULL,            -- the secret in the address of its receipt page (no account needed)
    checkout_url TEXT NOT NULL DEFAULT '',  -- where to pay at the provider, while the payment is open
    status       TEXT NOT NULL CHECK (status IN ('open', 'paid', 'failed', 'canceled', 'expired', 'refunded')),
    paid_tx      BIGINT REFERENCES ledger_transactions(id),
    refund_tx    BIGINT REFERENCES ledger_transactions(id),
    created_at   BIGINT NOT NULL,
    paid_at      BIGINT,
    UNIQUE (provider, provider_ref)
);
CREATE INDEX fund_contributions_campaign ON fund_contributions(campaign_id, status);
CREATE INDEX fund_contributions_user ON fund_contributions(user_id);

-- A match pool: Goteo's "duplicate" rule (factor, caps) or its "criteria"
-- rule (a fixed grant once a campaign reaches a share of its goal and a
-- number of backers). factor is a rational, num/den, so that matches are
-- exact.
CREATE TABLE fund_pools (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    name               TEXT NOT NULL,
    description        TEXT NOT NULL DEFAULT '',
    language           TEXT NOT NULL CHECK (language IN ('nl', 'en')),
    rule               TEXT NOT NULL CHECK (rule IN ('duplicate', 'criteria')),
    factor_num         BIGINT NOT NULL DEFAULT 1,
    factor_den         BIGINT NOT NULL DEFAULT 1,
    max_per_contribution_cents BIGINT NOT NULL DEFAULT 0, -- 0: no cap
    max_per_project_cents      BIGINT NOT NULL DEFAULT 0,
    max_matched_per_contributor INTEGER NOT NULL DEFAULT 0,
    grant_cents        BIGINT NOT NULL DEFAULT 0,    -- criteria
    grant_share_pct    INTEGER NOT NULL DEFAULT 0,
    grant_backers      INTEGER NOT NULL DEFAULT 0,
    districts          TEXT NOT NULL DEFAULT '',     -- eligibility, comma separated; '' = any
    sectors            TEXT NOT NULL DEFAULT '',
    principles         TEXT NOT NULL DEFAULT '',
    assessment_required INTEGER NOT NULL DEFAULT 0,
    state              TEXT NOT NULL CHECK (state IN ('draft', 'open', 'closed')),
    created_by         BIGINT REFERENCES users(id),
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);

CREATE TABLE fund_pool_managers (
    pool_id BIGINT NOT NULL REFERENCES fund_pools(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    PRIMARY KEY (pool_id, user_id)
);
CREATE INDEX fund_pool_managers_user ON fund_pool_managers(user_id);

-- A funder of a pool; what it has left is its ledger account's balance
-- (pool:P:funder:F).
CREATE TABLE fund_funders (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    pool_id  BIGINT NOT NULL REFERENCES fund_pools(id),
    position INTEGER NOT NULL,
    name     TEXT NOT NULL,
    public   INTEGER NOT NULL DEFAULT 1,
    UNIQUE (pool_id, name)
);

CREATE TABLE fund_applications (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    pool_id     BIGINT NOT NULL REFERENCES fund_pools(id),
    campaign_id BIGINT NOT NULL REFERENCES fund_campaigns(id),
    state       TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'rejected', 'withdrawn')),
    note        TEXT NOT NULL DEFAULT '',
    applied_by  BIGINT REFERENCES users(id),
    applied_at  BIGINT NOT NULL,
    decided_by  BIGINT REFERENCES users(id),
    decided_at  BIGINT,
    UNIQUE (pool_id, campaign_id)
);
CREATE INDEX fund_applications_campaign ON fund_applications(campaign_id);

-- A match of one contribution by one pool, and the ledger transaction
-- that booked it (its entries are the split over the funders); returned_tx
-- when the contribution was refunded and the match went back.
CREATE TABLE fund_matches (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    pool_id         BIGINT NOT NULL REFERENCES fund_pools(id),
    campaign_id     BIGINT NOT NULL REFERENCES fund_campaigns(id),
    contribution_id BIGINT NOT NULL REFERENCES fund_contributions(id),
    contributor     TEXT NOT NULL,          -- who, for the cap per contributor: 'u:ID' or a hash of the address
    cents           BIGINT NOT NULL CHECK (cents >= 0),
    tx              BIGINT REFERENCES ledger_transactions(id),
    returned_tx     BIGINT REFERENCES ledger_transactions(id),
    created_at      BIGINT NOT NULL,
    UNIQUE (pool_id, contribution_id)
);
CREATE INDEX fund_matches_campaign ON fund_matches(pool_id, campaign_id);

-- Grants: the criteria rule's fixed grant, or a pool paying the winners of
-- a participatory budget (inverse crowdfunding).
CREATE TABLE fund_grants (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    pool_id     BIGINT NOT NULL REFERENCES fund_pools(id),
    campaign_id BIGINT REFERENCES fund_campaigns(id),
    budget_id   BIGINT,
    project_id  BIGINT,
    workspace_id BIGINT REFERENCES workspaces(id),
    title       TEXT NOT NULL DEFAULT '',
    cents       BIGINT NOT NULL CHECK (cents > 0),
    tx          BIGINT NOT NULL REFERENCES ledger_transactions(id),
    created_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX fund_grants_campaign ON fund_grants(pool_id, campaign_id) WHERE campaign_id IS NOT NULL;
CREATE UNIQUE INDEX fund_grants_project ON fund_grants(pool_id, budget_id, project_id) WHERE project_id IS NOT NULL;

-- How a workspace handles expenses: how many approvals one needs.
CREATE TABLE fund_settings (
    workspace_id       BIGINT PRIMARY KEY REFERENCES workspaces(id),
    approvals_required INTEGER NOT NULL DEFAULT 1 CHECK (approvals_required BETWEEN 1 AND 5)
);

-- An expense (Open Collective's flow): draft → pending → approved → paid,
-- or rejected with a reason.
CREATE TABLE fund_expenses (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id),
    campaign_id  BIGINT REFERENCES fund_campaigns(id),
    line_id      BIGINT REFERENCES fund_budget_lines(id),
    title        TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    cents        BIGINT NOT NULL CHECK (cents > 0),
    payee        TEXT NOT NULL DEFAULT '',
    iban         TEXT NOT NULL DEFAULT '',
    state        TEXT NOT NULL CHECK (state IN ('draft', 'pending', 'approved', 'rejected', 'paid')),
    reason       TEXT NOT NULL DEFAULT '',
    submitted_by BIGINT REFERENCES users(id),
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    paid_tx      BIGINT REFERENCES ledger_transactions(id)
);
CREATE INDEX fund_expenses_ws ON fund_expenses(workspace_id, state);
CREATE INDEX fund_expenses_by ON fund_expenses(submitted_by);

CREATE TABLE fund_expense_files (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    expense_id  BIGINT NOT NULL REFERENCES fund_expenses(id),
    name        TEXT NOT NULL,
    media_type  TEXT NOT NULL,
    size        BIGINT NOT NULL,
    sha256      TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX fund_expense_files_expense ON fund_expense_files(expense_id);

CREATE TABLE fund_expense_approvals (
    expense_id  BIGINT NOT NULL REFERENCES fund_expenses(id),
    user_id     BIGINT NOT NULL REFERENCES users(id),
    approved_at BIGINT NOT NULL,
    PRIMARY KEY (expense_id, user_id)
);

-- Lines of imported bank statements (CAMT.053). key is the line's identity
-- (internal/camt), so the same statement imported twice adds nothing.
-- A credit whose reference and amount match an open bank-transfer
-- contribution pays it; the rest wait for a person (state 'unassigned').
CREATE TABLE fund_bank_lines (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    line_key        TEXT NOT NULL UNIQUE,
    statement       TEXT NOT NULL DEFAULT '',
    booked_on       TEXT NOT NULL,
    cents           BIGINT NOT NULL CHECK (cents > 0),
    credit          INTEGER NOT NULL,
    reference       TEXT NOT NULL DEFAULT '',
    remittance      TEXT NOT NULL DEFAULT '',
    counterparty    TEXT NOT NULL DEFAULT '',
    state           TEXT NOT NULL CHECK (state IN ('matched', 'unassigned', 'assigned', 'ignored')),
    contribution_id BIGINT REFERENCES fund_contributions(id),
    imported_by     BIGINT REFERENCES users(id),
    imported_at     BIGINT NOT NULL,
    settled_by      BIGINT REFERENCES users(id),
    settled_at      BIGINT
);
CREATE INDEX fund_bank_lines_state ON fund_bank_lines(state);

-- +goose Down
DROP TABLE fund_bank_lines;
DROP TABLE fund_expense_approvals;
DROP TABLE fund_expense_files;
DROP TABLE fund_expenses;
DROP TABLE fund_settings;
DROP TABLE fund_grants;
DROP TABLE fund_matches;
DROP TABLE fund_applications;
DROP TABLE fund_funders;
DROP TABLE fund_pool_managers;
DROP TABLE fund_pools;
DROP TABLE fund_contributions;
DROP TABLE fund_updates;
DROP TABLE fund_rewards;
DROP TABLE fund_budget_lines;
DROP TABLE fund_campaigns;
