package web

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"samen/internal/account"
	"samen/internal/atlas"
	"samen/internal/decide"
	"samen/internal/problem"
	"samen/internal/workspace"
)

// Participatory budgets: the form that starts one (stewards city-wide,
// core in a workspace) and edits it before voting, the budget's page
// through its phases proposals → review → voting → result with the form
// of each phase, and the page where two people type in the paper ballots
// (decide_budget_paper.go). The result's table and its reasons are in
// decide_budget_result.go. Who may do what is the decide service's: the
// pages only show what it allows and put its refusals in words.

func budgetLink(id int64) string { return "/budgets/" + strconv.FormatInt(id, 10) }

var (
	// errBudgetStewards: a city-wide budget is started by a steward.
	errBudgetStewards = problem.New(problem.Forbidden, "budget.stewards_only")
	// errBudgetManage: the page is for who runs the budget.
	errBudgetManage = problem.New(problem.Forbidden, "budget.manage_only")
	// errBudgetPropose: projects are proposed by who may vote.
	errBudgetPropose = problem.New(problem.Forbidden, "budget.propose_forbidden")
)

// budgetFuncs are the template functions of the budget pages.
var budgetFuncs = template.FuncMap{
	// budgetMoney writes an amount of whole euros without the cents
	// ("€ 50.000", "€50,000"); any other amount with them.
	"budgetMoney": wholeEuros,
}

// wholeEuros is workspace.FormatCents without ",00" for whole euros:
// budgets are in whole euros.
func wholeEuros(cents int64, lang string) string {
	out := workspace.FormatCents(cents, lang)
	if cents%100 == 0 {
		out = out[:len(out)-3]
	}
	return out
}

// The form of a budget.

type budgetFormPage struct {
	Action    string // where the form posts
	Back      string // where "cancel" leads
	Edit      bool
	CityWide  bool
	Workspace workspace.Workspace // a workspace's budget
	Title     string              // the budget's, when edited
	Districts []string
	Circles   []string
	Kinds     []string
	Rules     []string
	Languages []string
}

func newBudgetFormPage(cityWide bool) *budgetFormPage {
	return &budgetFormPage{CityWide: cityWide, Districts: atlas.Districts, Circles: codes(workspace.Circles),
		Kinds: []string{decide.Knapsack, decide.ApprovalBallot}, Rules: decide.Rules, Languages: []string{"nl", "en"}}
}

// budgetFormFor is the new-budget form of the path: the city's (stewards)
// or a workspace's (its core), or the reason it is refused.
func (s *Server) budgetFormFor(r *http.Request) (*page, *budgetFormPage, error) {
	ref := r.PathValue("ws")
	p := s.newPage(r, "budget.new.title")
	if ref == "" {
		if !account.IsSteward(userFrom(r.Context())) {
			return nil, nil, errBudgetStewards
		}
		d := newBudgetFormPage(true)
		d.Action, d.Back = "/budgets/new", "/decisions"
		return p, d, nil
	}
	v, err := s.workspaceView(r)
	if err != nil {
		return nil, nil, err
	}
	if !v.Viewer.Core() {
		return nil, nil, errWorkspaceForbidden
	}
	d := newBudgetFormPage(false)
	d.Workspace = v.Workspace
	d.Action, d.Back = workspaceLink(v.Workspace)+"/budgets/new", workspaceLink(v.Workspace)+"/decisions"
	p.RawTitle = v.Name
	return p, d, nil
}

func (s *Server) newBudgetForm(w http.ResponseWriter, r *http.Request) error {
	p, d, err := s.budgetFormFor(r)
	if err != nil {
		return err
	}
	p.Form.Set("language", p.Lang)
	p.Form.Set("ballot_kind", decide.Knapsack)
	p.Form.Set("rule", "equal-shares-add1")
	if !d.CityWide {
		for _, c := range []workspace.Circle{workspace.Core, workspace.Contributors, workspace.Members} {
			p.Form.Add("circles", string(c))
		}
	}
	p.Data = d
	s.render(w, r, "budget_form", p)
	return nil
}

