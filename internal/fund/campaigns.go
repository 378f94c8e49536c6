package fund

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"samen/internal/account"
	"samen/internal/atlas"
	"samen/internal/audit"
	"samen/internal/ledger"
	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/textcheck"
	"samen/internal/workspace"
)

// CampaignState is where a campaign stands.
type CampaignState string

const (
	Draft     CampaignState = "draft"     // its workspace's treasurers write it
	Running   CampaignState = "running"   // anyone gives, until the deadline
	Succeeded CampaignState = "succeeded" // ended; the money went to the initiative
	Failed    CampaignState = "failed"    // all-or-nothing below its minimum: everything refunded
)

// Campaign is an initiative's call for money.
type Campaign struct {
	ID           int64
	WorkspaceID  int64
	Title        string
	Summary      string
	Body         string
	Language     string
	District     string
	Sector       string
	MinCents     int64 // the minimum goal: below it an all-or-nothing campaign fails
	GoalCents    int64 // the optimum
	Deadline     time.Time
	AllOrNothing bool
	State        CampaignState
	Lines        []Line
	Rewards      []Reward
	CreatedBy    int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
	SettledAt    time.Time
}

// Line is a budget line: what part of the money is for.
type Line struct {
	ID    int64
	Label string
	Cents int64
}

// Reward is what a contributor of at least MinCents receives.
type Reward struct {
	ID          int64
	Title       string
	Description string
	MinCents    int64
	Available   int // 0: no limit
	Taken       int
}

// DraftCampaign is what its makers type.
type DraftCampaign struct {
	Title, Summary, Body, Language string
	District, Sector               string
	MinCents, GoalCents            int64
	Deadline                       time.Time
	AllOrNothing                   bool
	Lines                          []Line
	Rewards                        []Reward
}

// Clean trims d and says, per field, what is wrong with it. now is when
// it is checked: a deadline must lie ahead.
func (d *DraftCampaign) Clean(now time.Time) problem.Fields {
	f := problem.Fields{}
	d.Title, d.Summary, d.Body = textcheck.Collapse(d.Title), strings.TrimSpace(d.Summary), strings.TrimSpace(d.Body)
	textcheck.Field(f, "title", d.Title, MaxTitle, true)
	textcheck.Field(f, "summary", d.Summary, MaxSummary, false)
	textcheck.Field(f, "body", d.Body, MaxBody, false)
	if d.Language != "nl" && d.Language != "en" {
		f.Add("language", "choice.unknown")
	}
	// District and sector place the campaign in the municipality's report
	// and in pools' eligibility: the atlas's codes, or none.
	if d.District != "" && !slices.Contains(atlas.Districts, d.District) {
		f.Add("district", "choice.unknown")
	}
	if d.Sector != "" && !slices.Contains(atlas.Sectors, d.Sector) {
		f.Add("sector", "choice.unknown")
	}
	switch {
	case d.MinCents <= 0:
		f.Add("min", "amount.positive")
	case d.MinCents > MaxGoal:
		f.Add("min", "amount.too_large")
	}
	switch {
	case d.GoalCents <= 0:
		f.Add("goal", "amount.positive")
	case d.GoalCents > MaxGoal:
		f.Add("goal", "amount.too_large")
	case d.MinCents > 0 && d.GoalCents < d.MinCents:
		f.Add("goal", "fund.goal_below_min")
	}
	switch {
	case d.Deadline.IsZero():
		f.Add("deadline", "required")
	case !d.Deadline.After(now):
		f.Add("deadline", "fund.deadline_past")
	case d.Deadline.After(now.AddDate(1, 0, 0)):
		f.Add("deadline", "fund.deadline_far")
	}
	if len(d.Lines) > MaxLines {
		f.Add("lines", "fund.too_many")
	}
	var lines []Line
	for i, l := range d.Lines {
		l.Label = textcheck.Collapse(l.Label)
		if l.Label == "" && l.Cents == 0 {
			continue // an empty row of the form
		}
		key := "lines." + itoa(i)
		textcheck.Field(f, key+".label", l.Label, MaxTitle, true)
		if l.Cents <= 0 || l.Cents > MaxGoal {
			f.Add(key+".cents", "amount.positive")
		}
		lines = append(lines, l)
	}
	d.Lines = lines
	if len(d.Rewards) > MaxRewards {
		f.Add("rewards", "fund.too_many")
	}
	var rewards []Reward
	for i, r := range d.Rewards {
		r.Title, r.Description = textcheck.Collapse(r.Title), strings.TrimSpace(r.Description)
		if r.Title == "" && r.Description == "" && r.MinCents == 0 {
			continue
		}
		key := "rewards." + itoa(i)
		textcheck.Field(f, key+".title", r.Title, MaxTitle, true)
		textcheck.Field(f, key+".description", r.Description, MaxSummary, false)
		if r.MinCents < MinContribution || r.MinCents > MaxContribution {
			f.Add(key+".min", "fund.contribution_range")
		}
		if r.Available < 0 {
			f.Add(key+".available", "number.out_of_range")
		}
		rewards = append(rewards, r)
	}
	d.Rewards = rewards
	return f
}

