package atlas_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"samen/internal/account"
	"samen/internal/atlas"
	"samen/internal/mail"
	"samen/internal/mapindex"
	"samen/internal/problem"
	"samen/internal/store"
)

// letters records nothing itself: the mails land in the outbox table, where
// the tests read them as a user's mailbox would.
type letters struct{}

func (letters) Contact(in atlas.Initiative, from, replyTo, message string) mail.Message {
	return mail.Message{To: in.Contact.Email, Subject: "Message for " + in.Name, Body: from + ": " + message, ReplyTo: replyTo}
}

func (letters) ReviewSoon(in atlas.Initiative, to account.User, stage int, when time.Time) mail.Message {
	return mail.Message{To: to.Email, Subject: fmt.Sprintf("Review %s stage %d", in.Name, stage), Body: when.Format(time.DateOnly)}
}

func (letters) Decided(in atlas.Initiative, to account.User, accepted bool, reason string) mail.Message {
	return mail.Message{To: to.Email, Subject: fmt.Sprintf("Decided %s %v", in.Name, accepted), Body: reason}
}

// clock is a settable time.
type clock struct{ t time.Time }

func (c *clock) now() time.Time      { return c.t }
func (c *clock) add(d time.Duration) { c.t = c.t.Add(d) }
func newClock() *clock               { return &clock{time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)} }
func ptr[T any](v T) *T              { return &v }
func point(lat, lon float64) atlas.Location {
	return atlas.Location{Latitude: ptr(lat), Longitude: ptr(lon)}
}

type fixture struct {
	svc                        *atlas.Service
	clock                      *clock
	db                         *store.DB
	steward, moderator, member *account.User
	other                      *account.User
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	c := newClock()
	f := &fixture{
		svc:   &atlas.Service{DB: db, Map: mapindex.New(mapindex.Options{}), Letters: letters{}, Now: c.now},
		clock: c,
		db:    db,
	}
	accounts := &account.Service{DB: db}
	add := func(email string, role account.Role) *account.User {
		u, err := accounts.Add(context.Background(), account.NewUser{Email: email, Name: email[:len(email)-len("@example.org")], Password: "a long enough password", Role: role})
		if err != nil {
			t.Fatal(err)
		}
		return &u
	}
	f.steward = add("steward@example.org", account.Steward)
	f.moderator = add("moderator@example.org", account.Moderator)
	f.member = add("member@example.org", account.Member)
	f.other = add("other@example.org", account.Member)
	return f
}

// record is a valid record to start from.
func record(name string, lat, lon float64) atlas.Record {
	return atlas.Record{
		Name:     name,
		Summary:  atlas.Text{NL: "Een initiatief in de buurt.", EN: "A neighbourhood initiative."},
		Sectors:  []string{"energy"},
		Location: point(lat, lon),
	}
}

// publish adds a published initiative as the moderator.
func (f *fixture) publish(t *testing.T, r atlas.Record) atlas.Initiative {
	t.Helper()
	in, err := f.svc.Propose(context.Background(), f.moderator, atlas.Proposal{Record: r, NotDuplicate: true})
	if err != nil {
		t.Fatalf("publishing %q: %v", r.Name, err)
	}
	if in.Status != atlas.Published {
		t.Fatalf("a moderator's proposal has status %s, want published", in.Status)
	}
	return in
}

// fieldCode returns the code a validation error gives for field.
func fieldCode(err error, field string) string {
	p, ok := problem.As(err)
	if !ok {
		return ""
	}
	return p.Fields[field]
}

func wantProblem(t *testing.T, err error, kind problem.Kind, code string) {
	t.Helper()
	p, ok := problem.As(err)
	if !ok || p.Kind != kind || p.Code != code {
		t.Fatalf("error %v, want %s: %s", err, kind, code)
	}
}

// outbox returns the subjects of mails queued to addr.
func outbox(t *testing.T, db *store.DB, addr string) []string {
	t.Helper()
	rows, err := db.Query(context.Background(), `SELECT subject FROM mail_outbox WHERE to_addr = ? ORDER BY id`, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}
