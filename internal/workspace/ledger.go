package workspace

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"samen/internal/account"
	"samen/internal/audit"
	"samen/internal/problem"
	"samen/internal/store"
)

// The ledger: every euro that comes in or goes out, per member, in integer
// cents, on two accounts kept apart — capital (shares: the member's money,
// repayable) and fees (membership fees: the co-operative's to spend), as
// Foodsoft's users ask (#781). Entries are only ever added: the table
// refuses UPDATE and DELETE, and a mistake is corrected by an entry that
// reverses it, so the history cannot be rewritten.

// Account is one of the ledger's two accounts.
type Account string

const (
	Capital Account = "capital"
	Fees    Account = "fees"
)

// Kind is what an entry records.
type Kind string

const (
	Deposit    Kind = "deposit"    // money in: paying for shares (capital) or a contribution (fees)
	Withdrawal Kind = "withdrawal" // money out: shares repaid
	Transfer   Kind = "transfer"   // capital moving from one member to another (two entries)
	FeeKind    Kind = "fee"        // a membership fee paid
	Reversal   Kind = "reversal"   // undoes an earlier entry
)

// Entry is one line of the ledger.
type Entry struct {
	ID              int64
	MemberID        int64
	MemberName      string
	Number          int64
	ParticipationID int64
	FeeID           int64
	Account         Account
	Kind            Kind
	AmountCents     int64 // signed: in positive, out negative
	BookedOn        string
	Description     string
	TransferID      int64
	ReversesID      int64
	ReversedBy      int64 // the entry that reversed this one, 0 if none
	CreatedBy       int64
	CreatedAt       time.Time
}

// MaxEntryText is the longest description of a ledger entry.
const MaxEntryText = 500

// Booking is what the treasurer books: money in or out for a member.
type Booking struct {
	MemberID        int64
	ParticipationID int64 // for capital: the participation paid (or repaid)
	Account         Account
	Kind            Kind // Deposit or Withdrawal
	AmountCents     int64
	BookedOn        string // "": today
	Description     string
}

const entryColumns = `l.id, l.member_id, m.name, m.number, COALESCE(l.participation_id, 0), COALESCE(l.fee_id, 0), l.account, l.kind,
	l.amount_cents, l.booked_on, l.description, COALESCE(l.transfer_id, 0), COALESCE(l.reverses_id, 0),
	COALESCE((SELECT r.id FROM workspace_ledger r WHERE r.reverses_id = l.id), 0), COALESCE(l.created_by, 0), l.created_at`

func scanEntry(row interface{ Scan(...any) error }) (Entry, error) {
	var e Entry
	var created int64
	err := row.Scan(&e.ID, &e.MemberID, &e.MemberName, &e.Number, &e.ParticipationID, &e.FeeID, &e.Account, &e.Kind, &e.AmountCents,
		&e.BookedOn, &e.Description, &e.TransferID, &e.ReversesID, &e.ReversedBy, &e.CreatedBy, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return e, problem.New(problem.NotFound, "workspace.entry_unknown")
	}
	e.CreatedAt = store.Time(created)
	return e, err
}

// LedgerFilter selects entries.
type LedgerFilter struct {
	Account  Account // "": both
	MemberID int64   // 0: everyone
	Before   int64   // entries with id below this (paging back); 0: the newest
	Limit    int     // default 100, at most 1000
}

