package match

import (
	"bytes"
	"math/rand/v2"
	"strconv"
	"testing"
)

// bigSimulation is n contributions over 1000 projects from 20,000
// contributors, matched at 1.5 with every cap in play, by three funders
// who run out near the end.
func bigSimulation(n int) Simulation {
	rng := rand.New(rand.NewPCG(1, 2))
	s := Simulation{
		Rules:   Rules{Factor: Ratio{3, 2}, MaxPerContribution: 5000, MaxPerProject: 500_000, MaxMatchedPerContributor: 2},
		Funders: []Funder{{"gemeente", 150_000_000}, {"fonds", 70_000_000}, {"buurt", 3_333_333}},
	}
	for i := range n {
		s.Contributions = append(s.Contributions, Contribution{ID: "c" + strconv.Itoa(i), Project: "p" + strconv.Itoa(rng.IntN(1000)),
			Contributor: "x" + strconv.Itoa(rng.IntN(20_000)), Cents: 100 + rng.Int64N(10_000)})
	}
	return s
}

// BenchmarkMatch100k simulates 100,000 contributions: go test -run '^$'
// -bench Match100k ./internal/match/
func BenchmarkMatch100k(b *testing.B) {
	s := bigSimulation(100_000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Simulate(s); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/100_000, "ns/contribution")
}

// BenchmarkReadSimulation100k reads the same as a file.
func BenchmarkReadSimulation100k(b *testing.B) {
	data := writeSimulation(bigSimulation(100_000))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ReadSimulation(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}
