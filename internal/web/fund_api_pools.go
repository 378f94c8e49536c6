package web

import (
	"net/http"
	"strconv"
	"time"

	"samen/internal/fund"
	"samen/internal/ledger"
)

// Match pools in the API: their rules and funders in the open, what they
// gave each campaign; set up by stewards, applied to by campaigns.

func poolLink(id int64) string { return "/pools/" + strconv.FormatInt(id, 10) }

type apiFunder struct {
	ID            int64  `json:"id"`
	Name          string `json:"name"`
	Account       string `json:"account"`
	LeftCents     int64  `json:"left_cents"`
	ReceivedCents int64  `json:"received_cents"`
}

type apiPool struct {
	ID                       int64            `json:"id"`
	Href                     string           `json:"href"`
	Name                     string           `json:"name"`
	Description              string           `json:"description"`
	Language                 string           `json:"language"`
	Rule                     string           `json:"rule"`
	Factor                   string           `json:"factor"` // a fraction, "3/2"
	MaxPerContributionCents  int64            `json:"max_per_contribution_cents"`
	MaxPerProjectCents       int64            `json:"max_per_project_cents"`
	MaxMatchedPerContributor int              `json:"max_matched_per_contributor"`
	GrantCents               int64            `json:"grant_cents"`
	GrantSharePct            int              `json:"grant_share_pct"`
	GrantBackers             int              `json:"grant_backers"`
	Districts                []string         `json:"districts"`
	Sectors                  []string         `json:"sectors"`
	Principles               []string         `json:"principles"`
	AssessmentRequired       bool             `json:"assessment_required"`
	State                    string           `json:"state"`
	LeftCents                int64            `json:"left_cents"`
	Funders                  []apiFunder      `json:"funders"`
	GivenCents               *int64           `json:"given_cents,omitempty"`
	Campaigns                []apiPoolMatch   `json:"campaigns,omitempty"`
	Applications             []apiApplication `json:"applications,omitempty"`
	CreatedAt                time.Time        `json:"created_at"`
}

type apiApplication struct {
	ID         int64     `json:"id"`
	PoolID     int64     `json:"pool_id"`
	CampaignID int64     `json:"campaign_id"`
	State      string    `json:"state"`
	Note       string    `json:"note"`
	AppliedAt  time.Time `json:"applied_at"`
}

func (s *Server) toAPIPool(p fund.Pool) apiPool {
	out := apiPool{ID: p.ID, Href: s.opts.BaseURL + "/api/v1" + poolLink(p.ID), Name: p.Name, Description: p.Description, Language: p.Language,
		Rule: string(p.Rule), Factor: strconv.FormatInt(p.FactorNum, 10) + "/" + strconv.FormatInt(p.FactorDen, 10),
		MaxPerContributionCents: p.MaxPerContribution, MaxPerProjectCents: p.MaxPerProject, MaxMatchedPerContributor: p.MaxMatchedPerContributor,
		GrantCents: p.GrantCents, GrantSharePct: p.GrantSharePct, GrantBackers: p.GrantBackers, Districts: append([]string{}, p.Districts...),
		Sectors: append([]string{}, p.Sectors...), Principles: append([]string{}, p.Principles...), AssessmentRequired: p.AssessmentRequired, State: string(p.State), LeftCents: p.LeftCents(), Funders: []apiFunder{}, CreatedAt: p.CreatedAt.UTC()}
	for _, f := range p.Funders {
		out.Funders = append(out.Funders, apiFunder{ID: f.ID, Name: f.Name, Account: ledger.Code("pool", p.ID, "funder", f.ID), LeftCents: f.Left, ReceivedCents: f.Received})
	}
	return out
}

func (s *Server) apiPools(w http.ResponseWriter, r *http.Request) error {
	list, err := s.funding.Pools(r.Context(), userFrom(r.Context()))
	if err != nil {
		return err
	}
	out := make([]apiPool, 0, len(list))
	for _, p := range list {
		out = append(out, s.toAPIPool(p))
	}
	writeJSON(w, http.StatusOK, map[string]any{"pools": out})
	return nil
}

func (s *Server) apiPool(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.writePool(w, r, id, http.StatusOK)
}

func (s *Server) writePool(w http.ResponseWriter, r *http.Request, id int64, status int) error {
	v, err := s.funding.PoolPage(r.Context(), userFrom(r.Context()), id)
	if err != nil {
		return err
	}
	out := s.toAPIPool(v.Pool)
	out.GivenCents, out.Campaigns = &v.Given, []apiPoolMatch{}
	for _, c := range v.Campaigns {
		out.Campaigns = append(out.Campaigns, apiPoolMatch{PoolID: c.PoolID, Name: c.Name, Cents: c.Cents})
	}
	for _, a := range v.Applications {
		out.Applications = append(out.Applications, apiApplication{ID: a.ID, PoolID: a.PoolID, CampaignID: a.CampaignID, State: a.State,
			Note: a.Note, AppliedAt: a.AppliedAt.UTC()})
	}
	writeJSON(w, status, out)
	return nil
}

