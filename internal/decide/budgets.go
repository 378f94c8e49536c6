package decide

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"samen/internal/account"
	"samen/internal/audit"
	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/textcheck"
	"samen/internal/workspace"
)

var errBudgetNotFound = problem.New(problem.NotFound, "decide.budget_not_found")

const budgetColumns = `id, COALESCE(workspace_id, 0), district, circles, title, description, language, total_cents, ballot_kind,
	min_projects, max_projects, min_cost_cents, rule, phase, COALESCE(closes_at, 0), COALESCE(created_by, 0), created_at, updated_at`

func scanBudget(row interface{ Scan(...any) error }) (Budget, error) {
	var b Budget
	var circles string
	var closes, created, updated int64
	err := row.Scan(&b.ID, &b.WorkspaceID, &b.District, &circles, &b.Title, &b.Description, &b.Language, &b.TotalCents, &b.BallotKind,
		&b.MinProjects, &b.MaxProjects, &b.MinCostCents, &b.Rule, &b.Phase, &closes, &b.CreatedBy, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return b, errBudgetNotFound
	}
	for _, c := range strings.Split(circles, ",") {
		if c != "" {
			b.Circles = append(b.Circles, workspace.Circle(c))
		}
	}
	b.ClosesAt, b.CreatedAt, b.UpdatedAt = optTime(closes), store.Time(created), store.Time(updated)
	return b, err
}

