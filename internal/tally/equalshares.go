package tally

import (
	"encoding/binary"
	"math"
	"math/big"
	"slices"
)

// The Method of Equal Shares (Peters & Skowron, "Proportionality and the
// limits of welfarism", EC 2020; Peters, Pierczyński & Skowron,
// "Proportional participatory budgeting with additive utilities", NeurIPS
// 2021; explained for voters at equalshares.net), with cost satisfaction:
// a project is worth its cost to each of its supporters.
//
// The budget is split equally: every voter (every ballot, an empty one
// too) gets Total/n. Round by round, for each project not yet funded, the
// count looks for the smallest ρ such that its supporters, each paying
// min(what they have left, ρ·cost), together pay its cost; with cost
// satisfaction ρ·cost is one amount α for all supporters: the equal share.
// Supporters who have less than α pay all they have left; the others pay α.
// The project with the smallest ρ (equivalently the largest "effective vote
// count" cost/α of equalshares.net) is funded and its supporters pay; a
// project whose supporters have less left than its cost cannot be funded.
// The count stops when no project can be.
//
// Ties (the same ρ, decided exactly): more supporters first (all who
// approve the project, not only those with money left), then the lower
// cost, then the order of the projects (drawn by lot when voting opens):
// the order Greedy uses. equalshares.net recommends the lower cost first
// and then the most votes; the two differ only for projects with exactly
// the same ρ that differ in both votes and cost.
//
// Arithmetic. Money is shared in fractions (Total/n, and cost/k for k
// supporters), so the count is exact rational arithmetic, in two passes
// that give the same result: first in float64 carrying, with every number,
// a bound on its rounding error (sums and products with their exact
// rounding error by TwoSum and FMA, so that integer arithmetic stays
// exact). Every decision — is a project affordable, which ρ is smallest,
// does a supporter pay α or all she has — is taken only when the bounds
// show it is certain, and equal values are recognised as ties only when
// both are exact. If any decision is too close to call, the count starts
// again in exact rationals (math/big.Rat), which decides ties and "exactly
// affordable" exactly. Large real elections almost never need the second
// pass; small hand-made examples often do, and are small.
//
// Speed. Voters with the same ballot have the same money throughout, so
// they are counted as one group with a weight; and voters whose payments
// so far were the same have the same money, so groups are kept in classes
// of equal money, and a project's supporters are summed class by class.
// A project's ρ can only grow from one round to the next (money is only
// spent), so the last ρ found is a lower bound and a project whose bound
// is already worse than the best this round is not looked at again.
//
// Steps (Round counts the funded projects from 1):
//   - "funded": Option was funded in this round; Value = α, the equal share
//     each supporter who could afford it paid (in the budget's unit; the
//     others paid all they had left; cost/α is the effective vote count
//     and α/cost is ρ); Detail = how many supporters paid.
//   - "tie": written before "funded" when projects had exactly the same ρ:
//     Tied lists them in tie-break order, Option is the one funded, Rule
//     is "votes", "cost" or "lot": the first rule that told them apart.
//   - "unaffordable": after the last round (Round = rounds + 1), one per
//     project not funded, in the order of votes: its supporters together
//     had less left than its cost. Value = the money they had left,
//     Detail = how many still had money.
//
// Ranking is the funded projects in order, then the others in the order
// Greedy considers them (most votes, lower cost, project order).

// EqualShares counts a participatory budget by the Method of Equal Shares
// with cost satisfaction, without completion: the count often leaves part
// of the budget unspent (see EqualSharesAdd1). Method "equal-shares".
// Ballot entries that name no project, or name one twice, count once or
// not at all; EqualShares does not validate the budget.
func EqualShares(b Budget) Result {
	e := mesPrepare(b)
	out := mesCount(e, 0, 0)
	return Result{Method: "equal-shares", Winners: out.winners, Ranking: budgetRanking(b, e.votes, out.winners), Steps: out.steps}
}

