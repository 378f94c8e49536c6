package decide

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"samen/internal/account"
	"samen/internal/mail"
	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/store/storetest"
	"samen/internal/workspace"
)

// A member's proposal from draft to outcome, as the circles see it.
func TestProposalLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		svc := f.svc

		if _, err := svc.Create(ctx, f.emma, f.slug, f.draft(Majority, Open)); err == nil {
			t.Error("a supporter started a proposal")
		}
		if _, err := svc.Create(ctx, f.cato, "", f.draft(Majority, Open)); !problem.Is(err, problem.Forbidden) {
			t.Errorf("a member started a city-wide decision: %v", err)
		}
		d, err := svc.Create(ctx, f.cato, f.slug, f.draft(Majority, Open))
		if err != nil {
			t.Fatal(err)
		}
		if d.State != Draft || d.Visibility != workspace.Visibility(workspace.Members) {
			t.Fatalf("new decision: %+v", d)
		}
		// A draft is its author's (and core's) alone.
		for _, u := range []*account.User{f.bert, f.dirk, f.fien, nil} {
			if _, err := svc.Get(ctx, u, d.ID); !problem.Is(err, problem.NotFound) {
				t.Errorf("%v sees a draft: %v", u, err)
			}
		}
		if _, err := svc.Get(ctx, f.anna, d.ID); err != nil {
			t.Errorf("core does not see a draft: %v", err)
		}
		if err := svc.Publish(ctx, f.dirk, d.ID); !problem.Is(err, problem.NotFound) {
			t.Errorf("another member published it: %v", err)
		}
		if err := svc.Publish(ctx, f.cato, d.ID); err != nil {
			t.Fatal(err)
		}
		// Published for members: the supporter and the stranger still see nothing.
		for _, u := range []*account.User{f.emma, f.fien, nil} {
			if _, err := svc.Get(ctx, u, d.ID); !problem.Is(err, problem.NotFound) {
				t.Errorf("%v sees a members' proposal: %v", u, err)
			}
		}

		c, err := svc.Comment(ctx, f.bert, d.ID, 0, "Gas or electric?")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Comment(ctx, f.cato, d.ID, c.ID, "Electric: the co-op buys green power."); err != nil {
			t.Fatal(err)
		}
		_, err = svc.Comment(ctx, f.cato, d.ID, c.ID+100, "lost")
		wantField(t, "reply to nothing", err, "parent", "decide.comment_unknown")
		_, err = svc.Comment(ctx, f.cato, d.ID, 0, "  ")
		wantField(t, "empty comment", err, "body", "required")

		_, err = svc.Amend(ctx, f.dirk, d.ID, d.Body, "")
		wantField(t, "amendment without change", err, "body", "decide.amendment_same")
		a, err := svc.Amend(ctx, f.dirk, d.ID, "We need a new electric oven.", "Say which kind.")
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.DecideAmendment(ctx, f.dirk, d.ID, a.ID, true); !problem.Is(err, problem.Forbidden) {
			t.Errorf("the amendment's own author took it over: %v", err)
		}
		if err := svc.DecideAmendment(ctx, f.cato, d.ID, a.ID, true); err != nil {
			t.Fatal(err)
		}
		if err := svc.DecideAmendment(ctx, f.cato, d.ID, a.ID, false); !problem.Is(err, problem.Conflict) {
			t.Errorf("an amendment decided twice: %v", err)
		}
		v, err := svc.Get(ctx, f.bert, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if v.Body != "We need a new electric oven." || len(v.Amendments) != 1 || v.Amendments[0].State != "accepted" {
			t.Errorf("after taking the amendment over: body %q, amendments %+v", v.Body, v.Amendments)
		}
		if len(v.Comments) != 1 || len(v.Comments[0].Replies) != 1 || v.Comments[0].AuthorName != "bert" {
			t.Errorf("the discussion: %+v", v.Comments)
		}
		if v.AuthorName != "cato" || !v.Rights.Comment || v.Rights.Vote || v.Rights.Manage {
			t.Errorf("bert's view: author %q, rights %+v", v.AuthorName, v.Rights)
		}

		if err := svc.OpenVoting(ctx, f.bert, d.ID); !problem.Is(err, problem.Forbidden) {
			t.Errorf("a contributor opened the author's vote: %v", err)
		}
		if err := svc.OpenVoting(ctx, f.cato, d.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Update(ctx, f.cato, d.ID, f.draft(Majority, Open)); !problem.Is(err, problem.Conflict) {
			t.Errorf("changed while voting: %v", err)
		}
		if _, err := svc.Amend(ctx, f.dirk, d.ID, "Another text", ""); !problem.Is(err, problem.Conflict) {
			t.Errorf("amended while voting: %v", err)
		}
		// The electorate: core, contributors and members; not the supporter.
		if err := svc.Vote(ctx, f.emma, d.ID, Ballot{Position: "yes"}, false); err == nil {
			t.Error("a supporter voted")
		}
		for u, pos := range map[*account.User]string{f.anna: "yes", f.bert: "no", f.cato: "yes"} {
			if err := svc.Vote(ctx, u, d.ID, Ballot{Position: pos}, false); err != nil {
				t.Fatalf("%s votes: %v", u.Name, err)
			}
		}
		err = svc.Vote(ctx, f.dirk, d.ID, Ballot{Position: "maybe"}, false)
		wantField(t, "unknown position", err, "position", "choice.unknown")
		// An open ballot may change; the first version stays on record.
		if err := svc.Vote(ctx, f.cato, d.ID, Ballot{Position: "abstain"}, false); err != nil {
			t.Fatal(err)
		}
		var versions int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM decision_ballots WHERE decision_id = ? AND user_id = ?`, d.ID, f.cato.ID).Scan(&versions); err != nil {
			t.Fatal(err)
		}
		if versions != 2 {
			t.Errorf("cato's ballot has %d versions, want 2", versions)
		}
		v, err = svc.Get(ctx, f.dirk, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if v.Electorate != 4 || v.Cast != 3 || v.Result == nil || v.Result.Motion == nil {
			t.Fatalf("during the vote: electorate %d, cast %d, result %+v", v.Electorate, v.Cast, v.Result)
		}
		if m := v.Result.Motion; m.Counts["yes"] != 1 || m.Counts["no"] != 1 || m.Counts["abstain"] != 1 {
			t.Errorf("live counts %v, want one each", m.Counts)
		}
		if len(v.Voters) != 3 || v.Voters[0].Ballot == nil {
			t.Errorf("an open vote shows who voted how: %+v", v.Voters)
		}

		// Closing time passes; a page read catches up before any worker.
		f.clock.t = f.clock.t.Add(8 * 24 * time.Hour)
		if err := svc.Vote(ctx, f.dirk, d.ID, Ballot{Position: "yes"}, false); !problem.Is(err, problem.Conflict) {
			t.Errorf("voted after closing: %v", err)
		}
		v, err = svc.Get(ctx, f.dirk, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if v.State != Closed || v.Result == nil || v.Result.Motion == nil || v.Result.Motion.Passed {
			t.Fatalf("closed: %+v %+v", v.State, v.Result)
		}
		if p, err := svc.Advance(ctx); err != nil || p.Closed != 0 {
			t.Errorf("Advance closed it again: %+v %v", p, err)
		}
		err = svc.SetOutcome(ctx, f.cato, d.ID, "We wait a year.", "2020-01-01")
		wantField(t, "review in the past", err, "review_on", "decide.review_past")
		if err := svc.SetOutcome(ctx, f.dirk, d.ID, "We wait.", ""); !problem.Is(err, problem.Forbidden) {
			t.Errorf("a member wrote the outcome: %v", err)
		}
		if err := svc.SetOutcome(ctx, f.cato, d.ID, "We wait a year.", "2027-06-01"); err != nil {
			t.Fatal(err)
		}
		v, _ = svc.Get(ctx, f.bert, d.ID)
		if v.Outcome != "We wait a year." || v.ReviewOn != "2027-06-01" {
			t.Errorf("outcome %q review %q", v.Outcome, v.ReviewOn)
		}
		if n := len(auditActions(t, db, "decision.vote")); n != 4 {
			t.Errorf("%d vote records in the audit log, want 4", n)
		}
	})
}

// Secret ballots: stored apart from who cast them, final, voters shown
// only from three on, results of a hidden vote only after closing.
func TestSecretBallots(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		svc := f.svc
		d := f.voting(t, f.draft(Approval, Anonymous, "Oven", "Fridge", "Sink"))
		oven, fridge := option(t, d, "Oven"), option(t, d, "Fridge")
		if err := svc.Vote(ctx, f.anna, d.ID, Ballot{Values: map[int64]int{oven: 1, fridge: 1}}, false); err != nil {
			t.Fatal(err)
		}
		err := svc.Vote(ctx, f.anna, d.ID, Ballot{Values: map[int64]int{oven: 1}}, false)
		wantProblem(t, "a second secret ballot", err, problem.Conflict, "decide.already_voted")
		err = svc.Vote(ctx, f.bert, d.ID, Ballot{Values: map[int64]int{oven: 1, fridge: 1, option(t, d, "Sink"): 1}}, false)
		wantField(t, "three of at most two", err, "ballot", "decide.too_many_choices")
		if err := svc.Vote(ctx, f.bert, d.ID, Ballot{Values: map[int64]int{oven: 1}}, false); err != nil {
			t.Fatal(err)
		}
		v, _ := svc.Get(ctx, f.cato, d.ID)
		if v.Cast != 2 || v.Voters != nil || v.VotersShownFrom != 3 {
			t.Errorf("two secret ballots: cast %d, voters %v, shown from %d", v.Cast, v.Voters, v.VotersShownFrom)
		}
		// With two ballots the results so far would give them away.
		if v.Result != nil || !v.ResultsHidden || v.ResultsFrom != 3 {
			t.Errorf("two secret ballots: result %+v, hidden %v from %d", v.Result, v.ResultsHidden, v.ResultsFrom)
		}
		if err := svc.Vote(ctx, f.cato, d.ID, Ballot{Values: map[int64]int{oven: 1}}, false); err != nil {
			t.Fatal(err)
		}
		v, _ = svc.Get(ctx, f.cato, d.ID)
		if len(v.Voters) != 3 || v.Voters[0].Ballot != nil || !v.Voters[0].VotedAt.IsZero() || v.Mine != nil || !v.Voted {
			t.Errorf("three secret ballots: voters %+v, mine %v, voted %v", v.Voters, v.Mine, v.Voted)
		}
		var linked int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM decision_ballots WHERE decision_id = ? AND (user_id IS NOT NULL OR cast_at IS NOT NULL)`, d.ID).Scan(&linked); err != nil {
			t.Fatal(err)
		}
		if linked != 0 {
			t.Errorf("%d secret ballots carry a voter or a time", linked)
		}
		if v.Result == nil || v.Result.Count == nil || len(v.Result.Winners()) == 0 || v.Result.Winners()[0] != oven {
			t.Errorf("live result of an anonymous vote: %+v", v.Result)
		}

		h := f.voting(t, f.draft(Score, Hidden, "Monday", "Friday"))
		if err := svc.Vote(ctx, f.anna, h.ID, Ballot{Values: map[int64]int{option(t, h, "Friday"): 5, option(t, h, "Monday"): 1}}, false); err != nil {
			t.Fatal(err)
		}
		v, _ = svc.Get(ctx, f.anna, h.ID)
		if v.Result != nil || !v.ResultsHidden {
			t.Errorf("a hidden vote's result shows while voting: %+v", v.Result)
		}
		if _, _, err := svc.Ballots(ctx, f.anna, h.ID); !problem.Is(err, problem.Conflict) {
			t.Errorf("ballots downloadable before closing: %v", err)
		}
		f.clock.t = f.clock.t.Add(8 * 24 * time.Hour)
		v, _ = svc.Get(ctx, f.anna, h.ID)
		if v.Result == nil || v.Result.Winners()[0] != option(t, h, "Friday") {
			t.Errorf("a hidden vote's result after closing: %+v", v.Result)
		}
		_, ballots, err := svc.Ballots(ctx, f.dirk, h.ID)
		if err != nil || len(ballots) != 1 {
			t.Errorf("ballots after closing: %v %v", ballots, err)
		}
	})
}

