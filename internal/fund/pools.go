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
	"samen/internal/match"
	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/textcheck"
	"samen/internal/workspace"
)

// Rule is how a pool gives.
type Rule string

const (
	// Duplicate matches each contribution (Goteo's "duplicate"
	// processor): factor × the contribution, within the pool's caps.
	Duplicate Rule = "duplicate"
	// Criteria gives a fixed grant once a campaign has reached a share of
	// its goal and a number of backers (Goteo's "criteria").
	Criteria Rule = "criteria"
)

// PoolState is where a pool stands.
type PoolState string

const (
	PoolDraft  PoolState = "draft"  // its managers set it up and fund it
	PoolOpen   PoolState = "open"   // initiatives apply; accepted campaigns are matched
	PoolClosed PoolState = "closed" // matches nothing more
)

// Pool is money of the municipality and funds that doubles (or more) what
// the community gives.
type Pool struct {
	ID          int64
	Name        string
	Description string
	Language    string
	Rule        Rule
	// Factor as a fraction, so that ⌊contribution × factor⌋ is exact.
	FactorNum, FactorDen int64
	// Caps; 0 is none.
	MaxPerContribution, MaxPerProject int64
	MaxMatchedPerContributor          int
	// The criteria rule: GrantCents once a campaign has GrantSharePct of
	// its goal and GrantBackers backers.
	GrantCents                  int64
	GrantSharePct, GrantBackers int
	// Who may apply: a campaign in one of these districts and sectors
	// (none listed: any), of an initiative that holds every one of these
	// principles in the atlas (atlas.Principles' codes), and, when
	// AssessmentRequired, has a published assessment whose gates pass
	// (see Standing).
	Districts, Sectors, Principles []string
	AssessmentRequired             bool
	State                          PoolState
	Funders                        []Funder
	Managers                       []int64
	CreatedAt                      time.Time
}

// Funder is one who puts money in a pool.
type Funder struct {
	ID       int64
	Name     string
	Public   bool
	Left     int64 // what it has left in the pool (its ledger account)
	Received int64 // what it deposited, all told
}

// LeftCents is what the pool has left, all funders together.
func (p Pool) LeftCents() int64 {
	var n int64
	for _, f := range p.Funders {
		n += f.Left
	}
	return n
}

// DraftPool is what a steward types.
type DraftPool struct {
	Name, Description, Language string
	Rule                        Rule
	Factor                      string // "1", "2", "1.5": how many euros per euro given
	MaxPerContribution          int64
	MaxPerProject               int64
	MaxMatchedPerContributor    int
	GrantCents                  int64
	GrantSharePct, GrantBackers int
	Districts, Sectors          []string
	Principles                  []string
	AssessmentRequired          bool
	Funders                     []string // names, in order: the order breaks ties of the split
	// Deposits are what each funder (by its place in Funders) has put in
	// already, in cents, booked as the pool is set up; 0 or missing: nothing
	// yet (Deposit books more later).
	Deposits []int64
}

