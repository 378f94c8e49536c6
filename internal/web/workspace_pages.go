package web

import (
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"samen/internal/problem"
	"samen/internal/workspace"
)

// The workspace's own pages: the list of one's workspaces, starting one,
// its home (with joining and leaving) and its settings. The people in it
// are in workspace_members.go.

// workspaceFuncs are the template functions of the workspace pages.
var workspaceFuncs = template.FuncMap{
	// circles are the circles the viewer may put someone into.
	"circles": circleChoices,
	"hasRole": func(roles []workspace.Role, r workspace.Role) bool { return slices.Contains(roles, r) },
	// money writes cents as euros for the reader: "€ 1.250,00", "€1,250.00".
	"money": workspace.FormatCents,
	// today is the date in Amsterdam, for printed registers.
	"today": func() string { return time.Now().In(amsterdam).Format(time.DateOnly) },
}

// errWorkspaceForbidden is the workspace's own refusal, for pages that
// are only for some circles or roles: the router let the person in, the
// workspace's rules do not.
var errWorkspaceForbidden = problem.New(problem.Forbidden, "workspace.forbidden")

func workspaceLink(ws workspace.Workspace) string { return "/workspaces/" + ws.Slug }

// workspaceView opens the workspace the path names, as the visitor sees it.
func (s *Server) workspaceView(r *http.Request) (workspace.View, error) {
	return s.workspaces.Open(r.Context(), userFrom(r.Context()), r.PathValue("ws"))
}

type workspacesPage struct {
	Mine    []workspace.Summary
	Circles []workspace.Circle
}

func (s *Server) workspacesIndex(w http.ResponseWriter, r *http.Request) error {
	mine, err := s.workspaces.Mine(r.Context(), userFrom(r.Context()))
	if err != nil {
		return err
	}
	p := s.newPage(r, "workspace.index.title")
	p.Data = &workspacesPage{Mine: mine, Circles: workspace.Circles}
	s.render(w, r, "workspaces", p)
	return nil
}

func (s *Server) newWorkspaceForm(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, "workspace_new", s.newPage(r, "workspace.new.title"))
	return nil
}

func (s *Server) createWorkspace(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	ws, err := s.workspaces.Create(r.Context(), userFrom(r.Context()), workspace.Draft{
		Name: r.PostForm.Get("name"), Slug: r.PostForm.Get("slug"), Description: r.PostForm.Get("description")})
	if err != nil {
		return s.formError(w, r, "workspace_new", s.newPage(r, "workspace.new.title"), err)
	}
	redirectNotice(w, r, workspaceLink(ws), "ws_created")
	return nil
}

// openInitiativeWorkspace opens the workspace of an atlas entry, for its
// editors; an entry that has one already leads there.
func (s *Server) openInitiativeWorkspace(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ws, err := s.workspaces.OpenForInitiative(r.Context(), userFrom(r.Context()), id)
	if err != nil {
		return err
	}
	redirectNotice(w, r, workspaceLink(ws), "ws_opened")
	return nil
}

type workspaceHome struct {
	View    workspace.View
	Counts  map[workspace.Circle]int
	Circles []workspace.Circle
	Request *workspace.JoinRequest // the visitor's open request to join
	Open    int                    // open join requests, for those who answer them
}

func (s *Server) workspaceHome(w http.ResponseWriter, r *http.Request) error {
	return s.renderWorkspaceHome(w, r, http.StatusOK, nil)
}

