package assess

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"samen/internal/account"
	"samen/internal/problem"
)

// testFramework is small and made for the rules, so the tests do not
// change when stewards publish a new framework.
func testFramework() Framework {
	scale := func() []Level {
		var out []Level
		for i := 0; i <= MaxLevel; i++ {
			out = append(out, Level{Level: i, Definition: Text{NL: fmt.Sprint("niveau ", i), EN: fmt.Sprint("level ", i)}})
		}
		return out
	}
	crit := func(id string, gate *int) Criterion {
		return Criterion{ID: id, Name: Text{NL: id, EN: id}, Question: Text{NL: "?", EN: "?"}, Scale: scale(),
			Evidence: Text{NL: "bron", EN: "source"}, Gate: gate}
	}
	return Framework{Version: "1.0.0", Title: Text{NL: "t", EN: "t"}, Description: Text{NL: "d", EN: "d"},
		Groups: []Group{
			{ID: "open", Name: Text{NL: "Open", EN: "Open"}, Criteria: []Criterion{crit("open.licence", ptr(3)), crit("open.export", nil)}},
			{ID: "care", Name: Text{NL: "Zorg", EN: "Care"}, Criteria: []Criterion{crit("care.activity", nil)}},
		}}
}

// review builds a submitted review from "criterion=level" pairs; "?" is
// unknown.
func review(id int64, scores map[string]string) Review {
	r := Review{ReviewerID: id, Scores: map[string]Score{}, SubmittedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	for c, v := range scores {
		s := Score{Criterion: c, Confidence: ConfidenceHigh}
		if v != "?" {
			var n int
			fmt.Sscan(v, &n)
			s.Level = &n
		}
		r.Scores[c] = s
	}
	return r
}

func level(p *int) string {
	if p == nil {
		return "?"
	}
	return fmt.Sprint(*p)
}

func TestConsensusPerCriterion(t *testing.T) {
	f := testFramework()
	cases := []struct {
		name     string
		scores   []string // the reviewers' levels of open.export
		want     string   // consensus level, "?" unknown
		flagged  bool
		settle   *Settlement
		unsettle bool // left in Unsettled
	}{
		{name: "agree", scores: []string{"3", "3"}, want: "3"},
		{name: "one apart: the lower", scores: []string{"2", "3"}, want: "2"},
		{name: "three reviewers: the middle", scores: []string{"4", "3", "3"}, want: "3"},
		{name: "four reviewers: the lower middle", scores: []string{"3", "2", "3", "2"}, want: "2"},
		{name: "two apart: flagged, unknown until settled", scores: []string{"1", "3"}, want: "?", flagged: true, unsettle: true},
		{name: "four apart: flagged", scores: []string{"0", "4"}, want: "?", flagged: true, unsettle: true},
		{name: "flagged and settled", scores: []string{"1", "3"}, want: "2", flagged: true,
			settle: &Settlement{Criterion: "open.export", Level: ptr(2), Reason: "the export misses attachments"}},
		{name: "settled as unknown", scores: []string{"0", "4"}, want: "?", flagged: true,
			settle: &Settlement{Criterion: "open.export", Reason: "no evidence either way"}},
		{name: "all unknown", scores: []string{"?", "?"}, want: "?"},
		{name: "unknown left out, no flag", scores: []string{"?", "4"}, want: "4"},
		{name: "nobody scored it", scores: []string{"", ""}, want: "?"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var reviews []Review
			for i, s := range tc.scores {
				m := map[string]string{}
				if s != "" {
					m["open.export"] = s
				}
				reviews = append(reviews, review(int64(i+1), m))
			}
			var settlements []Settlement
			if tc.settle != nil {
				settlements = append(settlements, *tc.settle)
			}
			res := Consensus(f, reviews, settlements)
			cr := res.Criteria[1]
			if cr.Criterion != "open.export" || level(cr.Level) != tc.want || cr.Flagged != tc.flagged || cr.Settled != (tc.settle != nil) {
				t.Errorf("got %+v (level %s), want level %s flagged %v", cr, level(cr.Level), tc.want, tc.flagged)
			}
			if slices.Contains(res.Unsettled, "open.export") != tc.unsettle {
				t.Errorf("unsettled %v", res.Unsettled)
			}
		})
	}
}

