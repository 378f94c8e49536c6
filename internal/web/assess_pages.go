package web

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"samen/internal/account"
	"samen/internal/assess"
	"samen/internal/problem"
	"samen/internal/textcheck"
	"samen/internal/toolbox"
)

// The assessments: the methodology, the list, scorecards, the comparison,
// and the forms of the workflow (stewards prepare and publish, reviewers
// score, the provider self-assesses and replies).

type assessmentsPage struct {
	List      []assessmentItem
	Assigned  []assess.Assessment
	Framework assess.Framework
}

type assessmentItem struct {
	assess.Summary
	Expired bool
}

func (s *Server) assessmentsIndex(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r.Context())
	list, err := s.assess.List(r.Context(), u)
	if err != nil {
		return err
	}
	d := &assessmentsPage{}
	now := time.Now()
	for _, x := range list {
		d.List = append(d.List, assessmentItem{Summary: x, Expired: x.Expired(now)})
	}
	if d.Assigned, err = s.assess.Assigned(r.Context(), u); err != nil {
		return err
	}
	if d.Framework, err = s.assess.Framework(r.Context(), ""); err != nil {
		return err
	}
	p := s.newPage(r, "assess.title")
	p.Data = d
	p.Alternates = []alternate{{Type: "application/json", Href: "/api/v1/assessments", Title: "JSON"}}
	s.render(w, r, "assessments", p)
	return nil
}

type methodologyPage struct {
	Framework assess.Framework
	Versions  []assess.Framework
}

func (s *Server) methodology(w http.ResponseWriter, r *http.Request) error {
	versions, err := s.assess.Frameworks(r.Context())
	if err != nil {
		return err
	}
	f, err := s.assess.Framework(r.Context(), r.URL.Query().Get("version"))
	if err != nil {
		return err
	}
	p := s.newPage(r, "assess.methodology.title")
	p.Data = &methodologyPage{Framework: f, Versions: versions}
	p.Alternates = []alternate{{Type: "application/json", Href: "/api/v1/assessment/framework?version=" + f.Version, Title: "JSON"}}
	s.render(w, r, "methodology", p)
	return nil
}

// scorecard is one assessment's page.
type scorecard struct {
	V          assess.View
	Groups     []scoreGroup
	Radar      template.HTML
	Expired    bool
	Self       *assess.Review
	Reviewers  []assess.Review // independent reviews the reader sees
	Names      map[int64]string
	Steward    bool
	CanReview  bool
	CanSelf    bool
	CanSettle  bool
	CanPublish bool
	CanReply   bool
	CanCheck   bool
	Published  bool
}

// CriterionName is a criterion's name in lang.
func (d *scorecard) CriterionName(id, lang string) string {
	if c, ok := d.V.Framework.Criterion(id); ok {
		return c.Name.In(lang)
	}
	return id
}

type scoreGroup struct {
	Group    assess.Group
	Result   assess.GroupResult
	Criteria []scoreRow
}

type scoreRow struct {
	Criterion assess.Criterion
	Result    assess.CriterionResult
	Scores    []reviewerScore
	Self      *assess.Score
	Reply     *assess.Reply
	Finding   *assess.Finding
}

type reviewerScore struct {
	Reviewer string
	assess.Score
}

// pathAssessment reads the assessment the path names, as its reader may
// see it.
func (s *Server) pathAssessment(r *http.Request) (assess.View, *account.User, error) {
	id, err := pathID(r)
	if err != nil {
		return assess.View{}, nil, err
	}
	u := userFrom(r.Context())
	v, err := s.assess.Get(r.Context(), u, id)
	return v, u, err
}

func (s *Server) assessmentView(w http.ResponseWriter, r *http.Request) error {
	v, u, err := s.pathAssessment(r)
	if err != nil {
		return err
	}
	id := v.ID
	d := s.buildScorecard(r, u, v)
	p := s.newPage(r, "assess.scorecard.title")
	p.RawTitle = v.Subject.Name
	p.Data = d
	p.Alternates = []alternate{{Type: "application/json", Href: "/api/v1/assessments/" + strconv.FormatInt(id, 10), Title: "JSON"}}
	s.render(w, r, "scorecard", p)
	return nil
}

