package account

import (
	"context"

	"samen/internal/audit"
	"samen/internal/problem"
	"samen/internal/store"
)

// External is a person as an OpenID Connect provider vouches for them.
type External struct {
	Issuer        string
	Subject       string
	Email         string
	EmailVerified bool
	Name          string
	Language      string
	IP            string
	UserAgent     string
}

// LoginExternal starts a session for a person the provider vouches for. It
// finds them by the provider's subject; the first time, it links them to the
// account with the same address, or creates one, but only when the provider
// says it verified that address: otherwise anyone could claim anyone's
// account by typing their address at a careless provider.
func (s *Service) LoginExternal(ctx context.Context, in External) (User, string, error) {
	if in.Issuer == "" || in.Subject == "" {
		return User{}, "", problem.New(problem.Unauthorized, "oidc.no_subject")
	}
	var u User
	var token string
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, "SELECT user_id FROM oidc_identities WHERE issuer = ? AND subject = ?", in.Issuer, in.Subject).Scan(&id)
		if err != nil {
			if !in.EmailVerified {
				return problem.New(problem.Forbidden, "oidc.email_unverified")
			}
			email, code := NormalizeEmail(in.Email)
			if code != "" {
				return problem.New(problem.Forbidden, "oidc.email_invalid")
			}
			existing, err := userByEmail(ctx, tx, email)
			switch {
			case err == nil:
				id = existing.ID
				now := s.Now.Millis()
				// A password set before the address was confirmed may be a
				// stranger's, who signed up with it to wait for its owner:
				// drop it, the owner can set one with a reset.
				if _, err := tx.Exec(ctx, `UPDATE users SET password_hash = CASE WHEN email_verified_at IS NULL THEN '' ELSE password_hash END,
					email_verified_at = COALESCE(email_verified_at, ?), updated_at = ? WHERE id = ?`, now, now, id); err != nil {
					return err
				}
			case problem.Is(err, problem.NotFound):
				name, _ := checkName(in.Name)
				now := s.Now.Millis()
				if err := tx.QueryRow(ctx, `INSERT INTO users (email, name, role, language, email_verified_at, created_at, updated_at)
					VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, email, name, Member, checkLanguage(in.Language), now, now, now).Scan(&id); err != nil {
					return err
				}
				if err := audit.RecordID(ctx, tx, "user.create", "user", id, map[string]any{"via": "oidc"}); err != nil {
					return err
				}
			default:
				return err
			}
			if _, err := tx.Exec(ctx, "INSERT INTO oidc_identities (issuer, subject, user_id, created_at) VALUES (?, ?, ?, ?)",
				in.Issuer, in.Subject, id, s.Now.Millis()); err != nil {
				return err
			}
			if err := audit.RecordID(ctx, tx, "user.link_oidc", "user", id, map[string]any{"issuer": in.Issuer}); err != nil {
				return err
			}
		}
		if u, err = userByID(ctx, tx, id); err != nil {
			return err
		}
		if u.Disabled() {
			return problem.New(problem.Forbidden, "login.disabled")
		}
		if token, err = s.startSession(ctx, tx, id, in.IP, in.UserAgent); err != nil {
			return err
		}
		return audit.RecordID(ctx, tx, "session.login", "user", id, map[string]any{"method": "oidc"})
	})
	return u, token, err
}