func TestConsensusCountsOnlySubmittedIndependentReviews(t *testing.T) {
	f := testFramework()
	self := review(9, map[string]string{"open.export": "4"})
	self.Self = true
	draft := review(3, map[string]string{"open.export": "0"})
	draft.SubmittedAt = time.Time{}
	res := Consensus(f, []Review{review(1, map[string]string{"open.export": "2"}), self, draft}, nil)
	if res.Reviews != 1 || level(res.Criteria[1].Level) != "2" || res.Criteria[1].Flagged {
		t.Errorf("the self-assessment or a draft counted: %+v", res)
	}
	if res.Ready() {
		t.Error("ready with one review")
	}
	res = Consensus(f, []Review{review(1, nil), review(2, nil)}, nil)
	if !res.Ready() {
		t.Error("not ready with two reviews and nothing flagged")
	}
	res = Consensus(f, []Review{review(1, map[string]string{"care.activity": "0"}), review(2, map[string]string{"care.activity": "2"})}, nil)
	if res.Ready() || !slices.Equal(res.Unsettled, []string{"care.activity"}) {
		t.Errorf("ready with a flag unsettled: %+v", res)
	}
}

func TestConsensusGroupsTotalAndGates(t *testing.T) {
	f := testFramework()
	cases := []struct {
		name      string
		scores    map[string]string // both reviewers give these
		open      string            // group score of "open", "?" unknown
		care      string
		total     string
		gates     string
		openKnown int
	}{
		{name: "all known, gate passes", scores: map[string]string{"open.licence": "4", "open.export": "2", "care.activity": "3"},
			open: "3.00", care: "3.00", total: "3.00", gates: GatePass, openKnown: 2},
		{name: "gate below its level fails", scores: map[string]string{"open.licence": "2", "open.export": "4", "care.activity": "4"},
			open: "3.00", care: "4.00", total: "3.50", gates: GateFail, openKnown: 2},
		{name: "gate at its level passes", scores: map[string]string{"open.licence": "3", "open.export": "0", "care.activity": "1"},
			open: "1.50", care: "1.00", total: "1.25", gates: GatePass, openKnown: 2},
		{name: "unknown left out of the group", scores: map[string]string{"open.licence": "4", "open.export": "?", "care.activity": "2"},
			open: "4.00", care: "2.00", total: "3.00", gates: GatePass, openKnown: 1},
		{name: "unknown gate", scores: map[string]string{"open.licence": "?", "open.export": "1", "care.activity": "?"},
			open: "1.00", care: "?", total: "1.00", gates: GateUnknown, openKnown: 1},
		{name: "nothing known", scores: map[string]string{},
			open: "?", care: "?", total: "?", gates: GateUnknown, openKnown: 0},
	}
	show := func(p *float64) string {
		if p == nil {
			return "?"
		}
		return fmt.Sprintf("%.2f", *p)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := Consensus(f, []Review{review(1, tc.scores), review(2, tc.scores)}, nil)
			g := res.Groups
			if show(g[0].Score) != tc.open || show(g[1].Score) != tc.care || show(res.Total) != tc.total ||
				res.Gates != tc.gates || g[0].Known != tc.openKnown || g[0].Total != 2 {
				t.Errorf("groups open %s (%d/%d) care %s, total %s, gates %q; want %s, %s, %s, %q",
					show(g[0].Score), g[0].Known, g[0].Total, show(g[1].Score), show(res.Total), res.Gates, tc.open, tc.care, tc.total, tc.gates)
			}
		})
	}
	// A framework without gates has no gate outcome.
	noGate := testFramework()
	noGate.Groups[0].Criteria[0].Gate = nil
	if res := Consensus(noGate, nil, nil); res.Gates != GateNone {
		t.Errorf("no gates: %q", res.Gates)
	}
	// A failed gate beats an unknown one.
	twoGates := testFramework()
	twoGates.Groups[1].Criteria[0].Gate = ptr(2)
	res := Consensus(twoGates, []Review{review(1, map[string]string{"open.licence": "?", "care.activity": "1"})}, nil)
	if res.Gates != GateFail {
		t.Errorf("fail and unknown: %q", res.Gates)
	}
}

