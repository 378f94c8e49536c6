package match

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"
)

// model is a second, plain reading of the rules, in big rationals, for the
// property test to hold Pool to: what it computes, and what it keeps.
type model struct {
	rules    Rules
	funded   []int64
	left     []int64
	active   map[string]Result // matches not refunded, by contribution
	by       map[string]string // contributor, by contribution
	grants   map[string]Result // grants not returned, by project
	onProj   map[string]int64
	counts   map[[2]string]int
	refunded map[string]bool
}

// step is the rule's steps 1 to 4 as the issue writes them.
func (m *model) step(c Contribution) int64 {
	base := c.Cents
	if m.rules.MaxPerContribution > 0 {
		base = min(base, m.rules.MaxPerContribution)
	}
	x := new(big.Rat).Mul(new(big.Rat).SetInt64(base), big.NewRat(m.rules.Factor.Num, m.rules.Factor.Den))
	match := new(big.Int).Quo(x.Num(), x.Denom()).Int64() // both positive: Quo rounds down
	if m.rules.MaxMatchedPerContributor > 0 && m.counts[[2]string{c.Project, c.Contributor}] >= m.rules.MaxMatchedPerContributor {
		match = 0
	}
	if m.rules.MaxPerProject > 0 {
		match = min(match, m.rules.MaxPerProject-m.onProj[c.Project])
	}
	var total int64
	for _, l := range m.left {
		total += l
	}
	return min(match, total)
}

// split is step 5 as the issue writes it, one funder at a time.
func (m *model) split(cents int64) []int64 {
	out := make([]int64, len(m.left))
	var total int64
	for _, l := range m.left {
		total += l
	}
	if cents == 0 {
		return out
	}
	var given int64
	for i, l := range m.left {
		q := new(big.Rat).Mul(big.NewRat(cents, 1), big.NewRat(l, total))
		out[i] = new(big.Int).Quo(q.Num(), q.Denom()).Int64()
		given += out[i]
	}
	for given < cents {
		// The funder with the most left before the split, not yet given a
		// cent, the earliest of a tie.
		best := -1
		for i, l := range m.left {
			if out[i] == shareFloor(cents, l, total) && (best < 0 || l > m.left[best]) {
				best = i
			}
		}
		out[best]++
		given++
	}
	return out
}

func shareFloor(cents, l, total int64) int64 {
	q := new(big.Rat).Mul(big.NewRat(cents, 1), big.NewRat(l, total))
	return new(big.Int).Quo(q.Num(), q.Denom()).Int64()
}

func shareSlice(funders []Funder, out []int64) []Share {
	var s []Share
	for i, c := range out {
		if c > 0 {
			s = append(s, Share{funders[i].ID, c})
		}
	}
	return s
}