// Ledger returns entries, newest first, and the cursor for the next page
// (0 at the end). The treasurer sees every entry; anyone else in the
// workspace only their own.
func (s *Service) Ledger(ctx context.Context, u *account.User, ref string, f LedgerFilter) ([]Entry, int64, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	f.Limit = min(f.Limit, MaxPage)
	var out []Entry
	var next int64
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		ws, v, err := s.as(ctx, tx, u, ref)
		if err != nil {
			return err
		}
		if !v.Has(RoleTreasurer) {
			if !v.In() || (f.MemberID != 0 && f.MemberID != v.MemberID) {
				return errForbidden
			}
			f.MemberID = v.MemberID
		}
		where, args := []string{"l.workspace_id = ?"}, []any{ws.ID}
		if f.Account != "" {
			where, args = append(where, "l.account = ?"), append(args, f.Account)
		}
		if f.MemberID != 0 {
			where, args = append(where, "l.member_id = ?"), append(args, f.MemberID)
		}
		if f.Before > 0 {
			where, args = append(where, "l.id < ?"), append(args, f.Before)
		}
		rows, err := tx.Query(ctx, `SELECT `+entryColumns+` FROM workspace_ledger l JOIN workspace_members m ON m.id = l.member_id
			WHERE `+strings.Join(where, " AND ")+` ORDER BY l.id DESC LIMIT ?`, append(args, f.Limit+1)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanEntry(rows)
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if len(out) > f.Limit {
			out = out[:f.Limit]
			next = out[len(out)-1].ID
		}
		if f.MemberID == v.MemberID && v.MemberID != 0 {
			return nil
		}
		// Other people's money is personal data: the read is recorded.
		return audit.RecordID(ctx, tx, "workspace.ledger_read", "workspace", ws.ID,
			map[string]any{"entries": len(out), "member": f.MemberID, "account": string(f.Account)})
	})
	return out, next, err
}

// Balances are what the ledger holds, per account.
type Balances struct {
	Capital int64
	Fees    int64
}

// Balances returns the workspace's totals (treasurer), or the caller's own
// (anyone else in it).
func (s *Service) Balances(ctx context.Context, u *account.User, ref string) (Balances, error) {
	ws, v, err := s.as(ctx, s.DB, u, ref)
	if err != nil {
		return Balances{}, err
	}
	if !v.In() {
		return Balances{}, errForbidden
	}
	var member int64
	if !v.Has(RoleTreasurer) {
		member = v.MemberID
	}
	return balances(ctx, s.DB, ws.ID, member)
}

func balances(ctx context.Context, q store.Querier, wsID, memberID int64) (Balances, error) {
	var b Balances
	err := q.QueryRow(ctx, `SELECT COALESCE(SUM(CASE WHEN account = 'capital' THEN amount_cents ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN account = 'fees' THEN amount_cents ELSE 0 END), 0)
		FROM workspace_ledger WHERE workspace_id = ? AND (? = 0 OR member_id = ?)`, wsID, memberID, memberID).Scan(&b.Capital, &b.Fees)
	return b, err
}

// Book adds a deposit or withdrawal. The treasurer only. Capital must name
// the participation it pays for; a withdrawal cannot take more capital out
// of a participation than it holds.
func (s *Service) Book(ctx context.Context, u *account.User, ref string, b Booking) (Entry, error) {
	var e Entry
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		ws, _, err := s.treasurer(ctx, tx, u, ref)
		if err != nil {
			return err
		}
		f := problem.Fields{}
		if b.Account != Capital && b.Account != Fees {
			f.Add("account", "choice.unknown")
		}
		if b.Kind != Deposit && b.Kind != Withdrawal {
			f.Add("kind", "choice.unknown")
		}
		if b.AmountCents <= 0 || b.AmountCents > MaxCents {
			f.Add("amount", "amount.positive")
		}
		if b.BookedOn == "" {
			b.BookedOn = s.today()
		} else if d, ok := parseDate(b.BookedOn); ok {
			b.BookedOn = d
		} else {
			f.Add("booked_on", "date.invalid")
		}
		b.Description = strings.TrimSpace(b.Description)
		checkText(f, "description", b.Description, MaxEntryText, false)
		m, err := memberByID(ctx, tx, ws.ID, b.MemberID)
		if err != nil {
			f.Add("member", "member.unknown")
		}
		if b.Account == Capital {
			var p Participation
			if b.ParticipationID == 0 {
				f.Add("participation", "required")
			} else if p, err = scanParticipation(tx.QueryRow(ctx, `SELECT `+participationColumns+participationFrom+` WHERE p.id = ? AND p.workspace_id = ?`,
				b.ParticipationID, ws.ID)); err != nil || p.MemberID != m.ID {
				f.Add("participation", "choice.unknown")
			} else if b.Kind == Withdrawal && b.AmountCents > p.PaidCents {
				f.Add("amount", "amount.above_balance")
			}
		} else {
			b.ParticipationID = 0
		}
		if err := f.Err(); err != nil {
			return err
		}
		amount := b.AmountCents
		if b.Kind == Withdrawal {
			amount = -amount
		}
		id, err := s.insertEntry(ctx, tx, ws.ID, u, Entry{MemberID: b.MemberID, ParticipationID: b.ParticipationID, Account: b.Account, Kind: b.Kind,
			AmountCents: amount, BookedOn: b.BookedOn, Description: b.Description})
		if err != nil {
			return err
		}
		e, err = entryByID(ctx, tx, ws.ID, id)
		return err
	})
	return e, err
}