type apiPoolBody struct {
	Name                     string   `json:"name"`
	Description              string   `json:"description"`
	Language                 string   `json:"language"`
	Rule                     string   `json:"rule"`
	Factor                   string   `json:"factor"`
	MaxPerContributionCents  int64    `json:"max_per_contribution_cents"`
	MaxPerProjectCents       int64    `json:"max_per_project_cents"`
	MaxMatchedPerContributor int      `json:"max_matched_per_contributor"`
	GrantCents               int64    `json:"grant_cents"`
	GrantSharePct            int      `json:"grant_share_pct"`
	GrantBackers             int      `json:"grant_backers"`
	Districts                []string `json:"districts"`
	Sectors                  []string `json:"sectors"`
	Principles               []string `json:"principles"`
	AssessmentRequired       bool     `json:"assessment_required"`
	Funders                  []string `json:"funders"`
}

// apiCreatePool: POST /api/v1/pools, a draft, by a steward.
func (s *Server) apiCreatePool(w http.ResponseWriter, r *http.Request) error {
	var in apiPoolBody
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	p, err := s.funding.CreatePool(r.Context(), userFrom(r.Context()), fund.DraftPool{Name: in.Name, Description: in.Description, Language: in.Language,
		Rule: fund.Rule(in.Rule), Factor: in.Factor, MaxPerContribution: in.MaxPerContributionCents, MaxPerProject: in.MaxPerProjectCents,
		MaxMatchedPerContributor: in.MaxMatchedPerContributor, GrantCents: in.GrantCents, GrantSharePct: in.GrantSharePct, GrantBackers: in.GrantBackers,
		Districts: in.Districts, Sectors: in.Sectors, Principles: in.Principles, AssessmentRequired: in.AssessmentRequired, Funders: in.Funders})
	if err != nil {
		return err
	}
	w.Header().Set("Location", s.opts.BaseURL+"/api/v1"+poolLink(p.ID))
	return s.writePool(w, r, p.ID, http.StatusCreated)
}

// apiDeposit: POST /api/v1/pools/{id}/deposits, money a funder put in.
func (s *Server) apiDeposit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		FunderID int64  `json:"funder_id"`
		Cents    int64  `json:"cents"`
		Note     string `json:"note"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := s.funding.Deposit(r.Context(), userFrom(r.Context()), id, in.FunderID, in.Cents, in.Note); err != nil {
		return err
	}
	return s.writePool(w, r, id, http.StatusOK)
}

// apiPoolState: POST /api/v1/pools/{id}/state, {"to": "open"|"closed"}.
func (s *Server) apiPoolState(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		To string `json:"to"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := s.funding.SetPoolState(r.Context(), userFrom(r.Context()), id, fund.PoolState(in.To)); err != nil {
		return err
	}
	return s.writePool(w, r, id, http.StatusOK)
}

// apiApply: POST /api/v1/pools/{id}/applications, a campaign's treasurers
// ask the pool to match it.
func (s *Server) apiApply(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		CampaignID int64  `json:"campaign_id"`
		Note       string `json:"note"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	a, err := s.funding.Apply(r.Context(), userFrom(r.Context()), id, in.CampaignID, in.Note)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, apiApplication{ID: a.ID, PoolID: a.PoolID, CampaignID: a.CampaignID, State: a.State, Note: a.Note, AppliedAt: a.AppliedAt.UTC()})
	return nil
}

// apiDecideApplication: POST /api/v1/applications/{id}/decision, the
// pool's managers accept or reject (with a note).
func (s *Server) apiDecideApplication(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Accept bool   `json:"accept"`
		Note   string `json:"note"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := s.funding.DecideApplication(r.Context(), userFrom(r.Context()), id, in.Accept, in.Note); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type apiGrantedProject struct {
	ProjectID int64  `json:"project_id"`
	Title     string `json:"title"`
	Cents     int64  `json:"cents"`
	Account   string `json:"account"`
}

// apiBudgetGrants: POST /api/v1/pools/{id}/budget-grants, {"budget_id"}:
// the pool pays the projects a participatory budget funded.
func (s *Server) apiBudgetGrants(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		BudgetID int64 `json:"budget_id"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	list, err := s.funding.GrantBudget(r.Context(), userFrom(r.Context()), id, in.BudgetID)
	if err != nil {
		return err
	}
	out := make([]apiGrantedProject, 0, len(list))
	for _, g := range list {
		out = append(out, apiGrantedProject{ProjectID: g.ProjectID, Title: g.Title, Cents: g.Cents, Account: ledger.Code("budget", in.BudgetID, "project", g.ProjectID)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"projects": out})
	return nil
}
