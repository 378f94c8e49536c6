package match

// Criteria is the criteria rule (Goteo's "criteria" matcher): a fixed
// grant to a project once it has raised a share of its goal and has a
// number of backers, once per project, split over the funders as a match
// is (step 5) and capped at what the pool has left.
type Criteria struct {
	GrantCents int64
	// Share of the goal the project must have raised, from 0 to 1:
	// Percent(50), or Ratio{1, 3} for a third.
	Share Ratio
	// MinBackers is how many different people must have given.
	MinBackers int
}

// Progress is where a project stands when the criteria rule looks at it.
type Progress struct {
	RaisedCents, GoalCents int64
	Backers                int
}

// Reasons a grant is 0 or smaller than the rule's (Result.Limit), besides
// LimitPool.
const (
	LimitCriteria = "criteria" // the project does not qualify (yet)
	LimitGranted  = "granted"  // the project has had its grant
)

// Check reports whether c is a rule a pool can have, as an *Error.
func (c Criteria) Check() error {
	switch {
	case c.GrantCents < 1 || c.GrantCents > MaxCents:
		return &Error{Code: codeCriteriaGrant, Field: "grant_cents", Index: -1}
	case c.Share.Num < 0 || c.Share.Den <= 0 || c.Share.Den > MaxFactorDen || c.Share.Num > c.Share.Den:
		return &Error{Code: codeCriteriaShare, Field: "share", Index: -1}
	case c.MinBackers < 0:
		return &Error{Code: codeCriteriaBackers, Field: "min_backers", Index: -1}
	}
	return nil
}

// Qualifies reports whether a project at p has raised c's share of its
// goal (raised ≥ share × goal, exactly) and has c's number of backers. A
// goal of 0 asks for backers only. c and p must be valid (Check, and no
// number below 0).
func (c Criteria) Qualifies(p Progress) bool {
	return p.Backers >= c.MinBackers && c.Share.atLeast(p.RaisedCents, p.GoalCents)
}

// Grant gives project the criteria rule's grant if it qualifies at
// progress and has not had it: c.GrantCents, at most what the pool has
// left, split over the funders by step 5. A grant of 0 (the project does
// not qualify, had its grant, or the pool is empty; Result.Limit says
// which) changes nothing, so the project may have it later. An error is
// an *Error: c or progress is not valid.
func (p *Pool) Grant(projectID string, c Criteria, progress Progress) (Result, error) {
	if err := c.Check(); err != nil {
		return Result{}, err
	}
	if progress.RaisedCents < 0 || progress.GoalCents < 0 || progress.Backers < 0 {
		return Result{}, &Error{Code: codeProgress, Field: "progress", Index: -1}
	}
	pr := p.projects[projectID]
	r := Result{Project: projectID}
	switch {
	case pr != nil && pr.grant != nil:
		r.Limit = LimitGranted
		return r, nil
	case !c.Qualifies(progress):
		r.Limit = LimitCriteria
		return r, nil
	}
	r.Cents = c.GrantCents
	if r.Cents > p.total {
		r.Cents, r.Limit = p.total, LimitPool
	}
	if r.Cents == 0 {
		return r, nil
	}
	if pr == nil {
		pr = &project{}
		p.projects[projectID] = pr
	}
	pr.grant = &matched{project: projectID, cents: r.Cents, shares: p.take(r.Cents)}
	r.Shares = p.shares(pr.grant.shares)
	return r, nil
}

// Granted is the criteria grant project has, 0 when none.
func (p *Pool) Granted(projectID string) int64 {
	if pr := p.projects[projectID]; pr != nil && pr.grant != nil {
		return pr.grant.cents
	}
	return 0
}

// RefundGrant returns project's grant to the funders exactly as it was
// split, and returns those shares; the project may be granted again. An
// error (an *Error) says it has no grant.
func (p *Pool) RefundGrant(projectID string) ([]Share, error) {
	pr := p.projects[projectID]
	if pr == nil || pr.grant == nil {
		return nil, &Error{Code: codeRefundUnknown, Field: "project", Index: -1, ID: projectID}
	}
	g := pr.grant
	pr.grant = nil
	p.give(g.shares)
	return p.shares(g.shares), nil
}
