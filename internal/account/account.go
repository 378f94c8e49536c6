// Package account holds the people who use samen: sign-up with e-mail
// verification, login with rate limits, sessions, password reset, API tokens,
// roles, and login through an OpenID Connect provider. Every change is
// written to the audit log in the same transaction.
package account

import (
	"context"
	"database/sql"
	"errors"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"samen/internal/problem"
	"samen/internal/store"
)

// Role is what a person may do on the platform as a whole.
type Role string

const (
	Member    Role = "member"    // everyone who signed up
	Moderator Role = "moderator" // reviews contributions and reports
	Steward   Role = "steward"   // runs the platform: people, settings, audit log
)

// Roles lists the roles from least to most powerful.
var Roles = []Role{Member, Moderator, Steward}

func (r Role) rank() int {
	for i, x := range Roles {
		if x == r {
			return i
		}
	}
	return -1
}

// AtLeast reports whether r has every right of min.
func (r Role) AtLeast(min Role) bool { return r.rank() >= min.rank() && min.rank() >= 0 }

// ParseRole checks a role name.
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	if r.rank() < 0 {
		return "", &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: map[string]string{"role": "role.unknown"}}
	}
	return r, nil
}

// User is a person with an account.
type User struct {
	ID          int64
	Email       string
	Name        string
	Role        Role
	Language    string // preferred language for mail, "nl" or "en"; empty: unknown
	VerifiedAt  time.Time
	DisabledAt  time.Time
	CreatedAt   time.Time
	HasPassword bool
	// ErasureRequestedAt is when the person asked for their data to be
	// erased, while a steward has not yet done so.
	ErasureRequestedAt time.Time
	// ErasedAt is when the account was erased: its address is then
	// erased-<id>@invalid and its name empty.
	ErasedAt time.Time
}

// Erased reports whether the person's data was erased.
func (u User) Erased() bool { return !u.ErasedAt.IsZero() }

// ErasureRequested reports whether the person asked to be erased and is
// waiting for a steward.
func (u User) ErasureRequested() bool { return !u.ErasureRequestedAt.IsZero() && u.ErasedAt.IsZero() }

// Verified reports whether the person confirmed their e-mail address.
func (u User) Verified() bool { return !u.VerifiedAt.IsZero() }

// Disabled reports whether a steward closed the account.
func (u User) Disabled() bool { return !u.DisabledAt.IsZero() }

// IsSteward reports whether u is signed in and a steward: whether u runs
// the platform. u may be nil (nobody signed in).
func IsSteward(u *User) bool { return u != nil && u.Role.AtLeast(Steward) }

// DisplayName is the name, or the part of the address before '@'.
func (u User) DisplayName() string {
	if u.Name != "" {
		return u.Name
	}
	if i := strings.IndexByte(u.Email, '@'); i > 0 {
		return u.Email[:i]
	}
	return u.Email
}

// Limits on what people type, so one form cannot fill the database.
const (
	MaxEmailLen       = 254
	MaxNameLen        = 100
	MinPasswordLen    = 10
	MaxPasswordLen    = 1000
	MaxTokenNameLen   = 100
	MaxUserAgentLen   = 300
	verifyTokenTTL    = 48 * time.Hour
	resetTokenTTL     = time.Hour
	sessionIdleTTL    = 30 * 24 * time.Hour
	sessionRefreshGap = time.Hour
)

// NormalizeEmail checks an e-mail address and returns it in stored form
// (trimmed, lower-cased). The field-level code names the reason.
func NormalizeEmail(s string) (string, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", "email.required"
	}
	if len(s) > MaxEmailLen {
		return "", "email.too_long"
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return "", "email.invalid"
	}
	at := strings.LastIndexByte(s, '@')
	if at < 1 || !strings.Contains(s[at+1:], ".") || strings.HasSuffix(s, ".") {
		return "", "email.invalid"
	}
	// Lower case can take more bytes than upper case ('Ⱥ' becomes 'ⱥ').
	if s = strings.ToLower(s); len(s) > MaxEmailLen {
		return "", "email.too_long"
	}
	return s, ""
}

