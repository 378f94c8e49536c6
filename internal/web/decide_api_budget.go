package web

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"time"

	"samen/internal/csvcell"
	"samen/internal/decide"
	"samen/internal/problem"
	"samen/internal/tally"
)

// Participatory budgets in the JSON API. Money is in cents, as whole
// numbers, everywhere: costs, the total, and the amounts in a count's
// steps (the count itself runs in euros, as the .pb file does).

type apiBudgetSummary struct {
	ID         int64      `json:"id"`
	Href       string     `json:"href"`
	Title      string     `json:"title"`
	District   string     `json:"district"`
	TotalCents int64      `json:"total_cents"`
	Phase      string     `json:"phase"`
	ClosesAt   *time.Time `json:"closes_at"`
	Projects   int        `json:"projects"`
}

type apiBudget struct {
	ID           int64            `json:"id"`
	Href         string           `json:"href"`
	Workspace    *apiWorkspaceRef `json:"workspace"`
	District     string           `json:"district"`
	Circles      []string         `json:"circles"`
	Title        string           `json:"title"`
	Description  string           `json:"description"`
	Language     string           `json:"language"`
	TotalCents   int64            `json:"total_cents"`
	BallotKind   string           `json:"ballot_kind"`
	MinProjects  int              `json:"min_projects"`
	MaxProjects  int              `json:"max_projects"`
	MinCostCents int64            `json:"min_cost_cents"`
	Rule         string           `json:"rule"`
	Phase        string           `json:"phase"`
	ClosesAt     *time.Time       `json:"closes_at"`
	VotingOpen   bool             `json:"voting_open"`
	CreatedAt    time.Time        `json:"created_at"`
	UpdatedAt    time.Time        `json:"updated_at"`
	Projects     []apiProject     `json:"projects"`
	Rights       apiBudgetRights  `json:"rights"`
	Voted        bool             `json:"voted"`
	Turnout      apiTurnout       `json:"turnout"`
	Result       *apiBudgetResult `json:"result"`
}

type apiProject struct {
	ID           int64     `json:"id"`
	Position     int       `json:"position"`
	Title        string    `json:"title"`
	Description  string    `json:"description"`
	District     string    `json:"district"`
	CostCents    int64     `json:"cost_cents"`
	ProposerName *string   `json:"proposer_name"`
	State        string    `json:"state"`
	ReviewNote   string    `json:"review_note"`
	CreatedAt    time.Time `json:"created_at"`
}

type apiBudgetRights struct {
	See     bool `json:"see"`
	Propose bool `json:"propose"`
	Vote    bool `json:"vote"`
	Manage  bool `json:"manage"`
}

// apiTurnout: online ballots cast and paper ones counted so far.
type apiTurnout struct {
	Online int `json:"online"`
	Paper  int `json:"paper"`
	Total  int `json:"total"`
}

// apiBudgetResult is a counted budget under every rule.
type apiBudgetResult struct {
	BudgetID   int64                    `json:"budget_id"`
	Rule       string                   `json:"rule"`
	Ballots    int                      `json:"ballots"`
	Paper      int                      `json:"paper"`
	Online     int                      `json:"online"`
	TotalCents int64                    `json:"total_cents"`
	Projects   []apiResultProject       `json:"projects"`
	Funded     []int64                  `json:"funded"`
	Rules      map[string]apiRuleResult `json:"rules"`
}

// apiResultProject is a project on the ballot, in the lot order.
type apiResultProject struct {
	ID        int64  `json:"id"`
	Position  int    `json:"position"`
	Title     string `json:"title"`
	CostCents int64  `json:"cost_cents"`
	Votes     int    `json:"votes"`
}

// apiRuleResult is what one rule funds, and why.
type apiRuleResult struct {
	Winners    []int64         `json:"winners"`
	Ranking    []int64         `json:"ranking"`
	SpentCents int64           `json:"spent_cents"`
	Steps      []apiBudgetStep `json:"steps"`
}

// apiBudgetStep is a step of a budget's count with its numbers named by
// what they are: votes and people as counts, amounts in cents (the Equal
// Shares' share per voter rounded to the cent).
type apiBudgetStep struct {
	Round       int     `json:"round"`
	Kind        string  `json:"kind"`
	Project     *int64  `json:"project"`
	Votes       *int    `json:"votes,omitempty"`
	Payers      *int    `json:"payers,omitempty"`
	AmountCents *int64  `json:"amount_cents,omitempty"`
	CostCents   *int64  `json:"cost_cents,omitempty"`
	LeftCents   *int64  `json:"left_cents,omitempty"`
	Tied        []int64 `json:"tied,omitempty"`
	Rule        string  `json:"rule,omitempty"`
}

