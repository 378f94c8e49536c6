package workspace

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"time"

	"samen/internal/account"
	"samen/internal/audit"
	"samen/internal/mail"
	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/textcheck"
)

// InvitationTTL is how long an invitation can be accepted.
const InvitationTTL = 14 * 24 * time.Hour

// Invitation is an open (or past) invitation to join.
type Invitation struct {
	ID          int64
	WorkspaceID int64
	Email       string
	Circle      Circle
	InvitedBy   int64
	CreatedAt   time.Time
	ExpiresAt   time.Time
	AcceptedAt  time.Time
	RevokedAt   time.Time
}

// Open reports whether the invitation can still be accepted at now.
func (i Invitation) Open(now time.Time) bool {
	return i.AcceptedAt.IsZero() && i.RevokedAt.IsZero() && now.Before(i.ExpiresAt)
}

func newToken() (token, hash string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, hashToken(token)
}

func hashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// Invite mails an invitation to join circle, valid for InvitationTTL. The
// register role may invite; only core invites into core.
func (s *Service) Invite(ctx context.Context, u *account.User, ref, email string, circle Circle) (Invitation, error) {
	f := problem.Fields{}
	email, code := account.NormalizeEmail(email)
	if code != "" {
		f.Add("email", code)
	}
	if !circle.Valid() {
		f.Add("circle", "choice.unknown")
	}
	if err := f.Err(); err != nil {
		return Invitation{}, err
	}
	var inv Invitation
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		ws, v, err := s.as(ctx, tx, u, ref)
		if err != nil {
			return err
		}
		if !v.Has(RoleRegister) || (circle == Core && !v.Core()) {
			return errForbidden
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM workspace_members m WHERE m.workspace_id = ? AND m.left_on IS NULL
			AND m.erased_at IS NULL AND m.user_id IS NOT NULL AND m.email = ?`, ws.ID, email).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return &problem.Error{Kind: problem.Conflict, Code: "validation", Fields: problem.Fields{"email": "email.already_member"}}
		}
		now := s.Now.Time()
		token, hash := newToken()
		inv = Invitation{WorkspaceID: ws.ID, Email: email, Circle: circle, InvitedBy: u.ID, CreatedAt: now, ExpiresAt: now.Add(InvitationTTL)}
		if err := tx.QueryRow(ctx, `INSERT INTO workspace_invitations (workspace_id, email, circle, token_hash, invited_by, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, ws.ID, email, circle, hash, u.ID, store.Millis(now), store.Millis(inv.ExpiresAt)).Scan(&inv.ID); err != nil {
			return err
		}
		if err := audit.RecordID(ctx, tx, "workspace.invite", "workspace", ws.ID, map[string]any{"invitation": inv.ID, "circle": string(circle)}); err != nil {
			return err
		}
		return mail.Enqueue(ctx, tx, s.Letters.Invitation(ws, u.DisplayName(), email, circle, token, inv.ExpiresAt))
	})
	if err == nil {
		s.sent()
	}
	return inv, err
}

const invitationColumns = `id, workspace_id, email, circle, COALESCE(invited_by, 0), created_at, expires_at, COALESCE(accepted_at, 0), COALESCE(revoked_at, 0)`

func scanInvitation(row interface{ Scan(...any) error }) (Invitation, error) {
	var i Invitation
	var created, expires, accepted, revoked int64
	err := row.Scan(&i.ID, &i.WorkspaceID, &i.Email, &i.Circle, &i.InvitedBy, &created, &expires, &accepted, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return i, problem.New(problem.Gone, "workspace.invitation_unknown")
	}
	i.CreatedAt, i.ExpiresAt = store.Time(created), store.Time(expires)
	if accepted != 0 {
		i.AcceptedAt = store.Time(accepted)
	}
	if revoked != 0 {
		i.RevokedAt = store.Time(revoked)
	}
	return i, err
}

// Invitations lists the workspace's invitations that are still open, for
// the register.
func (s *Service) Invitations(ctx context.Context, u *account.User, ref string) ([]Invitation, error) {
	ws, v, err := s.as(ctx, s.DB, u, ref)
	if err != nil {
		return nil, err
	}
	if !v.Has(RoleRegister) {
		return nil, errForbidden
	}
	rows, err := s.DB.Query(ctx, `SELECT `+invitationColumns+` FROM workspace_invitations
		WHERE workspace_id = ? AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ? ORDER BY created_at DESC, id DESC`,
		ws.ID, s.Now.Millis())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Invitation
	for rows.Next() {
		i, err := scanInvitation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, i)
	}
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	// The invitations name addresses: the read is recorded.
	return out, audit.RecordID(ctx, s.DB, "workspace.invitations_read", "workspace", ws.ID, map[string]any{"invitations": len(out)})
}

