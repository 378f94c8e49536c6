package fund

import (
	"context"
	"errors"
	"strings"
	"time"

	"samen/internal/account"
	"samen/internal/audit"
	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/workspace"
)

// Receipts: the invoices and till slips an expense is claimed with, as on
// Open Collective. A member attaches them when submitting an expense, or
// adds them while it is a draft; whoever sees the expense downloads them
// (the workspace's members circle and inside, its submitter), never the
// public, and each download is in the audit log, as the reading of
// personal data is: a receipt may carry a name or an address.
//
// The bytes are in the workspaces' store by their SHA-256
// (workspace.Service.StoreBlobs); the rows here name them. Receipts are
// the workspace's books, which Dutch law keeps for seven years (art. 52
// AWR): nothing here deletes them, an erasure leaves them, and KeepsBlob
// tells the workspace store never to delete bytes a receipt names.

// Limits of receipts.
const (
	MaxExpenseFiles     = 5        // per expense
	MaxExpenseFileBytes = 10 << 20 // a phone's photo of a till slip, a scanned invoice
)

// expenseFileTypes are the kinds of file a receipt may be, as its bytes say
// (never its name or what a browser claims), each with the extension a
// receipt sent without a name is given.
var expenseFileTypes = map[string]string{"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}

// ExpenseFile is a receipt of an expense.
type ExpenseFile struct {
	ID        int64
	ExpenseID int64
	Name      string
	MediaType string
	Size      int64
	SHA256    string
	CreatedAt time.Time
}

// NewExpenseFile is a receipt to add: its bytes, in the store already, and
// the name it was sent with ("": one is made up from its type).
type NewExpenseFile struct {
	Name string
	Blob workspace.Blob
}

// cleanExpenseFiles checks receipts to add to an expense under the field
// "files" (how many it holds already is filesAllowed's), and tidies their
// names.
func cleanExpenseFiles(f problem.Fields, rs []NewExpenseFile) {
	if len(rs) > MaxExpenseFiles {
		f.Add("files", "fund.receipts_too_many")
		return
	}
	for i := range rs {
		r := &rs[i]
		ext, ok := expenseFileTypes[r.Blob.Type]
		switch {
		case !ok:
			f.Add("files", "fund.receipt_type")
		case r.Blob.Size <= 0 || r.Blob.Size > MaxExpenseFileBytes:
			f.Add("files", "fund.receipt_too_large")
		}
		if strings.TrimSpace(r.Name) == "" {
			r.Name = "receipt" + ext
		}
		name, code := workspace.CleanFileName(r.Name)
		if code != "" {
			f.Add("files", code)
		}
		r.Name = name
	}
}

// ExpenseFileProblem is the problem of the files field for an error of
// workspace.StoreBlobs that is about what was sent (too large, empty);
// other errors come back as they are.
func ExpenseFileProblem(err error) error {
	var be *workspace.BlobError
	if !errors.As(err, &be) {
		return err
	}
	if errors.Is(be.Err, workspace.ErrBlobEmpty) {
		return &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"files": "fund.receipt_empty"}}
	}
	return &problem.Error{Kind: problem.TooLarge, Code: "validation", Fields: problem.Fields{"files": "fund.receipt_too_large"}}
}