func entryByID(ctx context.Context, q store.Querier, wsID, id int64) (Entry, error) {
	return scanEntry(q.QueryRow(ctx, `SELECT `+entryColumns+` FROM workspace_ledger l JOIN workspace_members m ON m.id = l.member_id
		WHERE l.id = ? AND l.workspace_id = ?`, id, wsID))
}

func (s *Service) insertEntry(ctx context.Context, tx store.Querier, wsID int64, u *account.User, e Entry) (int64, error) {
	var by any
	if u != nil {
		by = u.ID
	}
	nullable := func(id int64) any {
		if id == 0 {
			return nil
		}
		return id
	}
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO workspace_ledger (workspace_id, member_id, participation_id, fee_id, account, kind, amount_cents, booked_on,
		description, transfer_id, reverses_id, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		wsID, e.MemberID, nullable(e.ParticipationID), nullable(e.FeeID), e.Account, e.Kind, e.AmountCents, e.BookedOn, e.Description,
		nullable(e.TransferID), nullable(e.ReversesID), by, s.Now.Millis()).Scan(&id)
	if err != nil {
		return 0, err
	}
	return id, audit.RecordID(ctx, tx, "workspace.ledger_"+string(e.Kind), "workspace", wsID,
		map[string]any{"entry": id, "account": string(e.Account), "amount": e.AmountCents, "member": e.MemberID})
}

// TransferShares moves paid-up capital from one member's participation to
// another member: a new participation of the same class for the receiver
// (final, for the shares the amount pays), two ledger entries that share a
// transfer id, and the giver's participation ended when nothing is left.
// The treasurer only. shares is how many shares move; the amount is their
// nominal value.
func (s *Service) TransferShares(ctx context.Context, u *account.User, ref string, fromParticipation, toMember int64, shares int, bookedOn string) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		ws, _, err := s.treasurer(ctx, tx, u, ref)
		if err != nil {
			return err
		}
		p, err := scanParticipation(tx.QueryRow(ctx, `SELECT `+participationColumns+participationFrom+` WHERE p.id = ? AND p.workspace_id = ?`,
			fromParticipation, ws.ID))
		if err != nil {
			return err
		}
		f := problem.Fields{}
		if p.Status != Final {
			f.Add("participation", "status.not_final")
		}
		if shares <= 0 || shares > p.Shares {
			f.Add("shares", "number.out_of_range")
		}
		if toMember == p.MemberID {
			f.Add("member", "member.same")
		}
		if bookedOn == "" {
			bookedOn = s.today()
		} else if d, ok := parseDate(bookedOn); ok {
			bookedOn = d
		} else {
			f.Add("booked_on", "date.invalid")
		}
		if err := f.Err(); err != nil {
			return err
		}
		amount := p.ValueCents / int64(p.Shares) * int64(shares)
		if amount > p.PaidCents {
			return &problem.Error{Kind: problem.Conflict, Code: "validation", Fields: problem.Fields{"shares": "amount.above_balance"}}
		}
		to, err := s.addParticipation(ctx, tx, ws, u, NewParticipation{MemberID: toMember, ClassID: p.ClassID, Shares: shares, Status: Final})
		if err != nil {
			return err
		}
		out, err := s.insertEntry(ctx, tx, ws.ID, u, Entry{MemberID: p.MemberID, ParticipationID: p.ID, Account: Capital, Kind: Transfer,
			AmountCents: -amount, BookedOn: bookedOn})
		if err != nil {
			return err
		}
		// Both halves carry the first half's id as the transfer's, so
		// either finds the other.
		if _, err := s.insertEntry(ctx, tx, ws.ID, u, Entry{MemberID: toMember, ParticipationID: to, Account: Capital, Kind: Transfer,
			AmountCents: amount, BookedOn: bookedOn, TransferID: out}); err != nil {
			return err
		}
		left := p.Shares - shares
		now := s.Now.Millis()
		if left == 0 {
			if _, err := tx.Exec(ctx, `UPDATE workspace_participations SET status = 'terminated', updated_at = ? WHERE id = ?`, now, p.ID); err != nil {
				return err
			}
			return s.event(ctx, tx, u, p.ID, p.Status, Terminated, 0)
		}
		if _, err := tx.Exec(ctx, `UPDATE workspace_participations SET shares = ?, updated_at = ? WHERE id = ?`, left, now, p.ID); err != nil {
			return err
		}
		return s.event(ctx, tx, u, p.ID, p.Status, p.Status, left)
	})
}

