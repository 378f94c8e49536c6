package tally

// Greedy counts a participatory budget the way Consul and Decidim do: the
// projects in order of votes, most first, each funded if it still fits in
// what is left of the budget. A project that no longer fits is skipped and
// the next one tried, so a cheaper project further down can still be
// funded. The same rule counts approval and knapsack budgets (a knapsack
// ballot is an approval of every project in the basket).
//
// Ties: equal votes, the lower cost comes first (it leaves more for the
// rest); equal votes and cost, the order of the projects, which samen draws
// by lot when voting opens.
//
// A project nobody voted for is never funded, even if it fits: the money
// left stays unspent rather than pay for something no one asked for.
//
// Steps, one per project in the order considered (Round counts from 1):
//   - "funded": Value = its votes, Detail = the budget left after paying it;
//   - "skipped": it did not fit; Value = its votes, Detail = the budget left,
//     which was less than its cost;
//   - "unsupported": no votes; Value = 0, Detail = the budget left;
//   - "tie": written before the first of two or more projects with the same
//     votes: Tied lists them in the order they were considered, Option is
//     the first, Rule is "cost" when their costs decided the order and
//     "lot" when some had the same cost and the drawn order decided.
//
// Ranking is the funded projects in order, then the others in the order
// considered. Greedy does not validate the budget; ballot entries that name
// no project are ignored.
func Greedy(b Budget) Result {
	votes := budgetVotes(b)
	order := budgetOrder(b, votes)
	res := Result{Method: "greedy", Winners: []int{}}
	left := b.Total
	for i, p := range order {
		round := i + 1
		if votes[p] > 0 && (i == 0 || votes[order[i-1]] != votes[p]) {
			if tied, rule := greedyTie(b, votes, order[i:]); len(tied) > 1 {
				res.Steps = append(res.Steps, Step{Round: round, Kind: "tie", Option: p, Tied: tied, Rule: rule})
			}
		}
		cost := b.Projects[p].Cost
		switch {
		case votes[p] == 0:
			res.Steps = append(res.Steps, Step{Round: round, Kind: "unsupported", Option: p, Detail: float64(left)})
		case cost <= left && cost > 0:
			left -= cost
			res.Winners = append(res.Winners, p)
			res.Steps = append(res.Steps, Step{Round: round, Kind: "funded", Option: p, Value: float64(votes[p]), Detail: float64(left)})
		default:
			res.Steps = append(res.Steps, Step{Round: round, Kind: "skipped", Option: p, Value: float64(votes[p]), Detail: float64(left)})
		}
	}
	res.Ranking = budgetRanking(b, votes, res.Winners)
	return res
}

// greedyTie returns the projects at the head of rest that have the same
// votes as the first, and how their order was decided.
func greedyTie(b Budget, votes []int64, rest []int) ([]int, string) {
	n := 1
	for n < len(rest) && votes[rest[n]] == votes[rest[0]] {
		n++
	}
	tied := append([]int(nil), rest[:n]...)
	rule := "cost"
	for i := 1; i < n; i++ {
		if b.Projects[tied[i]].Cost == b.Projects[tied[i-1]].Cost {
			rule = "lot"
		}
	}
	return tied, rule
}