// EqualSharesAdd1 is the Method of Equal Shares completed by the add-one
// rule, as equalshares.net recommends: count again with every voter's share
// raised by one unit (Budget.Add1Step; 0 is one unit of the budget's money,
// one złoty or euro for a .pb file; samen's budgets, in cents, use 100, one
// euro), so the virtual budget grows by n units each time, as long as the
// outcome still costs no more than the real Total; the last outcome that
// fits is the result. Shares tried: Total/n + k·step for k = 0, 1, 2, …;
// k = 0 is EqualShares. Raising stops, keeping the last outcome that fit:
//   - when the next share gives an outcome that costs more than Total
//     ("over_budget");
//   - when the outcome kept is exhaustive: no project left out fits in what
//     remains ("exhaustive"; equalshares.net's second stop);
//   - when it funds every project anyone voted for ("all_supported"): from a
//     share of the sum of all costs on, every supporter can pay every equal
//     share, the count can no longer change, and every outcome on the way
//     fits, so the count skips ahead to that share and stops — the only
//     skip, and it gives what raising one unit at a time would;
//   - as a guard against absurd or hostile input, after about 5·10^8 units of
//     work (ballots and projects looked at over all counts; a real budget
//     needs a few hundred counts, far below) ("limit").
//
// Steps: one "budget_raised" per share tried after the first (Round = k,
// Value = the share per voter, Detail = what that outcome costs), then
// "budget_kept" (Round = the k kept, Value = its share, Detail = its cost,
// Rule = why raising stopped: "over_budget", "exhaustive", "all_supported",
// "limit" or "no_voters"), then the steps of the count kept, as EqualShares
// writes them. Method "equal-shares-add1".
func EqualSharesAdd1(b Budget) Result {
	e := mesPrepare(b)
	step := b.Add1Step
	if step <= 0 {
		step = 1
	}
	kept := mesCount(e, 0, step)
	keptK := int64(0)
	var raises []Step
	reason := ""
	switch {
	case e.n == 0:
		reason = "no_voters"
	default:
		kCap := mesCapRaise(e, step)
		work := int64(0)
		for k := int64(1); ; k++ {
			if mesExhaustive(e, kept) {
				reason = "exhaustive"
				break
			}
			if mesAllSupported(e, kept) || k >= kCap {
				// From share kCap on nothing changes; every outcome before
				// it fits (see above), so the one at kCap is the last.
				if k < kCap {
					k = kCap
				}
				out := mesCount(e, k, step)
				raises = append(raises, Step{Round: int(k), Kind: "budget_raised", Option: -1, Value: out.share, Detail: float64(out.cost)})
				if out.cost <= e.total {
					kept, keptK = out, k
					reason = "all_supported"
				} else {
					reason = "over_budget"
				}
				break
			}
			work += e.work
			if work > mesWorkLimit {
				reason = "limit"
				break
			}
			out := mesCount(e, k, step)
			raises = append(raises, Step{Round: int(k), Kind: "budget_raised", Option: -1, Value: out.share, Detail: float64(out.cost)})
			if out.cost > e.total {
				reason = "over_budget"
				break
			}
			kept, keptK = out, k
		}
	}
	steps := append(raises, Step{Round: int(keptK), Kind: "budget_kept", Option: -1, Value: kept.share, Detail: float64(kept.cost), Rule: reason})
	steps = append(steps, kept.steps...)
	return Result{Method: "equal-shares-add1", Winners: kept.winners, Ranking: budgetRanking(b, e.votes, kept.winners), Steps: steps}
}

// mesWorkLimit is EqualSharesAdd1's guard: how many ballots and projects
// all its counts together may look at (a variable for the tests).
var mesWorkLimit int64 = 500_000_000

// mesElection is a budget prepared for counting, shared by every count
// EqualSharesAdd1 makes.
type mesElection struct {
	n       int64     // voters: ballots, empty ones included
	total   int64     // the real budget
	costs   []int64   // per project
	votes   []int64   // per project: voters who approve it
	rank    []int     // per project: its place in budgetOrder, the tie-break
	weight  []int64   // per group: voters with this ballot
	members [][]int32 // per project: the groups that approve it
	work    int64     // how much one count looks at, for the Add1 guard
	ratio   mesScratch[mesFloat]
	exact   mesScratch[mesRat]
}

// mesOutcome is one count.
type mesOutcome struct {
	winners []int
	steps   []Step
	cost    int64   // what the winners cost
	share   float64 // each voter's share at the start
}

