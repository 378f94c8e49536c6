package workspace

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"samen/internal/account"
	"samen/internal/audit"
	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/store/storetest"
)

var tokenInMail = regexp.MustCompile(`token=([A-Za-z0-9_-]+)`)

// invite invites addr as u and returns the token from the mail.
func (f *fixture) invite(t *testing.T, u *account.User, ref, addr string, c Circle) string {
	t.Helper()
	if _, err := f.svc.Invite(context.Background(), u, ref, addr, c); err != nil {
		t.Fatalf("inviting %s: %v", addr, err)
	}
	mails := mailsTo(t, f.db, strings.ToLower(addr))
	if len(mails) == 0 {
		t.Fatalf("no invitation mailed to %s", addr)
	}
	m := tokenInMail.FindStringSubmatch(mails[0].Body) // newest first
	if m == nil {
		t.Fatalf("no link in %q", mails[0].Body)
	}
	return m[1]
}

func names(ms []Member) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Name+":"+string(m.Circle))
	}
	return out
}

func TestWorkspaceCirclesJourney(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		s := f.svc

		if _, err := s.Create(ctx, nil, Draft{Name: "x"}); !problem.Is(err, problem.Unauthorized) {
			t.Errorf("anonymous creates: %v", err)
		}
		ws, err := s.Create(ctx, f.anna, Draft{Name: "Buurtkracht Noord", Description: "Energie van en voor de buurt."})
		if err != nil {
			t.Fatal(err)
		}
		if ws.Slug != "buurtkracht-noord" {
			t.Errorf("slug %q", ws.Slug)
		}
		// The same name again gets the next free address.
		if again, err := s.Create(ctx, f.bert, Draft{Name: "Buurtkracht Noord"}); err != nil || again.Slug != "buurtkracht-noord-2" {
			t.Errorf("second slug %q %v", again.Slug, err)
		}
		ref := ws.Slug
		mine, err := s.Mine(ctx, f.anna)
		if err != nil || len(mine) != 1 || mine[0].Circle != Core || mine[0].Counts[Core] != 1 {
			t.Fatalf("Anna's workspaces %+v %v", mine, err)
		}

		// Anna invites Bert into contributors; Bert accepts with the link.
		token := f.invite(t, f.anna, ref, "BERT@example.org", Contributors)
		if _, err := s.Accept(ctx, nil, token); !problem.Is(err, problem.Unauthorized) {
			t.Errorf("accepting signed out: %v", err)
		}
		if _, err := s.Accept(ctx, f.bert, token); err != nil {
			t.Fatal(err)
		}
		_, err = s.Accept(ctx, f.bert, token)
		wantProblem(t, "a used link", err, problem.Gone, "workspace.invitation_used")
		// An invitation expires after two weeks.
		late := f.invite(t, f.anna, ref, "late@example.org", Members)
		f.clock.t = f.clock.t.Add(InvitationTTL + time.Minute)
		_, err = s.Accept(ctx, f.dirk, late)
		wantProblem(t, "an expired link", err, problem.Gone, "workspace.invitation_expired")
		_, err = s.Accept(ctx, f.dirk, "made-up")
		wantProblem(t, "an unknown link", err, problem.Gone, "workspace.invitation_unknown")

		// Bert (contributors, no roles) may not invite; Cato is a stranger.
		_, err = s.Invite(ctx, f.bert, ref, "x@example.org", Supporters)
		wantProblem(t, "a contributor invites", err, problem.Forbidden, "")
		_, err = s.Invite(ctx, f.anna, ref, "not an address", Circle("friends"))
		if p := problemFields(err); p["email"] != "email.invalid" || p["circle"] != "choice.unknown" {
			t.Errorf("a bad invitation: %v", err)
		}
		_, err = s.Invite(ctx, f.anna, ref, "bert@example.org", Members)
		if problemFields(err)["email"] != "email.already_member" {
			t.Errorf("inviting a member: %v", err)
		}

		// Cato asks to join; core hears of it and lets her into members.
		if _, err := s.RequestJoin(ctx, f.cato, ref, "Ik woon om de hoek."); err != nil {
			t.Fatal(err)
		}
		_, err = s.RequestJoin(ctx, f.cato, ref, "nog eens")
		wantProblem(t, "asking twice", err, problem.Conflict, "workspace.request_open")
		if len(mailsTo(t, db, "anna@example.org")) != 1 {
			t.Error("core was not told of the request")
		}
		reqs, err := s.JoinRequests(ctx, f.anna, ref)
		if err != nil || len(reqs) != 1 || reqs[0].Name != "cato" || reqs[0].Message != "Ik woon om de hoek." {
			t.Fatalf("requests %+v %v", reqs, err)
		}
		if _, err := s.JoinRequests(ctx, f.bert, ref); !problem.Is(err, problem.Forbidden) {
			t.Errorf("a contributor reads requests: %v", err)
		}
		if err := s.Decide(ctx, f.anna, ref, reqs[0].ID, true, Members); err != nil {
			t.Fatal(err)
		}
		if m := mailsTo(t, db, "cato@example.org"); len(m) != 1 || !strings.Contains(m[0].Subject, "true") {
			t.Errorf("Cato's answer: %+v", m)
		}
		// Dirk is added by hand as a supporter, with his address: his
		// account is linked at once.
		dirk, err := s.AddMember(ctx, f.anna, ref, NewMember{Name: "Dirk de Vries", Email: "dirk@example.org", Phone: "020 123 4567", Circle: Supporters, Joined: "1-5-2026"})
		if err != nil || dirk.UserID != f.dirk.ID || dirk.Joined != "2026-05-01" || dirk.Number != 4 {
			t.Fatalf("Dirk %+v %v", dirk, err)
		}

		// The register as each circle sees it: members see names and
		// circles, not other people's addresses; core sees everything.
		all, _, err := s.Register(ctx, f.anna, ref, Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if got := names(all); !slices.Equal(got, []string{"anna:core", "bert:contributors", "cato:members", "Dirk de Vries:supporters"}) {
			t.Errorf("core sees %v", got)
		}
		if all[3].Email != "dirk@example.org" || all[3].Phone != "020 123 4567" {
			t.Errorf("core does not see Dirk's contact details: %+v", all[3])
		}
		asCato, _, err := s.Register(ctx, f.cato, ref, Filter{})
		if err != nil || len(asCato) != 4 {
			t.Fatalf("Cato's view %v %v", names(asCato), err)
		}
		for _, m := range asCato {
			if m.UserID == f.cato.ID {
				if m.Email != "cato@example.org" {
					t.Errorf("Cato does not see her own address")
				}
				continue
			}
			if m.Email != "" || m.Phone != "" || !slices.Contains(m.Hidden, "email") {
				t.Errorf("Cato sees %s's contact details: %+v", m.Name, m)
			}
			if m.Number == 0 {
				t.Errorf("members see membership numbers by default: %+v", m)
			}
		}
		_, _, err = s.Register(ctx, f.dirk, ref, Filter{})
		wantProblem(t, "a supporter reads the register", err, problem.Forbidden, "")
		_, _, err = s.Register(ctx, f.steward, ref, Filter{})
		wantProblem(t, "a steward reads the register", err, problem.Forbidden, "")
		if only, _, _ := s.Register(ctx, f.anna, ref, Filter{Query: "VRIES"}); len(only) != 1 || only[0].ID != dirk.ID {
			t.Errorf("search: %v", names(only))
		}
		if page, next, _ := s.Register(ctx, f.anna, ref, Filter{Limit: 3}); len(page) != 3 || next != 3 {
			t.Errorf("page of 3: %d, next %d", len(page), next)
		} else if rest, next, _ := s.Register(ctx, f.anna, ref, Filter{After: next}); len(rest) != 1 || next != 0 {
			t.Errorf("the rest: %d, next %d", len(rest), next)
		}
		// Each read of other people's data is in the audit log, by id.
		// The web layer puts who acts into the context.
		asAnna := audit.WithActor(ctx, audit.Actor{UserID: f.anna.ID})
		if _, _, err := s.Register(asAnna, f.anna, ref, Filter{Circle: Supporters}); err != nil {
			t.Fatal(err)
		}
		reads := auditActions(t, db, "workspace.register_read")
		if len(reads) < 3 || reads[0].ActorID != f.anna.ID || reads[0].Detail["circle"] != "supporters" {
			t.Errorf("register reads audited: %+v", reads)
		}

		// A core delegate: Bert keeps the register. He may move people
		// between the outer circles, never into or out of core.
		if err := s.Grant(ctx, f.bert, ref, dirk.ID, RoleRegister); !problem.Is(err, problem.Forbidden) {
			t.Errorf("a contributor grants: %v", err)
		}
		bert := all[1]
		if err := s.Grant(ctx, f.anna, ref, bert.ID, RoleRegister); err != nil {
			t.Fatal(err)
		}
		if err := s.Move(ctx, f.bert, ref, dirk.ID, Members); err != nil {
			t.Errorf("the register moves Dirk: %v", err)
		}
		if err := s.Move(ctx, f.bert, ref, dirk.ID, Core); !problem.Is(err, problem.Forbidden) {
			t.Errorf("the register moves Dirk into core: %v", err)
		}
		seen, _, _ := s.Register(ctx, f.bert, ref, Filter{})
		if seen[3].Email != "dirk@example.org" {
			t.Error("the register role does not see addresses")
		}
		// The last core member cannot leave or be moved out.
		wantProblem(t, "the last core member leaves", s.Leave(ctx, f.anna, ref), problem.Conflict, "workspace.last_core")
		wantProblem(t, "moving the last core member out", s.Move(ctx, f.anna, ref, all[0].ID, Members), problem.Conflict, "workspace.last_core")
		if err := s.Move(ctx, f.anna, ref, bert.ID, Core); err != nil {
			t.Fatal(err)
		}
		if err := s.Leave(ctx, f.anna, ref); err != nil {
			t.Fatalf("Anna leaves once Bert is in core: %v", err)
		}
		if mine, _ := s.Mine(ctx, f.anna); len(mine) != 0 {
			t.Errorf("Anna still lists %d workspaces", len(mine))
		}
		left, _, err := s.Register(ctx, f.bert, ref, Filter{Left: true})
		if err != nil || len(left) != 1 || left[0].Left != "2026-06-15" {
			t.Errorf("who left: %+v %v", left, err)
		}
		// Anna can no longer read it.
		_, _, err = s.Register(ctx, f.anna, ref, Filter{})
		wantProblem(t, "someone who left reads the register", err, problem.Forbidden, "")

		// Every change is in the audit log, by id and never by name or
		// address.
		for _, e := range auditActions(t, db, "workspace.") {
			for _, v := range e.Detail {
				if s, ok := v.(string); ok && (strings.Contains(s, "@") || strings.Contains(strings.ToLower(s), "dirk")) {
					t.Errorf("audit entry %s holds %q", e.Action, s)
				}
			}
		}
	})
}

func TestImportedRowsAreClaimedByTheirAddress(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		ws, err := f.svc.Create(ctx, f.anna, Draft{Name: "Voedselcoöp"})
		if err != nil {
			t.Fatal(err)
		}
		// A row from a spreadsheet, before Cato has an account here.
		if _, err := f.svc.addMember(ctx, db, ws.ID, NewMember{Name: "Cato K.", Email: "cato@example.org", Circle: Members}); err != nil {
			t.Fatal(err)
		}
		mine, err := f.svc.Mine(ctx, f.cato)
		if err != nil || len(mine) != 1 || mine[0].ID != ws.ID || mine[0].Circle != Members {
			t.Fatalf("Cato's workspaces %+v %v", mine, err)
		}
		self, err := f.svc.Self(ctx, f.cato, ws.Slug)
		if err != nil || self.Name != "Cato K." || self.UserID != f.cato.ID {
			t.Errorf("Cato's own row %+v %v", self, err)
		}
	})
}
