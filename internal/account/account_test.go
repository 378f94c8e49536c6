package account_test

import (
	"context"
	"regexp"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"samen/internal/account"
	"samen/internal/audit"
	"samen/internal/mail"
	"samen/internal/problem"
	"samen/internal/store"
)

// The passwords the tests sign up with: long enough, not common, not an
// address.
const (
	password      = "correct horse battery staple"
	otherPassword = "tram station under the bridge"
)

// site is the address the test letters link to.
const site = "https://samen.test"

// letters writes mails as the web layer would, with the token in a link the
// reader clicks.
type letters struct{}

func (letters) Verify(u account.User, token string) mail.Message {
	return mail.Message{
		To:      u.Email,
		Subject: "Confirm your address",
		Body:    "Hello " + u.DisplayName() + ",\n\nOpen " + site + "/verify?token=" + token + " to confirm your address.\n",
	}
}

func (letters) Confirm(u account.User, token string) mail.Message {
	return mail.Message{
		To:      u.Email,
		Subject: "Confirm your address by choosing a password",
		Body:    "Hello " + u.DisplayName() + ",\n\nOpen " + site + "/reset?token=" + token + " to confirm your address and choose a password.\n",
	}
}

func (letters) ErasureRequested(to account.User, who int64) mail.Message {
	return mail.Message{
		To:      to.Email,
		Subject: "Someone asks to be erased",
		Body:    "Hello " + to.DisplayName() + ",\n\nPerson #" + strconv.FormatInt(who, 10) + " asks to be erased: " + site + "/admin/people\n",
	}
}

func (letters) AlreadyRegistered(u account.User) mail.Message {
	return mail.Message{
		To:      u.Email,
		Subject: "You already have an account",
		Body:    "Hello " + u.DisplayName() + ",\n\nSomeone tried to sign up with your address. Log in at " + site + "/login.\n",
	}
}

func (letters) Reset(u account.User, token string) mail.Message {
	return mail.Message{
		To:      u.Email,
		Subject: "Reset your password",
		Body:    "Hello " + u.DisplayName() + ",\n\nOpen " + site + "/reset?token=" + token + " to choose a new password.\n",
	}
}

var linkRE = regexp.MustCompile(regexp.QuoteMeta(site) + `/(verify|reset)\?token=([A-Za-z0-9_-]+)`)

// env is one account service on one database, with a clock the test moves.
type env struct {
	t    *testing.T
	ctx  context.Context
	db   *store.DB
	svc  *account.Service
	now  time.Time
	sent atomic.Int32 // how often the service said it queued mail
}

func newEnv(t *testing.T, db *store.DB) *env {
	e := &env{t: t, ctx: context.Background(), db: db, now: time.Now().UTC().Truncate(time.Millisecond)}
	e.svc = &account.Service{
		DB:      db,
		Letters: letters{},
		Sent:    func() { e.sent.Add(1) },
		Now:     func() time.Time { return e.now },
	}
	return e
}

// advance moves the service's clock on.
func (e *env) advance(d time.Duration) { e.now = e.now.Add(d) }

// add creates a confirmed account with the standard password.
func (e *env) add(email string, role account.Role) account.User {
	e.t.Helper()
	u, err := e.svc.Add(e.ctx, account.NewUser{Email: email, Password: password, Role: role})
	if err != nil {
		e.t.Fatalf("Add(%s): %v", email, err)
	}
	return u
}

// login logs in and fails the test if that does not work.
func (e *env) login(email, pw string) (account.User, string) {
	e.t.Helper()
	u, token, err := e.svc.Login(e.ctx, account.LoginAttempt{Email: email, Password: pw, IP: "192.0.2.1", UserAgent: "test"})
	if err != nil {
		e.t.Fatalf("Login(%s): %v", email, err)
	}
	if token == "" {
		e.t.Fatalf("Login(%s) returned no session token", email)
	}
	return u, token
}

