package web

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"samen/internal/fund"
	"samen/internal/problem"
	"samen/internal/workspace"
)

// Expenses on the site, as Open Collective runs them: a workspace's
// expenses by state with the form to submit one (its receipts attached),
// an expense's page with its receipts, who approved it and the forms its
// reader may use, and the download of a receipt. Who may do what is the
// fund service's (Expense.Rights); these pages offer what it allows.
//
//	GET  /workspaces/{ws}/expenses             the list and the form
//	POST /workspaces/{ws}/expenses             submit, or save as a draft
//	POST /workspaces/{ws}/expenses/approvals   how many approvals (core)
//	GET  /expenses/{id}                        an expense
//	POST /expenses/{id}/{action}               submit, approve, reject, pay, files
//	GET  /expenses/{id}/files/{file}           a receipt (also in the API)

// expenseFormSlack is what an expense's form may hold besides its
// receipts.
const expenseFormSlack = 64 << 10

// expenseStates are the groups of the list, in the order a treasurer
// works through them: what waits for approval, what waits for payment.
var expenseStates = []fund.ExpenseState{fund.ExpensePending, fund.ExpenseApproved, fund.ExpenseDraft, fund.ExpensePaid, fund.ExpenseRejected}

type expenseGroup struct {
	State    fund.ExpenseState
	Expenses []fund.Expense
}

// lineGroup is a campaign in the form's choice of budget line: the
// campaign as a whole ("C"), or one of its lines ("C:L").
type lineGroup struct {
	Title   string
	Options []selectOption
}

type expensesPage struct {
	View      workspace.View
	Groups    []expenseGroup
	Required  int
	Campaigns []lineGroup
	MaxSize   string
	MaxFiles  int
	// Again: the form came back with problems and had receipts, which a
	// browser does not keep: they are to be chosen again.
	Again bool
}

func (s *Server) workspaceExpenses(w http.ResponseWriter, r *http.Request) error {
	return s.renderExpenses(w, r, http.StatusOK, nil)
}

// renderExpenses shows the list; after a refused form, with its problems
// and what was typed.
func (s *Server) renderExpenses(w http.ResponseWriter, r *http.Request, status int, formErr error) error {
	ctx, u, ref := r.Context(), userFrom(r.Context()), r.PathValue("ws")
	list, need, err := s.funding.Expenses(ctx, u, ref)
	if err != nil {
		return err
	}
	v, err := s.workspaces.Open(ctx, u, ref)
	if err != nil {
		return err
	}
	campaigns, err := s.funding.ExpenseCampaigns(ctx, u, ref)
	if err != nil {
		return err
	}
	p := s.newPage(r, "expense.list.title")
	p.RawTitle = v.Name
	d := &expensesPage{View: v, Required: need, MaxSize: formatBytes(p.Lang, fund.MaxExpenseFileBytes), MaxFiles: fund.MaxExpenseFiles}
	for _, st := range expenseStates {
		g := expenseGroup{State: st}
		for _, e := range list {
			if e.State == st {
				g.Expenses = append(g.Expenses, e)
			}
		}
		if len(g.Expenses) > 0 {
			d.Groups = append(d.Groups, g)
		}
	}
	if formErr != nil {
		if err := s.formProblems(p, formErr); err != nil {
			return err
		}
		p.Form = r.PostForm
		d.Again = r.MultipartForm != nil && len(r.MultipartForm.File["files"]) > 0
	}
	if !p.Form.Has("approvals") {
		p.Form.Set("approvals", strconv.Itoa(need))
	}
	for _, c := range campaigns {
		g := lineGroup{Title: c.Title}
		whole := strconv.FormatInt(c.ID, 10)
		g.Options = append(g.Options, selectOption{Value: whole, Label: p.T("expense.form.line_whole", "campaign", c.Title), Selected: p.Value("line") == whole})
		for _, l := range c.Lines {
			val := whole + ":" + strconv.FormatInt(l.ID, 10)
			g.Options = append(g.Options, selectOption{Value: val, Label: l.Label, Selected: p.Value("line") == val})
		}
		d.Campaigns = append(d.Campaigns, g)
	}
	p.Data = d
	s.renderStatus(w, r, status, "expenses", p)
	return nil
}

