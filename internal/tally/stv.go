package tally

import "slices"

// stvUnit is one vote in the fixed point STV counts in: values are kept to
// five decimal places, as rule 48(3) of the Scottish order says.
const stvUnit = 100_000

// STV elects e.Seats options by the single transferable vote, counted as
// the Scottish Local Government Elections Order 2007 (SSI 2007/42,
// schedule 1, rules 45–52) says: the Droop quota and weighted inclusive
// Gregory transfers with values cut to five decimal places.
//
// The count, in plain words:
//   - Quota (rule 46): the number of valid ballots (those listing at least
//     one option that is not withdrawn) divided by one more than the number
//     of seats, fraction dropped, plus one: floor(valid/(seats+1))+1.
//   - First stage (rule 45): each ballot goes, with the value 1, to the
//     option it ranks first. An option whose votes reach the quota is
//     elected (rule 47); options elected at one stage are listed by votes,
//     most first, ties as for surpluses below.
//   - Surplus (rules 48, 49): while seats remain, the surplus (votes above
//     the quota) of an elected option is passed on, the largest surplus
//     first. Every ballot the option holds (not only the last ones it
//     received: "inclusive") goes to its next available preference, the
//     next option on it that is still continuing, with the transfer value
//     surplus × (the ballot's value when the option received it) / (the
//     option's votes), cut, not rounded, to five decimal places. Ballots
//     with no next available preference are non-transferable. The elected
//     option keeps the quota. Each transfer is one stage.
//   - Exclusion (rules 50, 51): when no surplus is left to pass on, the
//     continuing option with the fewest votes is excluded, and every ballot
//     it holds goes on to its next available preference at the value it
//     had. Each exclusion is one stage.
//   - Last places (rule 52): when the continuing options are as many as
//     the seats left, they are all elected (most votes first) and nothing
//     more is transferred.
//   - Ties: between equal surpluses, the one whose option had more votes
//     at the most recent earlier stage at which the tied options had
//     unequal votes goes first (rule 49(2)); between options tied for
//     fewest, the one with fewer votes at the most recent earlier stage at
//     which they were unequal is excluded (rule 51(2)(a)). If several still
//     share the most (or fewest) votes at that stage, samen looks further
//     back among those. Where the order leaves it to lot (rules 49(3),
//     51(2)(b)), samen uses the drawn lot order of the Options: the
//     earliest surplus goes first, the latest option is excluded.
//
// An extension the order does not have: a ballot may tie options. A
// ballot's value is split equally (each part cut to five decimal places)
// between the continuing options of its highest group that still has one;
// when one of them is elected or excluded, its part goes first to the
// other continuing options of that group, and only when none is left to
// the next group. What the five-decimal cuts lose is counted as lost.
//
// Ranking: the winners in the order elected, then the options still
// continuing at the end (most votes first, then the lot order), then the
// excluded ones, the last excluded first, then withdrawn options.
//
// Steps, Round being the stage (from 1), values in votes (to 5 decimals):
// "quota" (Round 1, Option -1, Value the quota, Detail the valid ballots);
// "count" after every stage for each option not excluded (Value its votes)
// and once with Option -1 (Value the non-transferable votes so far, Detail
// the votes lost to the five-decimal cuts so far); "elected" (Value its
// votes, Round the stage at which it reached the quota or was elected
// under rule 52); "transfer" (the stage passing on Option's surplus, Value
// the surplus); "eliminated" (the stage excluding Option, Value its votes);
// "tie" (Rule "earlier_round" or "lot", Tied the options tied, Option the
// one whose surplus goes first or the one excluded).
func STV(e Election) Result {
	p := rankedPrepare(e)
	res := Result{Method: "stv", Winners: []int{}, Ranking: make([]int, 0, p.n)}
	quota := p.valid/int64(p.seats+1) + 1
	res.Steps = append(res.Steps, Step{Round: 1, Kind: "quota", Option: -1, Value: float64(quota), Detail: float64(p.valid)})
	if p.active == 0 {
		res.Ranking = append(res.Ranking, irvWithdrawnOrder(p)...)
		return res
	}

	c := stvCount{
		p:          p,
		continuing: make([]bool, p.n),
		excluded:   make([]bool, p.n),
		votes:      make([]int64, p.n),
		piles:      make([][]int32, p.n),
		group:      make([]int, len(p.papers)),
		first:      make([]int32, len(p.papers)),
		count:      make([]int32, len(p.papers)),
	}
	for o := range c.continuing {
		c.continuing[o] = !p.withdrawn[o]
	}
	for i := range p.papers {
		c.group[i] = -1
		c.route(i, stvUnit)
	}
	stage := 1
	c.record(&res, stage)

	quotaU := quota * stvUnit
	var pending, excluded []int // elected with a surplus not yet passed on
	elect := func(opts []int) {
		c.order(opts)
		for _, o := range opts {
			c.continuing[o] = false
			res.Winners = append(res.Winners, o)
			res.Steps = append(res.Steps, Step{Round: stage, Kind: "elected", Option: o, Value: stvVotes(c.votes[o])})
			if c.votes[o] > quotaU {
				pending = append(pending, o)
			}
		}
	}
	for {
		var reached []int
		for o, ok := range c.continuing {
			if ok && c.votes[o] >= quotaU {
				reached = append(reached, o)
			}
		}
		elect(reached)
		if len(res.Winners) >= p.seats {
			break
		}
		cont := c.continuingOptions()
		if len(cont) <= p.seats-len(res.Winners) {
			elect(cont) // rule 52
			break
		}
		stage++
		if len(pending) > 0 {
			most := c.tiedAtTop(pending, true)
			slices.Sort(most)
			x, rule := c.breakTie(most, true)
			if rule != "" {
				res.Steps = append(res.Steps, Step{Round: stage, Kind: "tie", Option: x, Tied: most, Rule: rule})
			}
			pending = slices.DeleteFunc(pending, func(o int) bool { return o == x })
			res.Steps = append(res.Steps, Step{Round: stage, Kind: "transfer", Option: x, Value: stvVotes(c.votes[x] - quotaU)})
			c.transferSurplus(x, quotaU)
		} else {
			fewest := c.tiedAtTop(cont, false)
			x, rule := c.breakTie(fewest, false)
			if rule != "" {
				res.Steps = append(res.Steps, Step{Round: stage, Kind: "tie", Option: x, Tied: fewest, Rule: rule})
			}
			res.Steps = append(res.Steps, Step{Round: stage, Kind: "eliminated", Option: x, Value: stvVotes(c.votes[x])})
			excluded = append(excluded, x)
			c.exclude(x)
		}
		c.record(&res, stage)
	}

	res.Ranking = append(res.Ranking, res.Winners...)
	rest := c.continuingOptions()
	c.order(rest)
	res.Ranking = append(res.Ranking, rest...)
	for i := len(excluded) - 1; i >= 0; i-- {
		res.Ranking = append(res.Ranking, excluded[i])
	}
	res.Ranking = append(res.Ranking, irvWithdrawnOrder(p)...)
	return res
}

