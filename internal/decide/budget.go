package decide

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"samen/internal/atlas"
	"samen/internal/problem"
	"samen/internal/tally"
	"samen/internal/textcheck"
	"samen/internal/workspace"
)

// Participatory budgets: a sum of money, projects that residents (or a
// workspace's members) propose, a review, a vote and a result by a rule
// everyone can recount. Amounts are whole euros, kept in cents as all
// money in samen; the ballot file (pabulib) counts in euros.

// Phase is where a budget is in its life.
type Phase string

const (
	Proposals Phase = "proposals" // anyone who may vote proposes projects
	Review    Phase = "review"    // who manages the budget accepts or rejects them
	Balloting Phase = "voting"    // ballots are cast; paper ones typed in
	Results   Phase = "result"    // counted, fixed
)

// Phases lists the phases in their order.
var Phases = []Phase{Proposals, Review, Balloting, Results}

// Ballot kinds of a budget.
const (
	// Knapsack: a basket of projects whose costs fit the budget (Decidim).
	Knapsack = "knapsack"
	// ApprovalBallot: up to a number of projects, whatever they cost.
	ApprovalBallot = "approval"
)

// Rules that can decide a budget, as `samen tally --method` names them.
var Rules = []string{"greedy", "equal-shares", "equal-shares-add1"}

// Limits on a budget.
const (
	MaxProjects      = 200
	MaxBudgetEuros   = 1_000_000_000
	MaxProjectText   = 5000
	MaxReviewNote    = 2000
	MaxPaperSheetLen = 40
)

// Budget is a participatory budget.
type Budget struct {
	ID           int64
	WorkspaceID  int64
	District     string
	Circles      []workspace.Circle
	Title        string
	Description  string
	Language     string
	TotalCents   int64
	BallotKind   string
	MinProjects  int
	MaxProjects  int
	MinCostCents int64
	Rule         string
	Phase        Phase
	ClosesAt     time.Time
	CreatedBy    int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Projects     []Project
}

// CityWide reports whether the budget is the city's.
func (b Budget) CityWide() bool { return b.WorkspaceID == 0 }

// VotingOpen reports whether online ballots are taken at now.
func (b Budget) VotingOpen(now time.Time) bool { return b.Phase == Balloting && now.Before(b.ClosesAt) }

// Project is a proposal for the budget's money.
type Project struct {
	ID           int64
	Position     int
	Title        string
	Description  string
	District     string
	CostCents    int64
	ProposerID   int64
	ProposerName string
	State        string // proposed, accepted, rejected
	ReviewNote   string
	CreatedAt    time.Time
}

// DraftBudget is what a steward (or a workspace's core) types.
type DraftBudget struct {
	Title       string
	Description string
	Language    string
	District    string
	Circles     []workspace.Circle
	Total       string // an amount as people write it: "50.000", "€ 50000"
	BallotKind  string
	MinProjects int
	MaxProjects int
	MinCost     string
	Rule        string
	ClosesAt    string // local time in Amsterdam; may be empty until voting opens
}

// cleanBudget is a checked DraftBudget.
type cleanBudget struct {
	DraftBudget
	total, minCost int64
	closes         time.Time
}