func (s *Server) createBudget(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	p, d, err := s.budgetFormFor(r)
	if err != nil {
		return err
	}
	b, err := s.decisions.CreateBudget(r.Context(), userFrom(r.Context()), r.PathValue("ws"), budgetDraft(r.PostForm))
	if err != nil {
		p.Data = d
		return s.formError(w, r, "budget_form", p, err)
	}
	redirectNotice(w, r, budgetLink(b.ID), "budget_created")
	return nil
}

// budgetDraft reads the budget form. A count that is not a number becomes
// -1, which the budget's own check names at its field.
func budgetDraft(f url.Values) decide.DraftBudget {
	d := decide.DraftBudget{Title: f.Get("title"), Description: f.Get("description"), Language: f.Get("language"),
		District: f.Get("district"), Total: f.Get("total"), BallotKind: f.Get("ballot_kind"), MinCost: f.Get("min_cost"),
		Rule: f.Get("rule"), ClosesAt: f.Get("closes_at"),
		MinProjects: formCount(f.Get("min_projects")), MaxProjects: formCount(f.Get("max_projects"))}
	for _, c := range f["circles"] {
		d.Circles = append(d.Circles, workspace.Circle(c))
	}
	return d
}

func formCount(s string) int {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}

// managedBudget opens budget id for the page that changes it: only for who
// runs it.
func (s *Server) managedBudget(r *http.Request) (decide.BudgetView, error) {
	id, err := pathID(r)
	if err != nil {
		return decide.BudgetView{}, err
	}
	v, err := s.decisions.GetBudget(r.Context(), userFrom(r.Context()), id)
	if err != nil {
		return v, err
	}
	if !v.Rights.Manage {
		return v, errBudgetManage
	}
	return v, nil
}

func (s *Server) editBudgetPage(r *http.Request, v decide.BudgetView) (*page, *budgetFormPage, error) {
	if v.Phase != decide.Proposals && v.Phase != decide.Review {
		return nil, nil, problem.New(problem.Conflict, "decide.not_editable")
	}
	p := s.newPage(r, "budget.edit.title")
	p.RawTitle = v.Title
	d := newBudgetFormPage(v.CityWide())
	d.Edit, d.Title, d.Workspace = true, v.Title, v.Workspace
	d.Action, d.Back = budgetLink(v.ID)+"/edit", budgetLink(v.ID)
	return p, d, nil
}

func (s *Server) editBudgetForm(w http.ResponseWriter, r *http.Request) error {
	v, err := s.managedBudget(r)
	if err != nil {
		return err
	}
	p, d, err := s.editBudgetPage(r, v)
	if err != nil {
		return err
	}
	f := p.Form
	f.Set("title", v.Title)
	f.Set("description", v.Description)
	f.Set("language", v.Language)
	f.Set("district", v.District)
	for _, c := range v.Circles {
		f.Add("circles", string(c))
	}
	f.Set("total", strconv.FormatInt(v.TotalCents/100, 10))
	f.Set("ballot_kind", v.BallotKind)
	if v.MinCostCents > 0 {
		f.Set("min_cost", strconv.FormatInt(v.MinCostCents/100, 10))
	}
	if v.MinProjects > 0 {
		f.Set("min_projects", strconv.Itoa(v.MinProjects))
	}
	if v.MaxProjects > 0 {
		f.Set("max_projects", strconv.Itoa(v.MaxProjects))
	}
	f.Set("rule", v.Rule)
	f.Set("closes_at", decide.Local(v.ClosesAt))
	p.Data = d
	s.render(w, r, "budget_form", p)
	return nil
}

func (s *Server) updateBudget(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	v, err := s.managedBudget(r)
	if err != nil {
		return err
	}
	p, d, err := s.editBudgetPage(r, v)
	if err != nil {
		return err
	}
	if _, err := s.decisions.UpdateBudget(r.Context(), userFrom(r.Context()), v.ID, budgetDraft(r.PostForm)); err != nil {
		p.Data = d
		return s.formError(w, r, "budget_form", p, err)
	}
	redirectNotice(w, r, budgetLink(v.ID), "budget_saved")
	return nil
}

