package match

import (
	"errors"
	"slices"
	"testing"
)

// The worked examples below can be checked by hand: each gives the
// arithmetic in its comment. Amounts are cents; "€" in a comment means
// euros.

func TestMatchRatioOf(t *testing.T) {
	for _, tc := range []struct {
		r    Ratio
		x    int64
		want int64
	}{
		{Whole(1), 2500, 2500},                   // 2500 × 1
		{Whole(2), 2500, 5000},                   // 2500 × 2
		{Ratio{3, 2}, 2501, 3751},                // 2501 × 1.5 = 3751.5, rounded down
		{Ratio{1, 2}, 2501, 1250},                // 2501 × 0.5 = 1250.5, rounded down
		{Ratio{1, 3}, 100, 33},                   // 33.33…
		{Ratio{2, 3}, 100, 66},                   // 66.66…: down, not to the nearest
		{Whole(1000), MaxCents, MaxCents * 1000}, // the largest factor of the largest amount
		// 10^13 × 999.999999999 = 9,999,999,999,990,000; on the way, 10^13
		// × 999,999,999,999 needs 84 bits.
		{Ratio{999_999_999_999, 1_000_000_000}, MaxCents, 9_999_999_999_990_000},
	} {
		got, ok := tc.r.Of(tc.x)
		if !ok || got != tc.want {
			t.Errorf("%v of %d = %d, %v; want %d", tc.r, tc.x, got, ok, tc.want)
		}
	}
	for _, tc := range []struct {
		r Ratio
		x int64
	}{{Ratio{1, 0}, 1}, {Ratio{-1, 1}, 1}, {Whole(1), -1}, {Whole(1), MaxCents + 1}} {
		if _, ok := tc.r.Of(tc.x); ok {
			t.Errorf("%v of %d: want refused", tc.r, tc.x)
		}
	}
}

