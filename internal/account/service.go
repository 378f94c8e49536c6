package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"samen/internal/audit"
	"samen/internal/mail"
	"samen/internal/problem"
	"samen/internal/store"
)

// Letters writes the mails the account service sends. The web layer
// implements it, because it knows the site's address and the reader's
// language; the service decides when a mail goes out and stores it in the
// same transaction as the change.
type Letters interface {
	Verify(u User, token string) mail.Message
	// Confirm is the resent confirmation: its link leads to choosing a
	// password (a reset token), because the password typed at sign-up
	// may have been someone else's.
	Confirm(u User, token string) mail.Message
	AlreadyRegistered(u User) mail.Message
	Reset(u User, token string) mail.Message
	// ErasureRequested tells a steward (to) that the person with id who
	// asked for their data to be erased. It names them by id only: the
	// mail stays in the outbox after the erasure.
	ErasureRequested(to User, who int64) mail.Message
}

// Service is the account part of samen.
type Service struct {
	DB      *store.DB
	Letters Letters
	// Sent is called after a transaction that queued mail has committed, so
	// the mail worker can deliver at once. Optional.
	Sent func()
	// Now is the clock; tests replace it.
	Now store.Clock
}

func (s *Service) mailed() {
	if s.Sent != nil {
		s.Sent()
	}
}

