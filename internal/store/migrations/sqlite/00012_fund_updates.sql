-- +goose Up
-- Payment fees, and updates to backers. Owned by internal/fund.
--
-- fee_cents is what the payment's provider kept of a contribution, as its
-- price list says (internal/fund/fee.go); fee_tx is the payout that
-- charged it to the campaign (NULL: not yet, or never, for a refunded
-- gift, whose fee stays the host's).
--
-- Updates to a campaign's backers (fund_updates, 00011) go by mail to each
-- address that gave, once per address, in the language it gave in:
-- language is that language; updates_off is when the backer stopped the
-- campaign's updates (NULL: they receive them), with the link in every
-- update; recipients is how many addresses an update was mailed to.
ALTER TABLE fund_contributions ADD COLUMN fee_cents BIGINT NOT NULL DEFAULT 0;
ALTER TABLE fund_contributions ADD COLUMN fee_tx BIGINT REFERENCES ledger_transactions(id);
ALTER TABLE fund_contributions ADD COLUMN language TEXT NOT NULL DEFAULT 'nl';
ALTER TABLE fund_contributions ADD COLUMN updates_off BIGINT;
ALTER TABLE fund_updates ADD COLUMN recipients INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE fund_updates DROP COLUMN recipients;
ALTER TABLE fund_contributions DROP COLUMN updates_off;
ALTER TABLE fund_contributions DROP COLUMN language;
ALTER TABLE fund_contributions DROP COLUMN fee_tx;
ALTER TABLE fund_contributions DROP COLUMN fee_cents;
