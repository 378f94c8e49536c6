package web

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"samen/internal/account"
	"samen/internal/atlas"
	"samen/internal/decide"
	"samen/internal/problem"
	"samen/internal/workspace"
)

// Deciding together: the lists of decisions (the city's, a workspace's)
// and the form that proposes one or changes it before voting. The page of
// one decision, with its ballot, results and discussion, is in
// decide_decision.go; its results in decide_results.go; the ballot's
// fields in decide_ballot.go. Who may do what is the decide service's:
// the pages show what it allows and put its refusals in words.

func decisionLink(id int64) string { return "/decisions/" + strconv.FormatInt(id, 10) }

// errDecisionStewards: city-wide decisions are started by stewards.
var errDecisionStewards = problem.New(problem.Forbidden, "decide.stewards_only")

// The lists.

type decisionsPage struct {
	CityWide bool
	View     workspace.View // a workspace's list
	Groups   []decisionGroup
	Budgets  []decide.BudgetSummary
	// What the reader may start here.
	CanPropose, CanBudget  bool
	NewLink, NewBudgetLink string
}

// decisionGroup is one part of a list: open, upcoming or closed.
type decisionGroup struct {
	ID    string
	Key   string // its heading
	Items []decide.Summary
}

// groupDecisions puts a list (newest first) into its parts: voting now
// (closing first), upcoming (drafts and discussions, newest first) and
// closed (newest first). Empty parts are left out.
func groupDecisions(list []decide.Summary) []decisionGroup {
	open := decisionGroup{ID: "open", Key: "decide.list.open"}
	upcoming := decisionGroup{ID: "upcoming", Key: "decide.list.upcoming"}
	closed := decisionGroup{ID: "closed", Key: "decide.list.closed"}
	for _, s := range list {
		switch s.State {
		case decide.Voting:
			open.Items = append(open.Items, s)
		case decide.Closed:
			closed.Items = append(closed.Items, s)
		default:
			upcoming.Items = append(upcoming.Items, s)
		}
	}
	slices.SortStableFunc(open.Items, func(a, b decide.Summary) int { return a.ClosesAt.Compare(b.ClosesAt) })
	slices.SortStableFunc(closed.Items, func(a, b decide.Summary) int { return b.ClosesAt.Compare(a.ClosesAt) })
	var out []decisionGroup
	for _, g := range []decisionGroup{open, upcoming, closed} {
		if len(g.Items) > 0 {
			out = append(out, g)
		}
	}
	return out
}

func (s *Server) decisionsIndex(w http.ResponseWriter, r *http.Request) error {
	ctx, u := r.Context(), userFrom(r.Context())
	list, err := s.decisions.List(ctx, u, "")
	if err != nil {
		return err
	}
	budgets, err := s.decisions.ListBudgets(ctx, u, "")
	if err != nil {
		return err
	}
	steward := account.IsSteward(u)
	p := s.newPage(r, "decide.index.title")
	p.Data = &decisionsPage{CityWide: true, Groups: groupDecisions(list), Budgets: budgets,
		CanPropose: steward, CanBudget: steward, NewLink: "/decisions/new", NewBudgetLink: "/budgets/new"}
	s.render(w, r, "decisions", p)
	return nil
}

func (s *Server) workspaceDecisions(w http.ResponseWriter, r *http.Request) error {
	v, err := s.workspaceView(r)
	if err != nil {
		return err
	}
	ctx, u := r.Context(), userFrom(r.Context())
	list, err := s.decisions.List(ctx, u, v.Slug)
	if err != nil {
		return err
	}
	budgets, err := s.decisions.ListBudgets(ctx, u, v.Slug)
	if err != nil {
		return err
	}
	p := s.newPage(r, "decide.workspace.title")
	p.RawTitle = v.Name
	link := workspaceLink(v.Workspace)
	p.Data = &decisionsPage{View: v, Groups: groupDecisions(list), Budgets: budgets,
		CanPropose: decide.CanPropose(v.Viewer), CanBudget: v.Viewer.Core(),
		NewLink: link + "/decisions/new", NewBudgetLink: link + "/budgets/new"}
	s.render(w, r, "decisions_workspace", p)
	return nil
}

// The form of a decision.

// Rows of options the form shows at first, how many "more rows" adds, and
// the most it shows.
const (
	decisionFormRows = 6
	decisionMoreRows = 4
)

type decisionFormPage struct {
	Action, Back string
	Edit         bool
	CityWide     bool
	Workspace    workspace.Workspace // a workspace's decision
	Title        string              // the decision's, when edited
	Methods      []string
	Secrecies    []secrecyChoice
	Thresholds   []string
	Visibilities []string
	Circles      []string
	Districts    []string
	Languages    []string
	Rows         []int // the option rows, numbered from 0
}

