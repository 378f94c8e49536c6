package workspace

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"samen/internal/account"
	"samen/internal/audit"
	"samen/internal/mail"
	"samen/internal/problem"
	"samen/internal/store"
)

// JoinRequest is someone asking to be let in.
type JoinRequest struct {
	ID          int64
	WorkspaceID int64
	UserID      int64
	Name        string // the account's name, for the register to see who asks
	Message     string
	CreatedAt   time.Time
	DecidedAt   time.Time
	Decision    string // "", "accepted", "declined", "withdrawn"
	Circle      Circle // where an accepted request put them
}

// RequestJoin asks core to let u in, with a message. One open request per
// person and workspace; someone already in cannot ask.
func (s *Service) RequestJoin(ctx context.Context, u *account.User, ref, message string) (JoinRequest, error) {
	message = strings.TrimSpace(message)
	f := problem.Fields{}
	checkText(f, "message", message, MaxMessage, false)
	if err := f.Err(); err != nil {
		return JoinRequest{}, err
	}
	var jr JoinRequest
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		ws, v, err := s.as(ctx, tx, u, ref)
		if err != nil {
			return err
		}
		if !u.Verified() {
			return problem.New(problem.Forbidden, "workspace.verify_first")
		}
		if v.In() {
			return problem.New(problem.Conflict, "workspace.already_member")
		}
		var open int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM workspace_join_requests WHERE workspace_id = ? AND user_id = ? AND decided_at IS NULL`,
			ws.ID, u.ID).Scan(&open); err != nil {
			return err
		}
		if open > 0 {
			return problem.New(problem.Conflict, "workspace.request_open")
		}
		now := s.Now.Millis()
		jr = JoinRequest{WorkspaceID: ws.ID, UserID: u.ID, Name: u.DisplayName(), Message: message, CreatedAt: store.Time(now)}
		if err := tx.QueryRow(ctx, `INSERT INTO workspace_join_requests (workspace_id, user_id, message, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
			ws.ID, u.ID, message, now).Scan(&jr.ID); err != nil {
			return err
		}
		if err := audit.RecordID(ctx, tx, "workspace.join_request", "workspace", ws.ID, map[string]any{"request": jr.ID}); err != nil {
			return err
		}
		// Everyone who may answer hears of it.
		ids, err := store.IDs(ctx, tx, `SELECT DISTINCT m.user_id FROM workspace_members m LEFT JOIN workspace_roles r ON r.member_id = m.id
			WHERE m.workspace_id = ? AND m.user_id IS NOT NULL AND m.left_on IS NULL AND m.erased_at IS NULL
			AND (m.circle = 'core' OR r.role = 'register') ORDER BY m.user_id`, ws.ID)
		if err != nil {
			return err
		}
		for _, id := range ids {
			to, err := account.ByID(ctx, tx, id)
			if err != nil {
				return err
			}
			if to.Disabled() {
				continue
			}
			if err := mail.Enqueue(ctx, tx, s.Letters.JoinRequested(ws, to, u.DisplayName())); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		s.sent()
	}
	return jr, err
}

// JoinRequests lists the open requests, oldest first, for core and the
// register.
func (s *Service) JoinRequests(ctx context.Context, u *account.User, ref string) ([]JoinRequest, error) {
	ws, v, err := s.as(ctx, s.DB, u, ref)
	if err != nil {
		return nil, err
	}
	if !v.Has(RoleRegister) {
		return nil, errForbidden
	}
	out, err := joinRequests(ctx, s.DB, `workspace_id = ? AND decided_at IS NULL`, ws.ID)
	if err != nil || len(out) == 0 {
		return out, err
	}
	// The requests name people and carry their messages: the read is
	// recorded.
	return out, audit.RecordID(ctx, s.DB, "workspace.requests_read", "workspace", ws.ID, map[string]any{"requests": len(out)})
}

// MyRequest returns u's open request to join ref, if there is one.
func (s *Service) MyRequest(ctx context.Context, u *account.User, ref string) (JoinRequest, bool, error) {
	ws, _, err := s.as(ctx, s.DB, u, ref)
	if err != nil {
		return JoinRequest{}, false, err
	}
	out, err := joinRequests(ctx, s.DB, `workspace_id = ? AND user_id = ? AND decided_at IS NULL`, ws.ID, u.ID)
	if err != nil || len(out) == 0 {
		return JoinRequest{}, false, err
	}
	return out[0], true, nil
}

