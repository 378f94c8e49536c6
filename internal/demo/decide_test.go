package demo_test

import (
	"bytes"
	"context"
	"slices"
	"testing"

	"samen/internal/account"
	"samen/internal/atlas"
	"samen/internal/decide"
	"samen/internal/demo"
	"samen/internal/mapindex"
	"samen/internal/store"
	"samen/internal/store/storetest"
	"samen/internal/tally"
	"samen/internal/web"
	"samen/internal/workspace"
)

// The demo's decisions (issue 13): in the workspace a closed consent
// decision, an open ranked vote and a meeting poll; in the city a closed
// participatory budget whose greedy and Equal Shares outcomes differ, and
// whose pabulib file counts to the page's winners.
func TestSeedDecisions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		accounts := &account.Service{DB: db}
		letters, err := web.NewLetters("http://samen.test")
		if err != nil {
			t.Fatal(err)
		}
		dec := &decide.Service{DB: db, Letters: letters}
		seeded, err := demo.Seed(ctx, accounts, demo.Services{Atlas: &atlas.Service{DB: db, Map: mapindex.New(mapindex.Options{}), Letters: letters},
			Workspaces: &workspace.Service{DB: db, Letters: letters, Files: t.TempDir()}, Decisions: dec})
		if err != nil || !seeded {
			t.Fatalf("seed: %v %v", seeded, err)
		}
		member, _, err := accounts.Login(ctx, account.LoginAttempt{Email: demo.Accounts[2].Email, Password: demo.Accounts[2].Password, IP: "127.0.0.1"})
		if err != nil {
			t.Fatal(err)
		}
		mine, err := (&workspace.Service{DB: db}).Mine(ctx, &member)
		if err != nil || len(mine) == 0 {
			t.Fatalf("the member's workspaces: %v %v", mine, err)
		}
		list, err := dec.List(ctx, &member, mine[0].Slug)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]bool{}
		for _, s := range list {
			kinds[string(s.Method)+" "+string(s.State)] = true
		}
		for _, want := range []string{"consent closed", "schulze voting", "poll voting"} {
			if !kinds[want] {
				t.Errorf("the demo workspace lacks a %s decision: %v", want, kinds)
			}
		}
		for _, s := range list {
			if s.Method == decide.Consent {
				v, err := dec.Get(ctx, &member, s.ID)
				if err != nil || v.Outcome == "" || v.Result == nil || !v.Result.Motion.Passed || len(v.Comments) != 2 {
					t.Errorf("the closed consent decision: %+v %v", v.Result, err)
				}
			}
		}

		budgets, err := dec.ListBudgets(ctx, nil, "")
		if err != nil || len(budgets) != 1 || budgets[0].Phase != decide.Results || budgets[0].Projects < 10 {
			t.Fatalf("the city's budgets: %+v %v", budgets, err)
		}
		v, err := dec.GetBudget(ctx, nil, budgets[0].ID)
		if err != nil || v.Result == nil {
			t.Fatalf("the demo budget: %v", err)
		}
		if v.Result.Ballots < 200 || v.Result.Paper < 200 {
			t.Errorf("the demo budget counted %d ballots, %d on paper; want a few hundred", v.Result.Ballots, v.Result.Paper)
		}
		greedy, mes := v.Result.FundedBy("greedy"), v.Result.Funded()
		if slices.Equal(sorted(greedy), sorted(mes)) {
			t.Errorf("greedy and Equal Shares fund the same projects %v: the demo shows nothing", greedy)
		}
		b, ballots, err := dec.BudgetBallots(ctx, nil, budgets[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		var file bytes.Buffer
		if err := tally.WritePB(&file, b.Tally(ballots)); err != nil {
			t.Fatal(err)
		}
		read, err := tally.ReadPB(&file)
		if err != nil {
			t.Fatal(err)
		}
		var fromFile []int64
		for _, i := range tally.EqualShares(read).Winners {
			var id int64
			for _, c := range read.Projects[i].ID {
				id = id*10 + int64(c-'0')
			}
			fromFile = append(fromFile, id)
		}
		if !slices.Equal(fromFile, mes) {
			t.Errorf("the .pb file counts to %v, the page says %v", fromFile, mes)
		}
	})
}

func sorted(ids []int64) []int64 {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	return ids
}