func mesPrepare(b Budget) *mesElection {
	e := &mesElection{
		n:       int64(len(b.Ballots)),
		total:   b.Total,
		costs:   make([]int64, len(b.Projects)),
		votes:   budgetVotes(b),
		rank:    make([]int, len(b.Projects)),
		members: make([][]int32, len(b.Projects)),
	}
	for i, p := range b.Projects {
		e.costs[i] = p.Cost
	}
	for place, p := range budgetOrder(b, e.votes) {
		e.rank[p] = place
	}
	// Group identical ballots (as sets: order and repeats do not matter
	// here); a group's key is its sorted projects as varints.
	index := map[string]int32{}
	var ps []int
	var key []byte
	for _, bal := range b.Ballots {
		ps = ps[:0]
		for _, p := range bal.Projects {
			if p >= 0 && p < len(b.Projects) {
				ps = append(ps, p)
			}
		}
		slices.Sort(ps)
		ps = slices.Compact(ps)
		if len(ps) == 0 {
			continue // takes a share, spends nothing
		}
		key = key[:0]
		for _, p := range ps {
			key = binary.AppendUvarint(key, uint64(p))
		}
		g, ok := index[string(key)]
		if !ok {
			g = int32(len(e.weight))
			index[string(key)] = g
			e.weight = append(e.weight, 0)
			for _, p := range ps {
				e.members[p] = append(e.members[p], g)
			}
			e.work += int64(len(ps))
		}
		e.weight[g]++
	}
	e.work += int64(len(b.Projects)) + 1
	// The real votes count a project once per ballot even if the ballot
	// names it twice; recount from the groups so both agree.
	for p := range e.votes {
		e.votes[p] = 0
		for _, g := range e.members[p] {
			e.votes[p] += e.weight[g]
		}
	}
	return e
}

// mesCount counts with each voter's share Total/n + k·step: in float64
// with error bounds, and again exactly if that cannot decide.
func mesCount(e *mesElection, k, step int64) mesOutcome {
	if out, ok := mesRun(e, &e.ratio, k, step); ok {
		return out
	}
	out, _ := mesRun(e, &e.exact, k, step)
	return out
}

// mesCapRaise is the first k at which every voter's share reaches the sum
// of all costs; from there on, every supporter can pay every equal share
// and the count no longer changes.
func mesCapRaise(e *mesElection, step int64) int64 {
	var sum int64
	for _, c := range e.costs {
		sum += max(c, 0)
	}
	// k = ceil((sum·n − total) / (step·n)), at least 1.
	num := new(big.Int).Mul(big.NewInt(sum), big.NewInt(e.n))
	num.Sub(num, big.NewInt(e.total))
	den := new(big.Int).Mul(big.NewInt(step), big.NewInt(e.n))
	if num.Sign() <= 0 {
		return 1
	}
	q, r := new(big.Int).QuoRem(num, den, new(big.Int))
	if r.Sign() > 0 {
		q.Add(q, big.NewInt(1))
	}
	if !q.IsInt64() {
		return math.MaxInt64
	}
	return max(q.Int64(), 1)
}

// mesExhaustive reports whether no project left out of the outcome fits in
// what the outcome leaves of the budget.
func mesExhaustive(e *mesElection, out mesOutcome) bool {
	in := make([]bool, len(e.costs))
	for _, w := range out.winners {
		in[w] = true
	}
	for p, c := range e.costs {
		if !in[p] && c > 0 && out.cost+c <= e.total {
			return false
		}
	}
	return true
}

// mesAllSupported reports whether the outcome funds every project that
// anyone voted for.
func mesAllSupported(e *mesElection, out mesOutcome) bool {
	n := 0
	for p, v := range e.votes {
		if v > 0 && e.costs[p] > 0 {
			n++
		}
	}
	return len(out.winners) == n
}

// mesNum is the arithmetic a count runs on: mesFloat (fast, knows when it
// cannot tell) or mesRat (exact).
type mesNum[N any] interface {
	ofInt(int64) N
	add(N) N
	sub(N) N
	mulInt(int64) N
	divInt(int64) N
	// cmp compares; sure is false when the float64 pass cannot tell.
	cmp(N) (c int, sure bool)
	less(N) bool // an order for sorting, exact or not
	float() float64
}

// mesRho is a project's ρ as r/m: m supporters pay the equal share, and r
// is the part of the cost they pay (1 when every supporter can pay the
// equal share), so ρ = α/cost = r/m. Kept as a pair so that ρs of projects
// whose supporters all pay compare exactly as 1/m.
type mesRho[N mesNum[N]] struct {
	r N
	m int64
}