func stvVotes(units int64) float64 { return float64(units) / stvUnit }

// stvPiece is the part of a paper an option holds: val is the value of
// each of the paper's w identical ballots, in stvUnit.
type stvPiece struct {
	paper int32
	opt   int32
	val   int64
}

// stvCount is the state of an STV count. Every paper sits in one group of
// its preferences (group[i]); the options of that group that were
// continuing when the paper arrived each hold one piece of it
// (pieces[first[i]:first[i]+count[i]]).
type stvCount struct {
	p          rankedPrep
	continuing []bool
	excluded   []bool
	votes      []int64 // in stvUnit
	piles      [][]int32
	pieces     []stvPiece
	group      []int
	first      []int32
	count      []int32
	nonTrans   int64 // votes on non-transferable papers, in stvUnit
	lost       int64 // votes lost to the five-decimal cuts, in stvUnit
	history    [][]int64
}

func (c *stvCount) continuingOptions() []int {
	var out []int
	for o, ok := range c.continuing {
		if ok {
			out = append(out, o)
		}
	}
	return out
}

// record keeps the votes at the end of a stage and writes its steps.
func (c *stvCount) record(res *Result, stage int) {
	c.history = append(c.history, slices.Clone(c.votes))
	for o := range c.votes {
		if !c.p.withdrawn[o] && !c.excluded[o] {
			res.Steps = append(res.Steps, Step{Round: stage, Kind: "count", Option: o, Value: stvVotes(c.votes[o])})
		}
	}
	res.Steps = append(res.Steps, Step{Round: stage, Kind: "count", Option: -1, Value: stvVotes(c.nonTrans), Detail: stvVotes(c.lost)})
}

