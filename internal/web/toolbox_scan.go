package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"samen/internal/problem"
	"samen/internal/toolbox"
)

// The self-scan, saved scans and their aggregates. The stack advisor is in
// toolbox_advisor.go, the guides in toolbox_guides.go.

type scanForm struct {
	Groups      []toolGroup // the catalogue's tools to tick, by category
	BigTech     []toolbox.Tool
	Places      []string
	Access      []string
	Backups     []string
	Reach       []string
	Initiatives []toolbox.Initiative // where a signed-in editor can save it
}

type scanReport struct {
	Report    toolbox.Report
	Catalogue *toolbox.Catalogue
	Input     toolbox.ScanInput
	Saved     *toolbox.SavedScan
	Editor    bool
	Previous  *toolbox.Report // the scan before this one, for progress
	Again     string          // a link to repeat the scan with these answers
}

// scanValues writes a scan's input into form values, to repeat it.
func scanValues(in toolbox.ScanInput, c *toolbox.Catalogue) url.Values {
	v := url.Values{}
	var other []string
	for _, name := range in.Tools {
		if t, ok := c.Find(name); ok {
			v.Add("tools", t.ID)
		} else {
			other = append(other, name)
		}
	}
	if len(other) > 0 {
		v.Set("other_tools", strings.Join(other, "\n"))
	}
	a := in.Answers
	for k, s := range map[string]string{"member_data": a.MemberData, "access": a.Access, "backups": a.Backups} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if a.Maintainers != nil {
		v.Set("maintainers", strconv.Itoa(*a.Maintainers))
	}
	if a.MonthlyCost != nil {
		v.Set("monthly_cost", strconv.FormatFloat(*a.MonthlyCost, 'f', -1, 64))
	}
	v["reach"] = a.Reach
	return v
}

// scanFromForm reads the scan form. Numbers that are not numbers are
// reported on their field.
func scanFromForm(v url.Values) (toolbox.ScanInput, error) {
	in := toolbox.ScanInput{Tools: slices.Clone(v["tools"])}
	in.Tools = append(in.Tools, strings.FieldsFunc(v.Get("other_tools"), func(r rune) bool { return r == '\n' || r == '\r' || r == ',' })...)
	a := &in.Answers
	a.MemberData, a.Access, a.Backups, a.Reach = v.Get("member_data"), v.Get("access"), v.Get("backups"), v["reach"]
	f := problem.Fields{}
	if s := strings.TrimSpace(v.Get("maintainers")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			f.Add("maintainers", "number.invalid")
		}
		a.Maintainers = &n
	}
	if s := strings.TrimSpace(strings.ReplaceAll(v.Get("monthly_cost"), ",", ".")); s != "" {
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			f.Add("monthly_cost", "number.invalid")
		}
		a.MonthlyCost = &x
	}
	in.Normalize()
	if err := in.Validate(); err != nil {
		p, _ := problem.As(err)
		for k, code := range p.Fields {
			// The form names the answers without the JSON's prefix.
			f.Add(strings.TrimPrefix(k, "answers."), code)
		}
	}
	return in, f.Err()
}

func (s *Server) renderScanForm(w http.ResponseWriter, r *http.Request, status int, values url.Values, formErr error) error {
	c, err := s.toolbox.Catalogue(r.Context())
	if err != nil {
		return err
	}
	p := s.newPage(r, "toolbox.scan.title")
	p.Form = values
	if err := s.formProblems(p, formErr); err != nil {
		return err
	}
	d := &scanForm{BigTech: c.BigTech(), Places: toolbox.MemberDataPlaces, Access: toolbox.AccessLevels,
		Backups: toolbox.BackupStates, Reach: toolbox.Groups}
	for _, cat := range toolbox.Categories {
		g := toolGroup{Category: cat}
		for _, t := range c.In(cat) {
			if !t.BigTech && t.Kind != toolbox.KindProtocol && !slices.Contains(t.Categories, "hosting") && !slices.ContainsFunc(d.Groups, func(x toolGroup) bool {
				return slices.ContainsFunc(x.Tools, func(y toolbox.Tool) bool { return y.ID == t.ID })
			}) {
				g.Tools = append(g.Tools, t)
			}
		}
		if len(g.Tools) > 0 {
			d.Groups = append(d.Groups, g)
		}
	}
	if d.Initiatives, err = s.toolbox.Editable(r.Context(), p.User); err != nil {
		return err
	}
	p.Data = d
	s.renderStatus(w, r, status, "scan", p)
	return nil
}

