package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"samen/internal/atlas"
	"samen/internal/decide"
	"samen/internal/fund"
	"samen/internal/problem"
	"samen/internal/workspace"
)

// A workspace's campaigns: the list with its drafts, the form that
// starts or changes a campaign, launching it, and updates to its backers.
// The fund service decides who may; these pages show what it allows.

// workspaceCampaignsPage is a workspace's list of campaigns.
type workspaceCampaignsPage struct {
	View      workspace.View
	Campaigns []fund.CampaignSummary
	CanStart  bool
	NewLink   string
}

// workspaceCampaigns: GET /workspaces/{ws}/campaigns. Everyone sees the
// campaigns that ran; the treasurers see the drafts too.
func (s *Server) workspaceCampaigns(w http.ResponseWriter, r *http.Request) error {
	v, err := s.workspaceView(r)
	if err != nil {
		return err
	}
	list, err := s.funding.Campaigns(r.Context(), userFrom(r.Context()), v.ID)
	if err != nil {
		return err
	}
	p := s.newPage(r, "fund.workspace.title")
	p.RawTitle = v.Name
	p.Data = &workspaceCampaignsPage{View: v, Campaigns: list, CanStart: v.Viewer.Has(workspace.RoleTreasurer),
		NewLink: workspaceLink(v.Workspace) + "/campaigns/new"}
	s.render(w, r, "workspace_campaigns", p)
	return nil
}

// Rows of budget lines and rewards the form shows at first, and how many
// "more rows" adds.
const (
	campaignLineRows   = 4
	campaignRewardRows = 2
	campaignMoreRows   = 3
)

// campaignFormPage is the form of a campaign, new or changed.
type campaignFormPage struct {
	Workspace workspace.Workspace
	Edit      bool
	// Running: the goals, deadline and rule are what backers gave on,
	// and stay (the service keeps them; the form shows them fixed).
	Running      bool
	Title        string // the campaign's, when changed
	Action, Back string
	Districts    []string
	Sectors      []string
	Languages    []string
	Rules        []string
	Lines        []int // the rows, numbered from 0
	Rewards      []int
}

func newCampaignFormPage() *campaignFormPage {
	return &campaignFormPage{Districts: atlas.Districts, Sectors: atlas.Sectors, Languages: []string{"nl", "en"},
		Rules: []string{"all_or_nothing", "keep"}}
}

// rows sets how many rows of each kind the form shows: the defaults, at
// least what the form holds and one more, and more when asked.
func (d *campaignFormPage) rows(f url.Values, more bool) {
	count := func(prefix string, least, most int) []int {
		n := least
		for k := range f {
			if rest, ok := strings.CutPrefix(k, prefix); ok {
				if i, _, ok := strings.Cut(rest, "."); ok {
					if j, err := strconv.Atoi(i); err == nil && j >= 0 && j < most && f.Get(k) != "" {
						n = max(n, j+2)
					}
				}
			}
		}
		if c, err := strconv.Atoi(f.Get(prefix + "rows")); err == nil {
			n = max(n, c)
		}
		if more {
			n += campaignMoreRows
		}
		out := make([]int, min(n, most))
		for i := range out {
			out[i] = i
		}
		return out
	}
	d.Lines = count("lines.", campaignLineRows, fund.MaxLines)
	d.Rewards = count("rewards.", campaignRewardRows, fund.MaxRewards)
}