// Secrecy can be made stronger before voting, never weaker.
func TestSecrecyNeverWeakens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		d, err := f.svc.Create(ctx, f.cato, f.slug, f.draft(Consent, Anonymous))
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.Update(ctx, f.cato, d.ID, f.draft(Consent, Open))
		wantField(t, "anonymous to open", err, "secrecy", "decide.secrecy_weaker")
		if d, err = f.svc.Update(ctx, f.cato, d.ID, f.draft(Consent, Hidden)); err != nil || d.Secrecy != Hidden {
			t.Fatalf("anonymous to hidden: %v %v", d.Secrecy, err)
		}
		_, err = f.svc.Update(ctx, f.cato, d.ID, f.draft(Consent, Anonymous))
		wantField(t, "hidden to anonymous", err, "secrecy", "decide.secrecy_weaker")
	})
}

// Voting opens and closes at its times, with one reminder per person,
// across processes: two services on one database run Advance at once.
func TestScheduleAndReminders(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		svc := f.svc
		dr := f.draft(Consent, Open)
		dr.OpensAt = local(f.clock.t.Add(24 * time.Hour))
		dr.ClosesAt = local(f.clock.t.Add(3 * 24 * time.Hour))
		d, err := svc.Create(ctx, f.cato, f.slug, dr)
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.Publish(ctx, f.cato, d.ID); err != nil {
			t.Fatal(err)
		}
		if p, err := svc.Advance(ctx); err != nil || p != (Progress{}) {
			t.Fatalf("before its time: %+v %v", p, err)
		}
		f.clock.t = f.clock.t.Add(25 * time.Hour)
		other := &Service{DB: db, Letters: letters{}, Now: f.clock.now}
		var wg sync.WaitGroup
		progress := make([]Progress, 2)
		errs := make([]error, 2)
		for i, s := range []*Service{svc, other} {
			wg.Add(1)
			go func() { defer wg.Done(); progress[i], errs[i] = s.Advance(ctx) }()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if progress[0].Opened+progress[1].Opened != 1 {
			t.Errorf("opened %d times, want once", progress[0].Opened+progress[1].Opened)
		}
		// Someone who joins after opening is not in the electorate.
		late, err := (&account.Service{DB: db}).Add(ctx, account.NewUser{Email: "gijs@example.org", Name: "gijs", Password: "a long enough password", Role: account.Member})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.ws.AddMember(ctx, f.anna, f.slug, workspace.NewMember{Email: late.Email, Name: "gijs", Circle: workspace.Members}); err != nil {
			t.Fatal(err)
		}
		wantProblem(t, "a late joiner votes", svc.Vote(ctx, &late, d.ID, Ballot{Position: "agree"}, false), problem.Forbidden, "decide.not_eligible")
		if err := svc.Vote(ctx, f.anna, d.ID, Ballot{Position: "agree"}, false); err != nil {
			t.Fatal(err)
		}
		err = svc.Vote(ctx, f.bert, d.ID, Ballot{Position: "block"}, false)
		wantField(t, "a block without a reason", err, "reason", "required")
		if err := svc.Vote(ctx, f.bert, d.ID, Ballot{Position: "block", Reason: "The kitchen's wiring cannot take it."}, false); err != nil {
			t.Fatal(err)
		}

		// A day before closing: reminders to cato and dirk, once, from
		// either process.
		f.clock.t = f.clock.t.Add(30 * time.Hour)
		for i, s := range []*Service{svc, other} {
			wg.Add(1)
			go func() { defer wg.Done(); progress[i], errs[i] = s.Advance(ctx) }()
		}
		wg.Wait()
		if n := progress[0].Reminded + progress[1].Reminded; n != 2 || errs[0] != nil || errs[1] != nil {
			t.Errorf("reminded %d (%v %v), want 2", n, errs[0], errs[1])
		}
		f.clock.t = f.clock.t.Add(time.Hour)
		if p, _ := svc.Advance(ctx); p.Reminded != 0 {
			t.Errorf("reminded again: %+v", p)
		}
		for u, want := range map[*account.User]int{f.cato: 1, f.dirk: 1, f.anna: 0, f.bert: 0, &late: 0} {
			if got := len(mailsTo(t, db, u.Email)); got != want {
				t.Errorf("%s got %d reminders, want %d", u.Name, got, want)
			}
		}
		f.clock.t = f.clock.t.Add(24 * time.Hour)
		if p, err := svc.Advance(ctx); err != nil || p.Closed != 1 {
			t.Errorf("closing: %+v %v", p, err)
		}
		v, _ := svc.Get(ctx, f.dirk, d.ID)
		if m := v.Result.Motion; m == nil || !m.Blocked || m.Passed {
			t.Errorf("a blocked consent: %+v", m)
		}
	})
}

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