func (s *Server) buildScorecard(r *http.Request, u *account.User, v assess.View) *scorecard {
	lang := langFrom(r.Context())
	d := &scorecard{V: v, Expired: v.Expired(time.Now()), Names: map[int64]string{}, Published: v.Status == assess.Published,
		Steward: u != nil && u.Role.AtLeast(account.Steward)}
	for i, rv := range v.Reviews {
		d.Names[rv.ReviewerID] = rv.Reviewer
		if rv.Self {
			d.Self = &v.Reviews[i]
		} else if rv.Submitted() || (u != nil && rv.ReviewerID == u.ID) {
			d.Reviewers = append(d.Reviewers, rv)
		}
	}
	ownSubmitted := v.Mine != nil && v.Mine.Submitted() && !v.Mine.Self
	d.CanReview = v.CanReview(u) && !ownSubmitted
	d.CanSelf = v.CanSelfAssess(u) && (v.Mine == nil || !v.Mine.Submitted())
	d.CanSettle = v.CanSettle(u, ownSubmitted)
	d.CanPublish = v.CanPublish(u, v.Result)
	d.CanReply = v.CanReply(u)
	d.CanCheck = v.Subject.Repository != "" && v.Status != assess.Published && (d.Steward || v.CanReview(u))
	results := map[string]assess.CriterionResult{}
	for _, c := range v.Result.Criteria {
		results[c.Criterion] = c
	}
	var labels []string
	var scores []*float64
	for gi, g := range v.Framework.Groups {
		sg := scoreGroup{Group: g}
		if gi < len(v.Result.Groups) {
			sg.Result = v.Result.Groups[gi]
		}
		for _, c := range g.Criteria {
			row := scoreRow{Criterion: c, Result: results[c.ID]}
			for _, rv := range d.Reviewers {
				if sc, ok := rv.Scores[c.ID]; ok && rv.Submitted() {
					row.Scores = append(row.Scores, reviewerScore{Reviewer: rv.Reviewer, Score: sc})
				}
			}
			if d.Self != nil {
				if sc, ok := d.Self.Scores[c.ID]; ok {
					row.Self = &sc
				}
			}
			if rep, ok := v.Replies[c.ID]; ok {
				row.Reply = &rep
			}
			if f, ok := v.Findings[c.ID]; ok {
				row.Finding = &f
			}
			sg.Criteria = append(sg.Criteria, row)
		}
		d.Groups = append(d.Groups, sg)
		labels = append(labels, g.Name.In(lang))
		scores = append(scores, sg.Result.Score)
	}
	d.Radar = radarSVG(s.msgs.T(lang, "assess.radar_title", "name", v.Subject.Name), labels,
		[]radarSeries{{Name: v.Subject.Name, Scores: scores}}, assess.MaxLevel)
	return d
}

type comparePage struct {
	Items  []compareItem
	Groups []assess.Group
	Radar  template.HTML
	Styles []string // legend: the dash pattern of each series, in words
}

type compareItem struct {
	V      assess.View
	Groups []assess.GroupResult
}