func TestMatchParseFactor(t *testing.T) {
	for in, want := range map[string]Ratio{
		"1": {1, 1}, "2": {2, 1}, "1.5": {3, 2}, "0.5": {1, 2}, "1.50": {3, 2}, "15e-1": {3, 2}, "150E-2": {3, 2},
		"0.25": {1, 4}, "1e3": {1000, 1}, "1000": {1000, 1}, "1000.000000000": {1000, 1}, "0.000000001": {1, 1_000_000_000},
		"2.000000001": {2_000_000_001, 1_000_000_000}, "0.1e+1": {1, 1}, "00.5e0"[1:]: {1, 2},
	} {
		got, ok := ParseFactor(in)
		if !ok || got != want {
			t.Errorf("ParseFactor(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "0", "0.0", "-1", "1001", "1000.000000001", "1e4", "0.0000000001", "1e-10",
		"01", "1.", ".5", "1e", "1e+", "1e99999", "1,5", "1.5 ", "NaN", "3/2", `"1"`, "1e-99999"} {
		if got, ok := ParseFactor(in); ok {
			t.Errorf("ParseFactor(%q) = %v; want refused", in, got)
		}
	}
}

func TestMatchRatioString(t *testing.T) {
	for r, want := range map[Ratio]string{
		{1, 1}: "1", {3, 2}: "1.5", {1, 2}: "0.5", {6, 4}: "1.5", {1, 3}: "1/3", {1, 1_000_000_000}: "0.000000001",
		{1000, 1}: "1000", {7, 20}: "0.35",
	} {
		if got := r.String(); got != want {
			t.Errorf("%#v: %q, want %q", r, got, want)
		}
	}
}

func TestMatchSplit(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cents int64
		left  []int64
		want  []int64
	}{
		// Total left 1000: 100 × 500/1000 = 50, 100 × 300/1000 = 30,
		// 100 × 200/1000 = 20; 100 in all, nothing remains.
		{"exact", 100, []int64{500, 300, 200}, []int64{50, 30, 20}},
		// 101 × 500/1000 = 50.5 → 50, 101 × 300/1000 = 30.3 → 30,
		// 101 × 200/1000 = 20.2 → 20: 100; the 1 cent that remains goes
		// to the funder with the most left, the first.
		{"one cent remains", 101, []int64{500, 300, 200}, []int64{51, 30, 20}},
		// The same funders in another order: the cent follows the most
		// left, not the first place.
		{"most left is last", 101, []int64{200, 300, 500}, []int64{20, 30, 51}},
		// 2 × 100/300 = 0.66 → 0 each; 2 cents remain, all three are
		// tied at 100 left: the first two in the funders' order.
		{"tie", 2, []int64{100, 100, 100}, []int64{1, 1, 0}},
		// 5 × 300/700 = 2.14 → 2, twice, 5 × 100/700 = 0.71 → 0: 4; the
		// cent that remains goes to the first of the two tied at 300.
		{"tie at the top", 5, []int64{300, 300, 100}, []int64{3, 2, 0}},
		// 7 × 100/1000 = 0.7, 7 × 400/1000 = 2.8, 7 × 500/1000 = 3.5:
		// 0 + 2 + 3 = 5; two cents remain: to 500, then to 400.
		{"two cents remain", 7, []int64{100, 400, 500}, []int64{0, 3, 4}},
		// 1 × 5/10 = 0.5 → 0, twice; the cent goes to the first of the
		// funders tied at 5, never to one with nothing left.
		{"nothing left is passed over", 1, []int64{0, 5, 5}, []int64{0, 1, 0}},
		// Everything the pool has: each funder gives all it has.
		{"all", 1000, []int64{500, 300, 200}, []int64{500, 300, 200}},
		{"nothing", 0, []int64{500, 300, 200}, []int64{0, 0, 0}},
		// Amounts whose products need more than 64 bits: 10^13 × 7×10^12.
		{"large", 7_000_000_000_000, []int64{3_000_000_000_000, 7_000_000_000_000}, []int64{2_100_000_000_000, 4_900_000_000_000}},
	} {
		if got := Split(tc.cents, tc.left); !slices.Equal(got, tc.want) {
			t.Errorf("%s: Split(%d, %v) = %v, want %v", tc.name, tc.cents, tc.left, got, tc.want)
		}
	}
	for _, tc := range []struct {
		cents int64
		left  []int64
	}{{11, []int64{5, 5}}, {-1, []int64{5}}, {1, []int64{-1, 5}}, {1, []int64{MaxCents, 1}}, {1, nil}} {
		if got := Split(tc.cents, tc.left); got != nil {
			t.Errorf("Split(%d, %v) = %v; want nil (out of range)", tc.cents, tc.left, got)
		}
	}
}

// newPool is NewPool for a test.
func newPool(t *testing.T, r Rules, funders ...Funder) *Pool {
	t.Helper()
	p, err := NewPool(r, funders)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func match(t *testing.T, p *Pool, id, project, contributor string, cents int64) Result {
	t.Helper()
	r, err := p.Match(Contribution{ID: id, Project: project, Contributor: contributor, Cents: cents})
	if err != nil {
		t.Fatalf("%s: %v", id, err)
	}
	return r
}

func left(p *Pool) []int64 {
	var out []int64
	for _, f := range p.Left() {
		out = append(out, f.Cents)
	}
	return out
}

func TestMatchFactors(t *testing.T) {
	for _, tc := range []struct {
		factor Ratio
		cents  int64
		want   int64
	}{
		{Whole(1), 2500, 2500},    // €25 doubles: the pool adds €25
		{Whole(2), 2500, 5000},    // triples: the pool adds €50
		{Ratio{3, 2}, 2501, 3751}, // 2501 × 1.5 = 3751.5 → 3751
		{Ratio{1, 2}, 1, 0},       // 0.5 → 0: a match of nothing
	} {
		p := newPool(t, Rules{Factor: tc.factor}, Funder{"gemeente", 1_000_000})
		r := match(t, p, "c1", "speeltuin", "ann", tc.cents)
		if r.Cents != tc.want || r.Limit != "" || p.LeftCents() != 1_000_000-tc.want {
			t.Errorf("factor %v, %d: %+v, left %d; want %d", tc.factor, tc.cents, r, p.LeftCents(), tc.want)
		}
		if tc.want > 0 && !slices.Equal(r.Shares, []Share{{"gemeente", tc.want}}) {
			t.Errorf("factor %v: shares %v", tc.factor, r.Shares)
		}
		if tc.want == 0 && (r.Shares != nil || p.MatchedCount("speeltuin", "ann") != 0) {
			t.Errorf("a match of 0 has no shares and does not count: %+v, %d", r, p.MatchedCount("speeltuin", "ann"))
		}
	}
}

// TestMatchCaps walks one pool through every step that can lower a match.
// Funders: gemeente €60, fonds €20 (8000 cents). Factor 2, at most €10 of
// a contribution matched, at most €50 per project, at most 2 matched
// contributions per contributor per project.
func TestMatchCaps(t *testing.T) {
	p := newPool(t, Rules{Factor: Whole(2), MaxPerContribution: 1000, MaxPerProject: 5000, MaxMatchedPerContributor: 2},
		Funder{"gemeente", 6000}, Funder{"fonds", 2000})
	steps := []struct {
		id, project, contributor string
		cents, want              int64
		limit                    string
		left                     []int64
	}{
		// 400 × 2 = 800. Split over 6000/2000 (8000): 800 × 6000/8000 =
		// 600, 800 × 2000/8000 = 200. Left 5400/1800; speeltuin has 800.
		{"c1", "speeltuin", "ann", 400, 800, "", []int64{5400, 1800}},
		// Step 1: min(1500, 1000) × 2 = 2000. Split over 5400/1800
		// (7200): 1500 and 500. Left 3900/1300; speeltuin 2800.
		{"c2", "speeltuin", "ann", 1500, 2000, LimitContribution, []int64{3900, 1300}},
		// Step 2: ann has 2 matched contributions on speeltuin: 0.
		{"c3", "speeltuin", "ann", 100, 0, LimitContributor, []int64{3900, 1300}},
		// Another project counts apart: 100 × 2 = 200, over 3900/1300
		// (5200): 150 and 50. Left 3750/1250.
		{"c4", "bankjes", "ann", 100, 200, "", []int64{3750, 1250}},
		// 1000 × 2 = 2000 fits in speeltuin's 5000 − 2800 = 2200. Over
		// 3750/1250 (5000): 1500 and 500. Left 2250/750; speeltuin 4800.
		{"c5", "speeltuin", "bob", 1000, 2000, "", []int64{2250, 750}},
		// Step 3: 500 × 2 = 1000, but speeltuin has room for 5000 − 4800
		// = 200. Over 2250/750 (3000): 150 and 50. Left 2100/700.
		{"c6", "speeltuin", "cas", 500, 200, LimitProject, []int64{2100, 700}},
		// Step 3 again: speeltuin is full, 0. Dirk's 0 does not count
		// towards his maximum.
		{"c7", "speeltuin", "dirk", 100, 0, LimitProject, []int64{2100, 700}},
		// 1000 × 2 = 2000 of the 2800 left. Over 2100/700: 1500 and 500.
		// Left 600/200.
		{"c8", "bomen", "eva", 1000, 2000, "", []int64{600, 200}},
		// Step 4: 2000, but the pool has 800 left: all of it, 600/200.
		{"c9", "bomen", "fien", 1000, 800, LimitPool, []int64{0, 0}},
		// Step 4: the pool is empty.
		{"c10", "bomen", "gijs", 100, 0, LimitPool, []int64{0, 0}},
	}
	var matched int64
	for _, s := range steps {
		r := match(t, p, s.id, s.project, s.contributor, s.cents)
		matched += r.Cents
		if r.Cents != s.want || r.Limit != s.limit || !slices.Equal(left(p), s.left) {
			t.Fatalf("%s: %d (%q), left %v; want %d (%q), left %v", s.id, r.Cents, r.Limit, left(p), s.want, s.limit, s.left)
		}
	}
	if matched != 8000 || p.OnProject("speeltuin") != 5000 || p.OnProject("bomen") != 2800 || p.OnProject("bankjes") != 200 {
		t.Errorf("matched %d; on projects %d %d %d", matched, p.OnProject("speeltuin"), p.OnProject("bomen"), p.OnProject("bankjes"))
	}
	if p.MatchedCount("speeltuin", "ann") != 2 || p.MatchedCount("speeltuin", "dirk") != 0 {
		t.Errorf("counts: ann %d, dirk %d", p.MatchedCount("speeltuin", "ann"), p.MatchedCount("speeltuin", "dirk"))
	}

	// Refunding c6 gives back its 150/50 and makes room on speeltuin
	// (4800 of 5000): Dirk's next contribution, 100 × 2 = 200, fits, and
	// is split over 150/50 (200): all of it.
	shares, err := p.Refund("c6")
	if err != nil || !slices.Equal(shares, []Share{{"gemeente", 150}, {"fonds", 50}}) || p.OnProject("speeltuin") != 4800 {
		t.Fatalf("refund c6: %v, %v, speeltuin %d", shares, err, p.OnProject("speeltuin"))
	}
	if r := match(t, p, "c11", "speeltuin", "dirk", 100); r.Cents != 200 || p.MatchedCount("speeltuin", "dirk") != 1 {
		t.Errorf("c11: %+v", r)
	}
	// Refunding one of Ann's two lets her have one more matched.
	if _, err := p.Refund("c1"); err != nil || p.MatchedCount("speeltuin", "ann") != 1 {
		t.Fatalf("refund c1: %v, count %d", err, p.MatchedCount("speeltuin", "ann"))
	}
	// c1's 800 came back as 600/200; 100 × 2 = 200 of speeltuin's room
	// 5000 − 4200 = 800, split over 600/200 (800): 150 and 50.
	if r := match(t, p, "c12", "speeltuin", "ann", 100); r.Cents != 200 || !slices.Equal(r.Shares, []Share{{"gemeente", 150}, {"fonds", 50}}) {
		t.Errorf("c12: %+v", r)
	}
}

func TestMatchRefundReturnsTheSplit(t *testing.T) {
	p := newPool(t, Rules{Factor: Whole(1)}, Funder{"a", 500}, Funder{"b", 300}, Funder{"c", 200})
	// 101 over 500/300/200: 50/30/20 and the cent that remains to a (see
	// TestMatchSplit). Left 449/270/180.
	r1 := match(t, p, "c1", "p", "ann", 101)
	if !slices.Equal(r1.Shares, []Share{{"a", 51}, {"b", 30}, {"c", 20}}) {
		t.Fatalf("c1: %v", r1.Shares)
	}
	// 100 over 449/270/180 (899): 100 × 449/899 = 49.9 → 49, 100 ×
	// 270/899 = 30.03 → 30, 100 × 180/899 = 20.02 → 20: 99; the cent to a.
	// Left 399/240/160.
	r2 := match(t, p, "c2", "p", "bob", 100)
	if !slices.Equal(r2.Shares, []Share{{"a", 50}, {"b", 30}, {"c", 20}}) || !slices.Equal(left(p), []int64{399, 240, 160}) {
		t.Fatalf("c2: %v, left %v", r2.Shares, left(p))
	}
	// The refund of c1 gives back 51/30/20, as it was taken, not 101 split
	// again by what the funders have now.
	shares, err := p.Refund("c1")
	if err != nil || !slices.Equal(shares, r1.Shares) || !slices.Equal(left(p), []int64{450, 270, 180}) {
		t.Fatalf("refund c1: %v %v, left %v", shares, err, left(p))
	}
	var e *Error
	if _, err := p.Refund("c1"); !errors.As(err, &e) || e.Code != "match.refund.twice" || e.ID != "c1" {
		t.Errorf("second refund: %v", err)
	}
	if _, err := p.Refund("c9"); !errors.As(err, &e) || e.Code != "match.refund.unknown" {
		t.Errorf("unknown refund: %v", err)
	}
	// An id is the pool's once, refunded or not.
	if _, err := p.Match(Contribution{ID: "c1", Project: "p", Contributor: "ann", Cents: 5}); !errors.As(err, &e) ||
		e.Code != "match.contribution.duplicate" {
		t.Errorf("c1 again: %v", err)
	}
	if _, err := p.Refund("c2"); err != nil || !slices.Equal(left(p), []int64{500, 300, 200}) || p.OnProject("p") != 0 {
		t.Errorf("everything refunded: %v, left %v, on p %d", err, left(p), p.OnProject("p"))
	}
}

// An all-or-nothing campaign that misses its minimum gives back every
// match it had, and its grant; the other project keeps its own.
func TestMatchAllOrNothingFails(t *testing.T) {
	p := newPool(t, Rules{Factor: Ratio{3, 2}, MaxMatchedPerContributor: 1}, Funder{"gemeente", 10_000}, Funder{"fonds", 5_000})
	// 1000 × 1.5 = 1500 over 10000/5000: 1000/500. Left 9000/4500.
	match(t, p, "c1", "speeltuin", "ann", 1000)
	// 333 × 1.5 = 499.5 → 499 over 9000/4500 (13500): 332.66 → 332,
	// 166.33 → 166, and the cent to gemeente: 333/166. Left 8667/4334.
	if r := match(t, p, "c2", "bankjes", "bob", 333); !slices.Equal(r.Shares, []Share{{"gemeente", 333}, {"fonds", 166}}) {
		t.Fatalf("c2: %v", r.Shares)
	}
	// Ann's second on speeltuin is past her maximum: 0, yet refunded too.
	match(t, p, "c3", "speeltuin", "ann", 700)
	// 200 × 1.5 = 300 over 8667/4334 (13001): 199.99 → 199, 100.00… →
	// 100; the cent to gemeente: 200/100. Left 8467/4234.
	match(t, p, "c4", "speeltuin", "cas", 200)
	// The criteria grant, 300 over 8467/4234 (12701): 199.99 → 199,
	// 100.006 → 100, the cent to gemeente: 200/100. Left 8267/4134.
	g, err := p.Grant("speeltuin", Criteria{GrantCents: 300, Share: Percent(50), MinBackers: 2}, Progress{RaisedCents: 1900, GoalCents: 3000, Backers: 2})
	if err != nil || g.Cents != 300 || !slices.Equal(left(p), []int64{8267, 4134}) {
		t.Fatalf("grant: %+v %v, left %v", g, err, left(p))
	}
	back := p.RefundProject("speeltuin")
	want := []Returned{
		{"c1", 1500, []Share{{"gemeente", 1000}, {"fonds", 500}}},
		{"c3", 0, nil},
		{"c4", 300, []Share{{"gemeente", 200}, {"fonds", 100}}},
		{"", 300, []Share{{"gemeente", 200}, {"fonds", 100}}},
	}
	if !slices.EqualFunc(back, want, func(a, b Returned) bool {
		return a.Contribution == b.Contribution && a.Cents == b.Cents && slices.Equal(a.Shares, b.Shares)
	}) {
		t.Errorf("returned %+v\nwant %+v", back, want)
	}
	// What is left is all but bankjes' match, 333/166.
	if !slices.Equal(left(p), []int64{10_000 - 333, 5_000 - 166}) || p.OnProject("speeltuin") != 0 || p.Granted("speeltuin") != 0 ||
		p.MatchedCount("speeltuin", "ann") != 0 {
		t.Errorf("after the refunds: left %v, on speeltuin %d", left(p), p.OnProject("speeltuin"))
	}
	if again := p.RefundProject("speeltuin"); len(again) != 0 {
		t.Errorf("a second time: %v", again)
	}
}

func TestMatchCriteria(t *testing.T) {
	half := Criteria{GrantCents: 150, Share: Percent(50), MinBackers: 3}
	for _, tc := range []struct {
		p    Progress
		want bool
	}{
		{Progress{RaisedCents: 4999, GoalCents: 10_000, Backers: 3}, false}, // 49.99%
		{Progress{RaisedCents: 5000, GoalCents: 10_000, Backers: 2}, false}, // too few backers
		{Progress{RaisedCents: 5000, GoalCents: 10_000, Backers: 3}, true},  // exactly half, three
		{Progress{RaisedCents: 0, GoalCents: 0, Backers: 3}, true},          // no goal: backers only
	} {
		if got := half.Qualifies(tc.p); got != tc.want {
			t.Errorf("%+v: %v", tc.p, got)
		}
	}
	// A third, exactly: 33 × 3 = 99 < 100, 34 × 3 = 102 ≥ 100.
	third := Criteria{GrantCents: 1, Share: Ratio{1, 3}}
	if third.Qualifies(Progress{RaisedCents: 33, GoalCents: 100}) || !third.Qualifies(Progress{RaisedCents: 34, GoalCents: 100}) {
		t.Error("a third of 100")
	}

	p := newPool(t, Rules{Factor: Whole(1)}, Funder{"a", 500}, Funder{"b", 300}, Funder{"c", 200})
	at := Progress{RaisedCents: 6000, GoalCents: 10_000, Backers: 4}
	if r, err := p.Grant("speeltuin", half, Progress{RaisedCents: 100, GoalCents: 10_000, Backers: 4}); err != nil || r.Cents != 0 || r.Limit != LimitCriteria {
		t.Errorf("not yet: %+v %v", r, err)
	}
	// 150 over 500/300/200: 75/45/30.
	r, err := p.Grant("speeltuin", half, at)
	if err != nil || r.Cents != 150 || !slices.Equal(r.Shares, []Share{{"a", 75}, {"b", 45}, {"c", 30}}) || r.Project != "speeltuin" {
		t.Fatalf("grant: %+v %v", r, err)
	}
	if r, _ := p.Grant("speeltuin", half, at); r.Cents != 0 || r.Limit != LimitGranted || p.Granted("speeltuin") != 150 {
		t.Errorf("once per project: %+v", r)
	}
	// At most what the pool has left: 850 of a grant of 1000, all of it.
	if r, _ := p.Grant("bankjes", Criteria{GrantCents: 1000, Share: Percent(10)}, at); r.Cents != 850 || r.Limit != LimitPool || p.LeftCents() != 0 {
		t.Errorf("capped: %+v, left %d", r, p.LeftCents())
	}
	// An empty pool grants 0, and the project may have it later.
	if r, _ := p.Grant("bomen", half, at); r.Cents != 0 || r.Limit != LimitPool || p.Granted("bomen") != 0 {
		t.Errorf("empty: %+v", r)
	}
	if shares, err := p.RefundGrant("speeltuin"); err != nil || !slices.Equal(shares, []Share{{"a", 75}, {"b", 45}, {"c", 30}}) {
		t.Errorf("refund: %v %v", shares, err)
	}
	if _, err := p.RefundGrant("speeltuin"); err == nil {
		t.Error("a grant is returned once")
	}
	if r, _ := p.Grant("bomen", half, at); r.Cents != 150 {
		t.Errorf("bomen after the refund: %+v", r)
	}

	for _, c := range []Criteria{{GrantCents: 0, Share: Percent(50)}, {GrantCents: 1, Share: Ratio{3, 2}}, {GrantCents: 1, Share: Ratio{1, 0}},
		{GrantCents: 1, Share: Percent(50), MinBackers: -1}, {GrantCents: MaxCents + 1, Share: Percent(1)}} {
		if _, err := p.Grant("x", c, at); err == nil || c.Check() == nil {
			t.Errorf("%+v: want refused", c)
		}
	}
	if _, err := p.Grant("x", half, Progress{RaisedCents: -1}); err == nil {
		t.Error("a negative amount raised")
	}
}

func TestMatchPoolValidation(t *testing.T) {
	ok := []Funder{{"a", 100}}
	for _, tc := range []struct {
		r       Rules
		funders []Funder
		code    string
		field   string
		index   int
	}{
		{Rules{}, ok, "match.pool.factor", "pool.factor", -1},
		{Rules{Factor: Whole(0)}, ok, "match.pool.factor", "pool.factor", -1},
		{Rules{Factor: Whole(-1)}, ok, "match.pool.factor", "pool.factor", -1},
		{Rules{Factor: Whole(1001)}, ok, "match.pool.factor", "pool.factor", -1},
		{Rules{Factor: Ratio{1, MaxFactorDen + 1}}, ok, "match.pool.factor", "pool.factor", -1},
		{Rules{Factor: Whole(1), MaxPerContribution: -1}, ok, "match.pool.max_per_contribution_cents", "pool.max_per_contribution_cents", -1},
		{Rules{Factor: Whole(1), MaxPerProject: MaxCents + 1}, ok, "match.pool.max_per_project_cents", "pool.max_per_project_cents", -1},
		{Rules{Factor: Whole(1), MaxMatchedPerContributor: -1}, ok, "match.pool.max_matched_per_contributor", "pool.max_matched_per_contributor", -1},
		{Rules{Factor: Whole(1)}, nil, "match.pool.funders", "pool.funders", -1},
		{Rules{Factor: Whole(1)}, []Funder{{"a", 1}, {"", 1}}, "match.funder.id", "pool.funders.1.id", 1},
		{Rules{Factor: Whole(1)}, []Funder{{"a", 1}, {" a", 1}}, "match.funder.id", "pool.funders.1.id", 1},
		{Rules{Factor: Whole(1)}, []Funder{{"a\nb", 1}}, "match.funder.id", "pool.funders.0.id", 0},
		{Rules{Factor: Whole(1)}, []Funder{{"a", 1}, {"a", 1}}, "match.funder.duplicate", "pool.funders.1.id", 1},
		{Rules{Factor: Whole(1)}, []Funder{{"a", -1}}, "match.funder.cents", "pool.funders.0.cents", 0},
		{Rules{Factor: Whole(1)}, []Funder{{"a", MaxCents}, {"b", 1}}, "match.pool.total", "pool.funders", -1},
	} {
		_, err := NewPool(tc.r, tc.funders)
		var e *Error
		if !errors.As(err, &e) || e.Code != tc.code || e.Field != tc.field || e.Index != tc.index {
			t.Errorf("%+v %v: %#v; want %s at %s", tc.r, tc.funders, err, tc.code, tc.field)
		}
	}
	p := newPool(t, Rules{Factor: Whole(1)}, ok...)
	for _, tc := range []struct {
		c    Contribution
		code string
	}{
		{Contribution{Project: "p", Contributor: "x", Cents: 1}, "match.contribution.id"},
		{Contribution{ID: "c", Contributor: "x", Cents: 1}, "match.contribution.project"},
		{Contribution{ID: "c", Project: "p", Cents: 1}, "match.contribution.contributor"},
		{Contribution{ID: "c", Project: "p", Contributor: "x"}, "match.contribution.cents"},
		{Contribution{ID: "c", Project: "p", Contributor: "x", Cents: MaxCents + 1}, "match.contribution.cents"},
	} {
		_, err := p.Match(tc.c)
		var e *Error
		if !errors.As(err, &e) || e.Code != tc.code || e.Index != -1 {
			t.Errorf("%+v: %v; want %s", tc.c, err, tc.code)
		}
	}
	if p.LeftCents() != 100 {
		t.Errorf("a refused contribution took money: %d", p.LeftCents())
	}
}

func TestSimulate(t *testing.T) {
	s := Simulation{Rules: Rules{Factor: Whole(1), MaxPerProject: 150},
		Funders: []Funder{{"a", 500}, {"b", 300}, {"c", 200}},
		Contributions: []Contribution{
			{"c1", "p", "ann", 101}, // 51/30/20, see TestMatchSplit
			{"c2", "p", "bob", 100}, // p's room 150 − 101 = 49, over 449/270/180 (899): 24.47 → 24, 14.7 → 14, 9.8 → 9; 2 cents to a and b
			{"c3", "q", "ann", 50},  // over 424/255/171 (850): 24.9 → 24, 15 → 15, 10.06 → 10; the cent to a
		}}
	out, err := Simulate(s)
	if err != nil {
		t.Fatal(err)
	}
	want := []Result{
		{"c1", "p", 101, []Share{{"a", 51}, {"b", 30}, {"c", 20}}, ""},
		{"c2", "p", 49, []Share{{"a", 25}, {"b", 15}, {"c", 9}}, LimitProject},
		{"c3", "q", 50, []Share{{"a", 25}, {"b", 15}, {"c", 10}}, ""},
	}
	if !slices.EqualFunc(out.Matches, want, func(a, b Result) bool {
		return a.Contribution == b.Contribution && a.Project == b.Project && a.Cents == b.Cents && a.Limit == b.Limit && slices.Equal(a.Shares, b.Shares)
	}) {
		t.Errorf("%+v\nwant %+v", out.Matches, want)
	}
	if !slices.Equal(out.Left, []Funder{{"a", 399}, {"b", 240}, {"c", 161}}) {
		t.Errorf("left %v", out.Left)
	}

	// Checked whole before anything is matched, and placed in the list.
	s.Contributions = append(s.Contributions, Contribution{"c2", "q", "cas", 5})
	var e *Error
	if _, err := Simulate(s); !errors.As(err, &e) || e.Code != "match.contribution.duplicate" || e.Field != "contributions.3.id" || e.Index != 3 || e.ID != "c2" {
		t.Errorf("duplicate: %#v", err)
	}
	s.Contributions[3] = Contribution{"c4", "q", "cas", 0}
	if _, err := Simulate(s); !errors.As(err, &e) || e.Field != "contributions.3.cents" || e.Code != "match.contribution.cents" {
		t.Errorf("zero: %#v", err)
	}
}
