package tally

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// positions spells a list of positions compactly: "yes*3 no abstain*2".
func positions(s string) []string {
	var out []string
	for _, f := range strings.Fields(s) {
		name, n := f, 1
		if i := strings.IndexByte(f, '*'); i >= 0 {
			name = f[:i]
			n = 0
			for _, c := range f[i+1:] {
				n = n*10 + int(c-'0')
			}
		}
		for range n {
			out = append(out, name)
		}
	}
	return out
}

func TestConsent(t *testing.T) {
	for _, tc := range []struct {
		name      string
		m         Motion
		ballots   string
		passed    bool
		blocked   bool
		quorumMet bool
		needed    int
	}{
		{"objections do not stop it", Motion{}, "agree*3 object*2 abstain", true, false, true, 0},
		{"one block stops it", Motion{}, "agree*9 block", false, true, true, 0},
		{"silence is consent without a quorum", Motion{}, "", true, false, true, 0},
		{"quorum met by abstentions", Motion{Electorate: 10, QuorumPercent: 50}, "agree*2 abstain*3", true, false, true, 5},
		{"quorum not met", Motion{Electorate: 10, QuorumPercent: 50}, "agree*4", false, false, false, 5},
		{"quorum rounds up", Motion{Electorate: 7, QuorumPercent: 50}, "agree*3", false, false, false, 4},
		{"unknown electorate counts no quorum", Motion{QuorumPercent: 50}, "agree", true, false, true, 0},
		{"blocked and short of quorum", Motion{Electorate: 10, QuorumPercent: 100}, "block", false, true, false, 10},
	} {
		r := Consent(tc.m, positions(tc.ballots))
		if r.Passed != tc.passed || r.Blocked != tc.blocked || r.QuorumMet != tc.quorumMet || r.QuorumNeeded != tc.needed {
			t.Errorf("%s: %+v; want passed %v blocked %v quorum %v of %d", tc.name, r, tc.passed, tc.blocked, tc.quorumMet, tc.needed)
		}
		if r.Method != "consent" || len(r.Counts) != 4 {
			t.Errorf("%s: method %q, counts %v; want all four positions", tc.name, r.Method, r.Counts)
		}
	}
	r := Consent(Motion{}, []string{"agree", "yes", "block ", ""})
	if r.Cast != 1 || r.Invalid != 3 || r.Counts["agree"] != 1 || !r.Passed {
		t.Errorf("unknown positions: %+v; want them left out and counted as invalid", r)
	}
}

func TestMajority(t *testing.T) {
	for _, tc := range []struct {
		threshold string
		ballots   string
		passed    bool
	}{
		{"half", "yes*3 no*2", true},
		{"half", "yes*2 no*2 abstain*9", false}, // a tie fails
		{"", "yes no*0 abstain*5", true},        // "" is half; abstentions left out
		{"half", "abstain*5", false},
		{"half", "", false},
		{"two_thirds", "yes*2 no", true},
		{"two_thirds", "yes*3 no*2", false},
		{"two_thirds", "yes*66 no*34", false},
		{"two_thirds", "yes*67 no*33", true},
		{"two_thirds", "abstain*3", false},
		{"three_quarters", "yes*3 no", true},
		{"three_quarters", "yes*2 no", false},
		{"three_quarters", "yes*74 no*26", false},
		{"unanimous", "yes abstain*10", true},
		{"unanimous", "yes*50 no", false},
		{"unanimous", "abstain*2", false},
		{"two_thirds_ish", "yes*10", false}, // unknown thresholds never pass
	} {
		r := Majority(Motion{Threshold: tc.threshold}, positions(tc.ballots))
		if r.Passed != tc.passed {
			t.Errorf("%s with %q: passed %v, want %v (%v)", tc.threshold, tc.ballots, r.Passed, tc.passed, r.Counts)
		}
		if r.Blocked {
			t.Errorf("a majority vote is never blocked")
		}
	}
	// The quorum counts ballots cast, abstentions included, against the
	// electorate; the threshold leaves abstentions out.
	m := Motion{Electorate: 40, QuorumPercent: 25, Threshold: "half"}
	r := Majority(m, positions("yes*4 no*3 abstain*3"))
	if !r.QuorumMet || r.QuorumNeeded != 10 || r.Cast != 10 || !r.Passed {
		t.Errorf("%+v; want quorum 10 met by 10 cast and passed", r)
	}
	r = Majority(m, positions("yes*4 no*3 abstain*2"))
	if r.QuorumMet || r.Passed || r.Cast != 9 {
		t.Errorf("%+v; want quorum not met and not passed", r)
	}
	want := map[string]int{"yes": 4, "no": 3, "abstain": 2}
	if !reflect.DeepEqual(r.Counts, want) {
		t.Errorf("counts %v, want %v", r.Counts, want)
	}
}

