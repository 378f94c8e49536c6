package workspace

import (
	"context"
	"fmt"
	"testing"
	"time"

	"samen/internal/account"
	"samen/internal/audit"
	"samen/internal/mail"
	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/store/storetest"
)

// letters writes plain mails; the tests read them from the outbox, as a
// person reads their mailbox.
type letters struct{}

func (letters) Invitation(ws Workspace, from, to string, circle Circle, token string, expires time.Time) mail.Message {
	return mail.Message{To: to, Subject: "Invitation to " + ws.Name, Body: fmt.Sprintf("%s invites you into %s: token=%s until %s", from, circle, token, expires.Format(time.DateOnly))}
}

func (letters) JoinRequested(ws Workspace, to account.User, who string) mail.Message {
	return mail.Message{To: to.Email, Subject: who + " asks to join " + ws.Name, Body: "."}
}

func (letters) JoinDecided(ws Workspace, to account.User, accepted bool) mail.Message {
	return mail.Message{To: to.Email, Subject: fmt.Sprintf("Join %s: %v", ws.Name, accepted), Body: "."}
}

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

type fixture struct {
	svc   *Service
	clock *clock
	db    *store.DB
	// anna starts the workspace; the others are strangers to it.
	anna, bert, cato, dirk, steward *account.User
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	c := &clock{time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)}
	f := &fixture{svc: &Service{DB: db, Letters: letters{}, Now: c.now, Files: t.TempDir()}, clock: c, db: db}
	accounts := &account.Service{DB: db}
	add := func(name string, role account.Role) *account.User {
		u, err := accounts.Add(context.Background(), account.NewUser{Email: name + "@example.org", Name: name, Password: "a long enough password", Role: role})
		if err != nil {
			t.Fatal(err)
		}
		return &u
	}
	f.anna, f.bert, f.cato, f.dirk = add("anna", account.Member), add("bert", account.Member), add("cato", account.Member), add("dirk", account.Member)
	f.steward = add("steward", account.Steward)
	return f
}

func wantProblem(t *testing.T, what string, err error, kind problem.Kind, code string) {
	t.Helper()
	p, ok := problem.As(err)
	if !ok || p.Kind != kind || (code != "" && p.Code != code) {
		t.Errorf("%s: %v, want %s %s", what, err, kind, code)
	}
}

func problemFields(err error) map[string]string {
	if p, ok := problem.As(err); ok {
		return p.Fields
	}
	return nil
}

// mailsTo returns the subjects and bodies in the outbox for addr.
func mailsTo(t *testing.T, db *store.DB, addr string) []mail.Queued {
	t.Helper()
	all, err := mail.List(context.Background(), db, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []mail.Queued
	for _, m := range all {
		if m.To == addr {
			out = append(out, m)
		}
	}
	return out
}

// auditActions returns the actions of the audit log, oldest first, that
// start with prefix.
func auditActions(t *testing.T, db *store.DB, prefix string) []audit.Entry {
	t.Helper()
	entries, _, err := audit.List(context.Background(), db, audit.Filter{Action: prefix, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	return entries
}

// benchDB is a fresh database of the engine for a benchmark.
func benchDB(b *testing.B, engine string) *store.DB {
	b.Helper()
	if engine == "postgres" {
		return storetest.Postgres(b)
	}
	return storetest.SQLite(b)
}

// benchService is a workspace service on db with one account, anna's, to
// run the benchmark as.
func benchService(b *testing.B, db *store.DB) (*Service, *account.User) {
	b.Helper()
	c := &clock{time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)}
	svc := &Service{DB: db, Letters: letters{}, Now: c.now, Files: b.TempDir()}
	u, err := (&account.Service{DB: db}).Add(context.Background(), account.NewUser{Email: "anna@example.org", Name: "anna",
		Password: "a long enough password", Role: account.Member})
	if err != nil {
		b.Fatal(err)
	}
	return svc, &u
}