func loadBudget(ctx context.Context, q store.Querier, id int64) (Budget, error) {
	b, err := scanBudget(q.QueryRow(ctx, `SELECT `+budgetColumns+` FROM budgets WHERE id = ?`, id))
	if err != nil {
		return b, err
	}
	rows, err := q.Query(ctx, `SELECT id, position, title, description, district, cost_cents, COALESCE(proposer_id, 0), state, review_note, created_at
		FROM budget_projects WHERE budget_id = ? ORDER BY position, id`, id)
	if err != nil {
		return b, err
	}
	var ids []int64
	for rows.Next() {
		var p Project
		var created int64
		if err := rows.Scan(&p.ID, &p.Position, &p.Title, &p.Description, &p.District, &p.CostCents, &p.ProposerID, &p.State, &p.ReviewNote, &created); err != nil {
			rows.Close()
			return b, err
		}
		p.CreatedAt = store.Time(created)
		b.Projects = append(b.Projects, p)
		ids = append(ids, p.ProposerID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return b, err
	}
	names, err := account.Names(ctx, q, ids)
	if err != nil {
		return b, err
	}
	for i := range b.Projects {
		b.Projects[i].ProposerName = names[b.Projects[i].ProposerID]
	}
	return b, nil
}

// BudgetRights is what one person may do with one budget.
type BudgetRights struct {
	See     bool
	Propose bool // propose a project (proposals phase)
	Vote    bool // cast an online ballot now
	Manage  bool // edit, review, move phases, type in paper ballots
}

// BudgetRightsOf says what w may do with b at now. A city-wide budget is
// public and run by stewards; a workspace's is seen by its circles and
// run by core.
func BudgetRightsOf(b Budget, w Who, now time.Time) BudgetRights {
	var r BudgetRights
	if !w.SignedIn {
		w = Who{}
	}
	if b.CityWide() {
		r.See = true
		r.Manage = w.Steward
		r.Propose = b.Phase == Proposals && w.Verified
		r.Vote = b.VotingOpen(now) && w.Verified
		return r
	}
	v := w.Viewer
	eligible := v.In() && slices.Contains(b.Circles, v.Circle)
	r.Manage = v.Core()
	r.See = r.Manage || (v.In() && slices.ContainsFunc(b.Circles, func(c workspace.Circle) bool { return v.Sees(workspace.Visibility(c)) }))
	r.Propose = b.Phase == Proposals && eligible
	r.Vote = b.VotingOpen(now) && eligible
	return r
}

func (s *Service) budgetAs(ctx context.Context, q store.Querier, u *account.User, id int64) (Budget, Who, BudgetRights, error) {
	b, err := loadBudget(ctx, q, id)
	if err != nil {
		return b, Who{}, BudgetRights{}, err
	}
	w, err := who(ctx, q, u, Decision{WorkspaceID: b.WorkspaceID, AuthorID: b.CreatedBy})
	if err != nil {
		return b, w, BudgetRights{}, err
	}
	r := BudgetRightsOf(b, w, s.Now.Time())
	if !r.See {
		return b, w, r, errBudgetNotFound
	}
	return b, w, r, nil
}

// CreateBudget starts a budget in its proposals phase: city-wide (by a
// steward) when wsRef is "", else in workspace wsRef (by its core).
func (s *Service) CreateBudget(ctx context.Context, u *account.User, wsRef string, d DraftBudget) (Budget, error) {
	if u == nil {
		return Budget{}, errSignIn
	}
	var b Budget
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		var ws any
		if wsRef == "" {
			if !u.Role.AtLeast(account.Steward) {
				return errForbidden
			}
		} else {
			w, v, err := workspace.ViewerIn(ctx, tx, u, wsRef)
			if err != nil {
				return err
			}
			if !v.Core() {
				return errForbidden
			}
			ws = w.ID
		}
		now := s.Now.Time()
		c, err := d.Clean(ws == nil, now)
		if err != nil {
			return err
		}
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO budgets (workspace_id, district, circles, title, description, language, total_cents,
			ballot_kind, min_projects, max_projects, min_cost_cents, rule, phase, closes_at, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'proposals', ?, ?, ?, ?) RETURNING id`,
			ws, c.District, joinCircles(c.Circles), c.Title, c.Description, c.Language, c.total, c.BallotKind, c.MinProjects, c.MaxProjects,
			c.minCost, c.Rule, optMillis(c.closes), u.ID, store.Millis(now), store.Millis(now)).Scan(&id); err != nil {
			return err
		}
		if err := audit.RecordID(ctx, tx, "budget.create", "budget", id, map[string]any{"rule": c.Rule, "kind": c.BallotKind}); err != nil {
			return err
		}
		b, err = loadBudget(ctx, tx, id)
		return err
	})
	return b, err
}

// UpdateBudget changes a budget before voting opens.
func (s *Service) UpdateBudget(ctx context.Context, u *account.User, id int64, d DraftBudget) (Budget, error) {
	var b Budget
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		old, _, r, err := s.budgetAs(ctx, tx, u, id)
		if err != nil {
			return err
		}
		if !r.Manage {
			return errForbidden
		}
		if old.Phase != Proposals && old.Phase != Review {
			return problem.New(problem.Conflict, "decide.not_editable")
		}
		now := s.Now.Time()
		c, err := d.Clean(old.CityWide(), now)
		if err != nil {
			return err
		}
		for _, p := range old.Projects {
			if p.State != "rejected" && p.CostCents > c.total {
				return (problem.Fields{"total": "decide.total_below_project"}).Err()
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE budgets SET district = ?, circles = ?, title = ?, description = ?, language = ?, total_cents = ?,
			ballot_kind = ?, min_projects = ?, max_projects = ?, min_cost_cents = ?, rule = ?, closes_at = ?, updated_at = ? WHERE id = ?`,
			c.District, joinCircles(c.Circles), c.Title, c.Description, c.Language, c.total, c.BallotKind, c.MinProjects, c.MaxProjects,
			c.minCost, c.Rule, optMillis(c.closes), store.Millis(now), id); err != nil {
			return err
		}
		if err := audit.RecordID(ctx, tx, "budget.update", "budget", id, nil); err != nil {
			return err
		}
		b, err = loadBudget(ctx, tx, id)
		return err
	})
	return b, err
}

// Propose adds u's project to budget id while proposals are open.
// Stewards (or core) may add projects during the review too.
func (s *Service) Propose(ctx context.Context, u *account.User, id int64, d DraftProject) (Project, error) {
	if u == nil {
		return Project{}, errSignIn
	}
	var p Project
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		b, w, r, err := s.budgetAs(ctx, tx, u, id)
		if err != nil {
			return err
		}
		switch {
		case b.CityWide() && !w.Verified && b.Phase == Proposals:
			return problem.New(problem.Forbidden, "decide.verify_first")
		case !r.Propose && !(r.Manage && (b.Phase == Proposals || b.Phase == Review)):
			if b.Phase != Proposals {
				return problem.New(problem.Conflict, "decide.not_proposals")
			}
			return errForbidden
		}
		if len(b.Projects) >= MaxProjects {
			return problem.New(problem.Conflict, "decide.too_many_projects")
		}
		c, err := d.Clean(b)
		if err != nil {
			return err
		}
		now := s.Now.Millis()
		if err := tx.QueryRow(ctx, `INSERT INTO budget_projects (budget_id, position, title, description, district, cost_cents,
			proposer_id, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'proposed', ?, ?) RETURNING id`,
			id, len(b.Projects)+1, c.Title, c.Description, c.District, c.cost, u.ID, now, now).Scan(&p.ID); err != nil {
			return err
		}
		p = Project{ID: p.ID, Position: len(b.Projects) + 1, Title: c.Title, Description: c.Description, District: c.District,
			CostCents: c.cost, ProposerID: u.ID, State: "proposed", CreatedAt: store.Time(now)}
		return audit.RecordID(ctx, tx, "budget.propose", "budget", id, map[string]any{"project": p.ID})
	})
	return p, err
}

