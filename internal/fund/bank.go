package fund

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"strings"
	"time"

	"samen/internal/account"
	"samen/internal/audit"
	"samen/internal/camt"
	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/textcheck"
)

// Bank transfers: a contributor who pays by bank transfers with samen's
// reference; a steward imports the host's bank statement (ISO 20022
// CAMT.053, what Dutch banks export) and every booked credit whose
// reference and amount match an open bank-transfer contribution pays it.
// The rest waits for a person, who assigns it to a contribution or sets it
// aside. A line is known by its key (internal/camt), so the same
// statement imported twice books nothing twice; debits (money going out:
// expenses paid, refunds) are the host's own and are not kept.

// BankLineStates are where a statement's credit stands.
var BankLineStates = []string{"matched", "unassigned", "assigned", "ignored"}

// BankLine is a credit from a statement.
type BankLine struct {
	ID           int64
	Key          string
	Statement    string
	BookedOn     string
	Cents        int64
	Reference    string
	Remittance   string
	Counterparty string // the payer's name: personal data, stewards only
	State        string // matched, unassigned, assigned, ignored
	Contribution int64
	ImportedAt   time.Time
}

// Import is what an import did.
type Import struct {
	Credits    int // booked credits in the file
	New        int // of which not seen before
	Matched    int // of which paid a contribution
	Unassigned int // of which wait for a person
	Skipped    int // debits and lines not booked
}

// ImportStatement reads a CAMT.053 statement and books what it can.
// Stewards only: the statement is the host's bank account.
func (s *Service) ImportStatement(ctx context.Context, u *account.User, r io.Reader) (Import, error) {
	var imp Import
	if !account.IsSteward(u) {
		return imp, errForbidden
	}
	doc, err := camt.Read(r)
	if err != nil {
		return imp, err
	}
	now := s.Now.Time()
	for _, st := range doc.Statements {
		for _, l := range st.Lines {
			if !l.Booked() || !l.Credit || l.Reversal || l.Currency != "EUR" {
				imp.Skipped++
				continue
			}
			imp.Credits++
			ref, _ := l.Reference()
			remittance := strings.TrimSpace(l.Remittance + " " + l.CreditorRef)
			var fresh, matched bool
			var paid int64
			var late bool
			err := s.DB.InTx(ctx, func(tx *store.Tx) error {
				var id int64
				err := tx.QueryRow(ctx, `INSERT INTO fund_bank_lines (line_key, statement, booked_on, cents, credit, reference, remittance, counterparty,
					state, imported_by, imported_at) VALUES (?, ?, ?, ?, 1, ?, ?, ?, 'unassigned', ?, ?) ON CONFLICT (line_key) DO NOTHING RETURNING id`,
					l.Key, st.ID, l.BookingDate, l.Cents, ref, clip(remittance, 500), clip(l.Counterparty.Name, 200), u.ID, store.Millis(now)).Scan(&id)
				if errors.Is(err, sql.ErrNoRows) {
					return nil // imported before
				}
				if err != nil {
					return err
				}
				fresh = true
				if paid, err = openTransfer(ctx, tx, ref, l.Cents); err != nil || paid == 0 {
					return err
				}
				matched = true
				late, err = s.payFromLine(ctx, tx, id, paid, "matched", 0)
				return err
			})
			if err := s.afterBooking(ctx, paid, late, err); err != nil {
				return imp, err
			}
			switch {
			case !fresh:
			case matched:
				imp.New++
				imp.Matched++
			default:
				imp.New++
				imp.Unassigned++
			}
		}
	}
	if imp.Matched > 0 {
		s.wake() // the givers' thanks
	}
	err = audit.Record(ctx, s.DB, "fund.statement_imported", "bank_statement", doc.MessageID,
		map[string]any{"credits": imp.Credits, "new": imp.New, "matched": imp.Matched, "unassigned": imp.Unassigned})
	return imp, err
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// openTransfer finds the open bank-transfer contribution with reference
// ref and exactly cents (0 when there is none).
func openTransfer(ctx context.Context, tx store.Querier, ref string, cents int64) (int64, error) {
	if ref == "" {
		return 0, nil
	}
	var cid, want int64
	err := tx.QueryRow(ctx, `SELECT id, cents FROM fund_contributions WHERE provider = 'bank' AND provider_ref = ? AND status = 'open'`, ref).Scan(&cid, &want)
	if errors.Is(err, sql.ErrNoRows) || err == nil && want != cents {
		return 0, nil
	}
	return cid, err
}

// payFromLine books contribution cid as paid by bank line lineID, in tx.
func (s *Service) payFromLine(ctx context.Context, tx *store.Tx, lineID, cid int64, state string, by int64) (late bool, err error) {
	var settledBy any
	if by != 0 {
		settledBy = by
	}
	res, err := tx.Exec(ctx, `UPDATE fund_bank_lines SET state = ?, contribution_id = ?, settled_by = ?, settled_at = ?
		WHERE id = ? AND state = 'unassigned'`, state, cid, settledBy, s.Now.Millis(), lineID)
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, problem.New(problem.Conflict, "fund.line_settled")
	}
	return s.book(ctx, tx, cid)
}

