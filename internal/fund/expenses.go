package fund

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"samen/internal/account"
	"samen/internal/audit"
	"samen/internal/camt"
	"samen/internal/ledger"
	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/textcheck"
	"samen/internal/workspace"
)

// Expenses, as Open Collective runs them, with what its users asked for:
// a number of approvals the workspace sets (#3081), who approved shown
// (#705), and a bound on what one person may leave waiting (#3621).
//
//	draft → pending (submitted) → approved (enough approvals) → paid
//	                            ↘ rejected (with a reason)
//
// Anyone in the workspace's members circle or inside it submits; the
// workspace's treasurers (core, and whom core made treasurer) approve,
// never their own; paying books the money out of the initiative's account
// in the ledger, and cannot take more than the account holds.

// ExpenseState is where an expense stands.
type ExpenseState string

const (
	ExpenseDraft    ExpenseState = "draft"
	ExpensePending  ExpenseState = "pending"
	ExpenseApproved ExpenseState = "approved"
	ExpenseRejected ExpenseState = "rejected"
	ExpensePaid     ExpenseState = "paid"
)

// ExpenseStates are the states in the order of the flow.
var ExpenseStates = []ExpenseState{ExpenseDraft, ExpensePending, ExpenseApproved, ExpenseRejected, ExpensePaid}

// MaxPendingPerPerson is how many expenses one person may have waiting.
const MaxPendingPerPerson = 10

// MaxDraftsPerPerson is how many drafts one person may keep in a
// workspace: each may hold five receipts of 10 MB, which the workspace's
// file quota does not count (they are the books), so drafts are bounded
// instead.
const MaxDraftsPerPerson = 10

// Expense is a claim on the initiative's money.
type Expense struct {
	ID          int64
	WorkspaceID int64
	CampaignID  int64
	LineID      int64
	Title       string
	Description string
	Cents       int64
	Payee       string
	IBAN        string // personal data: the treasurers' and the submitter's only
	State       ExpenseState
	Reason      string
	SubmittedBy int64
	Approvals   []Approval
	Files       []ExpenseFile // in the order they were added
	CreatedAt   time.Time
	UpdatedAt   time.Time
	PaidTx      int64
	// For the pages: names as they are now ("" once erased or unset).
	Submitter, Campaign, Line string
	// Rights are what the person it was loaded for may do with it.
	Rights ExpenseRights
	// Required is how many approvals the workspace asks for now.
	Required int
}

// Approval is who approved, when.
type Approval struct {
	UserID int64
	Name   string // as it is now; "" once erased
	At     time.Time
}

// ExpenseRights are what a person may do with an expense, by the rules at
// the top of this file; the pages offer these forms and no others.
type ExpenseRights struct {
	Submit   bool // a draft: its submitter
	Delete   bool // a draft: its submitter
	AddFiles bool // a draft with room for receipts: its submitter
	Approve  bool // pending: a treasurer who did not submit it and has not approved it
	Reject   bool // pending or approved: a treasurer
	Pay      bool // approved: a treasurer
}

func expenseRights(e Expense, v workspace.Viewer) ExpenseRights {
	mine := v.UserID != 0 && e.SubmittedBy == v.UserID
	treasurer := v.Has(workspace.RoleTreasurer)
	approvedBefore := false
	for _, a := range e.Approvals {
		approvedBefore = approvedBefore || a.UserID == v.UserID
	}
	return ExpenseRights{
		Submit:   mine && e.State == ExpenseDraft,
		Delete:   mine && e.State == ExpenseDraft,
		AddFiles: mine && e.State == ExpenseDraft && len(e.Files) < MaxExpenseFiles,
		Approve:  treasurer && !mine && !approvedBefore && e.State == ExpensePending,
		Reject:   treasurer && (e.State == ExpensePending || e.State == ExpenseApproved),
		Pay:      treasurer && e.State == ExpenseApproved,
	}
}

// DraftExpense is what a member fills in.
type DraftExpense struct {
	Title, Description, Payee, IBAN string
	Cents                           int64
	CampaignID, LineID              int64
	// Files are its receipts, their bytes in the store already
	// (expense_files.go); at most MaxExpenseFiles.
	Files []NewExpenseFile
}