// Review accepts a project onto the ballot or rejects it, with a note the
// proposer and everyone reads; who manages the budget may correct the
// project's cost while reviewing (a cost estimate is part of a review).
func (s *Service) Review(ctx context.Context, u *account.User, id, projectID int64, accept bool, note, cost string) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		b, _, r, err := s.budgetAs(ctx, tx, u, id)
		if err != nil {
			return err
		}
		if !r.Manage {
			return errForbidden
		}
		if b.Phase != Review {
			return problem.New(problem.Conflict, "decide.not_review")
		}
		i := slices.IndexFunc(b.Projects, func(p Project) bool { return p.ID == projectID })
		if i < 0 {
			return problem.New(problem.NotFound, "decide.project_not_found")
		}
		note = strings.TrimSpace(strings.ReplaceAll(note, "\r\n", "\n"))
		f := problem.Fields{}
		textcheck.Field(f, "note", note, MaxReviewNote, !accept)
		newCost := b.Projects[i].CostCents
		if strings.TrimSpace(cost) != "" {
			newCost = euros(f, "cost", cost, true)
			if f["cost"] == "" && newCost > b.TotalCents {
				f.Add("cost", "decide.cost_above_total")
			}
		}
		if err := f.Err(); err != nil {
			return err
		}
		state := "rejected"
		if accept {
			state = "accepted"
		}
		if _, err := tx.Exec(ctx, `UPDATE budget_projects SET state = ?, review_note = ?, cost_cents = ?, updated_at = ? WHERE id = ?`,
			state, note, newCost, s.Now.Millis(), projectID); err != nil {
			return err
		}
		return audit.RecordID(ctx, tx, "budget.review", "budget", id, map[string]any{"project": projectID, "state": state})
	})
}

