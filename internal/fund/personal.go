package fund

import (
	"context"

	"samen/internal/personal"
	"samen/internal/store"
)

// Funding's side of a person's rights over their data. The export holds
// their contributions (with the address, name and message they gave), the
// expenses they submitted (with a list of their receipts) and approved,
// and the campaigns they started.
//
// Erasure takes their address, public name and message off their
// contributions and their payee name and IBAN off their expenses. The
// amounts stay: the ledger's transactions never change, and a campaign's
// total must stay what it was. The receipts stay too: they are the
// workspace's books, which it keeps for seven years (expense_files.go). A
// contribution keeps its account id (as a number, for the cap on matches
// per contributor); the account itself is erased by the account part.

var _ personal.Holder = (*Service)(nil)

// Part names funding in exports.
func (s *Service) Part() string { return "fund" }

// ExportPerson returns what funding holds about the person.
func (s *Service) ExportPerson(ctx context.Context, q store.Querier, userID int64) ([]personal.Table, error) {
	times := []string{"created", "paid", "approved"}
	return personal.Tables(ctx, q, userID, []personal.Query{
		{Table: personal.Table{Name: "fund_contributions", Columns: []string{"contribution", "campaign", "email", "public_name", "message", "cents", "method", "status", "created", "paid"}},
			SQL: `SELECT id, campaign_id, email, public_name, message, cents, provider, status, created_at, COALESCE(paid_at, 0) FROM fund_contributions WHERE user_id = ? ORDER BY id`, Times: times},
		{Table: personal.Table{Name: "fund_expenses", Columns: []string{"expense", "workspace", "title", "description", "cents", "payee", "iban", "state", "reason", "created"}},
			SQL: `SELECT id, workspace_id, title, description, cents, payee, iban, state, reason, created_at FROM fund_expenses WHERE submitted_by = ? ORDER BY id`, Times: times},
		{Table: personal.Table{Name: "fund_expense_files", Columns: []string{"file", "expense", "name", "media_type", "bytes", "sha256", "created"}},
			SQL: `SELECT f.id, f.expense_id, f.name, f.media_type, f.size, f.sha256, f.created_at FROM fund_expense_files f
				JOIN fund_expenses e ON e.id = f.expense_id WHERE e.submitted_by = ? ORDER BY f.id`, Times: times},
		{Table: personal.Table{Name: "fund_approvals", Columns: []string{"expense", "approved"}},
			SQL: `SELECT expense_id, approved_at FROM fund_expense_approvals WHERE user_id = ? ORDER BY expense_id`, Times: times},
		{Table: personal.Table{Name: "fund_campaigns", Columns: []string{"campaign", "workspace", "title", "state", "created"}},
			SQL: `SELECT id, workspace_id, title, state, created_at FROM fund_campaigns WHERE created_by = ? ORDER BY id`, Times: times},
	})
}

// ErasePerson removes the person from funding, as the comment at the top
// of this file says. Contributions given without an account under their
// address go too.
func (s *Service) ErasePerson(ctx context.Context, q store.Querier, p personal.Person) error {
	for _, stmt := range []struct {
		sql  string
		args []any
	}{
		{`UPDATE fund_contributions SET email = '', public_name = '', message = '' WHERE user_id = ?`, []any{p.ID}},
		{`UPDATE fund_contributions SET email = '', public_name = '', message = '' WHERE user_id IS NULL AND email = ? AND email <> ''`, []any{p.Email}},
		{`UPDATE fund_expenses SET payee = '', iban = '' WHERE submitted_by = ?`, []any{p.ID}},
	} {
		if _, err := q.Exec(ctx, stmt.sql, stmt.args...); err != nil {
			return err
		}
	}
	return nil
}
