package tally

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// The food example of the English Wikipedia article "Single transferable
// vote": 20 guests choose 3 of Oranges, Pears, Chocolate, Strawberries
// and Hamburgers (Sweets in older versions). The Droop quota is 6;
// Chocolate (12) is elected and its surplus of 6 goes half to
// Strawberries, half to Hamburgers; Pears goes, Oranges reaches the quota
// exactly; Hamburgers goes and Strawberries takes the last seat.
func TestSTVWikipediaFood(t *testing.T) {
	// O Oranges, P Pears, C Chocolate, S Strawberries, H Hamburgers.
	e := rankedFrom(t, "OPCSH", 3,
		"4 O", "2 PO", "8 CS", "4 CH", "1 S", "1 H")
	res := STV(e)
	if res.Method != "stv" {
		t.Errorf("method = %q", res.Method)
	}
	q := rankedStepsOf(res, "quota")
	if len(q) != 1 || q[0].Value != 6 || q[0].Detail != 20 {
		t.Fatalf("quota = %+v, want 6 of 20", q)
	}
	if want := []int{2, 0, 3}; !slices.Equal(res.Winners, want) {
		t.Fatalf("winners = %v, want %v (Chocolate, Oranges, Strawberries)", res.Winners, want)
	}
	if want := []int{2, 0, 3, 4, 1}; !slices.Equal(res.Ranking, want) {
		t.Errorf("ranking = %v, want %v", res.Ranking, want)
	}
	for _, c := range []struct {
		stage, option int
		votes         float64
	}{
		{1, 0, 4}, {1, 1, 2}, {1, 2, 12}, {1, 3, 1}, {1, 4, 1},
		// Stage 2: Chocolate's surplus, transfer value 6/12 = 0.5.
		{2, 2, 6}, {2, 3, 5}, {2, 4, 3}, {2, 0, 4}, {2, 1, 2},
		// Stage 3: Pears excluded, its 2 go to Oranges.
		{3, 0, 6}, {3, 3, 5}, {3, 4, 3},
		// Stage 4: Hamburgers excluded; nothing after it on its ballots.
		{4, 3, 5}, {4, -1, 3},
	} {
		if got := rankedCountOf(t, res, c.stage, c.option); got != c.votes {
			t.Errorf("stage %d option %d: %v votes, want %v", c.stage, c.option, got, c.votes)
		}
	}
	var kinds []string
	for _, s := range res.Steps {
		if s.Kind != "count" {
			kinds = append(kinds, s.Kind)
		}
	}
	want := []string{"quota", "elected", "transfer", "eliminated", "elected", "eliminated", "elected"}
	if !slices.Equal(kinds, want) {
		t.Errorf("steps = %v, want %v", kinds, want)
	}
	if tr := rankedStepsOf(res, "transfer"); tr[0].Option != 2 || tr[0].Value != 6 || tr[0].Round != 2 {
		t.Errorf("transfer = %+v", tr)
	}
	// Strawberries is elected by rule 52 (one continuing for one seat)
	// with 5 votes, below the quota.
	if el := rankedStepsOf(res, "elected"); el[2].Option != 3 || el[2].Value != 5 || el[2].Round != 4 {
		t.Errorf("last elected = %+v", el[2])
	}
}

// Rule 48(3): the transfer value is cut, not rounded, to five decimals.
func TestSTVFiveDecimals(t *testing.T) {
	// 10 ballots, 2 seats: quota floor(10/3)+1 = 4. A has 7, surplus 3:
	// transfer value 3 × 1 / 7 = 0.428571… → 0.42857. B gets 7 × 0.42857 =
	// 2.99999 on top of its 2: 4.99999, elected. 0.00001 is lost.
	e := rankedFrom(t, "ABC", 2, "7 AB", "2 B", "1 C")
	res := STV(e)
	if !slices.Equal(res.Winners, []int{0, 1}) {
		t.Fatalf("winners = %v", res.Winners)
	}
	if got := rankedCountOf(t, res, 2, 1); got != 4.99999 {
		t.Errorf("B after the transfer = %v, want 4.99999", got)
	}
	for _, s := range res.Steps {
		if s.Kind == "count" && s.Round == 2 && s.Option == -1 && (s.Value != 0 || s.Detail != 0.00001) {
			t.Errorf("non-transferable/lost = %v/%v, want 0/0.00001", s.Value, s.Detail)
		}
	}
}