// Advance moves budget id to its next phase. Voting needs a closing time
// in the future and at least two accepted projects, and draws the lot
// order of the ballot; the result needs online voting to have closed, and
// counts every ballot, online and paper, under every rule.
func (s *Service) AdvanceBudget(ctx context.Context, u *account.User, id int64) (Phase, error) {
	var to Phase
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		b, _, r, err := s.budgetAs(ctx, tx, u, id)
		if err != nil {
			return err
		}
		if !r.Manage {
			return errForbidden
		}
		now := s.Now.Time()
		switch b.Phase {
		case Proposals:
			to = Review
		case Review:
			to = Balloting
			if len(b.Accepted()) < 2 {
				return problem.New(problem.Conflict, "decide.too_few_projects")
			}
			if undecided := slices.ContainsFunc(b.Projects, func(p Project) bool { return p.State == "proposed" }); undecided {
				return problem.New(problem.Conflict, "decide.projects_unreviewed")
			}
			if !b.ClosesAt.After(now) {
				return (problem.Fields{"closes_at": "decide.closes_past"}).Err()
			}
			if err := drawProjects(ctx, tx, b); err != nil {
				return err
			}
		case Balloting:
			to = Results
			if now.Before(b.ClosesAt) {
				return problem.New(problem.Conflict, "decide.voting_running")
			}
			ballots, paper, err := budgetBallots(ctx, tx, id)
			if err != nil {
				return err
			}
			doc, err := json.Marshal(CountBudget(b, ballots, paper))
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE budgets SET result = ? WHERE id = ?`, string(doc), id); err != nil {
				return err
			}
		default:
			return problem.New(problem.Conflict, "decide.budget_done")
		}
		res, err := tx.Exec(ctx, `UPDATE budgets SET phase = ?, updated_at = ? WHERE id = ? AND phase = ?`, string(to), store.Millis(now), id, string(b.Phase))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return problem.New(problem.Conflict, "decide.budget_moved")
		}
		return audit.RecordID(ctx, tx, "budget.phase", "budget", id, map[string]any{"phase": string(to)})
	})
	return to, err
}

// drawProjects draws the ballot's order of the accepted projects by lot.
func drawProjects(ctx context.Context, tx *store.Tx, b Budget) error {
	accepted := b.Accepted()
	for i := len(accepted) - 1; i > 0; i-- {
		j, err := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
		if err != nil {
			return err
		}
		accepted[i], accepted[j.Int64()] = accepted[j.Int64()], accepted[i]
	}
	for pos, p := range accepted {
		if _, err := tx.Exec(ctx, `UPDATE budget_projects SET position = ? WHERE id = ?`, pos+1, p.ID); err != nil {
			return err
		}
	}
	return nil
}

func budgetBallots(ctx context.Context, q store.Querier, id int64) ([][]int64, int, error) {
	rows, err := q.Query(ctx, `SELECT projects, source FROM budget_ballots WHERE budget_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out [][]int64
	paper := 0
	for rows.Next() {
		var list, source string
		if err := rows.Scan(&list, &source); err != nil {
			return nil, 0, err
		}
		out = append(out, parseIDs(list))
		if source == "paper" {
			paper++
		}
	}
	return out, paper, rows.Err()
}

func parseIDs(list string) []int64 {
	var out []int64
	for _, part := range strings.Split(list, ",") {
		if id, err := strconv.ParseInt(part, 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}

func formatIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}

// VoteBudget casts u's ballot: the chosen projects' ids. A budget's
// ballot is secret and final.
func (s *Service) VoteBudget(ctx context.Context, u *account.User, id int64, projects []int64, livesThere bool) error {
	if u == nil {
		return errSignIn
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		b, w, r, err := s.budgetAs(ctx, tx, u, id)
		if err != nil {
			return err
		}
		switch {
		case !b.VotingOpen(s.Now.Time()):
			return problem.New(problem.Conflict, "decide.not_voting")
		case b.CityWide() && !w.Verified:
			return problem.New(problem.Forbidden, "decide.verify_first")
		case !r.Vote:
			return problem.New(problem.Forbidden, "decide.not_eligible")
		case b.CityWide() && b.District != "" && !livesThere:
			return (problem.Fields{"lives_there": "decide.district_declaration"}).Err()
		}
		chosen, err := b.CheckBudgetBallot(projects)
		if err != nil {
			return err
		}
		res, err := tx.Exec(ctx, `INSERT INTO budget_voters (budget_id, user_id, voted_at) VALUES (?, ?, ?)
			ON CONFLICT (budget_id, user_id) DO NOTHING`, id, u.ID, s.Now.Millis())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return problem.New(problem.Conflict, "decide.already_voted")
		}
		if _, err := tx.Exec(ctx, `INSERT INTO budget_ballots (id, budget_id, projects, source) VALUES (?, ?, ?, 'online')`,
			randomID(), id, formatIDs(chosen)); err != nil {
			return err
		}
		return audit.RecordID(ctx, tx, "budget.vote", "budget", id, nil)
	})
}

// Sheet is a paper ballot as typed in: by whom, with which projects, and
// whether it counts.
type Sheet struct {
	Sheet   string
	Entries []SheetEntry
	Counted bool
	// Differ says two entries disagree: someone should look at the paper.
	Differ bool
}

// SheetEntry is one steward's reading of a sheet.
type SheetEntry struct {
	By       int64
	ByName   string
	Projects []int64
	At       time.Time
}