// Clean checks d.
func (d *DraftExpense) Clean() problem.Fields {
	f := problem.Fields{}
	d.Title, d.Payee = textcheck.Collapse(d.Title), textcheck.Collapse(d.Payee)
	d.Description = strings.TrimSpace(d.Description)
	d.IBAN = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(d.IBAN), " ", ""))
	textcheck.Field(f, "title", d.Title, MaxTitle, true)
	textcheck.Field(f, "description", d.Description, MaxSummary*4, false)
	textcheck.Field(f, "payee", d.Payee, MaxTitle, true)
	if d.Cents <= 0 || d.Cents > MaxGoal {
		f.Add("amount", "amount.positive")
	}
	if d.IBAN != "" && !ValidIBAN(d.IBAN) {
		f.Add("iban", "fund.iban")
	}
	cleanExpenseFiles(f, d.Files)
	return f
}

// ValidIBAN checks an IBAN's form and its ISO 13616 check digits
// (internal/camt's check, which statements are read with).
func ValidIBAN(s string) bool { return camt.ValidIBAN(s) }

const expenseColumns = `id, workspace_id, COALESCE(campaign_id, 0), COALESCE(line_id, 0), title, description, cents, payee, iban, state, reason,
	COALESCE(submitted_by, 0), created_at, updated_at, COALESCE(paid_tx, 0)`

func loadExpense(ctx context.Context, q store.Querier, id int64) (Expense, error) {
	var e Expense
	var created, updated int64
	err := q.QueryRow(ctx, `SELECT `+expenseColumns+` FROM fund_expenses WHERE id = ?`, id).Scan(&e.ID, &e.WorkspaceID, &e.CampaignID, &e.LineID,
		&e.Title, &e.Description, &e.Cents, &e.Payee, &e.IBAN, &e.State, &e.Reason, &e.SubmittedBy, &created, &updated, &e.PaidTx)
	if errors.Is(err, sql.ErrNoRows) {
		return e, errNotFound
	}
	if err != nil {
		return e, err
	}
	e.CreatedAt, e.UpdatedAt = store.Time(created), store.Time(updated)
	rows, err := q.Query(ctx, `SELECT user_id, approved_at FROM fund_expense_approvals WHERE expense_id = ? ORDER BY approved_at, user_id`, id)
	if err != nil {
		return e, err
	}
	for rows.Next() {
		var a Approval
		var at int64
		if err := rows.Scan(&a.UserID, &at); err != nil {
			rows.Close()
			return e, err
		}
		a.At = store.Time(at)
		e.Approvals = append(e.Approvals, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return e, err
	}
	if e.Files, err = expenseFilesOf(ctx, q, id); err != nil {
		return e, err
	}
	ids := []int64{e.SubmittedBy}
	for _, a := range e.Approvals {
		ids = append(ids, a.UserID)
	}
	names, err := account.Names(ctx, q, ids)
	if err != nil {
		return e, err
	}
	e.Submitter = names[e.SubmittedBy]
	for i := range e.Approvals {
		e.Approvals[i].Name = names[e.Approvals[i].UserID]
	}
	if e.CampaignID != 0 {
		err := q.QueryRow(ctx, `SELECT c.title, COALESCE((SELECT label FROM fund_budget_lines WHERE id = ? AND campaign_id = c.id), '')
			FROM fund_campaigns c WHERE c.id = ?`, e.LineID, e.CampaignID).Scan(&e.Campaign, &e.Line)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return e, err
		}
	}
	return e, nil
}

// expenseAs loads expense id for u: its submitter and the workspace's
// treasurers see it; the rest of the workspace sees it without the IBAN.
func (s *Service) expenseAs(ctx context.Context, q store.Querier, u *account.User, id int64) (Expense, workspace.Viewer, error) {
	e, err := loadExpense(ctx, q, id)
	if err != nil {
		return e, workspace.Viewer{}, err
	}
	_, v, err := workspace.ViewerIn(ctx, q, u, itoa64(e.WorkspaceID))
	if err != nil {
		return e, v, err
	}
	mine := u != nil && e.SubmittedBy == u.ID
	if !v.Sees(workspace.Visibility(workspace.Members)) && !mine {
		return e, v, errNotFound
	}
	if !mine && !v.Has(workspace.RoleTreasurer) {
		e.IBAN = ""
	}
	e.Rights = expenseRights(e, v)
	if e.Required, err = approvalsRequired(ctx, q, e.WorkspaceID); err != nil {
		return e, v, err
	}
	return e, v, nil
}

