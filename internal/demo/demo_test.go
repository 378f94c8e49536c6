package demo_test

import (
	"context"
	"testing"

	"samen/internal/account"
	"samen/internal/assess"
	"samen/internal/atlas"
	"samen/internal/demo"
	"samen/internal/mapindex"
	"samen/internal/store"
	"samen/internal/store/storetest"
	"samen/internal/toolbox"
)

func TestSeedFillsOnlyAnEmptyDatabase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := &account.Service{DB: db}
		at := &atlas.Service{DB: db, Map: mapindex.New(mapindex.Options{})}
		tb := &toolbox.Service{DB: db}
		as := &assess.Service{DB: db}
		if _, err := as.SeedFramework(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := tb.SeedIfEmpty(ctx); err != nil {
			t.Fatal(err)
		}
		seeded, err := demo.Seed(ctx, svc, demo.Services{Atlas: at, Toolbox: tb, Assess: as})
		if err != nil || !seeded {
			t.Fatalf("Seed on an empty database = %v, %v; want true, nil", seeded, err)
		}
		for _, a := range demo.Accounts {
			u, _, err := svc.Login(ctx, account.LoginAttempt{Email: a.Email, Password: a.Password, IP: "127.0.0.1"})
			if err != nil {
				t.Fatalf("demo login %s: %v", a.Email, err)
			}
			if u.Role != a.Role {
				t.Errorf("%s has role %s, want %s", a.Email, u.Role, a.Role)
			}
		}
		seeded, err = demo.Seed(ctx, svc, demo.Services{Atlas: at, Toolbox: tb, Assess: as})
		if err != nil || seeded {
			t.Fatalf("second Seed = %v, %v; want false: it must never touch a used database", seeded, err)
		}
		if n, _ := svc.Count(ctx); n != len(demo.Accounts) {
			t.Fatalf("%d accounts after seeding twice, want %d", n, len(demo.Accounts))
		}
		recs, err := demo.Initiatives()
		if err != nil {
			t.Fatal(err)
		}
		res, err := at.Search(ctx, atlas.Query{Limit: 500})
		if err != nil || res.Total != len(recs) || len(recs) < 40 {
			t.Fatalf("%d demo initiatives published of %d (%v); want all, at least 40", res.Total, len(recs), err)
		}
		// Each district has some, and the matching has something to show:
		// every initiative with a need finds someone who offers it.
		facets, _, _ := at.Facets(ctx, atlas.Query{})
		if len(facets["district"]) != len(atlas.Districts) {
			t.Errorf("districts with demo initiatives: %+v", facets["district"])
		}
		matched := 0
		for _, in := range res.Items {
			if in.Source != "demo" {
				t.Errorf("%s is not marked as demo data", in.Name)
			}
			offering, _, err := at.Matches(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			if len(offering) > 0 {
				matched++
			}
		}
		if matched < len(recs)/2 {
			t.Errorf("only %d of %d demo initiatives find someone offering what they need", matched, len(recs))
		}
		member, _, _ := svc.Login(ctx, account.LoginAttempt{Email: demo.Accounts[2].Email, Password: demo.Accounts[2].Password, IP: "127.0.0.1"})
		edits := 0
		for _, in := range res.Items {
			full, err := at.Get(ctx, nil, in.ID)
			if err != nil {
				t.Fatal(err)
			}
			if full.IsEditor(&member) {
				edits++
			}
		}
		if edits == 0 {
			t.Error("the demo member edits no initiative")
		}
		// The self-scan has something to show: the member's first
		// initiative has two scans, the newer one shared and with fewer
		// big-tech tools, and stewards have enough scans for aggregates.
		mine, err := tb.Editable(ctx, &member)
		if err != nil || len(mine) == 0 {
			t.Fatalf("the member's initiatives: %v, %v", mine, err)
		}
		var scans []toolbox.SavedScan
		for _, in := range mine {
			s, err := tb.Scans(ctx, &member, in.ID)
			if err != nil {
				t.Fatal(err)
			}
			scans = append(scans, s...)
		}
		c, _ := tb.Catalogue(ctx)
		if len(scans) != 2 || !scans[0].Shared || scans[1].Shared ||
			toolbox.Scan(c, scans[0].Input).BigTech >= toolbox.Scan(c, scans[1].Input).BigTech {
			t.Errorf("the member's demo scans do not show progress: %+v", scans)
		}
		steward, _, _ := svc.Login(ctx, account.LoginAttempt{Email: demo.Accounts[0].Email, Password: demo.Accounts[0].Password, IP: "127.0.0.1"})
		if agg, err := tb.Aggregates(ctx, &steward); err != nil || agg.Hidden || len(agg.Products) == 0 {
			t.Errorf("demo aggregates: %+v, %v; want some shown", agg, err)
		}
		// The worked example assessments went through the whole method:
		// published, marked as examples, with two independent reviews
		// each; Nextcloud meets the must-pass criteria and the Beckn
		// network, by its own public sources, does not.
		list, err := as.List(ctx, nil)
		if err != nil || len(list) != 2 {
			t.Fatalf("published example assessments: %d, %v; want 2", len(list), err)
		}
		gates := map[string]string{}
		for _, a := range list {
			if !a.Example || a.Result.Reviews != 2 || a.Result.Total == nil {
				t.Errorf("%s: example %v, %d reviews, total %v", a.Subject.Name, a.Example, a.Result.Reviews, a.Result.Total)
			}
			gates[a.Subject.Tool] = a.Result.Gates
		}
		if gates["nextcloud"] != assess.GatePass || gates[""] != assess.GateFail {
			t.Errorf("gates of the examples: %v", gates)
		}
	})
}
