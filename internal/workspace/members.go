package workspace

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"samen/internal/account"
	"samen/internal/audit"
	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/textcheck"
)

// Member is one row of the register: a person who is or was in the
// workspace. Fields the viewer may not see are empty, and named in Hidden.
type Member struct {
	ID           int64
	WorkspaceID  int64
	UserID       int64 // 0: no account (imported, added by hand)
	Circle       Circle
	Number       int64
	Name         string
	Email        string
	Phone        string
	Address      string
	Joined       string // YYYY-MM-DD
	Left         string // "": still in
	Roles        []Role
	Unsubscribed bool
	Erased       bool
	Fields       map[string]string // the workspace's own fields, by key
	Consents     []Consent         // for the person and the register only
	Hidden       []string          // fields blanked for this viewer ("email", "fields.iban")
}

// Active reports whether the person is still in the workspace.
func (m Member) Active() bool { return m.Left == "" && !m.Erased }

// NewMember is a person added to the register: by an invitation, a join
// request, by hand or from a file.
type NewMember struct {
	UserID  int64
	Circle  Circle
	Name    string
	Email   string
	Phone   string
	Address string
	Joined  string // "": today
	Number  int64  // 0: the next free number
	Fields  map[string]string
}

// Clean tidies a new member and says what is wrong, field by field.
func (n NewMember) Clean() (NewMember, error) {
	f := problem.Fields{}
	n.Name = textcheck.Collapse(n.Name)
	n.Phone = textcheck.Collapse(n.Phone)
	n.Address = textcheck.Collapse(n.Address)
	checkText(f, "name", n.Name, MaxName, true)
	checkText(f, "phone", n.Phone, MaxContact, false)
	checkText(f, "address", n.Address, MaxContact, false)
	if strings.TrimSpace(n.Email) != "" {
		email, code := account.NormalizeEmail(n.Email)
		if code != "" {
			f.Add("email", code)
		}
		n.Email = email
	}
	if !n.Circle.Valid() {
		f.Add("circle", "choice.unknown")
	}
	if n.Joined != "" {
		if d, ok := parseDate(n.Joined); ok {
			n.Joined = d
		} else {
			f.Add("joined", "date.invalid")
		}
	}
	if n.Number < 0 {
		f.Add("number", "number.out_of_range")
	}
	return n, f.Err()
}

// parseDate reads a calendar date as people type it in the Netherlands and
// as spreadsheets write it: 2026-03-01, 1-3-2026, 01-03-2026 or 1/3/2026.
func parseDate(s string) (string, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.DateOnly, "2-1-2006", "02-01-2006", "2/1/2006", "02/01/2006"} {
		if t, err := time.Parse(layout, s); err == nil && t.Year() >= 1800 && t.Year() <= 9999 {
			return t.Format(time.DateOnly), true
		}
	}
	return "", false
}

// addMember writes a new row of the register in tx.
func (s *Service) addMember(ctx context.Context, tx store.Querier, wsID int64, n NewMember) (int64, error) {
	n, err := n.Clean()
	if err != nil {
		return 0, err
	}
	if n.Joined == "" {
		n.Joined = s.today()
	}
	if n.Number == 0 {
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(number), 0) + 1 FROM workspace_members WHERE workspace_id = ?`, wsID).Scan(&n.Number); err != nil {
			return 0, err
		}
	} else {
		var taken int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM workspace_members WHERE workspace_id = ? AND number = ?`, wsID, n.Number).Scan(&taken); err != nil {
			return 0, err
		}
		if taken > 0 {
			return 0, &problem.Error{Kind: problem.Conflict, Code: "validation", Fields: problem.Fields{"number": "number.taken"}}
		}
	}
	var user any
	if n.UserID != 0 {
		user = n.UserID
	}
	now := s.Now.Millis()
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO workspace_members (workspace_id, user_id, circle, number, name, email, phone, address, joined_on, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		wsID, user, n.Circle, n.Number, n.Name, n.Email, n.Phone, n.Address, n.Joined, now, now).Scan(&id)
	if err != nil {
		if store.IsUniqueViolation(err) {
			return 0, problem.New(problem.Conflict, "workspace.already_member")
		}
		return 0, err
	}
	if err := audit.RecordID(ctx, tx, "workspace.member_add", "workspace", wsID, map[string]any{"member": id, "circle": string(n.Circle), "user": n.UserID}); err != nil {
		return 0, err
	}
	return id, nil
}