// BankLines lists the imported credits in state ("" for all), newest
// first. Stewards only.
func (s *Service) BankLines(ctx context.Context, u *account.User, state string) ([]BankLine, error) {
	if !account.IsSteward(u) {
		return nil, errForbidden
	}
	rows, err := s.DB.Query(ctx, `SELECT id, line_key, statement, booked_on, cents, reference, remittance, counterparty, state,
		COALESCE(contribution_id, 0), imported_at FROM fund_bank_lines WHERE (? = '' OR state = ?) ORDER BY id DESC LIMIT 1000`, state, state)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []BankLine
	for rows.Next() {
		var l BankLine
		var at int64
		if err := rows.Scan(&l.ID, &l.Key, &l.Statement, &l.BookedOn, &l.Cents, &l.Reference, &l.Remittance, &l.Counterparty, &l.State,
			&l.Contribution, &at); err != nil {
			return nil, err
		}
		l.ImportedAt = store.Time(at)
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, audit.Record(ctx, s.DB, "fund.bank_lines_read", "bank_lines", state, map[string]any{"lines": len(out)})
}

// AssignLine settles a waiting credit by hand: it pays the open
// bank-transfer contribution cid, whose amount it must equal. Stewards.
func (s *Service) AssignLine(ctx context.Context, u *account.User, lineID, cid int64) error {
	if !account.IsSteward(u) {
		return errForbidden
	}
	var cents int64
	if err := s.DB.QueryRow(ctx, `SELECT cents FROM fund_bank_lines WHERE id = ?`, lineID).Scan(&cents); errors.Is(err, sql.ErrNoRows) {
		return errNotFound
	} else if err != nil {
		return err
	}
	c, err := loadContribution(ctx, s.DB, cid)
	f := problem.Fields{}
	switch {
	case err != nil || c.Method != Bank || c.Status != PaymentOpen:
		f.Add("contribution", "fund.not_open_transfer")
	case c.Cents != cents:
		f.Add("contribution", "fund.amount_differs")
	}
	if err := f.Err(); err != nil {
		return err
	}
	var late bool
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		late, err = s.payFromLine(ctx, tx, lineID, cid, "assigned", u.ID)
		return err
	})
	if err == nil {
		s.wake()
	}
	return s.afterBooking(ctx, cid, late, err)
}

// IgnoreLine sets a waiting credit aside (not a contribution: a deposit
// of a funder, say, booked by hand), with a note. Stewards.
func (s *Service) IgnoreLine(ctx context.Context, u *account.User, lineID int64, note string) error {
	if !account.IsSteward(u) {
		return errForbidden
	}
	f := problem.Fields{}
	textcheck.Field(f, "note", strings.TrimSpace(note), MaxSummary, true)
	if err := f.Err(); err != nil {
		return err
	}
	res, err := s.DB.Exec(ctx, `UPDATE fund_bank_lines SET state = 'ignored', settled_by = ?, settled_at = ? WHERE id = ? AND state = 'unassigned'`,
		u.ID, s.Now.Millis(), lineID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return problem.New(problem.Conflict, "fund.line_settled")
	}
	return audit.RecordID(ctx, s.DB, "fund.bank_line_ignored", "fund_bank_line", lineID, map[string]any{"note": strings.TrimSpace(note)})
}

// OpenTransfer is a contribution by bank transfer that waits for its
// money, as a steward assigning a bank line sees it.
type OpenTransfer struct {
	ID        int64
	Reference string
	Cents     int64
	Campaign  string
	CreatedAt time.Time
}

// OpenTransfers lists the contributions by bank transfer still waiting,
// the oldest first (at most 1000). Stewards only: they assign the lines.
func (s *Service) OpenTransfers(ctx context.Context, u *account.User) ([]OpenTransfer, error) {
	if !account.IsSteward(u) {
		return nil, errForbidden
	}
	rows, err := s.DB.Query(ctx, `SELECT k.id, k.provider_ref, k.cents, c.title, k.created_at FROM fund_contributions k
		JOIN fund_campaigns c ON c.id = k.campaign_id WHERE k.provider = 'bank' AND k.status = 'open' ORDER BY k.id LIMIT 1000`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []OpenTransfer
	for rows.Next() {
		var o OpenTransfer
		var at int64
		if err := rows.Scan(&o.ID, &o.Reference, &o.Cents, &o.Campaign, &at); err != nil {
			return nil, err
		}
		o.CreatedAt = store.Time(at)
		out = append(out, o)
	}
	return out, rows.Err()
}