func (s *Server) renderWorkspaceHome(w http.ResponseWriter, r *http.Request, status int, formErr error) error {
	v, err := s.workspaceView(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	u := userFrom(ctx)
	data := &workspaceHome{View: v, Circles: workspace.Circles}
	if data.Counts, err = s.workspaces.Counts(ctx, v.ID); err != nil {
		return err
	}
	if u != nil && !v.Viewer.In() {
		if jr, ok, err := s.workspaces.MyRequest(ctx, u, v.Slug); err != nil {
			return err
		} else if ok {
			data.Request = &jr
		}
	}
	if v.Viewer.Has(workspace.RoleRegister) {
		if data.Open, err = s.workspaces.OpenRequests(ctx, u, v.Slug); err != nil {
			return err
		}
	}
	p := s.newPage(r, "workspace.home.title")
	p.RawTitle = v.Name
	if formErr != nil {
		if err := s.formProblems(p, formErr); err != nil {
			return err
		}
		p.Form = r.PostForm
	}
	p.Data = data
	s.renderStatus(w, r, status, "workspace", p)
	return nil
}

// workspaceAction runs the buttons of a workspace's home: asking to join,
// withdrawing the request, leaving.
func (s *Server) workspaceAction(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	ctx, u, ref := r.Context(), userFrom(r.Context()), r.PathValue("ws")
	var err error
	var notice string
	switch r.PathValue("action") {
	case "join":
		_, err = s.workspaces.RequestJoin(ctx, u, ref, r.PostForm.Get("message"))
		notice = "ws_join_requested"
	case "withdraw":
		err, notice = s.workspaces.WithdrawRequest(ctx, u, ref), "ws_join_withdrawn"
	case "leave":
		err, notice = s.workspaces.Leave(ctx, u, ref), "ws_left"
	default:
		return problemNotFound
	}
	if err != nil {
		if problem.Is(err, problem.Invalid) || problem.Is(err, problem.Conflict) {
			return s.renderWorkspaceHome(w, r, statusOf(err), err)
		}
		return err
	}
	redirectNotice(w, r, "/workspaces/"+ref, notice)
	return nil
}

// statusOf is the status of a form answered with its problems.
func statusOf(err error) int {
	if problem.Is(err, problem.Conflict) {
		return http.StatusConflict
	}
	return http.StatusUnprocessableEntity
}

type workspaceSettingsPage struct {
	View         workspace.View
	Visibilities []string
	Fields       []string
}

// codes spells a list of the workspace's codes (circles, visibilities,
// statuses, field types) as the strings forms and message keys use.
func codes[T ~string](list []T) []string {
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = string(v)
	}
	return out
}

func (s *Server) workspaceSettingsForm(w http.ResponseWriter, r *http.Request) error {
	v, err := s.workspaceView(r)
	if err != nil {
		return err
	}
	if !v.Viewer.Core() {
		return errWorkspaceForbidden
	}
	p := s.newPage(r, "workspace.settings.title")
	p.RawTitle = v.Name
	p.Form.Set("name", v.Name)
	p.Form.Set("slug", v.Slug)
	p.Form.Set("description", v.Description)
	p.Form.Set("register", string(v.Settings.Register))
	for f, vis := range v.Settings.Fields {
		p.Form.Set("field_"+f, string(vis))
	}
	p.Data = &workspaceSettingsPage{View: v, Visibilities: codes(workspace.Visibilities), Fields: workspace.StandardFields}
	s.render(w, r, "workspace_settings", p)
	return nil
}

func (s *Server) saveWorkspaceSettings(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	v, err := s.workspaceView(r)
	if err != nil {
		return err
	}
	ctx, u := r.Context(), userFrom(r.Context())
	set := workspace.Settings{Register: workspace.Visibility(r.PostForm.Get("register")), Fields: map[string]workspace.Visibility{}}
	for _, f := range workspace.StandardFields {
		set.Fields[f] = workspace.Visibility(r.PostForm.Get("field_" + f))
	}
	ws, err := s.workspaces.Update(ctx, u, v.Slug, workspace.Draft{Name: r.PostForm.Get("name"), Slug: r.PostForm.Get("slug"),
		Description: r.PostForm.Get("description")}, &set)
	if err != nil {
		if !problem.Is(err, problem.Invalid) && !problem.Is(err, problem.Conflict) {
			return err
		}
		p := s.newPage(r, "workspace.settings.title")
		p.RawTitle = v.Name
		p.Data = &workspaceSettingsPage{View: v, Visibilities: codes(workspace.Visibilities), Fields: workspace.StandardFields}
		return s.formError(w, r, "workspace_settings", p, err)
	}
	redirectNotice(w, r, workspaceLink(ws), "ws_settings_saved")
	return nil
}

// formInt reads a whole number from a posted form; 0 when it is not one.
func formInt(r *http.Request, name string) int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(r.PostForm.Get(name)), 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}