// newSecret returns a random URL-safe secret with 256 bits of entropy.
func newSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashSecret is how secrets are stored: a leaked database then holds no
// usable session, token or link.
func hashSecret(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// SignUp is what a person fills in to create an account.
type SignUp struct {
	Email    string
	Name     string
	Password string
	Language string
}

// Register creates an unverified account and mails a verification link. When
// the address already has an account, nothing is created and the owner gets a
// mail saying so instead: the answer to the visitor is the same either way, so
// the form does not tell strangers who has an account here.
func (s *Service) Register(ctx context.Context, in SignUp) error {
	email, name, f := checkNewAccount(in.Email, in.Name, in.Password)
	if err := f.Err(); err != nil {
		return err
	}
	hash, err := HashPassword(in.Password)
	if err != nil {
		return err
	}
	register := func(tx *store.Tx) error {
		existing, err := userByEmail(ctx, tx, email)
		if err == nil {
			if !existing.Verified() {
				// Unconfirmed account: send a fresh link rather than a
				// warning, the person probably lost the first mail. The
				// link carries this sign-up's password, and earlier links
				// stop working, so only the newest sign-up can complete.
				if s.recentLinks(ctx, tx, existing.ID, "") >= maxMailsPerHour {
					return nil
				}
				if _, err := tx.Exec(ctx, "UPDATE email_tokens SET expires_at = 0 WHERE user_id = ? AND purpose = 'verify' AND used_at IS NULL", existing.ID); err != nil {
					return err
				}
				return s.sendVerification(ctx, tx, existing, hash)
			}
			// Anyone can type anyone's address into the form, so the
			// warnings are capped to keep it from flooding an inbox.
			n, err := mail.SentTo(ctx, tx, existing.Email, s.Now.Time().Add(-time.Hour).UnixMilli())
			if err != nil || n >= maxMailsPerHour {
				return err
			}
			return mail.Enqueue(ctx, tx, s.Letters.AlreadyRegistered(existing))
		}
		if !problem.Is(err, problem.NotFound) {
			return err
		}
		now := s.Now.Millis()
		var id int64
		err = tx.QueryRow(ctx, `INSERT INTO users (email, name, password_hash, role, language, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, email, name, hash, Member, checkLanguage(in.Language), now, now).Scan(&id)
		if err != nil {
			return err
		}
		if err := audit.RecordID(ctx, tx, "user.create", "user", id, map[string]any{"via": "signup"}); err != nil {
			return err
		}
		u, err := userByID(ctx, tx, id)
		if err != nil {
			return err
		}
		return s.sendVerification(ctx, tx, u, hash)
	}
	err = s.DB.InTx(ctx, register)
	if store.IsUniqueViolation(err) {
		// The same address signed up at the same moment (a double click);
		// now that it exists, answer as for any existing address.
		err = s.DB.InTx(ctx, register)
	}
	if err == nil {
		s.mailed()
	}
	return err
}

func (s *Service) sendVerification(ctx context.Context, tx *store.Tx, u User, passwordHash string) error {
	token, err := s.newEmailToken(ctx, tx, u.ID, "verify", verifyTokenTTL, passwordHash)
	if err != nil {
		return err
	}
	return mail.Enqueue(ctx, tx, s.Letters.Verify(u, token))
}

// ResendVerification mails a new link to an unconfirmed account. Like
// Register it says nothing about whether the address has an account.
func (s *Service) ResendVerification(ctx context.Context, rawEmail string) error {
	return s.mailAccount(ctx, rawEmail, func(tx *store.Tx, u User) (bool, error) {
		if u.Verified() || u.Disabled() || s.recentLinks(ctx, tx, u.ID, "") >= maxMailsPerHour {
			return false, nil
		}
		// Whoever asks for a new link did not type a password with it, and
		// the one from the sign-up may have been a stranger's: the link
		// confirms the address by choosing a password.
		token, err := s.newEmailToken(ctx, tx, u.ID, "reset", verifyTokenTTL, "")
		if err != nil {
			return false, err
		}
		return true, mail.Enqueue(ctx, tx, s.Letters.Confirm(u, token))
	})
}

// mailAccount runs fn for the account with an e-mail address, if there is
// one, in a transaction; fn reports whether it queued a mail. For an address
// without an account it does nothing and returns nil, so that the forms that
// use it (resend, reset) do not tell who has an account here.
func (s *Service) mailAccount(ctx context.Context, rawEmail string, fn func(tx *store.Tx, u User) (bool, error)) error {
	email, code := NormalizeEmail(rawEmail)
	if code != "" {
		return problem.Fields{"email": code}.Err()
	}
	sent := false
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		u, err := userByEmail(ctx, tx, email)
		if problem.Is(err, problem.NotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		sent, err = fn(tx, u)
		return err
	})
	if err == nil && sent {
		s.mailed()
	}
	return err
}

func (s *Service) newEmailToken(ctx context.Context, tx *store.Tx, userID int64, purpose string, ttl time.Duration, passwordHash string) (string, error) {
	token := newSecret()
	now := s.Now.Time()
	_, err := tx.Exec(ctx, `INSERT INTO email_tokens (token_hash, user_id, purpose, password_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
		hashSecret(token), userID, purpose, passwordHash, now.UnixMilli(), now.Add(ttl).UnixMilli())
	return token, err
}

// recentLinks counts the links mailed to a person in the last hour, of one
// purpose or (with "") of any, to stop the forms from being used to flood
// someone's inbox.
func (s *Service) recentLinks(ctx context.Context, q store.Querier, userID int64, purpose string) int {
	var n int
	_ = q.QueryRow(ctx, `SELECT COUNT(*) FROM email_tokens WHERE user_id = ? AND (purpose = ? OR ? = '') AND created_at > ?`,
		userID, purpose, purpose, s.Now.Time().Add(-time.Hour).UnixMilli()).Scan(&n)
	return n
}

// useEmailToken checks a mailed link and marks it used, returning its owner.
func (s *Service) useEmailToken(ctx context.Context, tx *store.Tx, token, purpose string) (userID int64, passwordHash string, err error) {
	var expires int64
	var used *int64
	err = tx.QueryRow(ctx, `SELECT user_id, password_hash, expires_at, used_at FROM email_tokens WHERE token_hash = ? AND purpose = ?`,
		hashSecret(token), purpose).Scan(&userID, &passwordHash, &expires, &used)
	if err != nil {
		return 0, "", problem.New(problem.Gone, "token.invalid")
	}
	if used != nil {
		return 0, "", problem.New(problem.Gone, "token.used")
	}
	if expires < s.Now.Millis() {
		return 0, "", problem.New(problem.Gone, "token.expired")
	}
	_, err = tx.Exec(ctx, "UPDATE email_tokens SET used_at = ? WHERE token_hash = ?", s.Now.Millis(), hashSecret(token))
	return userID, passwordHash, err
}

// Verify confirms an e-mail address with the token from the mailed link.
func (s *Service) Verify(ctx context.Context, token string) (User, error) {
	var u User
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		id, hash, err := s.useEmailToken(ctx, tx, token, "verify")
		if err != nil {
			return err
		}
		now := s.Now.Millis()
		if _, err := tx.Exec(ctx, "UPDATE users SET email_verified_at = COALESCE(email_verified_at, ?), updated_at = ? WHERE id = ?", now, now, id); err != nil {
			return err
		}
		// The password typed with the sign-up this link belongs to.
		if hash != "" {
			if _, err := tx.Exec(ctx, "UPDATE users SET password_hash = ? WHERE id = ?", hash, id); err != nil {
				return err
			}
		}
		if err := audit.RecordID(ctx, tx, "user.verify", "user", id, nil); err != nil {
			return err
		}
		u, err = userByID(ctx, tx, id)
		return err
	})
	return u, err
}

// RequestReset mails a password-reset link when the address has an account.
// It answers the same whether or not it does.
func (s *Service) RequestReset(ctx context.Context, rawEmail string) error {
	return s.mailAccount(ctx, rawEmail, func(tx *store.Tx, u User) (bool, error) {
		if u.Disabled() || s.recentLinks(ctx, tx, u.ID, "reset") >= 3 {
			return false, nil
		}
		token, err := s.newEmailToken(ctx, tx, u.ID, "reset", resetTokenTTL, "")
		if err != nil {
			return false, err
		}
		if err := audit.RecordID(ctx, tx, "user.password_reset_request", "user", u.ID, nil); err != nil {
			return false, err
		}
		return true, mail.Enqueue(ctx, tx, s.Letters.Reset(u, token))
	})
}

// CheckResetToken tells whether a reset link is still good, so the form can
// say so before the person types a new password.
func (s *Service) CheckResetToken(ctx context.Context, token string) error {
	var expires int64
	var used *int64
	err := s.DB.QueryRow(ctx, "SELECT expires_at, used_at FROM email_tokens WHERE token_hash = ? AND purpose = 'reset'", hashSecret(token)).Scan(&expires, &used)
	switch {
	case err != nil:
		return problem.New(problem.Gone, "token.invalid")
	case used != nil:
		return problem.New(problem.Gone, "token.used")
	case expires < s.Now.Millis():
		return problem.New(problem.Gone, "token.expired")
	}
	return nil
}

// ResetPassword sets a new password with the token from a reset mail. It
// undoes what whoever knew the old password may have set up: it ends every
// session of the account, revokes all its API tokens and clears its login
// throttle (the failures of strangers included, so the owner is let in at
// once). It also confirms the address, since the mail reached its owner.
func (s *Service) ResetPassword(ctx context.Context, token, password string) (User, error) {
	var u User
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		id, _, err := s.useEmailToken(ctx, tx, token, "reset")
		if err != nil {
			return err
		}
		u, err = userByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if code := CheckPassword(password, u.Email); code != "" {
			return problem.Fields{"password": code}.Err()
		}
		hash, err := HashPassword(password)
		if err != nil {
			return err
		}
		now := s.Now.Millis()
		if _, err := tx.Exec(ctx, "UPDATE users SET password_hash = ?, email_verified_at = COALESCE(email_verified_at, ?), updated_at = ? WHERE id = ?",
			hash, now, now, id); err != nil {
			return err
		}
		res, err := tx.Exec(ctx, "DELETE FROM sessions WHERE user_id = ?", id)
		if err != nil {
			return err
		}
		sessions, _ := res.RowsAffected()
		tokens, err := s.revokeAllTokens(ctx, tx, id, "password_reset")
		if err != nil {
			return err
		}
		failures, err := clearThrottle(ctx, tx, id, u.Email)
		if err != nil {
			return err
		}
		return audit.RecordID(ctx, tx, "user.password_reset", "user", id, map[string]any{
			"sessions_ended": sessions, "api_tokens_revoked": tokens, "login_failures_cleared": failures,
		})
	})
	return u, err
}