func mesCmpRho[N mesNum[N]](a, b mesRho[N]) (int, bool) {
	return a.r.mulInt(b.m).cmp(b.r.mulInt(a.m))
}

// mesScratch is a count's working memory, kept between counts.
type mesScratch[N mesNum[N]] struct {
	cls     []int32   // per group: its class of money
	vals    []N       // per class: the money each voter in it has left; class 0 has none
	members [][]int32 // per project: the groups that approve it and may still have money
	acc     []int64   // per class: voters of the project being looked at
	remap   []int32   // per class: the class its payers move to
	touched []int32
	bound   []mesRho[N]
	live    []int
	next    []int
	tied    []int
}

// mesLook is what one project's supporters can do.
type mesLook[N mesNum[N]] struct {
	money      N    // what they have left together
	affordable bool // money >= cost
	alpha      N    // the equal share
	rho        mesRho[N]
	payers     int64 // supporters with money left
	partial    int   // touched[:partial] pay all they have, the rest pay alpha
}

// mesRun is one count with each voter's share Total/n + k·step. ok is false
// when the float64 pass met a decision it could not take.
func mesRun[N mesNum[N]](e *mesElection, sc *mesScratch[N], k, step int64) (out mesOutcome, ok bool) {
	var z N
	nProj := len(e.costs)
	share := z.ofInt(0)
	if e.n > 0 {
		share = z.ofInt(e.total).divInt(e.n).add(z.ofInt(k).mulInt(step))
	}
	out.share = share.float()
	out.winners = []int{}

	// Working memory.
	sc.cls = slices.Grow(sc.cls[:0], len(e.weight))[:len(e.weight)]
	first := int32(1)
	if s, sure := share.cmp(z.ofInt(0)); !sure {
		return out, false
	} else if s <= 0 {
		first = 0
	}
	for g := range sc.cls {
		sc.cls[g] = first
	}
	sc.vals = append(sc.vals[:0], z.ofInt(0), share)
	sc.acc = append(sc.acc[:0], 0, 0)
	sc.remap = append(sc.remap[:0], -1, -1)
	if len(sc.members) < nProj {
		sc.members = make([][]int32, nProj)
	}
	sc.bound = slices.Grow(sc.bound[:0], nProj)[:nProj]
	sc.live = sc.live[:0]
	for p := range nProj {
		sc.members[p] = append(sc.members[p][:0], e.members[p]...)
		if e.votes[p] > 0 && e.costs[p] > 0 {
			sc.live = append(sc.live, p)
			sc.bound[p] = mesRho[N]{r: z.ofInt(1), m: e.votes[p]}
		}
	}
	funded := make([]bool, nProj)

	for len(sc.live) > 0 {
		round := len(out.winners) + 1
		// Look at the most promising first, so that the best is found
		// early and the rest skipped on their bounds.
		slices.SortStableFunc(sc.live, func(x, y int) int {
			bx, by := sc.bound[x], sc.bound[y]
			fx, fy := bx.r.float()/float64(bx.m), by.r.float()/float64(by.m)
			switch {
			case fx < fy:
				return -1
			case fx > fy:
				return 1
			}
			return e.rank[x] - e.rank[y]
		})
		best := -1
		var bestRho mesRho[N]
		sc.tied = sc.tied[:0]
		sc.next = sc.next[:0]
		for _, p := range sc.live {
			if best >= 0 {
				if c, sure := mesCmpRho(sc.bound[p], bestRho); sure && c > 0 {
					sc.next = append(sc.next, p) // cannot beat the best this round
					continue
				}
			}
			look, sure := mesLookAt(e, sc, p)
			if !sure {
				return out, false
			}
			if !look.affordable {
				continue // money only goes down: never again
			}
			sc.bound[p] = look.rho
			sc.next = append(sc.next, p)
			if best < 0 {
				best, bestRho = p, look.rho
				sc.tied = append(sc.tied, p)
				continue
			}
			c, sure := mesCmpRho(look.rho, bestRho)
			if !sure {
				return out, false
			}
			switch {
			case c < 0:
				best, bestRho = p, look.rho
				sc.tied = append(sc.tied[:0], p)
			case c == 0:
				sc.tied = append(sc.tied, p)
			}
		}
		sc.live, sc.next = sc.next, sc.live
		if best < 0 {
			break
		}
		if len(sc.tied) > 1 {
			slices.SortFunc(sc.tied, func(x, y int) int { return e.rank[x] - e.rank[y] })
			best = sc.tied[0]
			out.steps = append(out.steps, Step{Round: round, Kind: "tie", Option: best, Tied: slices.Clone(sc.tied), Rule: mesTieRule(e, sc.tied)})
		}
		// Fund it: its supporters pay.
		look, sure := mesLookAt(e, sc, best)
		if !sure || !look.affordable {
			return out, false
		}
		for i, c := range sc.touched {
			nc := int32(0)
			if i >= look.partial {
				left := sc.vals[c].sub(look.alpha)
				if s, sure := left.cmp(z.ofInt(0)); !sure {
					return out, false
				} else if s > 0 {
					nc = int32(len(sc.vals))
					sc.vals = append(sc.vals, left)
					sc.acc = append(sc.acc, 0)
					sc.remap = append(sc.remap, -1)
				}
			}
			sc.remap[c] = nc
		}
		for _, g := range sc.members[best] {
			if nc := sc.remap[sc.cls[g]]; nc >= 0 {
				sc.cls[g] = nc
			}
		}
		for _, c := range sc.touched {
			sc.remap[c] = -1
			sc.acc[c] = 0
		}
		funded[best] = true
		out.winners = append(out.winners, best)
		out.cost += e.costs[best]
		out.steps = append(out.steps, Step{Round: round, Kind: "funded", Option: best, Value: look.alpha.float(), Detail: float64(look.payers)})
		sc.live = slices.DeleteFunc(sc.live, func(p int) bool { return p == best })
	}

	// Why every other project lost, in the order of votes.
	order := make([]int, nProj)
	for p, r := range e.rank {
		order[r] = p
	}
	for _, p := range order {
		if funded[p] {
			continue
		}
		money, payers := mesMoney(e, sc, p)
		for _, c := range sc.touched {
			sc.acc[c] = 0
		}
		out.steps = append(out.steps, Step{Round: len(out.winners) + 1, Kind: "unaffordable", Option: p, Value: money.float(), Detail: float64(payers)})
	}
	return out, true
}