// Rule 49(2): equal surpluses go in the order of the most recent earlier
// stage at which the options' votes differed, the higher first — here
// against the lot, which would favour B.
func TestSTVEqualSurplusesEarlierStage(t *testing.T) {
	// Options B, A, Z, V, W; 3 seats, 32 ballots: quota floor(32/4)+1 = 9.
	// Stage 1: A 8, B 7, Z 5, V 6, W 6. Z goes: 2 to A, 3 to B.
	// Stage 2: A 10, B 10, both elected with a surplus of 1. At stage 1 A
	// had more, so A's surplus goes first (stage 3), then B's (stage 4):
	// transfer value 1/10 each, V 6.8 and W 6.7; the Z ballots stop there
	// (0.5 non-transferable). Stage 5: W goes, V takes the last seat.
	e := rankedFrom(t, "BAZVW", 3, "8 AV", "7 BW", "2 ZA", "3 ZB", "6 V", "6 W")
	res := STV(e)
	if want := []int{1, 0, 3}; !slices.Equal(res.Winners, want) {
		t.Fatalf("winners = %v, want %v (A, B, V)", res.Winners, want)
	}
	ties := rankedStepsOf(res, "tie")
	if len(ties) != 1 || ties[0].Rule != "earlier_round" || ties[0].Option != 1 || !slices.Equal(ties[0].Tied, []int{0, 1}) || ties[0].Round != 3 {
		t.Fatalf("ties = %+v, want A's surplus first by earlier_round at stage 3", ties)
	}
	tr := rankedStepsOf(res, "transfer")
	if len(tr) != 2 || tr[0].Option != 1 || tr[1].Option != 0 || tr[0].Value != 1 {
		t.Fatalf("transfers = %+v", tr)
	}
	if got := rankedCountOf(t, res, 3, 3); got != 6.8 {
		t.Errorf("V at stage 3 = %v", got)
	}
	if got := rankedCountOf(t, res, 4, 4); got != 6.7 {
		t.Errorf("W at stage 4 = %v", got)
	}
	if got := rankedCountOf(t, res, 4, -1); got != 0.5 {
		t.Errorf("non-transferable at stage 4 = %v", got)
	}
}

// Rule 49(3): surpluses equal at every stage go in the lot order.
func TestSTVEqualSurplusesLot(t *testing.T) {
	// 3 seats, 20 ballots, quota 6: A and B 7 each at stage 1.
	e := rankedFrom(t, "ABCD", 3, "7 AC", "7 BD", "3 C", "3 D")
	res := STV(e)
	ties := rankedStepsOf(res, "tie")
	if len(ties) < 1 || ties[0].Rule != "lot" || ties[0].Option != 0 || !slices.Equal(ties[0].Tied, []int{0, 1}) {
		t.Fatalf("ties = %+v, want A first by lot", ties)
	}
	// Stage 2, A's surplus at the transfer value 1/7 cut to 0.14285: C
	// 3.99995. Stage 3, B's: D 3.99995. C and D tie for fewest now, but
	// at stage 2 D had fewer: D goes at stage 4 (not by lot), and C takes
	// the last seat.
	if want := []int{0, 1, 2}; !slices.Equal(res.Winners, want) {
		t.Fatalf("winners = %v, want %v", res.Winners, want)
	}
	if len(ties) != 2 || ties[1].Rule != "earlier_round" || ties[1].Option != 3 || ties[1].Round != 4 {
		t.Fatalf("exclusion tie = %+v", ties)
	}
}

// Rule 51(2)(a): of options tied for fewest, the one with fewer votes at
// the most recent earlier stage at which they differed is excluded —
// here against the lot, which would exclude Y.
func TestSTVExclusionTieEarlierStage(t *testing.T) {
	// 1 seat, 14 ballots: quota 8. Stage 1: X 3, Y 4, Q 2, P 5; Q goes
	// (1 to X, 1 non-transferable). Stage 2: X 4, Y 4, P 5: X and Y tie;
	// at stage 1 X had fewer, X goes. Stage 3: X's 4 go to P: 9, elected.
	e := rankedFrom(t, "XYQP", 1, "3 XP", "4 Y", "1 QXP", "1 Q", "5 P")
	res := STV(e)
	ties := rankedStepsOf(res, "tie")
	if len(ties) != 1 || ties[0].Rule != "earlier_round" || ties[0].Option != 0 || !slices.Equal(ties[0].Tied, []int{0, 1}) || ties[0].Round != 3 {
		t.Fatalf("ties = %+v", ties)
	}
	if !slices.Equal(res.Winners, []int{3}) {
		t.Fatalf("winners = %v", res.Winners)
	}
	if got := rankedCountOf(t, res, 3, 3); got != 9 {
		t.Errorf("P at stage 3 = %v", got)
	}
	if want := []int{3, 1, 0, 2}; !slices.Equal(res.Ranking, want) {
		t.Errorf("ranking = %v, want %v", res.Ranking, want)
	}
}

