package tally

import (
	"math/big"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
)

func TestEqualSharesExample1(t *testing.T) {
	r := EqualShares(esnetExample1)
	if !slices.Equal(r.Winners, []int{0, 3, 4}) {
		t.Fatalf("winners %v, want bike path, playground, library [0 3 4]", r.Winners)
	}
	funded := budgetSteps(r, "funded")
	want := []struct {
		alpha  float64
		payers float64
	}{{100, 7}, {50, 4}, {100.0 / 3, 3}}
	for i, w := range want {
		if !mesNear(funded[i].Value, w.alpha) || funded[i].Detail != w.payers || funded[i].Round != i+1 {
			t.Errorf("funded step %d = %+v, want share %v paid by %v", i, funded[i], w.alpha, w.payers)
		}
	}
	un := budgetSteps(r, "unaffordable")
	if len(un) != 2 || un[0].Option != 1 || un[1].Option != 2 {
		t.Fatalf("unaffordable %+v, want the gym then the park", un)
	}
	if un[0].Value != 0 || un[0].Detail != 0 {
		t.Errorf("gym: its voters have %v left (%v of them), want nothing", un[0].Value, un[0].Detail)
	}
	if !mesNear(un[1].Value, 2*(50-100.0/3)) || un[1].Detail != 2 || un[1].Round != 4 {
		t.Errorf("park: %+v, want 33.33 left with 2 voters, round 4", un[1])
	}
	if !slices.Equal(r.Ranking, []int{0, 3, 4, 1, 2}) {
		t.Errorf("ranking %v", r.Ranking)
	}
	if r.Method != "equal-shares" {
		t.Errorf("method %q", r.Method)
	}

	g := Greedy(esnetExample1)
	if !slices.Equal(g.Winners, []int{0, 1}) {
		t.Fatalf("greedy winners %v, want bike path and gym", g.Winners)
	}
}

// equalshares.net, "Example 2 (more complicated)": voter 11 votes for the
// gym instead of the bike path. The gym (7 votes) goes first at 400/7 each;
// the park's three poorer supporters then pay all they have (300/7 each)
// and the two others 425/7 each (ρ = 17/70, effective votes 4.12 > the
// playground's 4); the playground's two poorer supporters pay their 275/7
// and the two others 425/7; the library is then out of reach.
func TestEqualSharesExample2(t *testing.T) {
	b := pbBudget(1100, []int64{700, 400, 250, 200, 100},
		[]int{0, 1}, []int{0, 1, 2}, []int{0, 1}, []int{0, 1, 2}, []int{0, 1, 2}, []int{0, 1},
		[]int{2, 3, 4}, []int{3}, []int{3, 4}, []int{2, 3, 4}, []int{1})
	r := EqualShares(b)
	if !slices.Equal(r.Winners, []int{1, 2, 3}) {
		t.Fatalf("winners %v, want gym, park, playground [1 2 3]", r.Winners)
	}
	funded := budgetSteps(r, "funded")
	for i, w := range []struct{ alpha, payers float64 }{{400.0 / 7, 7}, {425.0 / 7, 5}, {425.0 / 7, 4}} {
		if !mesNear(funded[i].Value, w.alpha) || funded[i].Detail != w.payers {
			t.Errorf("funded step %d = %+v, want %v by %v", i, funded[i], w.alpha, w.payers)
		}
	}
}

// A majority and a minority with disjoint wishes: 60 voters want A, B and C
// (400 each), 40 want D and E (400 each), budget 1000. Greedy gives the
// majority everything it can (A and B, then nothing else fits). Equal
// Shares gives each voter 10: the majority's 600 pays for A (600/400 = 1.5
// projects), the minority's 400 for D — each group gets what its share of
// the budget buys.
func TestEqualSharesProportionalWhereGreedyIsNot(t *testing.T) {
	var ballots [][]int
	for range 60 {
		ballots = append(ballots, []int{0, 1, 2})
	}
	for range 40 {
		ballots = append(ballots, []int{3, 4})
	}
	b := pbBudget(1000, []int64{400, 400, 400, 400, 400}, ballots...)
	if g := Greedy(b); !slices.Equal(g.Winners, []int{0, 1}) {
		t.Errorf("greedy %v, want the majority's A and B", g.Winners)
	}
	r := EqualShares(b)
	if !slices.Equal(r.Winners, []int{0, 3}) {
		t.Errorf("equal shares %v, want A then D", r.Winners)
	}
	// Ties: A, B and C have the same ρ and votes and cost; the order
	// (lot) decides, and the step says so.
	ties := budgetSteps(r, "tie")
	if len(ties) != 2 || !slices.Equal(ties[0].Tied, []int{0, 1, 2}) || ties[0].Rule != "lot" || ties[1].Rule != "lot" {
		t.Errorf("ties %+v", ties)
	}
}

