package tally

import (
	"slices"
	"testing"
)

func rankedStepsOf(res Result, kind string) []Step {
	var out []Step
	for _, s := range res.Steps {
		if s.Kind == kind {
			out = append(out, s)
		}
	}
	return out
}

// rankedCountOf returns the "count" step value of option o in round r.
func rankedCountOf(t *testing.T, res Result, r, o int) float64 {
	t.Helper()
	for _, s := range res.Steps {
		if s.Kind == "count" && s.Round == r && s.Option == o {
			return s.Value
		}
	}
	t.Fatalf("no count for option %d in round %d", o, r)
	return 0
}

// The Tennessee example of the English Wikipedia article "Instant-runoff
// voting" (and "Condorcet method"): the capital chosen by voters who live
// in Memphis (42%), Nashville (26%), Chattanooga (15%) and Knoxville (17%),
// each preferring nearer cities. Chattanooga goes in the first round,
// Nashville in the second, and Knoxville wins 58 to 42.
func TestIRVTennessee(t *testing.T) {
	// M Memphis, N Nashville, C Chattanooga, K Knoxville.
	e := rankedFrom(t, "MNCK", 1,
		"42 MNCK", "26 NCKM", "15 CKNM", "17 KCNM")
	res := IRV(e)
	if res.Method != "irv" || !slices.Equal(res.Winners, []int{3}) {
		t.Fatalf("winners = %v, want [3] (Knoxville)", res.Winners)
	}
	if want := []int{3, 0, 1, 2}; !slices.Equal(res.Ranking, want) {
		t.Errorf("ranking = %v, want %v (K M N C)", res.Ranking, want)
	}
	elim := rankedStepsOf(res, "eliminated")
	if len(elim) != 2 || elim[0].Option != 2 || elim[0].Round != 1 || elim[1].Option != 1 || elim[1].Round != 2 {
		t.Fatalf("eliminated = %+v, want Chattanooga in round 1, Nashville in round 2", elim)
	}
	for _, c := range []struct {
		round, option int
		votes         float64
	}{
		{1, 0, 42}, {1, 1, 26}, {1, 2, 15}, {1, 3, 17},
		{2, 0, 42}, {2, 1, 26}, {2, 3, 32},
		{3, 0, 42}, {3, 3, 58},
	} {
		if got := rankedCountOf(t, res, c.round, c.option); got != c.votes {
			t.Errorf("round %d option %d: %v votes, want %v", c.round, c.option, got, c.votes)
		}
	}
	el := rankedStepsOf(res, "elected")
	if len(el) != 1 || el[0].Option != 3 || el[0].Value != 58 || el[0].Detail != 100 || el[0].Round != 3 {
		t.Errorf("elected = %+v", el)
	}
	if len(rankedStepsOf(res, "tie")) != 0 {
		t.Errorf("unexpected tie")
	}
}

// A tie for fewest votes is broken by the most recent earlier round in
// which the tied options differed.
func TestIRVTieBrokenByEarlierRound(t *testing.T) {
	// Round 1: A 10, B 6, C 5, D 2 → D goes (1 ballot to C, 1 exhausted).
	// Round 2: A 10, B 6, C 6 of 22, no majority; B and C tie for fewest.
	// In round 1 C had fewer, so C goes. The options are in the order
	// A, C, B, D so that the lot alone would have taken B instead.
	e := rankedFrom(t, "ACBD", 1,
		"10 A", "6 B", "5 C", "1 DC", "1 D")
	res := IRV(e)
	ties := rankedStepsOf(res, "tie")
	if len(ties) != 1 {
		t.Fatalf("ties = %+v", ties)
	}
	tie := ties[0]
	// Options: A=0, C=1, B=2, D=3. The lot alone would drop B (latest);
	// the earlier round drops C.
	if tie.Rule != "earlier_round" || tie.Option != 1 || !slices.Equal(tie.Tied, []int{1, 2}) || tie.Round != 2 {
		t.Fatalf("tie = %+v, want C (1) out by earlier_round in round 2", tie)
	}
	elim := rankedStepsOf(res, "eliminated")
	if len(elim) < 2 || elim[0].Option != 3 || elim[1].Option != 1 {
		t.Fatalf("eliminated = %+v", elim)
	}
	// Round 3: A 10, B 6 + C's 6 → C's ballots list nothing else: A 10,
	// B 6, exhausted 7 of 23; 10 > 16/2, A wins.
	if !slices.Equal(res.Winners, []int{0}) {
		t.Fatalf("winners = %v", res.Winners)
	}
	if got := rankedCountOf(t, res, 3, -1); got != 7 {
		t.Errorf("exhausted in round 3 = %v, want 7", got)
	}
}

