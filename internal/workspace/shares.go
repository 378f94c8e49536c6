package workspace

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"samen/internal/account"
	"samen/internal/audit"
	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/textcheck"
)

// Shares and participations, as Econobis keeps them for energy
// co-operatives: classes of shares with a nominal value and a minimum and
// maximum per member, and participations that move from interest to a
// final holding (or end). The money itself is in the ledger (ledger.go).

// ShareClass is a kind of share: "Zonnedak Noord", €250 each, at least 1
// and at most 20 per member.
type ShareClass struct {
	ID           int64
	Name         string
	NominalCents int64
	MinShares    int
	MaxShares    int // 0: no maximum
}

// Status is where a participation stands.
type Status string

const (
	Interest   Status = "interest"   // the member said they want to take part
	Option     Status = "option"     // the co-operative offered the shares
	Granted    Status = "granted"    // the board granted them (the member pays now)
	Final      Status = "final"      // paid and registered
	Terminated Status = "terminated" // ended: sold back, transferred or cancelled
)

// Statuses lists them in the order a participation goes through them.
var Statuses = []Status{Interest, Option, Granted, Final, Terminated}

// CanTransition says whether a participation may go from one status to
// another: one step forward at a time, or to terminated from any status
// but terminated. Nothing goes back: a mistake is ended and made anew, so
// the history shows it.
func CanTransition(from, to Status) bool {
	if to == Terminated {
		return from != Terminated && slices.Contains(Statuses, from)
	}
	i, j := slices.Index(Statuses, from), slices.Index(Statuses, to)
	return i >= 0 && j == i+1 && to != Terminated
}

// Participation is one member's holding of shares of one class.
type Participation struct {
	ID         int64
	MemberID   int64
	MemberName string
	Number     int64 // the member's membership number
	ClassID    int64
	ClassName  string
	Shares     int
	Status     Status
	ValueCents int64 // shares × nominal value
	PaidCents  int64 // what the capital ledger holds for it
	CreatedAt  time.Time
	UpdatedAt  time.Time
	History    []StatusChange
}

// StatusChange is one step of a participation's history.
type StatusChange struct {
	From, To Status
	Shares   int
	At       time.Time
	By       int64
}

// Limits of shares.
const MaxSharesPerParticipation = 1_000_000

// cleanClass tidies a class and names its problems.
func (c ShareClass) clean() (ShareClass, error) {
	f := problem.Fields{}
	c.Name = textcheck.Collapse(c.Name)
	checkText(f, "name", c.Name, MaxName, true)
	if c.NominalCents <= 0 || c.NominalCents > MaxCents {
		f.Add("nominal", "amount.positive")
	}
	if c.MinShares < 0 || c.MinShares > MaxSharesPerParticipation {
		f.Add("min_shares", "number.out_of_range")
	}
	if c.MaxShares < 0 || c.MaxShares > MaxSharesPerParticipation || (c.MaxShares > 0 && c.MaxShares < c.MinShares) {
		f.Add("max_shares", "number.out_of_range")
	}
	return c, f.Err()
}

// treasurer opens ref for someone who keeps the books.
func (s *Service) treasurer(ctx context.Context, tx store.Querier, u *account.User, ref string) (Workspace, Viewer, error) {
	ws, v, err := s.as(ctx, tx, u, ref)
	if err != nil {
		return ws, v, err
	}
	if !v.Has(RoleTreasurer) {
		return ws, v, errForbidden
	}
	return ws, v, nil
}

// ShareClasses lists the classes, for everyone in the workspace (what
// there is to take part in is no secret among members).
func (s *Service) ShareClasses(ctx context.Context, u *account.User, ref string) ([]ShareClass, error) {
	ws, v, err := s.as(ctx, s.DB, u, ref)
	if err != nil {
		return nil, err
	}
	if !v.In() {
		return nil, errForbidden
	}
	return shareClasses(ctx, s.DB, ws.ID)
}