// Exactly affordable: three voters with 100/3 each after a project that
// took a third of everyone's money must still afford a project costing
// exactly what is left. Floats would leave 66.666…67 or 66.666…65.
func TestEqualSharesExactlyAffordable(t *testing.T) {
	b := pbBudget(100, []int64{34, 66}, []int{0, 1}, []int{0, 1}, []int{0, 1})
	// Share 100/3 each; project 0 costs 34 (34/3 each), project 1 costs 66
	// = 3·(100/3 − 34/3) exactly.
	r := EqualShares(b)
	if !slices.Equal(r.Winners, []int{0, 1}) {
		t.Fatalf("winners %v, want both: the second is exactly affordable", r.Winners)
	}
	// The float64 pass sees that it cannot tell, and leaves it to the
	// exact one.
	if e := mesPrepare(b); func() bool { _, ok := mesRun(e, &e.ratio, 0, 0); return ok }() {
		t.Error("the float64 pass decided an exactly affordable project with 100/3 in it")
	}
	// One more cent and it is not.
	b.Projects[1].Cost = 67
	if r := EqualShares(b); !slices.Equal(r.Winners, []int{0}) {
		t.Fatalf("winners %v, want only the first", r.Winners)
	}
}

// Ties on ρ: more supporters first, then the lower cost, then the order.
func TestEqualSharesTieBreaks(t *testing.T) {
	// Budget 60, six voters with 10 each; three projects, each approved
	// by two voters who can pay half: ρ = 1/2 for all. Votes equal; costs
	// 20, 10, 20: project 1 first (cost), then 0 before 2 (lot).
	b := pbBudget(60, []int64{20, 10, 20}, []int{0}, []int{0}, []int{1}, []int{1}, []int{2}, []int{2})
	r := EqualShares(b)
	if !slices.Equal(r.Winners, []int{1, 0, 2}) {
		t.Fatalf("winners %v, want [1 0 2]", r.Winners)
	}
	ties := budgetSteps(r, "tie")
	if len(ties) != 2 || ties[0].Rule != "cost" || !slices.Equal(ties[0].Tied, []int{1, 0, 2}) || ties[1].Rule != "lot" {
		t.Errorf("ties %+v", ties)
	}

	// More supporters beats a lower cost. Nine voters with 10 each.
	// Project 2 (cost 50, voters 5–9) goes first at ρ = 1/5 and empties
	// voters 5 and 6. Then project 0 (cost 18, voters 1–2: 9 each, ρ = 1/2)
	// and project 1 (cost 20, voters 3–6, of whom only 3 and 4 have money:
	// 10 each, ρ = 1/2) tie; project 1 has 4 supporters against 2.
	b = pbBudget(90, []int64{18, 20, 50},
		[]int{0}, []int{0}, []int{1}, []int{1}, []int{1, 2}, []int{1, 2}, []int{2}, []int{2}, []int{2})
	r = EqualShares(b)
	if !slices.Equal(r.Winners, []int{2, 1, 0}) {
		t.Fatalf("winners %v, want [2 1 0]", r.Winners)
	}
	ties = budgetSteps(r, "tie")
	if len(ties) != 1 || ties[0].Rule != "votes" || ties[0].Round != 2 || !slices.Equal(ties[0].Tied, []int{1, 0}) {
		t.Errorf("ties %+v", ties)
	}
	if f := budgetSteps(r, "funded"); f[1].Detail != 2 || f[1].Value != 10 {
		t.Errorf("project 1 funded %+v, want 10 each from 2 voters", f[1])
	}
}