// EnterPaper records u's reading of paper ballot sheet. The sheet counts
// once two different people's readings agree; a reading that disagrees
// with another is kept and the sheet shown as disputed until a third
// reading agrees with one of them. A person may correct their own reading
// until the sheet counts. Paper ballots are typed in from the voting
// phase until the result is published.
func (s *Service) EnterPaper(ctx context.Context, u *account.User, id int64, sheet string, projects []int64) (Sheet, error) {
	if u == nil {
		return Sheet{}, errSignIn
	}
	var out Sheet
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		b, _, r, err := s.budgetAs(ctx, tx, u, id)
		if err != nil {
			return err
		}
		if !r.Manage {
			return errForbidden
		}
		if b.Phase != Balloting {
			return problem.New(problem.Conflict, "decide.not_voting")
		}
		sheet = strings.TrimSpace(sheet)
		f := problem.Fields{}
		textcheck.Field(f, "sheet", sheet, MaxPaperSheetLen, true)
		if err := f.Err(); err != nil {
			return err
		}
		chosen, err := b.CheckBudgetBallot(projects)
		if err != nil {
			return err
		}
		var counted int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM budget_ballots WHERE budget_id = ? AND source = 'paper' AND sheet = ?`, id, sheet).Scan(&counted); err != nil {
			return err
		}
		if counted > 0 {
			return (problem.Fields{"sheet": "decide.sheet_counted"}).Err()
		}
		list, now := formatIDs(chosen), s.Now.Millis()
		if _, err := tx.Exec(ctx, `INSERT INTO budget_paper_entries (budget_id, sheet, projects, entered_by, entered_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (budget_id, sheet, entered_by) DO UPDATE SET projects = excluded.projects, entered_at = excluded.entered_at`,
			id, sheet, list, u.ID, now); err != nil {
			return err
		}
		var agree int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM budget_paper_entries
			WHERE budget_id = ? AND sheet = ? AND projects = ? AND entered_by IS NOT NULL AND entered_by <> ?`, id, sheet, list, u.ID).Scan(&agree); err != nil {
			return err
		}
		if agree > 0 {
			if _, err := tx.Exec(ctx, `INSERT INTO budget_ballots (id, budget_id, projects, source, sheet) VALUES (?, ?, ?, 'paper', ?)`,
				randomID(), id, list, sheet); err != nil {
				return err
			}
		}
		if err := audit.RecordID(ctx, tx, "budget.paper", "budget", id, map[string]any{"counted": agree > 0}); err != nil {
			return err
		}
		sheets, err := paperSheets(ctx, tx, id, sheet)
		if err != nil {
			return err
		}
		if len(sheets) > 0 {
			out = sheets[0]
		}
		return nil
	})
	return out, err
}