func TestConsensusConfidenceIsTheLowest(t *testing.T) {
	f := testFramework()
	a, b := review(1, map[string]string{"open.export": "3"}), review(2, map[string]string{"open.export": "3"})
	s := b.Scores["open.export"]
	s.Confidence = ConfidenceMedium
	b.Scores["open.export"] = s
	if got := Consensus(f, []Review{a, b}, nil).Criteria[1].Confidence; got != ConfidenceMedium {
		t.Errorf("confidence %q, want medium", got)
	}
	s.Confidence = ""
	b.Scores["open.export"] = s
	if got := Consensus(f, []Review{a, b}, nil).Criteria[1].Confidence; got != ConfidenceLow {
		t.Errorf("confidence %q with one unsaid, want low", got)
	}
}

func TestCheckScore(t *testing.T) {
	f := testFramework()
	ok := Score{Criterion: "open.export", Level: ptr(2), Reason: "CSV export of everything", Confidence: ConfidenceHigh,
		Evidence: []Evidence{{URL: "https://example.org/docs/export", Title: "Export"}}}
	if err := CheckScore(f, ok); err != nil {
		t.Fatalf("a good score: %v", err)
	}
	if err := CheckScore(f, Score{Criterion: "open.export"}); err != nil {
		t.Errorf("unknown without evidence is honest: %v", err)
	}
	cases := []struct {
		name  string
		edit  func(*Score)
		field string
		code  string
	}{
		{"unknown criterion", func(s *Score) { s.Criterion = "open.nothing" }, "criterion", "criterion.unknown"},
		{"level above the scale", func(s *Score) { s.Level = ptr(5) }, "open.export.level", "level.out_of_range"},
		{"level below the scale", func(s *Score) { s.Level = ptr(-1) }, "open.export.level", "level.out_of_range"},
		{"no confidence", func(s *Score) { s.Confidence = "" }, "open.export.confidence", "required"},
		{"odd confidence", func(s *Score) { s.Confidence = "certain" }, "open.export.confidence", "choice.unknown"},
		{"no reason", func(s *Score) { s.Reason = " " }, "open.export.reason", "required"},
		{"no evidence", func(s *Score) { s.Evidence = nil }, "open.export.evidence", "evidence.required"},
		{"script link", func(s *Score) { s.Evidence = []Evidence{{URL: "javascript:alert(1)"}} }, "open.export.evidence", "url.invalid"},
		{"empty evidence", func(s *Score) { s.Evidence = []Evidence{{}} }, "open.export.evidence", "evidence.empty"},
	}
	for _, tc := range cases {
		s := ok
		s.Evidence = slices.Clone(ok.Evidence)
		tc.edit(&s)
		p, isProblem := problem.As(CheckScore(f, s))
		if !isProblem || p.Fields[tc.field] != tc.code || len(p.Fields) != 1 {
			t.Errorf("%s: %v, want only %s: %s", tc.name, p, tc.field, tc.code)
		}
	}
}