// campaignDraft reads the form of a campaign. Amounts and numbers that
// cannot be read are named in the fields returned; the draft holds
// everything else (an unreadable amount as 0), so that the service can
// name the other problems too.
func campaignDraft(f url.Values) (fund.DraftCampaign, problem.Fields) {
	bad := problem.Fields{}
	euros := func(name string) int64 { return formEuros(f, bad, name, false) }
	d := fund.DraftCampaign{Title: f.Get("title"), Summary: f.Get("summary"), Body: f.Get("body"), Language: f.Get("language"),
		District: f.Get("district"), Sector: f.Get("sector"), MinCents: euros("min"), GoalCents: euros("goal"),
		AllOrNothing: f.Get("rule") != "keep"}
	switch r := f.Get("rule"); r {
	case "all_or_nothing", "keep":
	default:
		bad.Add("rule", "choice.unknown")
	}
	if v := strings.TrimSpace(f.Get("deadline")); v != "" {
		t, ok := decide.ParseLocal(v)
		if !ok {
			bad.Add("deadline", "datetime.invalid")
		}
		d.Deadline = t
	}
	id := func(name string) int64 {
		n, _ := strconv.ParseInt(f.Get(name), 10, 64)
		return max(n, 0)
	}
	// Rows keep their places, empty ones included: the service names a
	// row's problem by its place, which is the row's on the form.
	for i := range fund.MaxLines {
		n := "lines." + strconv.Itoa(i) + "."
		if !f.Has(n+"label") && !f.Has(n+"cents") {
			break
		}
		d.Lines = append(d.Lines, fund.Line{ID: id(n + "id"), Label: f.Get(n + "label"), Cents: euros(n + "cents")})
	}
	for i := range fund.MaxRewards {
		n := "rewards." + strconv.Itoa(i) + "."
		if !f.Has(n+"title") && !f.Has(n+"min") {
			break
		}
		rw := fund.Reward{ID: id(n + "id"), Title: f.Get(n + "title"), Description: f.Get(n + "description"), MinCents: euros(n + "min")}
		if v := strings.TrimSpace(f.Get(n + "available")); v != "" {
			a, err := strconv.Atoi(v)
			if err != nil || a < 0 {
				bad.Add(n+"available", "number.invalid")
			}
			rw.Available = max(a, 0)
		}
		d.Rewards = append(d.Rewards, rw)
	}
	return d, bad
}

// campaignFormFor is the new-campaign form of workspace {ws}, for its
// treasurers.
func (s *Server) campaignFormFor(r *http.Request) (*page, *campaignFormPage, error) {
	v, err := s.workspaceView(r)
	if err != nil {
		return nil, nil, err
	}
	if !v.Viewer.Has(workspace.RoleTreasurer) {
		return nil, nil, errWorkspaceForbidden
	}
	p := s.newPage(r, "fund.form.new_title")
	p.RawTitle = v.Name
	d := newCampaignFormPage()
	d.Workspace = v.Workspace
	d.Action, d.Back = workspaceLink(v.Workspace)+"/campaigns/new", workspaceLink(v.Workspace)+"/campaigns"
	return p, d, nil
}

func (s *Server) newCampaignForm(w http.ResponseWriter, r *http.Request) error {
	p, d, err := s.campaignFormFor(r)
	if err != nil {
		return err
	}
	p.Form.Set("language", p.Lang)
	p.Form.Set("rule", "all_or_nothing")
	d.rows(p.Form, false)
	p.Data = d
	s.render(w, r, "campaign_form", p)
	return nil
}

func (s *Server) createCampaign(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	p, d, err := s.campaignFormFor(r)
	if err != nil {
		return err
	}
	if r.PostForm.Has("more") {
		return s.campaignFormAgain(w, r, p, d, nil)
	}
	draft, bad := campaignDraft(r.PostForm)
	if len(bad) > 0 {
		return s.campaignFormAgain(w, r, p, d, s.campaignProblems(draft, bad))
	}
	c, err := s.funding.CreateCampaign(r.Context(), userFrom(r.Context()), r.PathValue("ws"), draft)
	if err != nil {
		return s.campaignFormAgain(w, r, p, d, err)
	}
	redirectNotice(w, r, campaignLink(c.ID), "fund_campaign_created")
	return nil
}