// CampaignRights are what someone may do with a campaign.
type CampaignRights struct {
	See, Manage, Give bool
}

// campaignRights: a draft is its workspace's treasurers' (core and the
// treasurer delegates); a campaign once running is public, and anyone may
// give to it, with or without an account.
func campaignRights(c Campaign, v workspace.Viewer) CampaignRights {
	manage := v.Has(workspace.RoleTreasurer)
	return CampaignRights{See: c.State != Draft || manage, Manage: manage, Give: c.State == Running}
}

const campaignColumns = `id, workspace_id, title, summary, body, language, district, sector, min_cents, goal_cents, deadline,
	all_or_nothing, state, COALESCE(created_by, 0), created_at, updated_at, COALESCE(settled_at, 0)`

func scanCampaign(row interface{ Scan(...any) error }) (Campaign, error) {
	var c Campaign
	var deadline, created, updated, settled int64
	var aon int
	err := row.Scan(&c.ID, &c.WorkspaceID, &c.Title, &c.Summary, &c.Body, &c.Language, &c.District, &c.Sector, &c.MinCents, &c.GoalCents,
		&deadline, &aon, &c.State, &c.CreatedBy, &created, &updated, &settled)
	if errors.Is(err, sql.ErrNoRows) {
		return c, errNotFound
	}
	c.Deadline, c.AllOrNothing = store.Time(deadline), aon == 1
	c.CreatedAt, c.UpdatedAt, c.SettledAt = store.Time(created), store.Time(updated), optTime(settled)
	return c, err
}

func loadCampaign(ctx context.Context, q store.Querier, id int64) (Campaign, error) {
	c, err := scanCampaign(q.QueryRow(ctx, `SELECT `+campaignColumns+` FROM fund_campaigns WHERE id = ?`, id))
	if err != nil {
		return c, err
	}
	rows, err := q.Query(ctx, `SELECT id, label, cents FROM fund_budget_lines WHERE campaign_id = ? ORDER BY position`, id)
	if err != nil {
		return c, err
	}
	for rows.Next() {
		var l Line
		if err := rows.Scan(&l.ID, &l.Label, &l.Cents); err != nil {
			rows.Close()
			return c, err
		}
		c.Lines = append(c.Lines, l)
	}
	rows.Close()
	rows, err = q.Query(ctx, `SELECT r.id, r.title, r.description, r.min_cents, COALESCE(r.available, 0),
		(SELECT COUNT(*) FROM fund_contributions k WHERE k.reward_id = r.id AND k.status IN ('open', 'paid'))
		FROM fund_rewards r WHERE r.campaign_id = ? ORDER BY r.position`, id)
	if err != nil {
		return c, err
	}
	defer rows.Close()
	for rows.Next() {
		var r Reward
		if err := rows.Scan(&r.ID, &r.Title, &r.Description, &r.MinCents, &r.Available, &r.Taken); err != nil {
			return c, err
		}
		c.Rewards = append(c.Rewards, r)
	}
	return c, rows.Err()
}