// commonPasswords are refused outright: the ones attackers try first.
var commonPasswords = map[string]bool{
	"1234567890": true, "0123456789": true, "qwertyuiop": true, "password12": true,
	"password123": true, "wachtwoord": true, "wachtwoord1": true, "welkom1234": true,
	"welcome123": true, "iloveyou12": true, "1q2w3e4r5t": true, "qwerty1234": true,
	"passwordpassword": true, "abcdefghij": true, "aaaaaaaaaa": true, "samensamen": true,
}

// CheckPassword says what is wrong with a new password, as a field code, or
// "" when it is acceptable. Length is what matters (NIST SP 800-63B): at
// least ten characters, no composition rules, not the e-mail address, not a
// well-known password.
func CheckPassword(pw, email string) string {
	switch n := utf8.RuneCountInString(pw); {
	case n == 0:
		return "password.required"
	case n < MinPasswordLen:
		return "password.too_short"
	case len(pw) > MaxPasswordLen:
		return "password.too_long"
	}
	low := strings.ToLower(pw)
	if commonPasswords[low] {
		return "password.common"
	}
	if email != "" && (low == strings.ToLower(email) || low == strings.ToLower(strings.SplitN(email, "@", 2)[0])) {
		return "password.is_email"
	}
	return ""
}

// checkNewAccount checks what is typed to create an account and returns the
// address and name in stored form, with a problem per field.
func checkNewAccount(rawEmail, rawName, password string) (email, name string, f problem.Fields) {
	f = problem.Fields{}
	email, code := NormalizeEmail(rawEmail)
	if code != "" {
		f.Add("email", code)
	}
	name, code = checkName(rawName)
	if code != "" {
		f.Add("name", code)
	}
	if code := CheckPassword(password, email); code != "" {
		f.Add("password", code)
	}
	return email, name, f
}

func checkName(name string) (string, string) {
	name = strings.TrimSpace(name)
	if utf8.RuneCountInString(name) > MaxNameLen {
		return "", "name.too_long"
	}
	// Invalid UTF-8 is refused too: PostgreSQL cannot store it.
	if !utf8.ValidString(name) || strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "", "name.invalid"
	}
	return name, ""
}

// Languages samen speaks; a stored preference is one of these or empty.
var Languages = []string{"nl", "en"}

func checkLanguage(l string) string {
	for _, x := range Languages {
		if l == x {
			return l
		}
	}
	return ""
}

const userColumns = "id, email, name, role, language, password_hash <> '', COALESCE(email_verified_at, 0), COALESCE(disabled_at, 0), created_at, " +
	"COALESCE(erasure_requested_at, 0), COALESCE(erased_at, 0)"

type scanner interface{ Scan(...any) error }

func scanUser(r scanner) (User, error) {
	var u User
	var role string
	var verified, disabled, created, requested, erased int64
	if err := r.Scan(&u.ID, &u.Email, &u.Name, &role, &u.Language, &u.HasPassword, &verified, &disabled, &created, &requested, &erased); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return User{}, problem.New(problem.NotFound, "user.not_found")
		}
		return User{}, err
	}
	u.Role = Role(role)
	if verified != 0 {
		u.VerifiedAt = store.Time(verified)
	}
	if disabled != 0 {
		u.DisabledAt = store.Time(disabled)
	}
	u.CreatedAt = store.Time(created)
	if requested != 0 {
		u.ErasureRequestedAt = store.Time(requested)
	}
	if erased != 0 {
		u.ErasedAt = store.Time(erased)
	}
	return u, nil
}

func userByID(ctx context.Context, q store.Querier, id int64) (User, error) {
	return scanUser(q.QueryRow(ctx, "SELECT "+userColumns+" FROM users WHERE id = ?", id))
}

func userByEmail(ctx context.Context, q store.Querier, email string) (User, error) {
	return scanUser(q.QueryRow(ctx, "SELECT "+userColumns+" FROM users WHERE email = ?", email))
}
