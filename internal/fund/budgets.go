package fund

import (
	"context"
	"slices"

	"samen/internal/account"
	"samen/internal/audit"
	"samen/internal/decide"
	"samen/internal/ledger"
	"samen/internal/problem"
	"samen/internal/store"
)

// Inverse crowdfunding (Som Energia's: members vote which projects the
// fund pays): a pool pays the projects a participatory budget funded
// (deciding together), each its cost, as long as the pool has money, in
// the order the budget's rule chose them. Each project's grant goes to an
// account of its own in the ledger, budget:B:project:P, from which the
// stewards pay the project out; a project is granted once by a pool.

// GrantedProject is what a pool granted one project.
type GrantedProject struct {
	ProjectID int64
	Title     string
	Cents     int64 // 0: the pool had nothing left, or granted it before
}

// GrantBudget has pool poolID pay budget budgetID's winners. The pool's
// managers; the budget's result must be out.
func (s *Service) GrantBudget(ctx context.Context, u *account.User, poolID, budgetID int64) ([]GrantedProject, error) {
	if s.Budgets == nil {
		return nil, problem.New(problem.Unsupported, "fund.no_budgets")
	}
	v, err := s.Budgets.GetBudget(ctx, u, budgetID)
	if err != nil {
		return nil, err
	}
	if v.Phase != decide.Results || v.Result == nil {
		return nil, problem.New(problem.Conflict, "fund.budget_not_decided")
	}
	funded := v.Result.Funded()
	now := s.Now.Time()
	var out []GrantedProject
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		out = nil
		if err := lockPool(ctx, tx, poolID); err != nil {
			return err
		}
		p, err := s.poolAs(ctx, tx, u, poolID)
		if err != nil {
			return err
		}
		if !p.mayManage(u) {
			return errForbidden
		}
		if p.State != PoolOpen {
			return problem.New(problem.Conflict, "fund.pool_not_open")
		}
		for _, id := range funded {
			i := slices.IndexFunc(v.Projects, func(pr decide.Project) bool { return pr.ID == id })
			if i < 0 {
				continue
			}
			pr := v.Projects[i]
			g := GrantedProject{ProjectID: pr.ID, Title: pr.Title}
			var before int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM fund_grants WHERE pool_id = ? AND budget_id = ? AND project_id = ?`, poolID, budgetID, pr.ID).Scan(&before); err != nil {
				return err
			}
			if before == 0 && p.LeftCents() > 0 {
				code := ledger.Code("budget", budgetID, "project", pr.ID)
				if _, err := ledger.Open(ctx, tx, code, ledger.Fund, pr.Title, now); err != nil {
					return err
				}
				g.Cents = min(pr.CostCents, p.LeftCents())
				if err := s.grant(ctx, tx, p, 0, code, grantFor{budget: budgetID, project: pr.ID, title: pr.Title}, g.Cents, now); err != nil {
					return err
				}
				// What the pool has left, for the next project.
				if p, err = loadPool(ctx, tx, poolID); err != nil {
					return err
				}
			}
			out = append(out, g)
		}
		return audit.RecordID(ctx, tx, "fund.budget_granted", "fund_pool", poolID, map[string]any{"budget": budgetID, "projects": len(out)})
	})
	return out, err
}
