package assess

import (
	"context"
	"slices"
	"testing"
	"time"

	"samen/internal/account"
	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/store/storetest"
)

func TestShippedFrameworkIsValid(t *testing.T) {
	f, err := ShippedFramework()
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Validate(); err != nil {
		t.Fatalf("the shipped framework: %v", err)
	}
	// The roadmap's principles and core needs, one group each.
	var groups []string
	for _, g := range f.Groups {
		groups = append(groups, g.ID)
	}
	want := []string{"governance", "openness", "data", "privacy_security", "accessibility", "autonomy", "business_model", "sustainability"}
	if !slices.Equal(groups, want) {
		t.Errorf("groups %v, want %v", groups, want)
	}
	gates, checks := 0, map[string]string{}
	for _, c := range f.Criteria() {
		if c.Gate != nil {
			gates++
		}
		if c.Check != "" {
			checks[c.Check] = c.ID
		}
	}
	if gates == 0 || checks["licence"] != "openness.licence" || checks["activity"] != "sustainability.activity" {
		t.Errorf("gates %d, checks %v", gates, checks)
	}
}

func TestFrameworkValidateNamesTheProblem(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(*Framework)
		field string
		code  string
	}{
		{"version", func(f *Framework) { f.Version = "1.0" }, "version", "version.invalid"},
		{"title in one language", func(f *Framework) { f.Title.EN = "" }, "title", "text.both_languages"},
		{"a level missing", func(f *Framework) { f.Groups[0].Criteria[0].Scale = f.Groups[0].Criteria[0].Scale[:4] }, "groups.open.criteria.open.licence.scale", "scale.levels"},
		{"levels out of order", func(f *Framework) {
			s := f.Groups[0].Criteria[1].Scale
			s[1], s[2] = s[2], s[1]
		}, "groups.open.criteria.open.export.scale", "scale.levels"},
		{"a gate off the scale", func(f *Framework) { f.Groups[0].Criteria[0].Gate = ptr(5) }, "groups.open.criteria.open.licence.gate", "gate.invalid"},
		{"a criterion outside its group's id", func(f *Framework) { f.Groups[1].Criteria[0].ID = "open.activity" }, "groups.care.criteria.open.activity", "id.invalid"},
		{"an unknown check", func(f *Framework) { f.Groups[1].Criteria[0].Check = "magic" }, "groups.care.criteria.care.activity.check", "check.unknown"},
	}
	for _, tc := range cases {
		f := testFramework()
		tc.edit(&f)
		p, ok := problem.As(f.Validate())
		if !ok || p.Fields[tc.field] != tc.code {
			t.Errorf("%s: %v, want %s: %s", tc.name, p, tc.field, tc.code)
		}
	}
	if err := testFramework().Validate(); err != nil {
		t.Errorf("the test framework: %v", err)
	}
}

type people struct {
	steward, alice, bob, carol, provider *account.User
}

func newPeople(t *testing.T, db *store.DB) people {
	t.Helper()
	accounts := &account.Service{DB: db}
	add := func(name string, role account.Role) *account.User {
		u, err := accounts.Add(context.Background(), account.NewUser{Email: name + "@example.org", Name: name, Password: "a long enough password", Role: role})
		if err != nil {
			t.Fatal(err)
		}
		return &u
	}
	return people{add("steward", account.Steward), add("alice", account.Member), add("bob", account.Member),
		add("carol", account.Member), add("provider", account.Member)}
}

// scoresFor gives every criterion of f the level, with evidence.
func scoresFor(f Framework, level func(id string) *int) []Score {
	var out []Score
	for _, c := range f.Criteria() {
		s := Score{Criterion: c.ID, Level: level(c.ID), Reason: "as the documentation says", Confidence: ConfidenceMedium,
			Evidence: []Evidence{{URL: "https://example.org/docs", Title: "Documentation"}}}
		if s.Level == nil {
			s.Evidence, s.Confidence = nil, ""
		}
		out = append(out, s)
	}
	return out
}