func joinRequests(ctx context.Context, q store.Querier, where string, args ...any) ([]JoinRequest, error) {
	rows, err := q.Query(ctx, `SELECT id, workspace_id, user_id, message, created_at, COALESCE(decided_at, 0), COALESCE(decision, ''), COALESCE(circle, '')
		FROM workspace_join_requests WHERE `+where+` ORDER BY created_at, id`, args...)
	if err != nil {
		return nil, err
	}
	var out []JoinRequest
	var ids []int64
	for rows.Next() {
		var j JoinRequest
		var created, decided int64
		if err := rows.Scan(&j.ID, &j.WorkspaceID, &j.UserID, &j.Message, &created, &decided, &j.Decision, &j.Circle); err != nil {
			rows.Close()
			return nil, err
		}
		j.CreatedAt = store.Time(created)
		if decided != 0 {
			j.DecidedAt = store.Time(decided)
		}
		out = append(out, j)
		ids = append(ids, j.UserID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	names, err := account.Names(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Name = names[out[i].UserID]
	}
	return out, nil
}

// Decide answers a join request: accept into circle, or decline. The
// register role may; only core lets someone into core. The person hears of
// it by mail.
func (s *Service) Decide(ctx context.Context, u *account.User, ref string, requestID int64, accept bool, circle Circle) error {
	if accept && !circle.Valid() {
		return &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"circle": "choice.unknown"}}
	}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		ws, v, err := s.as(ctx, tx, u, ref)
		if err != nil {
			return err
		}
		if !v.Has(RoleRegister) || (accept && circle == Core && !v.Core()) {
			return errForbidden
		}
		var who int64
		err = tx.QueryRow(ctx, `SELECT user_id FROM workspace_join_requests WHERE id = ? AND workspace_id = ? AND decided_at IS NULL`,
			requestID, ws.ID).Scan(&who)
		if errors.Is(err, sql.ErrNoRows) {
			return problem.New(problem.NotFound, "workspace.request_unknown")
		}
		if err != nil {
			return err
		}
		decision := "declined"
		var placed any
		if accept {
			decision, placed = "accepted", circle
		}
		if _, err := tx.Exec(ctx, `UPDATE workspace_join_requests SET decided_at = ?, decided_by = ?, decision = ?, circle = ? WHERE id = ?`,
			s.Now.Millis(), u.ID, decision, placed, requestID); err != nil {
			return err
		}
		if err := audit.RecordID(ctx, tx, "workspace.join_"+decision, "workspace", ws.ID, map[string]any{"request": requestID, "circle": string(circle)}); err != nil {
			return err
		}
		person, err := account.ByID(ctx, tx, who)
		if err != nil {
			return err
		}
		if accept {
			if err := s.join(ctx, tx, ws, &person, person.Email, circle); err != nil {
				return err
			}
		}
		if person.Disabled() {
			return nil
		}
		return mail.Enqueue(ctx, tx, s.Letters.JoinDecided(ws, person, accept))
	})
	if err == nil {
		s.sent()
	}
	return err
}

// WithdrawRequest takes u's own open request back.
func (s *Service) WithdrawRequest(ctx context.Context, u *account.User, ref string) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		ws, _, err := s.as(ctx, tx, u, ref)
		if err != nil {
			return err
		}
		res, err := tx.Exec(ctx, `UPDATE workspace_join_requests SET decided_at = ?, decision = 'withdrawn' WHERE workspace_id = ? AND user_id = ? AND decided_at IS NULL`,
			s.Now.Millis(), ws.ID, u.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return problem.New(problem.NotFound, "workspace.request_unknown")
		}
		return audit.RecordID(ctx, tx, "workspace.join_withdrawn", "workspace", ws.ID, nil)
	})
}

// OpenRequests counts the open requests to join, for the register: a
// number, not the people, so it is not an audited read.
func (s *Service) OpenRequests(ctx context.Context, u *account.User, ref string) (int, error) {
	ws, v, err := s.as(ctx, s.DB, u, ref)
	if err != nil {
		return 0, err
	}
	if !v.Has(RoleRegister) {
		return 0, errForbidden
	}
	var n int
	err = s.DB.QueryRow(ctx, `SELECT COUNT(*) FROM workspace_join_requests WHERE workspace_id = ? AND decided_at IS NULL`, ws.ID).Scan(&n)
	return n, err
}
