package workspace

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"samen/internal/account"
	"samen/internal/audit"
	"samen/internal/problem"
	"samen/internal/store"
)

// Importing participations from the spreadsheet a co-operative kept
// before: one row a holding, the member named by membership number or
// e-mail address, the class by name, the number of shares, the status and
// what is paid. Like the register's import: all or nothing, every problem
// by row and column, a dry run for the preview.

// participationHeaders maps the headers people write, in English and
// Dutch, to the columns of a participations import.
var participationHeaders = map[string]string{
	"number": "number", "membership number": "number", "lidnummer": "number", "nummer": "number",
	"email": "email", "e-mail": "email", "e-mailadres": "email", "email address": "email",
	"class": "class", "share class": "class", "soort": "class", "soort aandeel": "class", "project": "class",
	"shares": "shares", "aandelen": "shares", "aantal": "shares", "aantal aandelen": "shares", "participaties": "shares",
	"status": "status",
	"paid":   "paid", "betaald": "paid", "paid_cents": "paid_cents",
	"booked_on": "booked_on", "date": "booked_on", "datum": "booked_on", "betaald op": "booked_on",
}

// statusNames are the statuses as a file may write them.
var statusNames = map[string]Status{
	"interest": Interest, "interesse": Interest, "option": Option, "optie": Option,
	"granted": Granted, "toegekend": Granted, "final": Final, "definitief": Final,
}

// ParticipationPlan says what a participations import does, or did.
type ParticipationPlan struct {
	Format    string
	Rows      int             // participations added
	PaidCents int64           // capital booked for them
	ByStatus  map[Status]int  // participations per status
	Columns   map[string]int  // where each column was found (1 is A)
	Sample    []Participation // the first rows as stored
	Applied   bool
}

// ImportParticipations adds the holdings in sheet to the workspace ref in
// one transaction; the treasurer (or core) only. Each row is checked by the
// rules of a participation (the class's limits, with the file's earlier
// rows counted), a final one must be paid in full, and a row with "paid"
// books that capital. One problem anywhere and nothing is stored. With
// opt.DryRun the plan is returned and nothing stored.
func (s *Service) ImportParticipations(ctx context.Context, u *account.User, ref string, sheet *Sheet, opt ImportOptions) (ParticipationPlan, error) {
	if u == nil {
		return ParticipationPlan{}, errSignIn
	}
	return s.importParticipations(ctx, u, ref, sheet, opt)
}

// ImportParticipationsAsSystem is ImportParticipations for the shell.
func (s *Service) ImportParticipationsAsSystem(ctx context.Context, ref string, sheet *Sheet, opt ImportOptions) (ParticipationPlan, error) {
	return s.importParticipations(ctx, nil, ref, sheet, opt)
}

// errDryRun ends a dry run's transaction, so that what it tried is undone.
var errDryRun = errors.New("dry run")

