package web

import (
	"net/http"
	"net/url"

	"samen/internal/assess"
	"samen/internal/problem"
	"samen/internal/textcheck"
	"samen/internal/toolbox"
)

func (s *Server) frameworkForm(w http.ResponseWriter, r *http.Request) error {
	p := s.newPage(r, "assess.framework_form.title")
	s.render(w, r, "framework_form", p)
	return nil
}

// publishFramework takes a new framework version as a JSON file.
func (s *Server) publishFramework(w http.ResponseWriter, r *http.Request) error {
	p := s.newPage(r, "assess.framework_form.title")
	fail := func(err error) error {
		if err := s.fileProblems(p, err); err != nil {
			return err
		}
		s.renderStatus(w, r, uploadStatus(err), "framework_form", p)
		return nil
	}
	data, _, err := readUpload(w, r)
	if err != nil {
		return fail(err)
	}
	if bad := textcheck.CheckJSON(data); bad != nil {
		fe := &toolbox.FileError{Line: bad.Line, Char: bad.Column, Path: bad.Path, Code: bad.Code}
		p.Errors, p.ErrorOrder = map[string]string{"file": s.fileProblem(p.Lang, fe)}, []string{"file"}
		s.renderStatus(w, r, http.StatusUnprocessableEntity, "framework_form", p)
		return nil
	}
	f, err := assess.DecodeFramework(data)
	if err == nil {
		err = s.assess.PublishFramework(r.Context(), userFrom(r.Context()), f)
	}
	if err != nil {
		if pe, ok := problem.As(err); ok && (pe.Kind == problem.Invalid || pe.Kind == problem.Conflict) {
			return fail(err)
		}
		return err
	}
	redirectNotice(w, r, "/assessments/methodology?version="+url.QueryEscape(f.Version), "framework_published")
	return nil
}