// compareAssessments puts several published assessments side by side.
// They are compared group by group, by group id, since they may use
// different framework versions.
func (s *Server) compareAssessments(w http.ResponseWriter, r *http.Request) error {
	var ids []int64
	for _, raw := range r.URL.Query()["ids"] {
		for _, part := range strings.Split(raw, ",") {
			id, err := strconv.ParseInt(strings.TrimSpace(part), 10, 64)
			if err != nil || id <= 0 {
				return problem.New(problem.Invalid, "assess.compare_count")
			}
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	if len(ids) < 2 || len(ids) > 4 {
		return problem.New(problem.Invalid, "assess.compare_count")
	}
	u := userFrom(r.Context())
	lang := langFrom(r.Context())
	d := &comparePage{}
	var series []radarSeries
	for _, id := range ids {
		v, err := s.assess.Get(r.Context(), u, id)
		if err != nil {
			return err
		}
		d.Items = append(d.Items, compareItem{V: v})
		if d.Groups == nil {
			d.Groups = v.Framework.Groups
		}
	}
	var labels []string
	for _, g := range d.Groups {
		labels = append(labels, g.Name.In(lang))
	}
	for i := range d.Items {
		it := &d.Items[i]
		var scores []*float64
		for _, g := range d.Groups {
			gr := assess.GroupResult{Group: g.ID}
			for j, x := range it.V.Framework.Groups {
				if x.ID == g.ID && j < len(it.V.Result.Groups) {
					gr = it.V.Result.Groups[j]
				}
			}
			it.Groups = append(it.Groups, gr)
			scores = append(scores, gr.Score)
		}
		series = append(series, radarSeries{Name: it.V.Subject.Name, Scores: scores})
	}
	names := make([]string, len(d.Items))
	for i, it := range d.Items {
		names[i] = it.V.Subject.Name
	}
	d.Radar = radarSVG(s.msgs.T(lang, "assess.compare_radar", "names", strings.Join(names, ", ")), labels, series, assess.MaxLevel)
	p := s.newPage(r, "assess.compare.title")
	p.Data = d
	s.render(w, r, "assess_compare", p)
	return nil
}

// ---- stewards: prepare and publish

type assessmentForm struct {
	Kinds []string
	Tools []toolbox.Tool
}

func (s *Server) renderAssessmentForm(w http.ResponseWriter, r *http.Request, status int, values url.Values, formErr error) error {
	p := s.newPage(r, "assess.new.title")
	p.Form = values
	if err := s.formProblems(p, formErr); err != nil {
		return err
	}
	c, err := s.toolbox.Catalogue(r.Context())
	if err != nil {
		return err
	}
	p.Data = &assessmentForm{Kinds: assess.SubjectKinds, Tools: c.Tools}
	s.renderStatus(w, r, status, "assessment_form", p)
	return nil
}

func (s *Server) newAssessmentForm(w http.ResponseWriter, r *http.Request) error {
	return s.renderAssessmentForm(w, r, http.StatusOK, url.Values{}, nil)
}

func (s *Server) createAssessment(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	v := r.PostForm
	sub := assess.Subject{Name: v.Get("name"), Tool: v.Get("tool"), Kind: v.Get("kind"), Website: v.Get("website"),
		Repository: v.Get("repository"), Description: assess.Text{NL: v.Get("description.nl"), EN: v.Get("description.en")}}
	// A subject from the catalogue takes its name and website from there
	// unless the steward typed others.
	if sub.Tool != "" {
		c, err := s.toolbox.Catalogue(r.Context())
		if err != nil {
			return err
		}
		t, ok := c.Get(sub.Tool)
		if !ok {
			return s.renderAssessmentForm(w, r, http.StatusUnprocessableEntity, v,
				&problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"tool": "tool.unknown"}})
		}
		if strings.TrimSpace(sub.Name) == "" {
			sub.Name = t.Name
		}
		if sub.Website == "" {
			sub.Website = t.Website
		}
	}
	id, err := s.assess.Create(r.Context(), userFrom(r.Context()), sub, v.Get("example") == "yes")
	if err != nil {
		if p, ok := problem.As(err); ok && p.Kind == problem.Invalid {
			return s.renderAssessmentForm(w, r, http.StatusUnprocessableEntity, v, err)
		}
		return err
	}
	redirectNotice(w, r, assessmentLink(id), "assessment_created")
	return nil
}

func assessmentLink(id int64) string { return "/assessments/" + strconv.FormatInt(id, 10) }

// assessmentAction runs one step of the workflow from a button on the
// scorecard, then returns there with a notice, or shows the problem.
func (s *Server) assessmentAction(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	u := userFrom(r.Context())
	ctx := r.Context()
	v := r.PostForm
	var notice string
	switch r.PathValue("action") {
	case "provider":
		err, notice = s.assess.SetProvider(ctx, u, id, v.Get("provider")), "assessment_provider"
	case "reviewers":
		err, notice = s.assess.AddReviewer(ctx, u, id, v.Get("reviewer")), "assessment_reviewer_added"
	case "remove-reviewer":
		rid, perr := strconv.ParseInt(v.Get("reviewer"), 10, 64)
		if perr != nil {
			return problemNotFound
		}
		err, notice = s.assess.RemoveReviewer(ctx, u, id, rid), "assessment_reviewer_removed"
	case "start":
		err, notice = s.assess.StartReview(ctx, u, id), "assessment_review_started"
	case "publish":
		err, notice = s.assess.Publish(ctx, u, id), "assessment_published"
	case "checks":
		_, err = s.assess.RunChecks(ctx, u, id)
		notice = "assessment_checked"
	case "settle":
		st := assess.Settlement{Criterion: v.Get("criterion"), Reason: v.Get("reason"), Confidence: v.Get("confidence")}
		if st.Level, err = levelValue(v.Get("level")); err == nil {
			err = s.assess.Settle(ctx, u, id, st)
		}
		notice = "assessment_settled"
	case "reply":
		err, notice = s.assess.Reply(ctx, u, id, v.Get("criterion"), v.Get("reply")), "assessment_replied"
	case "renew":
		nid, rerr := s.assess.Renew(ctx, u, id)
		if rerr != nil {
			return rerr
		}
		redirectNotice(w, r, assessmentLink(nid), "assessment_renewed")
		return nil
	default:
		return problemNotFound
	}
	if err != nil {
		if p, ok := problem.As(err); ok && (p.Kind == problem.Invalid || p.Kind == problem.Conflict) {
			return s.renderScorecardWithError(w, r, id, err)
		}
		return err
	}
	redirectNotice(w, r, assessmentLink(id), notice)
	return nil
}

