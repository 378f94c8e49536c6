package web

import (
	"net/http"
	"net/url"

	"samen/internal/decide"
	"samen/internal/problem"
)

// The paper ballots of a budget: who runs it types in every sheet, each
// on their own, and a sheet counts once two different people's readings
// agree (the decide service decides that). The page shows what a reading
// needs, and the sheets so far: disputed ones first, with both readings,
// so that someone takes the paper out again. A sheet still waiting for
// its second reading shows who read it, and what they read only to that
// reader: the second reading must be made from the paper alone.

type budgetPaperPage struct {
	V    decide.BudgetView
	Link string
	// Form: sheets can be typed in now (the voting phase).
	Form     bool
	Projects []decide.Project // the ballot, in its drawn order
	Titles   map[int64]string
	Sheets   []decide.Sheet
	Counts   sheetCounts
}

func (s *Server) budgetPaperForm(w http.ResponseWriter, r *http.Request) error {
	return s.renderPaper(w, r, http.StatusOK, nil)
}

func (s *Server) renderPaper(w http.ResponseWriter, r *http.Request, status int, formErr error) error {
	v, err := s.managedBudget(r)
	if err != nil {
		return err
	}
	if v.Phase != decide.Balloting && v.Phase != decide.Results {
		return problem.New(problem.Conflict, "budget.paper_not_yet")
	}
	p := s.newPage(r, "budget.paper.title")
	p.RawTitle = v.Title
	d := &budgetPaperPage{V: v, Link: budgetLink(v.ID), Form: v.Phase == decide.Balloting, Projects: v.Accepted(),
		Titles: map[int64]string{}, Sheets: v.Sheets}
	for _, pr := range v.Projects {
		d.Titles[pr.ID] = pr.Title
	}
	for _, sh := range v.Sheets {
		d.Counts.All++
		switch {
		case sh.Counted:
			d.Counts.Counted++
		case sh.Differ:
			d.Counts.Differ++
		default:
			d.Counts.Waiting++
		}
	}
	if formErr != nil {
		if err := s.formProblems(p, formErr); err != nil {
			return err
		}
		if msg, ok := p.Errors["form"]; ok {
			delete(p.Errors, "form")
			p.Errors["paper-problem"] = msg
			for i, name := range p.ErrorOrder {
				if name == "form" {
					p.ErrorOrder[i] = "paper-problem"
				}
			}
		}
		p.Form = url.Values{}
		for k, vals := range r.PostForm {
			p.Form[k] = vals
		}
	}
	p.Data = d
	s.renderStatus(w, r, status, "budget_paper", p)
	return nil
}

// enterPaper records one reading of a paper sheet.
func (s *Server) enterPaper(w http.ResponseWriter, r *http.Request, id int64) error {
	sheet, err := s.decisions.EnterPaper(r.Context(), userFrom(r.Context()), id, r.PostForm.Get("sheet"), formIDs(r.PostForm["project"]))
	if err != nil {
		err = budgetRefusal("paper", err)
		if pe, ok := problem.As(err); ok && (pe.Kind == problem.Invalid || pe.Kind == problem.Conflict) {
			return s.renderPaper(w, r, statusFor(pe, false), err)
		}
		return err
	}
	notice := "budget_sheet_waiting"
	switch {
	case sheet.Counted:
		notice = "budget_sheet_counted"
	case sheet.Differ:
		notice = "budget_sheet_differ"
	}
	redirectNotice(w, r, budgetLink(id)+"/paper#sheets", notice)
	return nil
}
