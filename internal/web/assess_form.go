package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"samen/internal/assess"
	"samen/internal/problem"
	"samen/internal/toolbox"
)

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