// readExpenseForm reads a form that may carry receipts (field "files"):
// a multipart form of at most MaxExpenseFiles receipts, or a plain form.
// Its fields land in r.PostForm; it returns the receipts chosen.
func readExpenseForm(w http.ResponseWriter, r *http.Request) ([]*multipart.FileHeader, error) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		return nil, parseForm(w, r)
	}
	r.Body = http.MaxBytesReader(w, r.Body, fund.MaxExpenseFiles*fund.MaxExpenseFileBytes+expenseFormSlack)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) || errors.Is(err, multipart.ErrMessageTooLarge) {
			return nil, &problem.Error{Kind: problem.TooLarge, Code: "validation", Fields: problem.Fields{"files": "fund.receipt_too_large"}}
		}
		return nil, errFileUnreadable
	}
	if err := unreadable(r.PostForm); err != nil {
		return nil, err
	}
	return r.MultipartForm.File["files"], nil
}

// storeReceipts puts the bytes of the receipts in the workspace store and
// calls keep with them, which writes the rows that name them (the bytes of
// receipts it refuses do not stay).
func (s *Server) storeReceipts(r *http.Request, hdrs []*multipart.FileHeader, keep func([]fund.NewExpenseFile) error) error {
	// More than an expense may hold are refused before any is stored (the
	// service counts them too, with those a draft has already).
	if len(hdrs) > fund.MaxExpenseFiles {
		return &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"files": "fund.receipts_too_many"}}
	}
	bodies := make([]io.Reader, 0, len(hdrs))
	for _, h := range hdrs {
		f, err := h.Open()
		if err != nil {
			return errFileUnreadable
		}
		defer f.Close()
		bodies = append(bodies, f)
	}
	err := s.workspaces.StoreBlobs(r.Context(), bodies, fund.MaxExpenseFileBytes, func(blobs []workspace.Blob) error {
		files := make([]fund.NewExpenseFile, len(blobs))
		for i, b := range blobs {
			files[i] = fund.NewExpenseFile{Name: hdrs[i].Filename, Blob: b}
		}
		return keep(files)
	})
	return fund.ExpenseFileProblem(err)
}

// submitExpense: POST /workspaces/{ws}/expenses. The button pressed says
// whether it is submitted or kept as a draft; either way it leads to the
// expense's page.
func (s *Server) submitExpense(w http.ResponseWriter, r *http.Request) error {
	ctx, u, ref := r.Context(), userFrom(r.Context()), r.PathValue("ws")
	// Whether this person may submit here is settled before a byte of
	// the receipts is read.
	if err := s.funding.MayAddExpense(ctx, u, ref); err != nil {
		return err
	}
	hdrs, err := readExpenseForm(w, r)
	if err != nil {
		if fileFormError(err) {
			return s.renderExpenses(w, r, fileStatus(err), err)
		}
		return err
	}
	f := r.PostForm
	d := fund.DraftExpense{Title: f.Get("title"), Description: f.Get("description"), Payee: f.Get("payee"), IBAN: f.Get("iban")}
	// An amount or a line that cannot be read goes to the service as
	// none, so that every other field is checked too; its own reason
	// replaces the service's then.
	cents, amountCode := workspace.ParseCents(f.Get("amount"))
	if amountCode == "" {
		d.Cents = cents
	}
	badLine := false
	if d.CampaignID, d.LineID, badLine = parseLine(f.Get("line")); badLine {
		d.CampaignID, d.LineID = 0, 0
	}
	submit := f.Get("submit") != "draft"
	var e fund.Expense
	send := func(files []fund.NewExpenseFile) error {
		d.Files = files
		var err error
		e, err = s.funding.SubmitExpense(ctx, u, ref, d, submit)
		return err
	}
	if len(hdrs) > 0 {
		err = s.storeReceipts(r, hdrs, send)
	} else {
		err = send(nil)
	}
	if pe, ok := problem.As(err); ok && pe.Fields != nil {
		if amountCode != "" {
			pe.Fields["amount"] = amountCode
		}
		// The form has one choice for both.
		if code, ok := pe.Fields["campaign"]; ok {
			delete(pe.Fields, "campaign")
			pe.Fields["line"] = code
		}
		if badLine {
			pe.Fields["line"] = "choice.unknown"
		}
	}
	if err != nil {
		if fileFormError(err) {
			return s.renderExpenses(w, r, fileStatus(err), err)
		}
		return err
	}
	notice := "expense_submitted"
	if !submit {
		notice = "expense_saved"
	}
	redirectNotice(w, r, expenseLink(e.ID), notice)
	return nil
}

