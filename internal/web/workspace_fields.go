package web

import (
	"net/http"
	"strconv"
	"strings"

	"samen/internal/problem"
	"samen/internal/workspace"
)

// The register's own fields and the consent texts, which core keeps on one
// page, and what a person fills in of them on their record.

type fieldsPage struct {
	View    workspace.View
	Fields  []workspace.Field
	Editing *workspace.Field // the field whose form is shown, when changing one
	Types   []string
	Vis     []string
}

func (s *Server) workspaceFields(w http.ResponseWriter, r *http.Request) error {
	return s.renderFields(w, r, http.StatusOK, nil)
}

func (s *Server) renderFields(w http.ResponseWriter, r *http.Request, status int, formErr error) error {
	v, err := s.workspaceView(r)
	if err != nil {
		return err
	}
	if !v.Viewer.Core() {
		return errWorkspaceForbidden
	}
	ctx, u := r.Context(), userFrom(r.Context())
	data := &fieldsPage{View: v, Vis: codes(workspace.Visibilities), Types: codes(workspace.FieldTypes)}
	if data.Fields, err = s.workspaces.Fields(ctx, u, v.Slug); err != nil {
		return err
	}
	p := s.newPage(r, "workspace.fields.title")
	p.RawTitle = v.Name
	p.Form.Set("visibility", string(workspace.Core))
	p.Form.Set("type", string(workspace.FieldText))
	edit, _ := strconv.ParseInt(r.URL.Query().Get("edit"), 10, 64)
	if edit == 0 {
		edit = formInt(r, "field")
	}
	for i, f := range data.Fields {
		if f.ID == edit && edit != 0 {
			data.Editing = &data.Fields[i]
			p.Form.Set("label", f.Label)
			p.Form.Set("choices", strings.Join(f.Choices, "\n"))
			p.Form.Set("visibility", string(f.Visibility))
		}
	}
	if formErr != nil {
		if err := s.formProblems(p, formErr); err != nil {
			return err
		}
		p.Form = r.PostForm
	}
	p.Data = data
	s.renderStatus(w, r, status, "workspace_fields", p)
	return nil
}

// choicesOf reads the choices of a choice field: one per line.
func choicesOf(s string) []string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}

// fieldsAction runs the forms of the fields page: adding or changing a
// field, removing one.
func (s *Server) fieldsAction(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	ctx, u, ref := r.Context(), userFrom(r.Context()), r.PathValue("ws")
	var err error
	var notice string
	switch r.PathValue("action") {
	case "save":
		pos, _ := strconv.Atoi(r.PostForm.Get("position"))
		_, err = s.workspaces.SaveField(ctx, u, ref, workspace.Field{ID: formInt(r, "field"), Key: r.PostForm.Get("key"),
			Label: r.PostForm.Get("label"), Type: workspace.FieldType(r.PostForm.Get("type")), Choices: choicesOf(r.PostForm.Get("choices")),
			Visibility: workspace.Visibility(r.PostForm.Get("visibility")), Position: pos})
		notice = "ws_field_saved"
	case "remove":
		err, notice = s.workspaces.RemoveField(ctx, u, ref, formInt(r, "field")), "ws_field_removed"
	default:
		return problemNotFound
	}
	if err != nil {
		if problem.Is(err, problem.Invalid) || problem.Is(err, problem.Conflict) {
			return s.renderFields(w, r, statusOf(err), err)
		}
		return err
	}
	redirectNotice(w, r, "/workspaces/"+ref+"/fields", notice)
	return nil
}

type consentsPage struct {
	View  workspace.View
	Texts []workspace.ConsentText
}

func (s *Server) workspaceConsents(w http.ResponseWriter, r *http.Request) error {
	return s.renderConsents(w, r, http.StatusOK, nil)
}

func (s *Server) renderConsents(w http.ResponseWriter, r *http.Request, status int, formErr error) error {
	v, err := s.workspaceView(r)
	if err != nil {
		return err
	}
	if !v.Viewer.Core() {
		return errWorkspaceForbidden
	}
	texts, err := s.workspaces.ConsentTexts(r.Context(), userFrom(r.Context()), v.Slug)
	if err != nil {
		return err
	}
	p := s.newPage(r, "workspace.consents.title")
	p.RawTitle = v.Name
	if formErr != nil {
		if err := s.formProblems(p, formErr); err != nil {
			return err
		}
		p.Form = r.PostForm
	}
	p.Data = &consentsPage{View: v, Texts: texts}
	s.renderStatus(w, r, status, "workspace_consents", p)
	return nil
}

func (s *Server) publishConsent(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	ref := r.PathValue("ws")
	if _, err := s.workspaces.PublishConsent(r.Context(), userFrom(r.Context()), ref, r.PostForm.Get("key"), r.PostForm.Get("text")); err != nil {
		if problem.Is(err, problem.Invalid) {
			return s.renderConsents(w, r, http.StatusUnprocessableEntity, err)
		}
		return err
	}
	redirectNotice(w, r, "/workspaces/"+ref+"/consents", "ws_consent_published")
	return nil
}
