package decide

import (
	"context"
	"testing"
	"time"

	"samen/internal/account"
	"samen/internal/audit"
	"samen/internal/mail"
	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/workspace"
)

// letters writes plain reminders; tests read them from the outbox.
type letters struct{}

func (letters) VoteReminder(d Decision, to account.User) mail.Message {
	return mail.Message{To: to.Email, Subject: "Vote on " + d.Title, Body: "closes " + d.ClosesAt.Format(time.RFC3339)}
}

type wsLetters struct{}

func (wsLetters) Invitation(workspace.Workspace, string, string, workspace.Circle, string, time.Time) mail.Message {
	return mail.Message{To: "x@example.org", Subject: ".", Body: "."}
}
func (wsLetters) JoinRequested(workspace.Workspace, account.User, string) mail.Message {
	return mail.Message{To: "x@example.org", Subject: ".", Body: "."}
}
func (wsLetters) JoinDecided(workspace.Workspace, account.User, bool) mail.Message {
	return mail.Message{To: "x@example.org", Subject: ".", Body: "."}
}
func (wsLetters) Announcement(workspace.Workspace, workspace.Announcement, string, workspace.Recipient) mail.Message {
	return mail.Message{To: "x@example.org", Subject: ".", Body: "."}
}

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// fixture is a workspace "buurtkeuken" with core anna, contributor bert,
// members cato and dirk, supporter emma; fien is a stranger to it and
// steward runs the site.
type fixture struct {
	svc                                *Service
	ws                                 *workspace.Service
	clock                              *clock
	db                                 *store.DB
	anna, bert, cato, dirk, emma, fien *account.User
	steward                            *account.User
	slug                               string
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	c := &clock{time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)}
	f := &fixture{svc: &Service{DB: db, Letters: letters{}, Now: c.now}, clock: c, db: db,
		ws: &workspace.Service{DB: db, Letters: wsLetters{}, Now: c.now, Files: t.TempDir()}}
	accounts := &account.Service{DB: db}
	add := func(name string, role account.Role) *account.User {
		u, err := accounts.Add(ctx, account.NewUser{Email: name + "@example.org", Name: name, Password: "a long enough password", Role: role})
		if err != nil {
			t.Fatal(err)
		}
		return &u
	}
	f.anna, f.bert, f.cato, f.dirk = add("anna", account.Member), add("bert", account.Member), add("cato", account.Member), add("dirk", account.Member)
	f.emma, f.fien = add("emma", account.Member), add("fien", account.Member)
	f.steward = add("steward", account.Steward)
	w, err := f.ws.Create(ctx, f.anna, workspace.Draft{Name: "Buurtkeuken"})
	if err != nil {
		t.Fatal(err)
	}
	f.slug = w.Slug
	for _, m := range []struct {
		u *account.User
		c workspace.Circle
	}{{f.bert, workspace.Contributors}, {f.cato, workspace.Members}, {f.dirk, workspace.Members}, {f.emma, workspace.Supporters}} {
		if _, err := f.ws.AddMember(ctx, f.anna, f.slug, workspace.NewMember{Email: m.u.Email, Name: m.u.Name, Circle: m.c}); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// local writes an instant as a form sends it.
func local(t time.Time) string { return Local(t) }

// draft is a proposal of method m closing in a week, with options when
// the method has them.
func (f *fixture) draft(m Method, secrecy Secrecy, options ...string) DraftDecision {
	d := DraftDecision{Title: "Which oven do we buy?", Body: "We need a new oven.", Language: "nl", Method: m, Secrecy: secrecy,
		Circles: []workspace.Circle{workspace.Core, workspace.Contributors, workspace.Members}, ClosesAt: local(f.clock.t.Add(7 * 24 * time.Hour))}
	for _, o := range options {
		d.Options = append(d.Options, DraftOption{Label: o})
	}
	switch m {
	case STV:
		d.Params.Seats = 2
	case Dot:
		d.Params.Dots = 5
	case Approval:
		d.Params.MaxChoices = 2
	}
	return d
}

// voting makes a decision in the workspace and opens it.
func (f *fixture) voting(t *testing.T, d DraftDecision) Decision {
	t.Helper()
	ctx := context.Background()
	dec, err := f.svc.Create(ctx, f.cato, f.slug, d)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if err := f.svc.OpenVoting(ctx, f.cato, dec.ID); err != nil {
		t.Fatalf("open: %v", err)
	}
	dec, err = load(ctx, f.db, dec.ID)
	if err != nil {
		t.Fatal(err)
	}
	return dec
}

// option returns the id of the option labelled label.
func option(t *testing.T, d Decision, label string) int64 {
	t.Helper()
	for _, o := range d.Options {
		if o.Label == label {
			return o.ID
		}
	}
	t.Fatalf("no option %q", label)
	return 0
}

func wantProblem(t *testing.T, what string, err error, kind problem.Kind, code string) {
	t.Helper()
	p, ok := problem.As(err)
	if !ok || p.Kind != kind || (code != "" && p.Code != code) {
		t.Errorf("%s: %v, want %s %s", what, err, kind, code)
	}
}

func wantField(t *testing.T, what string, err error, field, code string) {
	t.Helper()
	p, ok := problem.As(err)
	if !ok || p.Fields[field] != code {
		t.Errorf("%s: %v, want %s at %s", what, err, code, field)
	}
}

func auditActions(t *testing.T, db *store.DB, prefix string) []audit.Entry {
	t.Helper()
	entries, _, err := audit.List(context.Background(), db, audit.Filter{Action: prefix, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	return entries
}
