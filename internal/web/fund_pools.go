package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"samen/internal/account"
	"samen/internal/atlas"
	"samen/internal/decide"
	"samen/internal/fund"
	"samen/internal/ledger"
	"samen/internal/match"
	"samen/internal/problem"
	"samen/internal/workspace"
)

// Match pools on the site: the list, a pool's page (its rules and who may
// apply in plain words, its funders, the campaigns it matches), there the
// apply form of a campaign's treasurers and, for the pool's managers, the
// applications waiting, deposits, opening and closing, and a simulation of
// the pool's rules by internal/match as `samen match simulate` runs it;
// and the form that sets a pool up. Who may do what is the fund service's:
// these pages show what it allows. Every form of a pool's page posts to
// /pools/{id}/{action}; a problem shows the page again with the problem at
// its field and what was typed kept.

// The list of pools.

type poolsPage struct {
	Pools     []poolSummary
	CanCreate bool
}

type poolSummary struct {
	fund.Pool
	Rule      string // its rule in one sentence
	Deposited int64
}

func (s *Server) poolsIndex(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r.Context())
	list, err := s.funding.Pools(r.Context(), u)
	if err != nil {
		return err
	}
	p := s.newPage(r, "pool.list.title")
	d := &poolsPage{CanCreate: account.IsSteward(u)}
	for _, pl := range list {
		sm := poolSummary{Pool: pl, Rule: p.poolRules(pl)[0]}
		for _, f := range pl.Funders {
			sm.Deposited += f.Received
		}
		d.Pools = append(d.Pools, sm)
	}
	p.Data = d
	s.render(w, r, "pools", p)
	return nil
}

// poolRules are the rules of pool pl in plain words: how it gives (the
// first sentence, which the list shows), and how a match is split.
func (p *page) poolRules(pl fund.Pool) []string {
	money := func(c int64) string { return workspace.FormatCents(c, p.Lang) }
	if pl.Rule == fund.Criteria {
		if pl.GrantBackers > 0 {
			return []string{p.T("pool.rule.criteria", "share", pl.GrantSharePct, "backers", pl.GrantBackers, "cents", money(pl.GrantCents)),
				p.T("pool.rule.split")}
		}
		return []string{p.T("pool.rule.criteria_share", "share", pl.GrantSharePct, "cents", money(pl.GrantCents)), p.T("pool.rule.split")}
	}
	// One sentence from its parts: "Every euro given is doubled, up to €50
	// per gift, and the pool gives at most €5,000 per project." The parts
	// are clauses that stand in both languages' word order.
	var b strings.Builder
	if pl.FactorNum == pl.FactorDen {
		b.WriteString(p.T("pool.rule.double"))
	} else {
		b.WriteString(p.T("pool.rule.factor", "factor", p.factor(pl.FactorText())))
	}
	if pl.MaxPerContribution > 0 {
		b.WriteString(p.T("pool.rule.per_gift", "cents", money(pl.MaxPerContribution)))
	}
	if pl.MaxPerProject > 0 {
		b.WriteString(p.T("pool.rule.per_project", "cents", money(pl.MaxPerProject)))
	}
	b.WriteString(".")
	out := []string{b.String()}
	if pl.MaxMatchedPerContributor > 0 {
		out = append(out, p.s.msgs.N(p.Lang, "pool.rule.per_giver", pl.MaxMatchedPerContributor))
	}
	return append(out, p.T("pool.rule.split"))
}

// factor writes a decimal as the reader does: 1,5 in Dutch.
func (p *page) factor(s string) string {
	if p.Lang == "nl" {
		return strings.Replace(s, ".", ",", 1)
	}
	return s
}

// poolEligibility says who may apply to pool pl, in plain words.
func (p *page) poolEligibility(pl fund.Pool) []string {
	names := func(prefix string, codes []string) string {
		out := make([]string, len(codes))
		for i, c := range codes {
			out[i] = p.T(prefix + c)
		}
		return strings.Join(out, ", ")
	}
	var out []string
	if len(pl.Districts) > 0 {
		out = append(out, p.T("pool.eligible.districts", "districts", names("atlas.district.", pl.Districts)))
	}
	if len(pl.Sectors) > 0 {
		out = append(out, p.T("pool.eligible.sectors", "sectors", names("atlas.sector.", pl.Sectors)))
	}
	if len(pl.Principles) > 0 {
		out = append(out, p.T("pool.eligible.principles", "principles", names("atlas.principle.", pl.Principles)))
	}
	if pl.AssessmentRequired {
		out = append(out, p.T("pool.eligible.assessment"))
	}
	if len(out) == 0 {
		out = append(out, p.T("pool.eligible.anyone"))
	}
	return out
}