// secrecyChoice is a secrecy on the form; Weaker ones than a decision's
// cannot be chosen when it is edited.
type secrecyChoice struct {
	Code   string
	Weaker bool
}

func newDecisionFormPage(cityWide bool) *decisionFormPage {
	d := &decisionFormPage{CityWide: cityWide, Methods: codes(decide.Methods),
		Thresholds: decide.Thresholds, Visibilities: codes(workspace.Visibilities), Circles: codes(workspace.Circles),
		Districts: atlas.Districts, Languages: []string{"nl", "en"}}
	for _, sc := range decide.Secrecies {
		d.Secrecies = append(d.Secrecies, secrecyChoice{Code: string(sc)})
	}
	return d
}

// rows sets how many option rows the form shows: at least the default, at
// least as many as the form holds, and more when asked.
func (d *decisionFormPage) rows(f url.Values, more bool) {
	n := decisionFormRows
	for k := range f {
		if rest, ok := strings.CutPrefix(k, "options."); ok {
			if i, _, ok := strings.Cut(rest, "."); ok {
				if j, err := strconv.Atoi(i); err == nil && j >= 0 && j < decide.MaxOptions {
					n = max(n, j+1)
				}
			}
		}
	}
	if c, err := strconv.Atoi(f.Get("rows")); err == nil {
		n = max(n, min(c, decide.MaxOptions))
	}
	if more {
		n = min(n+decisionMoreRows, decide.MaxOptions)
	}
	d.Rows = make([]int, n)
	for i := range d.Rows {
		d.Rows[i] = i
	}
}

// decisionFormFor is the new-decision form of the path: the city's
// (stewards) or a workspace's (those who may propose there).
func (s *Server) decisionFormFor(r *http.Request) (*page, *decisionFormPage, error) {
	ref := r.PathValue("ws")
	p := s.newPage(r, "decide.new.title")
	if ref == "" {
		if !account.IsSteward(userFrom(r.Context())) {
			return nil, nil, errDecisionStewards
		}
		d := newDecisionFormPage(true)
		d.Action, d.Back = "/decisions/new", "/decisions"
		return p, d, nil
	}
	v, err := s.workspaceView(r)
	if err != nil {
		return nil, nil, err
	}
	if !decide.CanPropose(v.Viewer) {
		return nil, nil, errWorkspaceForbidden
	}
	d := newDecisionFormPage(false)
	d.Workspace = v.Workspace
	d.Action, d.Back = workspaceLink(v.Workspace)+"/decisions/new", workspaceLink(v.Workspace)+"/decisions"
	p.RawTitle = v.Name
	return p, d, nil
}

func (s *Server) newDecisionForm(w http.ResponseWriter, r *http.Request) error {
	p, d, err := s.decisionFormFor(r)
	if err != nil {
		return err
	}
	p.Form.Set("language", p.Lang)
	p.Form.Set("method", string(decide.Consent))
	p.Form.Set("secrecy", string(decide.Open))
	p.Form.Set("threshold", "half")
	if !d.CityWide {
		p.Form.Set("visibility", string(workspace.Members))
		for _, c := range []workspace.Circle{workspace.Core, workspace.Contributors, workspace.Members} {
			p.Form.Add("circles", string(c))
		}
	}
	d.rows(p.Form, false)
	p.Data = d
	p.Scripts = append(p.Scripts, "decision-form.js")
	s.render(w, r, "decision_form", p)
	return nil
}

func (s *Server) createDecision(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	p, d, err := s.decisionFormFor(r)
	if err != nil {
		return err
	}
	if r.PostForm.Has("more") {
		return s.decisionFormAgain(w, r, p, d, nil)
	}
	dd, parseErr := decisionDraft(r.PostForm)
	if parseErr != nil {
		return s.decisionFormAgain(w, r, p, d, s.draftProblems(dd, d.CityWide, parseErr))
	}
	dec, err := s.decisions.Create(r.Context(), userFrom(r.Context()), r.PathValue("ws"), dd)
	if err != nil {
		return s.decisionFormAgain(w, r, p, d, err)
	}
	redirectNotice(w, r, decisionLink(dec.ID), "decide_created")
	return nil
}

// decisionFormAgain shows the form again with what was typed: with its
// problems, or with more rows for options. The rows are written anew
// without the empty ones in between, since the service names a problem
// of an option by its place among the options that were filled in.
func (s *Server) decisionFormAgain(w http.ResponseWriter, r *http.Request, p *page, d *decisionFormPage, formErr error) error {
	status := http.StatusOK
	if formErr != nil {
		if !problem.Is(formErr, problem.Invalid) && !problem.Is(formErr, problem.Conflict) {
			return formErr
		}
		if err := s.formProblems(p, formErr); err != nil {
			return err
		}
		status = statusOf(formErr)
	}
	p.Form = compactOptions(r.PostForm)
	d.rows(p.Form, r.PostForm.Has("more"))
	p.Data = d
	p.Scripts = append(p.Scripts, "decision-form.js")
	s.renderStatus(w, r, status, "decision_form", p)
	return nil
}