// AddMember puts a person into the register by hand (someone who joined on
// paper, say). The register role may; only core adds to core.
func (s *Service) AddMember(ctx context.Context, u *account.User, ref string, n NewMember) (Member, error) {
	var m Member
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		ws, v, err := s.as(ctx, tx, u, ref)
		if err != nil {
			return err
		}
		if !v.Has(RoleRegister) || (n.Circle == Core && !v.Core()) {
			return errForbidden
		}
		if n.Email != "" {
			if email, code := account.NormalizeEmail(n.Email); code == "" {
				// Someone with an account under this address is linked at once.
				if uid, ok, err := account.ActiveID(ctx, tx, email); err != nil {
					return err
				} else if ok {
					n.UserID = uid
				}
			}
		}
		id, err := s.addMember(ctx, tx, ws.ID, n)
		if err != nil {
			return err
		}
		m, err = memberByID(ctx, tx, ws.ID, id)
		return err
	})
	return m, err
}

const memberColumns = `id, workspace_id, COALESCE(user_id, 0), circle, number, name, email, phone, address, joined_on, COALESCE(left_on, ''),
	unsubscribed_at IS NOT NULL, erased_at IS NOT NULL`

func scanMember(row interface{ Scan(...any) error }) (Member, error) {
	var m Member
	err := row.Scan(&m.ID, &m.WorkspaceID, &m.UserID, &m.Circle, &m.Number, &m.Name, &m.Email, &m.Phone, &m.Address, &m.Joined, &m.Left,
		&m.Unsubscribed, &m.Erased)
	if errors.Is(err, sql.ErrNoRows) {
		return m, problem.New(problem.NotFound, "workspace.member_not_found")
	}
	return m, err
}

func memberByID(ctx context.Context, q store.Querier, wsID, id int64) (Member, error) {
	m, err := scanMember(q.QueryRow(ctx, `SELECT `+memberColumns+` FROM workspace_members WHERE workspace_id = ? AND id = ?`, wsID, id))
	if err != nil {
		return m, err
	}
	m.Roles, err = rolesOf(ctx, q, m.ID)
	return m, err
}

// Filter selects rows of the register.
type Filter struct {
	Circle Circle // "": every circle
	Query  string // part of the name, any case
	Left   bool   // people who left, instead of those who are in
	After  int64  // membership numbers above this (paging)
	Limit  int    // default 100, at most 1000
}

// MaxPage is the most rows of the register one request returns.
const MaxPage = 1000

// Register returns rows of the register as u may see them, in order of
// membership number, and the number to page on from (0 at the end). Seeing
// the list at all needs the circle core chose (members by default);
// contact details and the workspace's own fields show by their own
// visibility. Every read that shows anyone but u is written to the audit
// log, with what it showed.
func (s *Service) Register(ctx context.Context, u *account.User, ref string, f Filter) ([]Member, int64, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	f.Limit = min(f.Limit, MaxPage)
	f.Query = textcheck.Collapse(f.Query)
	if f.Circle != "" && !f.Circle.Valid() {
		return nil, 0, &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"circle": "choice.unknown"}}
	}
	var out []Member
	var next int64
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		ws, v, err := s.as(ctx, tx, u, ref)
		if err != nil {
			return err
		}
		if !v.Sees(ws.Settings.Register) && !v.Has(RoleRegister) {
			return errForbidden
		}
		where := []string{"workspace_id = ?", "number > ?"}
		args := []any{ws.ID, f.After}
		if f.Left {
			where = append(where, "(left_on IS NOT NULL OR erased_at IS NOT NULL)")
		} else {
			where = append(where, "left_on IS NULL", "erased_at IS NULL")
		}
		if f.Circle != "" {
			where = append(where, "circle = ?")
			args = append(args, f.Circle)
		}
		if f.Query != "" {
			where = append(where, "LOWER(name) LIKE ? ESCAPE '\\'")
			args = append(args, "%"+likeEscape(strings.ToLower(f.Query))+"%")
		}
		args = append(args, f.Limit+1)
		rows, err := tx.Query(ctx, `SELECT `+memberColumns+` FROM workspace_members WHERE `+strings.Join(where, " AND ")+
			` ORDER BY number LIMIT ?`, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			m, err := scanMember(rows)
			if err != nil {
				rows.Close()
				return err
			}
			out = append(out, m)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(out) > f.Limit {
			out = out[:f.Limit]
			next = out[len(out)-1].Number
		}
		if err := attachRoles(ctx, tx, out); err != nil {
			return err
		}
		fields, err := fieldsOf(ctx, tx, ws.ID)
		if err != nil {
			return err
		}
		if err := attachValues(ctx, tx, fields, out); err != nil {
			return err
		}
		shown := map[string]bool{}
		others := 0
		for i := range out {
			for _, field := range out[i].restrict(v, ws.Settings, fields) {
				shown[field] = true
			}
			if out[i].ID != v.MemberID {
				others++
			}
		}
		if others == 0 {
			return nil
		}
		read := []string{"name", "circle"}
		for field := range shown {
			read = append(read, field)
		}
		slices.Sort(read[2:])
		return audit.RecordID(ctx, tx, "workspace.register_read", "workspace", ws.ID, map[string]any{
			"members": others, "fields": read, "circle": string(f.Circle), "left": f.Left})
	})
	return out, next, err
}

