// The shared kit of every part's forms: reading a posted form (with the
// one text rule applied to every value) and turning a domain problem into
// the errors a form shows beside its fields.

package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"samen/internal/problem"
	"samen/internal/workspace"
)

// parseForm reads a posted form of at most maxFormBytes and refuses values
// that break the text rule, naming their fields.
func parseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			// 413, and the page says the limit (64 KiB).
			return problemFormTooLarge
		}
		return problemBadForm
	}
	return unreadable(r.PostForm)
}

// formProblems puts a domain error on a form page: per field when it
// names fields, above the form otherwise. Errors that are not problems
// are returned.
func (s *Server) formProblems(p *page, formErr error) error {
	if formErr == nil {
		return nil
	}
	errs, order, ok := s.fieldErrors(p.Lang, formErr)
	if !ok {
		pe, isProblem := problem.As(formErr)
		if !isProblem {
			return formErr
		}
		errs, order = map[string]string{"form": s.msgs.T(p.Lang, "error."+pe.Code)}, []string{"form"}
	}
	p.Errors, p.ErrorOrder = errs, order
	return nil
}

// formError re-renders a form with its problems, keeping what was typed
// (passwords excepted).
func (s *Server) formError(w http.ResponseWriter, r *http.Request, name string, p *page, err error) error {
	errs, order, ok := s.fieldErrors(p.Lang, err)
	if !ok {
		return err
	}
	p.Errors, p.ErrorOrder = errs, order
	p.Form = url.Values{}
	for k, v := range r.PostForm {
		if !strings.Contains(k, "password") {
			p.Form[k] = v
		}
	}
	s.renderStatus(w, r, http.StatusUnprocessableEntity, name, p)
	return nil
}

// formEuros reads field name of f as an amount of euros as people type it
// ("12,50", "1.250"), in cents. An empty field is 0 unless required; what
// cannot be read is 0 and named in bad, so that the domain can still name
// the form's other problems.
func formEuros(f url.Values, bad problem.Fields, name string, required bool) int64 {
	v := strings.TrimSpace(f.Get(name))
	if v == "" && !required {
		return 0
	}
	cents, code := workspace.ParseCents(v)
	if code != "" {
		bad.Add(name, code)
		return 0
	}
	return cents
}