// renderScorecardWithError shows the scorecard again with the problem of
// the form that was sent, above everything.
func (s *Server) renderScorecardWithError(w http.ResponseWriter, r *http.Request, id int64, formErr error) error {
	u := userFrom(r.Context())
	v, err := s.assess.Get(r.Context(), u, id)
	if err != nil {
		return err
	}
	p := s.newPage(r, "assess.scorecard.title")
	p.RawTitle = v.Subject.Name
	p.Form = r.PostForm
	if err := s.formProblems(p, formErr); err != nil {
		return err
	}
	// The scorecard's forms are small and many: their problems are told
	// in one summary entry that leads to the form they came from.
	d := s.buildScorecard(r, u, v)
	var texts []string
	for _, f := range p.ErrorOrder {
		texts = append(texts, p.Errors[f])
	}
	anchor := scorecardAnchor(d, r.PathValue("action"), r.PostForm.Get("criterion"))
	p.Errors, p.ErrorOrder = map[string]string{anchor: strings.Join(texts, " ")}, []string{anchor}
	p.Data = d
	s.renderStatus(w, r, http.StatusUnprocessableEntity, "scorecard", p)
	return nil
}

// scorecardAnchor is the id of the scorecard's form an action came from,
// where the error summary's link leads: its first field, the workflow
// section, or the page's main content when neither is on the page.
func scorecardAnchor(d *scorecard, action, criterion string) string {
	_, known := d.V.Framework.Criterion(criterion)
	switch {
	case action == "provider" && d.Steward && !d.Published:
		return "provider"
	case action == "reviewers" && d.Steward && !d.Published:
		return "reviewer"
	case action == "settle" && d.CanSettle && slices.Contains(d.V.Result.Unsettled, criterion):
		return "settle-" + criterion + "-reason"
	case action == "reply" && d.CanReply && known:
		return "reply-" + criterion
	case d.Steward || d.CanReview || d.CanSelf || d.CanSettle:
		return "work-title"
	}
	return "main"
}

// levelValue reads a level from a form: "0".."4", or "unknown".
func levelValue(s string) (*int, error) {
	if s == "unknown" || s == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > assess.MaxLevel {
		return nil, &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"level": "level.out_of_range"}}
	}
	return &n, nil
}

// ---- reviewers and the provider: the score form

type reviewForm struct {
	V        assess.View
	Self     bool
	Levels   []string
	Confs    []string
	Findings map[string]assess.Finding
}

func (s *Server) reviewFormPage(w http.ResponseWriter, r *http.Request) error {
	v, _, err := s.pathAssessment(r)
	if err != nil {
		return err
	}
	values := url.Values{}
	if v.Mine != nil {
		values = scoreValues(v.Mine.Scores)
	}
	return s.renderReviewForm(w, r, http.StatusOK, v, values, nil)
}