// route gives amount (the value of each of paper i's ballots, in stvUnit)
// to the paper's next available preference: first the other continuing
// options of its current group, else its next group with a continuing
// option, split equally; else the amount is non-transferable.
func (c *stvCount) route(i int, amount int64) {
	paper := c.p.papers[i]
	w := paper.w
	if g := c.group[i]; g >= 0 && g < len(paper.groups) {
		held := c.pieces[c.first[i] : c.first[i]+c.count[i]]
		k := int64(0)
		for _, pc := range held {
			if c.continuing[pc.opt] {
				k++
			}
		}
		if k > 0 {
			share := amount / k
			for j := range held {
				if c.continuing[held[j].opt] {
					held[j].val += share
					c.votes[held[j].opt] += w * share
				}
			}
			c.lost += w * (amount - share*k)
			return
		}
	}
	for g := c.group[i] + 1; g < len(paper.groups); g++ {
		k := int64(0)
		for _, o := range paper.groups[g] {
			if c.continuing[o] {
				k++
			}
		}
		if k == 0 {
			continue
		}
		c.group[i] = g
		c.first[i], c.count[i] = int32(len(c.pieces)), int32(k)
		share := amount / k
		for _, o := range paper.groups[g] {
			if c.continuing[o] {
				c.piles[o] = append(c.piles[o], int32(len(c.pieces)))
				c.pieces = append(c.pieces, stvPiece{paper: int32(i), opt: int32(o), val: share})
				c.votes[o] += w * share
			}
		}
		c.lost += w * (amount - share*k)
		return
	}
	c.group[i] = len(paper.groups)
	c.nonTrans += w * amount
}

// transferSurplus passes on the surplus of elected option x (rule 48).
func (c *stvCount) transferSurplus(x int, quotaU int64) {
	total := c.votes[x]
	surplus := total - quotaU
	passed := int64(0)
	for _, pi := range c.piles[x] {
		pc := c.pieces[pi]
		tv := surplus * pc.val / total
		passed += c.p.papers[pc.paper].w * tv
		c.route(int(pc.paper), tv)
	}
	c.lost += surplus - passed
	c.votes[x] = quotaU
	c.piles[x] = nil
}

// exclude excludes option x and passes on its ballots at their value
// (rule 50).
func (c *stvCount) exclude(x int) {
	c.continuing[x], c.excluded[x] = false, true
	for _, pi := range c.piles[x] {
		pc := c.pieces[pi]
		c.route(int(pc.paper), pc.val)
	}
	c.votes[x] = 0
	c.piles[x] = nil
}

// order sorts options by votes, most first, ties by earlier stages and
// then the lot order, as the surplus rule does; used only where the order
// does not change who is elected.
func (c *stvCount) order(opts []int) {
	slices.SortStableFunc(opts, func(a, b int) int {
		if d := c.compare(a, b); d != 0 {
			return -d
		}
		return a - b
	})
}

// compare says whether a had more votes than b (> 0) at the latest stage
// at which they differed; 0 if they never did.
func (c *stvCount) compare(a, b int) int {
	for s := len(c.history) - 1; s >= 0; s-- {
		if va, vb := c.history[s][a], c.history[s][b]; va != vb {
			if va > vb {
				return 1
			}
			return -1
		}
	}
	return 0
}

// tiedAtTop returns the options of opts with the most votes now (or the
// fewest, when most is false).
func (c *stvCount) tiedAtTop(opts []int, most bool) []int {
	best := c.votes[opts[0]]
	for _, o := range opts[1:] {
		if most {
			best = max(best, c.votes[o])
		} else {
			best = min(best, c.votes[o])
		}
	}
	var out []int
	for _, o := range opts {
		if c.votes[o] == best {
			out = append(out, o)
		}
	}
	return out
}

// breakTie picks one of options tied now: the surplus to pass on first
// (most true: most votes at the most recent earlier stage at which they
// differ, then the earliest in the lot order) or the option to exclude
// (most false: fewest votes there, then the latest in the lot order).
// rule is "" when there was no tie.
func (c *stvCount) breakTie(tied []int, most bool) (int, string) {
	if len(tied) == 1 {
		return tied[0], ""
	}
	left := slices.Clone(tied)
	for s := len(c.history) - 2; s >= 0 && len(left) > 1; s-- {
		votes := c.history[s]
		best := votes[left[0]]
		for _, o := range left[1:] {
			if most {
				best = max(best, votes[o])
			} else {
				best = min(best, votes[o])
			}
		}
		var keep []int
		for _, o := range left {
			if votes[o] == best {
				keep = append(keep, o)
			}
		}
		left = keep
	}
	switch {
	case len(left) == 1:
		return left[0], "earlier_round"
	case most:
		return slices.Min(left), "lot"
	default:
		return rankedLotLast(left), "lot"
	}
}