// Clean checks d and fills in the factor's fraction.
func (d *DraftPool) Clean() (num, den int64, f problem.Fields) {
	f = problem.Fields{}
	d.Name, d.Description = textcheck.Collapse(d.Name), strings.TrimSpace(d.Description)
	textcheck.Field(f, "name", d.Name, MaxTitle, true)
	textcheck.Field(f, "description", d.Description, MaxBody, false)
	if d.Language != "nl" && d.Language != "en" {
		f.Add("language", "choice.unknown")
	}
	num, den = 1, 1
	switch d.Rule {
	case Duplicate:
		var ok bool
		if num, den, ok = parseFactor(d.Factor); !ok {
			f.Add("factor", "fund.factor")
		}
		if d.MaxPerContribution < 0 || d.MaxPerContribution > MaxPool {
			f.Add("max_per_contribution", "amount.positive")
		}
		if d.MaxPerProject < 0 || d.MaxPerProject > MaxPool {
			f.Add("max_per_project", "amount.positive")
		}
		if d.MaxMatchedPerContributor < 0 || d.MaxMatchedPerContributor > 1000 {
			f.Add("max_matched_per_contributor", "number.out_of_range")
		}
	case Criteria:
		if d.GrantCents <= 0 || d.GrantCents > MaxPool {
			f.Add("grant", "amount.positive")
		}
		if d.GrantSharePct < 1 || d.GrantSharePct > 100 {
			f.Add("grant_share", "number.out_of_range")
		}
		if d.GrantBackers < 0 || d.GrantBackers > 100000 {
			f.Add("grant_backers", "number.out_of_range")
		}
	default:
		f.Add("rule", "choice.unknown")
	}
	// Eligibility names codes of the atlas, so that a pool's page can say
	// them in the reader's language and a campaign is held to them.
	for _, l := range []struct {
		field string
		list  *[]string
		codes []string
	}{{"districts", &d.Districts, atlas.Districts}, {"sectors", &d.Sectors, atlas.Sectors}, {"principles", &d.Principles, atlas.Principles}} {
		var kept []string
		for _, c := range *l.list {
			if c = strings.TrimSpace(c); c == "" || slices.Contains(kept, c) {
				continue
			}
			if !slices.Contains(l.codes, c) {
				f.Add(l.field, "choice.unknown")
			}
			kept = append(kept, c)
		}
		*l.list = kept
	}
	// Empty rows of a form are skipped; a deposit keeps to its funder.
	var names []string
	var deposits []int64
	for i, n := range d.Funders {
		n = textcheck.Collapse(n)
		var cents int64
		if i < len(d.Deposits) {
			cents = d.Deposits[i]
		}
		if cents < 0 || cents > MaxPool {
			f.Add("deposits."+itoa(i), "amount.positive")
		}
		if n == "" {
			if cents != 0 {
				f.Add("funders."+itoa(i), "required")
			}
			continue
		}
		textcheck.Field(f, "funders."+itoa(i), n, MaxTitle, true)
		if slices.Contains(names, n) {
			f.Add("funders."+itoa(i), "fund.funder_twice")
		}
		names = append(names, n)
		deposits = append(deposits, cents)
	}
	for i := len(d.Funders); i < len(d.Deposits); i++ {
		if d.Deposits[i] != 0 {
			f.Add("funders."+itoa(i), "required")
		}
	}
	d.Funders, d.Deposits = names, deposits
	if len(names) == 0 {
		f.Add("funders", "required")
	}
	return num, den, f
}

const poolColumns = `id, name, description, language, rule, factor_num, factor_den, max_per_contribution_cents, max_per_project_cents,
	max_matched_per_contributor, grant_cents, grant_share_pct, grant_backers, districts, sectors, principles, assessment_required, state, created_at`

