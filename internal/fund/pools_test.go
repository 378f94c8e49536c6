package fund

import (
	"context"
	"testing"

	"samen/internal/account"
	"samen/internal/assess"
	"samen/internal/atlas"
	"samen/internal/mapindex"
	"samen/internal/match"
	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/store/storetest"
)

// A pool's form as a steward fills it: codes of the atlas, deposits that
// keep to their funders, factors as typed.
func TestDraftPoolClean(t *testing.T) {
	for _, tc := range []struct {
		name   string
		d      DraftPool
		fields map[string]string
	}{
		{"unknown codes", DraftPool{Districts: []string{"noord", "mars"}, Sectors: []string{"food"}, Principles: []string{"local_roots", "profit"}},
			map[string]string{"districts": "choice.unknown", "principles": "choice.unknown"}},
		{"a deposit without a funder", DraftPool{Funders: []string{"Gemeente", ""}, Deposits: []int64{100, 200}}, map[string]string{"funders.1": "required"}},
		{"a deposit beyond the funders", DraftPool{Funders: []string{"Gemeente"}, Deposits: []int64{100, 0, 5}}, map[string]string{"funders.2": "required"}},
		{"a negative deposit", DraftPool{Funders: []string{"Gemeente"}, Deposits: []int64{-1}}, map[string]string{"deposits.0": "amount.positive"}},
		{"a third", DraftPool{Factor: "1/3"}, map[string]string{"factor": "fund.factor"}},
		{"eleven halves", DraftPool{Factor: "21/2"}, map[string]string{"factor": "fund.factor"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.d
			d.Name, d.Language, d.Rule = "Pot", "nl", Duplicate
			if d.Factor == "" {
				d.Factor = "1"
			}
			if d.Funders == nil {
				d.Funders = []string{"Gemeente"}
			}
			_, _, f := d.Clean()
			for field, code := range tc.fields {
				if f[field] != code {
					t.Errorf("%s: %q, want %q (all: %v)", field, f[field], code, f)
				}
			}
		})
	}
	d := DraftPool{Name: "Pot", Language: "nl", Rule: Duplicate, Factor: "1/4", Funders: []string{"", "Gemeente", "Fonds", ""}, Deposits: []int64{0, 500, 0},
		Principles: []string{"local_roots", "local_roots", " "}}
	num, den, f := d.Clean()
	if len(f) != 0 || num != 1 || den != 4 {
		t.Fatalf("a good pool: %d/%d %v", num, den, f)
	}
	if len(d.Funders) != 2 || d.Deposits[0] != 500 || d.Deposits[1] != 0 || len(d.Principles) != 1 {
		t.Errorf("cleaned: funders %v, deposits %v, principles %v", d.Funders, d.Deposits, d.Principles)
	}
}