func (s *Server) renderReviewForm(w http.ResponseWriter, r *http.Request, status int, v assess.View, values url.Values, formErr error) error {
	u := userFrom(r.Context())
	self := v.CanSelfAssess(u) && !v.CanReview(u)
	switch {
	case v.CanReview(u) || self:
	case v.Status == assess.Published:
		return problem.New(problem.Conflict, "assess.published")
	case v.IsReviewer(u):
		return problem.New(problem.Conflict, "assess.review_not_open")
	default:
		// There is no review form for someone who is not asked to review.
		return problemNotFound
	}
	if v.Mine != nil && v.Mine.Submitted() {
		return problem.New(problem.Conflict, "assess.review_submitted")
	}
	p := s.newPage(r, "assess.review.title")
	if self {
		p.TitleKey = "assess.review.self_title"
	}
	p.RawTitle = v.Subject.Name
	p.Form = values
	if err := s.formProblems(p, formErr); err != nil {
		return err
	}
	// Twenty-five criteria can have the same problem: the summary names
	// which one each entry is about.
	for _, f := range p.ErrorOrder {
		id := f[:max(strings.LastIndex(f, "."), 0)]
		if c, ok := v.Framework.Criterion(id); ok {
			p.Errors[f] = c.Name.In(p.Lang) + ": " + p.Errors[f]
		}
	}
	p.Data = &reviewForm{V: v, Self: self, Levels: []string{"0", "1", "2", "3", "4", "unknown"}, Confs: assess.Confidences, Findings: v.Findings}
	s.renderStatus(w, r, status, "review_form", p)
	return nil
}

// scoreValues writes scores into form values: "<criterion>.level",
// ".reason", ".confidence" and ".evidence" (one "address title" a line).
func scoreValues(scores map[string]assess.Score) url.Values {
	v := url.Values{}
	for id, sc := range scores {
		lv := "unknown"
		if sc.Level != nil {
			lv = strconv.Itoa(*sc.Level)
		}
		v.Set(id+".level", lv)
		v.Set(id+".reason", sc.Reason)
		v.Set(id+".confidence", sc.Confidence)
		var lines []string
		for _, e := range sc.Evidence {
			lines = append(lines, strings.TrimSpace(e.URL+" "+e.Title))
		}
		v.Set(id+".evidence", strings.Join(lines, "\n"))
	}
	return v
}

// scoresFromForm reads the score form: only criteria the reviewer touched
// (a level chosen) are saved, so a draft can be filled in parts.
func scoresFromForm(f assess.Framework, v url.Values) ([]assess.Score, error) {
	var out []assess.Score
	p := problem.Fields{}
	for _, c := range f.Criteria() {
		raw := v.Get(c.ID + ".level")
		if raw == "" {
			continue
		}
		level, err := levelValue(raw)
		if err != nil {
			p.Add(c.ID+".level", "level.out_of_range")
			continue
		}
		sc := assess.Score{Criterion: c.ID, Level: level, Reason: v.Get(c.ID + ".reason"), Confidence: v.Get(c.ID + ".confidence")}
		for _, line := range strings.Split(v.Get(c.ID+".evidence"), "\n") {
			line = strings.TrimSpace(line)
			if line == "" {
				continue
			}
			first, rest, _ := strings.Cut(line, " ")
			// An address has a scheme ("https://…", or a wrong one
			// such as "javascript:" that validation then refuses);
			// "Statutes: article 4" is a document described.
			if strings.Contains(first, "://") || strings.HasSuffix(strings.ToLower(strings.SplitN(first, ":", 2)[0]), "script") {
				sc.Evidence = append(sc.Evidence, assess.Evidence{URL: first, Title: strings.TrimSpace(rest)})
			} else {
				sc.Evidence = append(sc.Evidence, assess.Evidence{Title: line})
			}
		}
		out = append(out, sc)
	}
	return out, p.Err()
}

func (s *Server) saveReview(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	v, u, err := s.pathAssessment(r)
	if err != nil {
		return err
	}
	id := v.ID
	submit := r.PostForm.Get("submit") == "yes"
	scores, err := scoresFromForm(v.Framework, r.PostForm)
	if err == nil {
		err = s.assess.SaveScores(r.Context(), u, id, scores, submit)
	}
	if err != nil {
		if p, ok := problem.As(err); ok && p.Kind == problem.Invalid {
			return s.renderReviewForm(w, r, http.StatusUnprocessableEntity, v, r.PostForm, err)
		}
		return err
	}
	if submit {
		redirectNotice(w, r, assessmentLink(id), "review_submitted")
		return nil
	}
	redirectNotice(w, r, assessmentLink(id)+"/review", "review_saved")
	return nil
}

// ---- frameworks

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
		s.renderStatus(w, r, http.StatusUnprocessableEntity, "framework_form", p)
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