// maxMailsPerHour caps the account mails one address receives in an hour.
const maxMailsPerHour = 5

// LoginAttempt is a login with e-mail and password.
type LoginAttempt struct {
	Email     string
	Password  string
	IP        string
	UserAgent string
	// Device is the value of the browser's device cookie, if it sent one
	// (see IssueDevice): with a valid entry for the account, failures count
	// against that browser alone.
	Device string
}

// Login checks a password and starts a session. The returned token goes in
// the session cookie; only its hash is stored. Failed attempts are throttled
// as described at failureWindow.
func (s *Service) Login(ctx context.Context, in LoginAttempt) (User, string, error) {
	f := problem.Fields{}
	email, code := NormalizeEmail(in.Email)
	if code != "" {
		f.Add("email", code)
	}
	if in.Password == "" {
		f.Add("password", "password.required")
	} else if len(in.Password) > MaxPasswordLen {
		f.Add("password", "password.too_long")
	}
	if err := f.Err(); err != nil {
		return User{}, "", err
	}
	// An address without an account leaves u zero: the attempt is
	// counted and answered like a wrong password.
	u, hash, err := s.passwordHash(ctx, email)
	if err != nil && !problem.Is(err, problem.NotFound) {
		return User{}, "", err
	}
	// Which budget the attempt is charged to: the browser's own, when it
	// holds a device cookie for this account; else the account's budget for
	// untrusted clients. Every attempt also counts towards its address,
	// whose limit holds clients without a device cookie.
	budget, limit := accountKey(email), maxAccountFailure
	address := addressKey(in.IP)
	d, trusted, err := s.trustedDevice(ctx, in.Device, u.ID)
	if err != nil {
		return User{}, "", err
	}
	if trusted {
		budget, limit = deviceKey(u.ID, d.nonce), maxDeviceFailure
	}
	// The attempt counts as a failure before the password is checked, so
	// that guesses sent all at once cannot each pass the limit before any of
	// them is recorded. A refused attempt, or the right password, takes it
	// back.
	attempt, err := s.recordAttempt(ctx, budget, address)
	if err != nil {
		return User{}, "", err
	}
	if !trusted && address != "" && s.failures(ctx, address) > maxAddressFailure {
		s.forgetAttempt(ctx, attempt)
		// A password reset does not lift this one: it is the address
		// that is held, not the account.
		return User{}, "", problem.New(problem.RateLimited, "login.address_rate_limited")
	}
	failed := s.failures(ctx, budget)
	if failed > limit {
		s.forgetAttempt(ctx, attempt)
		if trusted {
			return User{}, "", problem.New(problem.RateLimited, "login.device_rate_limited")
		}
		return User{}, "", problem.New(problem.RateLimited, "login.rate_limited")
	}
	if hash == "" {
		hash = dummyHash()
	}
	ok, verr := VerifyPassword(hash, in.Password)
	if verr != nil || !ok || u.ID == 0 {
		if u.ID != 0 {
			client := "untrusted"
			if trusted {
				client = "device"
			}
			_ = audit.RecordID(ctx, s.DB, "session.login_failed", "user", u.ID, map[string]any{"client": client})
			if failed == limit {
				// This failure used up the budget: say so once, not
				// for every refused attempt after it.
				_ = audit.RecordID(ctx, s.DB, "session.login_throttled", "user", u.ID,
					map[string]any{"client": client, "minutes": int(failureWindow.Minutes())})
			}
		}
		return User{}, "", problem.New(problem.Unauthorized, "login.credentials")
	}
	s.forgetAttempt(ctx, attempt)
	if u.Disabled() {
		return User{}, "", problem.New(problem.Forbidden, "login.disabled")
	}
	if !u.Verified() {
		return User{}, "", problem.New(problem.Forbidden, "login.unverified")
	}
	var token string
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		// The right password wipes the slate of the budget it was
		// charged to; not the others, which may be a stranger's.
		if _, err := tx.Exec(ctx, "DELETE FROM login_failures WHERE key = ?", budget); err != nil {
			return err
		}
		token, err = s.startSession(ctx, tx, u.ID, in.IP, in.UserAgent)
		if err != nil {
			return err
		}
		return audit.RecordID(ctx, tx, "session.login", "user", u.ID, map[string]any{"method": "password", "device": trusted})
	})
	return u, token, err
}