func TestCheckMotion(t *testing.T) {
	for _, tc := range []struct {
		m    Motion
		code string
	}{
		{Motion{}, ""},
		{Motion{Electorate: 10, QuorumPercent: 100, Threshold: "unanimous"}, ""},
		{Motion{Electorate: 10, QuorumPercent: 101}, "tally.motion.quorum"},
		{Motion{Electorate: 10, QuorumPercent: -1}, "tally.motion.quorum"},
		{Motion{QuorumPercent: 20}, "tally.motion.electorate"},
		{Motion{Electorate: -1}, "tally.motion.electorate"},
		{Motion{Threshold: "most"}, "tally.motion.threshold"},
	} {
		if got := CheckMotion(tc.m); got != tc.code {
			t.Errorf("CheckMotion(%+v) = %q, want %q", tc.m, got, tc.code)
		}
	}
}

// steps picks the steps of a kind.
func steps(r Result, kind string) []Step {
	var out []Step
	for _, s := range r.Steps {
		if s.Kind == kind {
			out = append(out, s)
		}
	}
	return out
}

func TestScore(t *testing.T) {
	// A and C both total 10; C has more fives. B and D total 6 with one
	// five each: the lot (B is earlier) decides.
	ballots := [][]int{
		{3, 5, 5, 1},
		{5, 1, 5, 5},
		{2, -1, 0},
		{0, 0, 0, 0},
	}
	r := Score(4, ballots)
	if want := []int{2, 0, 1, 3}; !slices.Equal(r.Ranking, want) {
		t.Fatalf("ranking %v, want %v; steps %+v", r.Ranking, want, r.Steps)
	}
	if !slices.Equal(r.Winners, []int{2}) || r.Method != "score" {
		t.Errorf("winners %v method %q", r.Winners, r.Method)
	}
	totals := steps(r, "total")
	if len(totals) != 4 || !reflect.DeepEqual(totals[0], Step{Round: 1, Kind: "total", Option: 2, Value: 10, Detail: 2}) ||
		!reflect.DeepEqual(totals[1], Step{Round: 1, Kind: "total", Option: 0, Value: 10, Detail: 1}) {
		t.Errorf("totals %+v", totals)
	}
	un := steps(r, "unscored")
	if len(un) != 2 || un[0].Option != 1 || un[0].Value != 1 || un[1].Option != 3 || un[1].Value != 1 {
		t.Errorf("unscored %+v; want B and D once each", un)
	}
	if b := steps(r, "ballots"); len(b) != 1 || b[0].Value != 4 || b[0].Detail != 0 {
		t.Errorf("ballots %+v", b)
	}
	ties := steps(r, "tie")
	want := []Step{
		{Round: 1, Kind: "tie", Option: -1, Value: 10, Tied: []int{2, 0}, Rule: "top_scores"},
		{Round: 1, Kind: "tie", Option: -1, Value: 6, Tied: []int{1, 3}, Rule: "top_scores"},
		{Round: 1, Kind: "tie", Option: -1, Value: 6, Tied: []int{1, 3}, Rule: "lot"},
	}
	if !reflect.DeepEqual(ties, want) {
		t.Errorf("ties %+v\nwant %+v", ties, want)
	}

	// More fives win a tie on total.
	r = Score(2, [][]int{{4, 5}, {4, 3}})
	if !slices.Equal(r.Ranking, []int{1, 0}) {
		t.Errorf("ranking %v; the option with a five first", r.Ranking)
	}
	if ties := steps(r, "tie"); len(ties) != 1 || ties[0].Rule != "top_scores" {
		t.Errorf("ties %+v; want only the top-score tie-break", ties)
	}

	// Bad ballots are left out and counted.
	r = Score(2, [][]int{{6, 0}, {1, 2, 3}, {-2}, {2, 1}})
	if b := steps(r, "ballots"); b[0].Value != 1 || b[0].Detail != 3 || !slices.Equal(r.Ranking, []int{0, 1}) {
		t.Errorf("ballots %+v ranking %v", b, r.Ranking)
	}
	// Nobody scored anything: no winner, the lot order.
	r = Score(3, [][]int{{0, 0, -1}})
	if len(r.Winners) != 0 || !slices.Equal(r.Ranking, []int{0, 1, 2}) {
		t.Errorf("all zero: winners %v ranking %v", r.Winners, r.Ranking)
	}
	r = Score(0, nil)
	if len(r.Winners) != 0 || len(r.Ranking) != 0 || r.Winners == nil {
		t.Errorf("no options: %+v", r)
	}
}

