package web

import (
	"html/template"
	"net/http"
	"strconv"
	"time"

	"samen/internal/account"
	"samen/internal/assess"
)

// assessFuncs are the template functions of the assessment pages.
var assessFuncs = template.FuncMap{
	// level reads a level that is known (callers test it first).
	"level": func(p *int) int { return *p },
	// levelText is a proposed level, or a dash when there is none.
	"levelText": func(p *int) string {
		if p == nil {
			return "–"
		}
		return strconv.Itoa(*p)
	},
}

// The assessments: the methodology, the list and scorecards. The comparison
// is in assess_compare.go; the forms of the workflow in assess_form.go
// (stewards prepare and publish), assess_review.go (reviewers score, the
// provider self-assesses and replies) and assess_framework.go.

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
		Steward: account.IsSteward(u)}
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

// assessmentLink is the page of an assessment.
func assessmentLink(id int64) string { return "/assessments/" + strconv.FormatInt(id, 10) }