func (s *Server) scanPage(w http.ResponseWriter, r *http.Request) error {
	v := url.Values{}
	// "Repeat this scan" starts from a saved scan's answers.
	if from := r.URL.Query().Get("from"); from != "" {
		id, err := strconv.ParseInt(from, 10, 64)
		if err != nil {
			return problemNotFound
		}
		saved, _, err := s.toolbox.GetScan(r.Context(), userFrom(r.Context()), id)
		if err != nil {
			return err
		}
		c, err := s.toolbox.Catalogue(r.Context())
		if err != nil {
			return err
		}
		v = scanValues(saved.Input, c)
		v.Set("initiative", strconv.FormatInt(saved.InitiativeID, 10))
	}
	// From an initiative's page: its editor starts with the tools its
	// atlas entry names, and the scan goes to that initiative.
	if target := r.URL.Query().Get("initiative"); target != "" && len(v) == 0 {
		id, err := strconv.ParseInt(target, 10, 64)
		if err != nil {
			return problemNotFound
		}
		u := userFrom(r.Context())
		in, err := s.atlas.Get(r.Context(), u, id)
		if err != nil {
			return err
		}
		if in.IsEditor(u) {
			c, err := s.toolbox.Catalogue(r.Context())
			if err != nil {
				return err
			}
			v = scanValues(toolbox.ScanInput{Tools: in.Tools}, c)
			v.Set("initiative", target)
		}
	}
	// From a workspace's channels (or any link that names tools): those
	// tools are ticked, by id or name; names the catalogue does not know
	// go under "other tools".
	if tools := r.URL.Query()["tools"]; len(tools) > 0 && len(v) == 0 {
		c, err := s.toolbox.Catalogue(r.Context())
		if err != nil {
			return err
		}
		v = scanValues(toolbox.ScanInput{Tools: tools[:min(len(tools), 100)]}, c)
	}
	return s.renderScanForm(w, r, http.StatusOK, v, nil)
}

// runScan answers the scan form: the report, or, when a signed-in editor
// chose an initiative, the saved scan's page.
func (s *Server) runScan(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	in, err := scanFromForm(r.PostForm)
	if err != nil {
		return s.renderScanForm(w, r, http.StatusUnprocessableEntity, r.PostForm, err)
	}
	if target := r.PostForm.Get("initiative"); target != "" {
		id, err := strconv.ParseInt(target, 10, 64)
		if err != nil {
			return s.renderScanForm(w, r, http.StatusUnprocessableEntity, r.PostForm,
				&problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"initiative": "initiative.not_editor"}})
		}
		if userFrom(r.Context()) == nil {
			return problemSignIn
		}
		scanID, err := s.toolbox.SaveScan(r.Context(), userFrom(r.Context()), id, in, r.PostForm.Get("shared") == "yes")
		if err != nil {
			if p, ok := problem.As(err); ok && p.Kind == problem.Forbidden {
				return s.renderScanForm(w, r, http.StatusUnprocessableEntity, r.PostForm,
					&problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"initiative": "initiative.not_editor"}})
			}
			return err
		}
		redirectNotice(w, r, "/toolbox/scans/"+strconv.FormatInt(scanID, 10), "scan_saved")
		return nil
	}
	c, err := s.toolbox.Catalogue(r.Context())
	if err != nil {
		return err
	}
	p := s.newPage(r, "toolbox.report.title")
	p.Data = &scanReport{Report: toolbox.Scan(c, in), Catalogue: c, Input: in}
	s.render(w, r, "scan_report", p)
	return nil
}

