package decide

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"samen/internal/account"
	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/store/storetest"
	"samen/internal/workspace"
)

// A city-wide participatory budget from proposals to result, where the
// majority's rule (greedy by votes) and Equal Shares fund different
// projects: six residents want a skate park, five of them a car park too,
// four want a library corner; each costs half the budget. Greedy funds the
// two the majority wants; Equal Shares gives each resident a tenth of the
// money: the six buy the skate park, and the four can buy their corner
// once add-one raises everyone's share (before the five could afford the
// car park).
func TestBudgetJourney(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		svc := f.svc
		accounts := &account.Service{DB: db}
		second, err := accounts.Add(ctx, account.NewUser{Email: "steward2@example.org", Name: "Sanne", Password: "a long enough password", Role: account.Steward})
		if err != nil {
			t.Fatal(err)
		}
		third, err := accounts.Add(ctx, account.NewUser{Email: "steward3@example.org", Name: "Teun", Password: "a long enough password", Role: account.Steward})
		if err != nil {
			t.Fatal(err)
		}
		draft := DraftBudget{Title: "Buurtbudget Centrum", Language: "nl", District: "centrum", Total: "€ 100", BallotKind: Knapsack,
			Rule: "equal-shares-add1", ClosesAt: local(f.clock.t.Add(14 * 24 * time.Hour))}
		if _, err := svc.CreateBudget(ctx, f.cato, "", draft); !problem.Is(err, problem.Forbidden) {
			t.Errorf("a resident started a city budget: %v", err)
		}
		bad := draft
		bad.Total = "100,50"
		_, err = svc.CreateBudget(ctx, f.steward, "", bad)
		wantField(t, "cents in a budget", err, "total", "decide.whole_euros")
		b, err := svc.CreateBudget(ctx, f.steward, "", draft)
		if err != nil {
			t.Fatal(err)
		}
		if b.TotalCents != 10000 || b.Phase != Proposals {
			t.Fatalf("new budget: %+v", b)
		}

		_, err = svc.Propose(ctx, f.cato, b.ID, DraftProject{Title: "Skatepark", Description: "Voor de jeugd", Cost: "150"})
		wantField(t, "a project above the budget", err, "cost", "decide.cost_above_total")
		_, err = svc.Propose(ctx, f.cato, b.ID, DraftProject{Title: "Skatepark", Description: "Voor de jeugd", Cost: "50", District: "noord"})
		wantField(t, "a project elsewhere", err, "district", "decide.project_district")
		ids := map[string]int64{}
		for _, p := range []struct {
			by   *account.User
			name string
		}{{f.cato, "Skatepark"}, {f.dirk, "Parkeerplaats"}, {f.emma, "Bibliotheekhoek"}, {f.fien, "Kunstwerk"}} {
			pr, err := svc.Propose(ctx, p.by, b.ID, DraftProject{Title: p.name, Description: "Een voorstel.", Cost: "50"})
			if err != nil {
				t.Fatalf("propose %s: %v", p.name, err)
			}
			ids[p.name] = pr.ID
		}
		if _, err := svc.Propose(ctx, nil, b.ID, DraftProject{Title: "x", Description: "y", Cost: "1"}); !problem.Is(err, problem.Unauthorized) {
			t.Errorf("a visitor proposed: %v", err)
		}
		if err := svc.Review(ctx, f.steward, b.ID, ids["Kunstwerk"], false, "", ""); err == nil {
			t.Error("reviewed during the proposals phase")
		}
		if _, err := svc.AdvanceBudget(ctx, f.cato, b.ID); !problem.Is(err, problem.Forbidden) {
			t.Errorf("a resident moved the phase: %v", err)
		}
		if to, err := svc.AdvanceBudget(ctx, f.steward, b.ID); err != nil || to != Review {
			t.Fatalf("to review: %v %v", to, err)
		}
		if _, err := svc.Propose(ctx, f.cato, b.ID, DraftProject{Title: "Laat", Description: "Te laat.", Cost: "5"}); !problem.Is(err, problem.Conflict) {
			t.Errorf("proposed during the review: %v", err)
		}
		for _, name := range []string{"Skatepark", "Parkeerplaats", "Bibliotheekhoek"} {
			if err := svc.Review(ctx, f.steward, b.ID, ids[name], true, "", ""); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := svc.AdvanceBudget(ctx, f.steward, b.ID); !problem.Is(err, problem.Conflict) {
			t.Errorf("voting opened with a project unreviewed: %v", err)
		}
		err = svc.Review(ctx, f.steward, b.ID, ids["Kunstwerk"], false, "", "")
		wantField(t, "a rejection without a note", err, "note", "required")
		if err := svc.Review(ctx, f.steward, b.ID, ids["Kunstwerk"], false, "Valt buiten het stadsdeel.", ""); err != nil {
			t.Fatal(err)
		}
		if to, err := svc.AdvanceBudget(ctx, f.steward, b.ID); err != nil || to != Balloting {
			t.Fatalf("to voting: %v %v", to, err)
		}

		skate, car, lib := ids["Skatepark"], ids["Parkeerplaats"], ids["Bibliotheekhoek"]
		err = svc.VoteBudget(ctx, f.cato, b.ID, []int64{skate, car, lib}, true)
		wantField(t, "an over-budget basket", err, "projects", "tally.ballot.over_budget")
		err = svc.VoteBudget(ctx, f.cato, b.ID, []int64{ids["Kunstwerk"]}, true)
		wantField(t, "a rejected project", err, "projects", "decide.project_unknown")
		err = svc.VoteBudget(ctx, f.cato, b.ID, []int64{skate}, false)
		wantField(t, "no declaration", err, "lives_there", "decide.district_declaration")
		// Online: three of the six and two of the four.
		online := []*account.User{f.anna, f.bert, f.cato, f.dirk, f.emma}
		for i, u := range online {
			basket := []int64{skate, car}
			if i >= 3 {
				basket = []int64{lib}
			}
			if err := svc.VoteBudget(ctx, u, b.ID, basket, true); err != nil {
				t.Fatalf("%s votes: %v", u.Name, err)
			}
		}
		wantProblem(t, "a second ballot", svc.VoteBudget(ctx, f.anna, b.ID, []int64{lib}, true), problem.Conflict, "decide.already_voted")

		// Paper: sheets 1–3 for the six, 4–5 for the four, each typed in
		// by two stewards; sheet 3 is misread once.
		paper := func(u *account.User, sheet string, projects ...int64) Sheet {
			t.Helper()
			s, err := svc.EnterPaper(ctx, u, b.ID, sheet, projects)
			if err != nil {
				t.Fatalf("sheet %s by %s: %v", sheet, u.Name, err)
			}
			return s
		}
		if _, err := svc.EnterPaper(ctx, f.cato, b.ID, "1", []int64{skate}); !problem.Is(err, problem.Forbidden) {
			t.Errorf("a resident typed in a paper ballot: %v", err)
		}
		for _, sheet := range []string{"1", "2"} {
			if s := paper(f.steward, sheet, skate, car); s.Counted {
				t.Errorf("sheet %s counts after one reading", sheet)
			}
			// The same person again corrects their own reading; it still
			// does not count.
			if s := paper(f.steward, sheet, car, skate); s.Counted {
				t.Errorf("sheet %s counts after one person read it twice", sheet)
			}
			if s := paper(&second, sheet, skate, car); !s.Counted {
				t.Errorf("sheet %s does not count after two agreeing readings", sheet)
			}
		}
		// Sheet 3 is the one of the six who left the car park out.
		paper(f.steward, "3", skate)
		if s := paper(&second, "3", skate, car); s.Counted || !s.Differ {
			t.Errorf("disagreeing readings of sheet 3: %+v", s)
		}
		if s := paper(&third, "3", skate); !s.Counted {
			t.Errorf("a third reading that agrees with the first: %+v", s)
		}
		_, err = svc.EnterPaper(ctx, &second, b.ID, "3", []int64{skate, car})
		wantField(t, "a counted sheet again", err, "sheet", "decide.sheet_counted")
		for _, sheet := range []string{"4", "5"} {
			paper(f.steward, sheet, lib)
			paper(&third, sheet, lib)
		}
		view, err := svc.GetBudget(ctx, f.steward, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if view.Cast != 5 || view.Paper != 5 || len(view.Sheets) != 5 {
			t.Errorf("turnout: %d online, %d paper, %d sheets", view.Cast, view.Paper, len(view.Sheets))
		}

		if _, err := svc.AdvanceBudget(ctx, f.steward, b.ID); !problem.Is(err, problem.Conflict) {
			t.Errorf("result before online voting closed: %v", err)
		}
		f.clock.t = f.clock.t.Add(15 * 24 * time.Hour)
		if err := svc.VoteBudget(ctx, f.fien, b.ID, []int64{lib}, true); !problem.Is(err, problem.Conflict) {
			t.Errorf("voted online after closing: %v", err)
		}
		paper(&second, "6", lib) // a late sheet, read once: it does not count
		if to, err := svc.AdvanceBudget(ctx, f.steward, b.ID); err != nil || to != Results {
			t.Fatalf("to the result: %v %v", to, err)
		}
		view, err = svc.GetBudget(ctx, nil, b.ID)
		if err != nil || view.Result == nil {
			t.Fatalf("the result for a visitor: %v %v", view.Result, err)
		}
		r := view.Result
		if r.Ballots != 10 || r.Paper != 5 {
			t.Errorf("counted %d ballots, %d on paper; want 10 and 5", r.Ballots, r.Paper)
		}
		sorted := func(ids []int64) []int64 { ids = slices.Clone(ids); slices.Sort(ids); return ids }
		want := func(ids ...int64) []int64 { return sorted(ids) }
		if got := sorted(r.FundedBy("greedy")); !slices.Equal(got, want(skate, car)) {
			t.Errorf("greedy funds %v, want the skate park and the car park", got)
		}
		if got := sorted(r.FundedBy("equal-shares")); !slices.Equal(got, want(skate)) {
			t.Errorf("equal shares funds %v, want the skate park alone", got)
		}
		if got := sorted(r.Funded()); !slices.Equal(got, want(skate, lib)) {
			t.Errorf("equal shares with add-one (the deciding rule) funds %v, want the skate park and the library corner", got)
		}
		_, ballots, err := svc.BudgetBallots(ctx, nil, b.ID)
		if err != nil || len(ballots) != 10 {
			t.Errorf("the ballots for the download: %d (%v)", len(ballots), err)
		}
		if _, err := svc.AdvanceBudget(ctx, f.steward, b.ID); !problem.Is(err, problem.Conflict) {
			t.Errorf("a phase after the result: %v", err)
		}
	})
}