// mesReference is Equal Shares written the slow, obvious way: every
// voter's money an exact rational, every project looked at every round.
func mesReference(b Budget, share *big.Rat) []int {
	n := len(b.Ballots)
	money := make([]*big.Rat, n)
	for i := range money {
		money[i] = new(big.Rat).Set(share)
	}
	votes := budgetVotes(b)
	order := budgetOrder(b, votes)
	rank := make([]int, len(order))
	for i, p := range order {
		rank[p] = i
	}
	supp := make([][]int, len(b.Projects))
	for i, bal := range b.Ballots {
		for _, p := range bal.Projects {
			supp[p] = append(supp[p], i)
		}
	}
	done := make([]bool, len(b.Projects))
	var winners []int
	for {
		best, bestRho := -1, new(big.Rat)
		var bestAlpha *big.Rat
		for p := range b.Projects {
			if done[p] || len(supp[p]) == 0 {
				continue
			}
			cost := new(big.Rat).SetInt64(b.Projects[p].Cost)
			ms := make([]*big.Rat, 0, len(supp[p]))
			sum := new(big.Rat)
			for _, i := range supp[p] {
				ms = append(ms, money[i])
				sum.Add(sum, money[i])
			}
			if sum.Cmp(cost) < 0 {
				continue
			}
			sort.Slice(ms, func(x, y int) bool { return ms[x].Cmp(ms[y]) < 0 })
			rest := new(big.Rat).Set(cost)
			m := len(ms)
			var alpha *big.Rat
			for _, v := range ms {
				a := new(big.Rat).Quo(rest, new(big.Rat).SetInt64(int64(m)))
				if v.Cmp(a) < 0 {
					rest.Sub(rest, v)
					m--
					continue
				}
				alpha = a
				break
			}
			rho := new(big.Rat).Quo(alpha, cost)
			if best < 0 || rho.Cmp(bestRho) < 0 || (rho.Cmp(bestRho) == 0 && rank[p] < rank[best]) {
				best, bestRho, bestAlpha = p, rho, alpha
			}
		}
		if best < 0 {
			return winners
		}
		done[best] = true
		winners = append(winners, best)
		for _, i := range supp[best] {
			if money[i].Cmp(bestAlpha) <= 0 {
				money[i] = new(big.Rat)
			} else {
				money[i] = new(big.Rat).Sub(money[i], bestAlpha)
			}
		}
	}
}

// mesRandomBudget makes a small budget where ties and exact amounts are
// likely: few distinct costs, few voters.
func mesRandomBudget(r *rand.Rand) Budget {
	np := 1 + r.IntN(8)
	costs := make([]int64, np)
	for i := range costs {
		costs[i] = int64(1+r.IntN(6)) * []int64{1, 3, 7, 10}[r.IntN(4)]
	}
	nv := r.IntN(14)
	var ballots [][]int
	for range nv {
		var bal []int
		for p := range np {
			if r.IntN(3) == 0 {
				bal = append(bal, p)
			}
		}
		ballots = append(ballots, bal)
	}
	var sum int64
	for _, c := range costs {
		sum += c
	}
	return pbBudget(int64(r.IntN(int(sum)+2)), costs, ballots...)
}

// The count agrees with the obvious implementation, and its float64 pass,
// when it decides, agrees with its exact pass.
func TestEqualSharesAgreesWithReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	floatDecided := 0
	for i := range 3000 {
		b := mesRandomBudget(r)
		got := EqualShares(b).Winners
		share := new(big.Rat)
		if len(b.Ballots) > 0 {
			share.SetFrac64(b.Total, int64(len(b.Ballots)))
		}
		want := mesReference(b, share)
		if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Fatalf("case %d: %+v\ngot %v, want %v", i, b, got, want)
		}
		e := mesPrepare(b)
		fl, ok := mesRun(e, &e.ratio, 0, 0)
		ex, _ := mesRun(e, &e.exact, 0, 0)
		if ok {
			floatDecided++
			if !slices.Equal(fl.winners, ex.winners) || len(fl.steps) != len(ex.steps) {
				t.Fatalf("case %d: float pass %v, exact %v", i, fl.winners, ex.winners)
			}
			for j := range fl.steps {
				a, b := fl.steps[j], ex.steps[j]
				if a.Kind != b.Kind || a.Option != b.Option || !mesNear(a.Value, b.Value) || a.Detail != b.Detail {
					t.Fatalf("case %d step %d: float %+v, exact %+v", i, j, a, b)
				}
			}
		}
	}
	t.Logf("the float64 pass decided %d of 3000 cases alone", floatDecided)
}

