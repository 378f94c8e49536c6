package tally

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// rankedFrom builds an election from lines "count order", the order a
// string of option letters, best first, with "=" between tied ones
// ("A=BC" ranks A and B tied, then C).
func rankedFrom(t *testing.T, options string, seats int, lines ...string) Election {
	t.Helper()
	e := Election{Seats: seats}
	for _, r := range options {
		e.Options = append(e.Options, string(r))
	}
	for _, l := range lines {
		var count int
		var order string
		f := strings.Fields(l)
		if len(f) != 2 {
			t.Fatalf("bad line %q", l)
		}
		for _, c := range f[0] {
			count = count*10 + int(c-'0')
		}
		order = f[1]
		var ranks [][]int
		tie := false
		for _, r := range order {
			if r == '=' {
				tie = true
				continue
			}
			o := strings.IndexRune(options, r)
			if o < 0 {
				t.Fatalf("unknown option %q in %q", r, l)
			}
			if tie {
				ranks[len(ranks)-1] = append(ranks[len(ranks)-1], o)
				tie = false
			} else {
				ranks = append(ranks, []int{o})
			}
		}
		e.Ballots = append(e.Ballots, RankedBallot{Weight: count, Ranks: ranks})
	}
	if err := e.Validate(); err != nil {
		t.Fatal(err)
	}
	return e
}

// The example of the English Wikipedia article "Schulze method" (section
// "Example"): 45 voters, five candidates.
func wikipediaSchulze(t *testing.T) Election {
	return rankedFrom(t, "ABCDE", 1,
		"5 ACBED", "5 ADECB", "8 BEDAC", "3 CABED",
		"7 CAEBD", "2 CBADE", "7 DCEBA", "8 EBADC")
}

func TestSchulzeWikipediaExample(t *testing.T) {
	e := wikipediaSchulze(t)
	pairwise, strongest := SchulzeMatrix(e)
	// The article's table of pairwise preferences d[*,*].
	wantD := [][]int{
		{0, 20, 26, 30, 22},
		{25, 0, 16, 33, 18},
		{19, 29, 0, 17, 24},
		{15, 12, 28, 0, 14},
		{23, 27, 21, 31, 0},
	}
	// The article's table of the strengths of the strongest paths p[*,*].
	wantP := [][]int{
		{0, 28, 28, 30, 24},
		{25, 0, 28, 33, 24},
		{25, 29, 0, 29, 24},
		{25, 28, 28, 0, 24},
		{25, 28, 28, 31, 0},
	}
	if !reflect.DeepEqual(pairwise, wantD) {
		t.Errorf("pairwise = %v, want %v", pairwise, wantD)
	}
	if !reflect.DeepEqual(strongest, wantP) {
		t.Errorf("strongest = %v, want %v", strongest, wantP)
	}
	res := Schulze(e)
	// "E > A > C > B > D, and E wins."
	if want := []int{4, 0, 2, 1, 3}; !slices.Equal(res.Ranking, want) {
		t.Errorf("ranking = %v, want %v (E A C B D)", res.Ranking, want)
	}
	if !slices.Equal(res.Winners, []int{4}) {
		t.Errorf("winners = %v, want [4] (E)", res.Winners)
	}
	if res.Method != "schulze" {
		t.Errorf("method = %q", res.Method)
	}
	// E beats 4, A 3, C 2, B 1, D 0; no ties.
	var wins []float64
	for _, s := range res.Steps {
		if s.Kind == "tie" {
			t.Errorf("unexpected tie step %+v", s)
		}
		if s.Kind == "schulze_wins" {
			wins = append(wins, s.Value)
		}
	}
	if !slices.Equal(wins, []float64{4, 3, 2, 1, 0}) {
		t.Errorf("wins = %v", wins)
	}
	// Two seats: the first two of the ranking.
	e.Seats = 2
	if got := Schulze(e).Winners; !slices.Equal(got, []int{4, 0}) {
		t.Errorf("two seats: winners = %v, want [4 0]", got)
	}
}

// Ties within ballots, unlisted options, and a tie the lot breaks.
func TestSchulzeTies(t *testing.T) {
	// 2 voters rank A and B tied above C; 1 ranks C first and lists
	// nothing else (A and B tie below C on that ballot).
	e := rankedFrom(t, "ABC", 1, "2 A=BC", "1 C")
	pairwise, strongest := SchulzeMatrix(e)
	wantD := [][]int{
		{0, 0, 2},
		{0, 0, 2},
		{1, 1, 0},
	}
	if !reflect.DeepEqual(pairwise, wantD) {
		t.Fatalf("pairwise = %v, want %v", pairwise, wantD)
	}
	wantP := [][]int{
		{0, 0, 2},
		{0, 0, 2},
		{0, 0, 0},
	}
	if !reflect.DeepEqual(strongest, wantP) {
		t.Fatalf("strongest = %v, want %v", strongest, wantP)
	}
	res := Schulze(e)
	// A and B each beat C only; the lot (A before B) orders them.
	if !slices.Equal(res.Ranking, []int{0, 1, 2}) || !slices.Equal(res.Winners, []int{0}) {
		t.Fatalf("ranking %v winners %v", res.Ranking, res.Winners)
	}
	var ties []Step
	for _, s := range res.Steps {
		if s.Kind == "tie" {
			ties = append(ties, s)
		}
	}
	if len(ties) != 1 || !slices.Equal(ties[0].Tied, []int{0, 1}) || ties[0].Rule != "lot" || ties[0].Option != 0 {
		t.Fatalf("tie steps = %+v", ties)
	}

	// With the options in the other lot order, B wins instead: the lot is
	// the only thing between them.
	e2 := rankedFrom(t, "BAC", 1, "2 A=BC", "1 C")
	if got := Schulze(e2).Winners; !slices.Equal(got, []int{0}) {
		t.Fatalf("winners = %v, want [0] (B, first in this lot)", got)
	}
}

// A withdrawn option is never counted: withdrawing D from the Wikipedia
// example (ranked last anyway) leaves E > A > C > B, and D comes last.
func TestSchulzeWithdrawn(t *testing.T) {
	e := wikipediaSchulze(t)
	e.Withdrawn = []int{3}
	res := Schulze(e)
	if want := []int{4, 0, 2, 1, 3}; !slices.Equal(res.Ranking, want) {
		t.Errorf("ranking = %v, want %v", res.Ranking, want)
	}
	pairwise, _ := SchulzeMatrix(e)
	for x := range 5 {
		if pairwise[3][x] != 0 || pairwise[x][3] != 0 {
			t.Fatalf("withdrawn D counted: %v", pairwise)
		}
	}
	for _, s := range res.Steps {
		if s.Option == 3 {
			t.Errorf("step about withdrawn D: %+v", s)
		}
	}

	// Withdrawing the winner E: the article's p without E ranks A first.
	e.Withdrawn = []int{4}
	res = Schulze(e)
	if res.Winners[0] == 4 || res.Ranking[4] != 4 {
		t.Fatalf("withdrawn E: winners %v ranking %v", res.Winners, res.Ranking)
	}
	// Removing E from every ballot gives the same count.
	stripped := wikipediaSchulze(t)
	stripped.Options = stripped.Options[:4]
	for i, b := range stripped.Ballots {
		var ranks [][]int
		for _, g := range b.Ranks {
			if g[0] != 4 {
				ranks = append(ranks, g)
			}
		}
		stripped.Ballots[i].Ranks = ranks
	}
	if want := Schulze(stripped).Ranking; !slices.Equal(res.Ranking[:4], want) {
		t.Fatalf("withdrawn E ranking %v, without E %v", res.Ranking, want)
	}
}