func (s *Server) apiBudgets(w http.ResponseWriter, r *http.Request) error {
	list, err := s.decisions.ListBudgets(r.Context(), userFrom(r.Context()), r.PathValue("ws"))
	if err != nil {
		return err
	}
	out := make([]apiBudgetSummary, 0, len(list))
	for _, b := range list {
		out = append(out, apiBudgetSummary{ID: b.ID, Href: s.opts.BaseURL + budgetLink(b.ID), Title: b.Title, District: b.District,
			TotalCents: b.TotalCents, Phase: string(b.Phase), ClosesAt: apiTime(b.ClosesAt), Projects: b.Projects})
	}
	writeJSON(w, http.StatusOK, map[string]any{"budgets": out})
	return nil
}

func toAPIProject(p decide.Project) apiProject {
	return apiProject{ID: p.ID, Position: p.Position, Title: p.Title, Description: p.Description, District: p.District,
		CostCents: p.CostCents, ProposerName: apiText(p.ProposerName), State: p.State, ReviewNote: p.ReviewNote, CreatedAt: p.CreatedAt.UTC()}
}

func (s *Server) apiBudget(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v, err := s.decisions.GetBudget(r.Context(), userFrom(r.Context()), id)
	if err != nil {
		return err
	}
	b := v.Budget
	out := apiBudget{ID: b.ID, Href: s.opts.BaseURL + budgetLink(b.ID), District: b.District, Circles: codes(b.Circles), Title: b.Title,
		Description: b.Description, Language: b.Language, TotalCents: b.TotalCents, BallotKind: b.BallotKind, MinProjects: b.MinProjects,
		MaxProjects: b.MaxProjects, MinCostCents: b.MinCostCents, Rule: b.Rule, Phase: string(b.Phase), ClosesAt: apiTime(b.ClosesAt),
		VotingOpen: b.Phase == decide.Balloting && !v.VotingClosed, CreatedAt: b.CreatedAt.UTC(), UpdatedAt: b.UpdatedAt.UTC(),
		Projects: []apiProject{}, Voted: v.Voted,
		Rights:  apiBudgetRights{See: v.Rights.See, Propose: v.Rights.Propose, Vote: v.Rights.Vote, Manage: v.Rights.Manage},
		Turnout: apiTurnout{Online: v.Cast, Paper: v.Paper, Total: v.Cast + v.Paper}}
	if out.Circles == nil {
		out.Circles = []string{}
	}
	if v.Workspace.ID != 0 {
		out.Workspace = &apiWorkspaceRef{ID: v.Workspace.ID, Slug: v.Workspace.Slug, Name: v.Workspace.Name,
			Href: s.opts.BaseURL + workspaceLink(v.Workspace)}
	}
	for _, p := range b.Projects {
		out.Projects = append(out.Projects, toAPIProject(p))
	}
	if v.Result != nil {
		res := toAPIBudgetResult(b, *v.Result)
		out.Result = &res
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// apiPropose adds the caller's project. Its cost is in cents, whole euros.
func (s *Server) apiPropose(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Title       string `json:"title"`
		Description string `json:"description"`
		District    string `json:"district"`
		CostCents   *int64 `json:"cost_cents"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	d := decide.DraftProject{Title: in.Title, Description: in.Description, District: in.District}
	if in.CostCents != nil {
		d.Cost = centsText(*in.CostCents)
	}
	p, err := s.decisions.Propose(r.Context(), userFrom(r.Context()), id, d)
	if err != nil {
		return renameField(err, "cost", "cost_cents")
	}
	p.ProposerName = userFrom(r.Context()).Name
	w.Header().Set("Location", s.opts.BaseURL+budgetLink(id)+"#p"+strconv.FormatInt(p.ID, 10))
	writeJSON(w, http.StatusCreated, toAPIProject(p))
	return nil
}

// centsText writes cents as the decide service reads an amount ("12.34",
// "-5.00"), so that it says what is wrong with it in its own words.
func centsText(c int64) string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d", sign, c/100, c%100)
}

// apiVoteBudget casts the caller's budget ballot: secret and final.
func (s *Server) apiVoteBudget(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Projects   []int64 `json:"projects"`
		LivesThere bool    `json:"lives_there"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := s.decisions.VoteBudget(r.Context(), userFrom(r.Context()), id, in.Projects, in.LivesThere); err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// budgetResultOf is budget id's result, or why there is none yet.
func (s *Server) budgetResultOf(r *http.Request, id int64) (decide.BudgetView, error) {
	v, err := s.decisions.GetBudget(r.Context(), userFrom(r.Context()), id)
	if err != nil {
		return v, err
	}
	if v.Result == nil {
		return v, problem.New(problem.Conflict, "decide.not_closed")
	}
	return v, nil
}

func (s *Server) apiBudgetResults(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	asCSV, err := wantsCSV(r)
	if err != nil {
		return err
	}
	v, err := s.budgetResultOf(r, id)
	if err != nil {
		return err
	}
	if asCSV {
		return sendBudgetResultsCSV(w, v)
	}
	writeJSON(w, http.StatusOK, toAPIBudgetResult(v.Budget, *v.Result))
	return nil
}

// projectVotes are the votes of each project (by index), which greedy's
// steps carry.
func projectVotes(res decide.BudgetResult) map[int]int {
	votes := map[int]int{}
	for _, st := range res.Counts["greedy"].Steps {
		if st.Kind == "funded" || st.Kind == "skipped" {
			votes[st.Option] = int(st.Value)
		}
	}
	return votes
}

func toAPIBudgetResult(b decide.Budget, res decide.BudgetResult) apiBudgetResult {
	out := apiBudgetResult{BudgetID: b.ID, Rule: res.Rule, Ballots: res.Ballots, Paper: res.Paper, Online: res.Ballots - res.Paper,
		TotalCents: b.TotalCents, Projects: []apiResultProject{}, Funded: []int64{}, Rules: map[string]apiRuleResult{}}
	byID := map[int64]decide.Project{}
	for _, p := range b.Projects {
		byID[p.ID] = p
	}
	votes := projectVotes(res)
	for i, id := range res.Options {
		p := byID[id]
		out.Projects = append(out.Projects, apiResultProject{ID: id, Position: p.Position, Title: p.Title, CostCents: p.CostCents, Votes: votes[i]})
	}
	out.Funded = append(out.Funded, res.Funded()...)
	for _, rule := range decide.Rules {
		c, ok := res.Counts[rule]
		if !ok {
			continue
		}
		rr := apiRuleResult{Winners: indexIDs(res.Options, c.Winners), Ranking: indexIDs(res.Options, c.Ranking), Steps: []apiBudgetStep{}}
		for _, id := range rr.Winners {
			rr.SpentCents += byID[id].CostCents
		}
		for _, st := range c.Steps {
			rr.Steps = append(rr.Steps, toAPIBudgetStep(rule, res.Options, st))
		}
		out.Rules[rule] = rr
	}
	return out
}

// toAPIBudgetStep names a step's numbers by what the rule documents them
// to be (internal/tally's Greedy, EqualShares and EqualSharesAdd1).
func toAPIBudgetStep(rule string, ids []int64, st tally.Step) apiBudgetStep {
	out := apiBudgetStep{Round: st.Round, Kind: st.Kind, Project: indexID(ids, st.Option), Rule: st.Rule}
	if len(st.Tied) > 0 {
		out.Tied = indexIDs(ids, st.Tied)
	}
	count := func(f float64) *int { n := int(math.Round(f)); return &n }
	cents := func(euros float64) *int64 { c := int64(math.Round(euros * 100)); return &c }
	switch {
	case rule == "greedy" && (st.Kind == "funded" || st.Kind == "skipped" || st.Kind == "unsupported"):
		// Value: the project's votes; Detail: the budget left.
		out.Votes, out.LeftCents = count(st.Value), cents(st.Detail)
	case st.Kind == "funded" || st.Kind == "unaffordable":
		// Equal Shares. funded: Value is what each payer pays; unaffordable:
		// what its supporters have left together. Detail: how many.
		out.AmountCents, out.Payers = cents(st.Value), count(st.Detail)
	case st.Kind == "budget_raised" || st.Kind == "budget_kept":
		// The add-one completion: Value is the share per voter tried,
		// Detail what that outcome costs.
		out.AmountCents, out.CostCents = cents(st.Value), cents(st.Detail)
	}
	return out
}

// budgetFile serves a budget's ballots as a pabulib .pb file, or its
// result as CSV, once the result is out.
func (s *Server) budgetFile(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	allowed := []string{filePB}
	if !isAPI(r) {
		allowed = append(allowed, fileResults)
	}
	format, err := fileFormat(r, allowed...)
	if err != nil {
		return err
	}
	if format == fileResults {
		v, err := s.budgetResultOf(r, id)
		if err != nil {
			return err
		}
		return sendBudgetResultsCSV(w, v)
	}
	b, ballots, err := s.decisions.BudgetBallots(r.Context(), userFrom(r.Context()), id)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := tally.WritePB(&buf, b.Tally(ballots)); err != nil {
		return err
	}
	name := "samen-budget-" + strconv.FormatInt(b.ID, 10) + "-ballots." + filePB
	return sendFile(w, name, textType, b.CityWide(), buf.Bytes())
}

// sendBudgetResultsCSV writes a budget's result: one row per project on
// the ballot, in the lot order, with its cost in cents, its votes, and
// whether each rule funds it (the deciding rule is the result's).
func sendBudgetResultsCSV(w http.ResponseWriter, v decide.BudgetView) error {
	res := toAPIBudgetResult(v.Budget, *v.Result)
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	header := append([]string{"project_id", "title", "position", "cost_cents", "votes"}, decide.Rules...)
	_ = cw.Write(header)
	for _, p := range res.Projects {
		row := []string{strconv.FormatInt(p.ID, 10), csvcell.Guard(p.Title), strconv.Itoa(p.Position), strconv.FormatInt(p.CostCents, 10),
			strconv.Itoa(p.Votes)}
		for _, rule := range decide.Rules {
			row = append(row, yesNo(slices.Contains(res.Rules[rule].Winners, p.ID)))
		}
		_ = cw.Write(row)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	name := "samen-budget-" + strconv.FormatInt(v.ID, 10) + "-results." + fileCSV
	return sendFile(w, name, csvType, v.CityWide(), buf.Bytes())
}
