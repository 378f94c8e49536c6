package assess

import (
	"testing"
	"time"
)

// A scorecard computes its consensus when it is read, from every review:
// this is what that costs for the shipped framework and three reviewers.
//
//	go test -run '^$' -bench . -benchmem ./internal/assess/
func BenchmarkConsensus(b *testing.B) {
	f, err := ShippedFramework()
	if err != nil {
		b.Fatal(err)
	}
	var reviews []Review
	for r := range 3 {
		rv := Review{ReviewerID: int64(r + 1), Scores: map[string]Score{}, SubmittedAt: time.Now()}
		for i, c := range f.Criteria() {
			rv.Scores[c.ID] = Score{Criterion: c.ID, Level: ptr((i + r) % (MaxLevel + 1)), Confidence: ConfidenceMedium}
		}
		reviews = append(reviews, rv)
	}
	b.ReportAllocs()
	for b.Loop() {
		Consensus(f, reviews, nil)
	}
}