// TestMatchProperties plays many random sequences of contributions, refunds,
// grants and failed campaigns on pools with random rules, and checks after
// every step that the pool agrees with the model and that the rules'
// promises hold: no funder below zero or above what it put in, every cent
// either left or in a match, no cap passed; and at the end, that
// refunding everything gives every funder back exactly what it put in.
func TestMatchProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 2026))
	factors := []Ratio{{1, 1}, {2, 1}, {3, 2}, {1, 2}, {1, 3}, {7, 3}, {1, 100}, {1000, 1}, {999_999_999, 1_000_000_000}}
	sequences, steps := 600, 300
	if testing.Short() {
		sequences = 100
	}
	seen := map[string]int{} // limits and events, to know the test saw them
	for seq := range sequences {
		funders := make([]Funder, 1+rng.IntN(6))
		for i := range funders {
			funders[i] = Funder{ID: fmt.Sprintf("f%d", i), Cents: []int64{0, 1, 7, 1000, rng.Int64N(100_000), rng.Int64N(1_000_000_000)}[rng.IntN(6)]}
		}
		rules := Rules{Factor: factors[rng.IntN(len(factors))]}
		if rng.IntN(2) == 0 {
			rules.MaxPerContribution = 1 + rng.Int64N(5000)
		}
		if rng.IntN(2) == 0 {
			rules.MaxPerProject = 1 + rng.Int64N(50_000)
		}
		if rng.IntN(2) == 0 {
			rules.MaxMatchedPerContributor = 1 + rng.IntN(3)
		}
		p, err := NewPool(rules, funders)
		if err != nil {
			t.Fatal(err)
		}
		m := &model{rules: rules, active: map[string]Result{}, by: map[string]string{}, grants: map[string]Result{}, onProj: map[string]int64{},
			counts: map[[2]string]int{}, refunded: map[string]bool{}}
		for _, f := range funders {
			m.funded = append(m.funded, f.Cents)
			m.left = append(m.left, f.Cents)
		}
		var ids []string
		where := func(step int) string { return fmt.Sprintf("sequence %d, step %d (%+v, %v)", seq, step, rules, funders) }
		for step := range steps {
			switch k := rng.IntN(20); {
			case k < 13: // a contribution
				c := Contribution{ID: fmt.Sprintf("c%d", step), Project: fmt.Sprintf("p%d", rng.IntN(3)),
					Contributor: fmt.Sprintf("x%d", rng.IntN(4)), Cents: 1 + rng.Int64N(3000)}
				want := m.step(c)
				split, floors := m.split(want), m.exact(want)
				r, err := p.Match(c)
				if err != nil || r.Cents != want || !slices.Equal(r.Shares, shareSlice(funders, split)) {
					t.Fatalf("%s: %+v → %+v %v; the model says %d %v", where(step), c, r, err, want, split)
				}
				for i := range split {
					m.left[i] -= split[i]
				}
				m.active[c.ID], m.by[c.ID] = r, c.Contributor
				seen["limit "+r.Limit]++
				if r.Cents > 0 && !slices.Equal(split, floors) {
					seen["remainder"]++
				}
				m.onProj[c.Project] += r.Cents
				if r.Cents > 0 {
					m.counts[[2]string{c.Project, c.Contributor}]++
				}
				ids = append(ids, c.ID)
			case k < 17 && len(ids) > 0: // a refund, perhaps a second one
				id := ids[rng.IntN(len(ids))]
				shares, err := p.Refund(id)
				if m.refunded[id] {
					if err == nil {
						t.Fatalf("%s: %s refunded twice", where(step), id)
					}
					continue
				}
				r := m.active[id]
				if err != nil || !slices.Equal(shares, r.Shares) {
					t.Fatalf("%s: refund %s: %v %v, want %v", where(step), id, shares, err, r.Shares)
				}
				m.give(funders, r.Shares)
				m.onProj[r.Project] -= r.Cents
				if r.Cents > 0 {
					m.counts[[2]string{r.Project, m.by[id]}]--
				}
				delete(m.active, id)
				m.refunded[id] = true
				seen["refund"]++
			case k < 19: // a criteria grant
				project := fmt.Sprintf("p%d", rng.IntN(3))
				c := Criteria{GrantCents: 1 + rng.Int64N(20_000), Share: Percent(rng.Int64N(101)), MinBackers: rng.IntN(3)}
				at := Progress{RaisedCents: rng.Int64N(10_000), GoalCents: rng.Int64N(10_000), Backers: rng.IntN(4)}
				r, err := p.Grant(project, c, at)
				if err != nil {
					t.Fatalf("%s: grant: %v", where(step), err)
				}
				_, had := m.grants[project]
				var total int64
				for _, l := range m.left {
					total += l
				}
				want := int64(0)
				if !had && c.Qualifies(at) {
					want = min(c.GrantCents, total)
				}
				split := m.split(want)
				if r.Cents != want || !slices.Equal(r.Shares, shareSlice(funders, split)) {
					t.Fatalf("%s: grant %+v at %+v: %+v; the model says %d %v", where(step), c, at, r, want, split)
				}
				if want > 0 {
					seen["grant"]++
					for i := range split {
						m.left[i] -= split[i]
					}
					m.grants[project] = r
				}
			default: // a campaign that fails
				project := fmt.Sprintf("p%d", rng.IntN(3))
				back := p.RefundProject(project)
				seen["failed"]++
				for _, b := range back {
					if b.Contribution == "" {
						if g := m.grants[project]; b.Cents != g.Cents || !slices.Equal(b.Shares, g.Shares) {
							t.Fatalf("%s: grant of %s returned as %+v, want %+v", where(step), project, b, g)
						}
						m.give(funders, b.Shares)
						delete(m.grants, project)
						continue
					}
					r, ok := m.active[b.Contribution]
					if !ok || r.Project != project || b.Cents != r.Cents || !slices.Equal(b.Shares, r.Shares) {
						t.Fatalf("%s: %s returned as %+v, want %+v", where(step), b.Contribution, b, r)
					}
					m.give(funders, b.Shares)
					m.onProj[project] -= r.Cents
					if r.Cents > 0 {
						m.counts[[2]string{project, m.by[b.Contribution]}]--
					}
					delete(m.active, b.Contribution)
					m.refunded[b.Contribution] = true
				}
				for id, r := range m.active {
					if r.Project == project {
						t.Fatalf("%s: %s of %s not refunded", where(step), id, project)
					}
				}
			}
			m.check(t, where(step), p)
		}
		// Every match and grant back: the funders have what they put in.
		for i := range 3 {
			p.RefundProject(fmt.Sprintf("p%d", i))
		}
		if !slices.Equal(p.Left(), funders) || p.LeftCents() != sum(m.funded) {
			t.Fatalf("%s: after refunding everything: %v", where(steps), p.Left())
		}
	}
	t.Logf("%v", seen)
	for _, what := range []string{"limit ", "limit contribution", "limit contributor", "limit project", "limit pool", "remainder", "grant", "refund", "failed"} {
		if seen[what] < 20 {
			t.Errorf("the sequences hardly reach %q (%d times): %v", what, seen[what], seen)
		}
	}
}

