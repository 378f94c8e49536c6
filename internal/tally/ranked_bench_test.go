package tally

import (
	"math/rand/v2"
	"testing"
)

func newBenchRand() *rand.Rand { return rand.New(rand.NewPCG(2025, 10)) }

// rankedBenchElection is 100,000 random ballots over 10 options, each a
// random order of random length (1 to 10), weight 1: mostly distinct
// ballots (about two thirds are, as counted in TestRankedBenchElection).
func rankedBenchElection(seats int) Election {
	r := newBenchRand()
	e := randomRanked(r, 10, 0, seats, false)
	perm := make([]int, 10)
	for range 100_000 {
		for i := range perm {
			perm[i] = i
		}
		r.Shuffle(10, func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		n := 1 + r.IntN(10)
		ranks := make([][]int, n)
		for i := range ranks {
			ranks[i] = []int{perm[i]}
		}
		e.Ballots = append(e.Ballots, RankedBallot{Weight: 1, Ranks: ranks})
	}
	return e
}

func TestRankedBenchElection(t *testing.T) {
	e := rankedBenchElection(3)
	if err := e.Validate(); err != nil {
		t.Fatal(err)
	}
	p := rankedPrepare(e)
	if len(p.papers) < 60_000 || p.valid != 100_000 {
		t.Fatalf("%d distinct papers of %d", len(p.papers), p.valid)
	}
	t.Logf("%d distinct ballots of 100,000", len(p.papers))
}

func BenchmarkSchulze100k(b *testing.B) {
	e := rankedBenchElection(1)
	b.ResetTimer()
	for b.Loop() {
		Schulze(e)
	}
}

func BenchmarkIRV100k(b *testing.B) {
	e := rankedBenchElection(1)
	b.ResetTimer()
	for b.Loop() {
		IRV(e)
	}
}

func BenchmarkSTV100k(b *testing.B) {
	e := rankedBenchElection(3)
	b.ResetTimer()
	for b.Loop() {
		STV(e)
	}
}
