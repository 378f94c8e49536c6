package web

import (
	"net/http"
	"net/url"

	"samen/internal/toolbox"
)

type advisorPage struct {
	Asked     bool
	Advice    toolbox.Advice
	Catalogue *toolbox.Catalogue
	Sizes     []string
	Uses      []string
	Skills    []string
	Budgets   []string
	Reach     []string
}

// advisor is a form that answers itself: a GET with the answers in the
// query, so advice can be bookmarked and shared, and needs no JavaScript.
func (s *Server) advisor(w http.ResponseWriter, r *http.Request) error {
	c, err := s.toolbox.Catalogue(r.Context())
	if err != nil {
		return err
	}
	q := r.URL.Query()
	d := &advisorPage{Catalogue: c, Sizes: toolbox.Sizes, Uses: toolbox.Uses, Skills: toolbox.Skills, Budgets: toolbox.Budgets, Reach: toolbox.Groups}
	p := s.newPage(r, "toolbox.advisor.title")
	p.Form = q
	status := http.StatusOK
	if q.Has("size") || q.Has("skills") || q.Has("budget") {
		wish := toolbox.Wish{Size: q.Get("size"), Uses: q["uses"], Skills: q.Get("skills"), Budget: q.Get("budget"), Reach: q["reach"]}
		wish.Normalize()
		if err := wish.Validate(); err != nil {
			if err := s.formProblems(p, err); err != nil {
				return err
			}
			status = http.StatusUnprocessableEntity
		} else {
			d.Asked, d.Advice = true, toolbox.Advise(c, wish)
		}
	} else {
		p.Form = url.Values{"uses": {"chat", "video", "mailing_list", "files"}}
	}
	p.Data = d
	s.renderStatus(w, r, status, "advisor", p)
	return nil
}
