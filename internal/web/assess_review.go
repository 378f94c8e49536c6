package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"samen/internal/assess"
	"samen/internal/problem"
)

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