// restrict blanks the fields of m that v may not see and returns the
// fields it left visible (standard ones by name, the workspace's own as
// "fields.KEY").
func (m *Member) restrict(v Viewer, set Settings, fields []Field) []string {
	var shown []string
	own := v.MemberID != 0 && v.MemberID == m.ID
	for _, f := range fields {
		name := "fields." + f.Key
		if own || v.Has(RoleRegister) || v.Sees(f.Visibility) {
			if _, ok := m.Fields[f.Key]; ok {
				shown = append(shown, name)
			}
			continue
		}
		m.Hidden = append(m.Hidden, name)
		delete(m.Fields, f.Key)
	}
	if !own && !v.Has(RoleRegister) {
		m.Consents = nil
	}
	for _, field := range StandardFields {
		if own || v.Has(RoleRegister) || v.Sees(set.Fields[field]) {
			shown = append(shown, field)
			continue
		}
		m.Hidden = append(m.Hidden, field)
		switch field {
		case "email":
			m.Email = ""
		case "phone":
			m.Phone = ""
		case "address":
			m.Address = ""
		case "number":
			m.Number = 0
		case "joined":
			m.Joined, m.Left = "", ""
		}
	}
	return shown
}

func attachRoles(ctx context.Context, q store.Querier, ms []Member) error {
	if len(ms) == 0 {
		return nil
	}
	index := make(map[int64]int, len(ms))
	args := make([]any, len(ms))
	for i, m := range ms {
		index[m.ID] = i
		args[i] = m.ID
	}
	rows, err := q.Query(ctx, `SELECT member_id, role FROM workspace_roles WHERE member_id IN (`+
		strings.TrimSuffix(strings.Repeat("?, ", len(ms)), ", ")+`) ORDER BY role`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var r Role
		if err := rows.Scan(&id, &r); err != nil {
			return err
		}
		ms[index[id]].Roles = append(ms[index[id]].Roles, r)
	}
	return rows.Err()
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Self returns u's own row in the workspace, all of it.
func (s *Service) Self(ctx context.Context, u *account.User, ref string) (Member, error) {
	ws, v, err := s.as(ctx, s.DB, u, ref)
	if err != nil {
		return Member{}, err
	}
	if !v.In() {
		return Member{}, problem.New(problem.NotFound, "workspace.member_not_found")
	}
	return memberByID(ctx, s.DB, ws.ID, v.MemberID)
}

// Person returns one row of the register, as u may see it. Seeing another
// person's row is audited.
func (s *Service) Person(ctx context.Context, u *account.User, ref string, memberID int64) (Member, error) {
	var m Member
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		ws, v, err := s.as(ctx, tx, u, ref)
		if err != nil {
			return err
		}
		if memberID != v.MemberID && !v.Sees(ws.Settings.Register) && !v.Has(RoleRegister) {
			return errForbidden
		}
		if m, err = memberByID(ctx, tx, ws.ID, memberID); err != nil {
			return err
		}
		fields, err := fieldsOf(ctx, tx, ws.ID)
		if err != nil {
			return err
		}
		ms := []Member{m}
		if err := attachValues(ctx, tx, fields, ms); err != nil {
			return err
		}
		m = ms[0]
		if memberID == v.MemberID || v.Has(RoleRegister) {
			if m.Consents, err = consentsOf(ctx, tx, memberID); err != nil {
				return err
			}
		}
		shown := m.restrict(v, ws.Settings, fields)
		if memberID == v.MemberID {
			return nil
		}
		return audit.RecordID(ctx, tx, "workspace.member_read", "workspace_member", memberID,
			map[string]any{"workspace": ws.ID, "fields": append([]string{"name", "circle"}, shown...)})
	})
	return m, err
}