// campaignProblems adds to what could not be read what else is wrong
// with the draft, so that the form shows every problem at once.
func (s *Server) campaignProblems(d fund.DraftCampaign, bad problem.Fields) error {
	all := problem.Fields{}
	if pe, ok := problem.As(d.Clean(s.funding.Now.Time()).Err()); ok {
		for k, v := range pe.Fields {
			all[k] = v
		}
	}
	for k, v := range bad {
		all[k] = v
	}
	return all.Err()
}

// campaignFormAgain shows the form again with what was typed: with its
// problems, or with more rows.
func (s *Server) campaignFormAgain(w http.ResponseWriter, r *http.Request, p *page, d *campaignFormPage, formErr error) error {
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
	p.Form = url.Values{}
	for k, v := range r.PostForm {
		if k != "more" {
			p.Form[k] = v
		}
	}
	d.rows(p.Form, r.PostForm.Has("more"))
	p.Data = d
	s.renderStatus(w, r, status, "campaign_form", p)
	return nil
}

// managedCampaign is a campaign its reader may change: they are its
// treasurers and it has not ended.
func (s *Server) managedCampaign(r *http.Request) (fund.CampaignView, error) {
	id, err := pathID(r)
	if err != nil {
		return fund.CampaignView{}, err
	}
	v, err := s.funding.CampaignPage(r.Context(), userFrom(r.Context()), id)
	if err != nil {
		return v, err
	}
	if !v.Rights.Manage {
		return v, problem.New(problem.Forbidden, "fund.forbidden")
	}
	if v.State != fund.Draft && v.State != fund.Running {
		return v, problem.New(problem.Conflict, "fund.campaign_ended")
	}
	return v, nil
}

func (s *Server) editCampaignPage(r *http.Request, v fund.CampaignView) (*page, *campaignFormPage) {
	p := s.newPage(r, "fund.form.edit_title")
	p.RawTitle = v.Title
	d := newCampaignFormPage()
	d.Edit, d.Running, d.Title = true, v.State == fund.Running, v.Title
	d.Workspace = workspace.Workspace{ID: v.WorkspaceID, Name: v.Workspace, Slug: v.Slug}
	d.Action, d.Back = campaignLink(v.ID)+"/edit", campaignLink(v.ID)
	return p, d
}

func (s *Server) editCampaignForm(w http.ResponseWriter, r *http.Request) error {
	v, err := s.managedCampaign(r)
	if err != nil {
		return err
	}
	p, d := s.editCampaignPage(r, v)
	f := p.Form
	f.Set("title", v.Title)
	f.Set("summary", v.Summary)
	f.Set("body", v.Body)
	f.Set("language", v.Language)
	f.Set("district", v.District)
	f.Set("sector", v.Sector)
	f.Set("min", p.Euros(v.MinCents))
	f.Set("goal", p.Euros(v.GoalCents))
	f.Set("deadline", decide.Local(v.Deadline))
	f.Set("rule", "keep")
	if v.AllOrNothing {
		f.Set("rule", "all_or_nothing")
	}
	for i, l := range v.Lines {
		n := "lines." + strconv.Itoa(i) + "."
		f.Set(n+"id", strconv.FormatInt(l.ID, 10))
		f.Set(n+"label", l.Label)
		f.Set(n+"cents", p.Euros(l.Cents))
	}
	for i, rw := range v.Rewards {
		n := "rewards." + strconv.Itoa(i) + "."
		f.Set(n+"id", strconv.FormatInt(rw.ID, 10))
		f.Set(n+"title", rw.Title)
		f.Set(n+"description", rw.Description)
		f.Set(n+"min", p.Euros(rw.MinCents))
		if rw.Available > 0 {
			f.Set(n+"available", strconv.Itoa(rw.Available))
		}
	}
	d.rows(f, false)
	p.Data = d
	s.render(w, r, "campaign_form", p)
	return nil
}