func TestDots(t *testing.T) {
	// Five dots each: B from three ballots, C from two, A from one.
	ballots := [][]int{
		{5, 0, 0},
		{0, 2, 1},
		{0, 2},
		{0, 1, 4},
	}
	r := Dots(3, 5, ballots)
	if !slices.Equal(r.Ranking, []int{1, 2, 0}) || !slices.Equal(r.Winners, []int{1}) {
		t.Fatalf("ranking %v winners %v; steps %+v", r.Ranking, r.Winners, r.Steps)
	}
	totals := steps(r, "total")
	if !reflect.DeepEqual(totals[0], Step{Round: 1, Kind: "total", Option: 1, Value: 5, Detail: 3}) ||
		!reflect.DeepEqual(totals[1], Step{Round: 1, Kind: "total", Option: 2, Value: 5, Detail: 2}) ||
		!reflect.DeepEqual(totals[2], Step{Round: 1, Kind: "total", Option: 0, Value: 5, Detail: 1}) {
		t.Errorf("totals %+v", totals)
	}
	// One tie of three, settled by the ballots: no lot.
	ties := steps(r, "tie")
	if len(ties) != 1 || ties[0].Rule != "ballots" || !slices.Equal(ties[0].Tied, []int{1, 2, 0}) {
		t.Errorf("ties %+v", ties)
	}
	// A ballot over the limit, or with a negative number, is left out.
	r = Dots(2, 3, [][]int{{2, 2}, {-1, 3}, {0, 3}})
	if b := steps(r, "ballots"); b[0].Value != 1 || b[0].Detail != 2 || !slices.Equal(r.Winners, []int{1}) {
		t.Errorf("ballots %+v winners %v", b, r.Winners)
	}
	// No limit.
	r = Dots(2, 0, [][]int{{100, 2}})
	if b := steps(r, "ballots"); b[0].Value != 1 {
		t.Errorf("dots 0 sets no limit: %+v", b)
	}
}

func TestApproval(t *testing.T) {
	r := Approval(4, 2, [][]int{{0, 2}, {2, 3}, {3}, {0}, {1, 2, 3}, {1, 1}, {4}})
	// Counted: A 2, B 0, C 2, D 2; a tie of three by lot.
	if !slices.Equal(r.Ranking, []int{0, 2, 3, 1}) || !slices.Equal(r.Winners, []int{0}) {
		t.Errorf("ranking %v winners %v", r.Ranking, r.Winners)
	}
	if b := steps(r, "ballots"); b[0].Value != 4 || b[0].Detail != 3 {
		t.Errorf("ballots %+v", b)
	}
	ties := steps(r, "tie")
	if len(ties) != 1 || ties[0].Rule != "lot" || !slices.Equal(ties[0].Tied, []int{0, 2, 3}) || ties[0].Value != 2 {
		t.Errorf("ties %+v", ties)
	}
	if r := Approval(2, 0, [][]int{{1, 0}, {1}}); !slices.Equal(r.Ranking, []int{1, 0}) {
		t.Errorf("max 0: ranking %v", r.Ranking)
	}
}