// Contact is what a person (or the register) corrects of a record.
type Contact struct {
	Name    string
	Email   string
	Phone   string
	Address string
}

// UpdateContact corrects a record's name and contact details: the person's
// own, or anyone's for the register role.
func (s *Service) UpdateContact(ctx context.Context, u *account.User, ref string, memberID int64, c Contact) (Member, error) {
	return s.Change(ctx, u, ref, memberID, Change{Contact: &c})
}

// Change is what one request changes of a record: any of the contact
// details, the workspace's own fields, the circle.
type Change struct {
	Contact *Contact
	Fields  map[string]string
	Circle  *Circle
}

// Change makes every change in ch to a record in one transaction, each by
// its own rule (contact details and fields: the person or the register;
// the circle: see Move). One refused or wrong part changes nothing.
func (s *Service) Change(ctx context.Context, u *account.User, ref string, memberID int64, ch Change) (Member, error) {
	var m Member
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		ws, v, err := s.as(ctx, tx, u, ref)
		if err != nil {
			return err
		}
		if ch.Contact != nil {
			if err := s.updateContact(ctx, tx, ws, v, memberID, *ch.Contact); err != nil {
				return err
			}
		}
		if ch.Fields != nil {
			if err := s.setValues(ctx, tx, ws, v, memberID, ch.Fields); err != nil {
				return err
			}
		}
		if ch.Circle != nil {
			if err := s.move(ctx, tx, ws, v, memberID, *ch.Circle); err != nil {
				return err
			}
		}
		m, err = memberByID(ctx, tx, ws.ID, memberID)
		return err
	})
	return m, err
}

func (s *Service) updateContact(ctx context.Context, tx store.Querier, ws Workspace, v Viewer, memberID int64, c Contact) error {
	if memberID != v.MemberID && !v.Has(RoleRegister) {
		return errForbidden
	}
	n, err := NewMember{Circle: Supporters, Name: c.Name, Email: c.Email, Phone: c.Phone, Address: c.Address}.Clean()
	if err != nil {
		return err
	}
	old, err := memberByID(ctx, tx, ws.ID, memberID)
	if err != nil {
		return err
	}
	if old.Erased {
		return problem.New(problem.Gone, "workspace.member_erased")
	}
	if _, err := tx.Exec(ctx, `UPDATE workspace_members SET name = ?, email = ?, phone = ?, address = ?, updated_at = ? WHERE id = ?`,
		n.Name, n.Email, n.Phone, n.Address, s.Now.Millis(), memberID); err != nil {
		return err
	}
	var changed []string
	for field, pair := range map[string][2]string{"name": {old.Name, n.Name}, "email": {old.Email, n.Email},
		"phone": {old.Phone, n.Phone}, "address": {old.Address, n.Address}} {
		if pair[0] != pair[1] {
			changed = append(changed, field)
		}
	}
	slices.Sort(changed)
	// The audit log names the fields that changed, never their values.
	return audit.RecordID(ctx, tx, "workspace.member_update", "workspace_member", memberID,
		map[string]any{"workspace": ws.ID, "fields": changed})
}

// coreCount is how many people are in core now.
func coreCount(ctx context.Context, q store.Querier, wsID int64) (int, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT COUNT(*) FROM workspace_members WHERE workspace_id = ? AND circle = 'core'
		AND left_on IS NULL AND erased_at IS NULL`, wsID).Scan(&n)
	return n, err
}

var errLastCore = problem.New(problem.Conflict, "workspace.last_core")

// CanMove says whether v may move someone from one circle to another: the
// register role moves people between the outer three circles; only core
// moves anyone into or out of core.
func CanMove(v Viewer, from, to Circle) bool {
	if !v.Has(RoleRegister) {
		return false
	}
	return (from != Core && to != Core) || v.Core()
}

// Move puts a person into another circle. The last core member cannot be
// moved out of core.
func (s *Service) Move(ctx context.Context, u *account.User, ref string, memberID int64, to Circle) error {
	_, err := s.Change(ctx, u, ref, memberID, Change{Circle: &to})
	return err
}

func (s *Service) move(ctx context.Context, tx store.Querier, ws Workspace, v Viewer, memberID int64, to Circle) error {
	// Who may move anyone at all is checked before anything is looked up,
	// so an outsider learns nothing about the register.
	if !v.Has(RoleRegister) {
		return errForbidden
	}
	if !to.Valid() {
		return &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"circle": "choice.unknown"}}
	}
	m, err := memberByID(ctx, tx, ws.ID, memberID)
	if err != nil {
		return err
	}
	if !CanMove(v, m.Circle, to) {
		return errForbidden
	}
	if !m.Active() {
		return problem.New(problem.Conflict, "workspace.member_left")
	}
	if m.Circle == to {
		return nil
	}
	if m.Circle == Core {
		if n, err := coreCount(ctx, tx, ws.ID); err != nil {
			return err
		} else if n <= 1 {
			return errLastCore
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE workspace_members SET circle = ?, updated_at = ? WHERE id = ?`, to, s.Now.Millis(), memberID); err != nil {
		return err
	}
	return audit.RecordID(ctx, tx, "workspace.member_move", "workspace_member", memberID,
		map[string]any{"workspace": ws.ID, "from": string(m.Circle), "to": string(to)})
}