func (s *Server) updateCampaign(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	v, err := s.managedCampaign(r)
	if err != nil {
		return err
	}
	p, d := s.editCampaignPage(r, v)
	if r.PostForm.Has("more") {
		return s.campaignFormAgain(w, r, p, d, nil)
	}
	draft, bad := campaignDraft(r.PostForm)
	if d.Running {
		// What backers gave on stays; the service keeps it whatever the
		// form says, and a changed amount there is no error to show.
		delete(bad, "min")
		delete(bad, "goal")
		delete(bad, "deadline")
		delete(bad, "rule")
		draft.MinCents, draft.GoalCents, draft.Deadline, draft.AllOrNothing = v.MinCents, v.GoalCents, v.Deadline, v.AllOrNothing
	}
	if len(bad) > 0 {
		return s.campaignFormAgain(w, r, p, d, s.campaignProblems(draft, bad))
	}
	if _, err := s.funding.UpdateCampaign(r.Context(), userFrom(r.Context()), v.ID, draft); err != nil {
		return s.campaignFormAgain(w, r, p, d, err)
	}
	redirectNotice(w, r, campaignLink(v.ID), "fund_campaign_saved")
	return nil
}

// campaignAction: POST /campaigns/{id}/launch opens a draft; POST
// /campaigns/{id}/updates writes to its backers.
func (s *Server) campaignAction(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx, u := r.Context(), userFrom(r.Context())
	var notice string
	switch r.PathValue("action") {
	case "launch":
		err, notice = s.funding.Launch(ctx, u, id), "fund_campaign_launched"
		if pe, ok := problem.As(err); ok && pe.Fields["deadline"] != "" {
			// The deadline is not on this page: say it above the form.
			err = problem.New(problem.Conflict, "fund.launch_deadline_past")
		}
	case "updates":
		_, err = s.funding.PostUpdate(ctx, u, id, r.PostForm.Get("update_title"), r.PostForm.Get("update_body"))
		notice = "fund_update_posted"
		// The update's fields on the campaign's page are named apart
		// from its other forms'.
		err = renameFields(err, func(k string) string { return "update_" + k })
	default:
		return problemNotFound
	}
	if err != nil {
		if !problem.Is(err, problem.Invalid) && !problem.Is(err, problem.Conflict) {
			return err
		}
		return s.campaignAgain(w, r, statusOf(err), err, true)
	}
	redirectNotice(w, r, campaignLink(id), notice)
	return nil
}

// stopUpdates: GET and POST /contributions/{id}/stop-updates?t=TOKEN. The
// link in every update: a POST stops updates about the campaign to the
// giver's address (a mail program's one-click, RFC 8058, or the button on
// the receipt); a GET shows the receipt, which holds that button.
func (s *Server) stopUpdates(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	token := r.URL.Query().Get("t")
	if r.Method == http.MethodGet {
		http.Redirect(w, r, "/contributions/"+strconv.FormatInt(id, 10)+"?"+url.Values{"t": {token}}.Encode(), http.StatusSeeOther)
		return nil
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	if token == "" {
		token = r.PostForm.Get("t")
	}
	c, err := s.funding.StopUpdates(r.Context(), id, token)
	if err != nil {
		return err
	}
	if r.PostForm.Get("List-Unsubscribe") == "One-Click" {
		// A mail program: nobody reads the answer.
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, err := w.Write([]byte("unsubscribed\n"))
		return err
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	redirectNotice(w, r, receiptLink(c), "fund_updates_stopped")
	return nil
}

// Euros is an amount as a form holds it: as the reader types it, without
// the currency ("1.250,00" in Dutch), so that it reads back the same.
func (p *page) Euros(cents int64) string {
	return strings.TrimSpace(strings.TrimPrefix(workspace.FormatCents(cents, p.Lang), "€"))
}

// renameFields names the fields of a problem as the page names them (a
// page with several forms that share field names); any other error is
// returned as it is.
func renameFields(err error, name func(string) string) error {
	pe, ok := problem.As(err)
	if !ok || pe.Fields == nil {
		return err
	}
	f := problem.Fields{}
	for k, v := range pe.Fields {
		f[name(k)] = v
	}
	return f.Err()
}
