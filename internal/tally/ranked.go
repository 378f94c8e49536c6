package tally

import (
	"cmp"
	"slices"
	"strconv"
)

// Election is a ranked election: options 0..len(Options)-1.
//
// The counting functions (Schulze, IRV, STV) expect an Election that
// Validate accepts. They do not panic on one it refuses: ballots or
// preferences it would refuse (an option out of range, an option listed a
// second time, a weight of zero or less) are left out of the count, and a
// number of seats out of range is taken as the nearest one in range.
type Election struct {
	Title string
	// Options are the names as the ballot paper shows them, in the ballot
	// file's order. That order is the lot: drawn once when voting opens,
	// it breaks the ties that each method's own rules leave (earlier in
	// the order is favoured).
	Options []string
	// Seats is the number to elect: 1 for single-winner methods.
	Seats int
	// Withdrawn lists options withdrawn before the count (BLT's negative
	// numbers). They are never counted: a ballot that lists one is read as
	// if it were not there.
	Withdrawn []int
	Ballots   []RankedBallot
}

// RankedBallot is one ballot, or Weight identical ones. Ranks lists groups
// of options, best first; options in one group are tied; options not
// listed rank below every listed one (and tie among themselves).
type RankedBallot struct {
	Weight int
	Ranks  [][]int
}

// Limits on an election, so that one ballot file cannot take a server's
// memory or make a count overflow. ReadBLT and Validate both apply them.
const (
	// MaxOptions is the most options (candidates) an election may have.
	MaxOptions = 1000
	// MaxTotalWeight is the most ballots an election may hold in all,
	// counting each ballot as often as its weight says.
	MaxTotalWeight = 10_000_000
)

// ElectionError is an Election that Validate refuses. Code says why, as a
// message code ("tally.election.seats") that the site and the command line
// put in their reader's words (internal/web/i18n/*/tally.json); Ballot says
// which ballot (its index in Ballots), or is -1 when the problem is the
// election's own.
type ElectionError struct {
	Ballot int
	Code   string
}

func (e *ElectionError) Error() string {
	if e.Ballot < 0 {
		return "election: " + e.Code
	}
	return "election, ballot " + strconv.Itoa(e.Ballot) + ": " + e.Code
}

// Validate checks that the election can be counted: at least one option
// and at most MaxOptions; withdrawn options in range and each withdrawn
// once; Seats within 1..(options not withdrawn); on every ballot a weight
// above zero, no empty group in Ranks, every option in range and no option
// listed twice; and a total weight of at most MaxTotalWeight.
//
// Codes: tally.election.options, tally.election.too_large,
// tally.election.withdrawn, tally.election.seats, tally.election.weight,
// tally.election.empty_rank, tally.election.option_range,
// tally.election.repeated.
func (e Election) Validate() error {
	n := len(e.Options)
	if n == 0 {
		return &ElectionError{Ballot: -1, Code: "tally.election.options"}
	}
	if n > MaxOptions {
		return &ElectionError{Ballot: -1, Code: "tally.election.too_large"}
	}
	gone := make([]bool, n)
	for _, o := range e.Withdrawn {
		if o < 0 || o >= n || gone[o] {
			return &ElectionError{Ballot: -1, Code: "tally.election.withdrawn"}
		}
		gone[o] = true
	}
	if e.Seats < 1 || e.Seats > n-len(e.Withdrawn) {
		return &ElectionError{Ballot: -1, Code: "tally.election.seats"}
	}
	seen := make([]int, n) // ballot index + 1 that last listed the option
	total := 0
	for i, b := range e.Ballots {
		if b.Weight < 1 || b.Weight > MaxTotalWeight {
			return &ElectionError{Ballot: i, Code: "tally.election.weight"}
		}
		total += b.Weight
		if total > MaxTotalWeight {
			return &ElectionError{Ballot: i, Code: "tally.election.too_large"}
		}
		for _, g := range b.Ranks {
			if len(g) == 0 {
				return &ElectionError{Ballot: i, Code: "tally.election.empty_rank"}
			}
			for _, o := range g {
				if o < 0 || o >= n {
					return &ElectionError{Ballot: i, Code: "tally.election.option_range"}
				}
				if seen[o] == i+1 {
					return &ElectionError{Ballot: i, Code: "tally.election.repeated"}
				}
				seen[o] = i + 1
			}
		}
	}
	return nil
}