func (s *Service) passwordHash(ctx context.Context, email string) (User, string, error) {
	u, err := userByEmail(ctx, s.DB, email)
	if err != nil {
		return User{}, "", err
	}
	var hash string
	err = s.DB.QueryRow(ctx, "SELECT password_hash FROM users WHERE id = ?", u.ID).Scan(&hash)
	return u, hash, err
}

func (s *Service) failures(ctx context.Context, key string) int {
	var n int
	_ = s.DB.QueryRow(ctx, "SELECT COUNT(*) FROM login_failures WHERE key = ? AND at > ?",
		key, s.Now.Time().Add(-failureWindow).UnixMilli()).Scan(&n)
	return n
}

// recordAttempt counts a login attempt against each key and returns the rows
// it wrote, so that the attempt can be taken back.
func (s *Service) recordAttempt(ctx context.Context, keys ...string) ([]int64, error) {
	var ids []int64
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		ids = ids[:0]
		for _, k := range keys {
			if k == "" {
				continue
			}
			var id int64
			if err := tx.QueryRow(ctx, "INSERT INTO login_failures (key, at) VALUES (?, ?) RETURNING id", k, s.Now.Millis()).Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	return ids, err
}

func (s *Service) forgetAttempt(ctx context.Context, ids []int64) {
	for _, id := range ids {
		_, _ = s.DB.Exec(ctx, "DELETE FROM login_failures WHERE id = ?", id)
	}
}

// Sweep deletes what has expired: sessions, used or stale mail links, old
// login failures. Run it now and then; it is safe from several processes.
func (s *Service) Sweep(ctx context.Context) error {
	now := s.Now.Millis()
	for _, q := range []struct {
		sql string
		arg int64
	}{
		{"DELETE FROM sessions WHERE expires_at < ?", now},
		{"DELETE FROM email_tokens WHERE expires_at < ?", now - int64(7*24*time.Hour/time.Millisecond)},
		{"DELETE FROM login_failures WHERE at < ?", now - failureWindow.Milliseconds()},
	} {
		if _, err := s.DB.Exec(ctx, q.sql, q.arg); err != nil {
			return err
		}
	}
	return nil
}

// PasswordChange is what the password form on the account page sends.
type PasswordChange struct {
	Current string
	New     string
	// KeepSession is the cookie value of the session making the change;
	// every other session of the account ends.
	KeepSession string
	// RevokeTokens revokes all the account's API tokens too.
	RevokeTokens bool
}

// ChangePassword sets a new password for a signed-in person who knows the
// current one, ends their other sessions and, if asked, revokes their API
// tokens. It returns how many tokens it revoked.
func (s *Service) ChangePassword(ctx context.Context, userID int64, in PasswordChange) (int, error) {
	var hash, email string
	if err := s.DB.QueryRow(ctx, "SELECT password_hash, email FROM users WHERE id = ?", userID).Scan(&hash, &email); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return 0, problem.New(problem.NotFound, "user.not_found")
		}
		return 0, err
	}
	f := problem.Fields{}
	if hash != "" {
		if ok, _ := VerifyPassword(hash, in.Current); !ok {
			f.Add("current_password", "password.wrong")
		}
	}
	if code := CheckPassword(in.New, email); code != "" {
		f.Add("new_password", code)
	}
	if err := f.Err(); err != nil {
		return 0, err
	}
	newHash, err := HashPassword(in.New)
	if err != nil {
		return 0, err
	}
	tokens := 0
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?", newHash, s.Now.Millis(), userID); err != nil {
			return err
		}
		res, err := tx.Exec(ctx, "DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?", userID, hashSecret(in.KeepSession))
		if err != nil {
			return err
		}
		sessions, _ := res.RowsAffected()
		if in.RevokeTokens {
			if tokens, err = s.revokeAllTokens(ctx, tx, userID, "password_change"); err != nil {
				return err
			}
		}
		return audit.RecordID(ctx, tx, "user.password_change", "user", userID, map[string]any{
			"sessions_ended": sessions, "api_tokens_revoked": tokens,
		})
	})
	if err != nil {
		return 0, err
	}
	return tokens, nil
}