// The budget's page.

type budgetPage struct {
	V    decide.BudgetView
	Link string
	// WorkspaceLink is the workspace's address for its budgets ("" for the
	// city's).
	WorkspaceLink string
	Phases        []budgetPhase
	// Projects: every project while proposals are made and reviewed;
	// the ballot's, in its drawn order, from voting on.
	Projects []decide.Project
	Rejected []decide.Project // from voting on: not on the ballot
	Unseen   int              // from voting on: projects never reviewed (none, normally)
	// Districts are offered to a project when the budget has none.
	Districts []string
	// CircleNames says who may take part in a workspace's budget.
	CircleNames string
	// What the page offers its reader.
	ProposeForm bool // the form that proposes a project
	ReviewForms bool // a review form under each project
	BallotForm  bool // the ballot
	Advance     bool // the button to the next phase
	// Failed names the form whose problems the page shows (propose,
	// review, advance, vote); FailedProject is the reviewed project.
	Failed        string
	FailedProject int64
	Sheets        sheetCounts
	Result        *budgetResult
}

type budgetPhase struct {
	Phase         decide.Phase
	Number        int
	Current, Done bool
}

// sheetCounts sums up the paper sheets for the budget's page.
type sheetCounts struct{ All, Counted, Waiting, Differ int }

func (s *Server) budgetPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderBudget(w, r, http.StatusOK, "", 0, nil)
}

func (s *Server) renderBudget(w http.ResponseWriter, r *http.Request, status int, failed string, project int64, formErr error) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v, err := s.decisions.GetBudget(r.Context(), userFrom(r.Context()), id)
	if err != nil {
		return err
	}
	p := s.newPage(r, "budget.page.title")
	p.RawTitle = v.Title
	d := &budgetPage{V: v, Link: budgetLink(v.ID), Failed: failed, FailedProject: project}
	if !v.CityWide() {
		d.WorkspaceLink = workspaceLink(v.Workspace)
		names := make([]string, len(v.Circles))
		for i, c := range v.Circles {
			names[i] = p.T("workspace.circle." + string(c))
		}
		d.CircleNames = strings.Join(names, ", ")
	}
	for i, ph := range decide.Phases {
		cur := slices.Index(decide.Phases, v.Phase)
		d.Phases = append(d.Phases, budgetPhase{Phase: ph, Number: i + 1, Current: i == cur, Done: i < cur})
	}
	if v.District == "" {
		d.Districts = atlas.Districts
	}
	switch v.Phase {
	case decide.Proposals, decide.Review:
		d.Projects = v.Projects
	default:
		d.Projects = v.Accepted()
		for _, pr := range v.Projects {
			switch pr.State {
			case "rejected":
				d.Rejected = append(d.Rejected, pr)
			case "proposed":
				d.Unseen++
			}
		}
	}
	d.ProposeForm = v.Rights.Propose || (v.Rights.Manage && (v.Phase == decide.Proposals || v.Phase == decide.Review))
	d.ReviewForms = v.Rights.Manage && v.Phase == decide.Review
	d.BallotForm = v.Rights.Vote && !v.Voted
	d.Advance = v.Rights.Manage && v.Phase != decide.Results
	for _, sh := range v.Sheets {
		d.Sheets.All++
		switch {
		case sh.Counted:
			d.Sheets.Counted++
		case sh.Differ:
			d.Sheets.Differ++
		default:
			d.Sheets.Waiting++
		}
	}
	if v.Result != nil {
		d.Result = s.budgetResult(p, v)
	}
	if d.BallotForm && v.BallotKind == decide.Knapsack {
		p.Scripts = append(p.Scripts, "budget.js")
	}
	if formErr != nil {
		if err := s.formProblems(p, formErr); err != nil {
			return err
		}
		rename := budgetFieldIDs(failed, project)
		errs := map[string]string{}
		for i, name := range p.ErrorOrder {
			errs[rename(name)] = p.Errors[name]
			p.ErrorOrder[i] = rename(name)
		}
		if failed == "advance" {
			// The button has no fields: its problems are one message.
			var msgs []string
			for _, name := range p.ErrorOrder {
				msgs = append(msgs, errs[name])
			}
			errs, p.ErrorOrder = map[string]string{"advance-problem": strings.Join(msgs, " ")}, []string{"advance-problem"}
		}
		p.Errors = errs
		p.Form = url.Values{}
		for k, vals := range r.PostForm {
			p.Form[rename(k)] = vals
		}
	}
	p.Data = d
	s.renderStatus(w, r, status, "budget", p)
	return nil
}

