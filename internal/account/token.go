package account

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"samen/internal/audit"
	"samen/internal/problem"
	"samen/internal/store"
)

// TokenPrefix starts every API token, so that secret scanners and people
// recognise one when it leaks into a repository or a chat.
const TokenPrefix = "samen_"

// maxTokens bounds how many live tokens one person may hold.
const maxTokens = 50

// Token is an API token as its owner sees it in a list. The secret itself is
// shown once, when it is created.
type Token struct {
	ID         int64
	Name       string
	Prefix     string // the first characters of the secret
	CreatedAt  time.Time
	LastUsedAt time.Time
	RevokedAt  time.Time
}

// Revoked reports whether the token was revoked.
func (t Token) Revoked() bool { return !t.RevokedAt.IsZero() }

// CreateToken makes an API token for a script. It returns the secret, which
// is not stored and cannot be shown again.
func (s *Service) CreateToken(ctx context.Context, userID int64, name string) (Token, string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return Token{}, "", problem.Fields{"name": "token_name.required"}.Err()
	case utf8.RuneCountInString(name) > MaxTokenNameLen:
		return Token{}, "", problem.Fields{"name": "token_name.too_long"}.Err()
	case !utf8.ValidString(name) || strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		// Control characters and invalid UTF-8 (which PostgreSQL cannot
		// store) have no place in a label.
		return Token{}, "", problem.Fields{"name": "name.invalid"}.Err()
	}
	secret := TokenPrefix + newSecret()
	t := Token{Name: name, Prefix: secret[:len(TokenPrefix)+6], CreatedAt: store.Time(s.Now.Millis())}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM api_tokens WHERE user_id = ? AND revoked_at IS NULL", userID).Scan(&n); err != nil {
			return err
		}
		if n >= maxTokens {
			return problem.New(problem.Conflict, "token.too_many")
		}
		err := tx.QueryRow(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			userID, name, hashSecret(secret), t.Prefix, t.CreatedAt.UnixMilli()).Scan(&t.ID)
		if err != nil {
			return err
		}
		// Not the name: it is what the person typed, and the audit log
		// keeps no free text (the token row has it, and goes on erasure).
		return audit.RecordID(ctx, tx, "api_token.create", "api_token", t.ID, nil)
	})
	if err != nil {
		return Token{}, "", err
	}
	return t, secret, nil
}

// Tokens lists a person's tokens, newest first, revoked ones included.
func (s *Service) Tokens(ctx context.Context, userID int64) ([]Token, error) {
	rows, err := s.DB.Query(ctx, `SELECT id, name, prefix, created_at, COALESCE(last_used_at, 0), COALESCE(revoked_at, 0)
		FROM api_tokens WHERE user_id = ? ORDER BY id DESC`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		var t Token
		var created, used, revoked int64
		if err := rows.Scan(&t.ID, &t.Name, &t.Prefix, &created, &used, &revoked); err != nil {
			return nil, err
		}
		t.CreatedAt = store.Time(created)
		if used != 0 {
			t.LastUsedAt = store.Time(used)
		}
		if revoked != 0 {
			t.RevokedAt = store.Time(revoked)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken stops a token from working. Only its owner can revoke it.
func (s *Service) RevokeToken(ctx context.Context, userID, tokenID int64) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		res, err := tx.Exec(ctx, "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL", s.Now.Millis(), tokenID, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return problem.New(problem.NotFound, "token.not_found")
		}
		return audit.RecordID(ctx, tx, "api_token.revoke", "api_token", tokenID, nil)
	})
}

// TokenUser returns the owner of a live API token.
func (s *Service) TokenUser(ctx context.Context, secret string) (User, error) {
	fail := problem.New(problem.Unauthorized, "token.invalid")
	if !strings.HasPrefix(secret, TokenPrefix) || len(secret) > 100 {
		return User{}, fail
	}
	var id, userID, used int64
	var revoked *int64
	err := s.DB.QueryRow(ctx, "SELECT id, user_id, COALESCE(last_used_at, 0), revoked_at FROM api_tokens WHERE token_hash = ?", hashSecret(secret)).
		Scan(&id, &userID, &used, &revoked)
	if err != nil || revoked != nil {
		return User{}, fail
	}
	u, err := userByID(ctx, s.DB, userID)
	if err != nil || u.Disabled() {
		return User{}, fail
	}
	// Record use at most once a minute: enough to tell a stale token.
	if now := s.Now.Millis(); now-used > time.Minute.Milliseconds() {
		if _, err := s.DB.Exec(ctx, "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", now, id); err != nil {
			return User{}, err
		}
	}
	return u, nil
}

// revokeAllTokens revokes every live API token of an account, recording each
// in the audit log with what caused it, and returns how many it revoked.
func (s *Service) revokeAllTokens(ctx context.Context, tx *store.Tx, userID int64, via string) (int, error) {
	ids, err := store.IDs(ctx, tx, "UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL RETURNING id", s.Now.Millis(), userID)
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		if err := audit.RecordID(ctx, tx, "api_token.revoke", "api_token", id, map[string]any{"via": via}); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}