// mesMoney sums what p's supporters have left, class by class: it fills
// sc.touched with the classes (sc.acc with their voters), drops groups
// without money from p's list, and leaves sc.acc for the caller to clear.
func mesMoney[N mesNum[N]](e *mesElection, sc *mesScratch[N], p int) (money N, payers int64) {
	var z N
	sc.touched = sc.touched[:0]
	list := sc.members[p]
	j := 0
	for _, g := range list {
		c := sc.cls[g]
		if c == 0 {
			continue
		}
		list[j] = g
		j++
		if sc.acc[c] == 0 {
			sc.touched = append(sc.touched, c)
		}
		sc.acc[c] += e.weight[g]
	}
	sc.members[p] = list[:j]
	money = z.ofInt(0)
	for _, c := range sc.touched {
		money = money.add(sc.vals[c].mulInt(sc.acc[c]))
		payers += sc.acc[c]
	}
	return money, payers
}

// mesLookAt finds what p's supporters have and, if they can pay its cost,
// the equal share α and ρ. sure is false when the float64 pass cannot tell.
func mesLookAt[N mesNum[N]](e *mesElection, sc *mesScratch[N], p int) (look mesLook[N], sure bool) {
	var z N
	money, payers := mesMoney(e, sc, p)
	defer func() {
		for _, c := range sc.touched {
			sc.acc[c] = 0
		}
	}()
	look.money, look.payers = money, payers
	cost := z.ofInt(e.costs[p])
	c, sure := money.cmp(cost)
	if !sure {
		return look, false
	}
	if c < 0 {
		return look, true
	}
	look.affordable = true
	// Water-filling: from the poorest up, a class that cannot pay the
	// equal share of what is still to pay pays all it has.
	slices.SortFunc(sc.touched, func(x, y int32) int {
		switch {
		case sc.vals[x].less(sc.vals[y]):
			return -1
		case sc.vals[y].less(sc.vals[x]):
			return 1
		}
		return int(x - y)
	})
	rest, m := cost, payers
	i := 0
	for ; i < len(sc.touched); i++ {
		cl := sc.touched[i]
		v, k := sc.vals[cl], sc.acc[cl]
		if c, sure := v.mulInt(m).cmp(rest); !sure || c >= 0 {
			break
		}
		rest = rest.sub(v.mulInt(k))
		m -= k
	}
	if m <= 0 {
		return look, false // only the float64 pass can get here
	}
	look.partial = i
	look.alpha = rest.divInt(m)
	// Every class must be on its side of α for certain: the poorer ones
	// below it, the others at or above it.
	for j, cl := range sc.touched {
		c, sure := sc.vals[cl].cmp(look.alpha)
		if !sure || (j < i && c >= 0) || (j >= i && c < 0) {
			return look, false
		}
	}
	look.rho = mesRho[N]{r: rest.divInt(e.costs[p]), m: m}
	return look, true
}