// budgetFieldIDs says where on the budget's page the problems of a failed
// form go: the page has a review form under every project, so their
// fields carry the project's id; a problem that is not a field's is shown
// beside the form's button.
func budgetFieldIDs(failed string, project int64) func(string) string {
	return func(name string) string {
		switch {
		case name == "form":
			if failed == "review" {
				return "review-" + strconv.FormatInt(project, 10) + "-problem"
			}
			return failed + "-problem"
		case failed == "review" && name != "project":
			return name + "-" + strconv.FormatInt(project, 10)
		}
		return name
	}
}

// budgetAction runs the forms of a budget's page. A problem shows the page
// again with the problem beside its field and what was typed kept.
func (s *Server) budgetAction(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx, u, f := r.Context(), userFrom(r.Context()), r.PostForm
	action := r.PathValue("action")
	var project int64
	var notice, anchor string
	switch action {
	case "propose":
		var pr decide.Project
		pr, err = s.decisions.Propose(ctx, u, id, decide.DraftProject{Title: f.Get("title"), Description: f.Get("description"),
			District: f.Get("district"), Cost: f.Get("cost")})
		notice, anchor = "budget_proposed", "#p"+strconv.FormatInt(pr.ID, 10)
	case "review":
		project = formInt(r, "project")
		anchor = "#p" + strconv.FormatInt(project, 10)
		switch f.Get("decision") {
		case "accept", "reject":
			err = s.decisions.Review(ctx, u, id, project, f.Get("decision") == "accept", f.Get("note"), f.Get("cost"))
		default:
			err = problem.Fields{"decision": "required"}.Err()
		}
		notice = "budget_reviewed"
	case "advance":
		var to decide.Phase
		to, err = s.decisions.AdvanceBudget(ctx, u, id)
		switch to {
		case decide.Review:
			notice = "budget_phase_review"
		case decide.Balloting:
			notice = "budget_phase_voting"
		default:
			notice = "budget_phase_result"
		}
	case "vote":
		err = s.decisions.VoteBudget(ctx, u, id, formIDs(f["project"]), f.Get("lives_there") != "")
		notice, anchor = "budget_voted", "#ballot"
	case "paper":
		return s.enterPaper(w, r, id)
	default:
		return problemNotFound
	}
	if err != nil {
		err = budgetRefusal(action, err)
		if pe, ok := problem.As(err); ok && pe.Kind != problem.NotFound && pe.Kind != problem.Unauthorized {
			return s.renderBudget(w, r, statusFor(pe, false), action, project, err)
		}
		return err
	}
	redirectNotice(w, r, budgetLink(id)+anchor, notice)
	return nil
}

// budgetRefusal says in a budget's words what the decide service refuses
// with its general "you may not do this with this decision".
func budgetRefusal(action string, err error) error {
	if pe, ok := problem.As(err); !ok || pe.Code != "decide.forbidden" {
		return err
	}
	if action == "propose" {
		return errBudgetPropose
	}
	return errBudgetManage
}

// formIDs reads the ids of ticked boxes; one that is not a number becomes
// 0, which names no project (the ballot's check says so).
func formIDs(vals []string) []int64 {
	out := make([]int64, 0, len(vals))
	for _, v := range vals {
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || n < 0 {
			n = 0
		}
		out = append(out, n)
	}
	return out
}
