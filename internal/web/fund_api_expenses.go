package web

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"samen/internal/fund"
	"samen/internal/problem"
	"samen/internal/workspace"
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
	Files       []apiReceipt  `json:"files"`
	PaidTx      *int64        `json:"paid_transaction"`
	CreatedAt   time.Time     `json:"created_at"`
	UpdatedAt   time.Time     `json:"updated_at"`
}

// apiReceipt is a receipt of an expense; its bytes are at Content.
type apiReceipt struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	MediaType string    `json:"media_type"`
	Size      int64     `json:"size"`
	SHA256    string    `json:"sha256"`
	CreatedAt time.Time `json:"created_at"`
	Content   string    `json:"content"`
}

func (s *Server) toAPIExpense(e fund.Expense) apiExpense {
	out := apiExpense{ID: e.ID, WorkspaceID: e.WorkspaceID, CampaignID: optID(e.CampaignID), LineID: optID(e.LineID), Title: e.Title,
		Description: e.Description, Cents: e.Cents, Payee: e.Payee, IBAN: apiText(e.IBAN), State: string(e.State), Reason: e.Reason,
		SubmittedBy: optID(e.SubmittedBy), Approvals: []apiApproval{}, Files: []apiReceipt{}, PaidTx: optID(e.PaidTx),
		CreatedAt: e.CreatedAt.UTC(), UpdatedAt: e.UpdatedAt.UTC()}
	for _, a := range e.Approvals {
		out.Approvals = append(out.Approvals, apiApproval{UserID: a.UserID, At: a.At.UTC()})
	}
	for _, f := range e.Files {
		out.Files = append(out.Files, apiReceipt{ID: f.ID, Name: f.Name, MediaType: f.MediaType, Size: f.Size, SHA256: f.SHA256,
			CreatedAt: f.CreatedAt.UTC(), Content: s.opts.BaseURL + "/api/v1" + expenseFileLink(e, f)})
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
		out = append(out, s.toAPIExpense(e))
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
	writeJSON(w, http.StatusCreated, s.toAPIExpense(e))
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
	writeJSON(w, http.StatusOK, s.toAPIExpense(e))
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
	writeJSON(w, http.StatusOK, s.toAPIExpense(e))
	return nil
}

// apiDeleteExpense: DELETE /api/v1/expenses/{id}, a draft with its
// receipts; its submitter.
func (s *Server) apiDeleteExpense(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	sums, err := s.funding.DeleteDraft(r.Context(), userFrom(r.Context()), id)
	if err != nil {
		return err
	}
	s.workspaces.ReleaseBlobs(r.Context(), sums)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// apiAddExpenseFiles: POST /api/v1/expenses/{id}/files, receipts for a
// draft: a multipart form with one or more parts "files", or one file as
// the body with its name in ?name=.
func (s *Server) apiAddExpenseFiles(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx, u := r.Context(), userFrom(r.Context())
	if err := s.funding.MayAddExpenseFiles(ctx, u, id); err != nil {
		return err
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		err = s.receiveExpenseFiles(w, r, id)
	} else {
		r.Body = http.MaxBytesReader(w, r.Body, fund.MaxExpenseFileBytes+1)
		err = s.workspaces.StoreBlobs(ctx, []io.Reader{r.Body}, fund.MaxExpenseFileBytes, func(blobs []workspace.Blob) error {
			return s.funding.AddExpenseFiles(ctx, u, id, []fund.NewExpenseFile{{Name: r.URL.Query().Get("name"), Blob: blobs[0]}})
		})
		err = fund.ExpenseFileProblem(err)
	}
	if err != nil {
		return err
	}
	e, err := s.funding.Expense(ctx, u, id)
	if err != nil {
		return err
	}
	w.Header().Set("Location", s.opts.BaseURL+"/api/v1"+expenseLink(e.ID))
	writeJSON(w, http.StatusCreated, s.toAPIExpense(e))
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