// Profile is what a person may change about themselves.
type Profile struct {
	Name     string
	Language string
}

// UpdateProfile changes a person's name and preferred language.
func (s *Service) UpdateProfile(ctx context.Context, userID int64, p Profile) (User, error) {
	name, code := checkName(p.Name)
	if code != "" {
		return User{}, problem.Fields{"name": code}.Err()
	}
	lang := checkLanguage(p.Language)
	if p.Language != "" && lang == "" {
		return User{}, problem.Fields{"language": "language.unknown"}.Err()
	}
	var u User
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		before, err := userByID(ctx, tx, userID)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE users SET name = ?, language = ?, updated_at = ? WHERE id = ?", name, lang, s.Now.Millis(), userID); err != nil {
			return err
		}
		changed := map[string]any{}
		if before.Name != name {
			changed["name"] = true
		}
		if before.Language != lang {
			changed["language"] = lang
		}
		if err := audit.RecordID(ctx, tx, "user.update", "user", userID, changed); err != nil {
			return err
		}
		u, err = userByID(ctx, tx, userID)
		return err
	})
	return u, err
}

// trimUA keeps a user agent short enough to store.
func trimUA(ua string) string {
	ua = strings.ToValidUTF8(ua, "")
	if len(ua) > MaxUserAgentLen {
		ua = ua[:MaxUserAgentLen]
	}
	return strings.ToValidUTF8(ua, "")
}