// A workspace's budget: core runs it, its circles propose and vote, others
// do not see it.
func TestWorkspaceBudget(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		svc := f.svc
		draft := DraftBudget{Title: "Solidariteitsfonds", Language: "nl", Total: "5.000", BallotKind: ApprovalBallot, MaxProjects: 2,
			Rule: "greedy", Circles: []workspace.Circle{workspace.Core, workspace.Members}, ClosesAt: local(f.clock.t.Add(7 * 24 * time.Hour))}
		if _, err := svc.CreateBudget(ctx, f.cato, f.slug, draft); !problem.Is(err, problem.Forbidden) {
			t.Errorf("a member started the workspace's budget: %v", err)
		}
		b, err := svc.CreateBudget(ctx, f.anna, f.slug, draft)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range []*account.User{f.fien, f.emma, nil} {
			if _, err := svc.GetBudget(ctx, u, b.ID); !problem.Is(err, problem.NotFound) {
				t.Errorf("%v sees the members' budget: %v", u, err)
			}
		}
		if _, err := svc.Propose(ctx, f.bert, b.ID, DraftProject{Title: "Zonnepanelen", Description: "Op het dak.", Cost: "3000"}); !problem.Is(err, problem.Forbidden) {
			t.Errorf("a contributor outside the chosen circles proposed: %v", err)
		}
		var ids []int64
		for i, u := range []*account.User{f.cato, f.dirk, f.anna} {
			p, err := svc.Propose(ctx, u, b.ID, DraftProject{Title: fmt.Sprintf("Project %d", i+1), Description: "Iets goeds.", Cost: "2000"})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, p.ID)
		}
		if _, err := svc.AdvanceBudget(ctx, f.anna, b.ID); err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			if err := svc.Review(ctx, f.anna, b.ID, id, true, "", ""); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := svc.AdvanceBudget(ctx, f.anna, b.ID); err != nil {
			t.Fatal(err)
		}
		err = svc.VoteBudget(ctx, f.cato, b.ID, ids, false)
		wantField(t, "three of at most two", err, "projects", "tally.ballot.too_many")
		if err := svc.VoteBudget(ctx, f.cato, b.ID, ids[:2], false); err != nil {
			t.Fatal(err)
		}
		list, err := svc.ListBudgets(ctx, f.dirk, f.slug)
		if err != nil || len(list) != 1 || list[0].Projects != 3 {
			t.Errorf("a member's list: %+v %v", list, err)
		}
		if list, _ := svc.ListBudgets(ctx, f.fien, f.slug); len(list) != 0 {
			t.Errorf("a stranger's list: %+v", list)
		}
	})
}
