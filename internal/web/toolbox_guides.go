package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"samen/internal/problem"
	"samen/internal/toolbox"
)

type guidePage struct {
	Guide toolbox.Guide
	Body  template.HTML
	Tools []toolbox.Tool
}

func (s *Server) guidesIndex(w http.ResponseWriter, r *http.Request) error {
	guides, err := s.toolbox.Guides(r.Context())
	if err != nil {
		return err
	}
	p := s.newPage(r, "toolbox.guides.title")
	p.Data = guides
	s.render(w, r, "guides", p)
	return nil
}

func (s *Server) guideView(w http.ResponseWriter, r *http.Request) error {
	g, err := s.toolbox.Guide(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	lang := langFrom(r.Context())
	body, err := toolbox.Render(g.Body.In(lang))
	if err != nil {
		return err
	}
	c, err := s.toolbox.Catalogue(r.Context())
	if err != nil {
		return err
	}
	d := &guidePage{Guide: g, Body: body}
	for _, id := range g.Tools {
		if t, ok := c.Get(id); ok {
			d.Tools = append(d.Tools, t)
		}
	}
	p := s.newPage(r, "toolbox.guide.title")
	p.RawTitle = g.Title.In(lang)
	p.Data = d
	s.render(w, r, "guide", p)
	return nil
}

type guideForm struct {
	New    bool
	ID     string
	Action string
}

func guideValues(g toolbox.Guide) url.Values {
	return url.Values{"id": {g.ID}, "title_nl": {g.Title.NL}, "title_en": {g.Title.EN}, "body_nl": {g.Body.NL}, "body_en": {g.Body.EN},
		"tools": {strings.Join(g.Tools, ", ")}}
}

func (s *Server) renderGuideForm(w http.ResponseWriter, r *http.Request, status int, d *guideForm, values url.Values, formErr error) error {
	title := "toolbox.guide_form.edit_title"
	if d.New {
		title = "toolbox.guide_form.new_title"
	}
	p := s.newPage(r, title)
	p.Form = values
	if err := s.formProblems(p, formErr); err != nil {
		return err
	}
	p.Data = d
	s.renderStatus(w, r, status, "guide_form", p)
	return nil
}

func (s *Server) newGuideForm(w http.ResponseWriter, r *http.Request) error {
	return s.renderGuideForm(w, r, http.StatusOK, &guideForm{New: true, Action: "/toolbox/guides/new"}, url.Values{}, nil)
}

func (s *Server) editGuideForm(w http.ResponseWriter, r *http.Request) error {
	g, err := s.toolbox.Guide(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.renderGuideForm(w, r, http.StatusOK, &guideForm{ID: g.ID, Action: "/toolbox/guides/" + g.ID + "/edit"}, guideValues(g), nil)
}

func (s *Server) saveGuide(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	v := r.PostForm
	create := r.PathValue("id") == ""
	g := toolbox.Guide{ID: v.Get("id"), Title: toolbox.Text{NL: v.Get("title_nl"), EN: v.Get("title_en")},
		Body:  toolbox.Text{NL: v.Get("body_nl"), EN: v.Get("body_en")},
		Tools: strings.FieldsFunc(v.Get("tools"), func(r rune) bool { return r == ',' || r == ' ' })}
	d := &guideForm{New: create, Action: "/toolbox/guides/new"}
	if !create {
		g.ID = r.PathValue("id")
		d.ID, d.Action = g.ID, "/toolbox/guides/"+g.ID+"/edit"
	}
	saved, err := s.toolbox.SaveGuide(r.Context(), userFrom(r.Context()), g, v.Get("note"), create)
	if err != nil {
		if p, ok := problem.As(err); ok && (p.Kind == problem.Invalid || p.Kind == problem.Conflict) {
			return s.renderGuideForm(w, r, http.StatusUnprocessableEntity, d, v, err)
		}
		return err
	}
	redirectNotice(w, r, "/toolbox/guides/"+saved.ID, "guide_saved")
	return nil
}
