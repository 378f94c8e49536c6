package web

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"samen/internal/camt"
	"samen/internal/fund"
	"samen/internal/problem"
)

// The stewards' page of the host's bank account: importing a CAMT.053
// statement, and settling by hand the credits that matched no open
// transfer (assigning one to the contribution it pays, or setting it
// aside with a note). The API does the same at /api/v1/bank/….

type bankPage struct {
	Waiting []bankLineRow
	Settled []fund.BankLine // the newest lines settled, for context
	// Imported is what the last import did (after its redirect).
	Imported *fund.Import
}

// bankLineRow is a waiting credit with the open transfers of its amount,
// the ones it may pay.
type bankLineRow struct {
	fund.BankLine
	Candidates []fund.OpenTransfer
}

// bankSettled is how many settled lines the page shows.
const bankSettled = 50

func (s *Server) bankView(r *http.Request) (*page, error) {
	ctx, u := r.Context(), userFrom(r.Context())
	waiting, err := s.funding.BankLines(ctx, u, "unassigned")
	if err != nil {
		return nil, err
	}
	open, err := s.funding.OpenTransfers(ctx, u)
	if err != nil {
		return nil, err
	}
	all, err := s.funding.BankLines(ctx, u, "")
	if err != nil {
		return nil, err
	}
	d := &bankPage{}
	for _, l := range waiting {
		row := bankLineRow{BankLine: l}
		for _, o := range open {
			if o.Cents == l.Cents {
				row.Candidates = append(row.Candidates, o)
			}
		}
		d.Waiting = append(d.Waiting, row)
	}
	for _, l := range all {
		if l.State != "unassigned" && len(d.Settled) < bankSettled {
			d.Settled = append(d.Settled, l)
		}
	}
	if q := r.URL.Query(); q.Has("credits") {
		n := func(k string) int { v, _ := strconv.Atoi(q.Get(k)); return max(v, 0) }
		d.Imported = &fund.Import{Credits: n("credits"), New: n("new"), Matched: n("matched"), Unassigned: n("unassigned"), Skipped: n("skipped")}
	}
	p := s.newPage(r, "bank.title")
	p.Data = d
	// Payers' names and accounts: for this page only.
	return p, nil
}

// bankIndex: GET /bank.
func (s *Server) bankIndex(w http.ResponseWriter, r *http.Request) error {
	p, err := s.bankView(r)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, "bank", p)
	return nil
}

// importStatementPage: POST /bank/statements, the file in field "file".
// After the import, the page says what it did.
func (s *Server) importStatementPage(w http.ResponseWriter, r *http.Request) error {
	data, _, err := readUploadOf(w, r, maxStatementBytes)
	var imp fund.Import
	if err == nil {
		imp, err = s.funding.ImportStatement(r.Context(), userFrom(r.Context()), bytes.NewReader(data))
	}
	var ce *camt.Error
	if errors.As(err, &ce) {
		// Which line of the file, and why, in the reader's words.
		msg := s.msgs.T(langFrom(r.Context()), ce.Code)
		if ce.Line > 0 {
			msg = s.msgs.T(langFrom(r.Context()), "toolbox.import.at_line", "line", ce.Line, "problem", msg)
		}
		return s.bankAgain(w, r, map[string]string{"file": msg}, []string{"file"})
	}
	if problem.Is(err, problem.Invalid) {
		return s.bankFormError(w, r, err)
	}
	if err != nil {
		return err
	}
	q := url.Values{}
	for k, v := range map[string]int{"credits": imp.Credits, "new": imp.New, "matched": imp.Matched, "unassigned": imp.Unassigned, "skipped": imp.Skipped} {
		q.Set(k, strconv.Itoa(v))
	}
	http.Redirect(w, r, "/bank?"+q.Encode(), http.StatusSeeOther)
	return nil
}

// bankLineAction: POST /bank/lines/{id}/assign (field contribution) or
// /ignore (field note).
func (s *Server) bankLineAction(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx, u := r.Context(), userFrom(r.Context())
	var notice string
	switch r.PathValue("action") {
	case "assign":
		cid, perr := strconv.ParseInt(r.PostForm.Get("contribution"), 10, 64)
		if perr != nil {
			err = problem.Fields{"contribution": "choice.unknown"}.Err()
		} else {
			err = s.funding.AssignLine(ctx, u, id, cid)
		}
		notice = "bank_assigned"
	case "ignore":
		err, notice = s.funding.IgnoreLine(ctx, u, id, r.PostForm.Get("note")), "bank_ignored"
	default:
		return problemNotFound
	}
	if err != nil {
		// Each waiting line has its own fields: name them so.
		err = renameFields(err, func(k string) string { return k + "-" + strconv.FormatInt(id, 10) })
		if problem.Is(err, problem.Invalid) || problem.Is(err, problem.Conflict) {
			return s.bankFormError(w, r, err)
		}
		return err
	}
	redirectNotice(w, r, "/bank", notice)
	return nil
}

// bankFormError shows the page again with a form's problems.
func (s *Server) bankFormError(w http.ResponseWriter, r *http.Request, formErr error) error {
	p, err := s.bankView(r)
	if err != nil {
		return err
	}
	if err := s.formProblems(p, formErr); err != nil {
		return err
	}
	p.Form = r.PostForm
	w.Header().Set("Cache-Control", "no-store")
	s.renderStatus(w, r, statusOf(formErr), "bank", p)
	return nil
}

// bankAgain shows the page with problems already in the reader's words.
func (s *Server) bankAgain(w http.ResponseWriter, r *http.Request, errs map[string]string, order []string) error {
	p, err := s.bankView(r)
	if err != nil {
		return err
	}
	p.Errors, p.ErrorOrder = errs, order
	w.Header().Set("Cache-Control", "no-store")
	s.renderStatus(w, r, http.StatusUnprocessableEntity, "bank", p)
	return nil
}