// rankedPaper is a ballot as the counts see it: withdrawn options taken
// out, empty groups dropped, identical ballots added into one weight.
// groups are sub-slices of one shared array.
type rankedPaper struct {
	w      int64
	groups [][]int
}

// rankedPrep is an election made ready to count.
type rankedPrep struct {
	n         int
	seats     int
	withdrawn []bool
	active    int           // options not withdrawn
	papers    []rankedPaper // only papers that list at least one active option
	valid     int64         // total weight of those papers
}

// rankedPrepare normalises an election for counting: it drops withdrawn
// options from the ballots, leaves out whatever Validate would refuse (see
// Election), and aggregates identical ballots into one paper, keeping the
// order in which each first appears.
func rankedPrepare(e Election) rankedPrep {
	n := len(e.Options)
	p := rankedPrep{n: n, withdrawn: make([]bool, n)}
	for _, o := range e.Withdrawn {
		if o >= 0 && o < n {
			p.withdrawn[o] = true
		}
	}
	for _, w := range p.withdrawn {
		if !w {
			p.active++
		}
	}
	p.seats = min(max(e.Seats, 1), max(p.active, 1))

	// One pass to size the shared arrays.
	prefs, groups := 0, 0
	for _, b := range e.Ballots {
		groups += len(b.Ranks)
		for _, g := range b.Ranks {
			prefs += len(g)
		}
	}
	optBuf := make([]int, 0, prefs)
	grpBuf := make([][]int, 0, groups)
	seen := make([]int, n)
	// Identical ballots are found by a hash of their groups; papers with
	// the same hash are chained through sameHash and compared in full.
	byHash := make(map[uint64]int32, len(e.Ballots))
	var sameHash []int32
	for i, b := range e.Ballots {
		if b.Weight < 1 {
			continue
		}
		startOpt, startGrp := len(optBuf), len(grpBuf)
		h := uint64(14695981039346656037)
		for _, g := range b.Ranks {
			from := len(optBuf)
			for _, o := range g {
				if o < 0 || o >= n || seen[o] == i+1 {
					continue
				}
				seen[o] = i + 1
				if p.withdrawn[o] {
					continue
				}
				optBuf = append(optBuf, o)
				h = (h ^ uint64(o+1)) * 1099511628211
			}
			if len(optBuf) > from {
				grpBuf = append(grpBuf, optBuf[from:len(optBuf):len(optBuf)])
				h = (h ^ 0xffff_ffff) * 1099511628211
			}
		}
		if len(grpBuf) == startGrp {
			continue // nothing left to count
		}
		groups := grpBuf[startGrp:len(grpBuf):len(grpBuf)]
		p.valid += int64(b.Weight)
		first, ok := byHash[h]
		if !ok {
			first = -1
		}
		found := false
		for j := first; j >= 0; j = sameHash[j] {
			if rankedSameGroups(p.papers[j].groups, groups) {
				p.papers[j].w += int64(b.Weight)
				optBuf, grpBuf = optBuf[:startOpt], grpBuf[:startGrp]
				found = true
				break
			}
		}
		if !found {
			byHash[h] = int32(len(p.papers))
			sameHash = append(sameHash, first)
			p.papers = append(p.papers, rankedPaper{w: int64(b.Weight), groups: groups})
		}
	}
	return p
}

func rankedSameGroups(a, b [][]int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !slices.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

// rankedLotLast returns the option of tied that comes latest in the lot
// order (the Options order): the one the lot takes out.
func rankedLotLast(tied []int) int {
	return slices.Max(tied)
}

// rankedRest orders options that no rule separates any more: higher
// score first (score is any comparison the method keeps), then the lot
// order.
func rankedRest(opts []int, better func(a, b int) int) {
	slices.SortStableFunc(opts, func(a, b int) int {
		if c := better(a, b); c != 0 {
			return -c
		}
		return cmp.Compare(a, b)
	})
}