// ExpenseCampaigns are the campaigns of workspace wsRef an expense may be
// booked against, with their budget lines, for u's form: those that raise
// or raised money (running, succeeded). The members circle and inside.
func (s *Service) ExpenseCampaigns(ctx context.Context, u *account.User, wsRef string) ([]Campaign, error) {
	ws, v, err := workspace.ViewerIn(ctx, s.DB, u, wsRef)
	if err != nil {
		return nil, err
	}
	if !v.Sees(workspace.Visibility(workspace.Members)) {
		return nil, errForbidden
	}
	ids, err := store.IDs(ctx, s.DB, `SELECT id FROM fund_campaigns WHERE workspace_id = ? AND state IN ('running', 'succeeded') ORDER BY id DESC`, ws.ID)
	if err != nil {
		return nil, err
	}
	out := make([]Campaign, 0, len(ids))
	for _, id := range ids {
		c, err := loadCampaign(ctx, s.DB, id)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// Approvals is how many approvals an expense of workspace wsID needs.
func approvalsRequired(ctx context.Context, q store.Querier, wsID int64) (int, error) {
	n := 1
	err := q.QueryRow(ctx, `SELECT approvals_required FROM fund_settings WHERE workspace_id = ?`, wsID).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 1, nil
	}
	return n, err
}

// SetApprovals sets how many treasurers approve an expense in workspace
// wsRef (1 to 5). Core only.
func (s *Service) SetApprovals(ctx context.Context, u *account.User, wsRef string, n int) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		ws, v, err := workspace.ViewerIn(ctx, tx, u, wsRef)
		if err != nil {
			return err
		}
		if !v.Core() {
			return errForbidden
		}
		if n < 1 || n > 5 {
			return &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"approvals": "number.out_of_range"}}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO fund_settings (workspace_id, approvals_required) VALUES (?, ?)
			ON CONFLICT (workspace_id) DO UPDATE SET approvals_required = excluded.approvals_required`, ws.ID, n); err != nil {
			return err
		}
		return audit.RecordID(ctx, tx, "fund.approvals_set", "workspace", ws.ID, map[string]any{"approvals": n})
	})
}

// SubmitExpense submits an expense in workspace wsRef (submit false: keep
// it as a draft).
func (s *Service) SubmitExpense(ctx context.Context, u *account.User, wsRef string, d DraftExpense, submit bool) (Expense, error) {
	if u == nil {
		return Expense{}, errSignIn
	}
	f := d.Clean()
	now := s.Now.Time()
	var id int64
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		ws, v, err := workspace.ViewerIn(ctx, tx, u, wsRef)
		if err != nil {
			return err
		}
		if !v.Sees(workspace.Visibility(workspace.Members)) {
			return errForbidden
		}
		if d.CampaignID != 0 {
			c, err := loadCampaign(ctx, tx, d.CampaignID)
			if err != nil || c.WorkspaceID != ws.ID {
				f.Add("campaign", "choice.unknown")
			} else if d.LineID != 0 && !hasLine(c, d.LineID) {
				f.Add("line", "choice.unknown")
			}
		} else if d.LineID != 0 {
			f.Add("line", "choice.unknown")
		}
		if err := f.Err(); err != nil {
			return err
		}
		state := ExpenseDraft
		if submit {
			state = ExpensePending
			if err := s.checkPending(ctx, tx, ws.ID, u.ID); err != nil {
				return err
			}
		} else if err := s.checkDrafts(ctx, tx, ws.ID, u.ID); err != nil {
			return err
		}
		var campaign, line any
		if d.CampaignID != 0 {
			campaign = d.CampaignID
		}
		if d.LineID != 0 {
			line = d.LineID
		}
		if err := tx.QueryRow(ctx, `INSERT INTO fund_expenses (workspace_id, campaign_id, line_id, title, description, cents, payee, iban, state,
			submitted_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			ws.ID, campaign, line, d.Title, d.Description, d.Cents, d.Payee, d.IBAN, state, u.ID, store.Millis(now), store.Millis(now)).Scan(&id); err != nil {
			return err
		}
		if err := insertExpenseFiles(ctx, tx, id, d.Files, now); err != nil {
			return err
		}
		return audit.RecordID(ctx, tx, "fund.expense_"+string(state), "fund_expense", id, map[string]any{"cents": d.Cents, "receipts": len(d.Files)})
	})
	if err != nil {
		return Expense{}, err
	}
	return loadExpense(ctx, s.DB, id)
}

func hasLine(c Campaign, id int64) bool {
	for _, l := range c.Lines {
		if l.ID == id {
			return true
		}
	}
	return false
}

