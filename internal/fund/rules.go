package fund

import (
	"strconv"
	"strings"

	"samen/internal/match"
)

// The rules themselves are internal/match's, shared with `samen match
// simulate`: the site matches by the code the simulation runs.

// Rules are p's duplicate rules as internal/match takes them.
func (p Pool) Rules() match.Rules {
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
	m, _ := p.Rules().Step(cents, onProject, matchedBefore, p.LeftCents())
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

// parseFactor reads a factor as people type it ("1", "2", "1,5", or as a
// fraction "3/2", as the API writes it) into a fraction: internal/match's
// reading, with the comma of Dutch, and at most 10 for a pool of the city.
// A fraction must have a decimal of at most nine places ("1/4", not
// "1/3"), as every factor internal/match reads: a pool's rules can then
// always be written in a simulation file.
func parseFactor(s string) (num, den int64, ok bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", ".")
	if n, d, isFraction := strings.Cut(s, "/"); isFraction {
		a, errA := strconv.ParseInt(strings.TrimSpace(n), 10, 64)
		b, errB := strconv.ParseInt(strings.TrimSpace(d), 10, 64)
		if errA != nil || errB != nil || a <= 0 || b <= 0 || a > 10*b {
			return 0, 0, false
		}
		s = match.Ratio{Num: a, Den: b}.String() // "0.25"; "1/3" stays a fraction, which ParseFactor refuses
	}
	r, ok := match.ParseFactor(s)
	if !ok || r.Num > 10*r.Den {
		return 0, 0, false
	}
	return r.Num, r.Den, true
}

// FactorText writes p's factor as a decimal ("1", "1.5"), as a
// simulation file and the pool's form take it.
func (p Pool) FactorText() string {
	return match.Ratio{Num: p.FactorNum, Den: p.FactorDen}.String()
}

// SimulationFunders are p's funders as a simulation names them (by name),
// each with cents: what it has left (left) or what it deposited.
func (p Pool) SimulationFunders(left bool) []match.Funder {
	out := make([]match.Funder, len(p.Funders))
	for i, f := range p.Funders {
		out[i] = match.Funder{ID: f.Name, Cents: f.Received}
		if left {
			out[i].Cents = max(f.Left, 0)
		}
		if len(f.Name) > match.MaxIDLen {
			// A name of up to MaxTitle characters may be longer in bytes
			// than a simulation's ids: the funder's number instead.
			out[i].ID = "#" + itoa64(f.ID)
		}
	}
	return out
}