// Options equal in every round: the lot takes out the latest in the
// Options order.
func TestIRVTieByLot(t *testing.T) {
	e := rankedFrom(t, "ABC", 1, "3 AB", "3 BA", "1 CA", "1 CB")
	// Round 1: A 3, B 3, C 2 → C out, 1 to A, 1 to B: A 4, B 4.
	// Round 2: A and B tie at 4 and tied in round 1 too: lot, B goes.
	res := IRV(e)
	ties := rankedStepsOf(res, "tie")
	if len(ties) != 1 || ties[0].Rule != "lot" || ties[0].Option != 1 || !slices.Equal(ties[0].Tied, []int{0, 1}) {
		t.Fatalf("ties = %+v", ties)
	}
	if !slices.Equal(res.Winners, []int{0}) || !slices.Equal(res.Ranking, []int{0, 1, 2}) {
		t.Fatalf("winners %v ranking %v", res.Winners, res.Ranking)
	}
}

// A ballot tying options at its top splits its weight, exactly.
func TestIRVSplitBallots(t *testing.T) {
	// 1 ballot A=B=C, 2 ballots A, 2 ballots B=C, 1 ballot C.
	// Round 1: A 2+1/3, B 1+1/3, C 2+1/3 (total 6): no majority; B goes.
	// Round 2: the A=B=C ballot now splits A, C: A 2.5; B=C ballots go to
	// C alone: C 1 + 2 + 0.5 = 3.5 > 3 → C wins.
	e := rankedFrom(t, "ABC", 1, "1 A=B=C", "2 A", "2 B=C", "1 C")
	res := IRV(e)
	if got := rankedCountOf(t, res, 1, 0); got != 2+1.0/3 {
		t.Errorf("A in round 1 = %v", got)
	}
	if got := rankedCountOf(t, res, 1, 1); got != 1+1.0/3 {
		t.Errorf("B in round 1 = %v", got)
	}
	if got := rankedCountOf(t, res, 2, 2); got != 3.5 {
		t.Errorf("C in round 2 = %v", got)
	}
	if !slices.Equal(res.Winners, []int{2}) {
		t.Fatalf("winners = %v", res.Winners)
	}

	// Exactness: three thirds make a whole. A=B=C ×3 and B ×1: round 1
	// A 1, B 2, C 1 — A and C tie exactly at 1 (not 0.999…), the lot
	// takes C; then A 1.5, B 2.5 of 4 → B.
	e = rankedFrom(t, "ABC", 1, "3 A=B=C", "1 B")
	res = IRV(e)
	ties := rankedStepsOf(res, "tie")
	if len(ties) != 1 || !slices.Equal(ties[0].Tied, []int{0, 2}) || ties[0].Option != 2 {
		t.Fatalf("ties = %+v", ties)
	}
	if !slices.Equal(res.Winners, []int{1}) {
		t.Fatalf("winners = %v", res.Winners)
	}
}

// Withdrawn options are skipped on the ballots: withdrawing Chattanooga
// from the Tennessee example gives its voters' ballots to Knoxville at
// once.
func TestIRVWithdrawn(t *testing.T) {
	e := rankedFrom(t, "MNCK", 1,
		"42 MNCK", "26 NCKM", "15 CKNM", "17 KCNM")
	e.Withdrawn = []int{2}
	res := IRV(e)
	if got := rankedCountOf(t, res, 1, 3); got != 32 {
		t.Errorf("Knoxville in round 1 = %v, want 32", got)
	}
	for _, s := range res.Steps {
		if s.Option == 2 {
			t.Errorf("step about withdrawn Chattanooga: %+v", s)
		}
	}
	if !slices.Equal(res.Winners, []int{3}) || res.Ranking[3] != 2 {
		t.Fatalf("winners %v ranking %v", res.Winners, res.Ranking)
	}
}

func TestIRVNoBallots(t *testing.T) {
	e := Election{Options: []string{"A", "B", "C"}, Seats: 1}
	res := IRV(e)
	// Everyone has 0: the lot removes C, then B.
	if !slices.Equal(res.Winners, []int{0}) || !slices.Equal(res.Ranking, []int{0, 1, 2}) {
		t.Fatalf("winners %v ranking %v", res.Winners, res.Ranking)
	}
}