// poolStateName is a pool's state in the reader's words.
func (p *page) poolStateName(st fund.PoolState) string {
	switch st {
	case fund.PoolDraft:
		return p.T("pool.state.draft")
	case fund.PoolOpen:
		return p.T("pool.state.open")
	}
	return p.T("pool.state.closed")
}

// PoolState is poolStateName for the templates.
func (p *page) PoolState(st fund.PoolState) string { return p.poolStateName(st) }

// The page of a pool.

type poolPage struct {
	fund.PoolView
	Link        string
	Rules       []string
	Eligibility []string
	Funders     []poolFunder
	Deposited   int64
	// The apply form: the campaigns the reader may apply with; why there
	// is no form otherwise (sign_in, none).
	Apply   *selectField
	NoApply string
	// For the pool's managers.
	Funder      *selectField // the deposit form's choice
	Budget      *selectField // the participatory budgets with results, to pay the winners of
	OpenTo      string       // the state the pool may go to next: open, closed, or ""
	Simulate    bool
	Simulation  *simulationView
	ExampleJSON string
}

type poolFunder struct {
	fund.Funder
	LedgerLink string
}

// poolForm names the form of the page that was posted and failed, so that
// its problems show at its fields.
type poolForm struct {
	Action      string
	Application int64 // decide: the application decided
	// Message is a problem of the simulation already in words: where in
	// the data it is, and what is wrong there.
	Message string
}

// fieldID says where on the page a problem of the failed form is shown:
// the fields of the forms have names of their own ("apply_note",
// "decide_note.7"), and a problem of the form as a whole shows at the form.
func (f poolForm) fieldID(name string) string {
	switch {
	case f.Action == "decide":
		return "decide_note." + strconv.FormatInt(f.Application, 10)
	case name == "form":
		return f.Action
	case name == "note":
		return f.Action + "_note"
	}
	return name
}

func (s *Server) poolPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderPool(w, r, http.StatusOK, poolForm{}, nil, nil)
}

// renderPool shows pool {id}: after a failed form with its problems, or
// with the outcome of a simulation.
func (s *Server) renderPool(w http.ResponseWriter, r *http.Request, status int, failed poolForm, formErr error, sim *simulationView) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx, u := r.Context(), userFrom(r.Context())
	v, err := s.funding.PoolPage(ctx, u, id)
	if err != nil {
		return err
	}
	p := s.newPage(r, "pool.page.title")
	p.RawTitle = v.Name
	d := &poolPage{PoolView: v, Link: poolLink(v.ID), Rules: p.poolRules(v.Pool), Eligibility: p.poolEligibility(v.Pool), Simulation: sim}
	for _, f := range v.Funders {
		d.Deposited += f.Received
		d.Funders = append(d.Funders, poolFunder{Funder: f, LedgerLink: "/ledger?account=" + url.QueryEscape(ledger.Code("pool", v.ID, "funder", f.ID))})
	}
	if v.State == fund.PoolOpen {
		if err := s.applyChoices(r, p, d); err != nil {
			return err
		}
	}
	if v.Manage {
		d.Funder = &selectField{input: p.Input("funder", "", "pool.deposit.funder", "", "")}
		for _, f := range v.Funders {
			d.Funder.Options = append(d.Funder.Options, selectOption{Value: strconv.FormatInt(f.ID, 10), Label: f.Name,
				Selected: p.Value("funder") == strconv.FormatInt(f.ID, 10)})
		}
		switch v.State {
		case fund.PoolDraft:
			d.OpenTo = string(fund.PoolOpen)
		case fund.PoolOpen:
			d.OpenTo = string(fund.PoolClosed)
		}
		if v.State == fund.PoolOpen {
			if err := s.budgetChoices(r, p, d); err != nil {
				return err
			}
		}
		d.Simulate = v.Rule == fund.Duplicate
		d.ExampleJSON = `{"contributions": [{"id": "c1", "project": "speeltuin", "contributor": "ann", "cents": 2500}]}`
	}
	if formErr != nil {
		if err := s.formProblems(p, formErr); err != nil {
			return err
		}
		errs := map[string]string{}
		for i, name := range p.ErrorOrder {
			fid := failed.fieldID(name)
			if prev, twice := errs[fid]; twice {
				errs[fid] = prev + " " + p.Errors[name]
			} else {
				errs[fid] = p.Errors[name]
			}
			p.ErrorOrder[i] = fid
		}
		if failed.Message != "" {
			errs["simulation"] = failed.Message
		}
		p.Errors, p.ErrorOrder = errs, compactStrings(p.ErrorOrder)
		for k, vals := range r.PostForm {
			p.Form[k] = vals
		}
		// The selects were built before the form was filled in again.
		if d.Apply != nil {
			d.Apply = p.choice(d.Apply, "campaign")
		}
		if d.Funder != nil {
			d.Funder = p.choice(d.Funder, "funder")
		}
		if d.Budget != nil {
			d.Budget = p.choice(d.Budget, "budget")
		}
	}
	p.Data = d
	s.renderStatus(w, r, status, "pool", p)
	return nil
}