func shareClasses(ctx context.Context, q store.Querier, wsID int64) ([]ShareClass, error) {
	rows, err := q.Query(ctx, `SELECT id, name, nominal_cents, min_shares, COALESCE(max_shares, 0) FROM workspace_share_classes
		WHERE workspace_id = ? ORDER BY name, id`, wsID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ShareClass
	for rows.Next() {
		var c ShareClass
		if err := rows.Scan(&c.ID, &c.Name, &c.NominalCents, &c.MinShares, &c.MaxShares); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// AddShareClass adds a class. The treasurer (or core). A class's nominal
// value never changes once shares are issued: make a new class instead.
func (s *Service) AddShareClass(ctx context.Context, u *account.User, ref string, c ShareClass) (ShareClass, error) {
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		ws, _, err := s.treasurer(ctx, tx, u, ref)
		if err != nil {
			return err
		}
		if c, err = c.clean(); err != nil {
			return err
		}
		var maxShares any
		if c.MaxShares > 0 {
			maxShares = c.MaxShares
		}
		err = tx.QueryRow(ctx, `INSERT INTO workspace_share_classes (workspace_id, name, nominal_cents, min_shares, max_shares, created_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, ws.ID, c.Name, c.NominalCents, c.MinShares, maxShares, s.Now.Millis()).Scan(&c.ID)
		if store.IsUniqueViolation(err) {
			return &problem.Error{Kind: problem.Conflict, Code: "validation", Fields: problem.Fields{"name": "name.taken"}}
		}
		if err != nil {
			return err
		}
		return audit.RecordID(ctx, tx, "workspace.share_class_add", "workspace", ws.ID, map[string]any{"class": c.ID, "nominal": c.NominalCents})
	})
	return c, err
}

const participationColumns = `p.id, p.member_id, m.name, m.number, p.class_id, c.name, p.shares, p.status, c.nominal_cents,
	COALESCE((SELECT SUM(l.amount_cents) FROM workspace_ledger l WHERE l.participation_id = p.id AND l.account = 'capital'), 0),
	p.created_at, p.updated_at`

const participationFrom = ` FROM workspace_participations p JOIN workspace_members m ON m.id = p.member_id
	JOIN workspace_share_classes c ON c.id = p.class_id`

func scanParticipation(row interface{ Scan(...any) error }) (Participation, error) {
	var p Participation
	var nominal, created, updated int64
	err := row.Scan(&p.ID, &p.MemberID, &p.MemberName, &p.Number, &p.ClassID, &p.ClassName, &p.Shares, &p.Status, &nominal, &p.PaidCents, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return p, problem.New(problem.NotFound, "workspace.participation_unknown")
	}
	p.ValueCents = int64(p.Shares) * nominal
	p.CreatedAt, p.UpdatedAt = store.Time(created), store.Time(updated)
	return p, err
}

func participations(ctx context.Context, q store.Querier, where string, args ...any) ([]Participation, error) {
	rows, err := q.Query(ctx, `SELECT `+participationColumns+participationFrom+` WHERE `+where+` ORDER BY m.number, c.name, p.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Participation
	for rows.Next() {
		p, err := scanParticipation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// ParticipationFilter selects participations.
type ParticipationFilter struct {
	MemberID int64  // 0: everyone's
	Status   Status // "": every status but terminated
	All      bool   // with terminated ones
}

// Participations returns the register of shares: the treasurer sees
// everyone's, anyone else only their own (Filter.MemberID is then theirs).
// Reading other people's holdings is audited.
func (s *Service) Participations(ctx context.Context, u *account.User, ref string, f ParticipationFilter) ([]Participation, error) {
	var out []Participation
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
		where, args := "p.workspace_id = ?", []any{ws.ID}
		if f.MemberID != 0 {
			where += " AND p.member_id = ?"
			args = append(args, f.MemberID)
		}
		switch {
		case f.Status != "":
			where += " AND p.status = ?"
			args = append(args, f.Status)
		case !f.All:
			where += " AND p.status <> 'terminated'"
		}
		if out, err = participations(ctx, tx, where, args...); err != nil {
			return err
		}
		if f.MemberID == v.MemberID {
			return nil
		}
		return audit.RecordID(ctx, tx, "workspace.shares_read", "workspace", ws.ID, map[string]any{"participations": len(out), "member": f.MemberID})
	})
	return out, err
}

// Participation returns one participation with its history: for the
// treasurer, or the member it belongs to.
func (s *Service) Participation(ctx context.Context, u *account.User, ref string, id int64) (Participation, error) {
	var p Participation
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		ws, v, err := s.as(ctx, tx, u, ref)
		if err != nil {
			return err
		}
		if !v.In() {
			return errForbidden
		}
		if p, err = scanParticipation(tx.QueryRow(ctx, `SELECT `+participationColumns+participationFrom+` WHERE p.id = ? AND p.workspace_id = ?`, id, ws.ID)); err != nil {
			return err
		}
		if !v.Has(RoleTreasurer) && p.MemberID != v.MemberID {
			return errForbidden
		}
		return loadHistory(ctx, tx, &p)
	})
	return p, err
}

func loadHistory(ctx context.Context, q store.Querier, p *Participation) error {
	rows, err := q.Query(ctx, `SELECT from_status, to_status, shares, at, COALESCE(by_user, 0) FROM workspace_participation_events
		WHERE participation_id = ? ORDER BY at, id`, p.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var c StatusChange
		var at int64
		if err := rows.Scan(&c.From, &c.To, &c.Shares, &at, &c.By); err != nil {
			return err
		}
		c.At = store.Time(at)
		p.History = append(p.History, c)
	}
	return rows.Err()
}

// NewParticipation is a member's wish to take part.
type NewParticipation struct {
	MemberID int64
	ClassID  int64
	Shares   int
	Status   Status // "": interest
}

// AddParticipation records a participation: the treasurer for anyone, a
// member for themselves (always as interest). The member's holdings in the
// class (those not terminated) must stay within the class's minimum and
// maximum.
func (s *Service) AddParticipation(ctx context.Context, u *account.User, ref string, n NewParticipation) (Participation, error) {
	var p Participation
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		ws, v, err := s.as(ctx, tx, u, ref)
		if err != nil {
			return err
		}
		if !v.Has(RoleTreasurer) {
			if !v.In() || n.MemberID != v.MemberID {
				return errForbidden
			}
			n.Status = Interest
		}
		if n.Status == "" {
			n.Status = Interest
		}
		id, err := s.addParticipation(ctx, tx, ws, u, n)
		if err != nil {
			return err
		}
		p, err = scanParticipation(tx.QueryRow(ctx, `SELECT `+participationColumns+participationFrom+` WHERE p.id = ?`, id))
		return err
	})
	return p, err
}