// Reverse books the opposite of an entry (and of its other half, for a
// transfer), with a description of why. The treasurer only. An entry is
// reversed once; a reversal is not reversed (book the entry anew).
func (s *Service) Reverse(ctx context.Context, u *account.User, ref string, entryID int64, why string) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		ws, _, err := s.treasurer(ctx, tx, u, ref)
		if err != nil {
			return err
		}
		f := problem.Fields{}
		why = strings.TrimSpace(why)
		checkText(f, "description", why, MaxEntryText, true)
		if err := f.Err(); err != nil {
			return err
		}
		e, err := entryByID(ctx, tx, ws.ID, entryID)
		if err != nil {
			return err
		}
		if err := s.reverse(ctx, tx, ws.ID, u, e, why); err != nil {
			return err
		}
		if e.Kind != Transfer {
			return nil
		}
		// The other half of a transfer.
		var other int64
		err = tx.QueryRow(ctx, `SELECT id FROM workspace_ledger WHERE workspace_id = ? AND kind = 'transfer' AND id <> ?
			AND (id = ? OR transfer_id = ?)`, ws.ID, e.ID, e.TransferID, e.ID).Scan(&other)
		if err != nil {
			return err
		}
		o, err := entryByID(ctx, tx, ws.ID, other)
		if err != nil {
			return err
		}
		return s.reverse(ctx, tx, ws.ID, u, o, why)
	})
}

func (s *Service) reverse(ctx context.Context, tx store.Querier, wsID int64, u *account.User, e Entry, why string) error {
	if e.Kind == Reversal {
		return problem.New(problem.Conflict, "workspace.reverse_reversal")
	}
	if e.ReversedBy != 0 {
		return problem.New(problem.Conflict, "workspace.already_reversed")
	}
	_, err := s.insertEntry(ctx, tx, wsID, u, Entry{MemberID: e.MemberID, ParticipationID: e.ParticipationID, FeeID: e.FeeID, Account: e.Account,
		Kind: Reversal, AmountCents: -e.AmountCents, BookedOn: s.today(), Description: why, ReversesID: e.ID})
	if err != nil {
		return err
	}
	if e.FeeID != 0 {
		// The fee it paid is unpaid again.
		_, err = tx.Exec(ctx, `UPDATE workspace_fees SET paid_entry = NULL WHERE id = ? AND paid_entry = ?`, e.FeeID, e.ID)
	}
	return err
}
