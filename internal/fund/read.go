package fund

import (
	"context"
	"time"

	"samen/internal/account"
	"samen/internal/ledger"
	"samen/internal/store"
	"samen/internal/workspace"
)

// CampaignView is a campaign as its page shows it.
type CampaignView struct {
	Campaign
	Rights    CampaignRights
	Workspace string // the workspace's name
	Slug      string
	// Money, in cents: what contributors gave (paid and not refunded),
	// what pools added, and both together (what counts for the goals).
	Given, Matched, Raised int64
	Backers                int
	// Fees is what the payment providers kept of the gifts it keeps,
	// which the campaign bears (fee.go).
	Fees int64
	// Open is what is promised by bank transfer and not yet received.
	Open    int64
	Gifts   []PublicGift // the newest first, at most 100
	Pools   []PoolMatch  // the pools that accepted the campaign
	Pending []int64      // pools it applied to that have not decided
	Updates []Update     // to its backers, the newest first
}

// PublicGift is a contribution as the campaign's page lists it: the name
// only if the contributor chose to be named, never the address.
type PublicGift struct {
	Name    string // "" for anonymous
	Cents   int64
	Message string
	Matched int64
	At      time.Time
}

// PoolMatch is what one pool has added to a campaign.
type PoolMatch struct {
	PoolID int64
	Name   string
	Cents  int64
}