func (s *Service) addParticipation(ctx context.Context, tx store.Querier, ws Workspace, u *account.User, n NewParticipation) (int64, error) {
	f := problem.Fields{}
	if n.Shares <= 0 || n.Shares > MaxSharesPerParticipation {
		f.Add("shares", "number.out_of_range")
	}
	if !slices.Contains(Statuses, n.Status) || n.Status == Terminated {
		f.Add("status", "choice.unknown")
	}
	m, err := memberByID(ctx, tx, ws.ID, n.MemberID)
	if err != nil {
		f.Add("member", "member.unknown")
	} else if !m.Active() {
		f.Add("member", "member.left")
	}
	classes, err := shareClasses(ctx, tx, ws.ID)
	if err != nil {
		return 0, err
	}
	i := slices.IndexFunc(classes, func(c ShareClass) bool { return c.ID == n.ClassID })
	if i < 0 {
		f.Add("class", "choice.unknown")
	}
	if err := f.Err(); err != nil {
		return 0, err
	}
	if err := checkHolding(ctx, tx, classes[i], n.MemberID, 0, n.Shares); err != nil {
		return 0, err
	}
	now := s.Now.Millis()
	var id int64
	if err := tx.QueryRow(ctx, `INSERT INTO workspace_participations (workspace_id, member_id, class_id, shares, status, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, ws.ID, n.MemberID, n.ClassID, n.Shares, n.Status, now, now).Scan(&id); err != nil {
		return 0, err
	}
	if err := s.event(ctx, tx, u, id, "", n.Status, n.Shares); err != nil {
		return 0, err
	}
	return id, audit.RecordID(ctx, tx, "workspace.participation_add", "workspace", ws.ID,
		map[string]any{"participation": id, "member": n.MemberID, "class": n.ClassID, "shares": n.Shares, "status": string(n.Status)})
}

// checkHolding refuses a holding outside the class's limits: the member's
// shares in the class, not counting participation except (being changed)
// and ended ones, plus shares.
func checkHolding(ctx context.Context, q store.Querier, c ShareClass, memberID, except int64, shares int) error {
	var held int
	if err := q.QueryRow(ctx, `SELECT COALESCE(SUM(shares), 0) FROM workspace_participations WHERE member_id = ? AND class_id = ?
		AND status <> 'terminated' AND id <> ?`, memberID, c.ID, except).Scan(&held); err != nil {
		return err
	}
	total := held + shares
	switch {
	case c.MaxShares > 0 && total > c.MaxShares:
		return &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"shares": "shares.above_max"}}
	case total < c.MinShares:
		return &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"shares": "shares.below_min"}}
	}
	return nil
}

func (s *Service) event(ctx context.Context, tx store.Querier, u *account.User, id int64, from, to Status, shares int) error {
	var by any
	if u != nil {
		by = u.ID
	}
	_, err := tx.Exec(ctx, `INSERT INTO workspace_participation_events (participation_id, from_status, to_status, shares, at, by_user)
		VALUES (?, ?, ?, ?, ?, ?)`, id, from, to, shares, s.Now.Millis(), by)
	return err
}

// Advance moves a participation to its next status, or ends it. The
// treasurer only. A participation becomes final only when the capital
// ledger holds its full value.
func (s *Service) Advance(ctx context.Context, u *account.User, ref string, id int64, to Status) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		ws, _, err := s.treasurer(ctx, tx, u, ref)
		if err != nil {
			return err
		}
		p, err := scanParticipation(tx.QueryRow(ctx, `SELECT `+participationColumns+participationFrom+` WHERE p.id = ? AND p.workspace_id = ?`, id, ws.ID))
		if err != nil {
			return err
		}
		if !CanTransition(p.Status, to) {
			return &problem.Error{Kind: problem.Conflict, Code: "validation", Fields: problem.Fields{"status": "status.not_next"}}
		}
		if to == Final && p.PaidCents < p.ValueCents {
			return &problem.Error{Kind: problem.Conflict, Code: "validation", Fields: problem.Fields{"status": "status.unpaid"}}
		}
		if _, err := tx.Exec(ctx, `UPDATE workspace_participations SET status = ?, updated_at = ? WHERE id = ?`, to, s.Now.Millis(), id); err != nil {
			return err
		}
		if err := s.event(ctx, tx, u, id, p.Status, to, p.Shares); err != nil {
			return err
		}
		return audit.RecordID(ctx, tx, "workspace.participation_status", "workspace", ws.ID,
			map[string]any{"participation": id, "from": string(p.Status), "to": string(to)})
	})
}

// MemberByNumber finds a row of the register by its membership number, for
// those who keep the register or the books (they type numbers into forms).
func (s *Service) MemberByNumber(ctx context.Context, u *account.User, ref string, number int64) (Member, error) {
	ws, v, err := s.as(ctx, s.DB, u, ref)
	if err != nil {
		return Member{}, err
	}
	if !v.Has(RoleTreasurer) && !v.Has(RoleRegister) {
		return Member{}, errForbidden
	}
	var id int64
	err = s.DB.QueryRow(ctx, `SELECT id FROM workspace_members WHERE workspace_id = ? AND number = ?`, ws.ID, number).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Member{}, &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"number": "member.unknown"}}
	}
	if err != nil {
		return Member{}, err
	}
	return memberByID(ctx, s.DB, ws.ID, id)
}