// Leave ends u's own membership. The register keeps the row with the date
// of leaving. The last core member cannot leave: someone must stay to run
// the workspace (move another person into core first).
func (s *Service) Leave(ctx context.Context, u *account.User, ref string) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		ws, v, err := s.as(ctx, tx, u, ref)
		if err != nil {
			return err
		}
		if !v.In() {
			return problem.New(problem.NotFound, "workspace.member_not_found")
		}
		return s.end(ctx, tx, ws, v.MemberID, v.Circle, "workspace.leave")
	})
}

// End ends someone else's membership (they told the register, say). The
// register role may; ending a core member's takes core.
func (s *Service) End(ctx context.Context, u *account.User, ref string, memberID int64) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		ws, v, err := s.as(ctx, tx, u, ref)
		if err != nil {
			return err
		}
		if !v.Has(RoleRegister) {
			return errForbidden
		}
		m, err := memberByID(ctx, tx, ws.ID, memberID)
		if err != nil {
			return err
		}
		if m.Circle == Core && !v.Core() {
			return errForbidden
		}
		if !m.Active() {
			return problem.New(problem.Conflict, "workspace.member_left")
		}
		return s.end(ctx, tx, ws, memberID, m.Circle, "workspace.member_end")
	})
}

func (s *Service) end(ctx context.Context, tx store.Querier, ws Workspace, memberID int64, circle Circle, action string) error {
	if circle == Core {
		if n, err := coreCount(ctx, tx, ws.ID); err != nil {
			return err
		} else if n <= 1 {
			return errLastCore
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE workspace_members SET left_on = ?, updated_at = ? WHERE id = ?`, s.today(), s.Now.Millis(), memberID); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM workspace_roles WHERE member_id = ?`, memberID); err != nil {
		return err
	}
	return audit.RecordID(ctx, tx, action, "workspace_member", memberID, map[string]any{"workspace": ws.ID, "circle": string(circle)})
}

// Grant gives a delegated role to someone in the workspace. Core only.
func (s *Service) Grant(ctx context.Context, u *account.User, ref string, memberID int64, r Role) error {
	return s.setRole(ctx, u, ref, memberID, r, true)
}

// Revoke takes a delegated role back. Core only.
func (s *Service) Revoke(ctx context.Context, u *account.User, ref string, memberID int64, r Role) error {
	return s.setRole(ctx, u, ref, memberID, r, false)
}

func (s *Service) setRole(ctx context.Context, u *account.User, ref string, memberID int64, r Role, grant bool) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		ws, v, err := s.as(ctx, tx, u, ref)
		if err != nil {
			return err
		}
		if !v.Core() {
			return errForbidden
		}
		if !r.Valid() {
			return &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"role": "choice.unknown"}}
		}
		m, err := memberByID(ctx, tx, ws.ID, memberID)
		if err != nil {
			return err
		}
		if !m.Active() {
			return problem.New(problem.Conflict, "workspace.member_left")
		}
		action := "workspace.role_revoke"
		if grant {
			action = "workspace.role_grant"
			if slices.Contains(m.Roles, r) {
				return nil
			}
			if _, err := tx.Exec(ctx, `INSERT INTO workspace_roles (member_id, role, granted_by, granted_at) VALUES (?, ?, ?, ?)`,
				memberID, r, u.ID, s.Now.Millis()); err != nil {
				return err
			}
		} else if _, err := tx.Exec(ctx, `DELETE FROM workspace_roles WHERE member_id = ? AND role = ?`, memberID, r); err != nil {
			return err
		}
		return audit.RecordID(ctx, tx, action, "workspace_member", memberID, map[string]any{"workspace": ws.ID, "role": string(r)})
	})
}

// idString formats an id for the audit log's subject.
func idString(id int64) string { return strconv.FormatInt(id, 10) }