// CampaignPage returns campaign id as u sees it.
func (s *Service) CampaignPage(ctx context.Context, u *account.User, id int64) (CampaignView, error) {
	var v CampaignView
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		c, _, r, err := s.campaignAs(ctx, tx, u, id)
		if err != nil {
			return err
		}
		v = CampaignView{Campaign: c, Rights: r}
		ws, _, err := workspace.ViewerIn(ctx, tx, u, itoa64(c.WorkspaceID))
		if err != nil {
			return err
		}
		v.Workspace, v.Slug = ws.Name, ws.Slug
		if err := tx.QueryRow(ctx, `SELECT COALESCE(SUM(CASE WHEN status = 'paid' THEN cents ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN status = 'open' AND provider = 'bank' THEN cents ELSE 0 END), 0),
			COUNT(DISTINCT CASE WHEN status = 'paid' THEN COALESCE('u' || CAST(user_id AS TEXT), 'e' || email) END),
			COALESCE(SUM(CASE WHEN status = 'paid' THEN fee_cents ELSE 0 END), 0)
			FROM fund_contributions WHERE campaign_id = ?`, id).Scan(&v.Given, &v.Open, &v.Backers, &v.Fees); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT p.id, p.name, COALESCE((SELECT SUM(m.cents) FROM fund_matches m WHERE m.pool_id = p.id AND m.campaign_id = ?
			AND m.returned_tx IS NULL), 0) + COALESCE((SELECT SUM(g.cents) FROM fund_grants g WHERE g.pool_id = p.id AND g.campaign_id = ?), 0)
			FROM fund_applications a JOIN fund_pools p ON p.id = a.pool_id WHERE a.campaign_id = ? AND a.state = 'accepted' ORDER BY p.id`, id, id, id)
		if err != nil {
			return err
		}
		for rows.Next() {
			var m PoolMatch
			if err := rows.Scan(&m.PoolID, &m.Name, &m.Cents); err != nil {
				rows.Close()
				return err
			}
			v.Matched += m.Cents
			v.Pools = append(v.Pools, m)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		v.Raised = v.Given + v.Matched
		if v.Pending, err = store.IDs(ctx, tx, `SELECT pool_id FROM fund_applications WHERE campaign_id = ? AND state = 'pending' ORDER BY pool_id`, id); err != nil {
			return err
		}
		if v.Updates, err = s.Updates(ctx, tx, id); err != nil {
			return err
		}
		rows, err = tx.Query(ctx, `SELECT k.public_name, k.cents, k.message, COALESCE((SELECT SUM(m.cents) FROM fund_matches m
			WHERE m.contribution_id = k.id AND m.returned_tx IS NULL), 0), COALESCE(k.paid_at, k.created_at)
			FROM fund_contributions k WHERE k.campaign_id = ? AND k.status = 'paid' ORDER BY k.paid_at DESC, k.id DESC LIMIT 100`, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var g PublicGift
			var at int64
			if err := rows.Scan(&g.Name, &g.Cents, &g.Message, &g.Matched, &at); err != nil {
				return err
			}
			g.At = store.Time(at)
			v.Gifts = append(v.Gifts, g)
		}
		return rows.Err()
	})
	return v, err
}

// CampaignSummary is a campaign in a list.
type CampaignSummary struct {
	ID          int64
	WorkspaceID int64
	Title       string
	Summary     string
	State       CampaignState
	MinCents    int64
	GoalCents   int64
	Deadline    time.Time
	Raised      int64 // contributions and matches
}

// Campaigns lists the campaigns u may see: running ones first (the
// nearest deadline first), then ended ones (the newest first); in
// workspace wsID only when it is not 0, drafts included for its
// treasurers.
func (s *Service) Campaigns(ctx context.Context, u *account.User, wsID int64) ([]CampaignSummary, error) {
	rows, err := s.DB.Query(ctx, `SELECT id FROM fund_campaigns WHERE (? = 0 OR workspace_id = ?)
		ORDER BY CASE state WHEN 'running' THEN 0 WHEN 'draft' THEN 1 ELSE 2 END, CASE WHEN state = 'running' THEN deadline ELSE -deadline END, id LIMIT 500`, wsID, wsID)
	if err != nil {
		return nil, err
	}
	ids := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []CampaignSummary
	for _, id := range ids {
		c, _, r, err := s.campaignAs(ctx, s.DB, u, id)
		if err != nil || !r.See {
			continue
		}
		held, err := raisedFor(ctx, s.DB, id)
		if err != nil {
			return nil, err
		}
		out = append(out, CampaignSummary{ID: c.ID, WorkspaceID: c.WorkspaceID, Title: c.Title, Summary: c.Summary, State: c.State,
			MinCents: c.MinCents, GoalCents: c.GoalCents, Deadline: c.Deadline, Raised: held})
	}
	return out, nil
}

// raisedFor is what campaign id has raised: contributions not refunded and
// matches not returned, also after its money was paid out.
func raisedFor(ctx context.Context, q store.Querier, id int64) (int64, error) {
	var given, matched int64
	if err := q.QueryRow(ctx, `SELECT COALESCE(SUM(cents), 0) FROM fund_contributions WHERE campaign_id = ? AND status = 'paid'`, id).Scan(&given); err != nil {
		return 0, err
	}
	if err := q.QueryRow(ctx, `SELECT COALESCE(SUM(cents), 0) FROM fund_matches WHERE campaign_id = ? AND returned_tx IS NULL`, id).Scan(&matched); err != nil {
		return 0, err
	}
	return given + matched, nil
}

// Ledger returns the public ledger's transactions: the city's money in
// the open, as Open Collective shows a collective's. Entries carry no
// personal data (see package ledger), so anyone may read them.
func (s *Service) Ledger(ctx context.Context, f ledger.Filter) ([]ledger.Transaction, int64, error) {
	return ledger.List(ctx, s.DB, f)
}

// LedgerLines streams the entries f selects, oldest first, for the CSV
// file.
func (s *Service) LedgerLines(ctx context.Context, f ledger.Filter, fn func(ledger.Line) error) error {
	return ledger.Lines(ctx, s.DB, f, fn)
}

// Accounts lists the ledger's accounts whose codes start with prefix.
func (s *Service) Accounts(ctx context.Context, prefix string) ([]ledger.Account, error) {
	return ledger.Accounts(ctx, s.DB, prefix)
}