func wantKind(t *testing.T, what string, err error, kind problem.Kind) {
	t.Helper()
	if !problem.Is(err, kind) {
		t.Errorf("%s: %v, want %s", what, err, kind)
	}
}

func TestAssessmentWorkflow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
		s := &Service{DB: db, Now: func() time.Time { return now }}
		p := newPeople(t, db)
		if seeded, err := s.SeedFramework(ctx); err != nil || !seeded {
			t.Fatalf("seed: %v %v", seeded, err)
		}
		if seeded, _ := s.SeedFramework(ctx); seeded {
			t.Error("seeded twice")
		}
		f, err := s.Framework(ctx, "")
		if err != nil {
			t.Fatal(err)
		}

		sub := Subject{Name: "Nextcloud", Tool: "nextcloud", Kind: "software", Website: "https://nextcloud.com"}
		_, err = s.Create(ctx, p.alice, sub, false)
		wantKind(t, "a member creates", err, problem.Forbidden)
		_, err = s.Create(ctx, p.steward, Subject{Kind: "rocket"}, false)
		if pe, _ := problem.As(err); pe == nil || pe.Fields["name"] != "name.or_tool" || pe.Fields["kind"] != "choice.unknown" {
			t.Errorf("a bad subject: %v", err)
		}
		id, err := s.Create(ctx, p.steward, sub, false)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetProvider(ctx, p.steward, id, p.provider.Email); err != nil {
			t.Fatal(err)
		}
		if err := s.AddReviewer(ctx, p.steward, id, p.provider.Email); !problem.Is(err, problem.Invalid) {
			t.Errorf("the provider as reviewer: %v", err)
		}
		if err := s.AddReviewer(ctx, p.steward, id, p.alice.Email); err != nil {
			t.Fatal(err)
		}
		wantKind(t, "review with one reviewer", s.StartReview(ctx, p.steward, id), problem.Invalid)
		if err := s.AddReviewer(ctx, p.steward, id, p.bob.Email); err != nil {
			t.Fatal(err)
		}
		// Before review opens, the provider may self-assess; reviewers
		// may not score yet; an outsider does not even see it.
		if err := s.SaveScores(ctx, p.provider, id, scoresFor(f, func(string) *int { return ptr(4) }), true); err != nil {
			t.Fatalf("self-assessment: %v", err)
		}
		wantKind(t, "a reviewer before review", s.SaveScores(ctx, p.alice, id, nil, false), problem.Conflict)
		wantKind(t, "an outsider", s.SaveScores(ctx, p.carol, id, nil, false), problem.NotFound)
		if _, err := s.Get(ctx, p.carol, id); !problem.Is(err, problem.NotFound) {
			t.Errorf("an outsider reads a draft: %v", err)
		}
		if err := s.StartReview(ctx, p.steward, id); err != nil {
			t.Fatal(err)
		}

		// Alice scores everything 3, except the licence (4) and export (1).
		alice := scoresFor(f, func(c string) *int {
			switch c {
			case "openness.licence":
				return ptr(4)
			case "openness.data_export":
				return ptr(1)
			}
			return ptr(3)
		})
		// A submit that misses criteria names them.
		err = s.SaveScores(ctx, p.alice, id, alice[:3], true)
		if pe, _ := problem.As(err); pe == nil || len(pe.Fields) != len(f.Criteria())-3 {
			t.Errorf("an incomplete submit: %v", err)
		}
		// A score without evidence is refused, by field.
		bad := alice[0]
		bad.Evidence = nil
		err = s.SaveScores(ctx, p.alice, id, []Score{bad}, false)
		if pe, _ := problem.As(err); pe == nil || pe.Fields[bad.Criterion+".evidence"] != "evidence.required" {
			t.Errorf("no evidence: %v", err)
		}
		if err := s.SaveScores(ctx, p.alice, id, alice, false); err != nil {
			t.Fatal(err)
		}
		// Bob scores; until he submits he sees only his own and the
		// provider's self-assessment, never Alice's draft.
		bob := scoresFor(f, func(string) *int { return ptr(3) })
		if err := s.SaveScores(ctx, p.bob, id, bob, true); err != nil {
			t.Fatal(err)
		}
		v, err := s.Get(ctx, p.bob, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range v.Reviews {
			if r.ReviewerID == p.alice.ID {
				t.Error("Bob sees Alice's draft")
			}
		}
		if err := s.SaveScores(ctx, p.alice, id, alice, true); err != nil {
			t.Fatal(err)
		}
		wantKind(t, "changing a submitted review", s.SaveScores(ctx, p.alice, id, alice, false), problem.Conflict)

		// Alice 1 and Bob 3 on export: flagged, so not ready.
		v, err = s.Get(ctx, p.steward, id)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(v.Result.Unsettled, []string{"openness.data_export"}) || v.Result.Ready() {
			t.Fatalf("unsettled %v", v.Result.Unsettled)
		}
		wantKind(t, "publishing with a flag", s.Publish(ctx, p.steward, id), problem.Conflict)
		err = s.Settle(ctx, p.bob, id, Settlement{Criterion: "openness.data_export", Level: ptr(2)})
		if pe, _ := problem.As(err); pe == nil || pe.Fields["reason"] != "required" {
			t.Errorf("a settlement without a reason: %v", err)
		}
		err = s.Settle(ctx, p.bob, id, Settlement{Criterion: "openness.licence", Level: ptr(4), Reason: "x"})
		if pe, _ := problem.As(err); pe == nil || pe.Fields["criterion"] != "criterion.not_flagged" {
			t.Errorf("settling what is not flagged: %v", err)
		}
		wantKind(t, "an outsider settles", s.Settle(ctx, p.carol, id, Settlement{Criterion: "openness.data_export", Reason: "x"}), problem.NotFound)
		if err := s.Settle(ctx, p.bob, id, Settlement{Criterion: "openness.data_export", Level: ptr(2), Reason: "CSV export exists, attachments are missing", Confidence: ConfidenceMedium}); err != nil {
			t.Fatal(err)
		}
		wantKind(t, "a reviewer publishes", s.Publish(ctx, p.bob, id), problem.Forbidden)
		wantKind(t, "the provider replies too early", s.Reply(ctx, p.provider, id, "openness.licence", "thanks"), problem.Forbidden)
		if err := s.Publish(ctx, p.steward, id); err != nil {
			t.Fatal(err)
		}

		// Published: everyone sees it, the gates pass (export settled at
		// 2, the licence 4 and 3 → 3), the self-assessment is shown but
		// not counted.
		v, err = s.Get(ctx, nil, id)
		if err != nil {
			t.Fatal(err)
		}
		if v.Status != Published || !v.ExpiresAt.Equal(now.Add(Validity)) || v.Result.Gates != GatePass || v.Result.Reviews != 2 {
			t.Errorf("published: %+v, result %+v", v.Assessment, v.Result)
		}
		for _, c := range v.Result.Criteria {
			if c.Criterion == "openness.licence" && level(c.Level) != "3" || c.Criterion == "openness.data_export" && (level(c.Level) != "2" || !c.Settled) {
				t.Errorf("%s: %+v", c.Criterion, c)
			}
		}
		if len(v.Reviews) != 3 {
			t.Errorf("%d reviews shown after publication, want 2 and the self-assessment", len(v.Reviews))
		}
		if err := s.Reply(ctx, p.provider, id, "openness.data_export", "Attachments export arrives in version 31."); err != nil {
			t.Fatal(err)
		}
		wantKind(t, "a reviewer replies", s.Reply(ctx, p.alice, id, "openness.data_export", "x"), problem.Forbidden)
		if v, _ = s.Get(ctx, nil, id); v.Replies["openness.data_export"].Text == "" {
			t.Error("the reply is not shown")
		}
		list, err := s.List(ctx, nil)
		if err != nil || len(list) != 1 || list[0].ID != id {
			t.Errorf("the public list: %+v %v", list, err)
		}

		// A year later it has expired; renewing starts a new draft that
		// points back, with the same provider.
		if !v.Expired(now.AddDate(1, 0, 1)) {
			t.Error("not expired after a year")
		}
		nid, err := s.Renew(ctx, p.steward, id)
		if err != nil {
			t.Fatal(err)
		}
		n, err := s.Get(ctx, p.steward, nid)
		if err != nil || n.PreviousID != id || n.Status != Draft || n.ProviderID != p.provider.ID {
			t.Errorf("renewed: %+v %v", n.Assessment, err)
		}
		if list, _ := s.List(ctx, nil); len(list) != 1 {
			t.Errorf("a draft is listed publicly: %d", len(list))
		}
		// The old one links forward: stewards see the draft renewal,
		// others only a published one.
		if old, _ := s.Get(ctx, p.steward, id); old.RenewedBy != nid {
			t.Errorf("the steward sees renewal %d, want %d", old.RenewedBy, nid)
		}
		if old, _ := s.Get(ctx, nil, id); old.RenewedBy != 0 {
			t.Errorf("a visitor is pointed at the unpublished renewal %d", old.RenewedBy)
		}
	})
}