// campaignAs loads campaign id with what u may do with it; a campaign u
// may not see does not exist.
func (s *Service) campaignAs(ctx context.Context, q store.Querier, u *account.User, id int64) (Campaign, workspace.Viewer, CampaignRights, error) {
	c, err := loadCampaign(ctx, q, id)
	if err != nil {
		return c, workspace.Viewer{}, CampaignRights{}, err
	}
	_, v, err := workspace.ViewerIn(ctx, q, u, itoa64(c.WorkspaceID))
	if err != nil {
		return c, v, CampaignRights{}, err
	}
	r := campaignRights(c, v)
	if !r.See {
		return c, v, r, errNotFound
	}
	return c, v, r, nil
}

// CreateCampaign starts a draft campaign in workspace wsRef. Its
// treasurers only (core, and whom core made treasurer).
func (s *Service) CreateCampaign(ctx context.Context, u *account.User, wsRef string, d DraftCampaign) (Campaign, error) {
	if u == nil {
		return Campaign{}, errSignIn
	}
	now := s.Now.Time()
	var id int64
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		// Who may first, what they sent after: nobody else learns what
		// the form asks.
		ws, v, err := workspace.ViewerIn(ctx, tx, u, wsRef)
		if err != nil {
			return err
		}
		if !v.Has(workspace.RoleTreasurer) {
			// A workspace's name is public; that one may not start its
			// campaigns is no secret.
			return errForbidden
		}
		if err := d.Clean(now).Err(); err != nil {
			return err
		}
		err = tx.QueryRow(ctx, `INSERT INTO fund_campaigns (workspace_id, title, summary, body, language, district, sector, min_cents, goal_cents,
			deadline, all_or_nothing, state, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?) RETURNING id`,
			ws.ID, d.Title, d.Summary, d.Body, d.Language, d.District, d.Sector, d.MinCents, d.GoalCents, store.Millis(d.Deadline),
			boolInt(d.AllOrNothing), u.ID, store.Millis(now), store.Millis(now)).Scan(&id)
		if err != nil {
			return err
		}
		if err := writeParts(ctx, tx, id, d); err != nil {
			return err
		}
		return audit.RecordID(ctx, tx, "fund.campaign_created", "fund_campaign", id, map[string]any{"workspace": ws.ID})
	})
	if err != nil {
		return Campaign{}, err
	}
	return loadCampaign(ctx, s.DB, id)
}

