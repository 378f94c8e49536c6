package workspace

import (
	"context"
	"database/sql"
	"errors"

	"samen/internal/account"
	"samen/internal/audit"
	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/textcheck"
)

// Membership fees per period (Foodsoft's users ask for fee collection,
// #367): the treasurer opens a period with an amount; everyone then in the
// circles that pay owes it; paying books an entry on the fees account, and
// reversing that entry makes the fee unpaid again.

// FeePeriod is a period fees are due for: "2027", €25, due 1 March.
type FeePeriod struct {
	ID          int64
	Name        string
	AmountCents int64
	DueOn       string
	Fees        int   // how many people owe it
	Paid        int   // how many paid
	PaidCents   int64 // what came in
}

// Fee is one person's fee for one period.
type Fee struct {
	ID          int64
	PeriodID    int64
	PeriodName  string
	DueOn       string
	MemberID    int64
	MemberName  string
	Number      int64
	AmountCents int64
	PaidEntry   int64 // the ledger entry that paid it; 0: unpaid
	PaidOn      string
}

// Paid reports whether the fee is paid.
func (f Fee) Paid() bool { return f.PaidEntry != 0 }

// OpenFeePeriod opens a period: everyone active in the circle payers and
// the circles inside it owes amount. The treasurer only. People who join
// later are added with AddFee.
func (s *Service) OpenFeePeriod(ctx context.Context, u *account.User, ref, name string, amount int64, dueOn string, payers Circle) (FeePeriod, error) {
	var p FeePeriod
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		ws, _, err := s.treasurer(ctx, tx, u, ref)
		if err != nil {
			return err
		}
		f := problem.Fields{}
		name = textcheck.Collapse(name)
		checkText(f, "name", name, MaxName, true)
		if amount <= 0 || amount > MaxCents {
			f.Add("amount", "amount.positive")
		}
		if d, ok := parseDate(dueOn); ok {
			dueOn = d
		} else {
			f.Add("due_on", "date.invalid")
		}
		if !payers.Valid() {
			f.Add("payers", "choice.unknown")
		}
		if err := f.Err(); err != nil {
			return err
		}
		now := s.Now.Millis()
		p = FeePeriod{Name: name, AmountCents: amount, DueOn: dueOn}
		err = tx.QueryRow(ctx, `INSERT INTO workspace_fee_periods (workspace_id, name, amount_cents, due_on, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			ws.ID, name, amount, dueOn, now).Scan(&p.ID)
		if store.IsUniqueViolation(err) {
			return &problem.Error{Kind: problem.Conflict, Code: "validation", Fields: problem.Fields{"name": "name.taken"}}
		}
		if err != nil {
			return err
		}
		var circles []any
		for _, c := range Circles {
			if c.Within(Visibility(payers)) {
				circles = append(circles, c)
			}
		}
		placeholders := "?"
		for range circles[1:] {
			placeholders += ", ?"
		}
		res, err := tx.Exec(ctx, `INSERT INTO workspace_fees (period_id, member_id, amount_cents, created_at)
			SELECT ?, id, ?, ? FROM workspace_members WHERE workspace_id = ? AND left_on IS NULL AND erased_at IS NULL AND circle IN (`+placeholders+`)`,
			append([]any{p.ID, amount, now, ws.ID}, circles...)...)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		p.Fees = int(n)
		return audit.RecordID(ctx, tx, "workspace.fee_period_open", "workspace", ws.ID, map[string]any{"period": p.ID, "amount": amount, "fees": n})
	})
	return p, err
}

// FeePeriods lists the periods with what came in, newest first. The
// treasurer only.
func (s *Service) FeePeriods(ctx context.Context, u *account.User, ref string) ([]FeePeriod, error) {
	ws, _, err := s.treasurer(ctx, s.DB, u, ref)
	if err != nil {
		return nil, err
	}
	rows, err := s.DB.Query(ctx, `SELECT p.id, p.name, p.amount_cents, p.due_on, COUNT(f.id), COUNT(f.paid_entry), COALESCE(SUM(CASE WHEN f.paid_entry IS NULL THEN 0 ELSE f.amount_cents END), 0)
		FROM workspace_fee_periods p LEFT JOIN workspace_fees f ON f.period_id = p.id WHERE p.workspace_id = ?
		GROUP BY p.id, p.name, p.amount_cents, p.due_on ORDER BY p.due_on DESC, p.id DESC`, ws.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []FeePeriod
	for rows.Next() {
		var p FeePeriod
		if err := rows.Scan(&p.ID, &p.Name, &p.AmountCents, &p.DueOn, &p.Fees, &p.Paid, &p.PaidCents); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

const feeColumns = `f.id, f.period_id, p.name, p.due_on, f.member_id, m.name, m.number, f.amount_cents, COALESCE(f.paid_entry, 0),
	COALESCE((SELECT l.booked_on FROM workspace_ledger l WHERE l.id = f.paid_entry), '')`

const feeFrom = ` FROM workspace_fees f JOIN workspace_fee_periods p ON p.id = f.period_id JOIN workspace_members m ON m.id = f.member_id`

func scanFee(row interface{ Scan(...any) error }) (Fee, error) {
	var f Fee
	err := row.Scan(&f.ID, &f.PeriodID, &f.PeriodName, &f.DueOn, &f.MemberID, &f.MemberName, &f.Number, &f.AmountCents, &f.PaidEntry, &f.PaidOn)
	if errors.Is(err, sql.ErrNoRows) {
		return f, problem.New(problem.NotFound, "workspace.fee_unknown")
	}
	return f, err
}

// Fees lists the fees of a period (treasurer), or the caller's own fees
// over every period (period 0; anyone in the workspace).
func (s *Service) Fees(ctx context.Context, u *account.User, ref string, periodID int64, unpaidOnly bool) ([]Fee, error) {
	ws, v, err := s.as(ctx, s.DB, u, ref)
	if err != nil {
		return nil, err
	}
	where, args := "p.workspace_id = ?", []any{ws.ID}
	switch {
	case periodID != 0 && v.Has(RoleTreasurer):
		where, args = where+" AND f.period_id = ?", append(args, periodID)
	case periodID == 0 && v.In():
		where, args = where+" AND f.member_id = ?", append(args, v.MemberID)
	default:
		return nil, errForbidden
	}
	if unpaidOnly {
		where += " AND f.paid_entry IS NULL"
	}
	rows, err := s.DB.Query(ctx, `SELECT `+feeColumns+feeFrom+` WHERE `+where+` ORDER BY p.due_on DESC, m.number`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Fee
	for rows.Next() {
		f, err := scanFee(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if periodID == 0 {
		return out, nil
	}
	// Who paid and who did not is personal: the treasurer's read is
	// recorded.
	return out, audit.RecordID(ctx, s.DB, "workspace.fees_read", "workspace", ws.ID, map[string]any{"period": periodID, "fees": len(out)})
}

// PayFee books a fee as paid on bookedOn ("" today): an entry on the fees
// account. The treasurer only. A paid fee is unpaid again by reversing
// its entry (Reverse).
func (s *Service) PayFee(ctx context.Context, u *account.User, ref string, feeID int64, bookedOn string) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		ws, _, err := s.treasurer(ctx, tx, u, ref)
		if err != nil {
			return err
		}
		fee, err := scanFee(tx.QueryRow(ctx, `SELECT `+feeColumns+feeFrom+` WHERE f.id = ? AND p.workspace_id = ?`, feeID, ws.ID))
		if err != nil {
			return err
		}
		if fee.Paid() {
			return problem.New(problem.Conflict, "workspace.fee_paid")
		}
		if bookedOn == "" {
			bookedOn = s.today()
		} else if d, ok := parseDate(bookedOn); ok {
			bookedOn = d
		} else {
			return &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"booked_on": "date.invalid"}}
		}
		id, err := s.insertEntry(ctx, tx, ws.ID, u, Entry{MemberID: fee.MemberID, FeeID: fee.ID, Account: Fees, Kind: FeeKind,
			AmountCents: fee.AmountCents, BookedOn: bookedOn, Description: fee.PeriodName})
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE workspace_fees SET paid_entry = ? WHERE id = ? AND paid_entry IS NULL`, id, fee.ID)
		return err
	})
}

// AddFee makes someone owe a period's fee (a person who joined after the
// period opened). The treasurer only.
func (s *Service) AddFee(ctx context.Context, u *account.User, ref string, periodID, memberID int64) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		ws, _, err := s.treasurer(ctx, tx, u, ref)
		if err != nil {
			return err
		}
		var amount int64
		err = tx.QueryRow(ctx, `SELECT amount_cents FROM workspace_fee_periods WHERE id = ? AND workspace_id = ?`, periodID, ws.ID).Scan(&amount)
		if errors.Is(err, sql.ErrNoRows) {
			return problem.New(problem.NotFound, "workspace.fee_unknown")
		}
		if err != nil {
			return err
		}
		if _, err := memberByID(ctx, tx, ws.ID, memberID); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO workspace_fees (period_id, member_id, amount_cents, created_at) VALUES (?, ?, ?, ?)`,
			periodID, memberID, amount, s.Now.Millis())
		if store.IsUniqueViolation(err) {
			return problem.New(problem.Conflict, "workspace.fee_exists")
		}
		if err != nil {
			return err
		}
		return audit.RecordID(ctx, tx, "workspace.fee_add", "workspace", ws.ID, map[string]any{"period": periodID, "member": memberID})
	})
}