func loadPool(ctx context.Context, q store.Querier, id int64) (Pool, error) {
	var p Pool
	var districts, sectors, principles string
	var created int64
	var assessment int
	err := q.QueryRow(ctx, `SELECT `+poolColumns+` FROM fund_pools WHERE id = ?`, id).Scan(&p.ID, &p.Name, &p.Description, &p.Language, &p.Rule,
		&p.FactorNum, &p.FactorDen, &p.MaxPerContribution, &p.MaxPerProject, &p.MaxMatchedPerContributor, &p.GrantCents, &p.GrantSharePct,
		&p.GrantBackers, &districts, &sectors, &principles, &assessment, &p.State, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return p, errNotFound
	}
	if err != nil {
		return p, err
	}
	p.Districts, p.Sectors, p.Principles, p.CreatedAt = splitList(districts), splitList(sectors), splitList(principles), store.Time(created)
	p.AssessmentRequired = assessment == 1
	rows, err := q.Query(ctx, `SELECT id, name, public FROM fund_funders WHERE pool_id = ? ORDER BY position`, id)
	if err != nil {
		return p, err
	}
	for rows.Next() {
		var f Funder
		var public int
		if err := rows.Scan(&f.ID, &f.Name, &public); err != nil {
			rows.Close()
			return p, err
		}
		f.Public = public == 1
		p.Funders = append(p.Funders, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return p, err
	}
	for i, f := range p.Funders {
		a, err := ledger.Get(ctx, q, funderAccount(id, f.ID))
		if err != nil {
			return p, err
		}
		p.Funders[i].Left = a.Held()
		deposited, err := ledger.SumOfKind(ctx, q, funderAccount(id, f.ID), "deposit")
		if err != nil {
			return p, err
		}
		p.Funders[i].Received = -deposited
	}
	p.Managers, err = store.IDs(ctx, q, `SELECT user_id FROM fund_pool_managers WHERE pool_id = ? ORDER BY user_id`, id)
	return p, err
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// mayManage: a pool's managers, and stewards (who run the city's pools).
func (p Pool) mayManage(u *account.User) bool {
	return account.IsSteward(u) || (u != nil && slices.Contains(p.Managers, u.ID))
}

// poolAs loads pool id as u may see it: an open or closed pool is public,
// a draft only its managers'.
func (s *Service) poolAs(ctx context.Context, q store.Querier, u *account.User, id int64) (Pool, error) {
	p, err := loadPool(ctx, q, id)
	if err != nil {
		return p, err
	}
	if p.State == PoolDraft && !p.mayManage(u) {
		return p, errNotFound
	}
	return p, nil
}

// CreatePool sets up a pool as a draft, with its funders and what they
// have deposited. Stewards only: public money is the municipality's to
// commit.
func (s *Service) CreatePool(ctx context.Context, u *account.User, d DraftPool) (Pool, error) {
	if !account.IsSteward(u) {
		return Pool{}, errForbidden
	}
	num, den, f := d.Clean()
	if err := f.Err(); err != nil {
		return Pool{}, err
	}
	now := s.Now.Time()
	var id int64
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO fund_pools (name, description, language, rule, factor_num, factor_den, max_per_contribution_cents,
			max_per_project_cents, max_matched_per_contributor, grant_cents, grant_share_pct, grant_backers, districts, sectors, principles,
			assessment_required, state, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?)
			RETURNING id`,
			d.Name, d.Description, d.Language, d.Rule, num, den, d.MaxPerContribution, d.MaxPerProject, d.MaxMatchedPerContributor,
			d.GrantCents, d.GrantSharePct, d.GrantBackers, strings.Join(d.Districts, ","), strings.Join(d.Sectors, ","),
			strings.Join(d.Principles, ","), boolInt(d.AssessmentRequired), u.ID, store.Millis(now), store.Millis(now)).Scan(&id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO fund_pool_managers (pool_id, user_id) VALUES (?, ?)`, id, u.ID); err != nil {
			return err
		}
		for i, name := range d.Funders {
			var fid int64
			if err := tx.QueryRow(ctx, `INSERT INTO fund_funders (pool_id, position, name) VALUES (?, ?, ?) RETURNING id`, id, i, name).Scan(&fid); err != nil {
				return err
			}
			if _, err := ledger.Open(ctx, tx, funderAccount(id, fid), ledger.Fund, name, now); err != nil {
				return err
			}
			if d.Deposits[i] > 0 {
				if err := deposit(ctx, tx, id, fid, d.Deposits[i], "", now); err != nil {
					return err
				}
			}
		}
		return audit.RecordID(ctx, tx, "fund.pool_created", "fund_pool", id, map[string]any{"rule": string(d.Rule)})
	})
	if err != nil {
		return Pool{}, err
	}
	return loadPool(ctx, s.DB, id)
}

// Deposit books money a funder put in the pool (received in the host's
// bank account). The pool's managers.
func (s *Service) Deposit(ctx context.Context, u *account.User, poolID, funderID, cents int64, note string) error {
	now := s.Now.Time()
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		p, err := s.poolAs(ctx, tx, u, poolID)
		if err != nil {
			return err
		}
		if !p.mayManage(u) {
			return errForbidden
		}
		f := problem.Fields{}
		if !slices.ContainsFunc(p.Funders, func(x Funder) bool { return x.ID == funderID }) {
			f.Add("funder", "choice.unknown")
		}
		if cents <= 0 || cents > MaxPool {
			f.Add("amount", "amount.positive")
		}
		textcheck.Field(f, "note", strings.TrimSpace(note), ledger.MaxText, false)
		if err := f.Err(); err != nil {
			return err
		}
		return deposit(ctx, tx, poolID, funderID, cents, note, now)
	})
}

// deposit books cents that funder funderID put in pool poolID, received in
// the host's bank account.
func deposit(ctx context.Context, tx store.Querier, poolID, funderID, cents int64, note string, now time.Time) error {
	if _, err := ledger.Open(ctx, tx, providerAccount(string(Bank)), ledger.Asset, "", now); err != nil {
		return err
	}
	t := ledger.Move("deposit", funderAccount(poolID, funderID), providerAccount(string(Bank)), cents, strings.TrimSpace(note))
	id, err := ledger.Post(ctx, tx, t, now)
	if err != nil {
		return err
	}
	return audit.RecordID(ctx, tx, "fund.pool_deposit", "fund_pool", poolID, map[string]any{"funder": funderID, "cents": cents, "tx": id})
}