// Clean checks a draft budget field by field.
func (d DraftBudget) Clean(cityWide bool, now time.Time) (cleanBudget, error) {
	f := problem.Fields{}
	c := cleanBudget{}
	d.Title = textcheck.Collapse(d.Title)
	d.Description = strings.TrimSpace(strings.ReplaceAll(d.Description, "\r\n", "\n"))
	textcheck.Field(f, "title", d.Title, MaxTitle, true)
	textcheck.Field(f, "description", d.Description, MaxBody, false)
	if d.Language != "nl" && d.Language != "en" {
		f.Add("language", "choice.unknown")
	}
	d.District = strings.TrimSpace(d.District)
	if d.District != "" && !slices.Contains(atlas.Districts, d.District) {
		f.Add("district", "choice.unknown")
	}
	if cityWide {
		d.Circles = nil
	} else {
		d.Circles = cleanCircles(d.Circles)
		if len(d.Circles) == 0 {
			f.Add("circles", "required")
		} else if slices.ContainsFunc(d.Circles, func(c workspace.Circle) bool { return !c.Valid() }) {
			f.Add("circles", "choice.unknown")
		}
	}
	c.total = euros(f, "total", d.Total, true)
	c.minCost = euros(f, "min_cost", d.MinCost, false)
	if d.BallotKind != Knapsack && d.BallotKind != ApprovalBallot {
		f.Add("ballot_kind", "choice.unknown")
	}
	if d.BallotKind != Knapsack {
		c.minCost = 0
	}
	if !slices.Contains(Rules, d.Rule) {
		f.Add("rule", "choice.unknown")
	}
	if d.MinProjects < 0 || d.MinProjects > MaxProjects {
		f.Add("min_projects", "decide.count_range")
	}
	if d.MaxProjects < 0 || d.MaxProjects > MaxProjects {
		f.Add("max_projects", "decide.count_range")
	} else if d.MaxProjects > 0 && d.MinProjects > d.MaxProjects {
		f.Add("max_projects", "decide.max_below_min")
	}
	if f["total"] == "" && f["min_cost"] == "" && c.minCost > c.total {
		f.Add("min_cost", "decide.min_cost_above_total")
	}
	if strings.TrimSpace(d.ClosesAt) != "" {
		t, ok := ParseLocal(d.ClosesAt)
		switch {
		case !ok:
			f.Add("closes_at", "datetime.invalid")
		case !t.After(now):
			f.Add("closes_at", "decide.closes_past")
		case t.Sub(now) > MaxVotingDays*24*time.Hour:
			f.Add("closes_at", "decide.closes_too_late")
		}
		c.closes = t
	}
	c.DraftBudget = d
	return c, f.Err()
}

// euros reads an amount of whole euros into cents.
func euros(f problem.Fields, field, s string, required bool) int64 {
	s = strings.TrimSpace(s)
	if s == "" {
		if required {
			f.Add(field, "required")
		}
		return 0
	}
	cents, code := workspace.ParseCents(s)
	switch {
	case code != "":
		f.Add(field, code)
	case cents < 0 || (required && cents == 0):
		f.Add(field, "decide.amount_positive")
	case cents%100 != 0:
		f.Add(field, "decide.whole_euros")
	case cents > MaxBudgetEuros*100:
		f.Add(field, "decide.amount_too_large")
	default:
		return cents
	}
	return 0
}

// DraftProject is a project as its proposer types it.
type DraftProject struct {
	Title       string
	Description string
	District    string
	Cost        string
}

type cleanProject struct {
	DraftProject
	cost int64
}

// Clean checks a project for budget b.
func (d DraftProject) Clean(b Budget) (cleanProject, error) {
	f := problem.Fields{}
	d.Title = textcheck.Collapse(d.Title)
	d.Description = strings.TrimSpace(strings.ReplaceAll(d.Description, "\r\n", "\n"))
	textcheck.Field(f, "title", d.Title, MaxTitle, true)
	textcheck.Field(f, "description", d.Description, MaxProjectText, true)
	d.District = strings.TrimSpace(d.District)
	if b.District != "" && d.District == "" {
		d.District = b.District
	}
	switch {
	case d.District != "" && !slices.Contains(atlas.Districts, d.District):
		f.Add("district", "choice.unknown")
	case b.District != "" && d.District != b.District:
		f.Add("district", "decide.project_district")
	}
	c := cleanProject{}
	c.cost = euros(f, "cost", d.Cost, true)
	if f["cost"] == "" && c.cost > b.TotalCents {
		f.Add("cost", "decide.cost_above_total")
	}
	c.DraftProject = d
	return c, f.Err()
}

// Accepted are the projects on the ballot, in the lot order.
func (b Budget) Accepted() []Project {
	var out []Project
	for _, p := range b.Projects {
		if p.State == "accepted" {
			out = append(out, p)
		}
	}
	slices.SortStableFunc(out, func(x, y Project) int { return x.Position - y.Position })
	return out
}