// choice marks again which option of f is chosen, and its error.
func (p *page) choice(f *selectField, name string) *selectField {
	c := *f
	c.Options = slices.Clone(f.Options)
	for i := range c.Options {
		c.Options[i].Selected = c.Options[i].Value == p.Value(name)
	}
	c.Error = p.Err(name)
	return &c
}

// applyChoices fills in the apply form: the reader's campaigns that may
// still ask the pool, or why the reader has none to choose from.
func (s *Server) applyChoices(r *http.Request, p *page, d *poolPage) error {
	u := userFrom(r.Context())
	if u == nil {
		d.NoApply = "sign_in"
		return nil
	}
	list, err := s.myCampaignsFor(r, d.ID)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		d.NoApply = "none"
		return nil
	}
	f := selectField{input: p.Input("campaign", "", "pool.apply.campaign", "", "")}
	for _, c := range list {
		f.Options = append(f.Options, selectOption{Value: strconv.FormatInt(c.ID, 10), Label: c.Title, Selected: p.Value("campaign") == strconv.FormatInt(c.ID, 10)})
	}
	d.Apply = &f
	return nil
}

// budgetChoices fills in the managers' form that pays a participatory
// budget's winners (inverse crowdfunding): the city's budgets whose
// results are out.
func (s *Server) budgetChoices(r *http.Request, p *page, d *poolPage) error {
	list, err := s.decisions.ListBudgets(r.Context(), userFrom(r.Context()), "")
	if err != nil {
		return err
	}
	f := selectField{input: p.Input("budget", "", "pool.budgets.budget", "", "pool.budgets.budget_hint")}
	for _, b := range list {
		if b.Phase != decide.Results {
			continue
		}
		v := strconv.FormatInt(b.ID, 10)
		f.Options = append(f.Options, selectOption{Value: v, Label: b.Title, Selected: p.Value("budget") == v})
	}
	if len(f.Options) > 0 {
		d.Budget = &f
	}
	return nil
}

// myCampaignsFor lists the campaigns the reader may ask pool id to match,
// from the workspaces the reader is in.
func (s *Server) myCampaignsFor(r *http.Request, id int64) ([]fund.CampaignSummary, error) {
	u := userFrom(r.Context())
	mine, err := s.workspaces.Mine(r.Context(), u)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(mine))
	for i, w := range mine {
		ids[i] = w.ID
	}
	return s.funding.CampaignsToApply(r.Context(), u, id, ids)
}