// parseLine reads the form's choice of budget line: "" (none), "C" (a
// campaign as a whole) or "C:L"; bad reports one that cannot be read.
func parseLine(v string) (campaign, line int64, bad bool) {
	if v == "" {
		return 0, 0, false
	}
	c, l, hasLine := strings.Cut(v, ":")
	campaign, err := strconv.ParseInt(c, 10, 64)
	if err != nil || campaign <= 0 {
		return 0, 0, true
	}
	if hasLine {
		if line, err = strconv.ParseInt(l, 10, 64); err != nil || line <= 0 {
			return 0, 0, true
		}
	}
	return campaign, line, false
}

// setExpenseApprovals: POST /workspaces/{ws}/expenses/approvals, core's
// form for how many treasurers approve an expense.
func (s *Server) setExpenseApprovals(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	ref := r.PathValue("ws")
	n, err := strconv.Atoi(strings.TrimSpace(r.PostForm.Get("approvals")))
	if err != nil {
		n = 0 // out of range: the service says so, in the field
	}
	if err := s.funding.SetApprovals(r.Context(), userFrom(r.Context()), ref, n); err != nil {
		if fileFormError(err) {
			return s.renderExpenses(w, r, fileStatus(err), err)
		}
		return err
	}
	redirectNotice(w, r, "/workspaces/"+ref+"/expenses", "expense_approvals_set")
	return nil
}

// The page of an expense.

type expenseFileRow struct {
	fund.ExpenseFile
	Size string
	Href string
}

type expensePage struct {
	View     workspace.View
	Expense  fund.Expense
	Files    []expenseFileRow
	MaxSize  string
	MaxFiles int
	Again    bool // as on expensesPage
	// Own: the reader submitted it and is a treasurer, so the page says
	// why they cannot approve it.
	Own bool
}

func (s *Server) expensePage(w http.ResponseWriter, r *http.Request) error {
	return s.renderExpense(w, r, http.StatusOK, nil)
}

func expenseFileLink(e fund.Expense, f fund.ExpenseFile) string {
	return expenseLink(e.ID) + "/files/" + strconv.FormatInt(f.ID, 10)
}

func (s *Server) renderExpense(w http.ResponseWriter, r *http.Request, status int, formErr error) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx, u := r.Context(), userFrom(r.Context())
	e, err := s.funding.Expense(ctx, u, id)
	if err != nil {
		return err
	}
	v, err := s.workspaces.Open(ctx, u, strconv.FormatInt(e.WorkspaceID, 10))
	if err != nil {
		return err
	}
	p := s.newPage(r, "expense.page.title")
	p.RawTitle = e.Title
	d := &expensePage{View: v, Expense: e, MaxSize: formatBytes(p.Lang, fund.MaxExpenseFileBytes), MaxFiles: fund.MaxExpenseFiles,
		Own: e.State == fund.ExpensePending && u != nil && e.SubmittedBy == u.ID && v.Viewer.Has(workspace.RoleTreasurer)}
	for _, f := range e.Files {
		d.Files = append(d.Files, expenseFileRow{ExpenseFile: f, Size: formatBytes(p.Lang, f.Size), Href: expenseFileLink(e, f)})
	}
	if formErr != nil {
		if err := s.formProblems(p, formErr); err != nil {
			return err
		}
		p.Form = r.PostForm
		d.Again = r.MultipartForm != nil && len(r.MultipartForm.File["files"]) > 0
	}
	p.Data = d
	s.renderStatus(w, r, status, "expense", p)
	return nil
}