// Eligibility by the atlas and the assessments: a pool that asks for
// principles takes only an initiative whose entry holds them all (a
// workspace without an entry holds none); one that asks for an assessment
// only an initiative one of whose editors is the provider of a published,
// passing assessment.
func TestPoolEligibility(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		c := f.campaign(t, false)
		open := func(d DraftPool) Pool {
			t.Helper()
			d.Name, d.Language, d.Rule, d.Factor, d.Funders, d.Deposits = "Pot "+itoa(len(d.Principles))+" "+itoa(boolInt(d.AssessmentRequired)), "nl", Duplicate, "1",
				[]string{"Gemeente"}, []int64{10000}
			p, err := f.svc.CreatePool(ctx, f.steward, d)
			if err != nil {
				t.Fatal(err)
			}
			if p.Funders[0].Received != 10000 || p.LeftCents() != 10000 {
				t.Errorf("the deposit at creation: %+v", p.Funders[0])
			}
			if err := f.svc.SetPoolState(ctx, f.steward, p.ID, PoolOpen); err != nil {
				t.Fatal(err)
			}
			return p
		}
		both := open(DraftPool{Principles: []string{"local_roots", "shared_ownership"}})
		local := open(DraftPool{Principles: []string{"local_roots"}})
		assessed := open(DraftPool{AssessmentRequired: true})
		if p, _ := loadPool(ctx, db, both.ID); len(p.Principles) != 2 || p.AssessmentRequired {
			t.Errorf("stored: %v %v", p.Principles, p.AssessmentRequired)
		}

		_, err := f.svc.Apply(ctx, f.anna, local.ID, c.ID, "")
		wantCode(t, err, "fund.not_eligible_principles")

		// The workspace's entry in the atlas: rooted locally, not owned
		// together.
		accounts := &account.Service{DB: db}
		mod, err := accounts.Add(ctx, account.NewUser{Email: "mod@example.org", Name: "Mod", Password: "a long enough password", Role: account.Moderator})
		if err != nil {
			t.Fatal(err)
		}
		at := &atlas.Service{DB: db, Map: mapindex.New(mapindex.Options{})}
		yes, no := true, false
		in, err := at.Propose(ctx, &mod, atlas.Proposal{NotDuplicate: true, Record: atlas.Record{Name: "Buurtkeuken Noord",
			Summary: atlas.Text{NL: "Samen koken.", EN: "Cooking together."}, Sectors: []string{"food"},
			Principles: map[string]atlas.Principle{"local_roots": {Holds: &yes}, "shared_ownership": {Holds: &no}}}})
		if err != nil {
			t.Fatal(err)
		}
		if err := at.AddEditor(ctx, &mod, in.ID, f.anna.Email); err != nil {
			t.Fatal(err)
		}
		if err := f.ws.LinkInitiative(ctx, f.anna, f.slug, in.ID); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.Apply(ctx, f.anna, both.ID, c.ID, "")
		wantCode(t, err, "fund.not_eligible_principles")
		if _, err := f.svc.Apply(ctx, f.anna, local.ID, c.ID, ""); err != nil {
			t.Errorf("a locally rooted initiative applies to a pool for them: %v", err)
		}

		_, err = f.svc.Apply(ctx, f.anna, assessed.ID, c.ID, "")
		wantCode(t, err, "fund.not_eligible_assessment")
		as := &assess.Service{DB: db, Now: f.clock.now}
		if _, err := as.SeedFramework(ctx); err != nil {
			t.Fatal(err)
		}
		// An assessment whose provider speaks for another initiative does
		// not count, nor does a passing one that is only in review.
		publishAssessment(t, as, f, f.fien, true)
		draft := publishAssessment(t, as, f, f.anna, false)
		_, err = f.svc.Apply(ctx, f.anna, assessed.ID, c.ID, "")
		wantCode(t, err, "fund.not_eligible_assessment")
		if err := as.Publish(ctx, f.steward, draft); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Apply(ctx, f.anna, assessed.ID, c.ID, ""); err != nil {
			t.Errorf("with its published assessment the initiative applies: %v", err)
		}
		// Standing as the site is wired: the same answers.
		sd := AtlasStanding{Atlas: at, Assess: as}
		if got, err := sd.Principles(ctx, in.ID); err != nil || len(got) != 1 || got[0] != "local_roots" {
			t.Errorf("principles %v (%v)", got, err)
		}
		if ok, err := sd.Assessed(ctx, in.ID); err != nil || !ok {
			t.Errorf("assessed %v (%v)", ok, err)
		}
		// Past its year the assessment no longer counts.
		f.clock.t = f.clock.t.Add(assess.Validity + 24*3600e9)
		if ok, err := sd.Assessed(ctx, in.ID); err != nil || ok {
			t.Errorf("an expired assessment: %v (%v)", ok, err)
		}
	})
}