// optionFields are the fields of one option row.
var optionFields = []string{"label", "description", "starts_at", "ends_at"}

// compactOptions is a posted form with its filled-in option rows moved
// up, in their order, as DraftDecision.Clean counts them.
func compactOptions(f url.Values) url.Values {
	out := url.Values{}
	for k, v := range f {
		if !strings.HasPrefix(k, "options.") && k != "more" {
			out[k] = v
		}
	}
	n := 0
	for _, o := range formOptions(f) {
		for i, name := range optionFields {
			if v := [4]string{o.Label, o.Description, o.StartsAt, o.EndsAt}[i]; v != "" {
				out.Set("options."+strconv.Itoa(n)+"."+name, v)
			}
		}
		n++
	}
	return out
}

// formOptions are the filled-in option rows of a form, in their order.
func formOptions(f url.Values) []decide.DraftOption {
	var out []decide.DraftOption
	for i := range decide.MaxOptions * 2 {
		prefix := "options." + strconv.Itoa(i) + "."
		o := decide.DraftOption{Label: f.Get(prefix + "label"), Description: f.Get(prefix + "description"),
			StartsAt: f.Get(prefix + "starts_at"), EndsAt: f.Get(prefix + "ends_at")}
		if strings.TrimSpace(o.Label+o.Description+o.StartsAt+o.EndsAt) == "" {
			continue
		}
		out = append(out, o)
	}
	return out
}

// decisionDraft reads the form of a decision. Numbers that are not
// numbers are named in the error; the draft holds everything else.
func decisionDraft(f url.Values) (decide.DraftDecision, error) {
	bad := problem.Fields{}
	number := func(name string) int {
		v := strings.TrimSpace(f.Get(name))
		if v == "" {
			return 0
		}
		n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(v, "%")))
		if err != nil {
			bad.Add(name, "number.invalid")
			return 0
		}
		return n
	}
	dd := decide.DraftDecision{
		Title: f.Get("title"), Body: f.Get("body"), Language: f.Get("language"),
		Method: decide.Method(f.Get("method")), Secrecy: decide.Secrecy(f.Get("secrecy")),
		Visibility: workspace.Visibility(f.Get("visibility")), District: f.Get("district"),
		OpensAt: f.Get("opens_at"), ClosesAt: f.Get("closes_at"),
		Params: decide.Params{Quorum: number("quorum"), Threshold: f.Get("threshold"), Seats: number("seats"),
			Dots: number("dots"), MaxChoices: number("max_choices")},
		Options: formOptions(f),
	}
	for _, c := range f["circles"] {
		dd.Circles = append(dd.Circles, workspace.Circle(c))
	}
	return dd, bad.Err()
}

// draftProblems adds to the numbers that could not be read what else is
// wrong with the draft, so that the form shows every problem at once.
func (s *Server) draftProblems(dd decide.DraftDecision, cityWide bool, parseErr error) error {
	pe, _ := problem.As(parseErr)
	all := problem.Fields{}
	if _, _, _, err := dd.Clean(cityWide, s.decisions.Now.Time()); err != nil {
		if p, ok := problem.As(err); ok {
			for k, v := range p.Fields {
				all[k] = v
			}
		}
	}
	for k, v := range pe.Fields {
		all[k] = v
	}
	return all.Err()
}

// managedDecision is a decision its reader may change now: they manage it
// and voting has not opened.
func (s *Server) managedDecision(r *http.Request) (decide.View, error) {
	id, err := pathID(r)
	if err != nil {
		return decide.View{}, err
	}
	v, err := s.decisions.Get(r.Context(), userFrom(r.Context()), id)
	if err != nil {
		return v, err
	}
	if !v.Rights.Manage {
		return v, problem.New(problem.Forbidden, "decide.forbidden")
	}
	if v.State != decide.Draft && v.State != decide.Discussion {
		return v, problem.New(problem.Conflict, "decide.not_editable")
	}
	return v, nil
}

func (s *Server) editDecisionPage(r *http.Request, v decide.View) (*page, *decisionFormPage) {
	p := s.newPage(r, "decide.edit.title")
	p.RawTitle = v.Title
	d := newDecisionFormPage(v.CityWide())
	d.Edit, d.Title, d.Workspace = true, v.Title, v.Workspace
	d.Action, d.Back = decisionLink(v.ID)+"/edit", decisionLink(v.ID)
	for i, sc := range decide.Secrecies {
		d.Secrecies[i].Weaker = sc.Weaker(v.Secrecy)
	}
	return p, d
}