// City-wide: stewards run it; residents of the district declare it.
func TestCityWideDecision(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		motion := f.draft(Majority, Anonymous)
		motion.District = "noord"
		motion.Params.Quorum = 10
		_, err := f.svc.Create(ctx, f.steward, "", motion)
		wantField(t, "quorum with a district", err, "quorum", "decide.quorum_district")
		dr := f.draft(IRV, Anonymous, "Park", "Playground", "Library")
		dr.District = "noord"
		d, err := f.svc.Create(ctx, f.steward, "", dr)
		if err != nil {
			t.Fatal(err)
		}
		if d.Visibility != workspace.Public || d.Circles != nil {
			t.Errorf("a city-wide decision: visibility %q circles %v", d.Visibility, d.Circles)
		}
		if _, err := f.svc.Get(ctx, nil, d.ID); !problem.Is(err, problem.NotFound) {
			t.Errorf("a visitor sees a city draft: %v", err)
		}
		if err := f.svc.OpenVoting(ctx, f.steward, d.ID); err != nil {
			t.Fatal(err)
		}
		v, err := f.svc.Get(ctx, nil, d.ID)
		if err != nil || v.Rights.Vote {
			t.Fatalf("a visitor's view: %+v %v", v.Rights, err)
		}
		park := option(t, d, "Park")
		err = f.svc.Vote(ctx, f.fien, d.ID, Ballot{Values: map[int64]int{park: 1}}, false)
		wantField(t, "no declaration", err, "lives_there", "decide.district_declaration")
		if err := f.svc.Vote(ctx, f.fien, d.ID, Ballot{Values: map[int64]int{park: 1}}, true); err != nil {
			t.Fatal(err)
		}
		err = f.svc.Vote(ctx, nil, d.ID, Ballot{}, true)
		wantProblem(t, "a visitor votes", err, problem.Unauthorized, "")
	})
}

