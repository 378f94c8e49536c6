package account

import (
	"context"
	"time"

	"samen/internal/audit"
	"samen/internal/problem"
	"samen/internal/store"
)

// Session is one signed-in browser. ID is the stored hash of the cookie
// value: enough to name a session in a list, useless as a cookie.
type Session struct {
	ID         string
	UserID     int64
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	IP         string
	UserAgent  string
}

func (s *Service) startSession(ctx context.Context, tx *store.Tx, userID int64, ip, ua string) (string, error) {
	token := newSecret()
	now := s.Now.Time()
	_, err := tx.Exec(ctx, `INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, ip, user_agent)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, hashSecret(token), userID, now.UnixMilli(), now.UnixMilli(), now.Add(sessionIdleTTL).UnixMilli(), ip, trimUA(ua))
	return token, err
}

// SessionUser returns the person signed in with a session cookie value. A
// session lives until it has been idle for thirty days; using it moves that
// date on (at most once an hour, to spare the database a write per request).
func (s *Service) SessionUser(ctx context.Context, token string) (User, Session, error) {
	if token == "" || len(token) > 100 {
		return User{}, Session{}, problem.New(problem.Unauthorized, "session.none")
	}
	h := hashSecret(token)
	var sess Session
	var created, seen, expires int64
	err := s.DB.QueryRow(ctx, `SELECT user_id, created_at, last_seen_at, expires_at, ip, user_agent FROM sessions WHERE token_hash = ?`, h).
		Scan(&sess.UserID, &created, &seen, &expires, &sess.IP, &sess.UserAgent)
	if err != nil {
		return User{}, Session{}, problem.New(problem.Unauthorized, "session.none")
	}
	now := s.Now.Time()
	if expires < now.UnixMilli() {
		return User{}, Session{}, problem.New(problem.Unauthorized, "session.expired")
	}
	u, err := userByID(ctx, s.DB, sess.UserID)
	if err != nil {
		return User{}, Session{}, problem.New(problem.Unauthorized, "session.none")
	}
	if u.Disabled() {
		return User{}, Session{}, problem.New(problem.Unauthorized, "session.none")
	}
	if now.UnixMilli()-seen > sessionRefreshGap.Milliseconds() {
		seen = now.UnixMilli()
		expires = now.Add(sessionIdleTTL).UnixMilli()
		if _, err := s.DB.Exec(ctx, "UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE token_hash = ?", seen, expires, h); err != nil {
			return User{}, Session{}, err
		}
	}
	sess.ID, sess.CreatedAt, sess.LastSeenAt, sess.ExpiresAt = h, store.Time(created), store.Time(seen), store.Time(expires)
	return u, sess, nil
}

// Logout ends the session with this cookie value.
func (s *Service) Logout(ctx context.Context, token string) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		var userID int64
		if err := tx.QueryRow(ctx, "SELECT user_id FROM sessions WHERE token_hash = ?", hashSecret(token)).Scan(&userID); err != nil {
			return nil // already gone: logging out twice is fine
		}
		if _, err := tx.Exec(ctx, "DELETE FROM sessions WHERE token_hash = ?", hashSecret(token)); err != nil {
			return err
		}
		return audit.RecordID(ctx, tx, "session.logout", "user", userID, nil)
	})
}

// Sessions lists a person's active sessions, newest first.
func (s *Service) Sessions(ctx context.Context, userID int64) ([]Session, error) {
	rows, err := s.DB.Query(ctx, `SELECT token_hash, created_at, last_seen_at, expires_at, ip, user_agent FROM sessions
		WHERE user_id = ? AND expires_at > ? ORDER BY last_seen_at DESC`, userID, s.Now.Millis())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Session
	for rows.Next() {
		x := Session{UserID: userID}
		var created, seen, expires int64
		if err := rows.Scan(&x.ID, &created, &seen, &expires, &x.IP, &x.UserAgent); err != nil {
			return nil, err
		}
		x.CreatedAt, x.LastSeenAt, x.ExpiresAt = store.Time(created), store.Time(seen), store.Time(expires)
		out = append(out, x)
	}
	return out, rows.Err()
}

// EndSession ends one of a person's own sessions (on a lost phone, say).
func (s *Service) EndSession(ctx context.Context, userID int64, id string) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		res, err := tx.Exec(ctx, "DELETE FROM sessions WHERE token_hash = ? AND user_id = ?", id, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return problem.New(problem.NotFound, "session.not_found")
		}
		return audit.RecordID(ctx, tx, "session.end", "user", userID, nil)
	})
}
