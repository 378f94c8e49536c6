package web

import (
	"net/http"

	"samen/internal/atlas"
)

func (s *Server) initiativeEditorsAdd(w http.ResponseWriter, r *http.Request) error {
	r.SetPathValue("action", "editors/add")
	return s.initiativeAction(w, r)
}

func (s *Server) initiativeEditorsRemove(w http.ResponseWriter, r *http.Request) error {
	r.SetPathValue("action", "editors/remove")
	return s.initiativeAction(w, r)
}

type editorsPage struct {
	In      atlas.Initiative
	Editors []atlas.Editor
}

func (s *Server) initiativeEditors(w http.ResponseWriter, r *http.Request) error {
	return s.renderEditors(w, r, http.StatusOK, nil)
}

func (s *Server) renderEditors(w http.ResponseWriter, r *http.Request, status int, formErr error) error {
	in, u, err := s.initiativeFor(r)
	if err != nil {
		return err
	}
	eds, err := s.atlas.Editors(r.Context(), u, in.ID)
	if err != nil {
		return err
	}
	p := s.newPage(r, "atlas.editors.title")
	p.RawTitle = in.Name
	if formErr != nil {
		p.Errors, p.ErrorOrder, _ = s.fieldErrors(p.Lang, formErr)
		p.Form = r.PostForm
	}
	p.Data = &editorsPage{In: in, Editors: eds}
	s.renderStatus(w, r, status, "editors", p)
	return nil
}