// poolAction: POST /pools/{id}/{action}, the forms of a pool's page.
func (s *Server) poolAction(w http.ResponseWriter, r *http.Request) error {
	failed := poolForm{Action: r.PathValue("action")}
	if failed.Action == "simulate" {
		return s.simulatePool(w, r)
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx, u, f := r.Context(), userFrom(r.Context()), r.PostForm
	var notice, anchor string
	switch failed.Action {
	case "apply":
		err, notice, anchor = s.applyToPool(r, id), "pool_applied", "#apply"
	case "decide":
		failed.Application = formInt(r, "application")
		accept := f.Get("decision") == "accept"
		if !accept && f.Get("decision") != "reject" {
			return problemBadForm
		}
		err = rejectNeedsReason(s.funding.DecideApplication(ctx, u, failed.Application, accept, f.Get("decide_note."+strconv.FormatInt(failed.Application, 10))))
		notice, anchor = "pool_rejected", "#applications"
		if accept {
			notice = "pool_accepted"
		}
	case "deposit":
		// An amount that cannot be read goes to the service as 0, so
		// that the other fields are checked too; its own reason replaces
		// the service's.
		cents, code := workspace.ParseCents(f.Get("amount"))
		if code != "" {
			cents = 0
		}
		err = s.funding.Deposit(ctx, u, id, formInt(r, "funder"), cents, f.Get("deposit_note"))
		if pe, ok := problem.As(err); ok && pe.Fields != nil && code != "" {
			pe.Fields["amount"] = code
		}
		notice, anchor = "pool_deposited", "#funders"
	case "budget-grants":
		var granted []fund.GrantedProject
		granted, err = s.funding.GrantBudget(ctx, u, id, formInt(r, "budget"))
		notice, anchor = "pool_budget_granted", "#granted"
		if err == nil && slices.IndexFunc(granted, func(g fund.GrantedProject) bool { return g.Cents > 0 }) < 0 {
			// Every winner had its grant before, or the pool is empty.
			notice = "pool_budget_nothing"
		}
		if problem.Is(err, problem.NotFound) {
			err = problem.Fields{"budget": "choice.unknown"}.Err()
		}
	case "state":
		to := fund.PoolState(f.Get("to"))
		if to != fund.PoolOpen && to != fund.PoolClosed {
			return problemBadForm
		}
		err, notice = s.funding.SetPoolState(ctx, u, id, to), "pool_opened"
		if to == fund.PoolClosed {
			notice = "pool_closed"
		}
	default:
		return problemNotFound
	}
	if err != nil {
		if problem.Is(err, problem.Invalid) || problem.Is(err, problem.Conflict) {
			return s.renderPool(w, r, statusOf(err), failed, err, nil)
		}
		return err
	}
	redirectNotice(w, r, poolLink(id)+anchor, notice)
	return nil
}

// rejectNeedsReason says why the note of a rejection is needed: the field
// is optional (its label says so) unless the application is rejected, and a
// bare "fill this in" under "Note (optional)" would contradict it.
func rejectNeedsReason(err error) error {
	if pe, ok := problem.As(err); ok && pe.Fields["note"] == "required" {
		return problem.Fields{"note": "pool.reject_reason"}.Err()
	}
	return err
}

// applyToPool sends the apply form. A campaign that is not one of the
// reader's choices is a wrong choice, said at the field, not a page that
// is not there.
func (s *Server) applyToPool(r *http.Request, id int64) error {
	campaign := formInt(r, "campaign")
	list, err := s.myCampaignsFor(r, id)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(list, func(c fund.CampaignSummary) bool { return c.ID == campaign }) {
		code := "choice.unknown"
		if r.PostForm.Get("campaign") == "" {
			code = "required"
		}
		return problem.Fields{"campaign": code}.Err()
	}
	_, err = s.funding.Apply(r.Context(), userFrom(r.Context()), id, campaign, r.PostForm.Get("apply_note"))
	return err
}

// The simulation.

// maxSimulationBytes is the largest simulation a page takes, pasted or as
// a file: a megabyte holds some ten thousand contributions, more than a
// page can show.
const maxSimulationBytes = 1 << 20

// maxSimulationRows is how many contributions the page lists; the totals
// and the funders count them all.
const maxSimulationRows = 500

type simulationView struct {
	Rules          []string
	FunderIDs      []string // the columns of the funders' shares (up to five)
	Rows           []simulationRow
	More           int // contributions not listed
	Count, Matched int
	Given, Total   int64
	Funders        []simulationFunder
	PutIn, Left    int64
	Real           bool // the pool's own contributions so far
	// The totals in words, as the command writes them.
	CountLine, MatchedLine string
}

type simulationRow struct {
	Contribution, Project, Contributor string
	Cents, Match                       int64
	Shares                             []int64 // in FunderIDs' order
	Limit                              string  // why lowered, in words
}

type simulationFunder struct {
	ID                string
	PutIn, Gave, Left int64
}

// simulatePool: POST /pools/{id}/simulate, for the pool's managers. The
// pool's rules are tried on contributions pasted or uploaded in the format
// of `samen match simulate` (README: "Simulating a match pool"), read and
// matched by internal/match as that command does; without a "pool" of
// their own, the pool's rules and what its funders have left are filled
// in. Or on the pool's own contributions so far (fund.Replay). Nothing is
// stored: the page shows the outcome at once.
func (s *Server) simulatePool(w http.ResponseWriter, r *http.Request) error {
	failed := poolForm{Action: "simulate"}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx, u := r.Context(), userFrom(r.Context())
	v, err := s.funding.PoolPage(ctx, u, id)
	if err != nil {
		return err
	}
	if !v.Manage {
		return problem.New(problem.Forbidden, "fund.forbidden")
	}
	data, err := readSimulationForm(w, r)
	if err != nil {
		return s.renderPool(w, r, statusOf(err), failed, err, nil)
	}
	lang := langFrom(ctx)
	var sim match.Simulation
	projects := map[string]string{}
	real := r.PostForm.Get("source") == "real"
	if real {
		rp, err := s.funding.Replay(ctx, u, id)
		if err != nil {
			if problem.Is(err, problem.Conflict) {
				return s.renderPool(w, r, http.StatusConflict, failed, err, nil)
			}
			return err
		}
		sim, projects = rp.Simulation, rp.Projects
	} else {
		if len(bytes.TrimSpace(data)) == 0 {
			return s.renderPool(w, r, http.StatusUnprocessableEntity, failed, problem.Fields{"simulation": "required"}.Err(), nil)
		}
		sim, err = match.ReadSimulation(bytes.NewReader(withPool(data, v.Pool)))
	}
	var out match.Outcome
	if err == nil {
		out, err = match.Simulate(sim)
	}
	var me *match.Error
	if errors.As(err, &me) {
		failed.Message = s.simulationProblem(lang, me)
		return s.renderPool(w, r, http.StatusUnprocessableEntity, failed, problem.Fields{"simulation": "json.malformed"}.Err(), nil)
	}
	if err != nil {
		return err
	}
	p := &page{s: s, Lang: lang}
	view := simulationOf(p, sim, out, projects)
	view.Real = real
	return s.renderPool(w, r, http.StatusOK, failed, nil, view)
}

// readSimulationForm reads the simulation form, a multipart form (a file
// can be sent with it) or a plain one: the uploaded file when one was
// chosen, else the text pasted. The text rule holds for the form's fields
// as for every form; the file is match.ReadSimulation's to judge.
func readSimulationForm(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	const slack = 64 << 10 // the rest of the form
	r.Body = http.MaxBytesReader(w, r.Body, 2*maxSimulationBytes+slack)
	err := r.ParseMultipartForm(2*maxSimulationBytes + slack)
	if errors.Is(err, http.ErrNotMultipart) {
		err = r.ParseForm()
	}
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) || errors.Is(err, multipart.ErrMessageTooLarge) {
		return nil, &problem.Error{Kind: problem.TooLarge, Code: "validation", Fields: problem.Fields{"simulation": "file.too_large_1"}}
	}
	if err != nil {
		return nil, problemBadForm
	}
	if err := unreadable(r.PostForm); err != nil {
		return nil, err
	}
	if f, _, ferr := r.FormFile("file"); ferr == nil {
		defer f.Close()
		data, err := io.ReadAll(io.LimitReader(f, maxSimulationBytes+1))
		if err != nil {
			return nil, problem.Fields{"file": "file.unreadable"}.Err()
		}
		if len(data) > maxSimulationBytes {
			return nil, &problem.Error{Kind: problem.TooLarge, Code: "validation", Fields: problem.Fields{"file": "file.too_large_1"}}
		}
		if len(bytes.TrimSpace(data)) > 0 {
			return data, nil
		}
	}
	text := r.PostForm.Get("simulation")
	if len(text) > maxSimulationBytes {
		return nil, &problem.Error{Kind: problem.TooLarge, Code: "validation", Fields: problem.Fields{"simulation": "file.too_large_1"}}
	}
	return []byte(text), nil
}

