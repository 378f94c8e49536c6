package web

import (
	"net/http"
	"strconv"
	"time"

	"samen/internal/fund"
	"samen/internal/problem"
)

// Expenses in the API: submitted by the members circle, approved by the
// workspace's treasurers (never their own, as many as it requires), paid
// from the initiative's account in the ledger.

type apiApproval struct {
	UserID int64     `json:"user_id"`
	At     time.Time `json:"at"`
}

type apiExpense struct {
	ID          int64         `json:"id"`
	WorkspaceID int64         `json:"workspace_id"`
	CampaignID  *int64        `json:"campaign_id"`
	LineID      *int64        `json:"line_id"`
	Title       string        `json:"title"`
	Description string        `json:"description"`
	Cents       int64         `json:"cents"`
	Payee       string        `json:"payee"`
	IBAN        *string       `json:"iban"` // the submitter's and the treasurers' only
	State       string        `json:"state"`
	Reason      string        `json:"reason"`
	SubmittedBy *int64        `json:"submitted_by"`
	Approvals   []apiApproval `json:"approvals"`
	PaidTx      *int64        `json:"paid_transaction"`
	CreatedAt   time.Time     `json:"created_at"`
	UpdatedAt   time.Time     `json:"updated_at"`
}

func toAPIExpense(e fund.Expense) apiExpense {
	out := apiExpense{ID: e.ID, WorkspaceID: e.WorkspaceID, CampaignID: optID(e.CampaignID), LineID: optID(e.LineID), Title: e.Title,
		Description: e.Description, Cents: e.Cents, Payee: e.Payee, IBAN: apiText(e.IBAN), State: string(e.State), Reason: e.Reason,
		SubmittedBy: optID(e.SubmittedBy), Approvals: []apiApproval{}, PaidTx: optID(e.PaidTx), CreatedAt: e.CreatedAt.UTC(), UpdatedAt: e.UpdatedAt.UTC()}
	for _, a := range e.Approvals {
		out.Approvals = append(out.Approvals, apiApproval{UserID: a.UserID, At: a.At.UTC()})
	}
	return out
}

func expenseLink(id int64) string { return "/expenses/" + strconv.FormatInt(id, 10) }

func (s *Server) apiExpenses(w http.ResponseWriter, r *http.Request) error {
	list, need, err := s.funding.Expenses(r.Context(), userFrom(r.Context()), r.PathValue("ws"))
	if err != nil {
		return err
	}
	out := make([]apiExpense, 0, len(list))
	for _, e := range list {
		out = append(out, toAPIExpense(e))
	}
	writeJSON(w, http.StatusOK, map[string]any{"expenses": out, "approvals_required": need})
	return nil
}

type apiExpenseBody struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	Cents       int64  `json:"cents"`
	Payee       string `json:"payee"`
	IBAN        string `json:"iban"`
	CampaignID  int64  `json:"campaign_id"`
	LineID      int64  `json:"line_id"`
	Draft       bool   `json:"draft"` // keep it as a draft rather than submit it
}

func (s *Server) apiSubmitExpense(w http.ResponseWriter, r *http.Request) error {
	var in apiExpenseBody
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	e, err := s.funding.SubmitExpense(r.Context(), userFrom(r.Context()), r.PathValue("ws"), fund.DraftExpense{Title: in.Title,
		Description: in.Description, Payee: in.Payee, IBAN: in.IBAN, Cents: in.Cents, CampaignID: in.CampaignID, LineID: in.LineID}, !in.Draft)
	if pe, ok := problem.As(err); ok && pe.Fields != nil {
		if code, ok := pe.Fields["amount"]; ok {
			delete(pe.Fields, "amount")
			pe.Fields["cents"] = code
		}
		for _, f := range []string{"campaign", "line"} {
			if code, ok := pe.Fields[f]; ok {
				delete(pe.Fields, f)
				pe.Fields[f+"_id"] = code
			}
		}
	}
	if err != nil {
		return err
	}
	w.Header().Set("Location", s.opts.BaseURL+"/api/v1"+expenseLink(e.ID))
	writeJSON(w, http.StatusCreated, toAPIExpense(e))
	return nil
}

func (s *Server) apiExpense(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	e, err := s.funding.Expense(r.Context(), userFrom(r.Context()), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toAPIExpense(e))
	return nil
}

// apiExpenseAction: POST /api/v1/expenses/{id}/{action}: submit (a
// draft), approve, reject (with {"reason"}), pay.
func (s *Server) apiExpenseAction(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx, u := r.Context(), userFrom(r.Context())
	switch r.PathValue("action") {
	case "submit":
		err = s.funding.Submit(ctx, u, id)
	case "approve":
		_, err = s.funding.Approve(ctx, u, id)
	case "reject":
		var in struct {
			Reason string `json:"reason"`
		}
		if err := decodeJSON(w, r, &in); err != nil {
			return err
		}
		err = s.funding.Reject(ctx, u, id, in.Reason)
	case "pay":
		err = s.funding.Pay(ctx, u, id)
	default:
		return problemNotFound
	}
	if err != nil {
		return err
	}
	e, err := s.funding.Expense(ctx, u, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toAPIExpense(e))
	return nil
}

// apiExpenseApprovals: PUT /api/v1/workspaces/{ws}/expense-approvals,
// {"approvals": n}: how many treasurers approve an expense. Core only.
func (s *Server) apiExpenseApprovals(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Approvals int `json:"approvals"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := s.funding.SetApprovals(r.Context(), userFrom(r.Context()), r.PathValue("ws"), in.Approvals); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"approvals": in.Approvals})
	return nil
}