func insertExpenseFiles(ctx context.Context, tx *store.Tx, expenseID int64, rs []NewExpenseFile, now time.Time) error {
	for _, r := range rs {
		if _, err := tx.Exec(ctx, `INSERT INTO fund_expense_files (expense_id, name, media_type, size, sha256, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			expenseID, r.Name, r.Blob.Type, r.Blob.Size, r.Blob.SHA256, store.Millis(now)); err != nil {
			return err
		}
	}
	return nil
}

func expenseFilesOf(ctx context.Context, q store.Querier, expenseID int64) ([]ExpenseFile, error) {
	rows, err := q.Query(ctx, `SELECT id, expense_id, name, media_type, size, sha256, created_at FROM fund_expense_files WHERE expense_id = ? ORDER BY id`, expenseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ExpenseFile
	for rows.Next() {
		var r ExpenseFile
		var at int64
		if err := rows.Scan(&r.ID, &r.ExpenseID, &r.Name, &r.MediaType, &r.Size, &r.SHA256, &at); err != nil {
			return nil, err
		}
		r.CreatedAt = store.Time(at)
		out = append(out, r)
	}
	return out, rows.Err()
}

// MayAddExpense says whether u may submit an expense in workspace wsRef,
// before a byte of its receipts is read.
func (s *Service) MayAddExpense(ctx context.Context, u *account.User, wsRef string) error {
	if u == nil {
		return errSignIn
	}
	_, v, err := workspace.ViewerIn(ctx, s.DB, u, wsRef)
	if err != nil {
		return err
	}
	if !v.Sees(workspace.Visibility(workspace.Members)) {
		return errForbidden
	}
	return nil
}

// filesAllowed is why u may not add n receipts to expense id, or nil.
func (s *Service) filesAllowed(ctx context.Context, q store.Querier, u *account.User, id int64, n int) error {
	e, _, err := s.expenseAs(ctx, q, u, id)
	if err != nil {
		return err
	}
	switch {
	case e.State == ExpenseDraft && e.SubmittedBy != u.ID:
		return errNotFound // someone else's draft is not there for u
	case e.SubmittedBy != u.ID:
		return errForbidden
	case e.State != ExpenseDraft:
		return problem.New(problem.Conflict, "fund.expense_state")
	case len(e.Files)+n > MaxExpenseFiles:
		return &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"files": "fund.receipts_too_many"}}
	}
	return nil
}

// MayAddExpenseFiles says whether u may add receipts to expense id, before a
// byte of them is read: its submitter, while it is a draft with room.
func (s *Service) MayAddExpenseFiles(ctx context.Context, u *account.User, id int64) error {
	if u == nil {
		return errSignIn
	}
	return s.filesAllowed(ctx, s.DB, u, id, 1)
}

// AddExpenseFiles adds receipts to a draft expense. Its submitter.
func (s *Service) AddExpenseFiles(ctx context.Context, u *account.User, id int64, rs []NewExpenseFile) error {
	if u == nil {
		return errSignIn
	}
	now := s.Now.Time()
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := s.filesAllowed(ctx, tx, u, id, len(rs)); err != nil {
			return err
		}
		f := problem.Fields{}
		if len(rs) == 0 {
			f.Add("files", "required")
		}
		cleanExpenseFiles(f, rs)
		if err := f.Err(); err != nil {
			return err
		}
		if err := insertExpenseFiles(ctx, tx, id, rs, now); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE fund_expenses SET updated_at = ? WHERE id = ?`, store.Millis(now), id); err != nil {
			return err
		}
		return audit.RecordID(ctx, tx, "fund.receipts_added", "fund_expense", id, map[string]any{"receipts": len(rs)})
	})
}

// ExpenseFile returns receipt fileID of expense id for whoever may see the
// expense (as Expense decides), and records the reading in the audit log
// by ids (a file's name is something someone typed). The caller opens
// the bytes by the receipt's SHA256.
func (s *Service) ExpenseFile(ctx context.Context, u *account.User, id, fileID int64) (ExpenseFile, error) {
	e, err := s.Expense(ctx, u, id)
	if err != nil {
		return ExpenseFile{}, err
	}
	for _, r := range e.Files {
		if r.ID == fileID {
			return r, audit.RecordID(ctx, s.DB, "fund.receipt_download", "fund_expense_file", r.ID,
				map[string]any{"expense": e.ID, "workspace": e.WorkspaceID})
		}
	}
	return ExpenseFile{}, problem.New(problem.NotFound, "fund.receipt_not_found")
}

// KeepsBlob reports whether a receipt names the bytes of sum, so that the
// workspace store keeps them (workspace.Service.BlobInUse): receipts are
// kept with the books, whatever happens to a workspace file with the same
// bytes.
func (s *Service) KeepsBlob(ctx context.Context, sum string) (bool, error) {
	var n int
	err := s.DB.QueryRow(ctx, `SELECT COUNT(*) FROM fund_expense_files WHERE sha256 = ?`, sum).Scan(&n)
	return n > 0, err
}