// Add-one: pure Equal Shares leaves money unspent, the completion spends
// it. Ten voters, budget 100 (10 each). Project 0 (60) by voters 1–6;
// project 1 (30) by voters 7–8; project 2 (50) by voters 9–10. Pure Equal
// Shares funds project 0 only: voters 7–10 have 20 per project, too little.
// Raising the share one unit at a time: at 15 each, voters 7–8 can pay
// project 1 (cost 90 in all); project 2 would need 25 each and does not
// fit in what is left (90 + 50 > 100), so the outcome is exhaustive and
// the raising stops there.
func TestEqualSharesAdd1SpendsWhatPureLeaves(t *testing.T) {
	b := pbBudget(100, []int64{60, 30, 50},
		[]int{0}, []int{0}, []int{0}, []int{0}, []int{0}, []int{0}, []int{1}, []int{1}, []int{2}, []int{2})
	if r := EqualShares(b); !slices.Equal(r.Winners, []int{0}) {
		t.Fatalf("pure: %v, want [0]", r.Winners)
	}
	r := EqualSharesAdd1(b)
	if !slices.Equal(r.Winners, []int{0, 1}) || r.Method != "equal-shares-add1" {
		t.Fatalf("add1: %s %v, want [0 1]", r.Method, r.Winners)
	}
	raised := budgetSteps(r, "budget_raised")
	if len(raised) != 5 {
		t.Fatalf("raised %d times, want 5 (shares 11 to 15): %+v", len(raised), raised)
	}
	for i, s := range raised {
		if s.Round != i+1 || s.Value != float64(11+i) {
			t.Errorf("raise %d: %+v", i, s)
		}
	}
	if raised[3].Detail != 60 || raised[4].Detail != 90 {
		t.Errorf("outcome costs %v and %v, want 60 then 90", raised[3].Detail, raised[4].Detail)
	}
	kept := budgetSteps(r, "budget_kept")
	if len(kept) != 1 || kept[0].Round != 5 || kept[0].Value != 15 || kept[0].Detail != 90 || kept[0].Rule != "exhaustive" {
		t.Errorf("kept %+v", kept)
	}
	if f := budgetSteps(r, "funded"); len(f) != 2 || f[1].Value != 15 {
		t.Errorf("funded steps of the count kept: %+v", f)
	}

	// Without the stop at an exhaustive outcome (a project nobody wants
	// that always fits, cost 5), the raising goes on until the outcome no
	// longer fits: at 25 each project 2 is funded too (140 > 100), so the
	// outcome at 24 is kept.
	b.Projects = append(b.Projects, Project{ID: "4", Name: "unwanted", Cost: 5})
	r = EqualSharesAdd1(b)
	if !slices.Equal(r.Winners, []int{0, 1}) {
		t.Fatalf("add1: %v, want [0 1]", r.Winners)
	}
	raised = budgetSteps(r, "budget_raised")
	last := raised[len(raised)-1]
	if len(raised) != 15 || last.Value != 25 || last.Detail != 140 {
		t.Errorf("raised %d times, last %+v; want 15, ending at 25 each costing 140", len(raised), last)
	}
	if kept := budgetSteps(r, "budget_kept"); kept[0].Value != 24 || kept[0].Rule != "over_budget" || kept[0].Detail != 90 {
		t.Errorf("kept %+v", kept)
	}
	for _, s := range raised[:len(raised)-1] {
		if s.Detail > float64(b.Total) {
			t.Errorf("an outcome over the budget was passed: %+v", s)
		}
	}
}

// When the outcome funds everything anyone voted for and it fits, more
// money cannot change it: the count skips to the share where every
// supporter can pay everything and stops.
func TestEqualSharesAdd1AllSupported(t *testing.T) {
	// Four voters, budget 100 (25 each). Projects 0 and 1 (30 each) have
	// one supporter each; project 2 (10) none. From 30 each both are
	// funded (60); the sum of all costs is 70, reached at k = 45.
	b := pbBudget(100, []int64{30, 30, 10}, []int{0}, []int{1}, nil, nil)
	r := EqualSharesAdd1(b)
	if !slices.Equal(r.Winners, []int{0, 1}) {
		t.Fatalf("winners %v", r.Winners)
	}
	raised := budgetSteps(r, "budget_raised")
	if len(raised) != 6 || raised[4].Value != 30 || raised[5].Round != 45 || raised[5].Value != 70 {
		t.Errorf("raised %+v", raised)
	}
	if kept := budgetSteps(r, "budget_kept"); kept[0].Rule != "all_supported" || kept[0].Round != 45 {
		t.Errorf("kept %+v", kept)
	}
}

// Example 1 of equalshares.net is exhaustive from the start: nothing to add.
func TestEqualSharesAdd1Exhaustive(t *testing.T) {
	r := EqualSharesAdd1(esnetExample1)
	if !slices.Equal(r.Winners, []int{0, 3, 4}) || len(budgetSteps(r, "budget_raised")) != 0 {
		t.Fatalf("%v %+v", r.Winners, r.Steps)
	}
	if kept := budgetSteps(r, "budget_kept"); kept[0].Rule != "exhaustive" || kept[0].Value != 100 {
		t.Errorf("kept %+v", kept)
	}
}