// publishAssessment takes an assessment of a piece of software whose
// provider is provider through review, every criterion at the top level
// (so every gate passes): published when publish, else left ready in
// review. It returns the assessment's id.
func publishAssessment(t *testing.T, as *assess.Service, f *fixture, provider *account.User, publish bool) int64 {
	t.Helper()
	ctx := context.Background()
	id, err := as.Create(ctx, f.steward, assess.Subject{Name: "Kookrooster " + provider.Name, Kind: "software",
		Description: assess.Text{NL: "Een rooster.", EN: "A rota."}}, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := as.SetProvider(ctx, f.steward, id, provider.Email); err != nil {
		t.Fatal(err)
	}
	reviewers := []*account.User{f.cato, f.dirk}
	for _, r := range reviewers {
		if err := as.AddReviewer(ctx, f.steward, id, r.Email); err != nil {
			t.Fatal(err)
		}
	}
	if err := as.StartReview(ctx, f.steward, id); err != nil {
		t.Fatal(err)
	}
	fw, err := as.Framework(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	var scores []assess.Score
	top := assess.MaxLevel
	for _, g := range fw.Groups {
		for _, c := range g.Criteria {
			scores = append(scores, assess.Score{Criterion: c.ID, Level: &top, Reason: "Gedocumenteerd.", Confidence: "high",
				Evidence: []assess.Evidence{{Title: "De documentatie"}}})
		}
	}
	for _, r := range reviewers {
		if err := as.SaveScores(ctx, r, id, scores, true); err != nil {
			t.Fatal(err)
		}
	}
	if publish {
		if err := as.Publish(ctx, f.steward, id); err != nil {
			t.Fatal(err)
		}
	}
	return id
}

// A pool's page shows the titles of the campaigns waiting; the apply form
// offers a treasurer the campaigns of theirs that may still apply.
func TestApplicationsOnThePage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		c1, c2 := f.campaign(t, false), f.campaign(t, false)
		p := f.pool(t, DraftPool{Name: "Pot", Language: "nl", Rule: Duplicate, Factor: "1", Funders: []string{"Gemeente"}}, []int64{10000}, c1)
		choices, err := f.svc.CampaignsToApply(ctx, f.bert, p.ID, []int64{f.wsID})
		if err != nil || len(choices) != 1 || choices[0].ID != c2.ID {
			t.Fatalf("the treasurer's choices: %+v (%v)", choices, err)
		}
		for _, u := range []*account.User{f.cato, nil} {
			if choices, err := f.svc.CampaignsToApply(ctx, u, p.ID, []int64{f.wsID}); err != nil || len(choices) != 0 {
				t.Errorf("someone who is not a treasurer may apply with %+v (%v)", choices, err)
			}
		}
		if _, err := f.svc.Apply(ctx, f.bert, p.ID, c2.ID, "Ook graag"); err != nil {
			t.Fatal(err)
		}
		v, err := f.svc.PoolPage(ctx, f.steward, p.ID)
		if err != nil || len(v.Applications) != 1 || v.Applications[0].Campaign != c2.Title || v.Applications[0].Note != "Ook graag" {
			t.Errorf("the manager's page: %+v (%v)", v.Applications, err)
		}
		if len(v.Campaigns) != 1 || v.Campaigns[0].PoolID != c1.ID {
			t.Errorf("the accepted campaigns: %+v", v.Campaigns)
		}
		if choices, _ := f.svc.CampaignsToApply(ctx, f.bert, p.ID, []int64{f.wsID}); len(choices) != 0 {
			t.Errorf("after applying, still offered: %+v", choices)
		}
	})
}

// Replaying what a pool matched through internal/match gives what the
// site matched, when the funders' money was there from the start; the
// contributors are numbers; a refunded contribution is left out.
func TestReplay(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		c := f.campaign(t, false)
		p := f.pool(t, DraftPool{Name: "Pot", Language: "nl", Rule: Duplicate, Factor: "1,5", MaxPerContribution: 2000, MaxMatchedPerContributor: 1,
			Funders: []string{"Gemeente", "Fonds"}}, []int64{7001, 3000}, c)
		f.give(t, f.cato, "", c.ID, 1000)
		f.give(t, f.cato, "", c.ID, 1000)
		// Refunded before the next gift, so that the site's splits are
		// the replay's to the cent (a refund gives back its shares
		// exactly).
		refunded := f.give(t, f.dirk, "", c.ID, 3000)
		if err := f.svc.Refund(ctx, f.anna, refunded.ID, "Vergissing"); err != nil {
			t.Fatal(err)
		}
		f.give(t, nil, "buur@example.org", c.ID, 2500)
		if _, err := f.svc.Replay(ctx, f.anna, p.ID); !problem.Is(err, problem.Forbidden) {
			t.Errorf("a campaign's treasurer replays the pool: %v", err)
		}
		r, err := f.svc.Replay(ctx, f.steward, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Contributions) != 3 || r.Contributions[0].Contributor != "1" || r.Contributions[1].Contributor != "1" || r.Contributions[2].Contributor != "2" ||
			r.Projects[r.Contributions[0].Project] != c.Title || r.Funders[0].ID != "Gemeente" || r.Funders[0].Cents != 7001 {
			t.Fatalf("the replay: %+v", r)
		}
		out, err := match.Simulate(r.Simulation)
		if err != nil {
			t.Fatal(err)
		}
		// 1000 × 1.5 = 1500; cato's second is her second: 0; the neighbour's
		// €25 counts as €20: 3000 (the refunded one gave back its 3000).
		if out.Matches[0].Cents != 1500 || out.Matches[1].Cents != 0 || out.Matches[2].Cents != 3000 {
			t.Errorf("replayed matches: %+v", out.Matches)
		}
		pool, _ := loadPool(ctx, db, p.ID)
		for i, fu := range pool.Funders {
			if out.Left[i].Cents != fu.Left {
				t.Errorf("funder %s: %d left on the site, %d in the replay", fu.Name, fu.Left, out.Left[i].Cents)
			}
		}
	})
}
