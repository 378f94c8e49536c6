package web

import (
	"bytes"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"samen/internal/problem"
	"samen/internal/toolbox"
)

// The toolbox's API: the catalogue as open data, the self-scan for other
// programs, and the advisor.

type apiTools struct {
	Count int            `json:"count"`
	Tools []toolbox.Tool `json:"tools"`
}

// apiToolList answers GET /api/v1/tools with the filters of /toolbox:
// category, kind, replaces (a big-tech id: its alternatives) and q.
func (s *Server) apiToolList(w http.ResponseWriter, r *http.Request) error {
	c, err := s.toolbox.Catalogue(r.Context())
	if err != nil {
		return err
	}
	q := r.URL.Query()
	cat, kind, replaces := q.Get("category"), q.Get("kind"), q.Get("replaces")
	f := problem.Fields{}
	if cat != "" && !slices.Contains(toolbox.Categories, cat) {
		f.Add("category", "choice.unknown")
	}
	if kind != "" && !slices.Contains(toolbox.Kinds, kind) {
		f.Add("kind", "choice.unknown")
	}
	if t, ok := c.Get(replaces); replaces != "" && (!ok || !t.BigTech) {
		f.Add("replaces", "replaces.unknown")
	}
	if err := f.Err(); err != nil {
		return err
	}
	tools := c.Tools
	if replaces != "" {
		tools = c.Alternatives(replaces)
	}
	words := strings.Fields(strings.ToLower(q.Get("q")))
	out := []toolbox.Tool{}
	for _, t := range tools {
		if (cat == "" || slices.Contains(t.Categories, cat)) && (kind == "" || t.Kind == kind) && matches(t, words, langFrom(r.Context())) {
			out = append(out, t)
		}
	}
	writeJSON(w, http.StatusOK, apiTools{Count: len(out), Tools: out})
	return nil
}

type apiToolDetail struct {
	toolbox.Tool
	Hosters      []toolbox.Hosting `json:"hosters"`
	Alternatives []string          `json:"alternatives"`
	Guides       []string          `json:"guides"`
	Assessments  []string          `json:"assessments"` // addresses of its published assessments
	UsedBy       apiUsedBy         `json:"used_by"`
}

type apiUsedBy struct {
	Count       int          `json:"count"`
	Initiatives []apiUseLink `json:"initiatives"`
}

type apiUseLink struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Href string `json:"href"`
}

// apiTool answers GET /api/v1/tools/{id}: the entry, with who hosts it,
// what replaces it, the guides about it and the atlas initiatives that
// use it.
func (s *Server) apiTool(w http.ResponseWriter, r *http.Request) error {
	c, t, err := s.pathTool(r)
	if err != nil {
		return err
	}
	d := apiToolDetail{Tool: t, Hosters: c.Hosters(t), Alternatives: []string{}, Guides: []string{}, Assessments: []string{},
		UsedBy: apiUsedBy{Initiatives: []apiUseLink{}}}
	if d.Hosters == nil {
		d.Hosters = []toolbox.Hosting{}
	}
	for _, a := range c.Alternatives(t.ID) {
		d.Alternatives = append(d.Alternatives, a.ID)
	}
	guides, err := s.toolbox.GuidesAbout(r.Context(), t.ID)
	if err != nil {
		return err
	}
	for _, g := range guides {
		d.Guides = append(d.Guides, g.ID)
	}
	assessed, err := s.assess.ForTool(r.Context(), t.ID)
	if err != nil {
		return err
	}
	for _, a := range assessed {
		d.Assessments = append(d.Assessments, s.opts.BaseURL+"/api/v1/assessments/"+strconv.FormatInt(a.ID, 10))
	}
	users, n, err := s.toolbox.UsedBy(r.Context(), t, 100)
	if err != nil {
		return err
	}
	d.UsedBy.Count = n
	for _, u := range users {
		d.UsedBy.Initiatives = append(d.UsedBy.Initiatives, apiUseLink{ID: u.ID, Name: u.Name, Href: s.opts.BaseURL + atlasLink(u.ID)})
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

// apiScan answers POST /api/v1/scans: the report for a list of tools and
// optional answers. Nothing is stored; saving a scan to an initiative is
// done on the site by its editors.
func (s *Server) apiScan(w http.ResponseWriter, r *http.Request) error {
	body, err := jsonBody(w, r)
	if err != nil {
		return err
	}
	in, err := toolbox.DecodeScan(bytes.NewReader(body))
	if err != nil {
		return err
	}
	in.Normalize()
	if err := in.Validate(); err != nil {
		return err
	}
	c, err := s.toolbox.Catalogue(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toolbox.Scan(c, in))
	return nil
}

// apiAdvice answers GET /api/v1/advice with the advisor's questions as
// query parameters.
func (s *Server) apiAdvice(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	wish := toolbox.Wish{Size: q.Get("size"), Uses: q["uses"], Skills: q.Get("skills"), Budget: q.Get("budget"), Reach: q["reach"]}
	wish.Normalize()
	if err := wish.Validate(); err != nil {
		return err
	}
	c, err := s.toolbox.Catalogue(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toolbox.Advise(c, wish))
	return nil
}