// checkPending refuses a submission past MaxPendingPerPerson waiting
// expenses of one person in one workspace.
func (s *Service) checkPending(ctx context.Context, q store.Querier, wsID, userID int64) error {
	var n int
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM fund_expenses WHERE workspace_id = ? AND submitted_by = ? AND state = 'pending'`, wsID, userID).Scan(&n); err != nil {
		return err
	}
	if n >= MaxPendingPerPerson {
		return problem.New(problem.RateLimited, "fund.too_many_pending")
	}
	return nil
}

// DeleteDraft removes a draft expense with its receipts: never submitted,
// they are not yet the books. It returns the receipts' hashes, whose bytes
// the caller releases (the workspace store keeps them while anything else
// names them). Its submitter.
func (s *Service) DeleteDraft(ctx context.Context, u *account.User, id int64) ([]string, error) {
	var sums []string
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		e, v, err := s.expenseAs(ctx, tx, u, id)
		if err != nil {
			return err
		}
		if !expenseRights(e, v).Delete {
			if e.State != ExpenseDraft {
				return problem.New(problem.Conflict, "fund.expense_state")
			}
			return errForbidden
		}
		for _, f := range e.Files {
			sums = append(sums, f.SHA256)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM fund_expense_files WHERE expense_id = ?`, id); err != nil {
			return err
		}
		res, err := tx.Exec(ctx, `DELETE FROM fund_expenses WHERE id = ? AND state = 'draft'`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return problem.New(problem.Conflict, "fund.expense_state")
		}
		return audit.RecordID(ctx, tx, "fund.expense_deleted", "fund_expense", id, map[string]any{"workspace": e.WorkspaceID, "files": len(sums)})
	})
	return sums, err
}

// checkDrafts refuses a new draft past MaxDraftsPerPerson.
func (s *Service) checkDrafts(ctx context.Context, q store.Querier, wsID, userID int64) error {
	var n int
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM fund_expenses WHERE workspace_id = ? AND submitted_by = ? AND state = 'draft'`, wsID, userID).Scan(&n); err != nil {
		return err
	}
	if n >= MaxDraftsPerPerson {
		return problem.New(problem.RateLimited, "fund.too_many_drafts")
	}
	return nil
}

// Submit sends a draft for approval. Its submitter.
func (s *Service) Submit(ctx context.Context, u *account.User, id int64) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		e, _, err := s.expenseAs(ctx, tx, u, id)
		if err != nil {
			return err
		}
		if u == nil || e.SubmittedBy != u.ID {
			return errForbidden
		}
		if e.State != ExpenseDraft {
			return problem.New(problem.Conflict, "fund.expense_state")
		}
		if err := s.checkPending(ctx, tx, e.WorkspaceID, u.ID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE fund_expenses SET state = 'pending', updated_at = ? WHERE id = ? AND state = 'draft'`, s.Now.Millis(), id); err != nil {
			return err
		}
		return audit.RecordID(ctx, tx, "fund.expense_pending", "fund_expense", id, nil)
	})
}

// Approve adds u's approval to a pending expense; with as many as the
// workspace requires, it is approved. A treasurer, never the submitter,
// once.
func (s *Service) Approve(ctx context.Context, u *account.User, id int64) (Expense, error) {
	now := s.Now.Time()
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		e, v, err := s.expenseAs(ctx, tx, u, id)
		if err != nil {
			return err
		}
		if !v.Has(workspace.RoleTreasurer) {
			return errForbidden
		}
		if e.SubmittedBy == u.ID {
			return problem.New(problem.Forbidden, "fund.own_expense")
		}
		if e.State != ExpensePending {
			return problem.New(problem.Conflict, "fund.expense_state")
		}
		res, err := tx.Exec(ctx, `INSERT INTO fund_expense_approvals (expense_id, user_id, approved_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
			id, u.ID, store.Millis(now))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return problem.New(problem.Conflict, "fund.approved_before")
		}
		need, err := approvalsRequired(ctx, tx, e.WorkspaceID)
		if err != nil {
			return err
		}
		if err := audit.RecordID(ctx, tx, "fund.expense_approval", "fund_expense", id, map[string]any{"approvals": len(e.Approvals) + 1, "needed": need}); err != nil {
			return err
		}
		if len(e.Approvals)+1 < need {
			return nil
		}
		_, err = tx.Exec(ctx, `UPDATE fund_expenses SET state = 'approved', updated_at = ? WHERE id = ? AND state = 'pending'`, store.Millis(now), id)
		return err
	})
	if err != nil {
		return Expense{}, err
	}
	e, _, err := s.expenseAs(ctx, s.DB, u, id)
	return e, err
}

// Reject turns a pending or approved expense down, with a reason. A
// treasurer.
func (s *Service) Reject(ctx context.Context, u *account.User, id int64, reason string) error {
	reason = strings.TrimSpace(reason)
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		e, v, err := s.expenseAs(ctx, tx, u, id)
		if err != nil {
			return err
		}
		if !v.Has(workspace.RoleTreasurer) {
			return errForbidden
		}
		if e.State != ExpensePending && e.State != ExpenseApproved {
			return problem.New(problem.Conflict, "fund.expense_state")
		}
		f := problem.Fields{}
		textcheck.Field(f, "reason", reason, MaxSummary, true)
		if err := f.Err(); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE fund_expenses SET state = 'rejected', reason = ?, updated_at = ? WHERE id = ?`, reason, s.Now.Millis(), id); err != nil {
			return err
		}
		return audit.RecordID(ctx, tx, "fund.expense_rejected", "fund_expense", id, nil)
	})
}