// The extension: a ballot tying options splits its value, each part cut
// to five decimals, and a part moves first to the rest of its group.
func TestSTVTiedPreferences(t *testing.T) {
	// 1 seat, 5 ballots: quota 3.
	// Stage 1: the 3 A=B=C ballots give 0.33333 each to A, B, C (0.00003
	// lost): A 1.99999, B 1.99999, C 0.99999.
	// Stage 2: C goes; each C part (0.33333) splits between A and B,
	// 0.16666 each (0.00003 more lost): A 2.49997, B 2.49997.
	// Stage 3: A and B equal now and at stage 1 (and 2): the lot excludes
	// B. B's own ballot is non-transferable (1), its parts of the tied
	// ballots (0.49999 each) go to A: A 3.99994, elected.
	e := rankedFrom(t, "ABC", 1, "3 A=B=C", "1 A", "1 B")
	res := STV(e)
	for _, c := range []struct {
		stage, option int
		votes         float64
	}{
		{1, 0, 1.99999}, {1, 1, 1.99999}, {1, 2, 0.99999},
		{2, 0, 2.49997}, {2, 1, 2.49997},
		{3, 0, 3.99994}, {3, -1, 1},
	} {
		if got := rankedCountOf(t, res, c.stage, c.option); got != c.votes {
			t.Errorf("stage %d option %d: %v, want %v", c.stage, c.option, got, c.votes)
		}
	}
	if !slices.Equal(res.Winners, []int{0}) {
		t.Fatalf("winners = %v", res.Winners)
	}
	ties := rankedStepsOf(res, "tie")
	if len(ties) != 1 || ties[0].Rule != "lot" || ties[0].Option != 1 {
		t.Fatalf("ties = %+v", ties)
	}
}

// Withdrawn options are skipped: withdrawing Pears from the food example
// sends its 2 ballots to Oranges at the first stage.
func TestSTVWithdrawn(t *testing.T) {
	e := rankedFrom(t, "OPCSH", 3,
		"4 O", "2 PO", "8 CS", "4 CH", "1 S", "1 H")
	e.Withdrawn = []int{1}
	res := STV(e)
	if got := rankedCountOf(t, res, 1, 0); got != 6 {
		t.Errorf("Oranges at stage 1 = %v, want 6", got)
	}
	if !slices.Equal(res.Winners, []int{2, 0, 3}) || res.Ranking[4] != 1 {
		t.Fatalf("winners %v ranking %v", res.Winners, res.Ranking)
	}
	for _, s := range res.Steps {
		if s.Option == 1 {
			t.Errorf("step about withdrawn Pears: %+v", s)
		}
	}
}

// randomRanked makes an election of n options and about count ballots:
// random orders of random length, some weights above 1, and (when ties)
// some tied groups.
func randomRanked(r *rand.Rand, n, count, seats int, ties bool) Election {
	e := Election{Seats: seats}
	for i := range n {
		e.Options = append(e.Options, string(rune('A'+i%26))+string(rune('0'+i/26)))
	}
	perm := make([]int, n)
	for range count {
		for i := range perm {
			perm[i] = i
		}
		r.Shuffle(n, func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		length := 1 + r.IntN(n)
		var ranks [][]int
		for i := 0; i < length; i++ {
			if ties && len(ranks) > 0 && r.IntN(4) == 0 {
				ranks[len(ranks)-1] = append(ranks[len(ranks)-1], perm[i])
			} else {
				ranks = append(ranks, []int{perm[i]})
			}
		}
		w := 1
		if r.IntN(5) == 0 {
			w = 1 + r.IntN(9)
		}
		e.Ballots = append(e.Ballots, RankedBallot{Weight: w, Ranks: ranks})
	}
	return e
}

// Properties every count must have, on random elections.
func TestSTVProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for iter := range 300 {
		n := 2 + r.IntN(8)
		seats := 1 + r.IntN(n)
		e := randomRanked(r, n, r.IntN(60), seats, iter%2 == 0)
		if r.IntN(4) == 0 && seats < n {
			e.Withdrawn = []int{r.IntN(n)}
		}
		if err := e.Validate(); err != nil {
			t.Fatal(err)
		}
		res := STV(e)
		if len(res.Winners) != seats {
			t.Fatalf("%d: %d winners for %d seats: %+v", iter, len(res.Winners), seats, e)
		}
		if len(res.Ranking) != n || !slices.Equal(res.Ranking[:seats], res.Winners) {
			t.Fatalf("%d: ranking %v winners %v", iter, res.Ranking, res.Winners)
		}
		sorted := slices.Sorted(slices.Values(res.Ranking))
		for i, o := range sorted {
			if o != i {
				t.Fatalf("%d: ranking %v is not a permutation", iter, res.Ranking)
			}
		}
		for _, w := range e.Withdrawn {
			if slices.Contains(res.Winners, w) {
				t.Fatalf("%d: withdrawn %d elected", iter, w)
			}
		}
		// At every stage, the votes of the options, the non-transferable
		// votes and the lost ones add up to the valid ballots (in units of
		// 0.00001, so compare in those).
		valid := rankedStepsOf(res, "quota")[0].Detail
		sums := map[int]int64{}
		for _, s := range res.Steps {
			if s.Kind == "count" {
				sums[s.Round] += int64(s.Value*stvUnit+0.5) + int64(s.Detail*stvUnit+0.5)
			}
		}
		for stage, sum := range sums {
			if sum != int64(valid)*stvUnit {
				t.Fatalf("%d: stage %d adds up to %d, want %v", iter, stage, sum, valid)
			}
		}
		// With one seat and no tied preferences, STV is instant-runoff:
		// the same eliminations, the same tie-breaks, the same winner.
		if seats == 1 && iter%2 == 1 {
			if got, want := res.Winners, IRV(e).Winners; !slices.Equal(got, want) {
				t.Fatalf("%d: STV %v, IRV %v", iter, got, want)
			}
		}
	}
}