// exact is what each funder's share of cents would be before the cents
// that remain are handed out.
func (m *model) exact(cents int64) []int64 {
	out := make([]int64, len(m.left))
	var total int64
	for _, l := range m.left {
		total += l
	}
	if total == 0 {
		return out
	}
	for i, l := range m.left {
		out[i] = shareFloor(cents, l, total)
	}
	return out
}

func (m *model) give(funders []Funder, shares []Share) {
	for _, s := range shares {
		i := slices.IndexFunc(funders, func(f Funder) bool { return f.ID == s.Funder })
		m.left[i] += s.Cents
	}
}

// check holds p to the model and to the rules' promises.
func (m *model) check(t *testing.T, where string, p *Pool) {
	t.Helper()
	if got := left(p); !slices.Equal(got, m.left) {
		t.Fatalf("%s: left %v, the model %v", where, got, m.left)
	}
	// Per funder: what it has left and what it gave add up to what it
	// put in, and it has from 0 to all of it.
	given := make([]int64, len(m.funded))
	var matched int64
	count := func(r Result) {
		var sum int64
		for _, s := range r.Shares {
			i := slices.IndexFunc(p.funders, func(f Funder) bool { return f.ID == s.Funder })
			given[i] += s.Cents
			sum += s.Cents
		}
		if sum != r.Cents {
			t.Fatalf("%s: %+v: shares sum to %d", where, r, sum)
		}
		matched += r.Cents
	}
	for _, r := range m.active {
		count(r)
	}
	for _, r := range m.grants {
		count(r)
	}
	for i, f := range m.funded {
		if l := m.left[i]; l < 0 || l > f || l+given[i] != f {
			t.Fatalf("%s: funder %d put in %d, has %d left and gave %d", where, i, f, l, given[i])
		}
	}
	if matched+p.LeftCents() != sum(m.funded) {
		t.Fatalf("%s: matched %d + left %d ≠ funded %d", where, matched, p.LeftCents(), sum(m.funded))
	}
	for project, on := range m.onProj {
		if p.OnProject(project) != on || (m.rules.MaxPerProject > 0 && on > m.rules.MaxPerProject) {
			t.Fatalf("%s: %s has %d (model %d), cap %d", where, project, p.OnProject(project), on, m.rules.MaxPerProject)
		}
	}
	for key, n := range m.counts {
		if p.MatchedCount(key[0], key[1]) != n || (m.rules.MaxMatchedPerContributor > 0 && n > m.rules.MaxMatchedPerContributor) {
			t.Fatalf("%s: %v has %d matched (model %d)", where, key, p.MatchedCount(key[0], key[1]), n)
		}
	}
	for _, r := range m.active {
		if m.rules.MaxPerContribution > 0 {
			if most, _ := m.rules.Factor.Of(m.rules.MaxPerContribution); r.Cents > most {
				t.Fatalf("%s: %+v above the cap per contribution", where, r)
			}
		}
	}
}

func sum(xs []int64) int64 {
	var n int64
	for _, x := range xs {
		n += x
	}
	return n
}