// writeParts writes a campaign's budget lines and rewards anew. Rewards
// keep their ids where they stay (contributions name them): the draft's
// rewards with an ID update theirs, the others are added, and a reward no
// longer listed goes only if nobody chose it.
func writeParts(ctx context.Context, tx *store.Tx, id int64, d DraftCampaign) error {
	if _, err := tx.Exec(ctx, `DELETE FROM fund_budget_lines WHERE campaign_id = ? AND id NOT IN (SELECT line_id FROM fund_expenses WHERE line_id IS NOT NULL)`, id); err != nil {
		return err
	}
	for i, l := range d.Lines {
		if l.ID != 0 {
			if _, err := tx.Exec(ctx, `UPDATE fund_budget_lines SET position = ?, label = ?, cents = ? WHERE id = ? AND campaign_id = ?`,
				i, l.Label, l.Cents, l.ID, id); err != nil {
				return err
			}
			continue
		}
		if _, err := tx.Exec(ctx, `INSERT INTO fund_budget_lines (campaign_id, position, label, cents) VALUES (?, ?, ?, ?)`, id, i, l.Label, l.Cents); err != nil {
			return err
		}
	}
	keep := []int64{0}
	for i, r := range d.Rewards {
		var avail any
		if r.Available > 0 {
			avail = r.Available
		}
		if r.ID != 0 {
			res, err := tx.Exec(ctx, `UPDATE fund_rewards SET position = ?, title = ?, description = ?, min_cents = ?, available = ? WHERE id = ? AND campaign_id = ?`,
				i, r.Title, r.Description, r.MinCents, avail, r.ID, id)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 1 {
				keep = append(keep, r.ID)
				continue
			}
		}
		var rid int64
		if err := tx.QueryRow(ctx, `INSERT INTO fund_rewards (campaign_id, position, title, description, min_cents, available) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			id, i, r.Title, r.Description, r.MinCents, avail).Scan(&rid); err != nil {
			return err
		}
		keep = append(keep, rid)
	}
	args := []any{id}
	for _, k := range keep {
		args = append(args, k)
	}
	_, err := tx.Exec(ctx, `DELETE FROM fund_rewards WHERE campaign_id = ? AND id NOT IN (?`+strings.Repeat(", ?", len(keep)-1)+`)
		AND id NOT IN (SELECT reward_id FROM fund_contributions WHERE reward_id IS NOT NULL)`, args...)
	return err
}

// UpdateCampaign changes a campaign. A draft changes freely; once running,
// what contributors gave on cannot change: not the goals, the deadline or
// the all-or-nothing rule (Goteo's rule too), only the texts, lines and
// rewards.
func (s *Service) UpdateCampaign(ctx context.Context, u *account.User, id int64, d DraftCampaign) (Campaign, error) {
	now := s.Now.Time()
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		c, _, r, err := s.campaignAs(ctx, tx, u, id)
		if err != nil {
			return err
		}
		if !r.Manage {
			return errForbidden
		}
		switch c.State {
		case Running:
			d.MinCents, d.GoalCents, d.Deadline, d.AllOrNothing = c.MinCents, c.GoalCents, c.Deadline, c.AllOrNothing
		case Succeeded, Failed:
			return problem.New(problem.Conflict, "fund.campaign_ended")
		}
		if err := d.Clean(now).Err(); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE fund_campaigns SET title = ?, summary = ?, body = ?, language = ?, district = ?, sector = ?, min_cents = ?,
			goal_cents = ?, deadline = ?, all_or_nothing = ?, updated_at = ? WHERE id = ?`,
			d.Title, d.Summary, d.Body, d.Language, d.District, d.Sector, d.MinCents, d.GoalCents, store.Millis(d.Deadline),
			boolInt(d.AllOrNothing), store.Millis(now), id); err != nil {
			return err
		}
		if err := writeParts(ctx, tx, id, d); err != nil {
			return err
		}
		return audit.RecordID(ctx, tx, "fund.campaign_updated", "fund_campaign", id, nil)
	})
	if err != nil {
		return Campaign{}, err
	}
	return loadCampaign(ctx, s.DB, id)
}

// Launch opens a draft to contributions. Its ledger account is opened
// with it, so that its public page has a balance from the first minute.
func (s *Service) Launch(ctx context.Context, u *account.User, id int64) error {
	now := s.Now.Time()
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		c, _, r, err := s.campaignAs(ctx, tx, u, id)
		if err != nil {
			return err
		}
		if !r.Manage {
			return errForbidden
		}
		if c.State != Draft {
			return problem.New(problem.Conflict, "fund.campaign_not_draft")
		}
		if !c.Deadline.After(now) {
			return &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"deadline": "fund.deadline_past"}}
		}
		if _, err := ledger.Open(ctx, tx, campaignAccount(id), ledger.Fund, c.Title, now); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE fund_campaigns SET state = 'running', updated_at = ? WHERE id = ? AND state = 'draft'`, store.Millis(now), id); err != nil {
			return err
		}
		return audit.RecordID(ctx, tx, "fund.campaign_launched", "fund_campaign", id, nil)
	})
}