// One voter, one ballot, under load: every member votes at once, some
// twice at the same moment; an open ballot sent twice counts once.
func TestConcurrentBallots(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		accounts := &account.Service{DB: db}
		var people []*account.User
		for i := range 60 {
			u, err := accounts.Add(ctx, account.NewUser{Email: fmt.Sprintf("voter%d@example.org", i), Name: fmt.Sprintf("voter %d", i),
				Password: "a long enough password", Role: account.Member})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.ws.AddMember(ctx, f.anna, f.slug, workspace.NewMember{Email: u.Email, Name: u.Name, Circle: workspace.Members}); err != nil {
				t.Fatal(err)
			}
			people = append(people, &u)
		}
		for _, secrecy := range []Secrecy{Anonymous, Open} {
			d := f.voting(t, f.draft(Majority, secrecy))
			var wg sync.WaitGroup
			var mu sync.Mutex
			conflicts, failures := 0, 0
			for i, u := range people {
				times := 1
				if i%3 == 0 {
					times = 2
				}
				for range times {
					wg.Add(1)
					go func() {
						defer wg.Done()
						err := f.svc.Vote(ctx, u, d.ID, Ballot{Position: "yes"}, false)
						mu.Lock()
						defer mu.Unlock()
						switch {
						case err == nil:
						case problem.Is(err, problem.Conflict):
							conflicts++
						default:
							failures++
							t.Errorf("%s: %v", u.Name, err)
						}
					}()
				}
			}
			wg.Wait()
			var voters, ballots int
			if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM decision_voters WHERE decision_id = ?`, d.ID).Scan(&voters); err != nil {
				t.Fatal(err)
			}
			if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM decision_ballots WHERE decision_id = ? AND superseded_at IS NULL`, d.ID).Scan(&ballots); err != nil {
				t.Fatal(err)
			}
			if voters != len(people) || ballots != len(people) {
				t.Errorf("%s: %d voters, %d ballots counted, want %d each", secrecy, voters, ballots, len(people))
			}
			if secrecy == Anonymous && conflicts != 20 {
				t.Errorf("anonymous: %d second ballots refused, want 20", conflicts)
			}
			if secrecy == Open && conflicts != 0 {
				t.Errorf("open: %d changes refused, want none", conflicts)
			}
		}
	})
}

// Nobody learns what exists by guessing numbers.
func TestUnknownAndInvisibleLookAlike(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		d := f.voting(t, f.draft(Consent, Open))
		_, errHidden := f.svc.Get(ctx, f.fien, d.ID)
		_, errMissing := f.svc.Get(ctx, f.fien, d.ID+1000)
		if !errors.Is(errHidden, errNotFound) || !errors.Is(errMissing, errNotFound) {
			t.Errorf("hidden %v, missing %v: want the same not found", errHidden, errMissing)
		}
		list, err := f.svc.List(ctx, f.fien, f.slug)
		if err != nil || len(list) != 0 {
			t.Errorf("a stranger lists %v (%v)", list, err)
		}
		list, err = f.svc.List(ctx, f.dirk, f.slug)
		if err != nil || len(list) != 1 || !strings.Contains(list[0].Title, "oven") {
			t.Errorf("a member lists %+v (%v)", list, err)
		}
	})
}