func (s *Server) editDecisionForm(w http.ResponseWriter, r *http.Request) error {
	v, err := s.managedDecision(r)
	if err != nil {
		return err
	}
	p, d := s.editDecisionPage(r, v)
	f := p.Form
	f.Set("title", v.Title)
	f.Set("body", v.Body)
	f.Set("language", v.Language)
	f.Set("method", string(v.Method))
	f.Set("secrecy", string(v.Secrecy))
	f.Set("district", v.District)
	f.Set("visibility", string(v.Visibility))
	for _, c := range v.Circles {
		f.Add("circles", string(c))
	}
	f.Set("opens_at", decide.Local(v.OpensAt))
	f.Set("closes_at", decide.Local(v.ClosesAt))
	setNumber := func(name string, n int) {
		if n != 0 {
			f.Set(name, strconv.Itoa(n))
		}
	}
	setNumber("quorum", v.Params.Quorum)
	setNumber("seats", v.Params.Seats)
	setNumber("dots", v.Params.Dots)
	setNumber("max_choices", v.Params.MaxChoices)
	f.Set("threshold", cmp.Or(v.Params.Threshold, "half"))
	for i, o := range v.Options {
		prefix := "options." + strconv.Itoa(i) + "."
		f.Set(prefix+"label", o.Label)
		f.Set(prefix+"description", o.Description)
		f.Set(prefix+"starts_at", decide.Local(o.StartsAt))
		f.Set(prefix+"ends_at", decide.Local(o.EndsAt))
		for _, name := range optionFields {
			if f.Get(prefix+name) == "" {
				f.Del(prefix + name)
			}
		}
	}
	if len(v.Options) >= decisionFormRows {
		f.Set("rows", strconv.Itoa(len(v.Options)+2))
	}
	d.rows(f, false)
	p.Data = d
	p.Scripts = append(p.Scripts, "decision-form.js")
	s.render(w, r, "decision_form", p)
	return nil
}

func (s *Server) updateDecision(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	v, err := s.managedDecision(r)
	if err != nil {
		return err
	}
	p, d := s.editDecisionPage(r, v)
	if r.PostForm.Has("more") {
		return s.decisionFormAgain(w, r, p, d, nil)
	}
	dd, parseErr := decisionDraft(r.PostForm)
	if parseErr != nil {
		return s.decisionFormAgain(w, r, p, d, s.draftProblems(dd, v.CityWide(), parseErr))
	}
	if _, err := s.decisions.Update(r.Context(), userFrom(r.Context()), v.ID, dd); err != nil {
		return s.decisionFormAgain(w, r, p, d, err)
	}
	redirectNotice(w, r, decisionLink(v.ID), "decide_saved")
	return nil
}

// decisionTime writes an instant in Amsterdam as people read it, with the
// day of the week: "Thursday 10 December 2026, 19:00".
func (p *page) DecisionTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(decide.Amsterdam())
	days := strings.Split(p.T("decide.time.weekdays"), ",")
	months := strings.Split(p.T("decide.time.months"), ",")
	day, month := t.Weekday().String(), t.Month().String()
	if len(days) == 7 {
		day = strings.TrimSpace(days[t.Weekday()])
	}
	if len(months) == 12 {
		month = strings.TrimSpace(months[t.Month()-1])
	}
	return p.T("decide.time.format", "weekday", day, "day", strconv.Itoa(t.Day()), "month", month,
		"year", strconv.Itoa(t.Year()), "time", t.Format("15:04"))
}

// DecisionSlot writes a meeting poll's time slot: its start, and its end
// (the time alone when it is on the same day).
func (p *page) DecisionSlot(o decide.Option) string {
	out := p.DecisionTime(o.StartsAt)
	if o.EndsAt.IsZero() {
		return out
	}
	a, b := o.StartsAt.In(decide.Amsterdam()), o.EndsAt.In(decide.Amsterdam())
	if a.Year() == b.Year() && a.YearDay() == b.YearDay() {
		return out + "–" + b.Format("15:04")
	}
	return out + " – " + p.DecisionTime(o.EndsAt)
}

// DecisionDate writes a date ("2027-04-03", a review date) as people read
// it: "Saturday 3 April 2027"; anything else as it is.
func (p *page) DecisionDate(s string) string {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	days := strings.Split(p.T("decide.time.weekdays"), ",")
	months := strings.Split(p.T("decide.time.months"), ",")
	if len(days) != 7 || len(months) != 12 {
		return s
	}
	return p.T("decide.time.date_format", "weekday", strings.TrimSpace(days[t.Weekday()]), "day", strconv.Itoa(t.Day()),
		"month", strings.TrimSpace(months[t.Month()-1]), "year", strconv.Itoa(t.Year()))
}
