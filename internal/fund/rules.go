package fund

import (
	"strings"

	"samen/internal/match"
)

// The rules themselves are internal/match's, shared with `samen match
// simulate`: the site matches by the code the simulation runs.

func (p Pool) rules() match.Rules {
	return match.Rules{Factor: match.Ratio{Num: p.FactorNum, Den: p.FactorDen}, MaxPerContribution: p.MaxPerContribution,
		MaxPerProject: p.MaxPerProject, MaxMatchedPerContributor: p.MaxMatchedPerContributor}
}

// matchOne is the duplicate rule for one contribution of cents, given what
// p already gave on the project (onProject) and how many of this
// contributor's contributions to it p matched (matchedBefore). It returns
// the match and its split over p.Funders, in their order.
func matchOne(p Pool, onProject int64, matchedBefore int, cents int64) (int64, []int64) {
	left := make([]int64, len(p.Funders))
	for i, f := range p.Funders {
		left[i] = max(f.Left, 0)
	}
	m, _ := p.rules().Step(cents, onProject, matchedBefore, p.LeftCents())
	split := match.Split(m, left)
	if m <= 0 || split == nil {
		return 0, make([]int64, len(p.Funders))
	}
	return m, split
}

// qualifies is the criteria rule: a campaign with raised cents of goal
// and backers has reached p's share of its goal and number of backers.
func qualifies(p Pool, goal, raised int64, backers int) bool {
	c := match.Criteria{GrantCents: p.GrantCents, Share: match.Percent(int64(p.GrantSharePct)), MinBackers: p.GrantBackers}
	return c.Qualifies(match.Progress{RaisedCents: raised, GoalCents: goal, Backers: backers})
}

// parseFactor reads a factor as people type it ("1", "2", "1,5") into a
// fraction: internal/match's reading, with the comma of Dutch, and at
// most 10 for a pool of the city.
func parseFactor(s string) (num, den int64, ok bool) {
	r, ok := match.ParseFactor(strings.ReplaceAll(strings.TrimSpace(s), ",", "."))
	if !ok || r.Num > 10*r.Den {
		return 0, 0, false
	}
	return r.Num, r.Den, true
}
