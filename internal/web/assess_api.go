package web

import (
	"net/http"
	"strconv"
	"time"

	"samen/internal/assess"
)

// The assessments as open data, shaped like OpenSSF Scorecard's results:
// the framework's checks and, per assessment, a score per criterion with
// its evidence, and a score per group.

func (s *Server) apiFramework(w http.ResponseWriter, r *http.Request) error {
	f, err := s.assess.Framework(r.Context(), r.URL.Query().Get("version"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, f)
	return nil
}

type apiAssessment struct {
	ID               int64           `json:"id"`
	Href             string          `json:"href"`
	Subject          assess.Subject  `json:"subject"`
	FrameworkVersion string          `json:"framework_version"`
	Status           string          `json:"status"`
	Example          bool            `json:"example"`
	PublishedAt      *time.Time      `json:"published_at"`
	ExpiresAt        *time.Time      `json:"expires_at"`
	Expired          bool            `json:"expired"`
	Renews           *int64          `json:"renews"`
	Gates            string          `json:"gates"`
	Total            *float64        `json:"total"`
	Groups           []apiGroupScore `json:"groups"`
	Reviewers        []apiReviewer   `json:"reviewers,omitempty"`
	Criteria         []apiCriterion  `json:"criteria,omitempty"`
}

type apiGroupScore struct {
	Group string   `json:"group"`
	Score *float64 `json:"score"` // 0–4, null when nothing in it is known
	Known int      `json:"known"`
	Total int      `json:"criteria"`
}

type apiReviewer struct {
	Name      string     `json:"name"`
	Self      bool       `json:"self_assessment"`
	Submitted *time.Time `json:"submitted_at"`
}

type apiCriterion struct {
	Criterion  string           `json:"criterion"`
	Score      *int             `json:"score"` // the consensus, 0–4, null when unknown
	Confidence string           `json:"confidence,omitempty"`
	Flagged    bool             `json:"flagged"`
	Settled    bool             `json:"settled"`
	Reason     string           `json:"settlement_reason,omitempty"`
	Gate       string           `json:"gate,omitempty"`
	Reviews    []apiReviewScore `json:"reviews"`
	Reply      string           `json:"provider_reply,omitempty"`
}

type apiReviewScore struct {
	Reviewer   string            `json:"reviewer"`
	Self       bool              `json:"self_assessment"`
	Score      *int              `json:"score"`
	Reason     string            `json:"reason,omitempty"`
	Confidence string            `json:"confidence,omitempty"`
	Evidence   []assess.Evidence `json:"evidence"`
}

func (s *Server) toAPIAssessment(a assess.Assessment, res assess.Result) apiAssessment {
	out := apiAssessment{ID: a.ID, Href: s.opts.BaseURL + assessmentLink(a.ID), Subject: a.Subject, FrameworkVersion: a.FrameworkVersion,
		Status: string(a.Status), Example: a.Example, Expired: a.Expired(time.Now()), Gates: res.Gates, Total: res.Total, Groups: []apiGroupScore{}}
	// A local repository path is the operator's business, not open data.
	if out.Subject.Repository != "" && out.Subject.Repository[0] == '/' {
		out.Subject.Repository = ""
	}
	if !a.PublishedAt.IsZero() {
		out.PublishedAt, out.ExpiresAt = &a.PublishedAt, &a.ExpiresAt
	}
	if a.PreviousID != 0 {
		out.Renews = &a.PreviousID
	}
	for _, g := range res.Groups {
		out.Groups = append(out.Groups, apiGroupScore{Group: g.Group, Score: g.Score, Known: g.Known, Total: g.Total})
	}
	return out
}

// apiAssessments answers GET /api/v1/assessments: the published ones.
func (s *Server) apiAssessments(w http.ResponseWriter, r *http.Request) error {
	list, err := s.assess.List(r.Context(), nil)
	if err != nil {
		return err
	}
	out := []apiAssessment{}
	for _, x := range list {
		out = append(out, s.toAPIAssessment(x.Assessment, x.Result))
	}
	writeJSON(w, http.StatusOK, map[string]any{"assessments": out})
	return nil
}

// apiAssessment answers GET /api/v1/assessments/{id}: the scorecard with
// every criterion's consensus, each reviewer's score, evidence and
// confidence, and the provider's replies.
func (s *Server) apiAssessment(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return problemNotFound
	}
	v, err := s.assess.Get(r.Context(), userFrom(r.Context()), id)
	if err != nil {
		return err
	}
	out := s.toAPIAssessment(v.Assessment, v.Result)
	out.Reviewers, out.Criteria = []apiReviewer{}, []apiCriterion{}
	for _, rv := range v.Reviews {
		if !rv.Submitted() {
			continue
		}
		at := rv.SubmittedAt
		out.Reviewers = append(out.Reviewers, apiReviewer{Name: rv.Reviewer, Self: rv.Self, Submitted: &at})
	}
	results := map[string]assess.CriterionResult{}
	for _, c := range v.Result.Criteria {
		results[c.Criterion] = c
	}
	for _, c := range v.Framework.Criteria() {
		res := results[c.ID]
		ac := apiCriterion{Criterion: c.ID, Score: res.Level, Confidence: res.Confidence, Flagged: res.Flagged, Settled: res.Settled,
			Reason: res.Reason, Gate: res.Gate, Reviews: []apiReviewScore{}, Reply: v.Replies[c.ID].Text}
		for _, rv := range v.Reviews {
			sc, ok := rv.Scores[c.ID]
			if !ok || !rv.Submitted() {
				continue
			}
			ev := sc.Evidence
			if ev == nil {
				ev = []assess.Evidence{}
			}
			ac.Reviews = append(ac.Reviews, apiReviewScore{Reviewer: rv.Reviewer, Self: rv.Self, Score: sc.Level, Reason: sc.Reason,
				Confidence: sc.Confidence, Evidence: ev})
		}
		out.Criteria = append(out.Criteria, ac)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