// expenseAction runs the forms of an expense's page.
func (s *Server) expenseAction(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx, u := r.Context(), userFrom(r.Context())
	action := r.PathValue("action")
	if action == "files" {
		// Who may add receipts is settled before a byte of them is read.
		if err = s.funding.MayAddExpenseFiles(ctx, u, id); err == nil {
			err = s.receiveExpenseFiles(w, r, id)
		}
	} else if err = parseForm(w, r); err != nil {
		return err
	}
	var notice string
	switch action {
	case "files":
		notice = "expense_files_added"
	case "submit":
		err, notice = s.funding.Submit(ctx, u, id), "expense_submitted"
	case "approve":
		_, err = s.funding.Approve(ctx, u, id)
		notice = "expense_approved"
	case "reject":
		err, notice = s.funding.Reject(ctx, u, id, r.PostForm.Get("reason")), "expense_rejected"
	case "pay":
		err, notice = s.funding.Pay(ctx, u, id), "expense_paid"
	case "delete":
		return s.deleteExpense(w, r, id)
	default:
		return problemNotFound
	}
	if err != nil {
		if fileFormError(err) {
			return s.renderExpense(w, r, fileStatus(err), err)
		}
		return err
	}
	redirectNotice(w, r, expenseLink(id), notice)
	return nil
}

// deleteExpense removes a draft and the bytes of its receipts that nothing
// else names, and leads to the workspace's expenses.
func (s *Server) deleteExpense(w http.ResponseWriter, r *http.Request, id int64) error {
	ctx, u := r.Context(), userFrom(r.Context())
	e, err := s.funding.Expense(ctx, u, id)
	if err != nil {
		return err
	}
	v, err := s.workspaces.Open(ctx, u, strconv.FormatInt(e.WorkspaceID, 10))
	if err != nil {
		return err
	}
	sums, err := s.funding.DeleteDraft(ctx, u, id)
	if err != nil {
		return err
	}
	s.workspaces.ReleaseBlobs(ctx, sums)
	redirectNotice(w, r, workspaceLink(v.Workspace)+"/expenses", "expense_deleted")
	return nil
}

// receiveExpenseFiles adds the receipts of a form or an API call to a
// draft expense.
func (s *Server) receiveExpenseFiles(w http.ResponseWriter, r *http.Request, id int64) error {
	hdrs, err := readExpenseForm(w, r)
	if err != nil {
		return err
	}
	if len(hdrs) == 0 {
		return &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"files": "required"}}
	}
	return s.storeReceipts(r, hdrs, func(files []fund.NewExpenseFile) error {
		return s.funding.AddExpenseFiles(r.Context(), userFrom(r.Context()), id, files)
	})
}

// expenseFile serves a receipt, to whoever may see its expense, as an
// attachment that no browser runs in samen's origin, never cached.
func (s *Server) expenseFile(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	fileID, err := strconv.ParseInt(r.PathValue("file"), 10, 64)
	if err != nil || fileID <= 0 {
		return problemNotFound
	}
	f, err := s.funding.ExpenseFile(r.Context(), userFrom(r.Context()), id, fileID)
	if err != nil {
		return err
	}
	content, err := s.workspaces.OpenBlob(f.SHA256)
	if err != nil {
		return err
	}
	defer content.Close()
	h := w.Header()
	h.Set("Content-Type", f.MediaType)
	h.Set("Content-Disposition", attachment(f.Name))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", fileSandbox)
	h.Set("ETag", `"`+f.SHA256+`"`)
	h.Set("Cache-Control", "private, no-store")
	http.ServeContent(w, r, "", f.CreatedAt, content)
	return nil
}