func TestPublishFrameworkVersions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := &Service{DB: db}
		p := newPeople(t, db)
		if _, err := s.SeedFramework(ctx); err != nil {
			t.Fatal(err)
		}
		f, _ := s.Framework(ctx, "")
		next := f
		next.Version = "1.1.0"
		wantKind(t, "a member publishes a framework", s.PublishFramework(ctx, p.alice, next), problem.Forbidden)
		old := f
		old.Version = "0.9.0"
		wantKind(t, "an older version", s.PublishFramework(ctx, p.steward, old), problem.Conflict)
		if err := s.PublishFramework(ctx, p.steward, next); err != nil {
			t.Fatal(err)
		}
		if cur, _ := s.Framework(ctx, ""); cur.Version != "1.1.0" {
			t.Errorf("newest %s", cur.Version)
		}
		if first, err := s.Framework(ctx, "1.0.0"); err != nil || first.Version != "1.0.0" {
			t.Errorf("the first version is gone: %v", err)
		}
		// 1.10.0 is newer than 1.9.0: versions compare as numbers.
		if compareVersions("1.10.0", "1.9.0") <= 0 {
			t.Error("1.10.0 sorts before 1.9.0")
		}
	})
}

func TestRunChecksStoresFindings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
		s := &Service{DB: db, Now: func() time.Time { return now }}
		p := newPeople(t, db)
		if _, err := s.SeedFramework(ctx); err != nil {
			t.Fatal(err)
		}
		dir := gitRepo(t, mitText, []struct {
			at     time.Time
			author string
		}{{now.AddDate(0, -1, 0), "dev@example.org"}})
		id, err := s.Create(ctx, p.steward, Subject{Name: "Example", Kind: "software", Repository: dir}, false)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.RunChecks(ctx, p.alice, id); !problem.Is(err, problem.NotFound) {
			t.Errorf("an outsider runs checks: %v", err)
		}
		if _, err := s.RunChecks(ctx, p.steward, id); err != nil {
			t.Fatal(err)
		}
		v, err := s.Get(ctx, p.steward, id)
		if err != nil {
			t.Fatal(err)
		}
		if f := v.Findings["openness.licence"]; level(f.Level) != "3" || len(f.Licences) != 1 {
			t.Errorf("licence finding %+v", f)
		}
		if f := v.Findings["sustainability.activity"]; f.Commits != 1 || level(f.Level) != "2" {
			t.Errorf("activity finding %+v", f)
		}
	})
}