// samen's budgets are in cents and raise by a euro: Add1Step 100.
func TestEqualSharesAdd1Step(t *testing.T) {
	b := pbBudget(100_00, []int64{60_00, 30_00, 50_00},
		[]int{0}, []int{0}, []int{0}, []int{0}, []int{0}, []int{0}, []int{1}, []int{1}, []int{2}, []int{2})
	b.Add1Step = 100
	r := EqualSharesAdd1(b)
	if !slices.Equal(r.Winners, []int{0, 1}) || len(budgetSteps(r, "budget_raised")) != 5 {
		t.Fatalf("%v %+v", r.Winners, r.Steps)
	}
}

// The guard stops the raising, keeps the last outcome that fit, and says so.
func TestEqualSharesAdd1Limit(t *testing.T) {
	defer func(l int64) { mesWorkLimit = l }(mesWorkLimit)
	b := pbBudget(100, []int64{60, 30, 50, 5},
		[]int{0}, []int{0}, []int{0}, []int{0}, []int{0}, []int{0}, []int{1}, []int{1}, []int{2}, []int{2})
	e := mesPrepare(b)
	mesWorkLimit = 3 * e.work
	r := EqualSharesAdd1(b)
	if kept := budgetSteps(r, "budget_kept"); kept[0].Rule != "limit" || kept[0].Round != 3 || len(budgetSteps(r, "budget_raised")) != 3 {
		t.Errorf("%+v", r.Steps)
	}
}

// No voters: nothing to raise.
func TestEqualSharesNoVoters(t *testing.T) {
	b := pbBudget(100, []int64{10})
	for _, r := range []Result{EqualShares(b), EqualSharesAdd1(b)} {
		if len(r.Winners) != 0 || len(r.Ranking) != 1 {
			t.Errorf("%+v", r)
		}
	}
	if kept := budgetSteps(EqualSharesAdd1(b), "budget_kept"); kept[0].Rule != "no_voters" {
		t.Errorf("%+v", kept)
	}
}

// Add-one agrees with the obvious implementation on random small budgets,
// and never spends more than the budget.
func TestEqualSharesAdd1AgreesWithReference(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 1500 {
		b := mesRandomBudget(r)
		got := EqualSharesAdd1(b)
		var cost int64
		for _, w := range got.Winners {
			cost += b.Projects[w].Cost
		}
		if cost > b.Total {
			t.Fatalf("case %d: spends %d of %d", i, cost, b.Total)
		}
		if len(b.Ballots) == 0 {
			continue
		}
		want := mesAdd1Reference(b)
		if !slices.Equal(got.Winners, want) && !(len(got.Winners) == 0 && len(want) == 0) {
			t.Fatalf("case %d: %+v\ngot %v, want %v\n%+v", i, b, got.Winners, want, got.Steps)
		}
	}
}

// mesAdd1Reference raises one unit at a time, literally, up to the share
// at which every voter could pay every project alone.
func mesAdd1Reference(b Budget) []int {
	n := int64(len(b.Ballots))
	var sum int64
	for _, p := range b.Projects {
		sum += p.Cost
	}
	cost := func(w []int) int64 {
		var c int64
		for _, p := range w {
			c += b.Projects[p].Cost
		}
		return c
	}
	exhaustive := func(w []int) bool {
		for p := range b.Projects {
			if !slices.Contains(w, p) && cost(w)+b.Projects[p].Cost <= b.Total {
				return false
			}
		}
		return true
	}
	kept := mesReference(b, big.NewRat(b.Total, n))
	for k := int64(1); ; k++ {
		if exhaustive(kept) {
			return kept
		}
		share := new(big.Rat).Add(big.NewRat(b.Total, n), big.NewRat(k, 1))
		w := mesReference(b, share)
		if cost(w) > b.Total {
			return kept
		}
		kept = w
		if share.Cmp(big.NewRat(sum, 1)) >= 0 {
			return kept
		}
	}
}

func BenchmarkEqualShares100k(b *testing.B) {
	bud := budgetBench(100_000)
	b.ResetTimer()
	for b.Loop() {
		EqualShares(bud)
	}
}

func BenchmarkEqualSharesAdd1_100k(b *testing.B) {
	bud := budgetBench(100_000)
	b.ResetTimer()
	for b.Loop() {
		EqualSharesAdd1(bud)
	}
}