// paperSheets lists the paper ballots typed in so far (only sheet when it
// is not ""), disputed ones first.
func paperSheets(ctx context.Context, q store.Querier, id int64, only string) ([]Sheet, error) {
	query := `SELECT sheet, projects, COALESCE(entered_by, 0), entered_at FROM budget_paper_entries WHERE budget_id = ?`
	args := []any{id}
	if only != "" {
		query += ` AND sheet = ?`
		args = append(args, only)
	}
	rows, err := q.Query(ctx, query+` ORDER BY sheet, id`, args...)
	if err != nil {
		return nil, err
	}
	var out []Sheet
	var ids []int64
	for rows.Next() {
		var sheet, list string
		var e SheetEntry
		var at int64
		if err := rows.Scan(&sheet, &list, &e.By, &at); err != nil {
			rows.Close()
			return nil, err
		}
		e.Projects, e.At = parseIDs(list), store.Time(at)
		if len(out) == 0 || out[len(out)-1].Sheet != sheet {
			out = append(out, Sheet{Sheet: sheet})
		}
		out[len(out)-1].Entries = append(out[len(out)-1].Entries, e)
		ids = append(ids, e.By)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	names, err := account.Names(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	counted := map[string]bool{}
	crows, err := q.Query(ctx, `SELECT sheet FROM budget_ballots WHERE budget_id = ? AND source = 'paper'`, id)
	if err != nil {
		return nil, err
	}
	for crows.Next() {
		var sheet string
		if err := crows.Scan(&sheet); err != nil {
			crows.Close()
			return nil, err
		}
		counted[sheet] = true
	}
	crows.Close()
	for i := range out {
		out[i].Counted = counted[out[i].Sheet]
		for j := range out[i].Entries {
			out[i].Entries[j].ByName = names[out[i].Entries[j].By]
			if j > 0 && !slices.Equal(out[i].Entries[j].Projects, out[i].Entries[0].Projects) {
				out[i].Differ = true
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Sheet) int {
		switch {
		case a.Differ && !a.Counted && !(b.Differ && !b.Counted):
			return -1
		case b.Differ && !b.Counted && !(a.Differ && !a.Counted):
			return 1
		}
		return 0
	})
	return out, crows.Err()
}

// BudgetView is a budget as one person sees it.
type BudgetView struct {
	Budget
	Rights    BudgetRights
	Who       Who
	Workspace workspace.Workspace
	Voted     bool
	Cast      int // online ballots
	Paper     int // paper ballots counted
	Sheets    []Sheet
	Result    *BudgetResult
	// VotingClosed: online voting has ended, the result is not yet out.
	VotingClosed bool
}

// GetBudget returns budget id as u sees it.
func (s *Service) GetBudget(ctx context.Context, u *account.User, id int64) (BudgetView, error) {
	var v BudgetView
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		b, w, r, err := s.budgetAs(ctx, tx, u, id)
		if err != nil {
			return err
		}
		now := s.Now.Time()
		v = BudgetView{Budget: b, Rights: r, Who: w, VotingClosed: b.Phase == Balloting && !now.Before(b.ClosesAt)}
		if !b.CityWide() {
			if v.Workspace, _, err = workspace.ViewerIn(ctx, tx, u, strconv.FormatInt(b.WorkspaceID, 10)); err != nil {
				return err
			}
		}
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM budget_voters WHERE budget_id = ?`, id).Scan(&v.Cast); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM budget_ballots WHERE budget_id = ? AND source = 'paper'`, id).Scan(&v.Paper); err != nil {
			return err
		}
		if u != nil {
			var one int
			err := tx.QueryRow(ctx, `SELECT 1 FROM budget_voters WHERE budget_id = ? AND user_id = ?`, id, u.ID).Scan(&one)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			v.Voted = err == nil
		}
		if r.Manage && (b.Phase == Balloting || b.Phase == Results) {
			if v.Sheets, err = paperSheets(ctx, tx, id, ""); err != nil {
				return err
			}
		}
		if b.Phase == Results {
			var doc sql.NullString
			if err := tx.QueryRow(ctx, `SELECT result FROM budgets WHERE id = ?`, id).Scan(&doc); err != nil {
				return err
			}
			if doc.Valid {
				var res BudgetResult
				if err := json.Unmarshal([]byte(doc.String), &res); err != nil {
					return err
				}
				v.Result = &res
			}
		}
		return nil
	})
	return v, err
}

// BudgetSummary is a budget in a list.
type BudgetSummary struct {
	ID         int64
	Title      string
	District   string
	TotalCents int64
	Phase      Phase
	ClosesAt   time.Time
	Projects   int
}

// ListBudgets returns the budgets of workspace wsRef that u may see, or
// the city-wide ones when wsRef is "", newest first.
func (s *Service) ListBudgets(ctx context.Context, u *account.User, wsRef string) ([]BudgetSummary, error) {
	var out []BudgetSummary
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		query, args := `SELECT id FROM budgets WHERE workspace_id IS NULL ORDER BY created_at DESC, id DESC`, []any{}
		if wsRef != "" {
			ws, _, err := workspace.ViewerIn(ctx, tx, u, wsRef)
			if err != nil {
				return err
			}
			query, args = `SELECT id FROM budgets WHERE workspace_id = ? ORDER BY created_at DESC, id DESC`, []any{ws.ID}
		}
		ids, err := store.IDs(ctx, tx, query, args...)
		if err != nil {
			return err
		}
		for _, id := range ids {
			b, _, _, err := s.budgetAs(ctx, tx, u, id)
			if errors.Is(err, errBudgetNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			out = append(out, BudgetSummary{ID: b.ID, Title: b.Title, District: b.District, TotalCents: b.TotalCents,
				Phase: b.Phase, ClosesAt: b.ClosesAt, Projects: len(b.Accepted())})
		}
		return nil
	})
	return out, err
}

// BudgetBallots are a budget's ballots for the pabulib download, once its
// result is out.
func (s *Service) BudgetBallots(ctx context.Context, u *account.User, id int64) (Budget, [][]int64, error) {
	b, _, _, err := s.budgetAs(ctx, s.DB, u, id)
	if err != nil {
		return b, nil, err
	}
	if b.Phase != Results {
		return b, nil, errNotClosed
	}
	ballots, _, err := budgetBallots(ctx, s.DB, id)
	return b, ballots, err
}