// withPool fills in pool pl's rules and what its funders have left when
// the simulation data has no "pool" of its own. What is not a JSON object
// goes as it is, for match.ReadSimulation to say what is wrong with it.
func withPool(data []byte, pl fund.Pool) []byte {
	var top map[string]json.RawMessage
	if json.Unmarshal(data, &top) != nil || top == nil {
		return data
	}
	if _, ok := top["pool"]; ok {
		return data
	}
	type funder struct {
		ID    string `json:"id"`
		Cents int64  `json:"cents"`
	}
	own := struct {
		Factor             json.Number `json:"factor"`
		MaxPerContribution int64       `json:"max_per_contribution_cents"`
		MaxPerProject      int64       `json:"max_per_project_cents"`
		MaxMatched         int         `json:"max_matched_per_contributor"`
		Funders            []funder    `json:"funders"`
	}{Factor: json.Number(pl.FactorText()), MaxPerContribution: pl.MaxPerContribution, MaxPerProject: pl.MaxPerProject,
		MaxMatched: pl.MaxMatchedPerContributor}
	for _, f := range pl.SimulationFunders(true) {
		own.Funders = append(own.Funders, funder{ID: f.ID, Cents: f.Cents})
	}
	raw, err := json.Marshal(own)
	if err != nil {
		return data
	}
	top["pool"] = raw
	out, err := json.Marshal(top)
	if err != nil {
		return data
	}
	return out
}

