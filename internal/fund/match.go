package fund

import (
	"context"
	"time"

	"samen/internal/audit"
	"samen/internal/ledger"
	"samen/internal/match"
	"samen/internal/store"
)

// lockPool makes the transaction the only one matching from pool id until
// it ends, so that what the pool has left, read next, is still what it has
// when the match is booked: 200 contributions at once near the pool's cap
// never over-match. On SQLite every writing transaction already holds the
// database's one write lock (it begins IMMEDIATE).
func lockPool(ctx context.Context, tx store.Querier, id int64) error {
	if tx.Engine() != store.Postgres {
		return nil
	}
	var got int64
	return tx.QueryRow(ctx, `SELECT id FROM fund_pools WHERE id = ? FOR UPDATE`, id).Scan(&got)
}

// matchContribution matches paid contribution c by every open pool that
// accepted its campaign, in the order of the pools, each by its rules.
func (s *Service) matchContribution(ctx context.Context, tx store.Querier, camp Campaign, c Contribution, now time.Time) error {
	pools, err := store.IDs(ctx, tx, `SELECT a.pool_id FROM fund_applications a JOIN fund_pools p ON p.id = a.pool_id
		WHERE a.campaign_id = ? AND a.state = 'accepted' AND p.state = 'open' ORDER BY a.pool_id`, camp.ID)
	if err != nil {
		return err
	}
	for _, pid := range pools {
		if err := lockPool(ctx, tx, pid); err != nil {
			return err
		}
		p, err := loadPool(ctx, tx, pid)
		if err != nil {
			return err
		}
		switch p.Rule {
		case Duplicate:
			err = s.duplicate(ctx, tx, p, camp, c, now)
		case Criteria:
			err = s.criteria(ctx, tx, p, camp, now)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// duplicate books the match of c by p (Goteo's duplicate rule, in
// internal/match) and records it, also when it is zero: a zero match says
// that the contributor's or the project's cap was reached.
func (s *Service) duplicate(ctx context.Context, tx store.Querier, p Pool, camp Campaign, c Contribution, now time.Time) error {
	var onProject int64
	var matchedBefore int
	if err := tx.QueryRow(ctx, `SELECT COALESCE(SUM(cents), 0), COALESCE(SUM(CASE WHEN contributor = ? AND cents > 0 THEN 1 ELSE 0 END), 0)
		FROM fund_matches WHERE pool_id = ? AND campaign_id = ? AND returned_tx IS NULL`, c.contributor(), p.ID, camp.ID).Scan(&onProject, &matchedBefore); err != nil {
		return err
	}
	cents, split := matchOne(p, onProject, matchedBefore, c.Cents)
	var txID any
	if cents > 0 {
		t := ledger.Transaction{Kind: "match", Description: p.Name, Ref: "match:" + itoa64(p.ID) + ":" + itoa64(c.ID)}
		for i, f := range p.Funders {
			if split[i] > 0 {
				// The funder holds less (a debit of its fund account).
				t.Entries = append(t.Entries, ledger.Entry{Account: funderAccount(p.ID, f.ID), Cents: split[i]})
			}
		}
		t.Entries = append(t.Entries, ledger.Entry{Account: campaignAccount(camp.ID), Cents: -cents})
		id, err := ledger.Post(ctx, tx, t, now)
		if err != nil {
			return err
		}
		txID = id
	}
	if _, err := tx.Exec(ctx, `INSERT INTO fund_matches (pool_id, campaign_id, contribution_id, contributor, cents, tx, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		p.ID, camp.ID, c.ID, c.contributor(), cents, txID, store.Millis(now)); err != nil {
		return err
	}
	return audit.RecordID(ctx, tx, "fund.matched", "fund_contribution", c.ID, map[string]any{"pool": p.ID, "cents": cents})
}

// criteria grants p's fixed amount to camp once it has reached the
// pool's share of its goal and number of backers, once per campaign.
func (s *Service) criteria(ctx context.Context, tx store.Querier, p Pool, camp Campaign, now time.Time) error {
	var raised int64
	var backers int
	if err := tx.QueryRow(ctx, `SELECT COALESCE(SUM(cents), 0), COUNT(DISTINCT CASE WHEN user_id IS NOT NULL THEN 'u' || user_id ELSE 'e' || email END)
		FROM fund_contributions WHERE campaign_id = ? AND status = 'paid'`, camp.ID).Scan(&raised, &backers); err != nil {
		return err
	}
	var granted int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM fund_grants WHERE pool_id = ? AND campaign_id = ?`, p.ID, camp.ID).Scan(&granted); err != nil {
		return err
	}
	if granted > 0 || !qualifies(p, camp.GoalCents, raised, backers) {
		return nil
	}
	return s.grant(ctx, tx, p, camp.WorkspaceID, campaignAccount(camp.ID), grantFor{campaign: camp.ID, title: camp.Title}, p.GrantCents, now)
}

// grantFor says what a grant is for: a campaign, or a project of a
// participatory budget.
type grantFor struct {
	campaign, budget, project int64
	title                     string
}

// grant books cents from p (at most what it has left, split over its
// funders as a match is) to the account to.
func (s *Service) grant(ctx context.Context, tx store.Querier, p Pool, wsID int64, to string, g grantFor, cents int64, now time.Time) error {
	cents = min(cents, p.LeftCents())
	if cents <= 0 {
		return nil
	}
	left := make([]int64, len(p.Funders))
	for i, f := range p.Funders {
		left[i] = f.Left
	}
	split := match.Split(cents, left)
	t := ledger.Transaction{Kind: "grant", Description: p.Name + ": " + g.title}
	for i, f := range p.Funders {
		if split[i] > 0 {
			t.Entries = append(t.Entries, ledger.Entry{Account: funderAccount(p.ID, f.ID), Cents: split[i]})
		}
	}
	t.Entries = append(t.Entries, ledger.Entry{Account: to, Cents: -cents})
	id, err := ledger.Post(ctx, tx, t, now)
	if err != nil {
		return err
	}
	var campaign, budget, project, ws any
	if g.campaign != 0 {
		campaign = g.campaign
	}
	if g.project != 0 {
		budget, project = g.budget, g.project
	}
	if wsID != 0 {
		ws = wsID
	}
	var gid int64
	if err := tx.QueryRow(ctx, `INSERT INTO fund_grants (pool_id, campaign_id, budget_id, project_id, workspace_id, title, cents, tx, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, p.ID, campaign, budget, project, ws, g.title, cents, id, store.Millis(now)).Scan(&gid); err != nil {
		return err
	}
	return audit.RecordID(ctx, tx, "fund.granted", "fund_pool", p.ID, map[string]any{"grant": gid, "cents": cents, "tx": id})
}