// RevokeInvitation withdraws an open invitation. The register role may.
func (s *Service) RevokeInvitation(ctx context.Context, u *account.User, ref string, id int64) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		ws, v, err := s.as(ctx, tx, u, ref)
		if err != nil {
			return err
		}
		if !v.Has(RoleRegister) {
			return errForbidden
		}
		res, err := tx.Exec(ctx, `UPDATE workspace_invitations SET revoked_at = ? WHERE id = ? AND workspace_id = ?
			AND accepted_at IS NULL AND revoked_at IS NULL`, s.Now.Millis(), id, ws.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return problem.New(problem.NotFound, "workspace.invitation_unknown")
		}
		return audit.RecordID(ctx, tx, "workspace.invitation_revoke", "workspace", ws.ID, map[string]any{"invitation": id})
	})
}

// InvitationByToken returns the invitation a mailed link names, with its
// workspace, to show before it is accepted. Expired, used and withdrawn
// links are Gone, each with its own code.
func (s *Service) InvitationByToken(ctx context.Context, token string) (Invitation, Workspace, error) {
	return s.invitationByToken(ctx, s.DB, token)
}

func (s *Service) invitationByToken(ctx context.Context, q store.Querier, token string) (Invitation, Workspace, error) {
	if token == "" || len(token) > 100 || !textcheck.Valid(token) {
		return Invitation{}, Workspace{}, problem.New(problem.Gone, "workspace.invitation_unknown")
	}
	inv, err := scanInvitation(q.QueryRow(ctx, `SELECT `+invitationColumns+` FROM workspace_invitations WHERE token_hash = ?`, hashToken(token)))
	if err != nil {
		return inv, Workspace{}, err
	}
	switch {
	case !inv.AcceptedAt.IsZero():
		return inv, Workspace{}, problem.New(problem.Gone, "workspace.invitation_used")
	case !inv.RevokedAt.IsZero():
		return inv, Workspace{}, problem.New(problem.Gone, "workspace.invitation_revoked")
	case !s.Now.Time().Before(inv.ExpiresAt):
		return inv, Workspace{}, problem.New(problem.Gone, "workspace.invitation_expired")
	}
	ws, err := load(ctx, q, idString(inv.WorkspaceID))
	return inv, ws, err
}

// Accept takes up an invitation as u: u joins the invitation's circle. The
// link is the proof (it went to the invited address), so u may have signed
// up under another address; the register records u's account. Someone
// already in the workspace moves to the invited circle when it is further
// in, and otherwise stays where they are. A row of the register that has
// the invited address but no account (imported) becomes u's.
func (s *Service) Accept(ctx context.Context, u *account.User, token string) (Workspace, error) {
	if u == nil {
		return Workspace{}, errSignIn
	}
	var ws Workspace
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		inv, w, err := s.invitationByToken(ctx, tx, token)
		if err != nil {
			return err
		}
		ws = w
		now := s.Now.Millis()
		res, err := tx.Exec(ctx, `UPDATE workspace_invitations SET accepted_at = ?, accepted_by = ? WHERE id = ? AND accepted_at IS NULL`, now, u.ID, inv.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return problem.New(problem.Gone, "workspace.invitation_used")
		}
		if err := audit.RecordID(ctx, tx, "workspace.invitation_accept", "workspace", ws.ID, map[string]any{"invitation": inv.ID}); err != nil {
			return err
		}
		return s.join(ctx, tx, ws, u, inv.Email, inv.Circle)
	})
	return ws, err
}

// join puts u into circle of ws: a new row, the row that has u's account,
// or an unlinked row with address email.
func (s *Service) join(ctx context.Context, tx store.Querier, ws Workspace, u *account.User, email string, circle Circle) error {
	v, err := viewerOf(ctx, tx, ws.ID, u)
	if err != nil {
		return err
	}
	now := s.Now.Millis()
	if v.In() {
		if circle.rank() <= v.Circle.rank() {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE workspace_members SET circle = ?, updated_at = ? WHERE id = ?`, circle, now, v.MemberID); err != nil {
			return err
		}
		return audit.RecordID(ctx, tx, "workspace.member_move", "workspace_member", v.MemberID,
			map[string]any{"workspace": ws.ID, "from": string(v.Circle), "to": string(circle)})
	}
	// A row that was u's before (u left and comes back) or that carries
	// the address without an account.
	var id int64
	err = tx.QueryRow(ctx, `SELECT id FROM workspace_members WHERE workspace_id = ? AND erased_at IS NULL
		AND (user_id = ? OR (user_id IS NULL AND email <> '' AND email IN (?, ?))) ORDER BY user_id IS NULL, id LIMIT 1`,
		ws.ID, u.ID, email, u.Email).Scan(&id)
	if err == nil {
		if _, err := tx.Exec(ctx, `UPDATE workspace_members SET user_id = ?, circle = ?, left_on = NULL, joined_on = CASE WHEN left_on IS NULL THEN joined_on ELSE ? END,
			updated_at = ? WHERE id = ?`, u.ID, circle, s.today(), now, id); err != nil {
			return err
		}
		return audit.RecordID(ctx, tx, "workspace.member_join", "workspace_member", id, map[string]any{"workspace": ws.ID, "circle": string(circle)})
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	_, err = s.addMember(ctx, tx, ws.ID, NewMember{UserID: u.ID, Circle: circle, Name: u.DisplayName(), Email: u.Email})
	return err
}