// SetPoolState opens a pool to applications, or closes it. The pool's
// managers.
func (s *Service) SetPoolState(ctx context.Context, u *account.User, poolID int64, to PoolState) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		p, err := s.poolAs(ctx, tx, u, poolID)
		if err != nil {
			return err
		}
		if !p.mayManage(u) {
			return errForbidden
		}
		if !(p.State == PoolDraft && to == PoolOpen) && !(p.State == PoolOpen && to == PoolClosed) {
			return problem.New(problem.Conflict, "fund.pool_state")
		}
		if _, err := tx.Exec(ctx, `UPDATE fund_pools SET state = ?, updated_at = ? WHERE id = ?`, to, s.Now.Millis(), poolID); err != nil {
			return err
		}
		return audit.RecordID(ctx, tx, "fund.pool_"+string(to), "fund_pool", poolID, nil)
	})
}

// Application is a campaign's request to be matched by a pool.
type Application struct {
	ID, PoolID, CampaignID int64
	Campaign               string // its title, on the pool's page
	State                  string // pending, accepted, rejected, withdrawn
	Note                   string
	AppliedAt, DecidedAt   time.Time
}

// Apply asks pool poolID to match campaign campaignID. The campaign's
// treasurers, for an open pool whose districts and sectors include the
// campaign's and whose principles and assessment its initiative has.
func (s *Service) Apply(ctx context.Context, u *account.User, poolID, campaignID int64, note string) (Application, error) {
	now := s.Now.Time()
	st, err := s.standingFor(ctx, poolID, campaignID)
	if err != nil {
		return Application{}, err
	}
	var a Application
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		p, err := s.poolAs(ctx, tx, u, poolID)
		if err != nil {
			return err
		}
		c, _, r, err := s.campaignAs(ctx, tx, u, campaignID)
		if err != nil {
			return err
		}
		if !r.Manage {
			return errForbidden
		}
		if p.State != PoolOpen || c.State == Succeeded || c.State == Failed {
			return problem.New(problem.Conflict, "fund.pool_not_open")
		}
		if err := p.eligible(c, st); err != nil {
			return err
		}
		note = strings.TrimSpace(note)
		f := problem.Fields{}
		textcheck.Field(f, "note", note, MaxSummary, false)
		if err := f.Err(); err != nil {
			return err
		}
		err = tx.QueryRow(ctx, `INSERT INTO fund_applications (pool_id, campaign_id, state, note, applied_by, applied_at) VALUES (?, ?, 'pending', ?, ?, ?)
			ON CONFLICT (pool_id, campaign_id) DO NOTHING RETURNING id`, poolID, campaignID, note, u.ID, store.Millis(now)).Scan(&a.ID)
		if errors.Is(err, sql.ErrNoRows) {
			return problem.New(problem.Conflict, "fund.applied_before")
		}
		if err != nil {
			return err
		}
		a = Application{ID: a.ID, PoolID: poolID, CampaignID: campaignID, State: "pending", Note: note, AppliedAt: now}
		return audit.RecordID(ctx, tx, "fund.applied", "fund_application", a.ID, map[string]any{"pool": poolID, "campaign": campaignID})
	})
	return a, err
}

// eligible says why campaign c, whose initiative stands as st, may not
// apply to p (nil when it may).
func (p Pool) eligible(c Campaign, st standing) error {
	if len(p.Districts) > 0 && !slices.Contains(p.Districts, c.District) {
		return problem.New(problem.Conflict, "fund.not_eligible_district")
	}
	if len(p.Sectors) > 0 && !slices.Contains(p.Sectors, c.Sector) {
		return problem.New(problem.Conflict, "fund.not_eligible_sector")
	}
	for _, code := range p.Principles {
		if !slices.Contains(st.principles, code) {
			return problem.New(problem.Conflict, "fund.not_eligible_principles")
		}
	}
	if p.AssessmentRequired && !st.assessed {
		return problem.New(problem.Conflict, "fund.not_eligible_assessment")
	}
	return nil
}