func (s *Server) savedScan(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	u := userFrom(r.Context())
	saved, editor, err := s.toolbox.GetScan(r.Context(), u, id)
	if err != nil {
		return err
	}
	c, err := s.toolbox.Catalogue(r.Context())
	if err != nil {
		return err
	}
	d := &scanReport{Report: toolbox.Scan(c, saved.Input), Catalogue: c, Input: saved.Input, Saved: &saved, Editor: editor}
	// Progress: compare with the scan before it.
	all, err := s.toolbox.Scans(r.Context(), u, saved.InitiativeID)
	if err != nil {
		return err
	}
	for i, x := range all {
		if x.ID == saved.ID && i+1 < len(all) {
			prev := toolbox.Scan(c, all[i+1].Input)
			d.Previous = &prev
		}
	}
	if editor {
		d.Again = "/toolbox/scan?from=" + strconv.FormatInt(saved.ID, 10)
	}
	p := s.newPage(r, "toolbox.report.title")
	p.RawTitle = saved.Initiative
	p.Data = d
	s.render(w, r, "scan_report", p)
	return nil
}

func (s *Server) shareScan(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	shared := r.PostForm.Get("shared") == "yes"
	if err := s.toolbox.SetShared(r.Context(), userFrom(r.Context()), id, shared); err != nil {
		return err
	}
	notice := "scan_private"
	if shared {
		notice = "scan_shared"
	}
	redirectNotice(w, r, "/toolbox/scans/"+strconv.FormatInt(id, 10), notice)
	return nil
}

type scansPage struct {
	Initiatives []initiativeScans
}

type initiativeScans struct {
	toolbox.Initiative
	Scans []scanSummary
}

type scanSummary struct {
	toolbox.SavedScan
	BigTech, Risks, High int
}

// myScans lists the scans of every initiative the reader edits, with the
// numbers that show progress.
func (s *Server) myScans(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r.Context())
	mine, err := s.toolbox.Editable(r.Context(), u)
	if err != nil {
		return err
	}
	c, err := s.toolbox.Catalogue(r.Context())
	if err != nil {
		return err
	}
	d := &scansPage{}
	for _, in := range mine {
		scans, err := s.toolbox.Scans(r.Context(), u, in.ID)
		if err != nil {
			return err
		}
		x := initiativeScans{Initiative: in}
		for _, sc := range scans {
			rep := toolbox.Scan(c, sc.Input)
			sum := scanSummary{SavedScan: sc, BigTech: rep.BigTech, Risks: len(rep.Risks)}
			for _, risk := range rep.Risks {
				if risk.Severity == toolbox.High {
					sum.High++
				}
			}
			x.Scans = append(x.Scans, sum)
		}
		d.Initiatives = append(d.Initiatives, x)
	}
	p := s.newPage(r, "toolbox.scans.title")
	p.Data = d
	s.render(w, r, "scans", p)
	return nil
}

type aggregatesPage struct {
	toolbox.Aggregates
	Catalogue      *toolbox.Catalogue
	MinInitiatives int
	MinCount       int
}

func (s *Server) scanAggregates(w http.ResponseWriter, r *http.Request) error {
	a, err := s.toolbox.Aggregates(r.Context(), userFrom(r.Context()))
	if err != nil {
		return err
	}
	c, err := s.toolbox.Catalogue(r.Context())
	if err != nil {
		return err
	}
	p := s.newPage(r, "toolbox.aggregates.title")
	p.Data = &aggregatesPage{Aggregates: a, Catalogue: c, MinInitiatives: toolbox.MinInitiatives, MinCount: toolbox.MinCount}
	s.render(w, r, "aggregates", p)
	return nil
}
