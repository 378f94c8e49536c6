-- +goose Up
-- The ledger: money in double entry, in integer cents. Owned by
-- internal/ledger. A transaction's entries sum to zero (checked by
-- ledger.Check before a row is written, and by the tests over every
-- transaction); entries are signed, a debit positive and a credit negative.
-- Transactions and entries are never changed or deleted: the triggers below
-- refuse it, and a mistake is corrected by a transaction that reverses it.
--
-- ledger_accounts.balance_cents is the sum of the account's entries, kept
-- in step in the transaction that adds them, so that a balance answers at
-- once however many entries there are (TestBalancesEqualTheEntries checks
-- it against the sum). It is the one column here that changes.
--
-- Who booked a transaction is in the audit log (ledger.posted, with its
-- actor), not here: rows that can never change must hold nothing that a
-- person's erasure would have to take out.

CREATE TABLE ledger_accounts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    code          TEXT NOT NULL UNIQUE,     -- 'campaign:12', 'pool:3:funder:2', 'provider:mollie'
    kind          TEXT NOT NULL CHECK (kind IN ('asset', 'fund', 'cost')),
    name          TEXT NOT NULL DEFAULT '', -- what the account is for, as a person reads it
    balance_cents BIGINT NOT NULL DEFAULT 0,
    entries       BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL
);

CREATE TABLE ledger_transactions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT NOT NULL,                 -- contribution, match, refund, payout, expense, deposit, grant, reversal, …
    booked_on   TEXT NOT NULL,                 -- 'YYYY-MM-DD', Europe/Amsterdam
    description TEXT NOT NULL DEFAULT '',
    ref         TEXT UNIQUE,                   -- what it books, once: 'mollie:tr_…', 'camt:…'; NULL when nothing outside names it
    reverses_id BIGINT UNIQUE REFERENCES ledger_transactions(id),
    created_at  BIGINT NOT NULL
);
CREATE INDEX ledger_transactions_booked ON ledger_transactions(booked_on, id);

CREATE TABLE ledger_entries (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    transaction_id BIGINT NOT NULL REFERENCES ledger_transactions(id),
    account_id     BIGINT NOT NULL REFERENCES ledger_accounts(id),
    cents          BIGINT NOT NULL CHECK (cents <> 0)
);
CREATE INDEX ledger_entries_account ON ledger_entries(account_id, transaction_id);
CREATE INDEX ledger_entries_transaction ON ledger_entries(transaction_id);

-- +goose StatementBegin
CREATE TRIGGER ledger_transactions_no_update BEFORE UPDATE ON ledger_transactions
BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only: book a reversal');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ledger_transactions_no_delete BEFORE DELETE ON ledger_transactions
BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only: book a reversal');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only: book a reversal');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only: book a reversal');
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE ledger_entries;
DROP TABLE ledger_transactions;
DROP TABLE ledger_accounts;
