package tally

import (
	"math/big"
	"slices"
)

// IRV elects one option by instant-runoff voting.
//
// The count, in plain words:
//   - Every round, each ballot counts for the option it ranks highest among
//     those still in the race (the continuing options). A ballot that ties
//     several continuing options at its highest rank splits its weight
//     equally between them. The counts are kept exact (whole votes plus
//     exact fractions, compared as exact rational numbers), so a split
//     never rounds. A ballot with no continuing option left is exhausted
//     and no longer counts.
//   - An option with more than half of the votes still counting is
//     elected. So is the last continuing option.
//   - Otherwise the option with the fewest votes is eliminated and its
//     ballots count, from the next round on, for their next continuing
//     option.
//   - Ties for elimination: look back to the most recent earlier round in
//     which the tied options had different counts; the one with the fewest
//     there goes (if several share the fewest there, look further back
//     among those). If they were equal in every round, the lot decides: the
//     one latest in the Options order goes.
//
// Ranking: the winner, then the options still continuing at the end (more
// votes in the last round first, then the lot order), then the eliminated
// ones, the last eliminated first, then withdrawn options in the lot order.
//
// Steps, Round counting from 1: "count" for each continuing option every
// round (Value its votes; a split ballot gives fractions) and one "count"
// with Option -1 whose Value is the weight of exhausted ballots; "tie"
// (Rule "earlier_round" or "lot", Tied the options that tied for fewest,
// Option the one eliminated); "eliminated" (Value its votes); "elected"
// (Value its votes, Detail the votes still counting that round).
func IRV(e Election) Result {
	p := rankedPrepare(e)
	res := Result{Method: "irv", Winners: []int{}, Ranking: make([]int, 0, p.n)}
	if p.active == 0 {
		res.Ranking = append(res.Ranking, irvWithdrawnOrder(p)...)
		return res
	}

	c := irvCounter{
		p:          p,
		continuing: make([]bool, p.n),
		whole:      make([]int64, p.n),
		frac:       make([]map[int]int64, p.n),
		holders:    make([][]int32, p.n),
		group:      make([]int, len(p.papers)),
	}
	for o := range c.continuing {
		c.continuing[o] = !p.withdrawn[o]
	}
	for i := range p.papers {
		c.group[i] = -1
		c.advance(i)
	}

	var history [][]int32 // per round, each option's place in that round's counts
	var eliminated []int
	vals := make([]*big.Rat, p.n)
	for round := 1; ; round++ {
		cont := c.continuingOptions()
		for _, o := range cont {
			vals[o] = c.value(o, vals[o])
			f, _ := vals[o].Float64()
			res.Steps = append(res.Steps, Step{Round: round, Kind: "count", Option: o, Value: f})
		}
		res.Steps = append(res.Steps, Step{Round: round, Kind: "count", Option: -1, Value: float64(c.exhausted)})
		history = append(history, irvPlaces(cont, vals, p.n))

		// Highest first; the order only matters for the ranking below and
		// for the majority test on the first one.
		byVotes := slices.Clone(cont)
		rankedRest(byVotes, func(a, b int) int { return vals[a].Cmp(vals[b]) })
		top := byVotes[0]
		counting := big.NewRat(p.valid-c.exhausted, 2)
		if len(cont) == 1 || vals[top].Cmp(counting) > 0 {
			f, _ := vals[top].Float64()
			res.Steps = append(res.Steps, Step{Round: round, Kind: "elected", Option: top, Value: f, Detail: float64(p.valid - c.exhausted)})
			res.Winners = append(res.Winners, top)
			res.Ranking = append(res.Ranking, byVotes...)
			break
		}

		low := byVotes[len(byVotes)-1]
		var tied []int
		for _, o := range cont {
			if vals[o].Cmp(vals[low]) == 0 {
				tied = append(tied, o)
			}
		}
		out, rule := irvBreakTie(tied, history)
		if rule != "" {
			res.Steps = append(res.Steps, Step{Round: round, Kind: "tie", Option: out, Tied: tied, Rule: rule})
		}
		f, _ := vals[out].Float64()
		res.Steps = append(res.Steps, Step{Round: round, Kind: "eliminated", Option: out, Value: f})
		eliminated = append(eliminated, out)
		c.eliminate(out)
	}
	for i := len(eliminated) - 1; i >= 0; i-- {
		res.Ranking = append(res.Ranking, eliminated[i])
	}
	res.Ranking = append(res.Ranking, irvWithdrawnOrder(p)...)
	return res
}

func irvWithdrawnOrder(p rankedPrep) []int {
	var out []int
	for o, w := range p.withdrawn {
		if w {
			out = append(out, o)
		}
	}
	return out
}