// simulationProblem says what is wrong with a simulation in the reader's
// words, placed as `samen match simulate` places it
// ("contributions.3.cents (c4): …").
func (s *Server) simulationProblem(lang string, e *match.Error) string {
	msg := s.msgs.T(lang, e.Code)
	switch {
	case e.Field != "" && e.ID != "":
		return e.Field + " (" + e.ID + "): " + msg
	case e.Field != "":
		return e.Field + ": " + msg
	}
	return msg
}

// simulationOf lays out an outcome for the page: the rules simulated, the
// contributions with their matches (and each funder's share, for up to
// five funders, as the command's table does), and the funders.
func simulationOf(p *page, sim match.Simulation, out match.Outcome, projects map[string]string) *simulationView {
	v := &simulationView{Count: len(out.Matches)}
	v.Rules = p.poolRules(fund.Pool{Rule: fund.Duplicate, FactorNum: sim.Rules.Factor.Num, FactorDen: sim.Rules.Factor.Den,
		MaxPerContribution: sim.Rules.MaxPerContribution, MaxPerProject: sim.Rules.MaxPerProject, MaxMatchedPerContributor: sim.Rules.MaxMatchedPerContributor})
	perFunder := len(sim.Funders) > 1 && len(sim.Funders) <= 5
	if perFunder {
		for _, f := range sim.Funders {
			v.FunderIDs = append(v.FunderIDs, f.ID)
		}
	}
	limits := map[string]string{match.LimitContribution: p.T("match.cli.limit.contribution"), match.LimitContributor: p.T("match.cli.limit.contributor"),
		match.LimitProject: p.T("match.cli.limit.project"), match.LimitPool: p.T("match.cli.limit.pool")}
	for i, m := range out.Matches {
		c := sim.Contributions[i]
		v.Given += c.Cents
		v.Total += m.Cents
		if m.Cents > 0 {
			v.Matched++
		}
		if len(v.Rows) >= maxSimulationRows {
			continue
		}
		row := simulationRow{Contribution: c.ID, Project: c.Project, Contributor: c.Contributor, Cents: c.Cents, Match: m.Cents, Limit: limits[m.Limit]}
		if t := projects[c.Project]; t != "" {
			row.Project = t
		}
		if perFunder {
			shares := map[string]int64{}
			for _, sh := range m.Shares {
				shares[sh.Funder] = sh.Cents
			}
			for _, id := range v.FunderIDs {
				row.Shares = append(row.Shares, shares[id])
			}
		}
		v.Rows = append(v.Rows, row)
	}
	v.More = v.Count - len(v.Rows)
	money := func(c int64) string { return workspace.FormatCents(c, p.Lang) }
	v.CountLine = p.s.msgs.N(p.Lang, "match.cli.contributions", v.Count, "given", money(v.Given))
	v.MatchedLine = p.s.msgs.N(p.Lang, "match.cli.matched", v.Matched, "matched", money(v.Total))
	for i, f := range sim.Funders {
		left := out.Left[i].Cents
		v.Funders = append(v.Funders, simulationFunder{ID: f.ID, PutIn: f.Cents, Gave: f.Cents - left, Left: left})
		v.PutIn += f.Cents
		v.Left += left
	}
	return v
}