// loginErr logs in from an address and returns only the error.
func (e *env) loginErr(email, pw, ip string) error {
	_, _, err := e.svc.Login(e.ctx, account.LoginAttempt{Email: email, Password: pw, IP: ip})
	return err
}

// sessionUser returns who the session token belongs to.
func (e *env) sessionUser(token string) account.User {
	e.t.Helper()
	u, _, err := e.svc.SessionUser(e.ctx, token)
	if err != nil {
		e.t.Fatalf("SessionUser: %v", err)
	}
	return u
}

// sessionGone checks that a session token no longer signs anyone in.
func (e *env) sessionGone(token string) {
	e.t.Helper()
	u, _, err := e.svc.SessionUser(e.ctx, token)
	if !problem.Is(err, problem.Unauthorized) {
		e.t.Fatalf("SessionUser on an ended session = %+v, %v; want unauthorized", u, err)
	}
}

// mailsTo returns the mails queued for an address, oldest first.
func (e *env) mailsTo(to string) []mail.Queued {
	e.t.Helper()
	all, err := mail.List(e.ctx, e.db, 100)
	if err != nil {
		e.t.Fatalf("mail.List: %v", err)
	}
	var out []mail.Queued
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].To == to {
			out = append(out, all[i])
		}
	}
	return out
}

// links returns the tokens of the given kind ("verify", "reset") in the mails
// to an address, oldest first, as the reader would find them by clicking.
func (e *env) links(to, kind string) []string {
	e.t.Helper()
	var out []string
	for _, m := range e.mailsTo(to) {
		for _, l := range linkRE.FindAllStringSubmatch(m.Body, -1) {
			if l[1] == kind {
				out = append(out, l[2])
			}
		}
	}
	return out
}

// link returns the token in the newest mail of a kind to an address.
func (e *env) link(to, kind string) string {
	e.t.Helper()
	ls := e.links(to, kind)
	if len(ls) == 0 {
		e.t.Fatalf("no %s link mailed to %s", kind, to)
	}
	return ls[len(ls)-1]
}

// count runs a COUNT query.
func (e *env) count(query string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.db.QueryRow(e.ctx, query, args...).Scan(&n); err != nil {
		e.t.Fatalf("%s: %v", query, err)
	}
	return n
}

// userID looks an account up by its stored address.
func (e *env) userID(email string) int64 {
	e.t.Helper()
	var id int64
	if err := e.db.QueryRow(e.ctx, "SELECT id FROM users WHERE email = ?", email).Scan(&id); err != nil {
		e.t.Fatalf("no account for %s: %v", email, err)
	}
	return id
}

// auditFor returns the audit entries with an action about one user, newest
// first.
func (e *env) auditFor(action string, userID int64) []audit.Entry {
	e.t.Helper()
	f := audit.Filter{Action: action, SubjectType: "user", Limit: 500}
	if userID != 0 {
		f.SubjectID = strconv.FormatInt(userID, 10)
	}
	entries, _, err := audit.List(e.ctx, e.db, f)
	if err != nil {
		e.t.Fatalf("audit.List: %v", err)
	}
	return entries
}

// wantProblem checks that err is a problem of the given kind and code.
func wantProblem(t *testing.T, err error, kind problem.Kind, code string) {
	t.Helper()
	p, ok := problem.As(err)
	if !ok {
		t.Fatalf("error = %v, want %s: %s", err, kind, code)
	}
	if p.Kind != kind || p.Code != code {
		t.Fatalf("error = %v, want %s: %s", err, kind, code)
	}
}

// wantField checks that err is a validation problem naming field with code.
func wantField(t *testing.T, err error, field, code string) {
	t.Helper()
	p, ok := problem.As(err)
	if !ok || p.Kind != problem.Invalid {
		t.Fatalf("error = %v, want a validation problem with %s: %s", err, field, code)
	}
	if got := p.Fields[field]; got != code {
		t.Fatalf("error = %v, want field %s: %s", err, field, code)
	}
}