// Pay books an approved expense as paid from the initiative's account
// (the treasurer has made the transfer). A treasurer; not more than the
// account holds.
func (s *Service) Pay(ctx context.Context, u *account.User, id int64) error {
	now := s.Now.Time()
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		e, v, err := s.expenseAs(ctx, tx, u, id)
		if err != nil {
			return err
		}
		if !v.Has(workspace.RoleTreasurer) {
			return errForbidden
		}
		if e.State != ExpenseApproved {
			return problem.New(problem.Conflict, "fund.expense_state")
		}
		acct, err := ledger.Open(ctx, tx, initiativeAccount(e.WorkspaceID), ledger.Fund, "", now)
		if err != nil {
			return err
		}
		if acct.Held() < e.Cents {
			return problem.New(problem.Conflict, "fund.insufficient")
		}
		if _, err := ledger.Open(ctx, tx, providerAccount(string(Bank)), ledger.Asset, "", now); err != nil {
			return err
		}
		t := ledger.Move("expense", providerAccount(string(Bank)), initiativeAccount(e.WorkspaceID), e.Cents, e.Title)
		t.Ref = "expense:" + itoa64(id)
		txID, err := ledger.Post(ctx, tx, t, now)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE fund_expenses SET state = 'paid', paid_tx = ?, updated_at = ? WHERE id = ? AND state = 'approved'`,
			txID, store.Millis(now), id); err != nil {
			return err
		}
		return audit.RecordID(ctx, tx, "fund.expense_paid", "fund_expense", id, map[string]any{"cents": e.Cents, "tx": txID})
	})
}

// Expenses lists workspace wsRef's expenses as u may see them: everyone
// in its members circle or inside sees them all (who submitted, approved,
// paid: the point is that it is open), IBANs only their submitters and
// the treasurers; drafts only their submitters. Newest first.
func (s *Service) Expenses(ctx context.Context, u *account.User, wsRef string) ([]Expense, int, error) {
	ws, v, err := workspace.ViewerIn(ctx, s.DB, u, wsRef)
	if err != nil {
		return nil, 0, err
	}
	if !v.Sees(workspace.Visibility(workspace.Members)) {
		return nil, 0, errForbidden
	}
	need, err := approvalsRequired(ctx, s.DB, ws.ID)
	if err != nil {
		return nil, 0, err
	}
	ids, err := store.IDs(ctx, s.DB, `SELECT id FROM fund_expenses WHERE workspace_id = ? AND (state <> 'draft' OR submitted_by = ?) ORDER BY id DESC LIMIT 500`,
		ws.ID, u.ID)
	if err != nil {
		return nil, 0, err
	}
	out := make([]Expense, 0, len(ids))
	for _, id := range ids {
		e, _, err := s.expenseAs(ctx, s.DB, u, id)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, e)
	}
	return out, need, nil
}

// Expense returns expense id as u may see it.
func (s *Service) Expense(ctx context.Context, u *account.User, id int64) (Expense, error) {
	e, _, err := s.expenseAs(ctx, s.DB, u, id)
	if err == nil && e.State == ExpenseDraft && (u == nil || e.SubmittedBy != u.ID) {
		return Expense{}, errNotFound
	}
	return e, err
}