func (s *Service) importParticipations(ctx context.Context, u *account.User, ref string, sheet *Sheet, opt ImportOptions) (ParticipationPlan, error) {
	plan := ParticipationPlan{Format: sheet.Format, ByStatus: map[Status]int{}, Columns: map[string]int{}}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		ws, err := load(ctx, tx, ref)
		if err != nil {
			return err
		}
		if u != nil {
			v, err := viewerOf(ctx, tx, ws.ID, u)
			if err != nil {
				return err
			}
			if !v.Has(RoleTreasurer) {
				return errForbidden
			}
		}
		var problems []Problem
		bad := func(row, col int, code string) {
			header := ""
			if col > 0 && col <= len(sheet.Header) {
				header = sheet.Header[col-1]
			}
			problems = append(problems, Problem{Row: row, Column: col, Header: header, Code: code})
		}
		for i, h := range sheet.Header {
			key, ok := participationHeaders[headerKey(h)]
			switch {
			case !ok:
				if !opt.SkipUnknown {
					bad(1, i+1, "column.unknown")
				}
			case plan.Columns[key] != 0:
				bad(1, i+1, "column.repeated")
			default:
				plan.Columns[key] = i + 1
			}
		}
		for _, need := range []string{"class", "shares"} {
			if plan.Columns[need] == 0 {
				problems = append(problems, Problem{Row: 1, Code: "column.missing_" + need})
			}
		}
		if plan.Columns["number"] == 0 && plan.Columns["email"] == 0 {
			problems = append(problems, Problem{Row: 1, Code: "column.missing_member"})
		}
		if len(problems) > 0 {
			return &ImportError{Problems: problems}
		}
		if len(sheet.Rows) > MaxImportRows {
			return fileProblem(0, "file.too_many_rows")
		}
		classes, err := shareClasses(ctx, tx, ws.ID)
		if err != nil {
			return err
		}
		cell := func(r SheetRow, key string) string {
			if c := plan.Columns[key]; c > 0 && c <= len(r.Cells) {
				return strings.TrimSpace(r.Cells[c-1])
			}
			return ""
		}
		for _, r := range sheet.Rows {
			before := len(problems)
			// The member.
			var m Member
			var found bool
			if n := cell(r, "number"); n != "" {
				number, ok := importNumber(n)
				if ok {
					m, found, err = memberWhere(ctx, tx, ws.ID, `number = ?`, number)
				}
				if err != nil {
					return err
				}
				if !ok || !found {
					bad(r.Row, plan.Columns["number"], "member.unknown")
				}
			} else if e := cell(r, "email"); e != "" {
				m, found, err = memberWhere(ctx, tx, ws.ID, `email = ? AND erased_at IS NULL`, strings.ToLower(e))
				if err != nil {
					return err
				}
				if !found {
					bad(r.Row, plan.Columns["email"], "member.unknown")
				}
			} else {
				col := plan.Columns["number"]
				if col == 0 {
					col = plan.Columns["email"]
				}
				bad(r.Row, col, "required")
			}
			if found && !m.Active() {
				bad(r.Row, max(plan.Columns["number"], plan.Columns["email"]), "member.left")
			}
			// The class, shares, status and payment.
			name := cell(r, "class")
			ci := slices.IndexFunc(classes, func(c ShareClass) bool { return strings.EqualFold(c.Name, name) })
			if ci < 0 {
				bad(r.Row, plan.Columns["class"], "choice.unknown")
			}
			shares, err := strconv.Atoi(cell(r, "shares"))
			if err != nil || shares <= 0 || shares > MaxSharesPerParticipation {
				bad(r.Row, plan.Columns["shares"], "number.out_of_range")
			}
			status := Interest
			if st := cell(r, "status"); st != "" {
				var ok bool
				if status, ok = statusNames[strings.ToLower(st)]; !ok {
					bad(r.Row, plan.Columns["status"], "choice.unknown")
				}
			}
			var paid int64
			if p := cell(r, "paid"); p != "" {
				var code string
				if paid, code = ParseCents(p); code != "" || paid < 0 {
					bad(r.Row, plan.Columns["paid"], "amount.invalid")
				}
			} else if p := cell(r, "paid_cents"); p != "" {
				var err error
				if paid, err = strconv.ParseInt(p, 10, 64); err != nil || paid < 0 || paid > MaxCents {
					bad(r.Row, plan.Columns["paid_cents"], "amount.invalid")
				}
			}
			bookedOn := cell(r, "booked_on")
			if bookedOn != "" {
				if bookedOn = importDate(sheet.Format, bookedOn); bookedOn == "" {
					bad(r.Row, plan.Columns["booked_on"], "date.invalid")
				}
			}
			if len(problems) > before {
				continue
			}
			value := classes[ci].NominalCents * int64(shares)
			paidCol := max(plan.Columns["paid"], plan.Columns["paid_cents"])
			switch {
			case paid > value:
				bad(r.Row, paidCol, "amount.above_value")
				continue
			case status == Final && paid < value:
				col := plan.Columns["status"]
				if col == 0 {
					col = paidCol
				}
				bad(r.Row, col, "status.unpaid")
				continue
			}
			// Stored at once, in this transaction, so that the next rows
			// count it against the class's limits; undone with the rest
			// if any row has a problem.
			id, err := s.addParticipation(ctx, tx, ws, u, NewParticipation{MemberID: m.ID, ClassID: classes[ci].ID, Shares: shares, Status: status})
			if p, ok := problem.As(err); ok {
				for field, code := range p.Fields {
					col := plan.Columns[field]
					if field == "member" {
						col = max(plan.Columns["number"], plan.Columns["email"])
					}
					bad(r.Row, col, code)
				}
				if len(p.Fields) == 0 {
					bad(r.Row, 0, p.Code)
				}
				continue
			}
			if err != nil {
				return err
			}
			if paid > 0 {
				if bookedOn == "" {
					bookedOn = s.today()
				}
				if _, err := s.insertEntry(ctx, tx, ws.ID, u, Entry{MemberID: m.ID, ParticipationID: id, Account: Capital, Kind: Deposit,
					AmountCents: paid, BookedOn: bookedOn, Description: "import"}); err != nil {
					return err
				}
			}
			plan.Rows++
			plan.PaidCents += paid
			plan.ByStatus[status]++
			if len(plan.Sample) < SampleRows {
				p, err := scanParticipation(tx.QueryRow(ctx, `SELECT `+participationColumns+participationFrom+` WHERE p.id = ?`, id))
				if err != nil {
					return err
				}
				plan.Sample = append(plan.Sample, p)
			}
		}
		if len(problems) > 0 {
			return &ImportError{Problems: problems}
		}
		if plan.Rows == 0 {
			return fileProblem(0, "import.no_rows")
		}
		if opt.DryRun {
			return errDryRun
		}
		plan.Applied = true
		return audit.RecordID(ctx, tx, "workspace.participations_import", "workspace", ws.ID,
			map[string]any{"rows": plan.Rows, "paid": plan.PaidCents, "format": sheet.Format})
	})
	if errors.Is(err, errDryRun) {
		return plan, nil
	}
	return plan, err
}

// memberWhere finds one row of the register by a condition.
func memberWhere(ctx context.Context, q store.Querier, wsID int64, cond string, arg any) (Member, bool, error) {
	m, err := scanMember(q.QueryRow(ctx, `SELECT `+memberColumns+` FROM workspace_members WHERE workspace_id = ? AND `+cond+` ORDER BY id LIMIT 1`, wsID, arg))
	if problem.Is(err, problem.NotFound) {
		return m, false, nil
	}
	return m, err == nil, err
}
