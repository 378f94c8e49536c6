package match

// Pool is a duplicate pool's state in memory: what each funder has left,
// what it gave each project, how many contributions of each contributor
// it matched, and every match's split, so that a refund returns exactly
// what was taken. The service layer keeps the same state in the ledger
// and calls Rules.Step and Split; a Pool replays a sequence of
// contributions and refunds (Simulate, the tests). A Pool is not safe for
// use by several goroutines at once.
type Pool struct {
	rules   Rules
	funders []Funder       // as given: what each put in
	index   map[string]int // funder id -> place
	left    []int64        // what each has left
	total   int64          // the sum of left

	projects map[string]*project
	matches  map[string]*matched // by contribution id
	counts   map[contributorKey]int

	// Room for the split, so that a match allocates only its shares.
	out   []int64
	order []int
}

// project is what a pool has given one project.
type project struct {
	cents         int64
	contributions []string // ids, in the order matched
	grant         *matched // the criteria grant, once given
}

// matched is one match as it was split.
type matched struct {
	project, contributor string
	cents                int64
	shares               []share // in the funders' order, without zeros
	refunded             bool
}

type share struct {
	funder int
	cents  int64
}

type contributorKey struct{ project, contributor string }

// NewPool starts a pool with its rules and funders, each with all it put
// in left. The order of funders breaks the split's ties (step 5).
func NewPool(r Rules, funders []Funder) (*Pool, error) {
	if err := checkRules(r); err != nil {
		return nil, err
	}
	index, err := checkFunders(funders)
	if err != nil {
		return nil, err
	}
	p := &Pool{rules: r, funders: append([]Funder(nil), funders...), index: index,
		left: make([]int64, len(funders)), projects: map[string]*project{}, matches: map[string]*matched{},
		counts: map[contributorKey]int{}, out: make([]int64, len(funders)), order: make([]int, 0, len(funders))}
	for i, f := range funders {
		p.left[i] = f.Cents
		p.total += f.Cents
	}
	return p, nil
}

// Rules are the pool's rules.
func (p *Pool) Rules() Rules { return p.rules }

// Left is what each funder has left, in the pool's order.
func (p *Pool) Left() []Funder {
	out := make([]Funder, len(p.funders))
	for i, f := range p.funders {
		out[i] = Funder{ID: f.ID, Cents: p.left[i]}
	}
	return out
}

// LeftCents is what the pool has left, all funders together.
func (p *Pool) LeftCents() int64 { return p.total }

// OnProject is what the pool's matches have given project, less what
// was refunded: what the cap per project (step 3) holds. A criteria grant
// is apart (Granted).
func (p *Pool) OnProject(projectID string) int64 {
	if pr := p.projects[projectID]; pr != nil {
		return pr.cents
	}
	return 0
}

// MatchedCount is how many of contributor's contributions to project the
// pool matched with more than 0 and has not returned.
func (p *Pool) MatchedCount(projectID, contributor string) int {
	return p.counts[contributorKey{projectID, contributor}]
}

// Match matches contribution c by the duplicate rule (steps 1 to 5) and
// takes the match from the funders. Every contribution is recorded, also
// one matched with 0, so that its refund is known; its id must be new to
// the pool. An error is an *Error: c is not a valid contribution, or its
// id was seen before.
func (p *Pool) Match(c Contribution) (Result, error) {
	return p.match(c, -1)
}

func (p *Pool) match(c Contribution, i int) (Result, error) {
	if err := checkContribution(c, i); err != nil {
		return Result{}, err
	}
	if _, seen := p.matches[c.ID]; seen {
		return Result{}, at(codeContributionDuplicate, "contributions", i, c.ID, "id")
	}
	pr := p.projects[c.Project]
	if pr == nil {
		pr = &project{}
		p.projects[c.Project] = pr
	}
	key := contributorKey{c.Project, c.Contributor}
	// The cap per project bounds the duplicate rule's matches; a criteria
	// grant is a rule of its own and does not count against it.
	cents, limit := p.rules.Step(c.Cents, pr.cents, p.counts[key], p.total)
	m := &matched{project: c.Project, contributor: c.Contributor, cents: cents, shares: p.take(cents)}
	p.matches[c.ID] = m
	pr.contributions = append(pr.contributions, c.ID)
	if cents > 0 {
		pr.cents += cents
		p.counts[key]++
	}
	return Result{Contribution: c.ID, Project: c.Project, Cents: cents, Shares: p.shares(m.shares), Limit: limit}, nil
}

// take splits cents over the funders (step 5) and takes each share from
// what its funder has left. cents is at most p.total.
func (p *Pool) take(cents int64) []share {
	if cents <= 0 {
		return nil
	}
	if !split(cents, p.left, p.out, p.order) {
		panic("match: split out of range") // Step keeps cents within p.total
	}
	n := 0
	for _, s := range p.out {
		if s > 0 {
			n++
		}
	}
	out := make([]share, 0, n)
	for i, s := range p.out {
		if s > 0 {
			out = append(out, share{funder: i, cents: s})
			p.left[i] -= s
		}
	}
	p.total -= cents
	return out
}

// give returns shares to their funders.
func (p *Pool) give(shares []share) {
	for _, s := range shares {
		p.left[s.funder] += s.cents
		p.total += s.cents
	}
}

func (p *Pool) shares(in []share) []Share {
	if len(in) == 0 {
		return nil
	}
	out := make([]Share, len(in))
	for i, s := range in {
		out[i] = Share{Funder: p.funders[s.funder].ID, Cents: s.cents}
	}
	return out
}

// Refund returns the match of contribution id to the funders exactly as
// it was split, and returns those shares (none for a match of 0). The
// project's total and the contributor's count of matched contributions
// go down with it, so a later contribution may be matched again. A
// contribution is refunded once: an error (an *Error) says it is unknown
// to the pool or refunded before. A refund never takes back a criteria
// grant; RefundProject does.
func (p *Pool) Refund(id string) ([]Share, error) {
	m := p.matches[id]
	switch {
	case m == nil:
		return nil, &Error{Code: codeRefundUnknown, Index: -1, ID: id}
	case m.refunded:
		return nil, &Error{Code: codeRefundTwice, Index: -1, ID: id}
	}
	m.refunded = true
	p.give(m.shares)
	if m.cents > 0 {
		p.projects[m.project].cents -= m.cents
		key := contributorKey{m.project, m.contributor}
		if p.counts[key]--; p.counts[key] == 0 {
			delete(p.counts, key)
		}
	}
	return p.shares(m.shares), nil
}

// Returned is a match or grant given back by RefundProject.
type Returned struct {
	// Contribution is the refunded contribution; "" for the grant.
	Contribution string
	Cents        int64
	Shares       []Share
}

// RefundProject is the end of an all-or-nothing campaign that missed its
// minimum: every contribution to project not yet refunded is refunded,
// in the order they were matched, and then its criteria grant is
// returned. It returns what went back, a record per contribution (also
// those matched with 0) and one for the grant, if any; afterwards the
// project holds nothing of the pool's.
func (p *Pool) RefundProject(projectID string) []Returned {
	pr := p.projects[projectID]
	if pr == nil {
		return nil
	}
	var out []Returned
	for _, id := range pr.contributions {
		if m := p.matches[id]; m.refunded {
			continue
		}
		shares, _ := p.Refund(id)
		out = append(out, Returned{Contribution: id, Cents: p.matches[id].cents, Shares: shares})
	}
	if g := pr.grant; g != nil {
		shares, _ := p.RefundGrant(projectID)
		out = append(out, Returned{Cents: g.cents, Shares: shares})
	}
	return out
}