// irvPlaces records where each continuing option stands in a round's
// counts (0 for the fewest; equal counts, equal places), so that later
// tie-breaks compare rounds exactly without keeping every count.
func irvPlaces(cont []int, vals []*big.Rat, n int) []int32 {
	order := slices.Clone(cont)
	slices.SortFunc(order, func(a, b int) int { return vals[a].Cmp(vals[b]) })
	places := make([]int32, n)
	for i := range places {
		places[i] = -1
	}
	var place int32
	for i, o := range order {
		if i > 0 && vals[o].Cmp(vals[order[i-1]]) != 0 {
			place++
		}
		places[o] = place
	}
	return places
}

// irvBreakTie picks which of the tied options (tied for fewest in the last
// round of history) is eliminated, and by which rule; rule is "" when
// there was no tie.
func irvBreakTie(tied []int, history [][]int32) (out int, rule string) {
	if len(tied) == 1 {
		return tied[0], ""
	}
	left := slices.Clone(tied)
	for r := len(history) - 2; r >= 0 && len(left) > 1; r-- {
		places := history[r]
		least := places[left[0]]
		for _, o := range left[1:] {
			least = min(least, places[o])
		}
		var fewest []int
		for _, o := range left {
			if places[o] == least {
				fewest = append(fewest, o)
			}
		}
		if len(fewest) < len(left) {
			left = fewest
		}
	}
	if len(left) == 1 {
		return left[0], "earlier_round"
	}
	return rankedLotLast(left), "lot"
}

// irvCounter keeps each continuing option's votes up to date as options
// are eliminated: only the ballots an eliminated option held are looked
// at again.
type irvCounter struct {
	p          rankedPrep
	continuing []bool
	// An option's votes are whole[o] + Σ frac[o][k]/k: the weight of
	// ballots counting for it alone, plus, per number k of continuing
	// options tied at a ballot's top, the weight of those ballots.
	whole []int64
	frac  []map[int]int64
	// holders[o] lists the papers whose current group holds o while o
	// continues; group[i] is paper i's current group (-1 before the first,
	// len(groups) once exhausted).
	holders   [][]int32
	group     []int
	exhausted int64
}

func (c *irvCounter) continuingOptions() []int {
	var out []int
	for o, ok := range c.continuing {
		if ok {
			out = append(out, o)
		}
	}
	return out
}

// credit adds (sign +1) or takes away (sign -1) a paper's weight w split k
// ways from option o.
func (c *irvCounter) credit(o int, w int64, k int, sign int64) {
	if k == 1 {
		c.whole[o] += sign * w
		return
	}
	if c.frac[o] == nil {
		c.frac[o] = map[int]int64{}
	}
	c.frac[o][k] += sign * w
	if c.frac[o][k] == 0 {
		delete(c.frac[o], k)
	}
}

// continuingIn lists the continuing options of a group.
func (c *irvCounter) continuingIn(g []int, buf []int) []int {
	buf = buf[:0]
	for _, o := range g {
		if c.continuing[o] {
			buf = append(buf, o)
		}
	}
	return buf
}

// advance moves paper i to its next group with a continuing option and
// credits those options, or marks it exhausted.
func (c *irvCounter) advance(i int) {
	paper := c.p.papers[i]
	var buf [8]int
	for g := c.group[i] + 1; g < len(paper.groups); g++ {
		if cont := c.continuingIn(paper.groups[g], buf[:0]); len(cont) > 0 {
			c.group[i] = g
			for _, o := range cont {
				c.credit(o, paper.w, len(cont), 1)
				c.holders[o] = append(c.holders[o], int32(i))
			}
			return
		}
	}
	c.group[i] = len(paper.groups)
	c.exhausted += paper.w
}

func (c *irvCounter) eliminate(out int) {
	c.continuing[out] = false
	var buf [8]int
	for _, i := range c.holders[out] {
		paper := c.p.papers[i]
		rest := c.continuingIn(paper.groups[c.group[i]], buf[:0])
		for _, o := range rest {
			c.credit(o, paper.w, len(rest)+1, -1)
		}
		if len(rest) > 0 {
			for _, o := range rest {
				c.credit(o, paper.w, len(rest), 1)
			}
			continue
		}
		c.advance(int(i))
	}
	c.holders[out] = nil
	c.whole[out], c.frac[out] = 0, nil
}

// value returns option o's votes as an exact number, reusing r.
func (c *irvCounter) value(o int, r *big.Rat) *big.Rat {
	if r == nil {
		r = new(big.Rat)
	}
	r.SetInt64(c.whole[o])
	if len(c.frac[o]) > 0 {
		var part big.Rat
		for k, w := range c.frac[o] {
			r.Add(r, part.SetFrac64(w, int64(k)))
		}
	}
	return r
}