// The form that sets up a pool.

type poolNewPage struct {
	Districts, Sectors, Principles []string
	FunderRows                     []int
}

// poolFunderRows is how many funders the form has rows for: enough for a
// municipality and a few funds; more can be added through the API.
const poolFunderRows = 5

func (s *Server) poolNew(w http.ResponseWriter, r *http.Request) error {
	p := s.newPage(r, "pool.new.title")
	p.Form.Set("language", p.Lang)
	p.Form.Set("rule", string(fund.Duplicate))
	p.Form.Set("factor", "1")
	s.renderPoolNew(w, r, http.StatusOK, p)
	return nil
}

func (s *Server) renderPoolNew(w http.ResponseWriter, r *http.Request, status int, p *page) {
	d := &poolNewPage{Districts: atlas.Districts, Sectors: atlas.Sectors, Principles: atlas.Principles}
	for i := range poolFunderRows {
		d.FunderRows = append(d.FunderRows, i)
	}
	p.Data = d
	s.renderStatus(w, r, status, "pool_new", p)
}

// createPool: POST /pools/new. Amounts are typed in euros ("5.000",
// "12,50"); an amount that cannot be read is said at its field, along with
// whatever the service finds wrong with the rest.
func (s *Server) createPool(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := r.PostForm
	bad := problem.Fields{}
	euros := func(name string, required bool) int64 { return formEuros(f, bad, name, required) }
	whole := func(name string) int {
		v := strings.TrimSpace(f.Get(name))
		if v == "" {
			return 0
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			bad.Add(name, "number.invalid")
			return 0
		}
		return n
	}
	d := fund.DraftPool{Name: f.Get("name"), Description: f.Get("description"), Language: f.Get("language"), Rule: fund.Rule(f.Get("rule")),
		Factor: f.Get("factor"), Districts: f["districts"], Sectors: f["sectors"], Principles: f["principles"], AssessmentRequired: f.Get("assessment") == "1"}
	switch d.Rule {
	case fund.Duplicate:
		d.MaxPerContribution, d.MaxPerProject = euros("max_per_contribution", false), euros("max_per_project", false)
		d.MaxMatchedPerContributor = whole("max_matched_per_contributor")
	case fund.Criteria:
		d.GrantCents, d.GrantSharePct, d.GrantBackers = euros("grant", true), whole("grant_share"), whole("grant_backers")
	}
	for i := range poolFunderRows {
		n := strconv.Itoa(i)
		d.Funders = append(d.Funders, f.Get("funders."+n))
		d.Deposits = append(d.Deposits, euros("deposits."+n, false))
	}
	var pl fund.Pool
	var err error
	if len(bad) > 0 {
		// An amount that cannot be read makes no pool; the rest is
		// checked as the service checks it, so that the form says all
		// that is wrong at once.
		_, _, fields := d.Clean()
		for k, v := range bad {
			fields[k] = v
		}
		err = fields.Err()
	} else {
		pl, err = s.funding.CreatePool(r.Context(), userFrom(r.Context()), d)
	}
	if err != nil {
		if pe, ok := problem.As(err); ok && len(pe.Fields) > 0 {
			p := s.newPage(r, "pool.new.title")
			if err := s.formProblems(p, err); err != nil {
				return err
			}
			p.Form = f
			s.renderPoolNew(w, r, http.StatusUnprocessableEntity, p)
			return nil
		}
		return err
	}
	redirectNotice(w, r, poolLink(pl.ID), "pool_created")
	return nil
}
