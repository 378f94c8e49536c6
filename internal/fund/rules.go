package fund

import "math/big"

// matchOne is the duplicate rule for one contribution of cents, given what
// p already gave on the project (onProject) and how many of this
// contributor's contributions to it p matched (matchedBefore). It returns
// the match and its split over p.Funders, in their order.
func matchOne(p Pool, onProject int64, matchedBefore int, cents int64) (int64, []int64) {
	left := make([]int64, len(p.Funders))
	var total int64
	for i, f := range p.Funders {
		left[i] = max(f.Left, 0)
		total += left[i]
	}
	// 1. ⌊min(contribution, cap per contribution) × factor⌋, exactly.
	base := cents
	if p.MaxPerContribution > 0 {
		base = min(base, p.MaxPerContribution)
	}
	m := new(big.Int).Mul(big.NewInt(base), big.NewInt(p.FactorNum))
	m.Quo(m, big.NewInt(p.FactorDen))
	match := m.Int64()
	// 2. Nothing past the contributor's number of matched contributions.
	if p.MaxMatchedPerContributor > 0 && matchedBefore >= p.MaxMatchedPerContributor {
		match = 0
	}
	// 3. The pool's total on the project stays within its cap.
	if p.MaxPerProject > 0 {
		match = min(match, max(p.MaxPerProject-onProject, 0))
	}
	// 4. At most what the pool has left.
	match = min(match, total)
	if match <= 0 {
		return 0, make([]int64, len(p.Funders))
	}
	return match, splitOver(match, left)
}

// splitOver splits cents over funders in proportion to what each has left
// (left), each share rounded down, and the cents that remain one by one to
// the funders with the most left, ties to the earlier funder. cents must be
// at most the sum of left.
func splitOver(cents int64, left []int64) []int64 {
	out := make([]int64, len(left))
	var total int64
	for _, l := range left {
		total += l
	}
	if total <= 0 {
		return out
	}
	var given int64
	for i, l := range left {
		s := new(big.Int).Mul(big.NewInt(cents), big.NewInt(l))
		s.Quo(s, big.NewInt(total))
		out[i] = s.Int64()
		given += out[i]
	}
	order := make([]int, len(left))
	for i := range order {
		order[i] = i
	}
	// Most left first (before this split), ties by the funders' order.
	for i := 1; i < len(order); i++ {
		for j := i; j > 0 && left[order[j]] > left[order[j-1]]; j-- {
			order[j], order[j-1] = order[j-1], order[j]
		}
	}
	for k := 0; given < cents; k = (k + 1) % len(order) {
		i := order[k]
		if out[i] < left[i] {
			out[i]++
			given++
		}
	}
	return out
}

// qualifies is the criteria rule: a campaign with raised cents of goal
// and backers has reached p's share of its goal and number of backers.
func qualifies(p Pool, goal, raised int64, backers int) bool {
	return raised*100 >= goal*int64(p.GrantSharePct) && backers >= p.GrantBackers
}
