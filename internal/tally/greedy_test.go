package tally

import (
	"slices"
	"testing"
)

// Greedy on equalshares.net's Example 1: the bike path (7 votes) and the
// outdoor gym (6) take the whole 1100; nothing else fits.
func TestGreedyExample1(t *testing.T) {
	r := Greedy(esnetExample1)
	if r.Method != "greedy" || !slices.Equal(r.Winners, []int{0, 1}) || !slices.Equal(r.Ranking, []int{0, 1, 2, 3, 4}) {
		t.Fatalf("%+v", r)
	}
	want := []Step{
		{Round: 1, Kind: "funded", Option: 0, Value: 7, Detail: 400},
		{Round: 2, Kind: "funded", Option: 1, Value: 6, Detail: 0},
		{Round: 3, Kind: "skipped", Option: 2, Value: 5, Detail: 0},
		{Round: 4, Kind: "skipped", Option: 3, Value: 4, Detail: 0},
		{Round: 5, Kind: "skipped", Option: 4, Value: 3, Detail: 0},
	}
	if len(r.Steps) != len(want) {
		t.Fatalf("steps %+v", r.Steps)
	}
	for i := range want {
		if s := r.Steps[i]; s.Round != want[i].Round || s.Kind != want[i].Kind || s.Option != want[i].Option || s.Value != want[i].Value || s.Detail != want[i].Detail {
			t.Errorf("step %d = %+v, want %+v", i, s, want[i])
		}
	}
}

// A project that no longer fits is skipped and the next one tried: budget
// 100; A (80, 3 votes) is funded, B (30, 2 votes) does not fit in the 20
// left, C (20, 1 vote) does.
func TestGreedySkipsAndContinues(t *testing.T) {
	b := pbBudget(100, []int64{80, 30, 20}, []int{0, 1, 2}, []int{0, 1}, []int{0})
	r := Greedy(b)
	if !slices.Equal(r.Winners, []int{0, 2}) || !slices.Equal(r.Ranking, []int{0, 2, 1}) {
		t.Fatalf("winners %v ranking %v, want [0 2] and [0 2 1]", r.Winners, r.Ranking)
	}
	if s := r.Steps[1]; s.Kind != "skipped" || s.Option != 1 || s.Value != 2 || s.Detail != 20 {
		t.Errorf("B: %+v", s)
	}
	if s := r.Steps[2]; s.Kind != "funded" || s.Option != 2 || s.Detail != 0 {
		t.Errorf("C: %+v", s)
	}
}

// Ties on votes: the lower cost first, then the order of the projects.
func TestGreedyTies(t *testing.T) {
	// All four have 2 votes. Costs 50, 30, 50, 40: order 1 (30), 3 (40),
	// 0 (50), 2 (50, after 0 by the order). Budget 100: 30 + 40 = 70, then
	// neither 50 fits.
	b := pbBudget(100, []int64{50, 30, 50, 40}, []int{0, 1, 2, 3}, []int{0, 1, 2, 3})
	r := Greedy(b)
	if !slices.Equal(r.Winners, []int{1, 3}) || !slices.Equal(r.Ranking, []int{1, 3, 0, 2}) {
		t.Fatalf("winners %v ranking %v", r.Winners, r.Ranking)
	}
	tie := budgetSteps(r, "tie")
	if len(tie) != 1 || tie[0].Option != 1 || !slices.Equal(tie[0].Tied, []int{1, 3, 0, 2}) || tie[0].Rule != "lot" || tie[0].Round != 1 {
		t.Errorf("tie %+v", tie)
	}
	// Different costs only: the rule is "cost".
	b.Projects[2].Cost = 60
	if tie := budgetSteps(Greedy(b), "tie"); len(tie) != 1 || tie[0].Rule != "cost" {
		t.Errorf("tie %+v", tie)
	}
	// Equal votes and cost, reversed order of the projects: the order decides.
	b = pbBudget(50, []int64{50, 50}, []int{1, 0})
	if r := Greedy(b); !slices.Equal(r.Winners, []int{0}) {
		t.Errorf("winners %v, want the first project", r.Winners)
	}
}

// Nobody voted for it: not funded, though it fits.
func TestGreedyUnsupported(t *testing.T) {
	b := pbBudget(100, []int64{10, 10}, []int{0})
	r := Greedy(b)
	if !slices.Equal(r.Winners, []int{0}) {
		t.Fatalf("%v", r.Winners)
	}
	if s := r.Steps[1]; s.Kind != "unsupported" || s.Option != 1 || s.Detail != 90 {
		t.Errorf("%+v", s)
	}
}

// Knapsack ballots count the same way.
func TestGreedyKnapsack(t *testing.T) {
	b := pbBudget(100, []int64{60, 50, 40}, []int{0, 2}, []int{1, 2}, []int{0, 2}, []int{1})
	b.Kind = KindKnapsack
	if r := Greedy(b); !slices.Equal(r.Winners, []int{2, 1}) {
		t.Errorf("%v, want [2 1] (40 with 3 votes; then 50 with 2 votes before 60 with 2)", r.Winners)
	}
}

func BenchmarkGreedy100k(b *testing.B) {
	bud := budgetBench(100_000)
	b.ResetTimer()
	for b.Loop() {
		Greedy(bud)
	}
}
