package fund

import (
	"context"
	"maps"
	"slices"
	"time"

	"samen/internal/audit"
	"samen/internal/ledger"
	"samen/internal/store"
)

// Progress is what one round of Advance did.
type Progress struct {
	Succeeded, Failed, Refunded int
}

// Advance ends the campaigns whose deadline has passed, and finishes the
// refunds that were cut short. Several processes may run it at once: each
// campaign is claimed by one conditional update.
//
// At its deadline a campaign succeeds when it raised its minimum — the
// contributions and the matches they drew, as on Goteo, since the match
// is money for the project too — or when it keeps what it raises; its
// money goes to its initiative. An all-or-nothing campaign below its
// minimum fails: every contribution is refunded and every match returned.
func (s *Service) Advance(ctx context.Context) (Progress, error) {
	var p Progress
	now := s.Now.Time()
	ids, err := store.IDs(ctx, s.DB, `SELECT id FROM fund_campaigns WHERE state = 'running' AND deadline <= ? ORDER BY deadline LIMIT 100`, store.Millis(now))
	if err != nil {
		return p, err
	}
	for _, id := range ids {
		var failed, claimed bool
		err := s.DB.InTx(ctx, func(tx *store.Tx) error {
			c, err := loadCampaign(ctx, tx, id)
			if err != nil {
				return err
			}
			acct, err := ledger.Open(ctx, tx, campaignAccount(id), ledger.Fund, c.Title, now)
			if err != nil {
				return err
			}
			state := Succeeded
			if c.AllOrNothing && acct.Held() < c.MinCents {
				state, failed = Failed, true
			}
			res, err := tx.Exec(ctx, `UPDATE fund_campaigns SET state = ?, settled_at = ?, updated_at = ? WHERE id = ? AND state = 'running'`,
				state, store.Millis(now), store.Millis(now), id)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return nil // another process ended it
			}
			claimed = true
			c.State = state
			if state == Succeeded {
				if _, err := s.payOut(ctx, tx, c, now); err != nil {
					return err
				}
			}
			return audit.RecordID(ctx, tx, "fund.campaign_"+string(state), "fund_campaign", id, map[string]any{"raised": acct.Held()})
		})
		if err != nil {
			return p, err
		}
		if !claimed {
			continue
		}
		if !failed {
			p.Succeeded++
			continue
		}
		p.Failed++
		paid, err := store.IDs(ctx, s.DB, `SELECT id FROM fund_contributions WHERE campaign_id = ? AND status = 'paid' ORDER BY id`, id)
		if err != nil {
			return p, err
		}
		for _, c := range paid {
			if err := s.refund(ctx, nil, c, "Campagne niet gehaald / campaign failed"); err != nil {
				return p, err
			}
			p.Refunded++
		}
	}
	n, err := s.FinishRefunds(ctx)
	p.Refunded += n
	return p, err
}

// payOut moves what campaign c holds to its initiative, whose treasurers
// then pay expenses from it. It returns the amount moved (0 when the
// campaign holds nothing).
func (s *Service) payOut(ctx context.Context, tx store.Querier, c Campaign, now time.Time) (int64, error) {
	acct, err := ledger.Get(ctx, tx, campaignAccount(c.ID))
	if err != nil {
		return 0, err
	}
	held := acct.Held()
	if held <= 0 {
		return 0, nil
	}
	if _, err := ledger.Open(ctx, tx, initiativeAccount(c.WorkspaceID), ledger.Fund, "", now); err != nil {
		return 0, err
	}
	// A debit of the campaign (it holds less), a credit of the initiative
	// (it holds more), and of each fee account the fees the campaign's
	// gifts cost (fee.go), which the campaign bears: the initiative gets
	// what is left.
	fees, charged, err := uncharged(ctx, tx, c.ID)
	if err != nil {
		return 0, err
	}
	t := ledger.Transaction{Kind: "payout", Description: c.Title, Entries: []ledger.Entry{{Account: campaignAccount(c.ID), Cents: held}}}
	net := held
	for _, p := range slices.Sorted(maps.Keys(fees)) {
		// Fees above what the campaign holds stay the host's: the
		// initiative is never charged more than it raised.
		fee := min(fees[p], net)
		if fee <= 0 {
			continue
		}
		t.Entries = append(t.Entries, ledger.Entry{Account: feeAccount(p), Cents: -fee})
		net -= fee
	}
	if net > 0 {
		t.Entries = append(t.Entries, ledger.Entry{Account: initiativeAccount(c.WorkspaceID), Cents: -net})
	}
	txID, err := ledger.Post(ctx, tx, t, now)
	if err != nil {
		return 0, err
	}
	for _, id := range charged {
		if _, err := tx.Exec(ctx, `UPDATE fund_contributions SET fee_tx = ? WHERE id = ?`, txID, id); err != nil {
			return 0, err
		}
	}
	return net, nil
}

// returnMatches gives the matches of contribution id back to their funders,
// each by reversing the transaction that booked it: the same cents to the
// same funders.
func (s *Service) returnMatches(ctx context.Context, tx store.Querier, id int64, now time.Time) error {
	rows, err := tx.Query(ctx, `SELECT id, tx FROM fund_matches WHERE contribution_id = ? AND tx IS NOT NULL AND returned_tx IS NULL ORDER BY id`, id)
	if err != nil {
		return err
	}
	type match struct{ id, tx int64 }
	var list []match
	for rows.Next() {
		var m match
		if err := rows.Scan(&m.id, &m.tx); err != nil {
			rows.Close()
			return err
		}
		list = append(list, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, m := range list {
		back, err := ledger.Reverse(ctx, tx, m.tx, "Verdubbeling terug / match returned", now)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE fund_matches SET returned_tx = ? WHERE id = ?`, back, m.id); err != nil {
			return err
		}
	}
	return nil
}
