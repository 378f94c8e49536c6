package match

// MaxContributions is how many contributions one simulation may hold.
const MaxContributions = 1_000_000

// Simulation is a pool and the successful contributions it matches, in
// time order: what `samen match simulate` reads (ReadSimulation).
type Simulation struct {
	Rules         Rules
	Funders       []Funder
	Contributions []Contribution
}

// Outcome is what a simulation comes to.
type Outcome struct {
	// Matches has one Result per contribution, in the simulation's order,
	// also those matched with 0.
	Matches []Result
	// Left is what each funder has left at the end, in the pool's order.
	Left []Funder
}

// Simulate matches every contribution of s in order, from a pool whose
// funders have all they put in. It checks the whole of s first, so an
// error (an *Error, placed in s: "contributions.3.cents") means nothing
// was matched.
func Simulate(s Simulation) (Outcome, error) {
	p, err := NewPool(s.Rules, s.Funders)
	if err != nil {
		return Outcome{}, err
	}
	if len(s.Contributions) > MaxContributions {
		return Outcome{}, &Error{Code: codeContributions, Field: "contributions", Index: -1}
	}
	seen := make(map[string]struct{}, len(s.Contributions))
	for i, c := range s.Contributions {
		if err := checkContribution(c, i); err != nil {
			return Outcome{}, err
		}
		if _, twice := seen[c.ID]; twice {
			return Outcome{}, at(codeContributionDuplicate, "contributions", i, c.ID, "id")
		}
		seen[c.ID] = struct{}{}
	}
	out := Outcome{Matches: make([]Result, len(s.Contributions))}
	for i, c := range s.Contributions {
		if out.Matches[i], err = p.match(c, i); err != nil {
			return Outcome{}, err // checked above; never
		}
	}
	out.Left = p.Left()
	return out, nil
}