// Tally is the budget as internal/tally counts it and as the pabulib
// download writes it: amounts in euros, the accepted projects in the lot
// order, ballots as given.
func (b Budget) Tally(ballots [][]int64) tally.Budget {
	accepted := b.Accepted()
	t := tally.Budget{
		Title: b.Title, Total: b.TotalCents / 100, Kind: b.BallotKind,
		MinChoices: b.MinProjects, MaxChoices: b.MaxProjects, MinCost: b.MinCostCents / 100,
		Meta: map[string]string{"currency": "EUR", "language": b.Language},
	}
	if b.District != "" {
		t.Meta["district"] = b.District
	}
	index := map[int64]int{}
	for i, p := range accepted {
		index[p.ID] = i
		var extra map[string]string // nil when empty, as ReadPB gives it back
		if p.District != "" {
			extra = map[string]string{"district": p.District}
		}
		t.Projects = append(t.Projects, tally.Project{ID: strconv.FormatInt(p.ID, 10), Name: p.Title, Cost: p.CostCents / 100, Extra: extra})
	}
	for i, ballot := range ballots {
		var chosen []int
		for _, id := range ballot {
			if j, ok := index[id]; ok {
				chosen = append(chosen, j)
			}
		}
		slices.Sort(chosen)
		t.Ballots = append(t.Ballots, tally.BudgetBallot{Voter: strconv.Itoa(i + 1), Projects: chosen})
	}
	return t
}

// CheckBudgetBallot tidies a ballot (project ids) and checks it against
// the budget's ballot rules.
func (b Budget) CheckBudgetBallot(projects []int64) ([]int64, error) {
	accepted := map[int64]bool{}
	for _, p := range b.Accepted() {
		accepted[p.ID] = true
	}
	f := problem.Fields{}
	var out []int64
	for _, id := range projects {
		switch {
		case !accepted[id]:
			f.Add("projects", "decide.project_unknown")
		case slices.Contains(out, id):
		default:
			out = append(out, id)
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	slices.Sort(out)
	t := b.Tally([][]int64{out})
	if err := t.CheckBallot(t.Ballots[0].Projects); err != nil {
		code := "decide.ballot_rules"
		var be *tally.BudgetError
		if errors.As(err, &be) {
			code = be.Code
		}
		return nil, (problem.Fields{"projects": code}).Err()
	}
	return out, nil
}

// BudgetResult is a counted budget under every rule, so that the page can
// show them side by side; Rule says which one decides.
type BudgetResult struct {
	Rule    string                  `json:"rule"`
	Ballots int                     `json:"ballots"`
	Paper   int                     `json:"paper"`
	Options []int64                 `json:"projects"`
	Counts  map[string]tally.Result `json:"counts"`
}

// Funded are the ids of the projects the deciding rule funds, in the
// order it chose them.
func (r BudgetResult) Funded() []int64 { return r.FundedBy(r.Rule) }

// FundedBy are the ids of the projects rule funds.
func (r BudgetResult) FundedBy(rule string) []int64 {
	c, ok := r.Counts[rule]
	if !ok {
		return nil
	}
	var out []int64
	for _, i := range c.Winners {
		if i >= 0 && i < len(r.Options) {
			out = append(out, r.Options[i])
		}
	}
	return out
}

// CountBudget counts a budget's ballots under every rule.
func CountBudget(b Budget, ballots [][]int64, paper int) BudgetResult {
	t := b.Tally(ballots)
	r := BudgetResult{Rule: b.Rule, Ballots: len(ballots), Paper: paper, Counts: map[string]tally.Result{}}
	for _, p := range b.Accepted() {
		r.Options = append(r.Options, p.ID)
	}
	r.Counts["greedy"] = tally.Greedy(t)
	r.Counts["equal-shares"] = tally.EqualShares(t)
	r.Counts["equal-shares-add1"] = tally.EqualSharesAdd1(t)
	return r
}
