package workspace

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"samen/internal/account"
	"samen/internal/mail"
	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/store/storetest"
)

// Announcement writes the test's plain mail: the body, the reader's
// language in brackets and the unsubscribe token.
func (letters) Announcement(ws Workspace, a Announcement, from string, to Recipient) mail.Message {
	return mail.Message{To: to.Email, Subject: a.Title, Body: fmt.Sprintf("%s\n[%s] from %s\nunsubscribe=%s", a.Body, to.Language, from, to.Token),
		ListUnsubscribe: "https://samen.test/workspaces/" + ws.Slug + "/unsubscribe?token=" + to.Token, OneClick: true}
}

var unsubscribeInMail = regexp.MustCompile(`unsubscribe=(\S+)`)

// recipientsOf returns the addresses the mails with subject went to,
// sorted.
func recipientsOf(t *testing.T, db *store.DB, subject string) []string {
	t.Helper()
	all, err := mail.List(context.Background(), db, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range all {
		if m.Subject == subject {
			out = append(out, m.To)
		}
	}
	slices.Sort(out)
	return out
}

func TestAnnouncementsReachTheirCirclesAndStopOnRequest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		s := f.svc
		ws, err := s.Create(ctx, f.anna, Draft{Name: "Buurtkracht"})
		if err != nil {
			t.Fatal(err)
		}
		ref := ws.Slug
		eva, err := (&account.Service{DB: db}).Add(ctx, account.NewUser{Email: "eva@example.org", Name: "eva", Password: "a long enough password",
			Role: account.Member, Language: "en"})
		if err != nil {
			t.Fatal(err)
		}
		add := func(name, email string, c Circle) Member {
			t.Helper()
			m, err := s.AddMember(ctx, f.anna, ref, NewMember{Name: name, Email: email, Circle: c})
			if err != nil {
				t.Fatalf("adding %s: %v", name, err)
			}
			return m
		}
		bert := add("Bert", "bert@example.org", Contributors) // has an account: linked
		add("Cato", "cato@example.org", Members)              // has an account too
		add("Dora", "dora@example.org", Members)              // no account: in the register only
		add("Erik", "", Members)                              // no address
		add("Eva", "eva@example.org", Members)                // reads English
		add("Fenna", "fenna@example.org", Supporters)
		gijs := add("Gijs", "gijs@example.org", Members)
		if err := s.End(ctx, f.anna, ref, gijs.ID); err != nil {
			t.Fatal(err)
		}

		// Only core and the announcements role send.
		_, err = s.Announce(ctx, f.bert, ref, NewAnnouncement{Title: "Hoi", Body: "x", Visibility: Visibility(Members)})
		wantProblem(t, "a contributor without the role", err, problem.Forbidden, "")
		_, err = s.Announce(ctx, f.dirk, ref, NewAnnouncement{Title: "Hoi", Body: "x", Visibility: Public})
		wantProblem(t, "an outsider", err, problem.Forbidden, "")
		_, err = s.Announce(ctx, nil, ref, NewAnnouncement{Title: "Hoi", Body: "x", Visibility: Public})
		wantProblem(t, "nobody signed in", err, problem.Unauthorized, "")
		_, err = s.Announce(ctx, f.anna, ref, NewAnnouncement{Title: " ", Body: "x", Visibility: "friends"})
		if fields := problemFields(err); fields["title"] != "required" || fields["visibility"] != "choice.unknown" {
			t.Errorf("a bad announcement: %v", err)
		}
		if err := s.Grant(ctx, f.anna, ref, bert.ID, RoleAnnouncements); err != nil {
			t.Fatal(err)
		}

		// To members: core, contributors and members who have an address
		// and are still in; not supporters, not who left.
		a, err := s.Announce(ctx, f.bert, ref, NewAnnouncement{Title: "Ledenvergadering", Body: "Op 12 juni.\r\nKom ook!", Visibility: Visibility(Members)})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"anna@example.org", "bert@example.org", "cato@example.org", "dora@example.org", "eva@example.org"}
		if got := recipientsOf(t, db, "Ledenvergadering"); !slices.Equal(got, want) || a.Recipients != len(want) {
			t.Errorf("mailed to %v (%d), want %v", got, a.Recipients, want)
		}
		evaMail := mailsTo(t, db, "eva@example.org")[0]
		if !strings.Contains(evaMail.Body, "[en] from bert") || !strings.Contains(evaMail.Body, "Op 12 juni.\nKom ook!") {
			t.Errorf("Eva's mail: %q", evaMail.Body)
		}
		if dora := mailsTo(t, db, "dora@example.org")[0]; !strings.Contains(dora.Body, "[] from") || !dora.OneClick ||
			!strings.HasPrefix(dora.ListUnsubscribe, "https://samen.test/workspaces/"+ref+"/unsubscribe?token=") {
			t.Errorf("Dora's mail: %+v", dora)
		}
		_ = eva

		// Cato's link stops the mails, without a session; twice is fine.
		m := unsubscribeInMail.FindStringSubmatch(mailsTo(t, db, "cato@example.org")[0].Body)
		if m == nil {
			t.Fatal("no unsubscribe token in Cato's mail")
		}
		token := m[1]
		sub, err := s.SubscriptionByToken(ctx, ref, token)
		if err != nil || sub.Unsubscribed || sub.Workspace.ID != ws.ID {
			t.Fatalf("the link shows %+v %v", sub, err)
		}
		for _, bad := range []string{"", "x", token + "A", strings.Replace(token, ".", ".A", 1), "1." + strings.SplitN(token, ".", 2)[1], "9999999999999999999999.abc"} {
			if _, err := s.Unsubscribe(ctx, ref, bad); !problem.Is(err, problem.NotFound) {
				t.Errorf("token %q: %v", bad, err)
			}
		}
		for range 2 {
			if _, err := s.Unsubscribe(ctx, ref, token); err != nil {
				t.Fatal(err)
			}
		}
		if sub, err := s.SubscriptionByToken(ctx, ref, token); err != nil || !sub.Unsubscribed {
			t.Errorf("after unsubscribing: %+v %v", sub, err)
		}
		// Another workspace does not take this workspace's link.
		other, err := s.Create(ctx, f.dirk, Draft{Name: "Andere"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Unsubscribe(ctx, other.Slug, token); !problem.Is(err, problem.NotFound) {
			t.Errorf("another workspace's link: %v", err)
		}

		// A public announcement goes to every circle, but not to Cato.
		if _, err := s.Announce(ctx, f.anna, ref, NewAnnouncement{Title: "Open dag", Body: "Iedereen welkom.", Visibility: Public}); err != nil {
			t.Fatal(err)
		}
		want = []string{"anna@example.org", "bert@example.org", "dora@example.org", "eva@example.org", "fenna@example.org"}
		if got := recipientsOf(t, db, "Open dag"); !slices.Equal(got, want) {
			t.Errorf("public announcement mailed to %v, want %v", got, want)
		}

		// Cato comes back from her own record (her row has her account:
		// the register linked it by her address).
		cato := *f.cato
		if self, err := s.Self(ctx, &cato, ref); err != nil || !self.Unsubscribed {
			t.Fatalf("Cato's record: %+v %v", self, err)
		}
		if err := s.Subscribe(ctx, &cato, ref, true); err != nil {
			t.Fatal(err)
		}
		if err := s.Subscribe(ctx, f.dirk, ref, true); !problem.Is(err, problem.Forbidden) {
			t.Errorf("an outsider subscribes: %v", err)
		}
		if _, err := s.Announce(ctx, f.anna, ref, NewAnnouncement{Title: "Kern", Body: "Alleen de kern.", Visibility: Visibility(Core)}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Announce(ctx, f.anna, ref, NewAnnouncement{Title: "Weer terug", Body: "x", Visibility: Visibility(Members)}); err != nil {
			t.Fatal(err)
		}
		if got := recipientsOf(t, db, "Weer terug"); !slices.Contains(got, "cato@example.org") {
			t.Errorf("Cato is not back: %v", got)
		}
		if got := recipientsOf(t, db, "Kern"); !slices.Equal(got, []string{"anna@example.org"}) {
			t.Errorf("core's announcement went to %v", got)
		}

		// Each reader sees what their circle may.
		titles := func(u *account.User) []string {
			t.Helper()
			as, _, err := s.Announcements(ctx, u, ref, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, a := range as {
				out = append(out, a.Title)
			}
			return out
		}
		if got := titles(nil); !slices.Equal(got, []string{"Open dag"}) {
			t.Errorf("nobody signed in sees %v", got)
		}
		if got := titles(f.dirk); !slices.Equal(got, []string{"Open dag"}) {
			t.Errorf("an outsider sees %v", got)
		}
		if got := titles(&cato); !slices.Equal(got, []string{"Weer terug", "Open dag", "Ledenvergadering"}) {
			t.Errorf("a member sees %v", got)
		}
		if got := titles(f.anna); len(got) != 4 || got[1] != "Kern" {
			t.Errorf("core sees %v", got)
		}
		page, next, err := s.Announcements(ctx, f.anna, ref, 0, 3)
		if err != nil || len(page) != 3 || next != page[2].ID {
			t.Fatalf("first page %d, next %d, %v", len(page), next, err)
		}
		rest, next, err := s.Announcements(ctx, f.anna, ref, next, 3)
		if err != nil || len(rest) != 1 || rest[0].Title != "Ledenvergadering" || next != 0 {
			t.Errorf("second page %+v next %d %v", rest, next, err)
		}

		// The audit log names people by id only.
		for _, prefix := range []string{"workspace.announce", "workspace.unsubscribe", "workspace.resubscribe"} {
			entries := auditActions(t, db, prefix)
			if len(entries) == 0 {
				t.Errorf("no %s in the audit log", prefix)
			}
			for _, e := range entries {
				line := fmt.Sprint(e.Detail, e.SubjectID, e.ActorLabel)
				if strings.Contains(line, "@") || strings.Contains(line, "Cato") || strings.Contains(line, "Ledenvergadering") {
					t.Errorf("%s names a person or the text: %s", e.Action, line)
				}
			}
		}
	})
}

// BenchmarkAnnounceTenThousand queues one announcement to 10,000 people of
// the register (members without accounts, as an import leaves them): the
// issue asks for less than 2 s. Run with
//
//	go test ./internal/workspace -run '^$' -bench AnnounceTenThousand -benchtime 5x
func BenchmarkAnnounceTenThousand(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			ctx := context.Background()
			db := benchDB(b, engine)
			svc, anna := benchService(b, db)
			ws, err := svc.Create(ctx, anna, Draft{Name: "Groot"})
			if err != nil {
				b.Fatal(err)
			}
			const n = 10000
			err = db.InTx(ctx, func(tx *store.Tx) error {
				for start := 0; start < n; start += 500 {
					var args []any
					rows := 0
					for i := start; i < min(start+500, n); i++ {
						args = append(args, ws.ID, "members", i+2, fmt.Sprintf("Lid %d", i), fmt.Sprintf("lid%d@example.org", i), "2026-01-01", 0, 0)
						rows++
					}
					if _, err := tx.Exec(ctx, `INSERT INTO workspace_members (workspace_id, circle, number, name, email, joined_on, created_at, updated_at) VALUES `+
						strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?), ", rows), ", "), args...); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			body := strings.Repeat("Beste leden, op 12 juni is de algemene ledenvergadering in het buurthuis. ", 10)
			b.ResetTimer()
			for b.Loop() {
				a, err := svc.Announce(ctx, anna, ws.Slug, NewAnnouncement{Title: "Ledenvergadering", Body: body, Visibility: Visibility(Members)})
				if err != nil {
					b.Fatal(err)
				}
				if a.Recipients != n+1 {
					b.Fatalf("%d recipients", a.Recipients)
				}
			}
		})
	}
}