// DecideApplication accepts or rejects an application. The pool's
// managers. From acceptance on, the campaign's contributions are matched
// (the ones before are not: the pool's rules were not promised to them).
func (s *Service) DecideApplication(ctx context.Context, u *account.User, appID int64, accept bool, note string) error {
	now := s.Now.Time()
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		var poolID int64
		var state string
		err := tx.QueryRow(ctx, `SELECT pool_id, state FROM fund_applications WHERE id = ?`, appID).Scan(&poolID, &state)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return err
		}
		p, err := s.poolAs(ctx, tx, u, poolID)
		if err != nil {
			return err
		}
		if !p.mayManage(u) {
			return errForbidden
		}
		if state != "pending" {
			return problem.New(problem.Conflict, "fund.decided_before")
		}
		to := "accepted"
		if !accept {
			to = "rejected"
			f := problem.Fields{}
			textcheck.Field(f, "note", strings.TrimSpace(note), MaxSummary, true)
			if err := f.Err(); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE fund_applications SET state = ?, note = CASE WHEN ? = '' THEN note ELSE ? END, decided_by = ?, decided_at = ?
			WHERE id = ? AND state = 'pending'`, to, strings.TrimSpace(note), strings.TrimSpace(note), u.ID, store.Millis(now), appID); err != nil {
			return err
		}
		return audit.RecordID(ctx, tx, "fund.application_"+to, "fund_application", appID, map[string]any{"pool": poolID})
	})
}

// PoolView is a pool as its page shows it: its rules, funders and what
// each has left, the campaigns it matches and what it gave each.
type PoolView struct {
	Pool
	Manage       bool
	Given        int64 // matches and grants, not returned
	Campaigns    []PoolMatch
	BudgetGrants []BudgetGrant // projects of participatory budgets it paid
	Applications []Application // pending ones, for its managers
}

// BudgetGrant is what a pool paid one project of a participatory budget
// (inverse crowdfunding), into the project's own account.
type BudgetGrant struct {
	BudgetID, ProjectID int64
	Title               string
	Cents               int64
	Account             string
}

// PoolPage returns pool id as u sees it.
func (s *Service) PoolPage(ctx context.Context, u *account.User, id int64) (PoolView, error) {
	p, err := s.poolAs(ctx, s.DB, u, id)
	if err != nil {
		return PoolView{}, err
	}
	v := PoolView{Pool: p, Manage: p.mayManage(u)}
	rows, err := s.DB.Query(ctx, `SELECT c.id, c.title, COALESCE((SELECT SUM(m.cents) FROM fund_matches m WHERE m.pool_id = a.pool_id AND m.campaign_id = c.id
		AND m.returned_tx IS NULL), 0) + COALESCE((SELECT SUM(g.cents) FROM fund_grants g WHERE g.pool_id = a.pool_id AND g.campaign_id = c.id), 0)
		FROM fund_applications a JOIN fund_campaigns c ON c.id = a.campaign_id WHERE a.pool_id = ? AND a.state = 'accepted' ORDER BY c.id`, id)
	if err != nil {
		return v, err
	}
	for rows.Next() {
		var m PoolMatch
		if err := rows.Scan(&m.PoolID, &m.Name, &m.Cents); err != nil {
			rows.Close()
			return v, err
		}
		v.Given += m.Cents
		v.Campaigns = append(v.Campaigns, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return v, err
	}
	rows, err = s.DB.Query(ctx, `SELECT budget_id, project_id, title, cents FROM fund_grants WHERE pool_id = ? AND project_id IS NOT NULL
		ORDER BY budget_id, id`, id)
	if err != nil {
		return v, err
	}
	for rows.Next() {
		var g BudgetGrant
		if err := rows.Scan(&g.BudgetID, &g.ProjectID, &g.Title, &g.Cents); err != nil {
			rows.Close()
			return v, err
		}
		g.Account = ledger.Code("budget", g.BudgetID, "project", g.ProjectID)
		v.Given += g.Cents
		v.BudgetGrants = append(v.BudgetGrants, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return v, err
	}
	if !v.Manage {
		return v, nil
	}
	rows, err = s.DB.Query(ctx, `SELECT a.id, a.campaign_id, c.title, a.state, a.note, a.applied_at FROM fund_applications a
		JOIN fund_campaigns c ON c.id = a.campaign_id WHERE a.pool_id = ? AND a.state = 'pending' ORDER BY a.id`, id)
	if err != nil {
		return v, err
	}
	defer rows.Close()
	for rows.Next() {
		a := Application{PoolID: id}
		var at int64
		if err := rows.Scan(&a.ID, &a.CampaignID, &a.Campaign, &a.State, &a.Note, &at); err != nil {
			return v, err
		}
		a.AppliedAt = store.Time(at)
		v.Applications = append(v.Applications, a)
	}
	return v, rows.Err()
}

// Pools lists the pools u may see: open ones, then closed; drafts for
// their managers.
func (s *Service) Pools(ctx context.Context, u *account.User) ([]Pool, error) {
	ids, err := store.IDs(ctx, s.DB, `SELECT id FROM fund_pools ORDER BY CASE state WHEN 'open' THEN 0 WHEN 'draft' THEN 1 ELSE 2 END, id DESC LIMIT 200`)
	if err != nil {
		return nil, err
	}
	var out []Pool
	for _, id := range ids {
		p, err := s.poolAs(ctx, s.DB, u, id)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func isNotFound(err error) bool { return problem.Is(err, problem.NotFound) }

// CampaignsToApply lists the campaigns u may ask pool poolID to match:
// those of the workspaces wsIDs (u's own, as the caller knows them) whose
// treasurer u is, still a draft or running, that have not applied to the
// pool before; none unless the pool is open. Whether each is eligible is
// Apply's to say, with its reason.
func (s *Service) CampaignsToApply(ctx context.Context, u *account.User, poolID int64, wsIDs []int64) ([]CampaignSummary, error) {
	if u == nil {
		return nil, nil
	}
	p, err := s.poolAs(ctx, s.DB, u, poolID)
	if err != nil || p.State != PoolOpen {
		return nil, err
	}
	var out []CampaignSummary
	for _, wsID := range wsIDs {
		_, v, err := workspace.ViewerIn(ctx, s.DB, u, itoa64(wsID))
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if !v.Has(workspace.RoleTreasurer) {
			continue
		}
		rows, err := s.DB.Query(ctx, `SELECT id, title, summary, state, min_cents, goal_cents, deadline FROM fund_campaigns c
			WHERE workspace_id = ? AND state IN ('draft', 'running')
			AND NOT EXISTS (SELECT 1 FROM fund_applications a WHERE a.pool_id = ? AND a.campaign_id = c.id) ORDER BY id LIMIT 100`, wsID, poolID)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			c := CampaignSummary{WorkspaceID: wsID}
			var deadline int64
			if err := rows.Scan(&c.ID, &c.Title, &c.Summary, &c.State, &c.MinCents, &c.GoalCents, &deadline); err != nil {
				rows.Close()
				return nil, err
			}
			c.Deadline = store.Time(deadline)
			out = append(out, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Replay is what pool poolID has matched so far, as a simulation of
// internal/match: the pool's rules, its funders with what each deposited,
// and the contributions it matched, in the order it matched them (those
// refunded since are left out). Run through match.Simulate it shows what
// the rules make of them, and how the pool would stand had all its money
// been there from the start. Contributors are numbered in the order of
// their first contribution, so that the simulation names nobody;
// projects are campaigns' ids, titled in Projects. The pool's managers,
// for a duplicate pool.
func (s *Service) Replay(ctx context.Context, u *account.User, poolID int64) (Replayed, error) {
	p, err := s.poolAs(ctx, s.DB, u, poolID)
	if err != nil {
		return Replayed{}, err
	}
	if !p.mayManage(u) {
		return Replayed{}, errForbidden
	}
	if p.Rule != Duplicate {
		return Replayed{}, problem.New(problem.Conflict, "fund.not_duplicate")
	}
	out := Replayed{Simulation: match.Simulation{Rules: p.Rules(), Funders: p.SimulationFunders(false)}, Projects: map[string]string{}}
	rows, err := s.DB.Query(ctx, `SELECT m.contribution_id, m.campaign_id, c.title, m.contributor, k.cents FROM fund_matches m
		JOIN fund_contributions k ON k.id = m.contribution_id JOIN fund_campaigns c ON c.id = m.campaign_id
		WHERE m.pool_id = ? AND k.status = 'paid' ORDER BY m.id LIMIT ?`, poolID, match.MaxContributions)
	if err != nil {
		return Replayed{}, err
	}
	defer rows.Close()
	who := map[string]string{}
	for rows.Next() {
		var id, campaign, cents int64
		var title, contributor string
		if err := rows.Scan(&id, &campaign, &title, &contributor, &cents); err != nil {
			return Replayed{}, err
		}
		if who[contributor] == "" {
			who[contributor] = itoa(len(who) + 1)
		}
		project := itoa64(campaign)
		out.Projects[project] = title
		out.Contributions = append(out.Contributions, match.Contribution{ID: itoa64(id), Project: project, Contributor: who[contributor], Cents: cents})
	}
	return out, rows.Err()
}

// Replayed is a pool's matching so far as a simulation (Replay).
type Replayed struct {
	match.Simulation
	Projects map[string]string // campaign id → title
}