func TestPoll(t *testing.T) {
	ballots := [][]string{
		{"yes", "yes", "maybe", "no"},
		{"no", "maybe", "yes", ""},
		{"maybe", "no", "yes", "no"},
		{"yes", "yes", "no"},
	}
	// yes: 2 2 2 0; yes+maybe: 3 3 3 0; no: 1 1 1 2. A, B and C level
	// through every key: the earlier slot.
	r := Poll(4, ballots)
	if !slices.Equal(r.Ranking, []int{0, 1, 2, 3}) || !slices.Equal(r.Winners, []int{0}) {
		t.Errorf("ranking %v winners %v", r.Ranking, r.Winners)
	}
	ties := steps(r, "tie")
	rules := []string{}
	for _, s := range ties {
		rules = append(rules, s.Rule)
	}
	if !slices.Equal(rules, []string{"yes_or_maybe", "fewest_no", "lot"}) {
		t.Errorf("tie rules %v", rules)
	}
	if no := steps(r, "no"); len(no) != 4 || no[3].Option != 3 || no[3].Value != 2 {
		t.Errorf("no steps %+v", no)
	}
	// Each tie-break in turn.
	r = Poll(3, [][]string{{"yes", "yes", "yes"}, {"maybe", "", "no"}, {"", "", "no"}})
	if !slices.Equal(r.Ranking, []int{0, 1, 2}) {
		t.Errorf("yes or maybe, then fewest no: %v", r.Ranking)
	}
	r = Poll(2, [][]string{{"no", "maybe"}, {"maybe", "no"}, {"no", ""}, {"bad"}})
	if !slices.Equal(r.Ranking, []int{1, 0}) || !slices.Equal(r.Winners, []int{1}) {
		t.Errorf("fewest no: %v %v", r.Ranking, r.Winners)
	}
	if b := steps(r, "ballots"); b[0].Detail != 1 {
		t.Errorf("a bad answer leaves the ballot out: %+v", b)
	}
	if r := Poll(2, [][]string{{"no", "no"}}); len(r.Winners) != 0 {
		t.Errorf("nobody can come: winners %v", r.Winners)
	}
}

func TestChecks(t *testing.T) {
	for _, tc := range []struct {
		got, want string
	}{
		{CheckConsent("agree", ""), ""},
		{CheckConsent("block", "  "), "tally.ballot.reason"},
		{CheckConsent("block", "it breaks the statutes"), ""},
		{CheckConsent("yes", ""), "tally.ballot.position"},
		{CheckMajority("abstain"), ""},
		{CheckMajority("agree"), "tally.ballot.position"},
		{CheckScore(3, []int{5, -1, 0}), ""},
		{CheckScore(3, []int{6}), "tally.ballot.score_range"},
		{CheckScore(3, []int{-2}), "tally.ballot.score_range"},
		{CheckScore(1, []int{1, 1}), "tally.ballot.options"},
		{CheckDots(3, 5, []int{2, 3}), ""},
		{CheckDots(3, 5, []int{2, 4}), "tally.ballot.too_many_dots"},
		{CheckDots(3, 5, []int{-1}), "tally.ballot.dots_range"},
		{CheckDots(1, 5, []int{0, 0}), "tally.ballot.options"},
		{CheckApproval(3, 2, []int{2, 0}), ""},
		{CheckApproval(3, 2, []int{2, 0, 1}), "tally.ballot.too_many_choices"},
		{CheckApproval(3, 0, []int{2, 2}), "tally.ballot.duplicate"},
		{CheckApproval(3, 0, []int{3}), "tally.ballot.choice"},
		{CheckApproval(3, 0, []int{-1}), "tally.ballot.choice"},
		{CheckPoll(2, []string{"yes", ""}), ""},
		{CheckPoll(2, []string{"Yes"}), "tally.ballot.answer"},
		{CheckPoll(1, []string{"yes", "no"}), "tally.ballot.options"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