func TestWhoSeesWhichReview(t *testing.T) {
	steward := &account.User{ID: 1, Role: account.Steward}
	alice := &account.User{ID: 2, Role: account.Member}
	provider := &account.User{ID: 4, Role: account.Member}
	outsider := &account.User{ID: 5, Role: account.Member}
	a := Assessment{Status: InReview, Reviewers: []int64{2, 3}, ProviderID: 4}
	submitted := func(id int64) Review { return review(id, nil) }
	draft := func(id int64) Review { r := review(id, nil); r.SubmittedAt = time.Time{}; return r }
	selfReview := func() Review { r := review(4, nil); r.Self = true; return r }
	ids := func(rs []Review) []int64 {
		var out []int64
		for _, r := range rs {
			out = append(out, r.ReviewerID)
		}
		return out
	}
	cases := []struct {
		name    string
		status  Status
		viewer  *account.User
		reviews []Review
		want    []int64
	}{
		{"a reviewer before submitting sees only their own draft and the self-assessment", InReview, alice,
			[]Review{draft(2), submitted(3), selfReview()}, []int64{2, 4}},
		{"after submitting, the others' submitted reviews", InReview, alice,
			[]Review{submitted(2), submitted(3), selfReview()}, []int64{2, 3, 4}},
		{"never another's draft", InReview, alice, []Review{submitted(2), draft(3)}, []int64{2}},
		{"a steward sees every submitted review", InReview, steward, []Review{submitted(2), draft(3), selfReview()}, []int64{2, 4}},
		{"the provider sees only their own", InReview, provider, []Review{submitted(2), submitted(3), selfReview()}, []int64{4}},
		{"an outsider sees nothing before publication", InReview, outsider, []Review{submitted(2), submitted(3)}, nil},
		{"anonymous sees nothing before publication", InReview, nil, []Review{submitted(2)}, nil},
		{"everyone sees the submitted reviews once published", Published, nil, []Review{submitted(2), submitted(3), selfReview()}, []int64{2, 3, 4}},
		{"not even then a draft", Published, outsider, []Review{submitted(2), draft(3)}, []int64{2}},
	}
	for _, tc := range cases {
		a.Status = tc.status
		if got := ids(a.VisibleReviews(tc.viewer, tc.reviews)); !slices.Equal(got, tc.want) {
			t.Errorf("%s: sees %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestWhoMayDoWhat(t *testing.T) {
	steward := &account.User{ID: 1, Role: account.Steward}
	alice := &account.User{ID: 2, Role: account.Member}
	provider := &account.User{ID: 4, Role: account.Member}
	outsider := &account.User{ID: 5, Role: account.Moderator}
	ready := Result{Reviews: 2}
	unready := Result{Reviews: 2, Unsettled: []string{"open.export"}}
	a := Assessment{Status: InReview, Reviewers: []int64{2, 4}, ProviderID: 4}
	checks := []struct {
		name string
		got  bool
		want bool
	}{
		{"a reviewer reviews", a.CanReview(alice), true},
		{"a provider assigned as reviewer still may not", a.CanReview(provider), false},
		{"an outsider may not review", a.CanReview(outsider), false},
		{"the provider self-assesses", a.CanSelfAssess(provider), true},
		{"a reviewer may not self-assess", a.CanSelfAssess(alice), false},
		{"a steward settles", a.CanSettle(steward, false), true},
		{"a reviewer settles after submitting", a.CanSettle(alice, true), true},
		{"a reviewer does not settle before", a.CanSettle(alice, false), false},
		{"only stewards publish", a.CanPublish(alice, ready), false},
		{"a steward publishes a ready result", a.CanPublish(steward, ready), true},
		{"not with a flag unsettled", a.CanPublish(steward, unready), false},
		{"no reply before publication", a.CanReply(provider), false},
		{"an outsider cannot see it in review", a.CanSee(outsider), false},
		{"anonymous cannot see it in review", a.CanSee(nil), false},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: %v, want %v", c.name, c.got, c.want)
		}
	}
	p := a
	p.Status = Published
	p.PublishedAt = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p.ExpiresAt = p.PublishedAt.Add(Validity)
	if !p.CanReply(provider) || p.CanReply(alice) || p.CanReview(alice) || !p.CanSee(nil) {
		t.Error("after publication: the provider replies, nobody reviews, everyone sees")
	}
	if p.Expired(p.PublishedAt.AddDate(0, 11, 0)) || !p.Expired(p.PublishedAt.AddDate(1, 0, 1)) {
		t.Error("an assessment expires after a year, not before")
	}
}