// mesTieRule names the first tie-break rule that told the tied projects
// apart (tied is in tie-break order).
func mesTieRule(e *mesElection, tied []int) string {
	a, b := tied[0], tied[1]
	switch {
	case e.votes[a] != e.votes[b]:
		return "votes"
	case e.costs[a] != e.costs[b]:
		return "cost"
	}
	return "lot"
}

// mesFloat is a float64 with a bound on its error: the exact value lies
// within e of v. Integer arithmetic below 2^53 stays exact (e = 0).
type mesFloat struct{ v, e float64 }

// mesUp rounds an error bound up, past the rounding of the sum that made it.
func mesUp(x float64) float64 {
	if x == 0 {
		return 0
	}
	return x*(1+0x1p-50) + 0x1p-1074
}

func (mesFloat) ofInt(x int64) mesFloat {
	v := float64(x)
	if x > 1<<53 || x < -(1<<53) {
		return mesFloat{v, mesUp(math.Abs(v) * 0x1p-53)}
	}
	return mesFloat{v, 0}
}

func (a mesFloat) add(b mesFloat) mesFloat {
	s := a.v + b.v
	bb := s - a.v
	err := (a.v - (s - bb)) + (b.v - bb) // TwoSum: the exact rounding error
	return mesFloat{s, mesUp(a.e + b.e + math.Abs(err))}
}

func (a mesFloat) sub(b mesFloat) mesFloat { return a.add(mesFloat{-b.v, b.e}) }

func (a mesFloat) mulInt(k int64) mesFloat {
	kf := float64(k) // counts and costs are far below 2^53: exact
	p := a.v * kf
	err := math.FMA(a.v, kf, -p)
	return mesFloat{p, mesUp(a.e*math.Abs(kf) + math.Abs(err))}
}

func (a mesFloat) divInt(k int64) mesFloat {
	kf := float64(k)
	q := a.v / kf
	r := math.FMA(-q, kf, a.v) // a − q·k, exact
	return mesFloat{q, mesUp((a.e + math.Abs(r)) / math.Abs(kf))}
}

func (a mesFloat) cmp(b mesFloat) (int, bool) {
	if a.e == 0 && b.e == 0 {
		switch {
		case a.v < b.v:
			return -1, true
		case a.v > b.v:
			return 1, true
		}
		return 0, true
	}
	d := a.v - b.v
	if math.Abs(d)*(1-0x1p-50) > mesUp(a.e+b.e) {
		if d < 0 {
			return -1, true
		}
		return 1, true
	}
	return 0, false
}

func (a mesFloat) less(b mesFloat) bool { return a.v < b.v }
func (a mesFloat) float() float64       { return a.v }

// mesRat is an exact rational.
type mesRat struct{ r *big.Rat }

func (mesRat) ofInt(x int64) mesRat       { return mesRat{new(big.Rat).SetInt64(x)} }
func (a mesRat) add(b mesRat) mesRat      { return mesRat{new(big.Rat).Add(a.r, b.r)} }
func (a mesRat) sub(b mesRat) mesRat      { return mesRat{new(big.Rat).Sub(a.r, b.r)} }
func (a mesRat) cmp(b mesRat) (int, bool) { return a.r.Cmp(b.r), true }
func (a mesRat) less(b mesRat) bool       { return a.r.Cmp(b.r) < 0 }
func (a mesRat) mulInt(k int64) mesRat {
	return mesRat{new(big.Rat).Mul(a.r, new(big.Rat).SetInt64(k))}
}
func (a mesRat) divInt(k int64) mesRat {
	return mesRat{new(big.Rat).Quo(a.r, new(big.Rat).SetInt64(k))}
}
func (a mesRat) float() float64 {
	f, _ := a.r.Float64()
	return f
}
